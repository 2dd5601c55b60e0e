// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath.h"
#include "log.h"
#include "record.h"
#include "yield.h"

struct record_map {
	const char *name;
	enum bpf_map_type type;
	__u32 value_size, max_entries;
	size_t off;                /* of its fd in struct sfc_record_maps */
};

static const struct record_map record_maps[] = {
	{ "sfc_record_sfs", BPF_MAP_TYPE_ARRAY, sizeof(struct sfc_sf_record), SFC_MAX_SFS,
	  offsetof(struct sfc_record_maps, sfs) },
	{ "sfc_record_chains", BPF_MAP_TYPE_ARRAY, sizeof(struct sfc_chain_record),
	  SFC_MAX_CHAINS, offsetof(struct sfc_record_maps, chains) },
	{ "sfc_record_ifaces", BPF_MAP_TYPE_HASH, sizeof(struct sfc_iface_record),
	  SFC_MAX_IFACES, offsetof(struct sfc_record_maps, ifaces) },
	{ "sfc_record_abi", BPF_MAP_TYPE_ARRAY, sizeof(struct sfc_abi_record), 1,
	  offsetof(struct sfc_record_maps, abi) },
};

static int *fd_of(struct sfc_dp *dp, const struct record_map *r)
{
	return (int *)((char *)&dp->rec + r->off);
}

static int open_one(const char *pin_dir, const struct record_map *r, bool create)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, r->name);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != r->type ||
		    info.key_size != sizeof(__u32) || info.value_size != r->value_size ||
		    info.max_entries != r->max_entries) {
			pr_warn("%s: pinned map does not match this version of sfc\n", path);
			close(fd);
			return -EINVAL;
		}
		return fd;
	}
	err = -errno;
	if (err != -ENOENT || !create) {
		pr_warn("%s: %s\n", path, strerror(-err));
		return err;
	}
	if (r->type == BPF_MAP_TYPE_HASH)
		opts.map_flags = BPF_F_NO_PREALLOC;
	fd = bpf_map_create(r->type, r->name, sizeof(__u32), r->value_size, r->max_entries,
			    &opts);
	if (fd < 0 || bpf_obj_pin(fd, path)) {
		err = -errno;
		pr_warn("%s: creating the control plane's record: %s\n", path, strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

int sfc_record_open(struct sfc_dp *dp, bool create)
{
	for (size_t i = 0; i < sizeof(record_maps) / sizeof(record_maps[0]); i++) {
		int fd = open_one(dp->pin_dir, &record_maps[i], create);

		if (fd < 0) {
			sfc_record_close(dp);
			return fd;
		}
		*fd_of(dp, &record_maps[i]) = fd;
	}
	return 0;
}

void sfc_record_close(struct sfc_dp *dp)
{
	for (size_t i = 0; i < sizeof(record_maps) / sizeof(record_maps[0]); i++) {
		int *fd = fd_of(dp, &record_maps[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int sfc_record_abi_set(const struct sfc_dp *dp)
{
	struct sfc_abi_record r = { .version = SFC_ABI_VERSION };
	__u32 key = 0;

	if (bpf_map_update_elem(dp->rec.abi, &key, &r, BPF_ANY)) {
		pr_warn("%s/sfc_record_abi: %s\n", dp->pin_dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Records read a chunk per syscall, a yield point between: one read of
 * 16k chain records took milliseconds in the kernel. */
#define NAMES_CHUNK 1024

static sfc_id_name *names_of(int fd, __u32 max, size_t value_size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *vals = calloc(NAMES_CHUNK, value_size);
	__u32 *keys = calloc(NAMES_CHUNK, sizeof(*keys));
	sfc_id_name *names = calloc(max, sizeof(*names));
	__u32 batch = 0, count, k;
	void *in = NULL;
	bool more = true;

	if (!vals || !keys || !names) {
		free(vals);
		free(keys);
		free(names);
		errno = ENOMEM;
		return NULL;
	}
	while (more) {
		count = NAMES_CHUNK;
		sfc_yield_check();
		if (bpf_map_lookup_batch(fd, in, &batch, keys, vals, &count, &opts)) {
			if (errno != ENOENT)
				goto slow;
			more = false;      /* the last chunk */
		}
		in = &batch;
		/* every record starts with its name */
		for (__u32 i = 0; i < count; i++)
			if (keys[i] < max)
				memcpy(names[keys[i]], vals + (size_t)i * value_size, SFC_NAME_LEN);
	}
	free(vals);
	free(keys);
	return names;
slow:
	/* kernels without batch lookups: one by one */
	for (k = 0; k < max; k++) {
		sfc_yield();
		if (!bpf_map_lookup_elem(fd, &k, vals))
			memcpy(names[k], vals, SFC_NAME_LEN);
	}
	free(vals);
	free(keys);
	return names;
}

sfc_id_name *sfc_record_sf_names(const struct sfc_dp *dp)
{
	return names_of(dp->rec.sfs, SFC_MAX_SFS, sizeof(struct sfc_sf_record));
}

sfc_id_name *sfc_record_chain_names(const struct sfc_dp *dp)
{
	return names_of(dp->rec.chains, SFC_MAX_CHAINS, sizeof(struct sfc_chain_record));
}
