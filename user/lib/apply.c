// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "apply.h"
#include "apply_parts.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "rules.h"

static struct iface_plan *plan_iface(struct plan *p, const char *name)
{
	for (int i = 0; i < p->nifs; i++)
		if (!strcmp(p->ifs[i].name, name))
			return &p->ifs[i];
	snprintf(p->ifs[p->nifs].name, IFNAMSIZ, "%s", name);
	return &p->ifs[p->nifs++];
}

static struct iface_plan *find_iface(struct plan *p, const char *name)
{
	for (int i = 0; i < p->nifs; i++)
		if (!strcmp(p->ifs[i].name, name))
			return &p->ifs[i];
	return NULL;
}

const char *ret_dev(const struct sfc_sf_cfg *sf)
{
	return sf->out_dev[0] ? sf->out_dev : sf->dev;
}

/* Interface roles from the document; a return interface belongs to one SF. */
static int plan_roles(struct plan *p, const struct sfc_doc *doc, char *err, size_t errlen)
{
	for (int i = 0; i < doc->ningress; i++)
		plan_iface(p, doc->ingress[i].dev)->v.flags |= SFC_IF_INGRESS;
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &doc->sfs[i];
		struct iface_plan *ip;

		plan_iface(p, sf->dev)->v.flags |= SFC_IF_SF_OUT;
		ip = plan_iface(p, ret_dev(sf));
		if (ip->ret_of) {
			snprintf(err, errlen, "$.sfs[%d]: interface \"%s\" already returns "
				 "packets from SF \"%s\"; each SF needs its own return interface",
				 i, ip->name, ip->ret_of);
			return -EINVAL;
		}
		ip->ret_of = sf->name;
		ip->v.flags |= SFC_IF_SF_RETURN;
		ip->v.sf_id = p->sf_ids[i];
	}
	return 0;
}

/* Ids: a name keeps the id it has in the maps; new names get free ids.
 * index_of(doc, name) is the object's index in the document, or -1. */
static int assign_ids(int map_fd, int max, size_t value_size, size_t name_off,
		      const struct sfc_doc *doc, int (*index_of)(const struct sfc_doc *, const char *),
		      int n, __u32 *ids, bool *is_new)
{
	char *vals = sfc_map_read_array(map_fd, max, value_size);
	char *used = calloc(max, 1);
	char name[SFC_NAME_LEN + 1];
	__u32 next = 1;
	int ret = 0;

	if (!used || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++)
		ids[i] = 0;
	name[SFC_NAME_LEN] = '\0';
	for (__u32 id = 1; id < (__u32)max; id++) {
		int i;

		memcpy(name, vals + (size_t)id * value_size + name_off, SFC_NAME_LEN);
		if (!name[0])
			continue;
		used[id] = 1;
		i = index_of(doc, name);
		if (i >= 0)
			ids[i] = id;
	}
	for (int i = 0; i < n; i++) {
		is_new[i] = !ids[i];
		if (ids[i])
			continue;
		while (next < (__u32)max && used[next])
			next++;
		if (next >= (__u32)max) {
			ret = -ENOSPC;
			goto out;
		}
		ids[i] = next;
		used[next] = 1;
	}
out:
	free(used);
	free(vals);
	return ret;
}

static int sf_index(const struct sfc_doc *doc, const char *name)
{
	const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, name);

	return sf ? sf - doc->sfs : -1;
}

static int chain_index(const struct sfc_doc *doc, const char *name)
{
	const struct sfc_chain_cfg *c = sfc_doc_chain(doc, name);

	return c ? c - doc->chains : -1;
}

