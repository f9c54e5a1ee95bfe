/* Library b: one small function, called as often as the workload says. */
unsigned long b_step(unsigned long x) { return (x ^ (x >> 7)) + 3; }
