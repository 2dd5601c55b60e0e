// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfc_apply: validate and plan (ids, interface roles, rules), then attach,
 * write SFs, chains (make-before-break) and rules, then remove what the
 * document no longer has. The steps live in ids.c, attach.c, detach.c,
 * sfs.c, chains.c and rules.c. Link events at the yield points of the
 * writes are applied against the document being written (apply_live.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "apply_plan.h"
#include "rules.h"

struct iface_plan *plan_find_iface(const struct plan *p, const char *name)
{
	for (int i = 0; i < p->nifs; i++)
		if (!strcmp(p->ifs[i].st.name, name))
			return &p->ifs[i];
	return NULL;
}

static struct iface_plan *plan_iface(struct plan *p, const char *name)
{
	struct iface_plan *ip = plan_find_iface(p, name);

	if (ip)
		return ip;
	ip = &p->ifs[p->nifs++];
	snprintf(ip->st.name, IFNAMSIZ, "%s", name);
	return ip;
}

/* Interface roles from the document; a return interface belongs to one SF. */
static int plan_roles(struct plan *p, const struct sfc_doc *doc, char *err, size_t errlen)
{
	for (int i = 0; i < doc->ningress; i++)
		plan_iface(p, doc->ingress[i].dev)->st.roles |= SFC_IF_INGRESS;
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &doc->sfs[i];
		struct iface_plan *ip;

		plan_iface(p, sf->dev)->st.roles |= SFC_IF_SF_OUT;
		ip = plan_iface(p, sf_ret_dev(sf));
		if (ip->ret_of) {
			snprintf(err, errlen, "$.sfs[%d]: interface \"%s\" already returns "
				 "packets from SF \"%s\"; each SF needs its own return interface",
				 i, ip->st.name, ip->ret_of);
			return -EINVAL;
		}
		ip->ret_of = sf->name;
		ip->st.roles |= SFC_IF_SF_RETURN;
		ip->st.sf_id = p->sf_ids[i];
	}
	return 0;
}

/* The dev of a two-arm SF in a symmetric chain returns the chain's
 * replies from the SF's other side (sfc_sf_use.back): it belongs to that
 * SF alone; its out-dev is where they are sent. */
static int plan_back_roles(struct plan *p, const struct sfc_doc *doc, char *err, size_t errlen)
{
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &doc->sfs[i];
		struct iface_plan *ip;

		if (!p->sf_use[i].back)
			continue;
		ip = plan_find_iface(p, sf->dev);
		for (int k = 0; k < doc->nsfs; k++) {
			const struct sfc_sf_cfg *o = &doc->sfs[k];

			if (k != i && (!strcmp(o->dev, sf->dev) || !strcmp(sf_ret_dev(o), sf->dev))) {
				snprintf(err, errlen, "$.sfs[%d]: SF \"%s\" is two-arm in a symmetric "
					 "chain, so replies come back from it on its dev \"%s\", "
					 "which SF \"%s\" uses too; each needs interfaces of its own",
					 i, sf->name, sf->dev, o->name);
				return -EINVAL;
			}
		}
		ip->ret_of = sf->name;
		ip->st.roles |= SFC_IF_SF_RETURN | p->sf_use[i].if_flags;
		ip->st.sf_id = p->sf_ids[i] | SFC_SF_ID_BACK;
		/* and replies go to it out of its out-dev (XDP frames, as
		 * to any SF: attach.c) */
		plan_find_iface(p, sf_ret_dev(sf))->st.roles |= SFC_IF_SF_OUT;
	}
	return 0;
}

static int plan_alloc(struct plan *p, const struct sfc_doc *doc)
{
	p->ifs = calloc(doc->ningress + 2 * doc->nsfs + 1, sizeof(*p->ifs));
	p->sf_ids = calloc(doc->nsfs + 1, sizeof(__u32));
	p->sf_new = calloc(doc->nsfs + 1, sizeof(bool));
	p->chain_ids = calloc(doc->nchains + 1, sizeof(__u32));
	p->chain_new = calloc(doc->nchains + 1, sizeof(bool));
	p->sf_use = calloc(doc->nsfs + 1, sizeof(*p->sf_use));
	return p->ifs && p->sf_ids && p->sf_new && p->chain_ids && p->chain_new && p->sf_use ?
		0 : -ENOMEM;
}

static void plan_free(struct plan *p)
{
	free(p->ifs);
	free(p->sf_ids);
	free(p->chain_ids);
	free(p->chain_new);
	free(p->sf_new);
	free(p->sf_use);
}

const char *sfc_iface_outcome_name(enum sfc_iface_outcome o)
{
	return o == SFC_IFACE_OK ? "ok" : o == SFC_IFACE_MISSING ? "missing" : "failed";
}

const struct sfc_iface_result *sfc_apply_report_iface(const struct sfc_apply_report *rep,
						      const char *dev)
{
	for (int i = 0; dev && i < rep->nifaces; i++)
		if (!strcmp(rep->ifaces[i].dev, dev))
			return &rep->ifaces[i];
	return NULL;
}

void sfc_apply_report_free(struct sfc_apply_report *rep)
{
	free(rep->ifaces);
	rep->ifaces = NULL;
	rep->nifaces = 0;
}

