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

int parse_expr(const char *src, struct node *pool, int cap, int *err)
{
    struct token toks[MAX_TOKENS];
    int errpos;
    /* same-compartment call (parser -> parser) with the address of locals */
    if (lex_all(src, toks, MAX_TOKENS, &errpos) < 0) {
        *err = PARSE_BAD_CHAR;
        return -1;
    }
    struct parser p = { toks, 0, pool, cap, 0, PARSE_OK };
    int root = parse_sum(&p);
    if (root >= 0 && peek(&p)->kind != TOK_END)
        p.err = PARSE_TRAILING;
    *err = p.err;
    return p.err ? -1 : root;
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

/* ---- generated by bulkhead (fcall backend): gate stubs and trampolines; edits here are discarded ---- */
#if __INCLUDE_LEVEL__ == 0

/* gate: int parse_describe(const struct node *pool, int count, int root, char *buf, size_t cap)
 * defined at parser/parse.c:194:5; entered from 2 place(s) in other compartments */
int bh_gate_parse_describe(const struct node *bh_a0_pool, int bh_a1_count, int bh_a2_root, char *bh_a3_buf, size_t bh_a4_cap)
{
	return parse_describe(bh_a0_pool, bh_a1_count, bh_a2_root, bh_a3_buf, bh_a4_cap);
}

/* gate: const char * parse_error_string(int err)
 * defined at parser/parse.c:152:13; entered from 1 place(s) in other compartments */
const char *bh_gate_parse_error_string(int bh_a0_err)
{
	return parse_error_string(bh_a0_err);
}

/* gate: int parse_expr(const char *src, struct node *pool, int cap, int *err)
 * defined at parser/parse.c:135:5; entered from 5 place(s) in other compartments */
int bh_gate_parse_expr(const char *bh_a0_src, struct node *bh_a1_pool, int bh_a2_cap, int *bh_a3_err)
{
	return parse_expr(bh_a0_src, bh_a1_pool, bh_a2_cap, bh_a3_err);
}

#endif /* __INCLUDE_LEVEL__ == 0 */
