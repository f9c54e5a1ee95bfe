/* FEATURE: static inline functions defined in a header included by several libraries
 * (parser, util, app). Each TU gets its own copy; calling them never crosses a boundary. */
#ifndef CHARCLASS_H
#define CHARCLASS_H

static inline int cc_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int cc_is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static inline int cc_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

#endif
