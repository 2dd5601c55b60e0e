/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Classifier compiler: rules (prefixes, port ranges, priorities) into
 * tuple-space entries, and their installation into the idle bank with a
 * single switch (see bpf/classify.h).
 */
#ifndef SFC_RULES_H
#define SFC_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "datapath.h"
#include "model.h"

struct sfc_rule_entry {
	struct sfc_rule_key key;  /* .tuple: index into tuples[], bank-relative */
	struct sfc_rule val;
};

struct sfc_rule_set {
	struct sfc_rule_entry *e;
	size_t n, cap;
	struct sfc_tuple tuples[SFC_MAX_TUPLES];
	int ntuples;
	int skipped;              /* rules naming an interface that does not exist */
};

/*
 * chain_ids[i] is the datapath id of doc->chains[i]. Rules whose in-dev
 * does not exist are left out (counted in skipped); they match nothing.
 */
int sfc_rules_compile(const struct sfc_doc *doc, const __u32 *chain_ids,
		      struct sfc_rule_set *rs, char *err, size_t errlen);
void sfc_rules_free(struct sfc_rule_set *rs);

/* Fill the idle bank, switch to it, bump the generation, empty the old
 * bank. Packets see the old rules or the new ones, never a mix. Does
 * nothing (*installed = false) when the same rules are installed. */
int sfc_rules_install(const struct sfc_maps *m, const struct sfc_rule_set *rs,
		      bool *installed);
/* Bump the generation alone: cached flows are classified again. */
int sfc_generation_bump(const struct sfc_maps *m);

/* Expand [lo, hi] into prefixes: values[i]/plens[i]; returns the count
 * (at most 32 for 16-bit ports). */
int sfc_port_range_prefixes(__u16 lo, __u16 hi, __u16 *values, __u8 *plens);

#endif
