// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The index of a document's interfaces, SFs and chains for link events:
 * see link_update.h and link_index.h. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "link_index.h"
#include "yield.h"

struct dev_entry *link_dev(const struct sfc_link_index *ix, const char *name)
{
	int i = sfc_map_get_str(&ix->devs, name);

	return i < 0 ? NULL : &ix->dev[i];
}

static struct dev_entry *dev_add(struct sfc_link_index *ix, const char *name)
{
	int i = sfc_map_put_str(&ix->devs, name, ix->ndevs);

	if (i < 0) {	/* a new one */
		i = ix->ndevs++;
		ix->dev[i] = (struct dev_entry){ .name = name, .ret_of = -1 };
	}
	return &ix->dev[i];
}

/* Stamps ix->sf_stamp. */
int link_chain_sfs(struct sfc_link_index *ix, const struct sfc_doc *doc, int ci, int *out)
{
	const struct sfc_chain_cfg *c = &doc->chains[ci];
	int n = 0;

	ix->now++;
	for (int h = 0; h < c->nhops; h++)
		for (int k = 0; k < c->hops[h].nsf; k++) {
			const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, c->hops[h].sf[k]);
			const struct sfc_group_cfg *g;
			int lo = 0, hi = 0, one;

			if (sf) {
				one = sf - doc->sfs;
				lo = 0, hi = 1;
			} else if ((g = sfc_doc_group(doc, c->hops[h].sf[k]))) {
				lo = ix->group_start[g - doc->groups];
				hi = ix->group_start[g - doc->groups + 1];
			}
			for (int q = lo; q < hi; q++) {
				int s = sf ? one : ix->group_sfs[q];

				if (ix->sf_stamp[s] == ix->now)
					continue;
				ix->sf_stamp[s] = ix->now;
				if (out)
					out[n] = s;
				n++;
			}
		}
	return n;
}

static int index_groups(struct sfc_link_index *ix, const struct sfc_doc *doc)
{
	int *fill;

	ix->group_start = calloc(doc->ngroups + 1, sizeof(int));
	ix->group_sfs = calloc(doc->nsfs + 1, sizeof(int));
	fill = calloc(doc->ngroups + 1, sizeof(int));
	if (!ix->group_start || !ix->group_sfs || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_group_cfg *g = doc->sfs[i].group[0] ?
			sfc_doc_group(doc, doc->sfs[i].group) : NULL;

		if (g)
			ix->group_start[g - doc->groups + 1]++;
	}
	for (int g = 0; g < doc->ngroups; g++)
		ix->group_start[g + 1] += ix->group_start[g];
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_group_cfg *g = doc->sfs[i].group[0] ?
			sfc_doc_group(doc, doc->sfs[i].group) : NULL;

		if (g) {
			int gi = g - doc->groups;

			ix->group_sfs[ix->group_start[gi] + fill[gi]++] = i;
		}
	}
	free(fill);
	return 0;
}

/* sf -> chains, in two passes over the chains (count, then fill). */
static int index_chains(struct sfc_link_index *ix, const struct sfc_doc *doc)
{
	int *sfs = calloc(doc->nsfs + 1, sizeof(int)), *fill = calloc(doc->nsfs + 1, sizeof(int));
	int total = 0;

	ix->chain_start = calloc(doc->nsfs + 1, sizeof(int));
	if (!sfs || !fill || !ix->chain_start)
		goto nomem;
	for (int ci = 0; ci < doc->nchains; ci++) {
		int n = link_chain_sfs(ix, doc, ci, sfs);

		sfc_yield();
		for (int k = 0; k < n; k++)
			ix->chain_start[sfs[k] + 1]++;
		total += n;
	}
	for (int i = 0; i < doc->nsfs; i++)
		ix->chain_start[i + 1] += ix->chain_start[i];
	ix->sf_chains = calloc(total + 1, sizeof(int));
	if (!ix->sf_chains)
		goto nomem;
	for (int ci = 0; ci < doc->nchains; ci++) {
		int n = link_chain_sfs(ix, doc, ci, sfs);

		sfc_yield();
		for (int k = 0; k < n; k++)
			ix->sf_chains[ix->chain_start[sfs[k]] + fill[sfs[k]]++] = ci;
	}
	free(sfs);
	free(fill);
	return 0;
nomem:
	free(sfs);
	free(fill);
	return -ENOMEM;
}

