#include <stdarg.h>
struct point { int x, y; };

int plot(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    struct point p = va_arg(ap, struct point);
    va_end(ap);
    return n + p.x + p.y;
}
