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
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "log.h"
#include "sfc.skel.h"

#define MAP_FIELDS(X)                                                          \
	X(config) X(ifaces) X(tx_ports) X(sfs) X(chains) X(paths) X(hops)      \
	X(sf_pos) X(tuples) X(rules) X(flows) X(chain_stats) X(hop_stats)       \
	X(sf_stats) X(reasons)

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

int sfc_dp_ensure_bpffs(const char *pin_dir)
{
	struct statfs st;

	if (!statfs("/sys/fs/bpf", &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (strncmp(pin_dir, "/sys/fs/bpf", 11))
		return 0; /* the caller chose another place; libbpf will say */
	mkdir("/sys/fs/bpf", 0700);
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_warn("cannot mount bpffs on /sys/fs/bpf: %s\n", strerror(-err));
		return err;
	}
	pr_info("mounted bpffs on /sys/fs/bpf\n");
	return 0;
}

static void set_fds_from_skel(struct sfc_dp *dp)
{
	struct sfc_bpf *s = dp->skel;

#define X(n) dp->maps.n = bpf_map__fd(s->maps.sfc_##n);
	MAP_FIELDS(X)
#undef X
	dp->xdp_fd = bpf_program__fd(s->progs.sfc_xdp);
	dp->xdp_peer_fd = bpf_program__fd(s->progs.sfc_xdp_peer);
	dp->tc_ingress_fd = bpf_program__fd(s->progs.sfc_tc_ingress);
	dp->tc_egress_fd = bpf_program__fd(s->progs.sfc_tc_egress);
}

int sfc_dp_load(const char *pin_dir, struct sfc_dp **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct sfc_dp *dp;
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	dp->ncpus = libbpf_num_possible_cpus();
	err = sfc_dp_ensure_bpffs(pin_dir);
	if (!err)
		err = mkdir_p(pin_dir);
	if (err) {
		pr_warn("pin directory %s: %s\n", pin_dir, strerror(-err));
		goto err_free;
	}
	dp->skel = sfc_bpf__open_opts(&opts);
	if (!dp->skel) {
		err = -errno;
		pr_warn("opening the BPF object failed: %s\n", strerror(-err));
		goto err_free;
	}
	/* Maps already pinned are reused with their contents (libbpf checks
	 * that type, key and value sizes still agree), new ones are pinned. */
	err = sfc_bpf__load(dp->skel);
	if (err) {
		pr_warn("loading the BPF programs failed: %s%s\n", strerror(-err),
			err == -EINVAL ? " (a pinned map may have an older layout: "
					 "remove the pin directory after detaching)" : "");
		goto err_destroy;
	}
	set_fds_from_skel(dp);
	*out = dp;
	return 0;

err_destroy:
	sfc_bpf__destroy(dp->skel);
err_free:
	free(dp);
	return err;
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
	dp->ncpus = libbpf_num_possible_cpus();
	dp->xdp_fd = dp->xdp_peer_fd = dp->tc_ingress_fd = dp->tc_egress_fd = -1;
#define X(n) dp->maps.n = -1;
	MAP_FIELDS(X)
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
	if (err) {
		sfc_dp_close(dp);
		return err;
	}
	*out = dp;
	return 0;
}

void sfc_dp_close(struct sfc_dp *dp)
{
	if (!dp)
		return;
	if (dp->skel) {
		sfc_bpf__destroy(dp->skel);
	} else {
#define X(n) if (dp->maps.n >= 0) close(dp->maps.n);
		MAP_FIELDS(X)
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

int sfc_dp_attach_xdp(struct sfc_dp *dp, int ifindex, __u32 *mode_out)
{
	int err;

	/* Native first; generic (skb) mode only where the driver has none. */
	err = bpf_xdp_attach(ifindex, dp->xdp_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (!err) {
		*mode_out = XDP_FLAGS_DRV_MODE;
		return 0;
	}
	if (err != -EOPNOTSUPP && err != -EINVAL)
		return err;
	err = bpf_xdp_attach(ifindex, dp->xdp_fd, XDP_FLAGS_SKB_MODE, NULL);
	if (!err) {
		pr_warn("ifindex %d: driver has no native XDP, using generic mode "
			"(slower)\n", ifindex);
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
	int err;

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
