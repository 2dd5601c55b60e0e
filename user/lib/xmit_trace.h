/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SFC_XMIT_TRACE_USER_H
#define SFC_XMIT_TRACE_USER_H

struct sfc_dp;

/*
 * Attach the programs that count drops after an accepted XDP redirect
 * (bpf/xmit_trace.h) to their tracepoints, and pin the links in the pin
 * directory (link_sfc_trace_*), so they keep counting while no sfcd runs
 * and go with the pins. Links a previous sfcd pinned are replaced. Records
 * our network namespace for their filter. 0 or a negative errno; the
 * datapath works without them, only those drops go uncounted.
 */
int sfc_trace_attach(struct sfc_dp *dp);

#endif