/* Attach programs on one interface, give an SF-facing veth's peer NAPI. */
void attach_iface(struct sfc_dp *dp, struct iface_plan *ip, struct sfc_apply_report *rep)
{
	__u32 mode;
	int err;

	ip->ifindex = if_nametoindex(ip->name);
	if (!ip->ifindex) {
		pr_info("interface %s does not exist (yet)\n", ip->name);
		rep->ifaces_missing++;
		return;
	}
	err = sfc_nl_get_link(ip->ifindex, -1, &ip->link);
	if (err) {
		pr_warn("%s: cannot read link: %s\n", ip->name, strerror(-err));
		return;
	}
	memcpy(ip->v.mac, ip->link.mac, 6);
	ip->v.peer_nsid = -1;

	err = sfc_dp_attach_xdp(dp, ip->ifindex, &mode);
	if (err) {
		pr_warn("%s: attaching XDP failed: %s\n", ip->name, strerror(-err));
		if (!rep->attach_error[0] &&
		    snprintf(rep->attach_error_dev, sizeof(rep->attach_error_dev), "%s", ip->name))
			snprintf(rep->attach_error, sizeof(rep->attach_error),
				 "%s: attaching XDP failed: %s%s", ip->name, strerror(-err),
				 err == -EBUSY || err == -EEXIST ?
				 " (another XDP program is attached)" : "");
		return;
	}
	err = sfc_dp_attach_tc(dp, ip->ifindex, 0);
	if (!err && (ip->v.flags & SFC_IF_INGRESS))
		err = sfc_dp_attach_tc(dp, ip->ifindex, 1);
	else if (!err)
		sfc_dp_detach_tc(ip->ifindex, 1);
	if (err) {
		pr_warn("%s: attaching tc failed: %s\n", ip->name, strerror(-err));
		if (!rep->attach_error[0] &&
		    snprintf(rep->attach_error_dev, sizeof(rep->attach_error_dev), "%s", ip->name))
			snprintf(rep->attach_error, sizeof(rep->attach_error),
				 "%s: attaching tc failed: %s (an \"ingress\" qdisc or another "
				 "filter at pref %d may be in the way)", ip->name, strerror(-err),
				 SFC_TC_PRIO);
		return;
	}
	ip->attached = true;
	rep->ifaces_attached++;

	/*
	 * An XDP redirect into a veth is dropped unless the peer has NAPI
	 * running: an XDP program there (or GRO). Give the peer a pass-through
	 * program when it has none; failing that, the SF is served through
	 * the tc path, which always works.
	 */
	if (!(ip->v.flags & SFC_IF_SF_OUT) || strcmp(ip->link.kind, "veth") ||
	    !ip->link.peer_ifindex || dp->no_peer_xdp)
		return;
	{
		struct sfc_link peer;

		err = sfc_nl_get_link(ip->link.peer_ifindex, ip->link.peer_nsid, &peer);
		if (err) {
			pr_info("%s: cannot see the veth peer (%s); using the tc path\n",
				ip->name, strerror(-err));
			return;
		}
		if (peer.xdp_prog_id && peer.xdp_prog_id == dp->prog_ids[1]) {
			/* Ours from before (a restart): remember it for --unload. */
			ip->v.peer_ifindex = ip->link.peer_ifindex;
			ip->v.peer_nsid = ip->link.peer_nsid;
		} else if (!peer.xdp_prog_id) {
			err = sfc_netns_set_xdp(ip->link.peer_nsid, ip->link.peer_ifindex,
						dp->xdp_peer_fd);
			if (err) {
				pr_info("%s: cannot attach to the veth peer (%s); using the "
					"tc path\n", ip->name, strerror(-err));
				return;
			}
			ip->v.peer_ifindex = ip->link.peer_ifindex;
			ip->v.peer_nsid = ip->link.peer_nsid;
		}
		ip->v.flags |= SFC_IF_XDP_TX_OK;
	}
}

static void detach_iface(const struct sfc_maps *m, __u32 ifindex, const struct sfc_iface *v)
{
	sfc_dp_detach_xdp(ifindex);
	sfc_dp_detach_tc(ifindex, 0);
	sfc_dp_detach_tc(ifindex, 1);
	if (v && v->peer_ifindex)
		sfc_netns_set_xdp(v->peer_nsid, v->peer_ifindex, -1);
	bpf_map_delete_elem(m->tx_ports, &ifindex);
	bpf_map_delete_elem(m->ifaces, &ifindex);
}

