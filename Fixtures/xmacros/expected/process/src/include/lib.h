#ifndef LIB_H
#define LIB_H
int lib_op(const char *op, int a, int b);
#endif
