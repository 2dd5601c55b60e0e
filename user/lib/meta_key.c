// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <linux/types.h>

#include "log.h"
#include "meta_key.h"

int sfc_meta_key_init(int fd)
{
	__u32 zero = 0;
	__u64 key = 0;
	int err;

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
