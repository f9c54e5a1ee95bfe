#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "easy.h"

struct easy {
    long timeout;
    char *url;
    easy_write_fn write;
    void *user;
    double ratio;
    char separator;
    int protocol;
    size_t maxsize;
    long long resume;
    long code;
};

EASY *easy_init(void)
{
    EASY *h = calloc(1, sizeof *h);
    /* a call of its own variadic function, in its own compartment: no gate */
    easy_setopt(h, EASYOPT_TIMEOUT, 30L);
    easy_setopt(h, EASYOPT_SEPARATOR, ',');
    return h;
}

int easy_setopt(EASY *h, EASYoption option, ...)
{
    va_list ap;
    int rc = 0;
    va_start(ap, option);
    switch (option) {
    case EASYOPT_TIMEOUT: h->timeout = va_arg(ap, long); break;
    case EASYOPT_URL:
        free(h->url);
        h->url = strdup(va_arg(ap, const char *));
        break;
    case EASYOPT_WRITEFUNCTION: h->write = va_arg(ap, easy_write_fn); break;
    case EASYOPT_WRITEDATA: h->user = va_arg(ap, void *); break;
    case EASYOPT_RATIO: h->ratio = va_arg(ap, double); break;
    case EASYOPT_SEPARATOR: h->separator = (char)va_arg(ap, int); break;
    case EASYOPT_PROTOCOL: h->protocol = va_arg(ap, int); break;
    case EASYOPT_MAXSIZE: h->maxsize = va_arg(ap, size_t); break;
    case EASYOPT_RESUME_FROM: h->resume = va_arg(ap, long long); break;
    default: rc = 48;
    }
    va_end(ap);
    return rc;
}

int easy_perform(EASY *h)
{
    char body[160];
    int n = snprintf(body, sizeof body, "url=%s%ctimeout=%ld%cratio=%.3f%cprotocol=%d%cmax=%zu%cfrom=%lld",
                     h->url ? h->url : "(none)", h->separator, h->timeout, h->separator, h->ratio,
                     h->separator, h->protocol, h->separator, h->maxsize, h->separator, h->resume);
    if (!h->write) return 23;
    size_t taken = h->write(body, (size_t)n, h->user);
    h->code = taken == (size_t)n ? 200 : 500;
    return 0;
}

int easy_getinfo(EASY *h, EASYinfo info, ...)
{
    va_list ap;
    int rc = 0;
    va_start(ap, info);
    switch (info) {
    case EASYINFO_RESPONSE_CODE: *va_arg(ap, long *) = h->code; break;
    case EASYINFO_TOTAL_TIME: *va_arg(ap, double *) = h->ratio * (double)h->timeout; break;
    default: rc = 48;
    }
    va_end(ap);
    return rc;
}

void easy_cleanup(EASY *h)
{
    free(h->url);
    free(h);
}