static __u32 fnv(const char *s, __u32 seed)
{
	__u32 h = 0x811c9dc5 ^ seed;

	for (; *s; s++) {
		h ^= (__u8)*s;
		h *= 0x01000193;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6d;
	h ^= h >> 12;
	return h;
}

void build_chain(const struct sfc_doc *doc, const struct plan *p, int ci,
		 __u32 path_id, const struct sfc_sf *sfv, const __u32 *slots,
		 struct chain_build *b)
{
	const struct sfc_chain_cfg *c = &doc->chains[ci];
	__u32 cid = p->chain_ids[ci];

	memset(b, 0, sizeof(*b));
	b->path = (struct sfc_path){ .chain_id = cid, .spi = c->spi, .nhops = c->nhops,
				     .on_failure = c->on_failure };
	for (int h = 0; h < c->nhops; h++) {
		const struct sfc_hop_cfg *hc = &c->hops[h];
		__u32 si = c->nhops - h;
		struct sfc_hop *hop = &b->hops[si];
		int up[SFC_HOP_MAX_INSTANCES], nup = 0;
		int inst[SFC_HOP_MAX_INSTANCES], ninst = 0;

		hop->stats_idx = slots[h];
		/* A name is an SF, or a group standing for all its SFs. */
		for (int k = 0; k < hc->nsf; k++) {
			const struct sfc_sf_cfg *sf = sfc_doc_sf(doc, hc->sf[k]);

			if (sf) {
				inst[ninst++] = sf - doc->sfs;
			} else {
				for (int i = 0; i < doc->nsfs && ninst < SFC_HOP_MAX_INSTANCES; i++)
					if (!strcmp(doc->sfs[i].group, hc->sf[k]))
						inst[ninst++] = i;
			}
			if (ninst >= SFC_HOP_MAX_INSTANCES)
				break;
		}
		for (int k = 0; k < ninst; k++) {
			int si_idx = inst[k];
			__u32 ret = sfv[si_idx].ret_ifindex;
			bool seen = false;

			if (sfv[si_idx].flags & SFC_SF_UP)
				up[nup++] = si_idx;
			if (!ret)
				continue;
			/*
			 * An SF serves one SI of a path: the document refuses a
			 * name twice in a chain, plan_roles an interface shared
			 * by two SFs. An SF named directly and through its group
			 * keeps its first position.
			 */
			for (int q = 0; q < b->npos && !seen; q++)
				seen = b->pos[q].k.ifindex == ret;
			if (seen || b->npos >= SFC_MAX_HOPS * SFC_HOP_MAX_INSTANCES)
				continue;
			b->pos[b->npos].k = (struct sfc_pos_key){ .ifindex = ret, .path_id = path_id };
			b->pos[b->npos].v = (struct sfc_pos){ .si = si };
			b->npos++;
		}
		if (!nup) {
			hop->flags = SFC_HOP_DOWN;
			continue;
		}
		/* Rendezvous hashing: each bucket goes to the instance with the
		 * highest score, so an instance coming or going only moves the
		 * buckets it wins or won. */
		hop->nbuckets = SFC_HOP_BUCKETS;
		for (int bk = 0; bk < SFC_HOP_BUCKETS; bk++) {
			__u32 best = 0, best_score = 0;

			for (int k = 0; k < nup; k++) {
				__u32 sc = fnv(doc->sfs[up[k]].name, bk);

				if (k == 0 || sc > best_score) {
					best_score = sc;
					best = p->sf_ids[up[k]];
				}
			}
			hop->sf[bk] = best;
		}
	}
}

static bool chain_unchanged(const struct sfc_maps *m, __u32 path_id, const struct chain_build *b)
{
	struct sfc_path path;

	if (!path_id || bpf_map_lookup_elem(m->paths, &path_id, &path) ||
	    memcmp(&path, &b->path, sizeof(path)))
		return false;
	for (__u32 si = 1; si <= b->path.nhops; si++) {
		struct sfc_hop_key hk = { .path_id = path_id, .si = si };
		struct sfc_hop hop;

		if (bpf_map_lookup_elem(m->hops, &hk, &hop) ||
		    memcmp(&hop, &b->hops[si], sizeof(hop)))
			return false;
	}
	for (int q = 0; q < b->npos; q++) {
		struct sfc_pos_key k = b->pos[q].k;
		struct sfc_pos v;

		k.path_id = path_id;
		if (bpf_map_lookup_elem(m->sf_pos, &k, &v) || memcmp(&v, &b->pos[q].v, sizeof(v)))
			return false;
	}
	return true;
}

static int cmp_pos_path(const void *a, const void *b)
{
	const struct sfc_pos_key *x = a, *y = b;

	return x->path_id < y->path_id ? -1 : x->path_id > y->path_id;
}

int pos_index_read(const struct sfc_maps *m, struct pos_index *ix)
{
	struct sfc_pos_key key, next, *prev = NULL;
	size_t cap = 0;

	ix->k = NULL;
	ix->n = 0;
	while (!bpf_map_get_next_key(m->sf_pos, prev, &next)) {
		if (ix->n == cap) {
			size_t c = cap ? cap * 2 : 256;
			struct sfc_pos_key *k = realloc(ix->k, c * sizeof(*k));

			if (!k)
				return -ENOMEM;
			ix->k = k;
			cap = c;
		}
		ix->k[ix->n++] = next;
		key = next;
		prev = &key;
	}
	qsort(ix->k, ix->n, sizeof(*ix->k), cmp_pos_path);
	return 0;
}

/* Remove every hop and position entry of one path version. */
static void purge_path(const struct sfc_maps *m, const struct pos_index *ix, __u32 path_id)
{
	struct sfc_path path = {}, zero = {};
	size_t lo = 0, hi = ix->n;

	if (!bpf_map_lookup_elem(m->paths, &path_id, &path))
		for (__u32 si = 1; si <= path.nhops && si <= SFC_MAX_HOPS; si++) {
			struct sfc_hop_key hk = { .path_id = path_id, .si = si };

			bpf_map_delete_elem(m->hops, &hk);
		}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->k[mid].path_id < path_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n && ix->k[lo].path_id == path_id; lo++)
		bpf_map_delete_elem(m->sf_pos, &ix->k[lo]);
	if (path.nhops)
		bpf_map_update_elem(m->paths, &path_id, &zero, BPF_ANY);
}

