// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "log.h"
#include "sfc.skel.h"
#include "xmit_trace.h"

static int attach_one(struct sfc_dp *dp, struct bpf_program *prog, const char *tp,
		      const char *pin)
{
	struct bpf_link *link;
	char path[PATH_MAX];
	int err;

	link = bpf_program__attach_raw_tracepoint(prog, tp);
	if (!link)
		return -errno;
	/* The new link counts before the old one (unpinned, so detached) stops. */
	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, pin);
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		goto out;
	}
	err = bpf_link__pin(link, path);
out:
	/* Closes our fd only: the pin holds the link. */
	bpf_link__destroy(link);
	return err;
}

int sfc_trace_attach(struct sfc_dp *dp)
{
	struct sfc_bpf *s = dp->skel;
	struct stat st;
	__u32 zero = 0;
	__u64 ns;
	int err;

	if (!s)
		return -EINVAL;
	if (stat("/proc/self/ns/net", &st))
		return -errno;
	ns = st.st_ino;
	if (bpf_map_update_elem(bpf_map__fd(s->maps.sfc_trace_netns), &zero, &ns, BPF_ANY))
		return -errno;
	err = attach_one(dp, s->progs.sfc_trace_xmit, "xdp_devmap_xmit", "link_sfc_trace_xmit");
	if (!err)
		err = attach_one(dp, s->progs.sfc_trace_redirect_err, "xdp_redirect_err",
				 "link_sfc_trace_redirect_err");
	return err;
}