static int attach_all(struct sfc_dp *dp, struct plan *p, struct sfc_apply_report *rep,
		      char *err, size_t errlen)
{
	rep->ifaces = calloc(p->nifs + 1, sizeof(*rep->ifaces));
	if (!rep->ifaces)
		return -ENOMEM;
	sfc_tc_ingress_refresh(dp);
	for (int i = 0; i < p->nifs; i++) {
		struct sfc_iface_result *r = &rep->ifaces[rep->nifaces++];
		struct sfc_iface_state *st = &p->ifs[i].st;
		int ret = sfc_attach_iface(dp, st);

		snprintf(r->dev, sizeof(r->dev), "%s", st->name);
		r->outcome = st->outcome;
		snprintf(r->error, sizeof(r->error), "%s", st->error);
		if (ret) {
			snprintf(err, errlen, "%s", st->error);
			return ret;
		}
		rep->ifaces_attached += st->outcome == SFC_IFACE_OK;
		rep->ifaces_missing += st->outcome == SFC_IFACE_MISSING;
		rep->ifaces_failed += st->outcome == SFC_IFACE_FAILED;
	}
	return 0;
}

static int write_sfs(struct sfc_dp *dp, const struct sfc_doc *doc, const struct plan *p,
		     struct sfc_sf_view *sfv, struct sfc_apply_report *rep, char *err, size_t errlen)
{
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &doc->sfs[i];
		const struct iface_plan *out = plan_find_iface(p, sf->dev);
		const struct iface_plan *ret_if = plan_find_iface(p, sf_ret_dev(sf));
		int ret;

		ret = sfc_sf_write(dp, sf, p->sf_ids[i], p->sf_new[i], &out->st, &ret_if->st,
				   &p->sf_use[i], &sfv[i].v);
		if (ret) {
			snprintf(err, errlen, "SF %s: writing sfc_sfs: %s", sf->name, strerror(-ret));
			return ret;
		}
		if (ret_if->st.outcome == SFC_IFACE_OK)
			sfv[i].ret_ifindex = ret_if->st.ifindex;
		if (!(sfv[i].v.flags & SFC_SF_UP))
			rep->sfs_down++;
	}
	return 0;
}

/* Detach from interfaces sfc knows that the document no longer names. */
static void detach_stale(struct sfc_dp *dp, const struct plan *p)
{
	__u32 key, next, *prev = NULL, stale[SFC_MAX_IFACES];
	int nstale = 0;

	while (!bpf_map_get_next_key(dp->maps.ifaces, prev, &next)) {
		bool keep = false;

		for (int i = 0; i < p->nifs && !keep; i++)
			keep = p->ifs[i].st.outcome == SFC_IFACE_OK &&
			       (__u32)p->ifs[i].st.ifindex == next;
		if (!keep && nstale < SFC_MAX_IFACES)
			stale[nstale++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < nstale; i++)
		sfc_detach_iface(dp, stale[i]);
}

int sfc_apply(struct sfc_dp *dp, const struct sfc_doc *doc,
	      struct sfc_apply_report *rep, char *err, size_t errlen)
{
	const struct sfc_maps *m = &dp->maps;
	struct sfc_apply_report dummy;
	struct sfc_rule_set rs = {};
	struct sfc_sf_view *sfv = NULL;
	struct apply_live live = {};
	struct plan p = {};
	bool installed, want_links = rep && rep->want_links;
	int ret;

	if (!rep)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	err[0] = '\0';
	sfv = calloc(doc->nsfs + 1, sizeof(*sfv));
	ret = plan_alloc(&p, doc);
	p.lb_tables = dp->maps.lb >= 0;
	if (ret || !sfv) {
		ret = -ENOMEM;
		goto out;
	}

	/* --- everything that can fail for the document's sake, no writes */
	ret = plan_assign_ids(dp, doc, &p, err, errlen);
	if (!ret)
		ret = plan_roles(&p, doc, err, errlen);
	if (!ret)
		ret = sfc_sf_uses(doc, p.chain_ids, p.sf_use);
	/* a return interface whose SF says its position in the source MAC */
	for (int i = 0; !ret && i < doc->nsfs; i++)
		plan_iface(&p, sf_ret_dev(&doc->sfs[i]))->st.roles |= p.sf_use[i].if_flags;
	if (!ret)
		ret = plan_back_roles(&p, doc, err, errlen);
	if (!ret)
		ret = sfc_rules_compile(doc, p.chain_ids, &rs, err, errlen);
	if (ret)
		goto out;
	rep->rules_skipped = rs.skipped;
	rep->rule_entries = rs.n;
	rep->tuples = rs.ntuples;

	/* --- interfaces, SFs, chains (make-before-break) */
	ret = attach_all(dp, &p, rep, err, errlen);
	if (!ret)
		ret = write_sfs(dp, doc, &p, sfv, rep, err, errlen);
	/* from here link events are applied against doc: apply_live.c */
	live = (struct apply_live){ .dp = dp, .doc = doc, .p = &p, .sfv = sfv };
	if (!ret)
		ret = apply_live_begin(&live);
	if (!ret)
		ret = chains_apply(&live, &rep->chains_switched, err, errlen);
	if (ret)
		goto out;

	/* --- rules: idle bank, switch, generation bump */
	ret = sfc_rules_install(m, &rs, &installed);
	if (ret) {
		snprintf(err, errlen, "installing classifier rules: %s", strerror(-ret));
		goto out;
	}
	rep->rules_installed = installed;
	/* Cached flows keep the versions they were classified on (a rule
	 * change classifies them again, and the datapath keeps the version
	 * of a flow whose chain did not change): path_pool.h. */

	/* --- what the document no longer has */
	ret = chains_remove_stale(dp, &p, doc->nchains);
	if (!ret)
		ret = sfs_remove_stale(dp, &p, doc->nsfs);
	if (ret)
		goto out;
	detach_stale(dp, &p);
	if (want_links)
		rep->links = apply_live_index(&live);
out:
	apply_live_end(&live);
	rep->link_events = live.handled;
	rep->link_events_later = live.deferred;
	sfc_rules_free(&rs);
	if (rep == &dummy)
		sfc_apply_report_free(rep);
	plan_free(&p);
	free(sfv);
	return ret;
}