static int write_chain(const struct sfc_maps *m, const struct pos_index *ix, __u32 cid,
		       const char *name, __u32 path_id, const struct chain_build *b)
{
	struct sfc_chain head = { .path_id = path_id, .spi = b->path.spi };

	purge_path(m, ix, path_id);
	for (__u32 si = 1; si <= b->path.nhops; si++) {
		struct sfc_hop_key hk = { .path_id = path_id, .si = si };

		if (bpf_map_update_elem(m->hops, &hk, &b->hops[si], BPF_ANY))
			return -errno;
	}
	for (int q = 0; q < b->npos; q++)
		if (bpf_map_update_elem(m->sf_pos, &b->pos[q].k, &b->pos[q].v, BPF_ANY))
			return -errno;
	if (bpf_map_update_elem(m->paths, &path_id, &b->path, BPF_ANY))
		return -errno;
	/* The switch: one write of the chain head. */
	snprintf(head.name, sizeof(head.name), "%s", name);
	if (bpf_map_update_elem(m->chains, &cid, &head, BPF_ANY))
		return -errno;
	return 0;
}

/* Stats slots of the hops of a chain's current path, by hop index. */
int current_slots(const struct sfc_maps *m, __u32 cid, __u32 *slots)
{
	struct sfc_chain head;
	struct sfc_path path;
	int n = 0;

	if (bpf_map_lookup_elem(m->chains, &cid, &head) || !head.path_id ||
	    bpf_map_lookup_elem(m->paths, &head.path_id, &path))
		return 0;
	for (__u32 h = 0; h < path.nhops && h < SFC_MAX_HOPS; h++) {
		struct sfc_hop_key hk = { .path_id = head.path_id, .si = path.nhops - h };
		struct sfc_hop hop;

		if (bpf_map_lookup_elem(m->hops, &hk, &hop))
			break;
		slots[h] = hop.stats_idx;
		n++;
	}
	return n;
}

/*
 * A hop keeps its counters' slot across edits of its chain (by position);
 * new hops take free slots, zeroed. Slots of removed hops and chains are
 * free again once no current path refers to them.
 */
