/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reconcile the datapath with a desired-state document: attach to the
 * interfaces it names, write SFs, chains (make-before-break) and rules,
 * then remove what the document no longer has.
 */
#ifndef SFC_APPLY_H
#define SFC_APPLY_H

#include <stddef.h>

#include "datapath.h"
#include "model.h"

struct sfc_apply_report {
	int sfs_down;          /* SFs whose interfaces are missing or down */
	int chains_switched;   /* chains that got a new path */
	int ifaces_attached;
	int ifaces_missing;
	int rules_skipped;     /* rules naming a missing in-dev */
	int rules_installed;   /* the rule set changed and was switched */
	size_t rule_entries;
	char attach_error_dev[16]; /* the first interface sfc could not attach to */
	char attach_error[160];    /* and why */
	int tuples;
	/* Set keep_ids before the call to get, on success, the datapath ids
	 * of doc->sfs[i] and doc->chains[i] (the caller frees them). */
	bool keep_ids;
	__u32 *sf_ids, *chain_ids;
};

/*
 * Everything is validated before the first map write; on a validation
 * error nothing changes and err says what and where. Negative errno.
 */
int sfc_apply(struct sfc_dp *dp, const struct sfc_doc *doc,
	      struct sfc_apply_report *rep, char *err, size_t errlen);

/* Detach from every interface the datapath knows and forget them. */
int sfc_detach_all(struct sfc_dp *dp);

#endif
