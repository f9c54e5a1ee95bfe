/* parser library: recursive-descent parser building an AST in a caller-provided pool.
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | power
 *   power   := primary ('^' unary)?
 *   primary := NUM | IDENT | IDENT '(' sum ')' | '(' sum ')'
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "calc.h"

#define MAX_TOKENS 64

struct parser {
    const struct token *toks;
    int pos;
    struct node *pool;
    int cap, used, err;
};

static int new_node(struct parser *p, int kind, int left, int right)
{
    if (p->used >= p->cap) {
        if (!p->err)
            p->err = PARSE_POOL_FULL;
        return -1;
    }
    struct node *n = &p->pool[p->used];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->left = left;
    n->right = right;
    return p->used++;
}

static const struct token *peek(struct parser *p) { return &p->toks[p->pos]; }

static int is_op(const struct token *t, const char *ops)
{
    return t->kind == TOK_OP && strchr(ops, t->text[0]) != NULL;
}

static int fail(struct parser *p)
{
    if (!p->err)
        p->err = PARSE_UNEXPECTED;
    return -1;
}

static int parse_sum(struct parser *p);
static int parse_unary(struct parser *p);

static int parse_primary(struct parser *p)
{
    const struct token *t = peek(p);
    int id, arg;
    switch (t->kind) {
    case TOK_NUM:
        p->pos++;
        if ((id = new_node(p, NODE_NUM, -1, -1)) >= 0)
            p->pool[id].value = t->num;
        return id;
    case TOK_IDENT:
        p->pos++;
        if (peek(p)->kind == TOK_LPAREN) { /* function call: name(arg) */
            p->pos++;
            if ((arg = parse_sum(p)) < 0)
                return -1;
            if (peek(p)->kind != TOK_RPAREN)
                return fail(p);
            p->pos++;
            id = new_node(p, NODE_CALL, arg, -1);
        } else {
            id = new_node(p, NODE_VAR, -1, -1);
        }
        if (id >= 0)
            memcpy(p->pool[id].name, t->text, CALC_NAME_MAX);
        return id;
    case TOK_LPAREN:
        p->pos++;
        if ((id = parse_sum(p)) < 0)
            return -1;
        if (peek(p)->kind != TOK_RPAREN)
            return fail(p);
        p->pos++;
        return id;
    default:
        return fail(p);
    }
}

static int parse_power(struct parser *p)
{
    int left = parse_primary(p), right, id;
    if (left < 0 || !is_op(peek(p), "^"))
        return left;
    p->pos++;
    if ((right = parse_unary(p)) < 0) /* right associative */
        return -1;
    if ((id = new_node(p, NODE_BIN, left, right)) >= 0)
        p->pool[id].op = '^';
    return id;
}

static int parse_unary(struct parser *p)
{
    if (is_op(peek(p), "-")) {
        p->pos++;
        int child = parse_unary(p);
        return child < 0 ? -1 : new_node(p, NODE_NEG, child, -1);
    }
    return parse_power(p);
}

/* One left-associative level: operand (op operand)* */
static int parse_level(struct parser *p, const char *ops, int (*operand)(struct parser *))
{
    int left = operand(p);
    while (left >= 0 && is_op(peek(p), ops)) {
        char op = peek(p)->text[0];
        p->pos++;
        int right = operand(p);
        if (right < 0)
            return -1;
        if ((left = new_node(p, NODE_BIN, left, right)) >= 0)
            p->pool[left].op = op;
    }
    return left;
}

static int parse_product(struct parser *p) { return parse_level(p, "*/%", parse_unary); }
static int parse_sum(struct parser *p) { return parse_level(p, "+-", parse_product); }

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
int parse_expr(const char *src, struct node *pool, int cap, int *err)
{
    struct token __bh_priv_toks[MAX_TOKENS]; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_toks) *__bh_ss_toks = (__typeof__(__bh_priv_toks) *)__bh_ss_copy(&__bh_priv_toks, sizeof __bh_priv_toks, _Alignof(__typeof__(__bh_priv_toks)));
    int errpos;
    /* same-compartment call (parser -> parser) with the address of locals */
    if (lex_all(src, (*__bh_ss_toks), MAX_TOKENS, &errpos) < 0) {
        *err = PARSE_BAD_CHAR;
        return -1;
    }
    struct parser __bh_priv_p = { (*__bh_ss_toks), 0, pool, cap, 0, PARSE_OK }; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_p) *__bh_ss_p = (__typeof__(__bh_priv_p) *)__bh_ss_copy(&__bh_priv_p, sizeof __bh_priv_p, _Alignof(__typeof__(__bh_priv_p)));
    int root = parse_sum(&(*__bh_ss_p));
    if (root >= 0 && peek(&(*__bh_ss_p))->kind != TOK_END)
        (*__bh_ss_p).err = PARSE_TRAILING;
    *err = (*__bh_ss_p).err;
    return (*__bh_ss_p).err ? -1 : root;
}

