int util_twice(int x);
int orphan_value(void);

int main(void)
{
    return util_twice(orphan_value()) == 10 ? 0 : 1;
}
