// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
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

static int convert_ifaces(struct sfc_dp *dp, int old);
static int convert_sfs(struct sfc_dp *dp, int old);
static int convert_chains(struct sfc_dp *dp, int old);
static int convert_paths(struct sfc_dp *dp, int old);

static const struct {
	const char *name;
	__u32 v1_size, size;
	int (*convert)(struct sfc_dp *dp, int old);
} maps[SFC_MIGRATE_MAPS] = {
	{ "sfc_ifaces", sizeof(struct sfc_iface_v1), sizeof(struct sfc_iface), convert_ifaces },
	{ "sfc_sfs", sizeof(struct sfc_sf_v1), sizeof(struct sfc_sf), convert_sfs },
	{ "sfc_chains", sizeof(struct sfc_chain_v1), sizeof(struct sfc_chain), convert_chains },
	{ "sfc_paths", sizeof(struct sfc_path_v1), sizeof(struct sfc_path), convert_paths },
};

static int value_size(int fd, __u32 *size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*size = info.value_size;
	return 0;
}

/* The old pin: NAME_v1 when an interrupted upgrade left it, else NAME
 * when it has the old layout (then pinned as NAME_v1). 0 or fd. */
static int set_aside(const char *pin_dir, int i)
{
	char path[PATH_MAX], aside[PATH_MAX];
	__u32 size = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, maps[i].name);
	snprintf(aside, sizeof(aside), "%s_v1", path);
	fd = bpf_obj_get(aside);
	if (fd >= 0)
		return fd;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	err = value_size(fd, &size);
	if (!err && size == maps[i].size) {
		close(fd);
		return 0;
	}
	if (!err && size != maps[i].v1_size) {
		pr_warn("%s: pinned values are %u bytes, neither this sfc's (%u) nor an older "
			"sfc's (%u): remove the pin directory after detaching\n", path, size,
			maps[i].size, maps[i].v1_size);
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
	pr_info("%s: older layout (%u-byte values), converted after loading\n", path, size);
	return fd;
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
					    dp->maps.paths };

	for (int i = 0; i < SFC_MIGRATE_MAPS; i++) {
		__u32 size = 0;

		if (!value_size(fds[i], &size) && size != maps[i].size) {
			pr_warn("%s/%s: pinned by an older sfc (%u-byte values, this one uses "
				"%u): start this sfcd once on that pin directory to convert it, "
				"or use the older sfcd\n", dp->pin_dir, maps[i].name, size,
				maps[i].size);
			return -EPROTO;
		}
	}
	return 0;
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
