/* Keeps a pointer to the caller's variable and steps it later. */
static long *kept;

void sink_keep(long *p)
{
    kept = p;
}

long sink_step(long by)
{
    *kept += by;
    return *kept;
}
