// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Attach sfc to one interface for its roles; give an SF-facing veth's peer NAPI. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "apply.h"
#include "front.h"
#include "log.h"
#include "netns.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static void failed(struct sfc_iface_state *st, const char *fmt, const char *what, int err,
		   const char *advice)
{
	st->outcome = SFC_IFACE_FAILED;
	snprintf(st->error, sizeof(st->error), fmt, st->name, what, strerror(-err), advice);
	pr_warn("%s\n", st->error);
}

/*
 * An XDP redirect into a veth is dropped unless the peer has NAPI running:
 * an XDP program there (or GRO). Give the peer a pass-through program when
 * it has none; failing that, the SF is served through the tc path, which
 * always works.
 */
static void peer_napi(struct sfc_dp *dp, struct sfc_iface_state *st,
		      const struct sfc_iface_record *before)
{
	struct sfc_link peer;
	int err;

	if (!(st->roles & SFC_IF_SF_OUT) || strcmp(st->link.kind, "veth") ||
	    !st->link.peer_ifindex || dp->no_peer_xdp)
		return;
	err = sfc_nl_get_link(st->link.peer_ifindex, st->link.peer_nsid, &peer);
	if (err) {
		pr_info("%s: cannot see the veth peer (%s); using the tc path\n",
			st->name, strerror(-err));
		return;
	}
	if (peer.xdp_prog_id &&
	    (peer.xdp_prog_id == dp->prog_ids[1] ||
	     ((__u32)st->link.peer_ifindex == before->peer_ifindex &&
	      st->link.peer_nsid == before->peer_nsid))) {
		/* Ours from before (a restart, or an older sfc's program when
		 * the record says we put it there): remember it for --unload. */
		st->rec.peer_ifindex = st->link.peer_ifindex;
		st->rec.peer_nsid = st->link.peer_nsid;
	} else if (!peer.xdp_prog_id) {
		err = sfc_netns_set_xdp(st->link.peer_nsid, st->link.peer_ifindex,
					dp->xdp_peer_fd);
		if (err) {
			pr_info("%s: cannot attach to the veth peer (%s); using the "
				"tc path\n", st->name, strerror(-err));
			return;
		}
		st->rec.peer_ifindex = st->link.peer_ifindex;
		st->rec.peer_nsid = st->link.peer_nsid;
	}
	st->v.flags |= SFC_IF_XDP_TX_OK;
}

/*
 * XDP or tc for this interface (sfcd --steer, auto by default). XDP pays off
 * where frames arrive as XDP frames: a NIC with a native driver, a veth whose
 * peer runs an XDP program of its own (an XDP SF, a traffic generator). A
 * veth with a stack behind it (a pod, an SF that routes or bridges) brings
 * skbs: XDP there would turn each into an XDP frame and back, and switch
 * off the peer's GSO; tc steers them as they are. Interfaces without native
 * XDP are steered at tc rather than in generic mode.
 */
static bool veth_wants_tc(const struct sfc_dp *dp, const struct sfc_iface_state *st,
			  const struct sfc_iface_record *before)
{
	struct sfc_link peer;

	if (!st->link.peer_ifindex ||
	    sfc_nl_get_link(st->link.peer_ifindex, st->link.peer_nsid, &peer))
		return true; /* nothing known of the peer: skbs are what always works */
	if (!peer.xdp_prog_id || peer.xdp_prog_id == dp->prog_ids[1])
		return true;
	/* the pass-through program sfc gave the peer before (a restart) */
	return (__u32)st->link.peer_ifindex == before->peer_ifindex &&
	       st->link.peer_nsid == before->peer_nsid;
}

/* sfc's XDP program off an interface now steered at tc (it was steered in
 * XDP before, maybe by an older sfc: the record says in which mode): after
 * tc is in place, so no packet goes unsteered. */
static int xdp_off(const struct sfc_dp *dp, int ifindex, __u32 before_mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 ours = dp->prog_ids[0];
	int err = 0;

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	if (q.drv_prog_id && (q.drv_prog_id == ours || before_mode == XDP_FLAGS_DRV_MODE))
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (!err && q.skb_prog_id && (q.skb_prog_id == ours || before_mode == XDP_FLAGS_SKB_MODE))
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
	return err;
}

