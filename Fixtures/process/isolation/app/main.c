#include <stdint.h>
#include <stdio.h>
#include <string.h>

uintptr_t a_secret_address(void);
uintptr_t a_function_address(void);
uintptr_t a_motto_address(void);
int a_secret_length(void);
int b_peek(uintptr_t address, int n);
int b_call(uintptr_t address);

int main(int argc, char **argv)
{
    printf("secret length %d\n", a_secret_length());
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "call") == 0)
        printf("b_call -> %d\n", b_call(a_function_address()));
    else if (argc > 1 && strcmp(argv[1], "stack") == 0) {
        char local[32] = "STACK-SECRET-55";
        uintptr_t address = (uintptr_t)local;          /* a number: nothing moves it to the shared stack */
        printf("b_peek -> %d\n", b_peek(address, 15));
    } else if (argc > 1 && strcmp(argv[1], "motto") == 0)
        printf("b_peek -> %d\n", b_peek(a_motto_address(), 15));
    else
        printf("b_peek -> %d\n", b_peek(a_secret_address(), a_secret_length()));
    return 0;
}
