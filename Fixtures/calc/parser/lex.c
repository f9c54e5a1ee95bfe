/* parser library: tokenizer. */
#include <stdlib.h>
#include <string.h>
#include "calc.h"
#include "charclass.h"

/* FEATURE: static function with the same name as a different one in util/format.c. */
static int skip_space(const char *s, int i)
{
    while (s[i] != '\0' && cc_is_space((unsigned char)s[i]))
        i++;
    return i;
}

/* Splits src into tokens (the last one is TOK_END). Returns the number of tokens,
 * -1 on a bad character (*errpos = its offset), -2 when toks is too small. */
int lex_all(const char *src, struct token *toks, int cap, int *errpos)
{
    int n = 0, i = 0;
    *errpos = -1;
    for (;;) {
        i = skip_space(src, i);
        if (n >= cap) {
            *errpos = i;
            return -2;
        }
        struct token *t = &toks[n];
        memset(t, 0, sizeof *t);
        t->pos = i;
        char c = src[i];
        if (c == '\0') {
            t->kind = TOK_END;
            return n + 1;
        }
        if (cc_is_digit(c) || (c == '.' && cc_is_digit(src[i + 1]))) {
            char *end;
            t->kind = TOK_NUM;
            t->num = strtod(src + i, &end);
            i = (int)(end - src);
        } else if (cc_is_alpha(c)) {
            int len = 0;
            t->kind = TOK_IDENT;
            while (cc_is_alpha(src[i]) || cc_is_digit(src[i])) {
                if (len + 1 >= CALC_NAME_MAX) {
                    *errpos = i;
                    return -1;
                }
                t->text[len++] = src[i++];
            }
        } else if (strchr("+-*/%^", c) != NULL) {
            t->kind = TOK_OP;
            t->text[0] = c;
            i++;
        } else if (c == '(' || c == ')') {
            t->kind = c == '(' ? TOK_LPAREN : TOK_RPAREN;
            t->text[0] = c;
            i++;
        } else {
            *errpos = i;
            return -1;
        }
        n++;
    }
}
