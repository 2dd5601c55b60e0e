// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SF entries: where the fabric sends packets for each SF instance. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "apply_plan.h"
#include "record.h"

static bool usable(const struct sfc_iface_state *st)
{
	return st && st->outcome == SFC_IFACE_OK;
}

/* The SF's veth peer runs an XDP program sfc did not put there (sfc
 * records the peers it gave its pass-through program). */
static bool peer_runs_own_xdp(const struct sfc_iface_state *out)
{
	return (out->v.flags & SFC_IF_XDP_TX_OK) && !out->rec.peer_ifindex;
}

/* Sending out of interface out (usable): its index, MAC and how. */
static void send_via(const struct sfc_iface_state *out, struct sfc_sf *v)
{
	v->ifindex = out->ifindex;
	memcpy(v->out_mac, out->link.mac, 6);
	if (out->v.flags & SFC_IF_XDP_TX_OK)
		v->flags |= SFC_SF_XDP_TX;
	/* Straight into the SF's netns (bpf_redirect_peer) enters its stack
	 * past its veth's XDP hook: an SF that runs an XDP program of its
	 * own gets its packets through the veth. */
	if (!strcmp(out->link.kind, "veth") && out->link.peer_ifindex &&
	    out->link.peer_nsid >= 0 && !peer_runs_own_xdp(out))
		v->flags |= SFC_SF_PEER;
}

/*
 * The other side of the SF (sfc_sf_back, SFC_SF_ID_BACK), from its value
 * v: a symmetric chain's replies go out of its out-dev (ret), addressed
 * to its out-mac (an L3 SF), or to the fabric's interface it sends them
 * back on, its dev (an L2 SF). Its state and policy flags are v's.
 */
static void back_value(const struct sfc_sf_cfg *sf, const struct sfc_iface_state *out,
		       const struct sfc_iface_state *ret, const struct sfc_sf *v,
		       struct sfc_sf *b)
{
	*b = (struct sfc_sf){ .flags = v->flags & ~(SFC_SF_SETMAC | SFC_SF_XDP_TX | SFC_SF_PEER),
			      .chain_id = v->chain_id };
	if (usable(ret))
		send_via(ret, b);
	if (sf->has_out_mac) {
		memcpy(b->mac, sf->out_mac, 6);
		b->flags |= SFC_SF_SETMAC;
	} else if (!sf->has_mac && usable(out)) {
		memcpy(b->mac, out->link.mac, 6);
		b->flags |= SFC_SF_SETMAC;
	}
}

void sfc_sf_value(const struct sfc_dp *dp, const struct sfc_sf_cfg *sf, const struct sfc_iface_state *out,
		  const struct sfc_iface_state *ret, const struct sfc_sf_use *use,
		  struct sfc_sf *vp, struct sfc_sf *backp, struct sfc_sf_record *recp)
{
	struct sfc_sf_record rec = { .kind = sf->kind };
	struct sfc_sf v = {};

	snprintf(rec.name, sizeof(rec.name), "%s", sf->name);
	if (usable(out))
		send_via(out, &v);
	if (usable(ret))
		rec.ret_ifindex = ret->ifindex;
	/*
	 * Frames to an SF are addressed from the fabric's interface to the
	 * SF's MAC (an L3 SF) or to the fabric's return interface (an L2 SF:
	 * a bridge floods it there). A bridging SF then never learns the
	 * hosts' MACs on one port and drops the other direction; the original
	 * addresses come back at the end.
	 */
	if (sf->has_mac) {
		memcpy(v.mac, sf->mac, 6);
		v.flags |= SFC_SF_SETMAC;
	} else if (usable(ret)) {
		memcpy(v.mac, ret->link.mac, 6);
		v.flags |= SFC_SF_SETMAC;
	}
	if (usable(out) && usable(ret) &&
	    (sf->health == SFC_HEALTH_NONE || (out->link.up && ret->link.up)) &&
	    !(sf->health == SFC_HEALTH_PROBE && dp->sf_failing &&
	      dp->sf_failing(dp->sf_failing_ctx, sf->name)))
		v.flags |= SFC_SF_UP;
	if (use) {
		v.flags |= use->flags;
		v.chain_id = use->flags & SFC_SF_SOLE ? use->chain_id : 0;
	}
	*vp = v;
	back_value(sf, out, ret, &v, backp);
	*recp = rec;
}

int sfc_sf_write(struct sfc_dp *dp, const struct sfc_sf_cfg *sf, __u32 id, bool is_new,
		 const struct sfc_iface_state *out, const struct sfc_iface_state *ret,
		 const struct sfc_sf_use *use, struct sfc_sf *v_out)
{
	const struct sfc_maps *m = &dp->maps;
	struct sfc_sf_record rec;
	struct sfc_sf v, back;

	sfc_sf_value(dp, sf, out, ret, use, &v, &back, &rec);
	if (v_out)
		*v_out = v;
	if (is_new)
		sfc_map_zero_percpu(dp, m->sf_stats, id, sizeof(struct sfc_sf_counter));
	return sfc_sf_store(dp, id, &v, &back, &rec);
}

int sfc_sf_store(struct sfc_dp *dp, __u32 id, const struct sfc_sf *v, const struct sfc_sf *back,
		 const struct sfc_sf_record *rec)
{
	/* the record first: chains are built from both; the other side
	 * before the SF (its state, which replies to the other side take) */
	if (bpf_map_update_elem(dp->rec.sfs, &id, rec, BPF_ANY) ||
	    (dp->maps.sf_back >= 0 && bpf_map_update_elem(dp->maps.sf_back, &id, back, BPF_ANY)) ||
	    bpf_map_update_elem(dp->maps.sfs, &id, v, BPF_ANY))
		return -errno;
	return 0;
}

int sfs_remove_stale(struct sfc_dp *dp, const struct plan *p, int nsfs)
{
	const struct sfc_maps *m = &dp->maps;
	sfc_id_name *names = sfc_record_sf_names(dp);
	char *keep = calloc(SFC_MAX_SFS, 1);

	if (!names || !keep) {
		free(names);
		free(keep);
		return -ENOMEM;
	}
	for (int i = 0; i < nsfs; i++)
		keep[p->sf_ids[i]] = 1;
	for (__u32 id = 1; id < SFC_MAX_SFS; id++) {
		struct sfc_sf zero = {};
		struct sfc_sf_record none = {};

		if (!names[id][0] || keep[id])
			continue;
		bpf_map_update_elem(m->sfs, &id, &zero, BPF_ANY);
		if (m->sf_back >= 0)
			bpf_map_update_elem(m->sf_back, &id, &zero, BPF_ANY);
		bpf_map_update_elem(dp->rec.sfs, &id, &none, BPF_ANY);
	}
	free(names);
	free(keep);
	return 0;
}