/*
 * Any other veth sfc is given (an ingress point) takes XDP frames, as the
 * egress of a chain's XDP end, only when its peer already runs an XDP
 * program of its own; sfc leaves that peer alone. Anything else is left
 * out of sfc_tx_ports, and chains ending there end on the stack.
 */
static void peer_runs_xdp(struct sfc_iface_state *st)
{
	struct sfc_link peer;

	if ((st->roles & SFC_IF_SF_OUT) || strcmp(st->link.kind, "veth") ||
	    !st->link.peer_ifindex)
		return;
	if (!sfc_nl_get_link(st->link.peer_ifindex, st->link.peer_nsid, &peer) &&
	    peer.xdp_prog_id)
		st->v.flags |= SFC_IF_XDP_TX_OK;
}

/* Programs on the interface; st->outcome says how it went. */
static void attach_programs(struct sfc_dp *dp, struct sfc_iface_state *st,
			    const struct sfc_iface_record *before)
{
	bool tc_steer = dp->steer == SFC_STEER_TC;
	__u32 mode = SFC_REC_NO_XDP;
	int err;

	st->ifindex = if_nametoindex(st->name);
	if (!st->ifindex) {
		pr_info("interface %s does not exist (yet)\n", st->name);
		st->outcome = SFC_IFACE_MISSING;
		return;
	}
	err = sfc_nl_get_link(st->ifindex, -1, &st->link);
	if (err) {
		failed(st, "%s: %s: %s%s", "cannot read link", err, "");
		return;
	}
	memcpy(st->rec.mac, st->link.mac, 6);
	snprintf(st->rec.name, sizeof(st->rec.name), "%s", st->name);
	st->rec.peer_nsid = -1;
	st->rec.netns_ino = sfc_netns_self_ino();

	if (dp->steer == SFC_STEER_AUTO && !strcmp(st->link.kind, "veth"))
		tc_steer = veth_wants_tc(dp, st, before);
	if (!tc_steer) {
		err = sfc_dp_attach_xdp(dp, st->ifindex, dp->steer == SFC_STEER_XDP, &mode);
		if (err && dp->steer == SFC_STEER_AUTO && (err == -EOPNOTSUPP || err == -EINVAL)) {
			tc_steer = true; /* no native XDP: tc, not generic mode */
			err = 0;
		}
		if (err) {
			failed(st, "%s: %s failed: %s%s", "attaching XDP", err,
			       err == -EBUSY || err == -EEXIST ?
			       " (another XDP program is attached)" : "");
			return;
		}
	}
	if (tc_steer) {
		st->v.flags |= SFC_IF_TC_STEER;
		mode = SFC_REC_NO_XDP;
	}
	st->rec.xdp_mode = mode;
	err = sfc_dp_attach_tc(dp, st->ifindex, 0);
	if (!err && (st->roles & SFC_IF_INGRESS))
		err = sfc_dp_attach_tc(dp, st->ifindex, 1);
	else if (!err)
		sfc_dp_detach_tc(st->ifindex, 1);
	if (err) {
		/* nothing half-attached stays behind unrecorded */
		sfc_dp_detach_tc(st->ifindex, 0);
		sfc_dp_detach_tc(st->ifindex, 1);
		if (!tc_steer)
			bpf_xdp_detach(st->ifindex, mode, NULL);
		failed(st, "%s: %s failed: %s%s", "attaching tc", err,
		       " (an \"ingress\" qdisc or another filter at pref " STR(SFC_TC_PRIO) " may be in the way)");
		return;
	}
	st->outcome = SFC_IFACE_OK;
	peer_napi(dp, st, before);
	peer_runs_xdp(st);
}

