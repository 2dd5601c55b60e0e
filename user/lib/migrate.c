// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "log.h"
#include "migrate.h"
#include "netns.h"
#include "record.h"
#include "sfc.skel.h"
#include "sfc_reasons.h"

/* The values of SFC_ABI_VERSION 1 (sfc at e7f22e4 and before). */
struct sfc_iface_v1 {
	__u32 flags, sf_id;
	__u8  mac[6], pad[2];
	__u32 peer_ifindex;
	__s32 peer_nsid;
};
_Static_assert(sizeof(struct sfc_iface_v1) == 24, "sfc_iface v1");

struct sfc_sf_v1 {
	__u32 ifindex, ret_ifindex;
	__u16 kind, flags;
	__u8  mac[6], out_mac[6], pad[8];
	char  name[SFC_NAME_LEN];
};
_Static_assert(sizeof(struct sfc_sf_v1) == 64, "sfc_sf v1");

struct sfc_chain_v1 {
	__u32 path_id, spi;
	char  name[SFC_NAME_LEN];
};
_Static_assert(sizeof(struct sfc_chain_v1) == 40, "sfc_chain v1");

struct sfc_path_v1 {
	__u32 chain_id, spi;
	__u8  nhops, on_failure, pad[6];
};
_Static_assert(sizeof(struct sfc_path_v1) == 16, "sfc_path v1");

/* sfc_flow of SFC_ABI_VERSION 4 and before (sfc at 20e9155 and before):
 * the current one without the resolved steps and addresses, under a
 * struct sfc_flow_key. */
#define SFC_FLOW_V4_SIZE 36
_Static_assert(offsetof(struct sfc_flow, steps_path) == SFC_FLOW_V4_SIZE, "sfc_flow v4");

static int convert_ifaces(struct sfc_dp *dp, int old);
static int convert_sfs(struct sfc_dp *dp, int old);
static int convert_chains(struct sfc_dp *dp, int old);
static int convert_paths(struct sfc_dp *dp, int old);
static int convert_reasons(struct sfc_dp *dp, int old);
static int convert_flows(struct sfc_dp *dp, int old);

/* A pinned map's shape: what tells an older layout from the current one. */
struct shape {
	__u32 value_size, max_entries;
};

static const struct {
	const char *name;
	struct shape old, now;
	int (*convert)(struct sfc_dp *dp, int old);
} maps[SFC_MIGRATE_MAPS] = {
	/* ABI 1 -> 2: names and bookkeeping left the values */
	{ "sfc_ifaces", { sizeof(struct sfc_iface_v1), SFC_MAX_IFACES },
	  { sizeof(struct sfc_iface), SFC_MAX_IFACES }, convert_ifaces },
	{ "sfc_sfs", { sizeof(struct sfc_sf_v1), SFC_MAX_SFS },
	  { sizeof(struct sfc_sf), SFC_MAX_SFS }, convert_sfs },
	{ "sfc_chains", { sizeof(struct sfc_chain_v1), SFC_MAX_CHAINS },
	  { sizeof(struct sfc_chain), SFC_MAX_CHAINS }, convert_chains },
	{ "sfc_paths", { sizeof(struct sfc_path_v1), SFC_MAX_PATHS },
	  { sizeof(struct sfc_path), SFC_MAX_PATHS }, convert_paths },
	/* ABI 2 -> 3: room for 64 drop reasons (was 32) */
	{ "sfc_reasons", { sizeof(__u64), SFC_R_MAX_V2 }, { sizeof(__u64), SFC_R_MAX },
	  convert_reasons },
	/* ABI 4 -> 5: flows keep their resolved steps */
	{ "sfc_flows", { SFC_FLOW_V4_SIZE, SFC_FLOW_ENTRIES },
	  { sizeof(struct sfc_flow), SFC_FLOW_ENTRIES }, convert_flows },
};

static int shape_of(int fd, struct shape *sh)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	sh->value_size = info.value_size;
	sh->max_entries = info.max_entries;
	return 0;
}

static bool same_shape(struct shape a, struct shape b)
{
	return a.value_size == b.value_size && a.max_entries == b.max_entries;
}