const char *parse_error_string(int err)
{
    static const char *const names[] = { "ok", "bad character", "unexpected token",
                                         "expression too large", "trailing input" };
    return err >= 0 && err <= PARSE_TRAILING ? names[err] : "unknown parse error";
}

/* Appends formatted text at *len; -1 when it does not fit (static variadic helper). */
static int append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= cap - *len)
        return -1;
    *len += (size_t)k;
    return 0;
}

static int describe_at(const struct node *pool, int count, int i, char *buf, size_t cap, size_t *len)
{
    if (i < 0 || i >= count)
        return -1;
    const struct node *n = &pool[i];
    switch (n->kind) {
    case NODE_NUM: return append(buf, cap, len, "%g", n->value);
    case NODE_VAR: return append(buf, cap, len, "%s", n->name);
    case NODE_NEG: if (append(buf, cap, len, "(neg ") < 0) return -1; break;
    case NODE_CALL: if (append(buf, cap, len, "(%s ", n->name) < 0) return -1; break;
    default: if (append(buf, cap, len, "(%c ", n->op) < 0) return -1; break;
    }
    if (describe_at(pool, count, n->left, buf, cap, len) < 0)
        return -1;
    if (n->kind == NODE_BIN && (append(buf, cap, len, " ") < 0 ||
                                describe_at(pool, count, n->right, buf, cap, len) < 0))
        return -1;
    return append(buf, cap, len, ")");
}

/* Writes the tree in prefix form into buf (always NUL-terminated when cap > 0).
 * Returns its length, or -1 when it does not fit (buf then holds "..."). */
int parse_describe(const struct node *pool, int count, int root, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return -1;
    buf[0] = '\0';
    if (describe_at(pool, count, root, buf, cap, &len) < 0) {
        snprintf(buf, cap, "...");
        return -1;
    }
    return (int)len;
}

/* ---- generated by bulkhead (process backend): gate stubs and trampolines; edits here are discarded ---- */
#if __INCLUDE_LEVEL__ == 0
#include "bulkhead_runtime.h"

/* gate: int parse_describe(const struct node *pool, int count, int root, char *buf, size_t cap)
 * defined at parser/parse.c:194:5; gate 6 into compartment 'parser' */
struct bh_frame_6 {
	bh_frame h;
	int ret;
	const struct node *a0_pool;
	int a1_count;
	int a2_root;
	char *a3_buf;
	size_t a4_cap;
};

static __attribute__((section("bh_gate_text"))) __SIZE_TYPE__ bh_size_6_0(int count)
{
	return (__SIZE_TYPE__)(count);
}

static __attribute__((section("bh_gate_text"))) __SIZE_TYPE__ bh_size_6_3(size_t cap)
{
	return (__SIZE_TYPE__)(cap);
}

