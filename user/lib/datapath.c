// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "front.h"
#include "log.h"
#include "meta_key.h"
#include "migrate.h"
#include "path_pool.h"
#include "record.h"
#include "sfc.skel.h"
#include "xmit_trace.h"

#define MAP_FIELDS(X)                                                          \
	X(config) X(ifaces) X(tx_ports) X(sfs) X(chains) X(paths) X(hops)      \
	X(sf_pos) X(tuples) X(rules) X(flows) X(chain_stats) X(hop_stats)       \
	X(sf_stats) X(reasons)
/* Optional in pins (read-only opens of an older datapath have none). */
#define FRONT_FIELDS(X) X(if_front) X(hop_front) X(pos_front) \
	X(obs) X(events) X(hop_drops) X(sf_stamp) X(sf_lat) X(flow_counts) X(lb) \
	X(path_rev) X(sf_back)

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Is pid's mount namespace another than ours? 1, 0, or -1: cannot tell. */
static int mntns_differs(pid_t pid)
{
	struct stat self, other;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	if (stat("/proc/self/ns/mnt", &self) || stat(path, &other))
		return -1;
	return self.st_dev != other.st_dev || self.st_ino != other.st_ino;
}

/* statfs of path, or of its nearest ancestor that exists (named in where) */
static int statfs_existing(const char *path, struct statfs *st, char *where, size_t len)
{
	char *slash;

	if (snprintf(where, len, "%s", path) >= (int)len)
		return -ENAMETOOLONG;
	while (statfs(where, st)) {
		if (errno != ENOENT)
			return -errno;
		slash = strrchr(where, '/');
		if (!slash)
			return -ENOENT;
		if (slash == where)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return 0;
}

int sfc_dp_ensure_bpffs(const char *pin_dir)
{
	char where[PATH_MAX];
	struct statfs st;
	int err;

	if (!strncmp(pin_dir, "/sys/fs/bpf", 11) && (pin_dir[11] == '/' || !pin_dir[11]) &&
	    (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC)) {
		/* pid 1's namespace is the host's (or a container's own); where
		 * it cannot be read, our parent's (ip netns exec execs us) */
		if (mntns_differs(1) == 1 || mntns_differs(getppid()) == 1) {
			/* ip netns exec unshares the mount namespace and mounts a
			 * fresh sysfs: a bpffs mounted there dies with us, and so
			 * would every pin of a datapath that keeps running. */
			pr_warn("/sys/fs/bpf is not a bpf filesystem in this mount namespace, and this "
				"is not the mount namespace of pid 1 or of our parent (ip netns exec remounts /sys): "
				"pins made here would vanish with sfcd and orphan the datapath. "
				"Enter only the network namespace: nsenter --net=/run/netns/NAME sfcd ...\n");
			return -EMEDIUMTYPE;
		}
		mkdir("/sys/fs/bpf", 0700);
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			err = -errno;
			pr_warn("cannot mount bpffs on /sys/fs/bpf: %s\n", strerror(-err));
			return err;
		}
		pr_info("mounted bpffs on /sys/fs/bpf\n");
	}
	err = statfs_existing(pin_dir, &st, where, sizeof(where));
	if (err) {
		pr_warn("pin directory %s: %s\n", pin_dir, strerror(-err));
		return err;
	}
	if (st.f_type != BPF_FS_MAGIC) {
		pr_warn("pin directory %s: %s is not on a bpf filesystem (filesystem type 0x%lx); "
			"pins live on bpffs, e.g. under /sys/fs/bpf\n", pin_dir, where,
			(unsigned long)st.f_type);
		return -EMEDIUMTYPE;
	}
	err = mkdir_p(pin_dir);
	if (err)
		pr_warn("pin directory %s: %s\n", pin_dir, strerror(-err));
	return err;
}

static void set_fds_from_skel(struct sfc_dp *dp)
{
	struct sfc_bpf *s = dp->skel;

#define X(n) dp->maps.n = bpf_map__fd(s->maps.sfc_##n);
	MAP_FIELDS(X)
	FRONT_FIELDS(X)
#undef X
	dp->xdp_fd = bpf_program__fd(s->progs.sfc_xdp);
	dp->xdp_peer_fd = bpf_program__fd(s->progs.sfc_xdp_peer);
	dp->tc_ingress_fd = bpf_program__fd(s->progs.sfc_tc_ingress);
	dp->tc_egress_fd = bpf_program__fd(s->progs.sfc_tc_egress);
}

/*
 * The kernel adds BPF_F_RDONLY_PROG to every devmap it creates, and
 * libbpf 1.1 then finds the pinned devmap "incompatible" with its own
 * definition. Check it here and hand libbpf the pinned fd directly.
 */
