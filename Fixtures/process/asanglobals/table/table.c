/* Eight entries; table_peek(8) reads one past the end (a global-buffer-overflow). */
char table_entries[8] = {1, 2, 3, 4, 5, 6, 7, 8};

int table_peek(int i)
{
    return table_entries[i];
}
