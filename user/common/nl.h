/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtnetlink through libmnl: one socket helper for requests answered with
 * an ack or a dump (extended acks kept), and what sfc needs to know about
 * links. sfcd's monitor subscribes on a socket of its own.
 */
#ifndef SFC_NL_H
#define SFC_NL_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include <libmnl/libmnl.h>

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

/* A socket in the netns current when it was opened. */
struct sfc_nl {
	struct mnl_socket *sock;
	unsigned int seq, portid;
	char kmsg[256];       /* the kernel's message with the last error, "" none */
};

int sfc_nl_open(struct sfc_nl *nl);
void sfc_nl_close(struct sfc_nl *nl);
/* Send nlh (its seq is set here) and give every reply message to cb (NULL:
 * none) until the ack or the end of the dump. 0 or the kernel's negative
 * errno, with its extended ack message in nl->kmsg. */
int sfc_nl_talk(struct sfc_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/* RTM_GETLINK of ifindex, or of name when ifindex is 0, in netns nsid (-1:
 * the socket's). -ENODEV when there is no such link. */
int sfc_nl_link(struct sfc_nl *nl, int ifindex, const char *name, int nsid,
		struct sfc_link *out);
/* The id the socket's netns gives the netns open as fd (-1: none assigned). */
int sfc_nl_nsid(struct sfc_nl *nl, int fd, int *nsid);
/* RTM_GETLINK by ifindex on a socket of its own; the kernel's message is logged. */
int sfc_nl_get_link(int ifindex, int nsid, struct sfc_link *out);
#endif