/* The old pin: NAME_v1 when an interrupted upgrade left it, else NAME
 * when it has the old layout (then pinned as NAME_v1). 0 or fd. */
static int set_aside(const char *pin_dir, int i)
{
	char path[PATH_MAX], aside[PATH_MAX];
	struct shape sh = {};
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, maps[i].name);
	snprintf(aside, sizeof(aside), "%s_v1", path);
	fd = bpf_obj_get(aside);
	if (fd >= 0)
		return fd;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	err = shape_of(fd, &sh);
	if (!err && same_shape(sh, maps[i].now)) {
		close(fd);
		return 0;
	}
	if (!err && !same_shape(sh, maps[i].old)) {
		pr_warn("%s: pinned map has %u-byte values and %u entries, neither this sfc's "
			"(%u, %u) nor an older sfc's (%u, %u): remove the pin directory after "
			"detaching\n", path, sh.value_size, sh.max_entries, maps[i].now.value_size,
			maps[i].now.max_entries, maps[i].old.value_size, maps[i].old.max_entries);
		err = -EINVAL;
	}
	/* bpffs has no rename: pin it again under the other name, then unpin */
	if (!err && (bpf_obj_pin(fd, aside) || unlink(path)))
		err = -errno;
	if (err) {
		if (err != -EINVAL)
			pr_warn("%s: setting the older layout aside: %s\n", path, strerror(-err));
		close(fd);
		return err;
	}
	pr_info("%s: older layout (%u-byte values, %u entries), converted after loading\n",
		path, sh.value_size, sh.max_entries);
	return fd;
}

