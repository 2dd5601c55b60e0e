// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Incremental link updates: see link_update.h. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "front.h"
#include "link_index.h"
#include "log.h"
#include "nl.h"
#include "path_pool.h"
#include "rules.h"

/* An interface as the datapath has it now: attached (in sfc_ifaces, then
 * outcome SFC_IFACE_OK) or not (SFC_IFACE_MISSING). */
static void iface_state(const struct sfc_dp *dp, const char *name, struct sfc_iface_state *ip)
{
	memset(ip, 0, sizeof(*ip));
	snprintf(ip->name, sizeof(ip->name), "%s", name);
	ip->outcome = SFC_IFACE_MISSING;
	ip->ifindex = if_nametoindex(name);
	if (!ip->ifindex || bpf_map_lookup_elem(dp->maps.ifaces, &ip->ifindex, &ip->v))
		return;
	/* whose program the veth peer runs (sfc_sf_value) */
	bpf_map_lookup_elem(dp->rec.ifaces, &ip->ifindex, &ip->rec);
	if (!sfc_nl_get_link(ip->ifindex, -1, &ip->link))
		ip->outcome = SFC_IFACE_OK;
}

/* dev itself: attach a new ifindex, refresh the MAC of a known one. */
static int update_iface(struct sfc_dp *dp, struct sfc_link_index *ix, const struct dev_entry *de,
			struct sfc_iface_state *ip, struct sfc_link_result *res)
{
	int err;

	iface_state(dp, de->name, ip);
	if (ip->outcome == SFC_IFACE_OK) {
		err = sfc_refresh_peer_xdp(dp, ip);
		if (err)
			return err;
		/* a new MAC: the record keeps it to tell this interface later */
		if (bpf_map_lookup_elem(dp->rec.ifaces, &ip->ifindex, &ip->rec) ||
		    !memcmp(ip->rec.mac, ip->link.mac, 6))
			return 0;
		memcpy(ip->rec.mac, ip->link.mac, 6);
		return bpf_map_update_elem(dp->rec.ifaces, &ip->ifindex, &ip->rec, BPF_ANY) ?
		       -errno : 0;
	}
	if (!ip->ifindex)
		return 0;
	/* attached as a whole apply would: programs, sfc_ifaces, record */
	ip->roles = de->flags;
	ip->sf_id = de->ret_of >= 0 ? ix->sf_ids[de->ret_of] | (de->back ? SFC_SF_ID_BACK : 0) : 0;
	err = sfc_attach_iface(dp, ip);
	if (err)
		return err;
	if (ip->outcome == SFC_IFACE_FAILED)
		pr_warn("link update: %s\n", ip->error);
	if (ip->outcome != SFC_IFACE_OK)
		return 0;
	res->attached = true;
	return 0;
}

static int chain_state(const struct sfc_maps *m, const struct sfc_doc *doc,
		       struct sfc_link_index *ix, int ci, struct chain_state **out)
{
	struct chain_state *cs = &ix->cs[ci];
	__u32 cid = ix->chain_ids[ci];
	struct sfc_chain head;

	*out = cs;
	if (cs->known)
		return 0;
	if (bpf_map_lookup_elem(m->chains, &cid, &head))
		return -ENOENT;
	cs->cur = head.path_id;
	if (current_slots(m, cid, cs->slots) < doc->chains[ci].nhops)
		return -ESTALE;
	cs->known = true;
	return 0;
}

/* Build doc->chains[ci] from the SF entries as a new version and add it
 * to the batch; the cache says what it will be once written. */
static int batch_chain(struct sfc_dp *dp, const struct sfc_doc *doc,
		       struct sfc_link_index *ix, int ci, struct chain_batch *b)
{
	const struct sfc_maps *m = &dp->maps;
	struct plan p = { .sf_ids = ix->sf_ids, .chain_ids = ix->chain_ids,
			  .lb_tables = m->lb >= 0 };
	__u32 cid = ix->chain_ids[ci], next, rev;
	struct chain_build *cb = ix->cb;
	struct chain_state *cs;
	int n, err;

	err = chain_state(m, doc, ix, ci, &cs);
	if (err)
		return err;
	n = link_chain_sfs(ix, doc, ci, ix->scratch);
	for (int k = 0; k < n; k++) {
		int s = ix->scratch[k];

		if (ix->sfv_stamp[s] == ix->chain_now)
			continue;
		struct sfc_sf_record rec;

		if (bpf_map_lookup_elem(m->sfs, &ix->sf_ids[s], &ix->sfv[s].v) ||
		    bpf_map_lookup_elem(dp->rec.sfs, &ix->sf_ids[s], &rec))
			return -ENOENT;
		ix->sfv[s].ret_ifindex = rec.ret_ifindex;
		ix->sfv_stamp[s] = ix->chain_now;
	}
	chain_build_prev(m, cs->cur, cb);
	build_chain(doc, &p, ci, 0, ix->sfv, cs->slots, cb);
	err = sfc_path_take_version(dp, cid, cb->path.flags, &next, &rev);
	if (err)
		return err;
	chain_build_set_path(cb, next);
	err = chain_write_tables(m, next, cb);
	if (!err && rev) {
		chain_build_reverse(cb, rev, ix->rcb);
		err = chain_write_tables(m, rev, ix->rcb);
	}
	if (!err)
		err = chain_batch_add(b, cid, next, cb, rev, ix->rcb);
	if (err) {
		sfc_path_retire(dp, next); /* and rev, its pair */
		return err;
	}
	cs->prev = cs->cur;
	cs->cur = next;
	return 0;
}

/* After the batch: the versions the heads left are retired; those a
 * failed write did not switch to, and the cache forgets them. */
