/* error: one macro body calls the variadic plot (another compartment) with a long at one expansion and a
   pointer at another: the name in the body is rewritten once, so both would need one gate */
int plot(int n, ...);
#define PLOT(v) plot(1, (v))

int main(void)
{
    static int cell;
    PLOT(3L);
    PLOT(&cell);
    return 0;
}
