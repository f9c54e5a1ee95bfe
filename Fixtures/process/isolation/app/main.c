#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uintptr_t a_secret_address(void);
uintptr_t a_function_address(void);
uintptr_t a_motto_address(void);
uintptr_t a_mottos_address(void);
int a_secret_length(void);
int b_peek(uintptr_t address, int n);
int b_call(uintptr_t address);

/* A thread the program starts: its stack is main's private memory. */
static void *peek_from_thread(void *arg)
{
    (void)arg;
    char local[32] = "THREAD-SECRET-66";
    uintptr_t address = (uintptr_t)local;              /* a number: nothing moves it to the shared stack */
    printf("b_peek -> %d\n", b_peek(address, 16));
    return NULL;
}

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
    } else if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, peek_from_thread, NULL);
        pthread_join(t, NULL);
    } else if (argc > 1 && strcmp(argv[1], "mapped") == 0) {
        char *big = malloc(1 << 20);                    /* large: malloc maps it (main's private memory) */
        strcpy(big, "MAPPED-SECRET-77");
        printf("b_peek -> %d\n", b_peek((uintptr_t)big, 16));
    } else if (argc > 1 && strcmp(argv[1], "heap") == 0) {
        char *small = malloc(48);                       /* a small block of main's heap */
        strcpy(small, "HEAP-SECRET-88");
        printf("b_peek -> %d\n", b_peek((uintptr_t)small, 14));
    } else if (argc > 1 && strcmp(argv[1], "motto") == 0)
        printf("b_peek -> %d\n", b_peek(a_motto_address(), 15));
    else if (argc > 1 && strcmp(argv[1], "mottos") == 0)
        printf("b_peek -> %d\n", b_peek(a_mottos_address(), 8) != 0);
    else
        printf("b_peek -> %d\n", b_peek(a_secret_address(), a_secret_length()));
    return 0;
}
