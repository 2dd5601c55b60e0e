// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Take sfc off interfaces: one, or every one the datapath knows. */
#include <errno.h>
#include <bpf/bpf.h>

#include "apply.h"
#include "netns.h"

static void detach(const struct sfc_maps *m, __u32 ifindex, const struct sfc_iface *v)
{
	sfc_dp_detach_xdp(ifindex);
	sfc_dp_detach_tc(ifindex, 0);
	sfc_dp_detach_tc(ifindex, 1);
	if (v && v->peer_ifindex)
		sfc_netns_set_xdp(v->peer_nsid, v->peer_ifindex, -1);
	bpf_map_delete_elem(m->tx_ports, &ifindex);
	bpf_map_delete_elem(m->ifaces, &ifindex);
}

int sfc_detach_iface(struct sfc_dp *dp, __u32 ifindex)
{
	struct sfc_iface v;

	if (bpf_map_lookup_elem(dp->maps.ifaces, &ifindex, &v))
		return -ENOENT;
	detach(&dp->maps, ifindex, &v);
	return 0;
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
		detach(m, all[i], &v[i]);
	return 0;
}