static int assign_slots(struct sfc_dp *dp, const struct sfc_doc *doc, const struct plan *p,
			__u32 (*slots)[SFC_MAX_HOPS])
{
	const struct sfc_maps *m = &dp->maps;
	char *used = calloc(SFC_HOP_STATS_ENTRIES, 1);
	__u32 next = 1;

	if (!used)
		return -ENOMEM;
	used[0] = 1;
	for (int ci = 0; ci < doc->nchains; ci++) {
		int n = p->chain_new[ci] ? 0 : current_slots(m, p->chain_ids[ci], slots[ci]);

		for (int h = 0; h < doc->chains[ci].nhops; h++) {
			if (h < n && slots[ci][h] && slots[ci][h] < SFC_HOP_STATS_ENTRIES &&
			    !used[slots[ci][h]]) {
				used[slots[ci][h]] = 1;
			} else {
				slots[ci][h] = 0; /* allocated below */
			}
		}
	}
	for (int ci = 0; ci < doc->nchains; ci++) {
		for (int h = 0; h < doc->chains[ci].nhops; h++) {
			if (slots[ci][h])
				continue;
			while (next < SFC_HOP_STATS_ENTRIES && used[next])
				next++;
			if (next >= SFC_HOP_STATS_ENTRIES) {
				free(used);
				return -ENOSPC;
			}
			used[next] = 1;
			slots[ci][h] = next;
			sfc_map_zero_percpu(dp, m->hop_stats, next, sizeof(struct sfc_hop_counter));
		}
	}
	free(used);
	return 0;
}

/* An SF's datapath entry from the state of its two interfaces; true when it is up. */
bool sf_value(const struct sfc_sf_cfg *sf, const struct iface_plan *out,
	      const struct iface_plan *ret_if, struct sfc_sf *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = sf->kind;
	snprintf(v->name, sizeof(v->name), "%s", sf->name);
	if (out->attached) {
		v->ifindex = out->ifindex;
		memcpy(v->out_mac, out->link.mac, 6);
		if (out->v.flags & SFC_IF_XDP_TX_OK)
			v->flags |= SFC_SF_XDP_TX;
	}
	if (ret_if->attached)
		v->ret_ifindex = ret_if->ifindex;
	/*
	 * Frames to an SF are addressed from the fabric's interface to
	 * the SF's MAC (an L3 SF) or to the fabric's return interface
	 * (an L2 SF: a bridge floods it there). A bridging SF then never
	 * learns the hosts' MACs on one port and drops the other
	 * direction; the original addresses come back at the end.
	 */
	if (sf->has_mac) {
		memcpy(v->mac, sf->mac, 6);
		v->flags |= SFC_SF_SETMAC;
	} else if (ret_if->attached) {
		memcpy(v->mac, ret_if->link.mac, 6);
		v->flags |= SFC_SF_SETMAC;
	}
	if (out->attached && ret_if->attached && out->link.up && ret_if->link.up)
		v->flags |= SFC_SF_UP;
	return v->flags & SFC_SF_UP;
}

static void plan_free(struct plan *p)
{
	free(p->ifs);
	free(p->sf_ids);
	free(p->chain_ids);
	free(p->chain_new);
	free(p->sf_new);
}

int sfc_apply(struct sfc_dp *dp, const struct sfc_doc *doc,
	      struct sfc_apply_report *rep, char *err, size_t errlen)
{
	const struct sfc_maps *m = &dp->maps;
	struct sfc_apply_report dummy;
	struct sfc_rule_set rs = {};
	struct chain_build *cb = NULL;
	struct sfc_sf *sfv = NULL;
	__u32 (*slots)[SFC_MAX_HOPS] = NULL;
	struct pos_index pix = {};
	struct plan p = {};
	bool installed, keep_ids = rep && rep->keep_ids;
	int ret;

	if (!rep)
		rep = &dummy;
	memset(rep, 0, sizeof(*rep));
	err[0] = '\0';
	p.ifs = calloc(doc->ningress + 2 * doc->nsfs + 1, sizeof(*p.ifs));
	p.sf_ids = calloc(doc->nsfs + 1, sizeof(__u32));
	p.sf_new = calloc(doc->nsfs + 1, sizeof(bool));
	p.chain_ids = calloc(doc->nchains + 1, sizeof(__u32));
	p.chain_new = calloc(doc->nchains + 1, sizeof(bool));
	sfv = calloc(doc->nsfs + 1, sizeof(*sfv));
	cb = malloc(sizeof(*cb));
	slots = calloc(doc->nchains + 1, sizeof(*slots));
	if (!slots || !p.ifs || !p.sf_ids || !p.sf_new || !p.chain_ids || !p.chain_new ||
	    !sfv || !cb) {
		ret = -ENOMEM;
		goto out;
	}

