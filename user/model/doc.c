// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The typed document: copy, free, and the lookups by name, dev and pref. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc_index.h"
#include "model.h"
#include "yield.h"

void sfc_doc_free(struct sfc_doc *doc)
{
	sfc_doc_index_free(doc);
	free(doc->ingress);
	free(doc->groups);
	free(doc->sfs);
	free(doc->chains);
	free(doc->rules);
	memset(doc, 0, sizeof(*doc));
}

void sfc_doc_free_yielding(struct sfc_doc *doc)
{
	sfc_doc_index_free(doc);
	free(doc->ingress);
	free(doc->groups);
	sfc_free_yielding(doc->sfs, doc->nsfs * sizeof(*doc->sfs));
	sfc_free_yielding(doc->chains, doc->nchains * sizeof(*doc->chains));
	sfc_free_yielding(doc->rules, doc->nrules * sizeof(*doc->rules));
	memset(doc, 0, sizeof(*doc));
}

void sfc_doc_index_free(struct sfc_doc *doc)
{
	if (!doc->ix)
		return;
	sfc_map_free(&doc->ix->ingress);
	sfc_map_free(&doc->ix->groups);
	sfc_map_free(&doc->ix->sfs);
	sfc_map_free(&doc->ix->chains);
	sfc_map_free(&doc->ix->rules);
	free(doc->ix);
	doc->ix = NULL;
}

/* Arrays get one spare element, so a later add rarely moves them. 10k
 * chains are 160 MiB: copied 1 MiB at a time, a yield point between (the
 * copy is nobody else's yet, and the source is only read). */
static void *dup_array(const void *src, int n, size_t size)
{
	char *p = calloc(n + 1, size);
	size_t len = n * size;

	for (size_t off = 0, k; p && off < len; off += k) {
		k = len - off < (1u << 20) ? len - off : 1u << 20;
		sfc_yield_check();
		memcpy(p + off, (const char *)src + off, k);
	}
	return p;
}

int sfc_doc_copy(struct sfc_doc *dst, const struct sfc_doc *src)
{
	struct sfc_doc d = {
		.ningress = src->ningress, .ngroups = src->ngroups, .nsfs = src->nsfs,
		.nchains = src->nchains, .nrules = src->nrules, .validated = src->validated,
	};

	d.ingress = dup_array(src->ingress, src->ningress, sizeof(*d.ingress));
	d.groups = dup_array(src->groups, src->ngroups, sizeof(*d.groups));
	d.sfs = dup_array(src->sfs, src->nsfs, sizeof(*d.sfs));
	d.chains = dup_array(src->chains, src->nchains, sizeof(*d.chains));
	d.rules = dup_array(src->rules, src->nrules, sizeof(*d.rules));
	if (!d.ingress || !d.groups || !d.sfs || !d.chains || !d.rules || sfc_doc_reindex(&d)) {
		sfc_doc_free(&d);
		return -ENOMEM;
	}
	*dst = d;
	return 0;
}

int sfc_doc_reindex(struct sfc_doc *doc)
{
	struct sfc_doc_index *ix = doc->ix;

	/* A document indexed before (parsed, then validated, which indexes
	 * again) keeps its maps' slots: 6 MiB for 100k rules, whose freeing
	 * and faulting in again took milliseconds without a yield point. */
	if (!ix) {
		ix = calloc(1, sizeof(*ix));
		if (!ix)
			return -ENOMEM;
		doc->ix = ix;
	}
	if (sfc_map_reinit(&ix->ingress, doc->ningress) ||
	    sfc_map_reinit(&ix->groups, doc->ngroups) || sfc_map_reinit(&ix->sfs, doc->nsfs) ||
	    sfc_map_reinit(&ix->chains, doc->nchains) || sfc_map_reinit(&ix->rules, doc->nrules)) {
		sfc_doc_index_free(doc);
		return -ENOMEM;
	}
	/* the first of duplicates wins; the validator reports them */
	for (int i = 0; i < doc->ningress; i++)
		sfc_map_put_str(&ix->ingress, doc->ingress[i].dev, i);
	for (int i = 0; i < doc->ngroups; i++)
		sfc_map_put_str(&ix->groups, doc->groups[i].name, i);
	for (int i = 0; i < doc->nsfs; i++) {
		sfc_yield();
		sfc_map_put_str(&ix->sfs, doc->sfs[i].name, i);
	}
	/* chains are 16 KiB apart: a name is a cache and TLB miss each */
	for (int i = 0; i < doc->nchains; i++) {
		sfc_yield();
		sfc_map_put_str(&ix->chains, doc->chains[i].name, i);
	}
	for (int i = 0; i < doc->nrules; i++) {
		sfc_yield();
		sfc_map_put_u32(&ix->rules, doc->rules[i].pref, i);
	}
	return 0;
}

const struct sfc_sf_cfg *sfc_doc_sf(const struct sfc_doc *doc, const char *name)
{
	int i = doc->ix ? sfc_map_get_str(&doc->ix->sfs, name) : -1;

	return i >= 0 ? &doc->sfs[i] : NULL;
}

const struct sfc_group_cfg *sfc_doc_group(const struct sfc_doc *doc, const char *name)
{
	int i = doc->ix ? sfc_map_get_str(&doc->ix->groups, name) : -1;

	return i >= 0 ? &doc->groups[i] : NULL;
}

const struct sfc_chain_cfg *sfc_doc_chain(const struct sfc_doc *doc, const char *name)
{
	int i = doc->ix ? sfc_map_get_str(&doc->ix->chains, name) : -1;

	return i >= 0 ? &doc->chains[i] : NULL;
}

const struct sfc_rule_cfg *sfc_doc_rule(const struct sfc_doc *doc, __u32 pref)
{
	int i = doc->ix ? sfc_map_get_u32(&doc->ix->rules, pref) : -1;

	return i >= 0 ? &doc->rules[i] : NULL;
}

const struct sfc_ingress_cfg *sfc_doc_ingress(const struct sfc_doc *doc, const char *dev)
{
	int i = doc->ix ? sfc_map_get_str(&doc->ix->ingress, dev) : -1;

	return i >= 0 ? &doc->ingress[i] : NULL;
}

bool sfc_doc_names_dev(const struct sfc_doc *doc, const char *dev)
{
	if (sfc_doc_ingress(doc, dev))
		return true;
	for (int i = 0; i < doc->nsfs; i++)
		if (!strcmp(doc->sfs[i].dev, dev) || !strcmp(doc->sfs[i].out_dev, dev))
			return true;
	for (int i = 0; i < doc->nrules; i++)
		if (!strcmp(doc->rules[i].in_dev, dev))
			return true;
	return false;
}
