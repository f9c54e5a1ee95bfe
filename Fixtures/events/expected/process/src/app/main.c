/* app library (default compartment "main"): passes callbacks to the sorter and the bus,
 * shares globals with them and logs through the variadic log_printf. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"

struct person {
    char name[12];
    int age;
};

/* FEATURE: static comparator whose address is passed to sort_items (callback) */
static int cmp_int_asc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* FEATURE: non-static comparator (callback) */
int cmp_person_by_name(const void *a, const void *b)
{
    return strcmp(((const struct person *)a)->name, ((const struct person *)b)->name);
}

/* FEATURE: comparator whose address is taken in a static table, not at the call */
static int cmp_person_by_age_desc(const void *a, const void *b)
{
    return ((const struct person *)b)->age - ((const struct person *)a)->age;
}

extern __typeof__(cmp_person_by_name) bh_cb_cmp_person_by_name;
static __typeof__(cmp_person_by_age_desc) bh_cb_cmp_person_by_age_desc;
static const struct {
    const char *label;
    cmp_fn cmp;
} person_orders[] = {
    { "by name", bh_cb_cmp_person_by_name },
    { "by age desc", bh_cb_cmp_person_by_age_desc },
};

struct temp_stats {
    int readings, max, alerts;
};

/* FEATURE: static handler stored by the bus and called back later; it re-enters the
 * bus (publishes an alert) while the bus is still delivering. ctx points into main's frame. */
extern __typeof__(bus_publish) bh_gate_bus_publish;
static void on_temperature(int topic, const char *msg, void *ctx)
{
    struct temp_stats *st = ctx;
    int value = atoi(msg);
    st->readings++;
    if (value > st->max)
        st->max = value;
    printf("  on_temperature(topic=%d, %d) readings=%d max=%d\n", topic, value, st->readings, st->max);
    if (value > 30) {
        st->alerts++;
        bh_gate_bus_publish(TOPIC_ALERT, "overheat"); /* main -> bus, from inside a callback */
    }
}

/* FEATURE: handler that reads the shared global while the bus is mid-delivery */
static void on_alert(int topic, const char *msg, void *ctx)
{
    (void)ctx;
    printf("  on_alert(topic=%d, %s) delivered so far=%d\n", topic, msg, bus_delivered_count);
}

/* FEATURE: non-static handler subscribed to every topic; logs with a variadic call */
extern __typeof__(log_printf) bh_gate_log_printf;
void on_any_message(int topic, const char *msg, void *ctx)
{
    int *count = ctx;
    ++*count;
    bh_gate_log_printf("on_any_message #%d topic=%d len=%zu\n", *count, topic, strlen(msg)); /* main -> log */
}

/* FEATURE: variadic function of main that hands its va_list to log_vprintf (cross-compartment) */
#ifndef BH_SHARED_STACK_HELPERS
#define BH_SHARED_STACK_HELPERS
void *bh_stack_alloc(__SIZE_TYPE__, __SIZE_TYPE__);
void bh_stack_free(void *);
static inline void *__bh_ss_copy(const void *bh_p, __SIZE_TYPE__ bh_n, __SIZE_TYPE__ bh_a)
{
	void *bh_c = bh_stack_alloc(bh_n, bh_a);
	__builtin_memcpy(bh_c, bh_p, bh_n);
	return bh_c;
}
static inline void __bh_ss_release(void *bh_pp)
{
	bh_stack_free(*(void **)bh_pp);
}
#endif
extern __typeof__(log_vprintf) bh_gate_log_vprintf;
static int trace(const char *fmt, ...)
{
    va_list __bh_priv_ap; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_ap) *__bh_ss_ap = (__typeof__(__bh_priv_ap) *)__bh_ss_copy(&__bh_priv_ap, sizeof __bh_priv_ap, _Alignof(__typeof__(__bh_priv_ap)));
    va_start((*__bh_ss_ap), fmt);
    int n = bh_gate_log_vprintf(fmt, (*__bh_ss_ap)); /* main -> log with a va_list */
    va_end((*__bh_ss_ap));
    return n;
}

