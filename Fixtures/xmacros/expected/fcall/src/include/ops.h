/* one line per operation, expanded with OP defined by the includer */
OP(add)
OP(mul)
OP(sub)