void bh_entry_6_parse_describe(bh_frame *bh_h);
void bh_entry_6_parse_describe(bh_frame *bh_h)
{
	struct bh_frame_6 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_6 *bh_f = (struct bh_frame_6 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_pool) bh_a0_pool = bh_l.a0_pool;
	__typeof__(bh_l.a1_count) bh_a1_count = bh_l.a1_count;
	__typeof__(bh_l.a2_root) bh_a2_root = bh_l.a2_root;
	__typeof__(bh_l.a3_buf) bh_a3_buf = bh_l.a3_buf;
	__typeof__(bh_l.a4_cap) bh_a4_cap = bh_l.a4_cap;
	if (bh_check_lent(bh_a0_pool, sizeof(*bh_a0_pool), bh_size_6_0(bh_a1_count), "pool"))
		return;
	if (bh_check_lent(bh_a3_buf, 1, bh_size_6_3(bh_a4_cap), "buf"))
		return;
	__typeof__(bh_f->ret) bh_r = parse_describe(bh_a0_pool, bh_a1_count, bh_a2_root, bh_a3_buf, bh_a4_cap);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

__attribute__((section("bh_gate_text"))) int bh_gate_parse_describe(const struct node *bh_a0_pool, int bh_a1_count, int bh_a2_root, char *bh_a3_buf, size_t bh_a4_cap)
{
	if (bh_self() == 1) {
		return parse_describe(bh_a0_pool, bh_a1_count, bh_a2_root, bh_a3_buf, bh_a4_cap);
	}
	struct bh_frame_6 *bh_f = (struct bh_frame_6 *)bh_frame_alloc(6, sizeof *bh_f, _Alignof(struct bh_frame_6));
	__builtin_memcpy(&bh_f->a0_pool, &bh_a0_pool, sizeof bh_f->a0_pool);
	__builtin_memcpy(&bh_f->a1_count, &bh_a1_count, sizeof bh_f->a1_count);
	__builtin_memcpy(&bh_f->a2_root, &bh_a2_root, sizeof bh_f->a2_root);
	__builtin_memcpy(&bh_f->a3_buf, &bh_a3_buf, sizeof bh_f->a3_buf);
	__builtin_memcpy(&bh_f->a4_cap, &bh_a4_cap, sizeof bh_f->a4_cap);
	__SIZE_TYPE__ bh_n0 = bh_a0_pool ? sizeof(*bh_a0_pool) * bh_size_6_0(bh_a1_count) : 0;
	void *bh_c0 = 0;
	if (bh_a0_pool) {
		bh_c0 = bh_frame_alloc(6, bh_n0, bh_n0 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c0, (const void *)bh_a0_pool, bh_n0);
		bh_f->a0_pool = (__typeof__(bh_f->a0_pool))bh_c0;
	}
	__SIZE_TYPE__ bh_n3 = bh_a3_buf ? bh_size_6_3(bh_a4_cap) : 0;
	void *bh_c3 = 0;
	if (bh_a3_buf) {
		bh_c3 = bh_frame_alloc(6, bh_n3, bh_n3 > 64 ? 64 : 16);
		__builtin_memset(bh_c3, 0, bh_n3);
		bh_f->a3_buf = (__typeof__(bh_f->a3_buf))bh_c3;
	}
	bh_call(6, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return (int )(-1);
	}
	if (bh_a3_buf)
		__builtin_memcpy((void *)bh_a3_buf, bh_c3, bh_n3);
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

/* gate: const char * parse_error_string(int err)
 * defined at parser/parse.c:152:13; gate 7 into compartment 'parser' */
struct bh_frame_7 {
	bh_frame h;
	const char *ret;
	__SIZE_TYPE__ ret_size;
	int a0_err;
};

void bh_entry_7_parse_error_string(bh_frame *bh_h);
void bh_entry_7_parse_error_string(bh_frame *bh_h)
{
	struct bh_frame_7 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_7 *bh_f = (struct bh_frame_7 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_err) bh_a0_err = bh_l.a0_err;
	__typeof__(bh_f->ret) bh_r = parse_error_string(bh_a0_err);
	if (bh_r) {
		__SIZE_TYPE__ bh_n = __builtin_strlen((const char *)bh_r) + 1;
		void *bh_c = bh_reply_alloc(bh_h, bh_n, bh_n > 64 ? 64 : 16);
		__builtin_memcpy(bh_c, (const void *)bh_r, bh_n);
		bh_f->ret = (__typeof__(bh_f->ret))bh_c;
		bh_f->ret_size = bh_n;
	} else {
		bh_f->ret = bh_r;
		bh_f->ret_size = 0;
	}
}

__attribute__((section("bh_gate_text"))) const char *bh_gate_parse_error_string(int bh_a0_err)
{
	if (bh_self() == 1) {
		return parse_error_string(bh_a0_err);
	}
	struct bh_frame_7 *bh_f = (struct bh_frame_7 *)bh_frame_alloc(7, sizeof *bh_f, _Alignof(struct bh_frame_7));
	__builtin_memcpy(&bh_f->a0_err, &bh_a0_err, sizeof bh_f->a0_err);
	bh_call(7, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }
	}
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	if (bh_r) {
		static __thread void *bh_rb;
		static __thread __SIZE_TYPE__ bh_rc;
		extern void *realloc(void *, __SIZE_TYPE__);
		__SIZE_TYPE__ bh_rn = *(volatile __SIZE_TYPE__ *)&bh_f->ret_size;
		if (bh_check_reply(7, &bh_f->h, sizeof *bh_f, (const void *)bh_r, bh_rn))
			bh_rn = 0;
		if (bh_rn > bh_rc) {
			void *bh_nb = realloc(bh_rb, bh_rn);
			if (!bh_nb)
				bh_rn = 0;
			else {
				bh_rb = bh_nb;
				bh_rc = bh_rn;
			}
		}
		__builtin_memcpy(bh_rb, (const void *)bh_r, bh_rn);
		bh_r = (__typeof__(bh_r))bh_rb;
	}
	bh_stack_free(bh_f);
	return bh_r;
}

/* gate: int parse_expr(const char *src, struct node *pool, int cap, int *err)
 * defined at parser/parse.c:135:5; gate 8 into compartment 'parser' */
struct bh_frame_8 {
	bh_frame h;
	int ret;
	const char *a0_src;
	struct node *a1_pool;
	int a2_cap;
	int *a3_err;
};

static __attribute__((section("bh_gate_text"))) __SIZE_TYPE__ bh_size_8_1(int cap)
{
	return (__SIZE_TYPE__)(cap);
}

void bh_entry_8_parse_expr(bh_frame *bh_h);
void bh_entry_8_parse_expr(bh_frame *bh_h)
{
	struct bh_frame_8 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_8 *bh_f = (struct bh_frame_8 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_src) bh_a0_src = bh_l.a0_src;
	__typeof__(bh_l.a1_pool) bh_a1_pool = bh_l.a1_pool;
	__typeof__(bh_l.a2_cap) bh_a2_cap = bh_l.a2_cap;
	__typeof__(bh_l.a3_err) bh_a3_err = bh_l.a3_err;
	if (bh_copy_lent_string(&bh_a0_src, 0, "src"))
		return;
	if (bh_check_lent(bh_a1_pool, sizeof(*bh_a1_pool), bh_size_8_1(bh_a2_cap), "pool"))
		return;
	if (bh_check_lent(bh_a3_err, 1, (__SIZE_TYPE__)(sizeof(int)), "err"))
		return;
	__typeof__(bh_f->ret) bh_r = parse_expr(bh_a0_src, bh_a1_pool, bh_a2_cap, bh_a3_err);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

__attribute__((section("bh_gate_text"))) int bh_gate_parse_expr(const char *bh_a0_src, struct node *bh_a1_pool, int bh_a2_cap, int *bh_a3_err)
{
	if (bh_self() == 1) {
		return parse_expr(bh_a0_src, bh_a1_pool, bh_a2_cap, bh_a3_err);
	}
	struct bh_frame_8 *bh_f = (struct bh_frame_8 *)bh_frame_alloc(8, sizeof *bh_f, _Alignof(struct bh_frame_8));
	__builtin_memcpy(&bh_f->a0_src, &bh_a0_src, sizeof bh_f->a0_src);
	__builtin_memcpy(&bh_f->a1_pool, &bh_a1_pool, sizeof bh_f->a1_pool);
	__builtin_memcpy(&bh_f->a2_cap, &bh_a2_cap, sizeof bh_f->a2_cap);
	__builtin_memcpy(&bh_f->a3_err, &bh_a3_err, sizeof bh_f->a3_err);
	__SIZE_TYPE__ bh_n0 = bh_a0_src ? __builtin_strlen((const char *)bh_a0_src) + 1 : 0;
	void *bh_c0 = 0;
	if (bh_a0_src) {
		bh_c0 = bh_frame_alloc(8, bh_n0, bh_n0 > 64 ? 64 : 16);
		__builtin_memcpy(bh_c0, (const void *)bh_a0_src, bh_n0);
		bh_f->a0_src = (__typeof__(bh_f->a0_src))bh_c0;
	}
	__SIZE_TYPE__ bh_n1 = bh_a1_pool ? sizeof(*bh_a1_pool) * bh_size_8_1(bh_a2_cap) : 0;
	void *bh_c1 = 0;
	if (bh_a1_pool) {
		bh_c1 = bh_frame_alloc(8, bh_n1, bh_n1 > 64 ? 64 : 16);
		__builtin_memset(bh_c1, 0, bh_n1);
		bh_f->a1_pool = (__typeof__(bh_f->a1_pool))bh_c1;
	}
	__SIZE_TYPE__ bh_n3 = bh_a3_err ? (__SIZE_TYPE__)(sizeof(int)) : 0;
	void *bh_c3 = 0;
	if (bh_a3_err) {
		bh_c3 = bh_frame_alloc(8, bh_n3, bh_n3 > 64 ? 64 : 16);
		__builtin_memset(bh_c3, 0, bh_n3);
		bh_f->a3_err = (__typeof__(bh_f->a3_err))bh_c3;
	}
	bh_call(8, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		return (int )(-1);
	}
	if (bh_a1_pool)
		__builtin_memcpy((void *)bh_a1_pool, bh_c1, bh_n1);
	if (bh_a3_err)
		__builtin_memcpy((void *)bh_a3_err, bh_c3, bh_n3);
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

#endif /* __INCLUDE_LEVEL__ == 0 */