static int reuse_devmap(struct sfc_dp *dp, struct bpf_map *map, const char *name)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0; /* not pinned yet: libbpf creates and pins it */
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) ||
	    info.max_entries != bpf_map__max_entries(map)) {
		pr_warn("%s: pinned map does not match this version of sfc\n", path);
		close(fd);
		return -EINVAL;
	}
	err = bpf_map__set_pin_path(map, NULL);
	if (!err)
		err = bpf_map__reuse_fd(map, fd);
	close(fd);
	return err;
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* The ids of the maps a program uses, sorted; their number or -errno. */
static int prog_map_ids(int fd, __u32 *ids, __u32 max)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.nr_map_ids > max)
		return -E2BIG;
	for (__u32 i = 1; i < info.nr_map_ids; i++)
		for (__u32 j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			__u32 t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return (int)info.nr_map_ids;
}

/* Same code on the same maps: a converted map (sfc_migrate) is a new map,
 * and a program of the same code still bound to the old one is not ours. */
static bool same_prog(int a, int b)
{
	struct bpf_prog_info ai, bi;
	__u32 am[64], bm[64];
	int an, bn;

	if (prog_info(a, &ai) || prog_info(b, &bi) || memcmp(ai.tag, bi.tag, sizeof(ai.tag)))
		return false;
	an = prog_map_ids(a, am, 64);
	bn = prog_map_ids(b, bm, 64);
	return an >= 0 && an == bn && !memcmp(am, bm, (size_t)an * sizeof(__u32));
}

/*
 * Programs are pinned too. When the pinned one is the same code as the one
 * just loaded (same tag) using the same maps, it is adopted and the
 * attachments stay exactly as they are; otherwise the new one is pinned
 * and will replace the old one on every interface (an atomic swap,
 * traffic keeps flowing).
 */
static int adopt_or_pin(struct sfc_dp *dp, const char *name, int *fd)
{
	char path[PATH_MAX];
	int old;

	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, name);
	old = bpf_obj_get(path);
	if (old >= 0) {
		if (same_prog(old, *fd)) {
			*fd = old; /* owned by dp, closed in sfc_dp_close */
			dp->adopted++;
			return 0;
		}
		close(old);
		unlink(path);
		pr_info("program %s changed; the new version replaces the old one\n", name);
	}
	if (bpf_obj_pin(*fd, path))
		return -errno;
	return 0;
}

/* Is an sfc_xdp of other code pinned (and so attached), about to be
 * replaced by ours? Its handoffs may lack the key (sfc_meta_key_init). */
static bool older_xdp_pinned(struct sfc_dp *dp)
{
	struct bpf_prog_info ni, oi;
	char path[PATH_MAX];
	bool older;
	int old;

	snprintf(path, sizeof(path), "%s/prog_sfc_xdp", dp->pin_dir);
	old = bpf_obj_get(path);
	if (old < 0)
		return false;
	older = !prog_info(old, &oi) && !prog_info(dp->xdp_fd, &ni) &&
		memcmp(oi.tag, ni.tag, sizeof(ni.tag));
	close(old);
	return older;
}

