// CallTests.swift: gate calls across processes: results, errno, stdout order, nesting, threads, shared heap.

import Foundation
import XCTest

final class CallTests: XCTestCase {
    func testSimpleCallsResultsAndErrno() throws {
        try simpleCalls(wrapMain: true)
    }

    func testSimpleCallsWithoutWrappedMain() throws {
        try simpleCalls(wrapMain: false)
    }

    private func simpleCalls(wrapMain: Bool) throws {
        let exe = try Harness.build(wrapMain ? "basic" : "basic_nowrap", #"""
        #include "bht.h"
        #include <math.h>
        static PAGE(char calc_data[4096]) = "calc data";
        struct point { int x; double y; char tag[8]; };
        struct fr_add { bh_frame h; int a, b; int ret; };
        struct fr_scale { bh_frame h; double v; double ret; };
        struct fr_point { bh_frame h; struct point in; struct point ret; };
        struct fr_err { bh_frame h; int seen; };
        struct fr_who { bh_frame h; int self, pid; };
        enum { G_ADD, G_SCALE, G_POINT, G_ERR, G_WHO, G_LOCAL };
        IN(1) void e_add(bh_frame *h) { struct fr_add *f = (void *)h; f->ret = f->a + f->b; }
        IN(1) void e_scale(bh_frame *h) { struct fr_scale *f = (void *)h; f->ret = f->v * 2.5; }
        IN(1) void e_point(bh_frame *h) {
            struct fr_point *f = (void *)h;
            f->ret = f->in; f->ret.x += 1; f->ret.y *= 2; strcpy(f->ret.tag, calc_data[0] == 'c' ? "moved" : "bad");
        }
        IN(1) void e_err(bh_frame *h) { struct fr_err *f = (void *)h; f->seen = errno; errno = ERANGE; }
        IN(1) void e_who(bh_frame *h) { struct fr_who *f = (void *)h; f->self = bh_self(); f->pid = getpid(); }
        void e_local(bh_frame *h) { struct fr_who *f = (void *)h; f->self = bh_self(); f->pid = getpid(); }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[6];
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "calc", .text = TEXT_REGION(1), .data = OBJ_REGION(calc_data)};
            gates[G_ADD] = (bh_gate_desc){"add", 1, e_add};
            gates[G_SCALE] = (bh_gate_desc){"scale", 1, e_scale};
            gates[G_POINT] = (bh_gate_desc){"point", 1, e_point};
            gates[G_ERR] = (bh_gate_desc){"err", 1, e_err};
            gates[G_WHO] = (bh_gate_desc){"who", 1, e_who};
            gates[G_LOCAL] = (bh_gate_desc){"local", 0, e_local};
            START("basic", comps, gates);
        }
        int main(void) {
            struct fr_add *a = GATE_FRAME(struct fr_add, G_ADD);
            a->a = 2; a->b = 40;
            bh_call(G_ADD, &a->h);
            printf("add %d status %d\n", a->ret, a->h.status);
            bh_stack_free(a);
            struct fr_scale *s = GATE_FRAME(struct fr_scale, G_SCALE);
            s->v = 1.5;
            bh_call(G_SCALE, &s->h);
            printf("scale %.3f\n", s->ret);
            bh_stack_free(s);
            struct fr_point *p = GATE_FRAME(struct fr_point, G_POINT);
            p->in = (struct point){7, 0.25, "here"};
            bh_call(G_POINT, &p->h);
            printf("point %d %.2f %s\n", p->ret.x, p->ret.y, p->ret.tag);
            bh_stack_free(p);
            struct fr_err *e = GATE_FRAME(struct fr_err, G_ERR);
            errno = EDOM;
            bh_call(G_ERR, &e->h);
            int after = errno;
            printf("errno in %s out %s\n", e->seen == EDOM ? "EDOM" : "wrong", after == ERANGE ? "ERANGE" : "wrong");
            bh_stack_free(e);
            struct fr_who *w = GATE_FRAME(struct fr_who, G_WHO);
            bh_call(G_WHO, &w->h);
            printf("self %d callee %d other process %d\n", bh_self(), w->self, w->pid != getpid());
            bh_call(G_LOCAL, &w->h);
            printf("local %d same process %d status %d\n", w->self, w->pid == getpid(), w->h.status);
            bh_stack_free(w);
            char *before = bh_frame_alloc(G_ADD, 1, 1);
            bh_stack_free(before);
            printf("stack balanced %d\n", before == (char *)a);
            return 0;
        }
        """#, wrapMain: wrapMain)
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, """
            add 42 status 1
            scale 3.750
            point 8 0.50 moved
            errno in EDOM out ERANGE
            self 0 callee 1 other process 1
            local 0 same process 1 status 1
            stack balanced 1

