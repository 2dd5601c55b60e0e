// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Cooperative yield points: see yield.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "yield.h"

int sfc_yield_countdown = SFC_YIELD_EVERY;

static sfc_yield_fn hook, inner;
static void *hook_arg;
static unsigned long long interval_ns, last_ns;
static bool in_hook, in_inner;
static unsigned long runs;

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static unsigned long long (*now_ns)(void) = mono_ns;

void sfc_yield_set(sfc_yield_fn fn, void *arg, unsigned int interval_us)
{
	hook = fn;
	hook_arg = arg;
	interval_ns = (unsigned long long)interval_us * 1000;
	last_ns = now_ns();
	sfc_yield_countdown = SFC_YIELD_EVERY;
}

void sfc_yield_set_inner(sfc_yield_fn fn)
{
	inner = fn;
}

void sfc_yield_set_clock(unsigned long long (*fn)(void))
{
	now_ns = fn ? fn : mono_ns;
	last_ns = now_ns();
}

unsigned long sfc_yield_count(void)
{
	return runs;
}

void sfc_yield_check(void)
{
	unsigned long long t;

	sfc_yield_countdown = SFC_YIELD_EVERY;
	if (!hook || in_inner || (in_hook && !inner))
		return;
	t = now_ns();
	if (t - last_ns < interval_ns)
		return;
	if (in_hook) {
		in_inner = true;
		inner(hook_arg);
		in_inner = false;
	} else {
		in_hook = true;
		hook(hook_arg);
		in_hook = false;
	}
	runs++;
	last_ns = now_ns();
}

struct yield_job {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	atomic_bool done;
};

static void *yield_job_run(void *p)
{
	struct yield_job *j = p;

	j->ret = j->fn(j->arg);
	atomic_store(&j->done, true);
	return NULL;
}

int sfc_yield_while(int (*fn)(void *arg), void *arg)
{
	struct timespec pause = { .tv_nsec = SFC_YIELD_WAIT_US * 1000L };
	struct yield_job j = { .fn = fn, .arg = arg };
	pthread_t th;

	if (pthread_create(&th, NULL, yield_job_run, &j))
		return fn(arg);
	while (!atomic_load(&j.done)) {
		nanosleep(&pause, NULL);
		sfc_yield_check();
	}
	pthread_join(th, NULL);
	return j.ret;
}

void sfc_free_yielding(void *p, size_t len)
{
	uintptr_t pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(pg - 1);

	while (p && a < end) {
		size_t n = end - a < (1u << 20) ? end - a : 1u << 20;

		/* free() may write its own data there after: a fresh page */
		madvise((void *)a, n, MADV_DONTNEED);
		a += n;
		sfc_yield_check();
	}
	free(p);
}
