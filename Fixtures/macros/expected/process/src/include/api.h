#ifndef API_H
#define API_H

#define OF(args) args               /* zlib's prototype macro */

int logger_write OF((const char *msg));
int logger_count OF((void));
void logger_selftest(void);
int kr_add();                       /* K&R: no prototype */
long kr_scale OF((long v, int by));

/* a call across compartments written in a shared header's macro, used by both compartments */
#define LOG_TWICE(s) (bh_gate_logger_write(s) + bh_gate_logger_write(s))
/* nested macros: the name is spelled two expansions down */
#define LOG_INNER(s) bh_gate_logger_write(s)
#define LOG_OUTER(s) LOG_INNER(s)

/* a static inline function of a header that calls across compartments: belongs to every includer */
extern __typeof__(logger_write) bh_gate_logger_write;
static inline int announce(const char *what)
{
    return bh_gate_logger_write(what);
}

#endif