int sfc_dp_load(const char *pin_dir, struct sfc_dp **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct sfc_migration mig = {};
	struct sfc_dp *dp;
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	dp->rec.sfs = dp->rec.chains = dp->rec.ifaces = dp->rec.abi = -1;
	dp->ncpus = libbpf_num_possible_cpus();
	err = sfc_dp_ensure_bpffs(pin_dir);
	if (!err)
		err = sfc_migrate_check_version(pin_dir);
	if (err)
		goto err_free;
	dp->skel = sfc_bpf__open_opts(&opts);
	if (!dp->skel) {
		err = -errno;
		pr_warn("opening the BPF object failed: %s\n", strerror(-err));
		goto err_free;
	}
	err = reuse_devmap(dp, dp->skel->maps.sfc_tx_ports, "sfc_tx_ports");
	if (err)
		goto err_destroy;
	/* Maps an older sfc pinned with another layout are set aside, to be
	 * converted into the new ones once they exist. */
	err = sfc_migrate_prepare(pin_dir, &mig);
	if (err)
		goto err_destroy;
	/* Maps already pinned are reused with their contents (libbpf checks
	 * that type, key and value sizes still agree), new ones are pinned. */
	err = sfc_bpf__load(dp->skel);
	if (err) {
		pr_warn("loading the BPF programs failed: %s%s\n", strerror(-err),
			err == -EINVAL ? " (a pinned map may have a layout this sfc cannot "
					 "convert: remove the pin directory after detaching)" : "");
		sfc_migrate_abort(pin_dir, &mig);
		goto err_destroy;
	}
	set_fds_from_skel(dp);
	err = sfc_meta_key_init(bpf_map__fd(dp->skel->maps.sfc_meta_key), older_xdp_pinned(dp));
	if (err) {
		pr_warn("setting the handoff key in sfc_meta_key: %s\n", strerror(-err));
		goto err_destroy;
	}
	err = adopt_or_pin(dp, "prog_sfc_xdp", &dp->xdp_fd);
	if (!err)
		err = adopt_or_pin(dp, "prog_sfc_xdp_peer", &dp->xdp_peer_fd);
	if (!err)
		err = adopt_or_pin(dp, "prog_sfc_tc_ingress", &dp->tc_ingress_fd);
	if (!err)
		err = adopt_or_pin(dp, "prog_sfc_tc_egress", &dp->tc_egress_fd);
	if (err) {
		pr_warn("pinning programs in %s: %s\n", pin_dir, strerror(-err));
		goto err_destroy;
	}
	sfc_end_ct_load(dp);
	for (int i = 0; i < 4; i++) {
		int *fds[] = { &dp->xdp_fd, &dp->xdp_peer_fd, &dp->tc_ingress_fd,
			       &dp->tc_egress_fd };
		struct bpf_prog_info info;

		prog_info(*fds[i], &info);
		dp->prog_ids[i] = info.id;
	}
	err = sfc_trace_attach(dp);
	if (err)
		pr_warn("counting drops after XDP redirects (tracepoints xdp_devmap_xmit, "
			"xdp_redirect_err): %s; those drops go uncounted\n", strerror(-err));
	err = sfc_record_open(dp, true);
	if (!err)
		err = sfc_migrate_finish(dp, &mig);
	if (!err)
		err = sfc_record_abi_set(dp);
	/* the fronts from the hash maps: new ones are empty, and the hash
	 * maps are what every sfcd before this one kept */
	if (!err && (err = sfc_front_sync(&dp->maps)))
		pr_warn("filling sfc_if_front, sfc_hop_front, sfc_pos_front: %s\n",
			strerror(-err));
	if (err) {
		sfc_migrate_abort(pin_dir, &mig);
		goto err_destroy;
	}
	*out = dp;
	return 0;

err_destroy:
	sfc_record_close(dp);
	sfc_bpf__destroy(dp->skel);
err_free:
	free(dp);
	return err;
}

/* Ids of the programs pinned beside the maps (0: none), so that what is
 * attached can be told ours. */
static void pinned_prog_ids(struct sfc_dp *dp)
{
	static const char *const names[] = { "prog_sfc_xdp", "prog_sfc_xdp_peer",
					     "prog_sfc_tc_ingress", "prog_sfc_tc_egress" };
	char path[PATH_MAX];

	for (int i = 0; i < 4; i++) {
		struct bpf_prog_info info;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!prog_info(fd, &info))
			dp->prog_ids[i] = info.id;
		close(fd);
	}
}

int sfc_dp_open_pinned(const char *pin_dir, struct sfc_dp **out)
{
	char path[PATH_MAX];
	struct sfc_dp *dp;
	int err = 0;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	dp->rec.sfs = dp->rec.chains = dp->rec.ifaces = dp->rec.abi = -1;
	dp->ncpus = libbpf_num_possible_cpus();
	dp->xdp_fd = dp->xdp_peer_fd = dp->tc_ingress_fd = dp->tc_egress_fd = -1;
#define X(n) dp->maps.n = -1;
	MAP_FIELDS(X)
	FRONT_FIELDS(X)
#undef X
#define X(n)                                                                   \
	if (!err) {                                                            \
		snprintf(path, sizeof(path), "%s/sfc_" #n, pin_dir);           \
		dp->maps.n = bpf_obj_get(path);                                \
		if (dp->maps.n < 0) {                                          \
			err = -errno;                                          \
			pr_warn("%s: %s\n", path, strerror(-err));             \
		}                                                              \
	}
	MAP_FIELDS(X)
#undef X
#define X(n)                                                                   \
	if (!err) {                                                            \
		snprintf(path, sizeof(path), "%s/sfc_" #n, pin_dir);           \
		dp->maps.n = bpf_obj_get(path);                                \
	}
	FRONT_FIELDS(X)
#undef X
	if (!err)
		err = sfc_migrate_check_layout(dp);
	if (!err)
		err = sfc_record_open(dp, false);
	if (err) {
		sfc_dp_close(dp);
		return err;
	}
	pinned_prog_ids(dp);
	*out = dp;
	return 0;
}

void sfc_dp_close(struct sfc_dp *dp)
{
	if (!dp)
		return;
	sfc_path_pool_free(dp);
	sfc_record_close(dp);
	if (dp->skel) {
		struct sfc_bpf *sk = dp->skel;
		int own[] = { bpf_program__fd(sk->progs.sfc_xdp),
			      bpf_program__fd(sk->progs.sfc_xdp_peer),
			      bpf_program__fd(sk->progs.sfc_tc_ingress),
			      bpf_program__fd(sk->progs.sfc_tc_egress) };
		int used[] = { dp->xdp_fd, dp->xdp_peer_fd, dp->tc_ingress_fd,
			       dp->tc_egress_fd };

		/* Adopted program fds are ours, not the skeleton's. */
		for (int i = 0; i < 4; i++)
			if (used[i] != own[i])
				close(used[i]);
		sfc_bpf__destroy(sk);
	} else {
#define X(n) if (dp->maps.n >= 0) close(dp->maps.n);
		MAP_FIELDS(X)
		FRONT_FIELDS(X)
#undef X
	}
	free(dp);
}

int sfc_dp_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(pin_dir) && !err)
		err = -errno;
	return err;
}