static void print_people(const char *label, const struct person *p, size_t n)
{
    printf("%-12s", label);
    for (size_t i = 0; i < n; i++)
        printf(" %s(%d)", p[i].name, p[i].age);
    printf("\n");
}

extern __typeof__(bus_clear) bh_gate_bus_clear;
extern __typeof__(bus_publish) bh_gate_bus_publish;
extern __typeof__(bus_subscribe) bh_gate_bus_subscribe;
extern __typeof__(log_printf) bh_gate_log_printf;
extern __typeof__(on_any_message) bh_cb_on_any_message;
extern __typeof__(sort_items) bh_gate_sort_items;
static __typeof__(cmp_int_asc) bh_cb_cmp_int_asc;
static __typeof__(on_alert) bh_cb_on_alert;
static __typeof__(on_temperature) bh_cb_on_temperature;
int main(void)
{
    /* --- sorter: callbacks through a function-pointer parameter --- */
    int nums[] = { 42, -7, 19, 0, 19, 3, 100, -50 };
    size_t nn = sizeof nums / sizeof nums[0];
    bh_gate_sort_items(nums, nn, sizeof nums[0], bh_cb_cmp_int_asc);    /* main -> sort, callback cmp_int_asc */
    printf("ints:");
    for (size_t i = 0; i < nn; i++)
        printf(" %d", nums[i]);
    printf("\ncomparisons: %ld\n", sort_comparisons);     /* shared global read */
    sort_comparisons = 0;                                  /* shared global write */

    struct person people[] = { { "mallory", 41 }, { "alice", 30 }, { "trent", 55 },
                               { "bob", 30 }, { "carol", 27 }, { "dave", 41 } };
    size_t np = sizeof people / sizeof people[0];
    for (size_t k = 0; k < sizeof person_orders / sizeof person_orders[0]; k++) {
        bh_gate_sort_items(people, np, sizeof people[0], person_orders[k].cmp); /* callback via table */
        print_people(person_orders[k].label, people, np);
    }
    printf("comparisons since reset: %ld\n", sort_comparisons);

    /* --- bus: stored callbacks, called later; ctx is the address of main's locals --- */
    struct temp_stats __bh_priv_stats = { 0, -1000, 0 }; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_stats) *__bh_ss_stats = (__typeof__(__bh_priv_stats) *)__bh_ss_copy(&__bh_priv_stats, sizeof __bh_priv_stats, _Alignof(__typeof__(__bh_priv_stats)));
    int __bh_priv_any_count = 0; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_any_count) *__bh_ss_any_count = (__typeof__(__bh_priv_any_count) *)__bh_ss_copy(&__bh_priv_any_count, sizeof __bh_priv_any_count, _Alignof(__typeof__(__bh_priv_any_count)));
    int id1 = bh_gate_bus_subscribe(TOPIC_TEMP, bh_cb_on_temperature, &(*__bh_ss_stats));
    int id2 = bh_gate_bus_subscribe(TOPIC_ALERT, bh_cb_on_alert, NULL);
    int id3 = bh_gate_bus_subscribe(TOPIC_ANY, bh_cb_on_any_message, &(*__bh_ss_any_count));
    printf("subscribed ids %d %d %d\n", id1, id2, id3);

    static const char *const readings[] = { "21", "25", "33", "19" };
    for (size_t i = 0; i < 4; i++)
        bh_gate_bus_publish(TOPIC_TEMP, readings[i]);
    printf("stats: readings=%d max=%d alerts=%d any=%d delivered=%d\n", (*__bh_ss_stats).readings, (*__bh_ss_stats).max,
           (*__bh_ss_stats).alerts, (*__bh_ss_any_count), bus_delivered_count);

    bus_delivered_count = 100;                             /* shared global written from main */
    bh_gate_bus_publish(TOPIC_ALERT, "manual");
    printf("delivered after reset to 100: %d\n", bus_delivered_count);
    bh_gate_bus_clear();
    bh_gate_bus_publish(TOPIC_TEMP, "99");                         /* nobody listens any more */

    /* --- log: variadic calls across compartments (gate via log_vprintf) --- */
    bh_gate_log_printf("plain line\n");
    bh_gate_log_printf("ints %d %u %ld %lld, char %c\n", -1, 4000000000u, -1234567890123L, 1LL << 40, 'z');
    bh_gate_log_printf("doubles %.6f %.3e, string %s, padded [%5s|%-5s]\n", 3.14159265, 1.0 / 3, "ok", "r", "l");
    int n = bh_gate_log_printf("%s=%d\n", "answer", 42);
    trace("trace: log_printf returned %d\n", n);
    return 0;
}

