/* Only arithmetic: no system call of its own. */
unsigned long checksum(unsigned long n) {
    unsigned long h = 14695981039346656037ul;
    for (unsigned long i = 0; i < n; i++) h = (h ^ i) * 1099511628211ul;
    return h;
}
