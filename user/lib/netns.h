/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Acting on links in other network namespaces (the far end of a veth). */
#ifndef SFC_NETNS_H
#define SFC_NETNS_H

#include <stdbool.h>
#include <linux/types.h>

/* A file descriptor for the netns that has id nsid as seen from ours,
 * found among /run/netns and the processes' namespaces. Negative errno. */
int sfc_netns_open_by_nsid(int nsid);
/* Attach (prog_fd >= 0) or detach (-1) XDP on ifindex of netns nsid
 * (-1: ours), native mode. Negative errno. */
int sfc_netns_set_xdp(int nsid, int ifindex, int prog_fd);
/* Inode of our netns (0: unknown), and whether a netns with that inode is
 * still alive (named under /run/netns or some process's). */
__u64 sfc_netns_self_ino(void);
bool sfc_netns_live(__u64 ino);

#endif
