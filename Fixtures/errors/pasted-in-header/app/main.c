#include "num.h"

int main(void)
{
    return num_inc(41) == 42 ? 0 : 1;
}