int sfc_dp_attach_xdp(struct sfc_dp *dp, int ifindex, bool generic_ok, __u32 *mode_out)
{
	int err;

	/* Already running ours: leave it (no reconfiguration of the NIC).
	 * One query returns the program of every mode. */
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (!bpf_xdp_query(ifindex, 0, &q)) {
		if (q.drv_prog_id == dp->prog_ids[0]) {
			*mode_out = XDP_FLAGS_DRV_MODE;
			return 0;
		}
		if (q.skb_prog_id == dp->prog_ids[0]) {
			*mode_out = XDP_FLAGS_SKB_MODE;
			return 0;
		}
	}
	/* Native first; generic (skb) mode only where the driver has none. */
	err = bpf_xdp_attach(ifindex, dp->xdp_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (!err) {
		*mode_out = XDP_FLAGS_DRV_MODE;
		return 0;
	}
	if ((err != -EOPNOTSUPP && err != -EINVAL) || !generic_ok)
		return err;
	err = bpf_xdp_attach(ifindex, dp->xdp_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (!err) {
		char name[IF_NAMESIZE];

		pr_warn("%s: driver has no native XDP, using generic mode (slower)\n",
			if_indextoname(ifindex, name) ? name : "an interface that just went away");
		*mode_out = XDP_FLAGS_SKB_MODE;
	}
	return err;
}

int sfc_dp_detach_xdp(int ifindex)
{
	int err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);

	if (err)
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
	return err;
}

int sfc_dp_attach_tc(struct sfc_dp *dp, int ifindex, int egress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SFC_TC_HANDLE, .priority = SFC_TC_PRIO,
		    .flags = BPF_TC_F_REPLACE,
		    .prog_fd = egress ? dp->tc_egress_fd : dp->tc_ingress_fd);

	LIBBPF_OPTS(bpf_tc_opts, q, .handle = SFC_TC_HANDLE, .priority = SFC_TC_PRIO);
	int err;

	/* Ours already there (the common case on a reconcile): one query. */
	if (!bpf_tc_query(&hook, &q) && q.prog_id == dp->prog_ids[egress ? 3 : 2])
		return 0;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

int sfc_dp_detach_tc(int ifindex, int egress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SFC_TC_HANDLE, .priority = SFC_TC_PRIO);

	return bpf_tc_detach(&hook, &opts);
}

void *sfc_map_read_array(int fd, __u32 n, size_t vsz)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *vals = calloc(n, vsz);
	__u32 *keys = calloc(n, sizeof(__u32));
	__u32 done = 0, out_batch = 0, count;
	void *in = NULL;
	int err;

	if (!vals || !keys)
		goto fail;
	/* One syscall per chunk instead of one per entry. */
	while (done < n) {
		count = n - done;
		err = bpf_map_lookup_batch(fd, in, &out_batch, keys + done,
					   vals + (size_t)done * vsz, &count, &opts);
		done += count;
		if (err) {
			if (errno == ENOENT)
				break;
			goto slow;
		}
		in = &out_batch;
	}
	free(keys);
	return vals;
slow:
	/* Kernels or maps without batch support: one by one. */
	for (__u32 k = 0; k < n; k++)
		bpf_map_lookup_elem(fd, &k, vals + (size_t)k * vsz);
	free(keys);
	return vals;
fail:
	free(vals);
	free(keys);
	return NULL;
}

int sfc_map_zero_percpu(const struct sfc_dp *dp, int fd, __u32 key, size_t value_size)
{
	/* Per-CPU values are laid out 8-byte aligned, one per possible CPU. */
	void *zeros = calloc(dp->ncpus, (value_size + 7) & ~7ul);
	int err = 0;

	if (!zeros)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, zeros, BPF_ANY))
		err = -errno;
	free(zeros);
	return err;
}
