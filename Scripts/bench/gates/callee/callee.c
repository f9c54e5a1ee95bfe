struct s64 { long v[8]; };

static volatile int sink;

void g_void(void) { sink++; }
int g_int(int x) { return x + 1; }
long g_struct(struct s64 s) { return s.v[0] + s.v[7]; }
void g_buffer(char *buf) { buf[0]++; buf[4095]--; }
long g_args3(long a, long b, long c) { return a + b + c; }
