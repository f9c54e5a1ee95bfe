/* Library c: one small function, called as often as the workload says. */
unsigned long c_step(unsigned long x) { return x + (x << 3) + 5; }
