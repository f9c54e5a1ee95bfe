#ifndef API_H
#define API_H

#define OF(args) args               /* zlib's prototype macro */

int logger_write OF((const char *msg));
int logger_count OF((void));
void logger_selftest(void);
int kr_add();                       /* K&R: no prototype */
long kr_scale OF((long v, int by));

/* a call across compartments written in a shared header's macro, used by both compartments */
#define LOG_TWICE(s) (logger_write(s) + logger_write(s))
/* nested macros: the name is spelled two expansions down */
#define LOG_INNER(s) logger_write(s)
#define LOG_OUTER(s) LOG_INNER(s)

/* a static inline function of a header that calls across compartments: belongs to every includer */
static inline int announce(const char *what)
{
    return logger_write(what);
}

#endif
