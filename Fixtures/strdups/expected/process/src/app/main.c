#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lib_name(int n);
size_t lib_take(char *s);

extern __typeof__(lib_name) bh_gate_lib_name;
extern __typeof__(lib_take) bh_gate_lib_take;
int main(void)
{
    for (int i = 0; i < 4; i++) {
        char *s = bh_gate_lib_name(i);
        printf("%d: %s\n", i, s);
        free(s);
    }
    printf("taken: %zu\n", bh_gate_lib_take(strdup("duplicated by main")));
    printf("taken: %zu\n", bh_gate_lib_take(strndup("cut by main at ten", 10)));
    return 0;
}
