// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_plan.h"
#include "ids.h"
#include "path_pool.h"
#include "record.h"
#include "yield.h"

int sfc_ids_alloc(const sfc_id_name *names, const __u8 *reserved, __u32 max,
		  int (*index_of)(const void *ctx, const char *name), const void *ctx,
		  int n, __u32 *ids, bool *is_new)
{
	char *used = calloc(max ? max : 1, 1);
	char name[SFC_NAME_LEN + 1];
	__u32 next = 1;
	int ret = 0;

	if (!used)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		ids[i] = 0;
	name[SFC_NAME_LEN] = '\0';
	for (__u32 id = 1; id < max; id++) {
		int i;

		sfc_yield();
		if (reserved && reserved[id])
			used[id] = 1;
		memcpy(name, names[id], SFC_NAME_LEN);
		if (!name[0])
			continue;
		used[id] = 1;
		i = index_of(ctx, name);
		if (i >= 0 && i < n)
			ids[i] = id;
	}
	for (int i = 0; i < n; i++) {
		sfc_yield();
		is_new[i] = !ids[i];
		if (ids[i])
			continue;
		while (next < max && used[next])
			next++;
		if (next >= max) {
			ret = -ENOSPC;
			break;
		}
		ids[i] = next;
		used[next] = 1;
	}
	free(used);
	return ret;
}

static int sf_index(const void *ctx, const char *name)
{
	const struct sfc_doc *doc = ctx;
	const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, name);

	return sf ? sf - doc->sfs : -1;
}

static int chain_index(const void *ctx, const char *name)
{
	const struct sfc_doc *doc = ctx;
	const struct sfc_chain_cfg *c = sfc_doc_chain(doc, name);

	return c ? c - doc->chains : -1;
}

int plan_assign_ids(struct sfc_dp *dp, const struct sfc_doc *doc, struct plan *p,
		    char *err, size_t errlen)
{
	sfc_id_name *names;
	__u8 *held;
	int ret;

	names = sfc_record_sf_names(dp);
	if (!names)
		return -ENOMEM;
	ret = sfc_ids_alloc(names, NULL, SFC_MAX_SFS, sf_index, doc, doc->nsfs, p->sf_ids, p->sf_new);
	free(names);
	if (ret) {
		if (ret == -ENOSPC)
			snprintf(err, errlen, "$.sfs: no free SF id (at most %d SFs)",
				 SFC_MAX_SFS - 1);
		return ret;
	}
	names = sfc_record_chain_names(dp);
	held = calloc(SFC_MAX_CHAINS, 1);
	if (!names || !held) {
		free(names);
		free(held);
		return -ENOMEM;
	}
	/* The id of a removed chain whose versions still carry flows is not
	 * given to a new chain yet. */
	sfc_path_held_chains(dp, held);
	ret = sfc_ids_alloc(names, held, SFC_MAX_CHAINS, chain_index, doc, doc->nchains,
			    p->chain_ids, p->chain_new);
	free(held);
	free(names);
	if (ret == -ENOSPC)
		snprintf(err, errlen, "$.chains: no free chain id (at most %d chains)",
			 SFC_MAX_CHAINS - 1);
	return ret;
}
