#include <stdio.h>
#include <string.h>
#include "lib.h"

int count_words(const char *text)
{
    int words = 0, in = 0;
    for (size_t i = 0; i < strlen(text); i++) {
        int space = text[i] == ' ';
        if (!space && !in) words++;
        in = !space;
    }
    return words;
}

unsigned checksum(const unsigned char *data, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) sum = sum * 31 + data[i];
    return sum;
}

void fill_bytes(void *dst, size_t len, int v)
{
    memset(dst, v, len);
}

int sum_points(const struct point *pts, int npts)
{
    int s = 0;
    for (int i = 0; i < npts; i++) s += pts[i].x * pts[i].y;
    return s;
}

static int sum_helper(const int *v, int m)
{
    int s = 0;
    for (int i = 0; i < m; i++) s += v[i];
    return s;
}

int total(const int *vals, int n)
{
    return sum_helper(vals, n);
}

void get_pair(int *a, int *b)
{
    *a = 1;
    *b = *a + 1;
}

void bump(long *counter)
{
    *counter += 1;
}

void read_config(struct config *cfg)
{
    cfg->verbose = 1;
    cfg->limit = 100 * cfg->verbose;
}

int copy_name(char *out, size_t cap, const char *name)
{
    return snprintf(out, cap, "<%s>", name);
}

static unsigned (*hash)(const void *, unsigned);

static unsigned fnv(const void *buf, unsigned len)
{
    const unsigned char *p = buf;
    unsigned h = 2166136261u;
    while (len--) h = (h ^ *p++) * 16777619u;
    return h;
}

unsigned digest(const void *buf, unsigned len)
{
    if (!hash) hash = fnv;
    return hash(buf, len);
}

void pipe_pair(int *fds)
{
    fds[0] = 3;
    fds[1] = 4;
}

const char *version_name(void)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "lib %d.%d", 1, 2);
    return buf;
}

const struct point *origin(void)
{
    static struct point o = { 0, 0 };
    return &o;
}

const char *kind_name(int k)
{
    return k ? "odd" : "even";
}

struct session { int sent; };
static struct session one;

struct session *session_open(void)
{
    return &one;
}

int session_send(struct session *s, int v)
{
    s->sent += v;
    return s->sent;
}
