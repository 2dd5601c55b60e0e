/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control plane's record: what sfcd knows of the objects it wrote into
 * the datapath (names, the SPI, return interfaces, how and where it
 * attached) and no BPF program reads. Pinned maps beside the datapath's,
 * written only by user space, so they survive a daemon crash with it.
 */
#ifndef SFC_RECORD_H
#define SFC_RECORD_H

#include <linux/types.h>

#include "ids.h"
#include "sfc_abi.h"

struct sfc_dp;

/* sfc_record_sfs: SF id -> the SF (array, SFC_MAX_SFS) */
struct sfc_sf_record {
	char  name[SFC_NAME_LEN];  /* "" = id free */
	__u32 ret_ifindex;         /* the SF sends packets back here */
	__u16 kind;                /* SFC_SF_IFACE, ... */
	__u8  pad[2];
};
_Static_assert(sizeof(struct sfc_sf_record) == 40, "sfc_sf_record layout");

/* sfc_record_chains: chain id -> the chain (array, SFC_MAX_CHAINS) */
struct sfc_chain_record {
	char  name[SFC_NAME_LEN];  /* "" = id free */
	__u32 spi;
	__u32 pad;
};
_Static_assert(sizeof(struct sfc_chain_record) == 40, "sfc_chain_record layout");

/* xdp_mode of an interface steered at tc: sfc attached no XDP program there */
#define SFC_REC_NO_XDP 0xffffffffu

/* sfc_record_ifaces: ifindex -> how sfc attached there (hash, SFC_MAX_IFACES) */
struct sfc_iface_record {
	char  name[16];            /* the interface's name when attached */
	__u8  mac[6];
	__u8  pad[2];
	__u32 xdp_mode;            /* XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE, SFC_REC_NO_XDP;
				    * 0: unknown */
	__u32 peer_ifindex;        /* veth peer given sfc_xdp_peer (0 = none) */
	__s32 peer_nsid;           /* its netns id as seen from here (-1 = this one) */
	__u32 pad2;
	__u64 netns_ino;           /* inode of the netns sfcd saw it in (0: unknown) */
};
_Static_assert(sizeof(struct sfc_iface_record) == 48, "sfc_iface_record layout");

/* sfc_record_abi: index 0 -> the map ABI of the pins (array, 1 entry) */
struct sfc_abi_record {
	__u32 version;             /* SFC_ABI_VERSION of the sfc that last loaded them */
	__u32 pad;
};
_Static_assert(sizeof(struct sfc_abi_record) == 8, "sfc_abi_record layout");

/* Open the record pinned in dp's pin directory; create and pin what is
 * missing when create. Negative errno, logged with the pin's path. */
int sfc_record_open(struct sfc_dp *dp, bool create);
void sfc_record_close(struct sfc_dp *dp);
/* Record that the pins now hold this sfc's map ABI (SFC_ABI_VERSION). */
int sfc_record_abi_set(const struct sfc_dp *dp);

/* Names held by every SF id / chain id; NULL with errno set. Caller frees. */
sfc_id_name *sfc_record_sf_names(const struct sfc_dp *dp);
sfc_id_name *sfc_record_chain_names(const struct sfc_dp *dp);

#endif
