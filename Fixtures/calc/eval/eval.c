/* eval library (compartment "eval"): evaluates an AST pool built by the parser. */
#include <math.h>
#include <string.h>
#include "calc.h"

#ifndef CALC_EVAL_MAX_DEPTH /* set by this library's cflags in bulkhead.yaml */
#define CALC_EVAL_MAX_DEPTH 100
#endif

/* Static state of the compartment; it persists across re-entrant calls
 * (eval -> app -> eval ...), so the depth counts the whole nesting. */
static int depth;

static void set_err(int *err, int code)
{
    if (*err == EVAL_OK)
        *err = code;
}

static double eval_at(const struct node *pool, int count, int i, int *err)
{
    if (i < 0 || i >= count) {
        set_err(err, EVAL_BAD_NODE);
        return 0;
    }
    if (depth >= CALC_EVAL_MAX_DEPTH) {
        set_err(err, EVAL_TOO_DEEP);
        return 0;
    }
    const struct node *n = &pool[i];
    double a, b, r = 0;
    depth++;
    switch (n->kind) {
    case NODE_NUM:
        r = n->value;
        break;
    case NODE_VAR: {
        double v = 0;
        /* FEATURE: cross-compartment call eval -> app (default compartment), with the
         * address of a local; app_lookup_var may call eval_tree again (recursion). */
        if (!app_lookup_var(n->name, &v))
            set_err(err, EVAL_UNKNOWN_VAR);
        r = v;
        break;
    }
    case NODE_NEG:
        r = -eval_at(pool, count, n->left, err);
        break;
    case NODE_CALL:
        a = eval_at(pool, count, n->left, err);
        if (strcmp(n->name, "sqrt") == 0)
            r = sqrt(a);
        else if (strcmp(n->name, "abs") == 0)
            r = fabs(a);
        else if (strcmp(n->name, "sq") == 0)
            r = a * a;
        else
            set_err(err, EVAL_UNKNOWN_FUNC);
        break;
    case NODE_BIN:
        a = eval_at(pool, count, n->left, err);
        b = eval_at(pool, count, n->right, err);
        switch (n->op) {
        case '+': r = a + b; break;
        case '-': r = a - b; break;
        case '*': r = a * b; break;
        case '^': r = pow(a, b); break;
        case '/':
        case '%':
            if (b == 0)
                set_err(err, EVAL_DIV_ZERO);
            else
                r = n->op == '/' ? a / b : fmod(a, b);
            break;
        default: set_err(err, EVAL_BAD_NODE); break;
        }
        break;
    default:
        set_err(err, EVAL_BAD_NODE);
        break;
    }
    depth--;
    return r;
}

double eval_tree(const struct node *pool, int count, int root, int *err)
{
    *err = EVAL_OK;
    double r = eval_at(pool, count, root, err); /* same-compartment call */
    return *err == EVAL_OK ? r : 0;
}

const char *eval_error_string(int err)
{
    static const char *const names[] = { "ok", "division by zero", "unknown variable",
                                         "unknown function", "bad node", "too deep" };
    return err >= 0 && err <= EVAL_TOO_DEEP ? names[err] : "unknown eval error";
}

/* FEATURE: mutual recursion across compartments: eval_count(n) -> app_count(n-1) -> eval_count(n-2) ... */
long eval_count(int n)
{
    if (n <= 0)
        return 0;
    return n + app_count(n - 1);
}
