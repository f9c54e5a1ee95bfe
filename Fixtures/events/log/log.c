/* log library (compartment "log"): numbered log lines on stdout. */
#include <stdarg.h>
#include <stdio.h>
#include "events.h"

static int seq;

/* FEATURE: the va_list sibling that the gate of log_printf forwards to (variadic_via). */
int log_vprintf(const char *fmt, va_list ap)
{
    int n = printf("[log %03d] ", ++seq);
    return n + vprintf(fmt, ap);
}

/* FEATURE: variadic function called across compartments (from main and from bus). */
int log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = log_vprintf(fmt, ap); /* same-compartment call */
    va_end(ap);
    return n;
}
