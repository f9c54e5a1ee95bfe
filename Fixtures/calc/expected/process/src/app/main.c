/* app library (default compartment "main"): drives the calculator demo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "calc.h"
#include "charclass.h"

#define POOL_CAP 64

/* FEATURE: cross-compartment call written inside a macro body (parse_expr is in
 * compartment "parser"); it also takes the address of the caller's local `err`. */
#define PARSE_INTO(pool, s) bh_gate_parse_expr((s), (pool), POOL_CAP, &err)

/* FEATURE: macro whose ARGUMENT will hold cross-compartment calls. The label is a
 * separate string so the output does not depend on how the call is spelt. */
#define CHECK(cond, label)                                                            \
    do {                                                                              \
        int ok_ = (cond);                                                             \
        printf("check %s %s\n", ok_ ? "ok:    " : "FAILED:", (label));                 \
        failures += !ok_;                                                             \
    } while (0)

static int failures;

static const struct {
    const char *name, *expr;
} variables[] = {
    { "x", "3" },
    { "y", "x * 2 + 1" },
    { "z", "y * y - x" },
    { "half", "1 / 2" },
};

/* Called by eval (compartment "eval") for every variable. A variable is defined by an
 * expression, so this calls the parser and eval again. vN is defined as "v(N-1) + 1"
 * and v0 as 1: evaluating v120 nests eval -> app -> eval ... 120 times.
 * FEATURE: recursion crossing compartments in both directions, depth >= 100. */
extern __typeof__(eval_tree) bh_gate_eval_tree;
extern __typeof__(parse_expr) bh_gate_parse_expr;
int app_lookup_var(const char *name, double *out)
{
    char text[32];
    const char *src = NULL;
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++)
        if (strcmp(variables[i].name, name) == 0)
            src = variables[i].expr;
    if (src == NULL && name[0] == 'v' && cc_is_digit((unsigned char)name[1])) {
        long k = strtol(name + 1, NULL, 10);
        if (k == 0)
            src = "1";
        else {
            snprintf(text, sizeof text, "v%ld + 1", k - 1);
            src = text;
        }
    }
    if (src == NULL)
        return 0;

    struct node pool[8];
    int err = 0, eerr = 0;
    int root = bh_gate_parse_expr(src, pool, 8, &err);           /* app -> parser, &local */
    if (root < 0)
        return 0;
    double v = bh_gate_eval_tree(pool, root + 1, root, &eerr);   /* app -> eval, &local */
    if (eerr != EVAL_OK)
        return 0;
    *out = v;
    return 1;
}

/* FEATURE: mutual recursion across compartments with eval_count (in "eval"). */
extern __typeof__(eval_count) bh_gate_eval_count;
long app_count(int n)
{
    if (n <= 0)
        return 0;
    return n + bh_gate_eval_count(n - 1);
}

static const char *const inputs[] = {
    "1 + 2 * 3",
    "   (1 + 2) * 3   ",
    "-4 ^ 2",
    "2 ^ 3 ^ 2",
    "sqrt(16) + abs(-2.5)",
    "y * z",
    "10 % 4 / 4 + half",
    "sq(x) - 2 * x",
    "v120 - 100",
    "1 / (x - 3)",
    "2 + * 3",
    "(1 + 2",
    "4 $ 4",
    "q + 1",
    "cube(2)",
};

extern __typeof__(eval_count) bh_gate_eval_count;
extern __typeof__(eval_error_string) bh_gate_eval_error_string;
extern __typeof__(eval_tree) bh_gate_eval_tree;
extern __typeof__(lex_all) bh_gate_lex_all;
extern __typeof__(parse_describe) bh_gate_parse_describe;
extern __typeof__(parse_error_string) bh_gate_parse_error_string;
extern __typeof__(parse_expr) bh_gate_parse_expr;
int main(void)
{
    int n = (int)(sizeof inputs / sizeof inputs[0]);
    for (int i = 0; i < n; i++) {
        char line[64], shape[64], num[32];
        struct token toks[32];
        struct node pool[POOL_CAP];
        int err = 0, eerr = 0, errpos = -1;

        util_trim(inputs[i], line, sizeof line);           /* same compartment (app -> util) */
        int ntok = bh_gate_lex_all(line, toks, 32, &errpos);        /* app -> parser, local array + &local */
        printf("[%2d] %-22s tokens=%d", i, line, ntok);
        if (ntok < 0)
            printf(" (bad char at %d)", errpos);
        putchar('\n');

        int root = PARSE_INTO(pool, line);                  /* app -> parser via macro body */
        if (root < 0) {
            printf("     parse error: %s\n", bh_gate_parse_error_string(err)); /* app -> parser */
            continue;
        }
        /* FEATURE: local buffer filled by a callee in another compartment */
        bh_gate_parse_describe(pool, root + 1, root, shape, sizeof shape);
        double v = bh_gate_eval_tree(pool, root + 1, root, &eerr); /* app -> eval */
        printf("     tree  %s\n", shape);
        if (eerr != EVAL_OK) {
            printf("     eval error: %s\n", bh_gate_eval_error_string(eerr)); /* app -> eval */
            continue;
        }
        util_format_number(v, num, sizeof num);             /* same compartment */
        printf("     value %s\n", num);
    }
    util_rule(40);

    struct node pool[POOL_CAP];
    int err = 0, eerr = 0;
    int root = PARSE_INTO(pool, "y - 10");
    CHECK(root >= 0, "y - 10 parses");
    /* FEATURE: cross-compartment calls inside a macro argument */
    CHECK(bh_gate_eval_tree(pool, root + 1, root, &eerr) < 0, "y - 10 is negative");
    CHECK(bh_gate_parse_expr("1 +", pool, POOL_CAP, &err) < 0 && err == PARSE_UNEXPECTED, "'1 +' is rejected");
    CHECK(bh_gate_eval_count(150) == 150L * 151 / 2, "eval_count(150) == 11325");
    CHECK(app_count(101) == 101L * 102 / 2, "app_count(101) == 5151");
    printf("eval_count(200) = %ld\n", bh_gate_eval_count(200));

    char shape[64];
    root = PARSE_INTO(pool, "((((1+2)*(3+4))-((5+6)*(7+8)))/((9+10)*(11+12)))");
    CHECK(bh_gate_parse_describe(pool, root + 1, root, shape, 16) < 0, "describe truncates into a short buffer");
    printf("short describe: %s\n", shape);

    util_rule(40);
    printf("%s\n", failures == 0 ? "all checks passed" : "some checks failed");
    return failures == 0 ? 0 : 1;
}

