/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How full the flow cache is, for sfcd --metrics: sfc_flows counted a
 * bounded number of entries at a time (a million entries take about a
 * minute at 16,384 a second, so nothing stalls), and the LRU's evictions
 * estimated from it. The kernel evicts without telling anyone; what the
 * datapath made and deleted (sfc_flow_counts) and what sfcd removed leave
 * the evictions as the difference:
 *
 *	evicted = inserted - deleted by the datapath - removed by sfcd - entries
 *
 * taken from the first complete count on (what happened before sfcd
 * started is not known) and never going down (an entry count is a walk,
 * not a snapshot: a few flows may be counted on either side of it).
 */
#ifndef SFC_FLOW_CENSUS_H
#define SFC_FLOW_CENSUS_H

#include <stdbool.h>
#include <linux/types.h>

#include "datapath.h"

struct sfc_flow_census {
	bool walking;
	bool resume;                  /* batch holds where the walk goes on */
	__u32 batch;                  /* the walk's cursor (BPF batch token) */
	unsigned long long partial;   /* entries seen in this walk */
	bool counted;                 /* a walk has completed */
	unsigned long long entries;   /* at the last complete walk */
	unsigned long long walk_ms;   /* when it completed (CLOCK_MONOTONIC ms) */
	bool have_base;
	long long base;               /* the difference at the first count */
	unsigned long long evictions; /* since then */
};

/* Walk up to max entries, starting a walk when none is under way and the
 * last completed at least every_ms ago. 1 when a walk completed, 0 when
 * one is under way or not due, -errno. */
int sfc_flow_census_step(const struct sfc_dp *dp, struct sfc_flow_census *c, __u64 now_ms,
			 unsigned int max, unsigned int every_ms);

/* The estimate, after a completed walk: inserted and deleted are the
 * datapath's (sfc_flow_counts, summed), removed what sfcd took out. */
void sfc_flow_census_evictions(struct sfc_flow_census *c, __u64 inserted, __u64 deleted,
			       __u64 removed);

/* sfc_flow_counts summed over CPUs; -errno (both 0) on pins without it */
int sfc_flow_counts_read(const struct sfc_dp *dp, __u64 *inserted, __u64 *deleted);

#endif
