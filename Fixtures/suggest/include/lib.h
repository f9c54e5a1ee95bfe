#ifndef LIB_H
#define LIB_H
#include <stddef.h>

struct point { int x, y; };
struct config { int verbose; long limit; };
struct session;

int count_words(const char *text);                            /* a string */
unsigned checksum(const unsigned char *data, size_t n);       /* bytes bounded by n (indexed) */
void fill_bytes(void *dst, size_t len, int v);                /* bytes written by memset */
int sum_points(const struct point *pts, int npts);            /* an array of structs, counted */
int total(const int *vals, int n);                            /* through a helper of its own */
void get_pair(int *a, int *b);                                /* out-parameters */
void bump(long *counter);                                     /* read and written */
void read_config(struct config *cfg);                         /* a struct written before read */
int copy_name(char *out, size_t cap, const char *name);       /* an out buffer, a string */
unsigned digest(const void *buf, unsigned len);               /* its callers pass (buf, sizeof buf) */
void pipe_pair(int *fds);                                     /* an array of two, by constants */
const char *version_name(void);                               /* a result in the callee's memory */
const struct point *origin(void);                             /* the same, a struct */
const char *kind_name(int k);                                 /* string literals */
struct session *session_open(void);                           /* a handle ... */
int session_send(struct session *s, int v);                   /* ... passed back: not copied */

#endif
