/* error: passes a struct by value through the '...' of a function in another compartment */
struct point { int x, y; };
int plot(int n, ...);

int main(void)
{
    struct point p = { 1, 2 };
    plot(1, 3L);
    plot(1, p);
    return 0;
}