static int index_devs(struct sfc_link_index *ix, const struct sfc_doc *doc)
{
	int cap = doc->ningress + 2 * doc->nsfs + doc->nrules + 1, *fill;

	ix->dev = calloc(cap, sizeof(*ix->dev));
	ix->dev_sfs = calloc(2 * doc->nsfs + 1, sizeof(int));
	if (!ix->dev || !ix->dev_sfs || sfc_map_init(&ix->devs, cap))
		return -ENOMEM;
	for (int i = 0; i < doc->ningress; i++)
		dev_add(ix, doc->ingress[i].dev)->flags |= SFC_IF_INGRESS;
	for (int i = 0; i < doc->nsfs; i++) {
		struct dev_entry *out = dev_add(ix, doc->sfs[i].dev);
		struct dev_entry *ret = dev_add(ix, sf_ret_dev(&doc->sfs[i]));

		out->flags |= SFC_IF_SF_OUT;
		out->sf_n++;
		ret->flags |= SFC_IF_SF_RETURN;
		ret->flags |= ix->sf_use[i].if_flags;
		ret->ret_of = i;
		if (ret != out)
			ret->sf_n++;
		/* replies of symmetric chains come back on its dev */
		if (ix->sf_use[i].back && ret != out) {
			out->flags |= SFC_IF_SF_RETURN | ix->sf_use[i].if_flags;
			out->ret_of = i;
			out->back = true;
			ret->flags |= SFC_IF_SF_OUT; /* and they are sent there */
		}
	}
	for (int i = 0; i < doc->nrules; i++) {
		sfc_yield();
		if (doc->rules[i].in_dev[0])
			dev_add(ix, doc->rules[i].in_dev)->nrules++;
	}
	for (int d = 1; d < ix->ndevs; d++)
		ix->dev[d].sf_start = ix->dev[d - 1].sf_start + ix->dev[d - 1].sf_n;
	fill = calloc(ix->ndevs + 1, sizeof(int));
	if (!fill)
		return -ENOMEM;
	for (int i = 0; i < doc->nsfs; i++) {
		struct dev_entry *out = link_dev(ix, doc->sfs[i].dev);
		struct dev_entry *ret = link_dev(ix, sf_ret_dev(&doc->sfs[i]));

		ix->dev_sfs[out->sf_start + fill[out - ix->dev]++] = i;
		if (ret != out)
			ix->dev_sfs[ret->sf_start + fill[ret - ix->dev]++] = i;
	}
	free(fill);
	/* what sfc_rules_compile() saw, near enough: an event since says otherwise */
	for (int d = 0; d < ix->ndevs; d++)
		if (ix->dev[d].nrules)
			ix->dev[d].rule_ifindex = if_nametoindex(ix->dev[d].name);
	return 0;
}

struct sfc_link_index *sfc_link_index_new(const struct sfc_doc *doc,
					  __u32 *sf_ids, __u32 *chain_ids)
{
	struct sfc_link_index *ix = calloc(1, sizeof(*ix));
	int err = -ENOMEM;

	if (!ix) {
		free(sf_ids);
		free(chain_ids);
		errno = ENOMEM;
		return NULL;
	}
	ix->sf_ids = sf_ids;
	ix->chain_ids = chain_ids;
	ix->sfv = calloc(doc->nsfs + 1, sizeof(*ix->sfv));
	ix->stamp = calloc(doc->nchains + 1, sizeof(int));
	ix->sf_stamp = calloc(doc->nsfs + 1, sizeof(int));
	ix->sfv_stamp = calloc(doc->nsfs + 1, sizeof(int));
	ix->scratch = calloc(doc->nsfs + 1, sizeof(int));
	ix->cs = calloc(doc->nchains + 1, sizeof(*ix->cs));
	ix->scratch_chains = calloc(doc->nchains + 1, sizeof(int));
	ix->cb = malloc(sizeof(*ix->cb));
	ix->rcb = malloc(sizeof(*ix->rcb));
	ix->sf_use = calloc(doc->nsfs + 1, sizeof(*ix->sf_use));
	if (!sf_ids || !chain_ids || !ix->sfv || !ix->stamp || !ix->sf_stamp || !ix->cb || !ix->rcb ||
	    !ix->sfv_stamp || !ix->scratch || !ix->cs || !ix->scratch_chains || !ix->sf_use)
		goto fail;
	err = sfc_sf_uses(doc, chain_ids, ix->sf_use);
	if (!err)
		err = index_devs(ix, doc);
	if (!err)
		err = index_groups(ix, doc);
	if (!err)
		err = index_chains(ix, doc);
	if (!err)
		return ix;
fail:
	sfc_link_index_free(ix);
	errno = -err;
	return NULL;
}

void sfc_link_index_free(struct sfc_link_index *ix)
{
	if (!ix)
		return;
	sfc_map_free(&ix->devs);
	free(ix->dev);
	free(ix->dev_sfs);
	free(ix->chain_start);
	free(ix->sf_chains);
	free(ix->group_start);
	free(ix->group_sfs);
	free(ix->sf_ids);
	free(ix->chain_ids);
	free(ix->sfv);
	free(ix->stamp);
	free(ix->sf_stamp);
	free(ix->sfv_stamp);
	free(ix->scratch);
	free(ix->cs);
	free(ix->scratch_chains);
	free(ix->cb);
	free(ix->rcb);
	free(ix->sf_use);
	free(ix);
}

bool sfc_link_index_names(const struct sfc_link_index *ix, const char *dev)
{
	return link_dev(ix, dev) != NULL;
}