/* ---- generated by bulkhead (process backend): gate stubs and trampolines; edits here are discarded ---- */
#if __INCLUDE_LEVEL__ == 0
#include "bulkhead_runtime.h"

/* trampoline: int cmp_int_asc(const void *a, const void *b)
 * defined at app/main.c:15:12; gate 6 into compartment 'main' */
struct bh_frame_6 {
	bh_frame h;
	int ret;
	const void *a0_a;
	const void *a1_b;
};

void bh_entry_6_cmp_int_asc(bh_frame *bh_h);
void bh_entry_6_cmp_int_asc(bh_frame *bh_h)
{
	struct bh_frame_6 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_6 *bh_f = (struct bh_frame_6 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_a) bh_a0_a = bh_l.a0_a;
	__typeof__(bh_l.a1_b) bh_a1_b = bh_l.a1_b;
	if (bh_check_lent(bh_a0_a, 1, (__SIZE_TYPE__)(sizeof(int)), "a"))
		return;
	if (bh_check_lent(bh_a1_b, 1, (__SIZE_TYPE__)(sizeof(int)), "b"))
		return;
	__typeof__(bh_f->ret) bh_r = cmp_int_asc(bh_a0_a, bh_a1_b);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

static __attribute__((section("bh_gate_text"))) int bh_cb_cmp_int_asc(const void *bh_a0_a, const void *bh_a1_b)
{
	if (bh_self() == 0) {
		return cmp_int_asc(bh_a0_a, bh_a1_b);
	}
	struct bh_frame_6 *bh_f = (struct bh_frame_6 *)bh_frame_alloc(6, sizeof *bh_f, _Alignof(struct bh_frame_6));
	__builtin_memcpy(&bh_f->a0_a, &bh_a0_a, sizeof bh_f->a0_a);
	__builtin_memcpy(&bh_f->a1_b, &bh_a1_b, sizeof bh_f->a1_b);
	__SIZE_TYPE__ bh_n0 = bh_a0_a ? (__SIZE_TYPE__)(sizeof(int)) : 0;
	void *bh_c0 = 0;
	if (bh_a0_a) {
		bh_c0 = bh_frame_alloc(6, bh_n0, bh_n0 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c0, (const void *)bh_a0_a, bh_n0);
		bh_f->a0_a = (__typeof__(bh_f->a0_a))bh_c0;
	}
	__SIZE_TYPE__ bh_n1 = bh_a1_b ? (__SIZE_TYPE__)(sizeof(int)) : 0;
	void *bh_c1 = 0;
	if (bh_a1_b) {
		bh_c1 = bh_frame_alloc(6, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c1, (const void *)bh_a1_b, bh_n1);
		bh_f->a1_b = (__typeof__(bh_f->a1_b))bh_c1;
	}
	bh_call(6, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }
	}
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

/* trampoline: int cmp_person_by_age_desc(const void *a, const void *b)
 * defined at app/main.c:28:12; gate 7 into compartment 'main' */
struct bh_frame_7 {
	bh_frame h;
	int ret;
	const void *a0_a;
	const void *a1_b;
};

void bh_entry_7_cmp_person_by_age_desc(bh_frame *bh_h);
void bh_entry_7_cmp_person_by_age_desc(bh_frame *bh_h)
{
	struct bh_frame_7 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_7 *bh_f = (struct bh_frame_7 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_a) bh_a0_a = bh_l.a0_a;
	__typeof__(bh_l.a1_b) bh_a1_b = bh_l.a1_b;
	if (bh_check_lent(bh_a0_a, 1, (__SIZE_TYPE__)(sizeof(struct person)), "a"))
		return;
	if (bh_check_lent(bh_a1_b, 1, (__SIZE_TYPE__)(sizeof(struct person)), "b"))
		return;
	__typeof__(bh_f->ret) bh_r = cmp_person_by_age_desc(bh_a0_a, bh_a1_b);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

static __attribute__((section("bh_gate_text"))) int bh_cb_cmp_person_by_age_desc(const void *bh_a0_a, const void *bh_a1_b)
{
	if (bh_self() == 0) {
		return cmp_person_by_age_desc(bh_a0_a, bh_a1_b);
	}
	struct bh_frame_7 *bh_f = (struct bh_frame_7 *)bh_frame_alloc(7, sizeof *bh_f, _Alignof(struct bh_frame_7));
	__builtin_memcpy(&bh_f->a0_a, &bh_a0_a, sizeof bh_f->a0_a);
	__builtin_memcpy(&bh_f->a1_b, &bh_a1_b, sizeof bh_f->a1_b);
	__SIZE_TYPE__ bh_n0 = bh_a0_a ? (__SIZE_TYPE__)(sizeof(struct person)) : 0;
	void *bh_c0 = 0;
	if (bh_a0_a) {
		bh_c0 = bh_frame_alloc(7, bh_n0, bh_n0 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c0, (const void *)bh_a0_a, bh_n0);
		bh_f->a0_a = (__typeof__(bh_f->a0_a))bh_c0;
	}
	__SIZE_TYPE__ bh_n1 = bh_a1_b ? (__SIZE_TYPE__)(sizeof(struct person)) : 0;
	void *bh_c1 = 0;
	if (bh_a1_b) {
		bh_c1 = bh_frame_alloc(7, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c1, (const void *)bh_a1_b, bh_n1);
		bh_f->a1_b = (__typeof__(bh_f->a1_b))bh_c1;
	}
	bh_call(7, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }
	}
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

/* trampoline: int cmp_person_by_name(const void *a, const void *b)
 * defined at app/main.c:22:5; gate 8 into compartment 'main' */
struct bh_frame_8 {
	bh_frame h;
	int ret;
	const void *a0_a;
	const void *a1_b;
};

void bh_entry_8_cmp_person_by_name(bh_frame *bh_h);
void bh_entry_8_cmp_person_by_name(bh_frame *bh_h)
{
	struct bh_frame_8 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_8 *bh_f = (struct bh_frame_8 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_a) bh_a0_a = bh_l.a0_a;
	__typeof__(bh_l.a1_b) bh_a1_b = bh_l.a1_b;
	if (bh_check_lent(bh_a0_a, 1, (__SIZE_TYPE__)(sizeof(struct person)), "a"))
		return;
	if (bh_check_lent(bh_a1_b, 1, (__SIZE_TYPE__)(sizeof(struct person)), "b"))
		return;
	__typeof__(bh_f->ret) bh_r = cmp_person_by_name(bh_a0_a, bh_a1_b);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

__attribute__((section("bh_gate_text"))) int bh_cb_cmp_person_by_name(const void *bh_a0_a, const void *bh_a1_b)
{
	if (bh_self() == 0) {
		return cmp_person_by_name(bh_a0_a, bh_a1_b);
	}
	struct bh_frame_8 *bh_f = (struct bh_frame_8 *)bh_frame_alloc(8, sizeof *bh_f, _Alignof(struct bh_frame_8));
	__builtin_memcpy(&bh_f->a0_a, &bh_a0_a, sizeof bh_f->a0_a);
	__builtin_memcpy(&bh_f->a1_b, &bh_a1_b, sizeof bh_f->a1_b);
	__SIZE_TYPE__ bh_n0 = bh_a0_a ? (__SIZE_TYPE__)(sizeof(struct person)) : 0;
	void *bh_c0 = 0;
	if (bh_a0_a) {
		bh_c0 = bh_frame_alloc(8, bh_n0, bh_n0 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c0, (const void *)bh_a0_a, bh_n0);
		bh_f->a0_a = (__typeof__(bh_f->a0_a))bh_c0;
	}
	__SIZE_TYPE__ bh_n1 = bh_a1_b ? (__SIZE_TYPE__)(sizeof(struct person)) : 0;
	void *bh_c1 = 0;
	if (bh_a1_b) {
		bh_c1 = bh_frame_alloc(8, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c1, (const void *)bh_a1_b, bh_n1);
		bh_f->a1_b = (__typeof__(bh_f->a1_b))bh_c1;
	}
	bh_call(8, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }
	}
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

/* trampoline: void on_alert(int topic, const char *msg, void *ctx)
 * defined at app/main.c:62:13; gate 9 into compartment 'main' */
struct bh_frame_9 {
	bh_frame h;
	int a0_topic;
	const char *a1_msg;
	void *a2_ctx;
};

void bh_entry_9_on_alert(bh_frame *bh_h);
void bh_entry_9_on_alert(bh_frame *bh_h)
{
	struct bh_frame_9 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	__typeof__(bh_l.a0_topic) bh_a0_topic = bh_l.a0_topic;
	__typeof__(bh_l.a1_msg) bh_a1_msg = bh_l.a1_msg;
	__typeof__(bh_l.a2_ctx) bh_a2_ctx = bh_l.a2_ctx;
	if (bh_copy_lent_string(&bh_a1_msg, 0, "msg"))
		return;
	on_alert(bh_a0_topic, bh_a1_msg, bh_a2_ctx);
}

static __attribute__((section("bh_gate_text"))) void bh_cb_on_alert(int bh_a0_topic, const char *bh_a1_msg, void *bh_a2_ctx)
{
	if (bh_self() == 0) {
		on_alert(bh_a0_topic, bh_a1_msg, bh_a2_ctx);
		return;
	}
	struct bh_frame_9 *bh_f = (struct bh_frame_9 *)bh_frame_alloc(9, sizeof *bh_f, _Alignof(struct bh_frame_9));
	__builtin_memcpy(&bh_f->a0_topic, &bh_a0_topic, sizeof bh_f->a0_topic);
	__builtin_memcpy(&bh_f->a1_msg, &bh_a1_msg, sizeof bh_f->a1_msg);
	__builtin_memcpy(&bh_f->a2_ctx, &bh_a2_ctx, sizeof bh_f->a2_ctx);
	__SIZE_TYPE__ bh_n1 = bh_a1_msg ? __builtin_strlen((const char *)bh_a1_msg) + 1 : 0;
	void *bh_c1 = 0;
	if (bh_a1_msg) {
		bh_c1 = bh_frame_alloc(9, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c1, (const void *)bh_a1_msg, bh_n1);
		bh_f->a1_msg = (__typeof__(bh_f->a1_msg))bh_c1;
	}
	bh_call(9, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return;
	}
	bh_stack_free(bh_f);
}

/* trampoline: void on_any_message(int topic, const char *msg, void *ctx)
 * defined at app/main.c:69:6; gate 10 into compartment 'main' */
struct bh_frame_10 {
	bh_frame h;
	int a0_topic;
	const char *a1_msg;
	void *a2_ctx;
};

void bh_entry_10_on_any_message(bh_frame *bh_h);
void bh_entry_10_on_any_message(bh_frame *bh_h)
{
	struct bh_frame_10 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	__typeof__(bh_l.a0_topic) bh_a0_topic = bh_l.a0_topic;
	__typeof__(bh_l.a1_msg) bh_a1_msg = bh_l.a1_msg;
	__typeof__(bh_l.a2_ctx) bh_a2_ctx = bh_l.a2_ctx;
	if (bh_copy_lent_string(&bh_a1_msg, 0, "msg"))
		return;
	on_any_message(bh_a0_topic, bh_a1_msg, bh_a2_ctx);
}

__attribute__((section("bh_gate_text"))) void bh_cb_on_any_message(int bh_a0_topic, const char *bh_a1_msg, void *bh_a2_ctx)
{
	if (bh_self() == 0) {
		on_any_message(bh_a0_topic, bh_a1_msg, bh_a2_ctx);
		return;
	}
	struct bh_frame_10 *bh_f = (struct bh_frame_10 *)bh_frame_alloc(10, sizeof *bh_f, _Alignof(struct bh_frame_10));
	__builtin_memcpy(&bh_f->a0_topic, &bh_a0_topic, sizeof bh_f->a0_topic);
	__builtin_memcpy(&bh_f->a1_msg, &bh_a1_msg, sizeof bh_f->a1_msg);
	__builtin_memcpy(&bh_f->a2_ctx, &bh_a2_ctx, sizeof bh_f->a2_ctx);
	__SIZE_TYPE__ bh_n1 = bh_a1_msg ? __builtin_strlen((const char *)bh_a1_msg) + 1 : 0;
	void *bh_c1 = 0;
	if (bh_a1_msg) {
		bh_c1 = bh_frame_alloc(10, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c1, (const void *)bh_a1_msg, bh_n1);
		bh_f->a1_msg = (__typeof__(bh_f->a1_msg))bh_c1;
	}
	bh_call(10, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return;
	}
	bh_stack_free(bh_f);
}

/* trampoline: void on_temperature(int topic, const char *msg, void *ctx)
 * defined at app/main.c:47:13; gate 11 into compartment 'main' */
struct bh_frame_11 {
	bh_frame h;
	int a0_topic;
	const char *a1_msg;
	void *a2_ctx;
};

void bh_entry_11_on_temperature(bh_frame *bh_h);
void bh_entry_11_on_temperature(bh_frame *bh_h)
{
	struct bh_frame_11 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	__typeof__(bh_l.a0_topic) bh_a0_topic = bh_l.a0_topic;
	__typeof__(bh_l.a1_msg) bh_a1_msg = bh_l.a1_msg;
	__typeof__(bh_l.a2_ctx) bh_a2_ctx = bh_l.a2_ctx;
	if (bh_copy_lent_string(&bh_a1_msg, 0, "msg"))
		return;
	on_temperature(bh_a0_topic, bh_a1_msg, bh_a2_ctx);
}

static __attribute__((section("bh_gate_text"))) void bh_cb_on_temperature(int bh_a0_topic, const char *bh_a1_msg, void *bh_a2_ctx)
{
	if (bh_self() == 0) {
		on_temperature(bh_a0_topic, bh_a1_msg, bh_a2_ctx);
		return;
	}
	struct bh_frame_11 *bh_f = (struct bh_frame_11 *)bh_frame_alloc(11, sizeof *bh_f, _Alignof(struct bh_frame_11));
	__builtin_memcpy(&bh_f->a0_topic, &bh_a0_topic, sizeof bh_f->a0_topic);
	__builtin_memcpy(&bh_f->a1_msg, &bh_a1_msg, sizeof bh_f->a1_msg);
	__builtin_memcpy(&bh_f->a2_ctx, &bh_a2_ctx, sizeof bh_f->a2_ctx);
	__SIZE_TYPE__ bh_n1 = bh_a1_msg ? __builtin_strlen((const char *)bh_a1_msg) + 1 : 0;
	void *bh_c1 = 0;
	if (bh_a1_msg) {
		bh_c1 = bh_frame_alloc(11, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c1, (const void *)bh_a1_msg, bh_n1);
		bh_f->a1_msg = (__typeof__(bh_f->a1_msg))bh_c1;
	}
	bh_call(11, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return;
	}
	bh_stack_free(bh_f);
}

#endif /* __INCLUDE_LEVEL__ == 0 */
