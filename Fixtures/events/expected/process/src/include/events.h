/* events: function pointers and shared data across compartments. */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdarg.h>
#include <stddef.h>

/* sorter library (compartment "sort") */
typedef int (*cmp_fn)(const void *, const void *);
void sort_items(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
extern long sort_comparisons;       /* shared global: written by sorter, read and reset by app */

/* bus library (compartment "bus") */
enum { TOPIC_TEMP = 1, TOPIC_ALERT = 2, TOPIC_ANY = -1 };
typedef void (*bus_handler)(int topic, const char *msg, void *ctx);
int bus_subscribe(int topic, void (*handler)(int topic, const char *msg, void *ctx), void *ctx);
void bus_publish(int topic, const char *msg);
void bus_clear(void);
extern int bus_delivered_count;     /* shared global: written by bus, read and written by app */

/* log library (compartment "log") */
int log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int log_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
