/*
 * report.c: the runtime's one-line reports on stderr. Built in a fixed buffer and written with one
 * write(2), so the same code serves signal handlers and ordinary paths.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void bh_rb_str(bh_rb *b, const char *s) {
    if (!s) s = "?";
    while (*s && b->len < sizeof b->buf - 2) b->buf[b->len++] = *s++;
}

void bh_rb_dec(bh_rb *b, long v) {
    char t[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do { t[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) t[n++] = '-';
    while (n && b->len < sizeof b->buf - 2) b->buf[b->len++] = t[--n];
}

void bh_rb_hex(bh_rb *b, uintptr_t v) {
    char t[20];
    int n = 0;
    do { t[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    bh_rb_str(b, "0x");
    while (n && b->len < sizeof b->buf - 2) b->buf[b->len++] = t[--n];
}

void bh_rb_comp(bh_rb *b, int32_t comp) {
    const bh_program_desc *p = bh_rt.program;
    bh_rb_str(b, "'");
    if (p && comp >= 0 && comp < p->ncompartments) bh_rb_str(b, p->compartments[comp].name);
    else bh_rb_dec(b, comp);
    bh_rb_str(b, "'");
}

void bh_rb_gate(bh_rb *b, int32_t gate) {
    const bh_program_desc *p = bh_rt.program;
    bh_rb_str(b, "'");
    if (p && gate >= 0 && gate < p->ngates) bh_rb_str(b, p->gates[gate].name);
    else bh_rb_dec(b, gate);
    bh_rb_str(b, "'");
}

void bh_rb_emit(bh_rb *b) {
    b->buf[b->len++] = '\n';
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(2, b->buf + off, b->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    b->len = 0;
}

void bh_report_fatal(const char *what) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: ");
    bh_rb_str(&b, what);
    bh_rb_emit(&b);
}

void bh_report_fatal_num(const char *what, long n) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: ");
    bh_rb_str(&b, what);
    bh_rb_str(&b, " ");
    bh_rb_dec(&b, n);
    bh_rb_emit(&b);
}

void bh_report_refused(int32_t self, int32_t gate) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, self);
    bh_rb_str(&b, " refused a request for gate ");
    bh_rb_dec(&b, gate);
    bh_rb_emit(&b);
}

void bh_report_heap_corrupted(long block_size) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: the shared heap's free list for ");
    bh_rb_dec(&b, block_size);
    bh_rb_str(&b, "-byte blocks was corrupted (it pointed outside the heap); compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    bh_rb_str(&b, " dropped it");
    bh_rb_emit(&b);
}

void bh_report_stack_overflow(int32_t channel, size_t size) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    bh_rb_str(&b, ": shared stack overflow (channel ");
    bh_rb_dec(&b, channel);
    bh_rb_str(&b, ", ");
    bh_rb_dec(&b, (long)size);
    bh_rb_str(&b, " bytes asked, ");
    bh_rb_dec(&b, BH_CHANNEL_STACK_SIZE);
    bh_rb_str(&b, " per thread)");
    bh_rb_emit(&b);
}

void bh_report_region(int32_t comp, const char *region) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: the ");
    bh_rb_str(&b, region);
    bh_rb_str(&b, " region of compartment ");
    bh_rb_comp(&b, comp);
    bh_rb_str(&b, " is not page-aligned");
    bh_rb_emit(&b);
}

void bh_report_death(int32_t comp, int wstatus, int restarting) {
    bh_rb b = {.len = 0};
    int sig = bh_wstatus_signal(wstatus);
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, comp);
    if (sig) {
        bh_rb_str(&b, " was killed by signal ");
        bh_rb_dec(&b, sig);
        bh_rb_str(&b, " (");
        bh_rb_str(&b, sigabbrev_np(sig));
        bh_rb_str(&b, ")");
    } else {
        bh_rb_str(&b, " ended with status ");
        bh_rb_dec(&b, bh_wstatus_code(wstatus));
    }
    if (restarting) bh_rb_str(&b, "; restarting");
    bh_rb_emit(&b);
}

void bh_report_start_failed(const char *what, int err) {
    bh_rb b = {.len = 0};
    bh_rb_str(&b, "bulkhead: cannot start the runtime: ");
    bh_rb_str(&b, what);
    if (err) {
        bh_rb_str(&b, ": ");
        bh_rb_str(&b, strerrorname_np(err));
    }
    bh_rb_emit(&b);
}

/* glibc's list of this process's open streams (exported, with its lock) */
extern FILE *_IO_list_all;
extern void _IO_list_lock(void);
extern void _IO_list_unlock(void);

void bh_check_stream(const void *stream, const char *param) {
    if (!stream || stream == stdin || stream == stdout || stream == stderr) return;
    int mine = 0;
    _IO_list_lock();
    for (FILE *f = _IO_list_all; f && !mine; f = f->_chain) mine = f == stream;
    _IO_list_unlock();
    if (mine) return;
    bh_rb b = {.len = 0};
    const bh_frame *serving = bh_tls_get_serving();
    bh_rb_str(&b, "bulkhead: compartment ");
    bh_rb_comp(&b, bh_rt.self_index);
    bh_rb_str(&b, " was passed a stdio stream (FILE *) that it did not open, as parameter '");
    bh_rb_str(&b, param ? param : "?");
    bh_rb_str(&b, "' of gate ");
    bh_rb_gate(&b, serving ? serving->gate : -1);
    if (serving) {
        bh_rb_str(&b, " from compartment ");
        bh_rb_comp(&b, serving->caller);
    }
    bh_rb_str(&b, ": a stream belongs to the compartment that opened it; pass its file descriptor (fileno) instead");
    bh_rb_emit(&b);
    abort();
}
