/* bus library (compartment "bus"): publish/subscribe with stored callbacks. */
#include <stddef.h>
#include "events.h"

#define MAX_SUBS 8

struct subscription {
    int topic;
    bus_handler handler;
    void *ctx; /* opaque to the bus: only handed back to the handler */
};

static struct subscription subs[MAX_SUBS];
static int nsubs;
static int publish_depth;

/* FEATURE: global defined here, read and written from compartment "main" (shared.globals) */
int bus_delivered_count;

/* FEATURE: STORES a function pointer that belongs to another compartment. */
int bus_subscribe(int topic, void (*handler)(int topic, const char *msg, void *ctx), void *ctx)
{
    if (nsubs == MAX_SUBS || handler == NULL)
        return -1;
    subs[nsubs] = (struct subscription){ topic, handler, ctx };
    return nsubs++;
}

/* FEATURE: calls the stored callbacks later; a handler may publish again (re-entry). */
void bus_publish(int topic, const char *msg)
{
    int delivered = 0;
    publish_depth++;
    /* FEATURE: cross-compartment variadic call bus -> log */
    log_printf("%*spublish topic=%d msg=\"%s\"\n", 2 * (publish_depth - 1), "", topic, msg);
    for (int i = 0; i < nsubs; i++) {
        if (subs[i].topic == topic || subs[i].topic == TOPIC_ANY) {
            subs[i].handler(topic, msg, subs[i].ctx); /* callback bus -> main */
            delivered++;
            bus_delivered_count++;
        }
    }
    log_printf("%*s-> %d handler(s)\n", 2 * (publish_depth - 1), "", delivered);
    publish_depth--;
}

void bus_clear(void)
{
    nsubs = 0;
}