	/* --- everything that can fail for the document's sake, no writes */
	ret = assign_ids(m->sfs, SFC_MAX_SFS, sizeof(struct sfc_sf), offsetof(struct sfc_sf, name),
			 doc, sf_index, doc->nsfs, p.sf_ids, p.sf_new);
	if (ret) {
		snprintf(err, errlen, "$.sfs: no free SF id (at most %d SFs)", SFC_MAX_SFS - 1);
		goto out;
	}
	ret = assign_ids(m->chains, SFC_MAX_CHAINS, sizeof(struct sfc_chain),
			 offsetof(struct sfc_chain, name), doc, chain_index, doc->nchains,
			 p.chain_ids, p.chain_new);
	if (ret) {
		snprintf(err, errlen, "$.chains: no free chain id (at most %d chains)",
			 SFC_MAX_CHAINS - 1);
		goto out;
	}
	ret = plan_roles(&p, doc, err, errlen);
	if (ret)
		goto out;
	ret = sfc_rules_compile(doc, p.chain_ids, &rs, err, errlen);
	if (ret)
		goto out;
	rep->rules_skipped = rs.skipped;
	rep->rule_entries = rs.n;
	rep->tuples = rs.ntuples;

	/* --- interfaces */
	for (int i = 0; i < p.nifs; i++) {
		struct iface_plan *ip = &p.ifs[i];

		attach_iface(dp, ip, rep);
		if (!ip->attached)
			continue;
		if (bpf_map_update_elem(m->ifaces, &ip->ifindex, &ip->v, BPF_ANY)) {
			ret = -errno;
			snprintf(err, errlen, "%s: writing sfc_ifaces: %s", ip->name, strerror(-ret));
			goto out;
		}
		if (ip->v.flags & SFC_IF_XDP_TX_OK)
			bpf_map_update_elem(m->tx_ports, &ip->ifindex, &ip->ifindex, BPF_ANY);
		else
			bpf_map_delete_elem(m->tx_ports, &ip->ifindex);
	}

	/* --- SFs */
	for (int i = 0; i < doc->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &doc->sfs[i];
		struct iface_plan *out = find_iface(&p, sf->dev);
		struct iface_plan *ret_if = find_iface(&p, ret_dev(sf));
		struct sfc_sf *v = &sfv[i];

		if (!sf_value(sf, out, ret_if, v))
			rep->sfs_down++;
		if (p.sf_new[i])
			sfc_map_zero_percpu(dp, m->sf_stats, p.sf_ids[i], sizeof(struct sfc_sf_counter));
		if (bpf_map_update_elem(m->sfs, &p.sf_ids[i], v, BPF_ANY)) {
			ret = -errno;
			snprintf(err, errlen, "SF %s: writing sfc_sfs: %s", sf->name, strerror(-ret));
			goto out;
		}
	}

	/* --- chains, make-before-break */
	ret = pos_index_read(m, &pix);
	if (ret)
		goto out;
	ret = assign_slots(dp, doc, &p, slots);
	if (ret) {
		snprintf(err, errlen, "$.chains: more than %d hops in all chains",
			 SFC_HOP_STATS_ENTRIES - 1);
		goto out;
	}
	for (int ci = 0; ci < doc->nchains; ci++) {
		__u32 cid = p.chain_ids[ci], cur = 0, next;
		struct sfc_chain head;

		if (!bpf_map_lookup_elem(m->chains, &cid, &head))
			cur = head.path_id;
		next = cur == cid * 2 ? cid * 2 + 1 : cid * 2;
		/* Built once for the new version; compared with the current
		 * one, whose position keys differ only in the path id. */
		build_chain(doc, &p, ci, next, sfv, slots[ci], cb);
		if (cur && !p.chain_new[ci] && head.spi == cb->path.spi &&
		    chain_unchanged(m, cur, cb))
			continue;
		if (p.chain_new[ci])
			sfc_map_zero_percpu(dp, m->chain_stats, cid, sizeof(struct sfc_counter));
		ret = write_chain(m, &pix, cid, doc->chains[ci].name, next, cb);
		if (ret) {
			snprintf(err, errlen, "chain %s: %s", doc->chains[ci].name, strerror(-ret));
			goto out;
		}
		rep->chains_switched++;
	}

