/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The weighted table of a hop of several instances (struct sfc_lb).
 *
 * Every table has SFC_LB_SLOTS slots (a prime); a flow takes the slot its
 * hash maps to. Each instance holds a quota of slots in proportion to its
 * weight (largest remainders; at least one slot each), so the share of
 * flows an instance gets is its weight's share to within a slot, 1/4093.
 *
 * A table built from the one it replaces (the same hop's table in the
 * chain's current version) moves as few slots as the change needs: an
 * instance keeps the slots it held, up to its new quota, and the slots
 * freed (an instance removed, a quota that shrank) go to the instances
 * short of theirs. Adding a fifth instance to four of equal weight moves
 * its 20 % of the slots and no more; removing one moves only its slots.
 * Which slots an instance gives up or takes is decided by a score of
 * (instance, slot), so a table built from nothing depends only on the
 * instances' names and weights, not on their order.
 */
#ifndef SFC_LB_TABLE_H
#define SFC_LB_TABLE_H

#include <linux/types.h>

#include "sfc_abi.h"

struct lb_inst {
	__u16 id;       /* SF id */
	__u32 weight;   /* >= 1 */
	__u32 key;      /* hash of the SF's name: its scores */
};

/* The hash of an instance's name, its lb_inst.key. */
__u32 lb_inst_key(const char *name);

/*
 * Build out from the n (1..SFC_LB_MAX_INST) instances in[] (distinct
 * ids), keeping what it can of prev (NULL: built from nothing). 0, or
 * -EINVAL for a count or weight out of range.
 */
int lb_table_build(const struct lb_inst *in, int n, const struct sfc_lb *prev,
		   struct sfc_lb *out);

/* A digest of a table's instances and slots (struct sfc_hop's tab_digest). */
__u32 lb_table_digest(const struct sfc_lb *t);

/* The slot a flow of this hash takes in t: the datapath's rule. */
static inline __u32 lb_table_slot(const struct sfc_lb *t, __u32 hash)
{
	return (__u32)(((__u64)hash * t->size) >> 32);
}

#endif
