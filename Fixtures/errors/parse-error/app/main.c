int broken(void);

int main(void)
{
    return broken() - 1;
}
