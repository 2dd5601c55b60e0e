// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Warnings about a change that is valid but probably not what was meant:
 * the one place they are phrased, for every request that commits (edits,
 * apply, apply --dry-run, diff). They go in the reply's "warnings".
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* At most this many rules are named; the rest are counted. */
#define WARN_MAX_RULES 10

static void add(json_t **out, const char *msg)
{
	if (!*out)
		*out = json_array();
	if (*out)
		json_array_append_new(*out, json_string(msg));
}

static void warn_cni_removed(json_t **out, const char *what, const struct sfc_cni_key *k)
{
	char msg[1024], net[sizeof(k->network) * 4], cid[sizeof(k->container) * 4],
		ifn[sizeof(k->ifname) * 4];

	/* what the runtime gave is quoted with control bytes escaped */
	snprintf(msg, sizeof(msg), "%s of CNI attachment (network \"%s\", container \"%s\", "
		 "interface \"%s\") removed", what, sfc_quote_name(k->network, net, sizeof(net)),
		 sfc_quote_name(k->container, cid, sizeof(cid)),
		 sfc_quote_name(k->ifname, ifn, sizeof(ifn)));
	add(out, msg);
}

static void cni_removed(json_t **out, const struct sfc_doc *old, const struct sfc_doc *nw)
{
	char what[SFC_NAME_LEN * 4 + 32], q[IFNAMSIZ * 4 + 8];

	for (int i = 0; i < old->ningress; i++) {
		const struct sfc_ingress_cfg *in = &old->ingress[i], *n;

		if (!in->cni.set)
			continue;
		n = sfc_doc_ingress(nw, in->dev);
		if (!n || !n->cni.set) {
			snprintf(what, sizeof(what), "ingress point \"%s\"",
				 sfc_quote_name(in->dev, q, sizeof(q)));
			warn_cni_removed(out, what, &in->cni);
		}
	}
	for (int i = 0; i < old->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &old->sfs[i], *n;

		if (!sf->cni.set)
			continue;
		n = sfc_doc_sf(nw, sf->name);
		if (!n || !n->cni.set) {
			snprintf(what, sizeof(what), "SF \"%s\"", sf->name);
			warn_cni_removed(out, what, &sf->cni);
		}
	}
}

/* A rule is only looked at on an ingress point: one whose in-dev is not
 * one never matches. */
static void in_dev_not_ingress(json_t **out, const struct sfc_doc *nw)
{
	char msg[256], q[IFNAMSIZ * 4 + 8];
	int n = 0;

	for (int i = 0; i < nw->nrules; i++) {
		const struct sfc_rule_cfg *r = &nw->rules[i];

		if (!r->in_dev[0] || sfc_doc_ingress(nw, r->in_dev))
			continue;
		if (++n > WARN_MAX_RULES)
			continue;
		sfc_quote_name(r->in_dev, q, sizeof(q));
		snprintf(msg, sizeof(msg), "rule pref %u: in-dev \"%s\" is not an ingress point; "
			 "the rule matches nothing until \"%s\" is added to ingress", r->pref, q, q);
		add(out, msg);
	}
	if (n > WARN_MAX_RULES) {
		snprintf(msg, sizeof(msg), "%d more rules have an in-dev that is not an ingress "
			 "point", n - WARN_MAX_RULES);
		add(out, msg);
	}
}

json_t *sfc_doc_warnings(const struct sfc_doc *old, const struct sfc_doc *nw, bool cni)
{
	json_t *out = NULL;

	if (cni)
		cni_removed(&out, old, nw);
	in_dev_not_ingress(&out, nw);
	return out;
}
