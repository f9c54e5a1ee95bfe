#ifndef MIXED_API_H
#define MIXED_API_H
#include <stddef.h>
#include <stdint.h>

/* tools (fcall) */
int fmt_hex(char *out, size_t n, unsigned v);
long fmt_pid(void);
/* seal (the default compartment; mpk once it exists) */
unsigned seal_word(unsigned v);
long seal_pid(void);
/* work (process) */
long worker_sum(int n);
int worker_label(char *out, size_t n, int id);
const char *worker_pick(const char **words, int count, int (*longer)(const char *, const char *));
int worker_check(void);
long worker_pid(void);
int worker_peek(uintptr_t address, int n);
/* safe (process) */
unsigned vault_token(void);
long vault_pid(void);
uintptr_t vault_secret_address(void);
int vault_secret_length(void);

#endif
