/* calc: interface shared by every library of the calculator demo. */
#ifndef CALC_H
#define CALC_H

#include <stddef.h>

#define CALC_NAME_MAX 16

/* AST nodes live in a caller-provided pool and refer to each other by index, so a
 * pool can be copied between compartments (no pointers inside). Nodes are allocated
 * children first, so the root of a parse is always the last node: count = root + 1. */
enum node_kind { NODE_NUM, NODE_VAR, NODE_NEG, NODE_BIN, NODE_CALL };
struct node {
    int kind;
    char op;                  /* NODE_BIN: one of + - * / % ^ */
    double value;             /* NODE_NUM */
    char name[CALC_NAME_MAX]; /* NODE_VAR, NODE_CALL */
    int left, right;          /* child indexes, -1 when absent */
};

enum tok_kind { TOK_NUM, TOK_IDENT, TOK_OP, TOK_LPAREN, TOK_RPAREN, TOK_END };
struct token {
    int kind;
    double num;
    char text[CALC_NAME_MAX];
    int pos;
};

enum { PARSE_OK, PARSE_BAD_CHAR, PARSE_UNEXPECTED, PARSE_POOL_FULL, PARSE_TRAILING };
enum { EVAL_OK, EVAL_DIV_ZERO, EVAL_UNKNOWN_VAR, EVAL_UNKNOWN_FUNC, EVAL_BAD_NODE, EVAL_TOO_DEEP };

/* parser library (compartment "parser") */
int lex_all(const char *src, struct token *toks, int cap, int *errpos);
int parse_expr(const char *src, struct node *pool, int cap, int *err); /* root index or -1 */
const char *parse_error_string(int err);
int parse_describe(const struct node *pool, int count, int root, char *buf, size_t cap);

/* eval library (compartment "eval") */
double eval_tree(const struct node *pool, int count, int root, int *err);
const char *eval_error_string(int err);
long eval_count(int n);

/* app library (default compartment): called back by eval */
int app_lookup_var(const char *name, double *out);
long app_count(int n);

/* util library (default compartment, same as app) */
size_t util_trim(const char *src, char *dst, size_t cap);
void util_format_number(double v, char *buf, size_t cap);
void util_rule(int width);

#endif
