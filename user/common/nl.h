/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* rtnetlink through libmnl: what the loader needs to know about links. */
#ifndef SFC_NL_H
#define SFC_NL_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

struct sfc_link {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];        /* IFLA_INFO_KIND: "veth", "" for none */
	__u8 mac[6];
	bool up;              /* IFF_UP and IFF_LOWER_UP: can pass traffic */
	int peer_ifindex;     /* IFLA_LINK (veth peer), 0 = none */
	int peer_nsid;        /* IFLA_LINK_NETNSID, -1 = same netns */
	__u32 xdp_prog_id;    /* attached XDP program, 0 = none */
};

/* Query one link by ifindex, in netns nsid (-1: ours). Negative errno. */
int sfc_nl_get_link(int ifindex, int nsid, struct sfc_link *out);
#endif