int sfc_migrate_check_version(const char *pin_dir)
{
	struct sfc_abi_record r = {};
	char path[PATH_MAX];
	__u32 key = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/sfc_record_abi", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0; /* no pins, or pins of ABI 1 or 2: their shapes tell */
	if (bpf_map_lookup_elem(fd, &key, &r))
		err = -errno;
	close(fd);
	if (err) {
		pr_warn("%s: %s\n", path, strerror(-err));
		return err;
	}
	if (r.version > SFC_ABI_VERSION) {
		pr_warn("%s: the pinned datapath was written by a newer sfc (map ABI %u; this "
			"sfc speaks %u and cannot read it): use the newer sfc, or detach "
			"everything with it and remove the pin directory\n", pin_dir, r.version,
			SFC_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

int sfc_migrate_prepare(const char *pin_dir, struct sfc_migration *mig)
{
	memset(mig, 0, sizeof(*mig));
	for (int i = 0; i < SFC_MIGRATE_MAPS; i++) {
		int fd = set_aside(pin_dir, i);

		if (fd < 0) {
			sfc_migrate_abort(pin_dir, mig);
			return fd;
		}
		mig->old_fd[i] = fd;
	}
	return 0;
}

void sfc_migrate_abort(const char *pin_dir, struct sfc_migration *mig)
{
	char path[PATH_MAX], aside[PATH_MAX];

	for (int i = 0; i < SFC_MIGRATE_MAPS; i++) {
		if (mig->old_fd[i] <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, maps[i].name);
		snprintf(aside, sizeof(aside), "%s_v1", path);
		/* a new map pinned by the failed load goes; the old one comes back */
		unlink(path);
		if (bpf_obj_pin(mig->old_fd[i], path))
			pr_warn("%s: cannot put the older map back: %s\n", path, strerror(errno));
		else
			unlink(aside);
		close(mig->old_fd[i]);
		mig->old_fd[i] = 0;
	}
}

int sfc_migrate_finish(struct sfc_dp *dp, struct sfc_migration *mig)
{
	char aside[PATH_MAX];
	int err = 0;

	/* nothing reads the new maps before sfc_apply attaches the new programs */
	for (int i = 0; i < SFC_MIGRATE_MAPS && !err; i++) {
		if (mig->old_fd[i] <= 0)
			continue;
		err = maps[i].convert(dp, mig->old_fd[i]);
		if (err) {
			pr_warn("%s: converting from the older layout: %s\n", maps[i].name,
				strerror(-err));
			break;
		}
		snprintf(aside, sizeof(aside), "%s/%s_v1", dp->pin_dir, maps[i].name);
		unlink(aside);
		close(mig->old_fd[i]);
		mig->old_fd[i] = 0;
		pr_info("%s: converted to the current layout\n", maps[i].name);
	}
	return err;
}

int sfc_migrate_check_layout(const struct sfc_dp *dp)
{
	const int fds[SFC_MIGRATE_MAPS] = { dp->maps.ifaces, dp->maps.sfs, dp->maps.chains,
					    dp->maps.paths, dp->maps.reasons, dp->maps.flows };
	int err = sfc_migrate_check_version(dp->pin_dir);

	for (int i = 0; i < SFC_MIGRATE_MAPS && !err; i++) {
		struct shape sh = {};

		if (!shape_of(fds[i], &sh) && !same_shape(sh, maps[i].now)) {
			pr_warn("%s/%s: pinned by an older sfc (%u-byte values, %u entries; this "
				"one uses %u, %u): start this sfcd once on that pin directory to "
				"convert it, or use the older sfcd\n", dp->pin_dir, maps[i].name,
				sh.value_size, sh.max_entries, maps[i].now.value_size,
				maps[i].now.max_entries);
			err = -EPROTO;
		}
	}
	return err;
}

/* --- one conversion per map */

static int convert_ifaces(struct sfc_dp *dp, int old)
{
	__u32 key, next, *prev = NULL;
	__u64 self = sfc_netns_self_ino();

	while (!bpf_map_get_next_key(old, prev, &next)) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		struct sfc_iface_v1 o;
		struct sfc_iface v;
		struct sfc_iface_record r = { .peer_nsid = -1 };

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(old, &key, &o))
			continue;
		v = (struct sfc_iface){ .flags = o.flags, .sf_id = o.sf_id };
		if_indextoname(key, r.name);
		memcpy(r.mac, o.mac, 6);
		r.peer_ifindex = o.peer_ifindex;
		r.peer_nsid = o.peer_nsid;
		r.netns_ino = self;
		/* version 1 did not record the mode: the one its program runs in */
		if (!bpf_xdp_query(key, 0, &q))
			r.xdp_mode = q.drv_prog_id ? XDP_FLAGS_DRV_MODE :
				     q.skb_prog_id ? XDP_FLAGS_SKB_MODE : 0;
		if (bpf_map_update_elem(dp->rec.ifaces, &key, &r, BPF_ANY) ||
		    bpf_map_update_elem(dp->maps.ifaces, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int convert_sfs(struct sfc_dp *dp, int old)
{
	struct sfc_sf_v1 *o = sfc_map_read_array(old, SFC_MAX_SFS, sizeof(*o));
	int err = 0;

	if (!o)
		return -ENOMEM;
	for (__u32 id = 1; id < SFC_MAX_SFS && !err; id++) {
		struct sfc_sf v = { .ifindex = o[id].ifindex, .flags = o[id].flags };
		struct sfc_sf_record r = { .ret_ifindex = o[id].ret_ifindex, .kind = o[id].kind };

		if (!o[id].name[0])
			continue;
		memcpy(v.mac, o[id].mac, 6);
		memcpy(v.out_mac, o[id].out_mac, 6);
		memcpy(r.name, o[id].name, SFC_NAME_LEN);
		if (bpf_map_update_elem(dp->rec.sfs, &id, &r, BPF_ANY) ||
		    bpf_map_update_elem(dp->maps.sfs, &id, &v, BPF_ANY))
			err = -errno;
	}
	free(o);
	return err;
}

static int convert_chains(struct sfc_dp *dp, int old)
{
	struct sfc_chain_v1 *o = sfc_map_read_array(old, SFC_MAX_CHAINS, sizeof(*o));
	int err = 0;

	if (!o)
		return -ENOMEM;
	for (__u32 id = 1; id < SFC_MAX_CHAINS && !err; id++) {
		struct sfc_chain v = { .path_id = o[id].path_id };
		struct sfc_chain_record r = { .spi = o[id].spi };

		if (!o[id].name[0])
			continue;
		memcpy(r.name, o[id].name, SFC_NAME_LEN);
		if (bpf_map_update_elem(dp->rec.chains, &id, &r, BPF_ANY) ||
		    bpf_map_update_elem(dp->maps.chains, &id, &v, BPF_ANY))
			err = -errno;
	}
	free(o);
	return err;
}

static int convert_paths(struct sfc_dp *dp, int old)
{
	struct sfc_path_v1 *o = sfc_map_read_array(old, SFC_MAX_PATHS, sizeof(*o));
	int err = 0;

	if (!o)
		return -ENOMEM;
	for (__u32 id = 1; id < SFC_MAX_PATHS && !err; id++) {
		struct sfc_path v = { .chain_id = o[id].chain_id, .nhops = o[id].nhops,
				      .on_failure = o[id].on_failure };

		if (!o[id].chain_id && !o[id].nhops)
			continue;
		if (bpf_map_update_elem(dp->maps.paths, &id, &v, BPF_ANY))
			err = -errno;
	}
	free(o);
	return err;
}

/* Per-CPU counters: the old reasons keep their numbers, the new ones start at 0. */
static int convert_reasons(struct sfc_dp *dp, int old)
{
	size_t n = dp->ncpus > 0 ? (size_t)dp->ncpus : 1;
	__u64 *v = calloc(n, sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (__u32 r = 0; r < SFC_R_MAX_V2 && !err; r++) {
		if (bpf_map_lookup_elem(old, &r, v) ||
		    bpf_map_update_elem(dp->maps.reasons, &r, v, BPF_ANY))
			err = -errno;
	}
	free(v);
	return err;
}

/*
 * The chained flows, so that packets of flows in the middle of their chain
 * find their path when they come back from an SF; their steps are
 * resolved again by their next packets. Read in batches: the map holds up
 * to SFC_FLOW_ENTRIES. Entries the old programs add while this runs are
 * not copied: a packet of such a flow back from an SF is handled as one
 * no entry knows (an SF serving one chain adopts it, else its policy).
 */
static int convert_flows(struct sfc_dp *dp, int old)
{
	enum { BATCH = 4096 };
	struct sfc_flow_key *keys = calloc(BATCH, sizeof(*keys));
	struct sfc_flow_cache_key *nk = calloc(BATCH, sizeof(*nk));
	__u8 *vals = calloc(BATCH, SFC_FLOW_V4_SIZE);
	struct sfc_flow *nv = calloc(BATCH, sizeof(*nv));
	__u64 in = 0, out = 0, seed = 0;
	bool first = true, done = false;
	size_t copied = 0;
	__u32 zero = 0;
	int err = 0;

	if (!keys || !nk || !vals || !nv) {
		err = -ENOMEM;
		goto out;
	}
	/* the seed of IPv6 keys: written before the conversion (sfc_dp_load) */
	if (bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.sfc_meta_key), &zero, &seed)) {
		err = -errno;
		goto out;
	}
	while (!done && !err) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		__u32 n = BATCH;

		if (bpf_map_lookup_batch(old, first ? NULL : &in, &out, keys, vals, &n, &o)) {
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
			done = true; /* n holds what this last batch read */
		}
		first = false;
		in = out;
		for (__u32 i = 0; i < n; i++) {
			nv[i] = (struct sfc_flow){ 0 };
			memcpy(&nv[i], vals + (size_t)i * SFC_FLOW_V4_SIZE, SFC_FLOW_V4_SIZE);
			sfc_flow_cache_key_of(&keys[i], seed, &nk[i]);
			/* as the datapath writes them (bpf/classify.h) */
			memcpy(nv[i].addr6, keys[i].src, 16);
			memcpy(nv[i].addr6 + 16, keys[i].dst, 16);
		}
		if (n && bpf_map_update_batch(dp->maps.flows, nk, nv, &n, &o))
			err = -errno;
		copied += n;
	}
	if (!err)
		pr_info("sfc_flows: %zu flow entries copied\n", copied);
out:
	free(keys);
	free(nk);
	free(vals);
	free(nv);
	return err;
}
