/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The loaded datapath: programs loaded through the skeleton, maps pinned
 * under a pin directory (and adopted from it when already there), and the
 * attach/detach of programs on interfaces.
 */
#ifndef SFC_DATAPATH_H
#define SFC_DATAPATH_H

#include <stddef.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

#include "sfc_abi.h"

#define SFC_DEFAULT_PIN_DIR "/sys/fs/bpf/sfc"

/* tc filter identity of sfc's clsact filters */
#define SFC_TC_HANDLE 0x5fc
#define SFC_TC_PRIO   1

struct sfc_bpf;
struct sfc_path_pool;

/* File descriptors of every map, from the skeleton or from the pins. */
struct sfc_maps {
	int config, ifaces, tx_ports, sfs, chains, paths, hops, sf_pos;
	int tuples, rules, flows, chain_stats, hop_stats, sf_stats, reasons;
	int if_front, hop_front, pos_front; /* -1: pins older than them (front.h) */
	/* observation (SFC_ABI_VERSION 6); -1: pins older than them */
	int obs, events, hop_drops, sf_stamp, sf_lat, flow_counts;
	int lb; /* hop tables (SFC_ABI_VERSION 7); -1: pins older than it */
	int path_rev, sf_back; /* symmetric chains (SFC_ABI_VERSION 8); -1: older pins */
};

/* The control plane's record (record.h): pinned, written by user space only. */
struct sfc_record_maps {
	int sfs, chains, ifaces, abi;
};

/* How packets are taken in on an interface (sfcd --steer). */
enum sfc_steer {
	SFC_STEER_AUTO,  /* XDP where frames arrive as XDP frames, tc where skbs do */
	SFC_STEER_XDP,   /* XDP everywhere (generic mode where the driver has none) */
	SFC_STEER_TC,    /* tc everywhere: no XDP program on any interface */
};

struct sfc_dp {
	struct sfc_bpf *skel;     /* NULL when opened read-only from pins */
	struct sfc_maps maps;
	struct sfc_record_maps rec;
	int xdp_fd, xdp_peer_fd, tc_ingress_fd, tc_egress_fd;
	__u32 prog_ids[4];        /* of the four fds above, in that order */
	int adopted;              /* programs adopted from the pins */
	bool no_peer_xdp;         /* never touch SF veth peers: use the tc path */
	enum sfc_steer steer;
	int ncpus;
	char pin_dir[PATH_MAX];
	struct sfc_path_pool *paths; /* path versions (path_pool.h), read on first use */
	unsigned int flow_idle_ms;   /* a flow of a retired version ends (path_pool.h); 0: default */
	/* sfcd's health probes: does the SF of this name fail its probe
	 * (then it is down whatever its links say)? NULL: none does */
	bool (*sf_failing)(void *ctx, const char *name);
	void *sf_failing_ctx;
};

/* Load the programs; reuse maps pinned in pin_dir, pin the others. */
int sfc_dp_load(const char *pin_dir, struct sfc_dp **out);
/* Put the auto end's conntrack stage in sfc_end_progs (user/lib/end_ct.c);
 * a kernel without conntrack kfuncs refuses it, which is not an error. */
int sfc_end_ct_load(struct sfc_dp *dp);
/* Open the pinned maps only (statistics, inspection). */
int sfc_dp_open_pinned(const char *pin_dir, struct sfc_dp **out);
void sfc_dp_close(struct sfc_dp *dp);
/* Remove every pin of pin_dir and the directory itself. */
int sfc_dp_unpin(const char *pin_dir);

/* Make sure pin_dir exists on a bpffs, mounting /sys/fs/bpf when it is
 * missing in the host's mount namespace; -EMEDIUMTYPE (and why) when the
 * pins would not be on a bpffs that outlives us. */
int sfc_dp_ensure_bpffs(const char *pin_dir);

/* Native XDP, else (generic_ok) generic; the mode in *mode_out. Our
 * program already there in either mode is left as it is. */
int sfc_dp_attach_xdp(struct sfc_dp *dp, int ifindex, bool generic_ok, __u32 *mode_out);
int sfc_dp_detach_xdp(int ifindex);
int sfc_dp_attach_tc(struct sfc_dp *dp, int ifindex, int egress);
int sfc_dp_detach_tc(int ifindex, int egress);

/* All n values of an array map (keys 0..n-1), read in batches; NULL with
 * errno set. The caller frees. */
void *sfc_map_read_array(int fd, __u32 n, size_t vsz);
/* Zero one entry of a per-CPU map on every CPU. */
int sfc_map_zero_percpu(const struct sfc_dp *dp, int fd, __u32 key, size_t value_size);

#endif
