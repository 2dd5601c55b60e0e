/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Cooperative yield points. A long loop (parsing, validating, diffing or
 * compiling 100k rules, writing a large state file) calls sfc_yield() once
 * per item; about every interval it runs the hook the program set, which
 * sfcd uses to handle link events and other clients while one request
 * takes seconds. The hook never runs inside itself (its own yield points
 * run the inner hook, if one is set), and a loop that calls sfc_yield()
 * must not depend on anything the hooks may change (sfcd's hook writes
 * only datapath state that the running request does not read or that it
 * reads again afterwards: see sfcd_monitor_yield; during sfc_apply's
 * writes it goes through the apply's own view, user/lib/apply_live.c;
 * and it answers other clients' requests that only read: server.c; its
 * inner hook is the link events alone).
 *
 * Programs without a hook pay one decrement per call.
 */
#ifndef SFC_YIELD_H
#define SFC_YIELD_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*sfc_yield_fn)(void *arg);

#define SFC_YIELD_INTERVAL_US 2000
#define SFC_YIELD_EVERY       64     /* calls between two looks at the clock */

/* Set (fn NULL: clear) the hook, run at most every interval_us. */
void sfc_yield_set(sfc_yield_fn fn, void *arg, unsigned int interval_us);
/* While the hook runs, the yield points it reaches run this one (NULL:
 * none), with the same argument and interval; it never runs inside
 * itself, and nothing runs inside it. sfcd's hook answers other clients'
 * reads, which may take a while; link events go on meanwhile. */
void sfc_yield_set_inner(sfc_yield_fn fn);
/* A monotonic clock in ns for the interval; tests set their own (NULL: back). */
void sfc_yield_set_clock(unsigned long long (*now_ns)(void));
/* How many times the hook ran (for tests and health). */
unsigned long sfc_yield_count(void);

/* Run fn(arg) on a thread of its own and wait for it, the hook running
 * meanwhile at a yield point every SFC_YIELD_WAIT_US: for a system call
 * that takes milliseconds and cannot be split (an fsync of megabytes).
 * Runs fn inline when no thread can be started. Returns what fn returns. */
#define SFC_YIELD_WAIT_US 250
int sfc_yield_while(int (*fn)(void *arg), void *arg);

/* free(p) of an allocation of at least len bytes whose contents are dead,
 * its whole pages given back 1 MiB at a time with a yield point between
 * (unmapping 160 MiB took milliseconds in one call). */
void sfc_free_yielding(void *p, size_t len);

extern int sfc_yield_countdown;
void sfc_yield_check(void);

static inline void sfc_yield(void)
{
	if (--sfc_yield_countdown <= 0)
		sfc_yield_check();
}

#endif
