#ifndef NUM_H
#define NUM_H
#define NUM_GLUE(a, b) a##b
#define NUM_SUFFIX(a) NUM_GLUE(a, 8)
#define num_add NUM_SUFFIX(num_add_)
#define num_scale NUM_SUFFIX(num_scale_)
#define num_name NUM_SUFFIX(num_name_)
int num_add(int a, int b);
long num_scale(long v, int by);
const char *num_name(void);
#endif
