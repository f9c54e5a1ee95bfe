/* error: a name built with ## in a header's inline function, which every includer compiles (the library's
 * own units too), so it can be renamed neither where it is spelled nor by a macro of its name */
#define NUM_GLUE(a, b) a##b
int num_add_8(int a, int b);
static inline int num_inc(int a) { return NUM_GLUE(num_add_, 8)(a, 1); }
