/* The synthetic workload: `synthetic NA NB NC` calls a_step NA times, b_step NB times and c_step NC times, so a
 * configuration's cost is set by which of a, b and c it puts in a compartment of their own. Prints a checksum. */
#include <stdio.h>
#include <stdlib.h>

unsigned long a_step(unsigned long x);
unsigned long b_step(unsigned long x);
unsigned long c_step(unsigned long x);

int main(int argc, char **argv) {
    long n[3] = {0, 0, 0};
    for (int i = 1; i < argc && i <= 3; i++) n[i - 1] = atol(argv[i]);
    unsigned long x = 1;
    for (long i = 0; i < n[0]; i++) x = a_step(x);
    for (long i = 0; i < n[1]; i++) x = b_step(x);
    for (long i = 0; i < n[2]; i++) x = c_step(x);
    printf("%lu\n", x);
    return 0;
}