	/* --- rules: idle bank, switch, generation bump */
	ret = sfc_rules_install(m, &rs, &installed);
	if (ret) {
		snprintf(err, errlen, "installing classifier rules: %s", strerror(-ret));
		goto out;
	}
	rep->rules_installed = installed;
	/* Cached flows point at paths: move them to the new ones. */
	if (!installed && rep->chains_switched) {
		ret = sfc_generation_bump(m);
		if (ret)
			goto out;
	}

	/* --- what the document no longer has */
	{
		struct sfc_chain *heads = sfc_map_read_array(m->chains, SFC_MAX_CHAINS,
							     sizeof(*heads));
		struct sfc_sf *sfs = sfc_map_read_array(m->sfs, SFC_MAX_SFS, sizeof(*sfs));
		char *keep = calloc(SFC_MAX_CHAINS > SFC_MAX_SFS ? SFC_MAX_CHAINS : SFC_MAX_SFS, 1);

		if (!heads || !sfs || !keep) {
			free(heads);
			free(sfs);
			free(keep);
			ret = -ENOMEM;
			goto out;
		}
		for (int ci = 0; ci < doc->nchains; ci++)
			keep[p.chain_ids[ci]] = 1;
		for (__u32 cid = 1; cid < SFC_MAX_CHAINS; cid++) {
			struct sfc_chain zero = {};

			if (!heads[cid].name[0] || keep[cid])
				continue;
			bpf_map_update_elem(m->chains, &cid, &zero, BPF_ANY);
			purge_path(m, &pix, cid * 2);
			purge_path(m, &pix, cid * 2 + 1);
		}
		memset(keep, 0, SFC_MAX_SFS);
		for (int i = 0; i < doc->nsfs; i++)
			keep[p.sf_ids[i]] = 1;
		for (__u32 id = 1; id < SFC_MAX_SFS; id++) {
			struct sfc_sf zero = {};

			if (sfs[id].name[0] && !keep[id])
				bpf_map_update_elem(m->sfs, &id, &zero, BPF_ANY);
		}
		free(heads);
		free(sfs);
		free(keep);
	}
	{
		__u32 key, next, *prev = NULL, stale[SFC_MAX_IFACES];
		struct sfc_iface sv[SFC_MAX_IFACES];
		int nstale = 0;

		while (!bpf_map_get_next_key(m->ifaces, prev, &next)) {
			bool keep = false;

			for (int i = 0; i < p.nifs && !keep; i++)
				keep = p.ifs[i].attached && (__u32)p.ifs[i].ifindex == next;
			if (!keep && nstale < SFC_MAX_IFACES &&
			    !bpf_map_lookup_elem(m->ifaces, &next, &sv[nstale]))
				stale[nstale++] = next;
			key = next;
			prev = &key;
		}
		for (int i = 0; i < nstale; i++)
			detach_iface(m, stale[i], &sv[i]);
	}
	ret = 0;
	if (keep_ids) {
		rep->sf_ids = p.sf_ids;
		rep->chain_ids = p.chain_ids;
		p.sf_ids = p.chain_ids = NULL;
	}
out:
	sfc_rules_free(&rs);
	plan_free(&p);
	free(sfv);
	free(cb);
	free(slots);
	free(pix.k);
	return ret;
}

int sfc_detach_all(struct sfc_dp *dp)
{
	const struct sfc_maps *m = &dp->maps;
	__u32 key, next, *prev = NULL, all[SFC_MAX_IFACES];
	struct sfc_iface v[SFC_MAX_IFACES];
	int n = 0;

	while (!bpf_map_get_next_key(m->ifaces, prev, &next) && n < SFC_MAX_IFACES) {
		if (!bpf_map_lookup_elem(m->ifaces, &next, &v[n]))
			all[n++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < n; i++)
		detach_iface(m, all[i], &v[i]);
	return 0;
}