            """)
        XCTAssertEqual(r.stderr, "")
    }

    func testStdoutInterleavesAsInOneProcess() throws {
        let exe = try Harness.build("order", #"""
        #include "bht.h"
        struct fr { bh_frame h; int n; };
        enum { G_B, G_MAIN };
        static void call(int g, int n) { struct fr *f = GATE_FRAME(struct fr, g); f->n = n; bh_call(g, &f->h); bh_stack_free(f); }
        IN(1) void e_b(bh_frame *h) {
            struct fr *f = (void *)h;
            printf("b%d before\n", f->n);
            if (f->n > 0) call(G_MAIN, f->n - 1);
            printf("b%d after", f->n);
            printf("\n");
        }
        void e_main(bh_frame *h) {
            struct fr *f = (void *)h;
            printf("m%d before\n", f->n);
            if (f->n > 0) call(G_B, f->n - 1);
            printf("m%d after\n", f->n);
        }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[2];
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(1)};
            gates[G_B] = (bh_gate_desc){"b", 1, e_b};
            gates[G_MAIN] = (bh_gate_desc){"m", 0, e_main};
            START("order", comps, gates);
        }
        int main(void) {
            printf("start ");
            printf("(no newline yet) ");
            call(G_B, 3);
            printf("end\n");
            return 0;
        }
        """#)
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, """
            start (no newline yet) b3 before
            m2 before
            b1 before
            m0 before
            m0 after
            b1 after
            m2 after
            b3 after
            end

            """)
    }

    func testNestedCallsThreeCompartmentsDepth300() throws {
        let exe = try Harness.build("nested", #"""
        #include "bht.h"
        struct fr { bh_frame h; int n; long sum; int depth; };
        enum { G_0, G_1, G_2 };
        static long go(int g, int n) {
            struct fr *f = GATE_FRAME(struct fr, g);
            f->n = n;
            bh_call(g, &f->h);
            long r = f->h.status == BH_RETURN ? f->sum : -1000000;
            bh_stack_free(f);
            return r;
        }
        /* each level adds n * (its compartment + 1) and checks that it runs where it should */
        static void level(bh_frame *h, int here) {
            struct fr *f = (void *)h;
            if (bh_self() != here) { f->sum = -1; return; }
            long below = f->n > 0 ? go((here + 1) % 3, f->n - 1) : 0;
            f->sum = below + (long)f->n * (here + 1);
        }
        void e0(bh_frame *h) { level(h, 0); }
        IN(1) void e1(bh_frame *h) { level(h, 1); }
        IN(2) void e2(bh_frame *h) { level(h, 2); }
        static bh_compartment_desc comps[3];
        static bh_gate_desc gates[3];
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "one", .text = TEXT_REGION(1)};
            comps[2] = (bh_compartment_desc){.name = "two", .text = TEXT_REGION(2)};
            gates[G_0] = (bh_gate_desc){"zero", 0, e0};
            gates[G_1] = (bh_gate_desc){"one", 1, e1};
            gates[G_2] = (bh_gate_desc){"two", 2, e2};
            START("nested", comps, gates);
        }
        int main(void) {
            long expect = 0;
            for (int n = 300, here = 1; n >= 0; n--, here = (here + 1) % 3) expect += (long)n * (here + 1);
            long got = go(G_1, 300);
            printf("sum %ld expected %ld\n", got, expect);
            return got == expect ? 0 : 1;
        }
        """#)
        let r = try Harness.run(exe)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("sum "), r.stdout)
    }

    func testEightThreadsTenThousandCallsEach() throws {
        let exe = try Harness.build("threads", #"""
        #include "bht.h"
        struct fr_mix { bh_frame h; uint32_t x; uint32_t ret; };
        struct fr_count { bh_frame h; long served; long echoes; };
        enum { G_MIX, G_COUNT, G_SPAWN, G_ECHO };
        static long served;      /* compartment b's own memory */
        static long echoes;      /* main's */
        static uint32_t mix(uint32_t x) { return x * 2654435761u + 12345u; }
        IN(1) void e_mix(bh_frame *h) {
            struct fr_mix *f = (void *)h;
            __atomic_fetch_add(&served, 1, __ATOMIC_RELAXED);
            f->ret = mix(f->x);
        }
        IN(1) void e_count(bh_frame *h) { struct fr_count *f = (void *)h; f->served = served; }
        void e_echo(bh_frame *h) { struct fr_mix *f = (void *)h; f->ret = f->x + 1; __atomic_fetch_add(&echoes, 1, __ATOMIC_RELAXED); }
        /* a thread of compartment b calls into main: main serves it on a peer thread */
        IN(1) static void *b_thread(void *arg) {
            long bad = 0;
            for (uint32_t i = 0; i < 1000; i++) {
                struct fr_mix *f = GATE_FRAME(struct fr_mix, G_ECHO);
                f->x = i;
                bh_call(G_ECHO, &f->h);
                if (f->h.status != BH_RETURN || f->ret != i + 1) bad++;
                bh_stack_free(f);
            }
            return (void *)bad;
        }
        IN(1) void e_spawn(bh_frame *h) {
            struct fr_count *f = (void *)h;
            pthread_t t;
            void *bad;
            pthread_create(&t, NULL, b_thread, NULL);
            pthread_join(t, &bad);
            f->echoes = 1000 - (long)bad;
        }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[4];
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(1)};
            gates[G_MIX] = (bh_gate_desc){"mix", 1, e_mix};
            gates[G_COUNT] = (bh_gate_desc){"count", 1, e_count};
            gates[G_SPAWN] = (bh_gate_desc){"spawn", 1, e_spawn};
            gates[G_ECHO] = (bh_gate_desc){"echo", 0, e_echo};
            START("threads", comps, gates);
        }
        #define THREADS 8
        #define CALLS 10000
        static void *worker(void *arg) {
            uint32_t id = (uint32_t)(uintptr_t)arg;
            uint64_t got = 0, want = 0;
            for (uint32_t i = 0; i < CALLS; i++) {
                struct fr_mix *f = GATE_FRAME(struct fr_mix, G_MIX);
                f->x = id * 1000003u + i;
                bh_call(G_MIX, &f->h);
                got += f->h.status == BH_RETURN ? f->ret : 0;
                want += mix(id * 1000003u + i);
                bh_stack_free(f);
            }
            return (void *)(uintptr_t)(got == want);
        }
        int main(void) {
            pthread_t t[THREADS];
            for (uintptr_t i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
            int good = 0;
            for (int i = 0; i < THREADS; i++) { void *ok; pthread_join(t[i], &ok); good += ok != NULL; }
            struct fr_count *c = GATE_FRAME(struct fr_count, G_COUNT);
            bh_call(G_COUNT, &c->h);
            long served_calls = c->served;
            bh_call(G_SPAWN, &c->h);
            printf("threads with matching checksums %d of %d; calls served %ld of %d\n", good, THREADS, served_calls,
                   THREADS * CALLS);
            printf("calls from b's own thread answered %ld of 1000, main served %ld\n", c->echoes, echoes);
            return 0;
        }
        """#)
        let start = Date()
        let r = try Harness.run(exe, timeout: 120)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, """
            threads with matching checksums 8 of 8; calls served 80000 of 80000
            calls from b's own thread answered 1000 of 1000, main served 1000

            """)
        print("8 threads x 10000 calls + 1000 calls from a compartment thread: \(String(format: "%.2f", elapsed)) s")
    }

    func testSharedHeapAcrossProcesses() throws {
        let exe = try Harness.build("heap", #"""
        #include "bht.h"
        struct fr { bh_frame h; char *p; size_t n; char *ret; int ok; };
        enum { G_TOUCH, G_CHECK_FREE };
        IN(1) void e_touch(bh_frame *h) {
            struct fr *f = (void *)h;
            f->ok = strcmp(f->p, "from main") == 0;
            strcat(f->p, " and b");
            long *q = bh_shared_calloc(16, sizeof(long));
            for (int i = 0; i < 16; i++) q[i] += i * 3;
            f->ret = (char *)q;
        }
        /* checks a block's pattern, frees it here (another process), allocates and frees some of its own */
        IN(1) void e_check_free(bh_frame *h) {
            struct fr *f = (void *)h;
            f->ok = 1;
            for (size_t i = 0; i < f->n; i++) if ((unsigned char)f->p[i] != (unsigned char)(f->n + i)) f->ok = 0;
            bh_shared_free(f->p);
            void *mine = bh_shared_malloc(f->n * 2 + 1);
            memset(mine, 0xab, f->n * 2 + 1);
            bh_shared_free(mine);
        }
        static bh_compartment_desc comps[2];
        static bh_gate_desc gates[2];
        __attribute__((constructor)) static void start(void) {
            comps[0] = (bh_compartment_desc){.name = "main"};
            comps[1] = (bh_compartment_desc){.name = "b", .text = TEXT_REGION(1)};
            gates[G_TOUCH] = (bh_gate_desc){"touch", 1, e_touch};
            gates[G_CHECK_FREE] = (bh_gate_desc){"check_free", 1, e_check_free};
            START("heap", comps, gates);
        }
        static void *worker(void *arg) {
            unsigned seed = (unsigned)(uintptr_t)arg;
            long bad = 0;
            for (int i = 0; i < 2000; i++) {
                size_t n = (size_t)(rand_r(&seed) % 3000) + 1;
                unsigned char *p = bh_shared_malloc(n);
                if (!p || ((uintptr_t)p & 15)) { bad++; continue; }
                for (size_t j = 0; j < n; j++) p[j] = (unsigned char)(n + j);
                struct fr *f = GATE_FRAME(struct fr, G_CHECK_FREE);
                f->p = (char *)p; f->n = n;
                bh_call(G_CHECK_FREE, &f->h);
                bad += !f->ok;
                bh_stack_free(f);
            }
            return (void *)bad;
        }
        int main(void) {
            char *p = bh_shared_malloc(64);
            strcpy(p, "from main");
            struct fr *f = GATE_FRAME(struct fr, G_TOUCH);
            f->p = p;
            bh_call(G_TOUCH, &f->h);
            long *q = (long *)f->ret;
            long s = 0;
            for (int i = 0; i < 16; i++) s += q[i];
            printf("b saw %d; now \"%s\"; b's block sums %ld\n", f->ok, p, s);
            bh_stack_free(f);
            p = bh_shared_realloc(p, 100000);
            printf("after realloc \"%s\"\n", p);
            bh_shared_free(p);
            bh_shared_free(q);
            pthread_t t[4];
            for (uintptr_t i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
            long bad = 0;
            for (int i = 0; i < 4; i++) { void *b; pthread_join(t[i], &b); bad += (long)b; }
            printf("bad blocks %ld\n", bad);
            void *huge = bh_shared_malloc((size_t)1 << 40);
            printf("huge %s errno %s\n", huge ? "non-null" : "null", errno == ENOMEM ? "ENOMEM" : "other");
            return 0;
        }
        """#)
        let r = try Harness.run(exe, timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, """
            b saw 1; now "from main and b"; b's block sums 360
            after realloc "from main and b"
            bad blocks 0
            huge null errno ENOMEM

            """)
    }
}