int sfc_refresh_peer_xdp(struct sfc_dp *dp, struct sfc_iface_state *st)
{
	const struct sfc_maps *m = &dp->maps;
	__u32 was = st->v.flags & SFC_IF_XDP_TX_OK;
	int ret;

	st->roles = st->v.flags & ~SFC_IF_XDP_TX_OK;
	if (st->roles & SFC_IF_SF_OUT)
		return 0; /* peer_napi's: sfc's own program on the far end */
	st->v.flags = st->roles;
	peer_runs_xdp(st);
	if ((st->v.flags & SFC_IF_XDP_TX_OK) == was)
		return 0;
	/* out of sfc_tx_ports first, into it last: never a redirect to a
	 * far end that has no NAPI */
	if (!(st->v.flags & SFC_IF_XDP_TX_OK))
		bpf_map_delete_elem(m->tx_ports, &st->ifindex);
	ret = sfc_iface_put(m, st->ifindex, &st->v, BPF_EXIST);
	if (ret)
		return ret;
	if ((st->v.flags & SFC_IF_XDP_TX_OK) &&
	    bpf_map_update_elem(m->tx_ports, &st->ifindex, &st->ifindex, BPF_ANY))
		return -errno;
	pr_info("%s: its far end %s an XDP program: chain ends in XDP %s leave by it\n",
		st->name, (st->v.flags & SFC_IF_XDP_TX_OK) ? "runs" : "no longer runs",
		(st->v.flags & SFC_IF_XDP_TX_OK) ? "may" : "no longer");
	return 0;
}

void sfc_tc_ingress_refresh(struct sfc_dp *dp)
{
	__u64 self = sfc_netns_self_ino();
	__u32 key, next, *prev = NULL;

	while (!bpf_map_get_next_key(dp->rec.ifaces, prev, &next)) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)next, .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, q, .handle = SFC_TC_HANDLE, .priority = SFC_TC_PRIO);
		struct sfc_iface_record rec;
		char name[IF_NAMESIZE];

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(dp->rec.ifaces, &key, &rec) ||
		    (rec.netns_ino && self && rec.netns_ino != self) ||
		    !if_indextoname(key, name) || strncmp(name, rec.name, sizeof(rec.name)))
			continue; /* not here: not ours to touch */
		if (bpf_tc_query(&hook, &q) || q.prog_id == dp->prog_ids[2])
			continue;
		if (sfc_dp_attach_tc(dp, (int)key, 0))
			pr_warn("%s: replacing an older sfc_tc_ingress failed\n", name);
	}
}

int sfc_attach_iface(struct sfc_dp *dp, struct sfc_iface_state *st)
{
	const struct sfc_maps *m = &dp->maps;
	struct sfc_iface_record before = {};
	int ret, ifindex = if_nametoindex(st->name);

	st->outcome = SFC_IFACE_FAILED;
	st->ifindex = 0;
	st->error[0] = '\0';
	memset(&st->link, 0, sizeof(st->link));
	st->v = (struct sfc_iface){ .flags = st->roles, .sf_id = st->sf_id };
	memset(&st->rec, 0, sizeof(st->rec));
	if (ifindex)
		bpf_map_lookup_elem(dp->rec.ifaces, &ifindex, &before);
	attach_programs(dp, st, &before);
	if (st->outcome != SFC_IFACE_OK)
		return 0;
	/* the record first: --unload needs it to take back what is attached */
	ret = bpf_map_update_elem(dp->rec.ifaces, &st->ifindex, &st->rec, BPF_ANY) ? -errno :
	      sfc_iface_put(m, st->ifindex, &st->v, BPF_ANY);
	if (ret) {
		snprintf(st->error, sizeof(st->error), "%s: writing sfc_ifaces or its record: %s",
			 st->name, strerror(-ret));
		return ret;
	}
	if (st->v.flags & SFC_IF_XDP_TX_OK)
		bpf_map_update_elem(m->tx_ports, &st->ifindex, &st->ifindex, BPF_ANY);
	else
		bpf_map_delete_elem(m->tx_ports, &st->ifindex);
	/* steered at tc from now on (the value says so): XDP can go */
	if (st->v.flags & SFC_IF_TC_STEER) {
		ret = xdp_off(dp, st->ifindex, before.xdp_mode);
		if (ret)
			pr_warn("%s: now steered at tc, but sfc's XDP program stays attached: %s\n",
				st->name, strerror(-ret));
	}
	return 0;
}