static void batch_settle(struct sfc_dp *dp, struct sfc_link_index *ix, int nchains, bool ok)
{
	for (int q = 0; q < nchains; q++) {
		int ci = ix->scratch_chains[q];
		struct chain_state *cs = &ix->cs[ci];
		__u32 cid = ix->chain_ids[ci];
		struct sfc_chain head = {};

		if (!cs->known || cs->cur == cs->prev)
			continue;
		if (ok || (!bpf_map_lookup_elem(dp->maps.chains, &cid, &head) &&
			   head.path_id == cs->cur)) {
			sfc_path_retire(dp, cs->prev);
		} else {
			sfc_path_retire(dp, cs->cur);
			cs->known = false;
		}
		cs->prev = cs->cur;
	}
}

/* Write doc->sfs[i]'s entry if it changed; *for_chains: in what its
 * chains are built from (up, return ifindex). */
static int rewrite_sf(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		      int i, const struct sfc_iface_state *ip, bool *changed, bool *for_chains)
{
	const struct sfc_sf_cfg *sf = &doc->sfs[i];
	struct sfc_iface_state other_out, other_ret;
	const struct sfc_iface_state *out = ip, *ret = ip;
	struct sfc_sf_record rec, cur_rec;
	struct sfc_sf v, cur, back, cur_back = {};
	__u32 id = ix->sf_ids[i];

	if (strcmp(sf->dev, ip->name)) {
		iface_state(dp, sf->dev, &other_out);
		out = &other_out;
	}
	if (strcmp(sf_ret_dev(sf), ip->name)) {
		iface_state(dp, sf_ret_dev(sf), &other_ret);
		ret = &other_ret;
	}
	sfc_sf_value(dp, sf, out, ret, &ix->sf_use[i], &v, &back, &rec);
	if (dp->maps.sf_back >= 0)
		bpf_map_lookup_elem(dp->maps.sf_back, &id, &cur_back);
	else
		cur_back = back;
	if (bpf_map_lookup_elem(dp->maps.sfs, &id, &cur) ||
	    bpf_map_lookup_elem(dp->rec.sfs, &id, &cur_rec)) {
		*changed = *for_chains = true;
	} else {
		bool ret_moved = cur_rec.ret_ifindex != rec.ret_ifindex;
		/* a two-arm SF's dev is where replies of symmetric chains
		 * come back from it: a position of their reply versions */
		bool dev_moved = cur.ifindex != v.ifindex && sf->out_dev[0] &&
				 strcmp(sf->out_dev, sf->dev);

		*changed = ret_moved || memcmp(&cur, &v, sizeof(v)) ||
			   memcmp(&cur_back, &back, sizeof(back));
		/* up or down is the SF entry's alone: the datapath skips a
		 * down instance in every version (bpf/sff.h) */
		*for_chains = ret_moved || dev_moved;
	}
	return *changed ? sfc_sf_store(dp, id, &v, &back, &rec) : 0;
}

static int rules_again(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		       struct sfc_link_result *res)
{
	struct sfc_rule_set rs = {};
	char err[256];
	int ret;

	ret = sfc_rules_compile(doc, ix->chain_ids, &rs, err, sizeof(err));
	if (!ret)
		ret = sfc_rules_install(&dp->maps, &rs, &res->rules_installed);
	else
		pr_warn("link update: %s\n", err);
	sfc_rules_free(&rs);
	return ret;
}

int sfc_link_update(struct sfc_dp *dp, const struct sfc_doc *doc, struct sfc_link_index *ix,
		    const char *dev, __u32 gone_ifindex, struct sfc_link_result *res)
{
	const struct sfc_maps *m = &dp->maps;
	struct dev_entry *de = link_dev(ix, dev);
	struct chain_batch batch = {};
	struct sfc_iface gone;
	struct sfc_iface_state ip;
	int err, nchains = 0;

	memset(res, 0, sizeof(*res));
	/* the kernel took its programs with it; the maps still name it */
	if (gone_ifindex && !bpf_map_lookup_elem(m->ifaces, &gone_ifindex, &gone))
		res->forgotten = !sfc_detach_iface(dp, gone_ifindex);
	if (!de)
		return 0;
	err = update_iface(dp, ix, de, &ip, res);
	if (err)
		return err;
	if (de->nrules && (__u32)ip.ifindex != de->rule_ifindex) {
		err = rules_again(dp, doc, ix, res);
		if (err)
			return err;
		de->rule_ifindex = ip.ifindex;
	}
	/* every SF of dev first: a chain is built once, from all of them */
	ix->chain_now++;
	for (int k = 0; k < de->sf_n; k++) {
		int i = ix->dev_sfs[de->sf_start + k];
		bool changed, for_chains;

		err = rewrite_sf(dp, doc, ix, i, &ip, &changed, &for_chains);
		if (err)
			return err;
		res->sfs_rewritten += changed;
		if (!for_chains)
			continue;
		for (int q = ix->chain_start[i]; q < ix->chain_start[i + 1]; q++) {
			int ci = ix->sf_chains[q];

			if (ix->stamp[ci] == ix->chain_now)
				continue;
			ix->stamp[ci] = ix->chain_now;
			ix->scratch_chains[nchains++] = ci;
		}
	}
	for (int q = 0; q < nchains && !err; q++)
		err = batch_chain(dp, doc, ix, ix->scratch_chains[q], &batch);
	if (!err)
		err = chain_batch_flush(m, &batch);
	batch_settle(dp, ix, nchains, !err);
	chain_batch_free(&batch);
	if (err)
		return err;
	/* flows keep the versions they were classified on */
	res->chains_switched = nchains;
	return 0;
}
