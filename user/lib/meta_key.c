// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <linux/types.h>

#include "log.h"
#include "sfc_abi.h"
#include "meta_key.h"

int sfc_meta_key_init(int fd, bool older_xdp)
{
	__u32 zero = 0, one = 1;
	__u64 key = 0;
	int err;

	if (older_xdp) {
		struct timespec ts;
		__u64 until;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		until = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec + SFC_META_LEGACY_NS;
		if (bpf_map_update_elem(fd, &one, &until, BPF_ANY))
			return -errno;
	}

	if (bpf_map_lookup_elem(fd, &zero, &key))
		return -errno;
	if (key)
		return 0;
	/* 0 means "no key": draw until it is not (once in 2^64) */
	while (!key) {
		if (getrandom(&key, sizeof(key), 0) != sizeof(key)) {
			err = errno ? -errno : -EIO;
			pr_warn("getrandom for the handoff key: %s\n", strerror(-err));
			return err;
		}
	}
	if (bpf_map_update_elem(fd, &zero, &key, BPF_ANY))
		return -errno;
	return 0;
}
