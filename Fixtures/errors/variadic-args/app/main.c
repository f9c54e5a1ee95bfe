int plot(int n, ...);

int main(void)
{
    long v = 0;
    return plot(1, &v, 2.5);
}
