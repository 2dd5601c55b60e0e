/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by micro.bpf.c and micro.c. */
#ifndef SFC_BENCH_MICRO_H
#define SFC_BENCH_MICRO_H

#include <linux/types.h>

/* What an IPv4 flow's key would be on its own: 16 bytes instead of 40 */
struct micro_flow4_key {
	__u32 src, dst;
	__u16 sport, dport;
	__u8  proto, family;
	__u16 vlan;
};
_Static_assert(sizeof(struct micro_flow4_key) == 16, "micro_flow4_key layout");

#endif
