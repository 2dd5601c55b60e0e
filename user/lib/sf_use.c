// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How a document's chains use each SF, for what the datapath does with a
 * packet back from it that no flow entry knows (SFC_SF_SOLE,
 * SFC_SF_MISS_DROP in struct sfc_sf): one pass over the hops. A tap SF
 * (an instance of a tap hop) is never SOLE and always MISS_DROP: nothing
 * it sends is chained or reaches the stack. An SF without a MAC of its own
 * that serves several chains, or several positions of one, gets
 * SFC_SF_POS_MAC, and its return interface SFC_IF_POS_MAC (and
 * SFC_IF_POS_MAC_ONLY for several positions: nothing else tells them).
 * A two-arm SF in a symmetric chain is "back": the chain's replies enter
 * it from its out-dev and come back on its dev (SFC_SF_ID_BACK).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "model.h"
#include "yield.h"

int sfc_sf_uses(const struct sfc_doc *doc, const __u32 *chain_ids, struct sfc_sf_use *out)
{
	int *head = malloc((doc->ngroups + 1) * sizeof(int));
	int *next = malloc((doc->nsfs + 1) * sizeof(int));
	int *seen = malloc((doc->nsfs + 1) * sizeof(int));
	int *nchains = calloc(doc->nsfs + 1, sizeof(int));
	bool *tap = calloc(doc->nsfs + 1, sizeof(bool));
	bool *multi = calloc(doc->nsfs + 1, sizeof(bool));
	int *seen_hop = calloc(doc->nsfs + 1, sizeof(int));

	if (!head || !next || !seen || !nchains || !tap || !multi || !seen_hop) {
		free(head), free(next), free(seen), free(nchains), free(tap);
		free(multi), free(seen_hop);
		return -ENOMEM;
	}
	for (int g = 0; g < doc->ngroups; g++)
		head[g] = -1;
	for (int i = doc->nsfs - 1; i >= 0; i--) {
		const struct sfc_group_cfg *g = doc->sfs[i].group[0] ?
			sfc_doc_group(doc, doc->sfs[i].group) : NULL;

		next[i] = -1;
		seen[i] = -1;
		out[i] = (struct sfc_sf_use){ 0 };
		if (g) {
			next[i] = head[g - doc->groups];
			head[g - doc->groups] = i;
		}
	}
	for (int ci = 0; ci < doc->nchains; ci++) {
		const struct sfc_chain_cfg *c = &doc->chains[ci];

		sfc_yield();
		for (int h = 0; h < c->nhops; h++)
			for (int k = 0; k < c->hops[h].nsf; k++) {
				const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, c->hops[h].sf[k]);
				const struct sfc_group_cfg *g = sf ? NULL :
					sfc_doc_group(doc, c->hops[h].sf[k]);
				int s = sf ? (int)(sf - doc->sfs) : g ? head[g - doc->groups] : -1;

				for (; s >= 0; s = sf ? -1 : next[s]) {
					const struct sfc_sf_cfg *x = &doc->sfs[s];

					tap[s] |= c->hops[h].tap;
					/* a symmetric chain's replies enter a two-arm
					 * SF from its other side */
					if (c->symmetric && !c->hops[h].tap && x->out_dev[0] &&
					    strcmp(x->out_dev, x->dev))
						out[s].back = true;
					if (seen[s] == ci) {
						/* named and in a group of one hop: one position */
						multi[s] |= seen_hop[s] != h;
						continue;
					}
					seen[s] = ci;
					seen_hop[s] = h;
					if (!nchains[s]++)
						out[s].chain_id = chain_ids ? chain_ids[ci] : 0;
					if (c->on_failure == SFC_FAIL_DROP)
						out[s].flags |= SFC_SF_MISS_DROP;
				}
			}
	}
	for (int i = 0; i < doc->nsfs; i++) {
		/* one chain, so one position on it (validation refuses two);
		 * chain ids fit the 16 bits of struct sfc_sf.chain_id */
		if (nchains[i] == 1 && out[i].chain_id && out[i].chain_id < SFC_MAX_CHAINS &&
		    !tap[i])
			out[i].flags |= SFC_SF_SOLE;
		else
			out[i].chain_id = 0;
		/* a tap never sends back: what comes from it is dropped */
		if (tap[i])
			out[i].flags |= SFC_SF_MISS_DROP;
		/* several positions or chains, and the fabric's addressing
		 * kept (no MAC of its own): the position travels in the
		 * source MAC (validation refuses an SF with a MAC at two
		 * positions of a chain) */
		else if (!doc->sfs[i].has_mac && (nchains[i] > 1 || multi[i])) {
			out[i].flags |= SFC_SF_POS_MAC;
			out[i].if_flags = SFC_IF_POS_MAC | (multi[i] ? SFC_IF_POS_MAC_ONLY : 0);
		}
	}
	free(head), free(next), free(seen), free(nchains), free(tap);
	free(multi), free(seen_hop);
	return 0;
}
