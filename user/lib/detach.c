// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Take sfc off interfaces: one, or every one the datapath knows. XDP comes
 * off in the mode it was attached (generic on bridges, lo and drivers
 * without native XDP), and only what sfc attached; what cannot be taken
 * back stays recorded, so the pins that describe it are kept.
 */
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

static const char *mode_name(__u32 mode)
{
	return mode == XDP_FLAGS_SKB_MODE ? "generic" : mode == XDP_FLAGS_DRV_MODE ?
	       "native" : mode == SFC_REC_NO_XDP ? "none" : "unknown";
}

/* XDP off ifindex: the recorded mode, and any mode running our program. */
static int detach_xdp(const struct sfc_dp *dp, int ifindex, const struct sfc_iface_record *rec,
		      char *why, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 ours = dp->prog_ids[0];
	int err;

	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	if ((q.drv_prog_id && (q.drv_prog_id == ours || rec->xdp_mode == XDP_FLAGS_DRV_MODE)) ||
	    (!ours && !rec->xdp_mode && q.drv_prog_id)) {
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
		if (err) {
			snprintf(why, len, "detaching native XDP: %s", strerror(-err));
			return err;
		}
	}
	if ((q.skb_prog_id && (q.skb_prog_id == ours || rec->xdp_mode == XDP_FLAGS_SKB_MODE)) ||
	    (!ours && !rec->xdp_mode && q.skb_prog_id)) {
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
		if (err) {
			snprintf(why, len, "detaching generic XDP: %s", strerror(-err));
			return err;
		}
	}
	/* Detaching what is not there succeeds: check that it is gone. */
	memset(&q, 0, sizeof(q));
	q.sz = sizeof(q);
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	if ((ours && (q.drv_prog_id == ours || q.skb_prog_id == ours)) ||
	    (rec->xdp_mode == XDP_FLAGS_DRV_MODE && q.drv_prog_id) ||
	    (rec->xdp_mode == XDP_FLAGS_SKB_MODE && q.skb_prog_id)) {
		snprintf(why, len, "sfc's XDP program (%s mode) is still attached",
			 mode_name(rec->xdp_mode));
		return -EBUSY;
	}
	return 0;
}

static int detach_tc(int ifindex, char *why, size_t len)
{
	for (int egress = 0; egress <= 1; egress++) {
		int err = sfc_dp_detach_tc(ifindex, egress);

		if (err && err != -ENOENT && err != -EINVAL) {
			snprintf(why, len, "detaching tc %s: %s", egress ? "egress" : "ingress",
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Is the interface sfc recorded still here, in this netns? 0 yes, 1 gone
 * (nothing left to take back: deleted, or its netns is), negative:
 * elsewhere, why says where. */
static int locate(__u32 ifindex, const struct sfc_iface_record *rec, char *why, size_t len)
{
	__u64 self = sfc_netns_self_ino();
	char name[IF_NAMESIZE];

	if (rec->netns_ino && self && rec->netns_ino != self) {
		if (!sfc_netns_live(rec->netns_ino))
			return 1;
		snprintf(why, len, "it is in another network namespace (net:[%llu]); run "
			 "sfcd --unload there (nsenter --net=...)",
			 (unsigned long long)rec->netns_ino);
		return -EXDEV;
	}
	if (!if_indextoname(ifindex, name))
		return 1;
	/* Renamed, or gone and its ifindex reused? Another name and another
	 * MAC: another interface, which sfc leaves alone. */
	if (rec->name[0] && strcmp(name, rec->name)) {
		struct sfc_link link;

		if (!sfc_nl_get_link(ifindex, -1, &link) && memcmp(link.mac, rec->mac, 6))
			return 1;
	}
	return 0;
}

static void forget(const struct sfc_dp *dp, __u32 ifindex)
{
	bpf_map_delete_elem(dp->maps.tx_ports, &ifindex);
	sfc_iface_del(&dp->maps, ifindex);
	bpf_map_delete_elem(dp->rec.ifaces, &ifindex);
}

/* 0 once nothing of sfc is left on ifindex; else negative errno, logged. */
static int detach(const struct sfc_dp *dp, __u32 ifindex)
{
	struct sfc_iface_record rec = { .peer_nsid = -1 };
	char why[256] = "";
	int err;

	bpf_map_lookup_elem(dp->rec.ifaces, &ifindex, &rec);
	err = locate(ifindex, &rec, why, sizeof(why));
	if (err == 1) {
		pr_info("%s (ifindex %u) is gone; nothing of sfc left on it\n",
			rec.name[0] ? rec.name : "interface", ifindex);
		forget(dp, ifindex);
		return 0;
	}
	if (!err)
		err = detach_xdp(dp, ifindex, &rec, why, sizeof(why));
	if (!err)
		err = detach_tc(ifindex, why, sizeof(why));
	if (err) {
		pr_warn("%s (ifindex %u): sfc stays attached: %s\n",
			rec.name[0] ? rec.name : "interface", ifindex, why);
		return err;
	}
	if (rec.peer_ifindex) {
		err = sfc_netns_set_xdp(rec.peer_nsid, rec.peer_ifindex, -1);
		if (err && err != -ENODEV && err != -ENOENT)
			pr_warn("%s: detaching from its veth peer: %s\n", rec.name,
				strerror(-err));
	}
	forget(dp, ifindex);
	return 0;
}

int sfc_detach_iface(struct sfc_dp *dp, __u32 ifindex)
{
	struct sfc_iface v;

	if (bpf_map_lookup_elem(dp->maps.ifaces, &ifindex, &v))
		return -ENOENT;
	return detach(dp, ifindex);
}

int sfc_detach_all(struct sfc_dp *dp)
{
	const struct sfc_maps *m = &dp->maps;
	__u32 key, next, *prev = NULL, all[SFC_MAX_IFACES];
	int n = 0, stay = 0;

	while (!bpf_map_get_next_key(m->ifaces, prev, &next) && n < SFC_MAX_IFACES) {
		all[n++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < n; i++)
		stay += detach(dp, all[i]) != 0;
	return stay;
}
