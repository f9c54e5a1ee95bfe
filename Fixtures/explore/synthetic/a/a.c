/* Library a: one small function; the workload sets how often app calls it (each call crosses into a). */
unsigned long a_step(unsigned long x) { return x * 2654435761u + 1; }