/* ---- generated by bulkhead (process backend): gate stubs and trampolines; edits here are discarded ---- */
#if __INCLUDE_LEVEL__ == 0
#include "bulkhead_runtime.h"

/* gate: long app_count(int n)
 * defined at app/main.c:70:6; gate 0 into compartment 'main' */
struct bh_frame_0 {
	bh_frame h;
	long ret;
	int a0_n;
};

void bh_entry_0_app_count(bh_frame *bh_h);
void bh_entry_0_app_count(bh_frame *bh_h)
{
	struct bh_frame_0 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_0 *bh_f = (struct bh_frame_0 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_n) bh_a0_n = bh_l.a0_n;
	__typeof__(bh_f->ret) bh_r = app_count(bh_a0_n);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

__attribute__((section("bh_gate_text"))) long bh_gate_app_count(int bh_a0_n)
{
	if (bh_self() == 0) {
		return app_count(bh_a0_n);
	}
	struct bh_frame_0 *bh_f = (struct bh_frame_0 *)bh_frame_alloc(0, sizeof *bh_f, _Alignof(struct bh_frame_0));
	__builtin_memcpy(&bh_f->a0_n, &bh_a0_n, sizeof bh_f->a0_n);
	bh_call(0, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return (long )(-1);
	}
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

/* gate: int app_lookup_var(const char *name, double *out)
 * defined at app/main.c:38:5; gate 1 into compartment 'main' */
struct bh_frame_1 {
	bh_frame h;
	int ret;
	const char *a0_name;
	double *a1_out;
};

void bh_entry_1_app_lookup_var(bh_frame *bh_h);
void bh_entry_1_app_lookup_var(bh_frame *bh_h)
{
	struct bh_frame_1 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_1 *bh_f = (struct bh_frame_1 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_name) bh_a0_name = bh_l.a0_name;
	__typeof__(bh_l.a1_out) bh_a1_out = bh_l.a1_out;
	if (bh_copy_lent_string(&bh_a0_name, 0, "name"))
		return;
	if (bh_check_lent(bh_a1_out, 1, (__SIZE_TYPE__)(sizeof(double)), "out"))
		return;
	__typeof__(bh_f->ret) bh_r = app_lookup_var(bh_a0_name, bh_a1_out);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

__attribute__((section("bh_gate_text"))) int bh_gate_app_lookup_var(const char *bh_a0_name, double *bh_a1_out)
{
	if (bh_self() == 0) {
		return app_lookup_var(bh_a0_name, bh_a1_out);
	}
	struct bh_frame_1 *bh_f = (struct bh_frame_1 *)bh_frame_alloc(1, sizeof *bh_f, _Alignof(struct bh_frame_1));
	__builtin_memcpy(&bh_f->a0_name, &bh_a0_name, sizeof bh_f->a0_name);
	__builtin_memcpy(&bh_f->a1_out, &bh_a1_out, sizeof bh_f->a1_out);
	__SIZE_TYPE__ bh_n0 = bh_a0_name ? __builtin_strlen((const char *)bh_a0_name) + 1 : 0;
	void *bh_c0 = 0;
	if (bh_a0_name) {
		bh_c0 = bh_frame_alloc(1, bh_n0, bh_n0 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c0, (const void *)bh_a0_name, bh_n0);
		bh_f->a0_name = (__typeof__(bh_f->a0_name))bh_c0;
	}
	__SIZE_TYPE__ bh_n1 = bh_a1_out ? (__SIZE_TYPE__)(sizeof(double)) : 0;
	void *bh_c1 = 0;
	if (bh_a1_out) {
		bh_c1 = bh_frame_alloc(1, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memset(bh_c1, 0, bh_n1);
		bh_f->a1_out = (__typeof__(bh_f->a1_out))bh_c1;
	}
	bh_call(1, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return (int )(0);
	}
	if (bh_a1_out)
		__builtin_memcpy((void *)bh_a1_out, bh_c1, bh_n1);
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

#endif /* __INCLUDE_LEVEL__ == 0 */
