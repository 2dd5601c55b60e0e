// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The auto end's conntrack stage (bpf/end_ct.bpf.c): loaded beside the
 * datapath, on its maps, and put in slot 0 of sfc_end_progs (XDP) and of
 * sfc_end_tc_progs (tc). A kernel
 * without the conntrack kfuncs refuses it; chains with end auto then end
 * on the stack (counted end-auto-no-conntrack) and nothing else changes.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "log.h"
#include "sfc.skel.h"
#include "end_ct.skel.h"

int sfc_end_ct_load(struct sfc_dp *dp)
{
	struct end_ct_bpf *s;
	struct bpf_map *m;
	__u32 key = 0;
	int err = 0, fd;

	if (!dp->skel)
		return -EINVAL;
	s = end_ct_bpf__open();
	if (!s)
		return -errno;
	/* the stage's maps are the datapath's own, already loaded or adopted */
	bpf_object__for_each_map(m, s->obj) {
		struct bpf_map *own;

		if (bpf_map__is_internal(m))
			continue;
		own = bpf_object__find_map_by_name(dp->skel->obj, bpf_map__name(m));
		if (!own) {
			err = -ENOENT;
			goto out;
		}
		err = bpf_map__set_pin_path(m, NULL);
		if (!err)
			err = bpf_map__reuse_fd(m, bpf_map__fd(own));
		if (err)
			goto out;
	}
	err = end_ct_bpf__load(s);
	if (err) {
		pr_info("end auto: conntrack stage not loaded (%s): this kernel has no "
			"conntrack kfuncs (is nf_conntrack loaded?); chains with end auto "
			"end on the stack\n", strerror(-err));
		goto out;
	}
	fd = bpf_program__fd(s->progs.sfc_xdp_end_ct);
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.sfc_end_progs), &key, &fd, BPF_ANY)) {
		err = -errno;
		pr_warn("end auto: installing the conntrack stage: %s\n", strerror(-err));
	}
	fd = bpf_program__fd(s->progs.sfc_tc_end_ct);
	if (!err &&
	    bpf_map_update_elem(bpf_map__fd(dp->skel->maps.sfc_end_tc_progs), &key, &fd, BPF_ANY)) {
		err = -errno;
		pr_warn("end auto: installing the conntrack stage of the skb path: %s\n",
			strerror(-err));
	}
out:
	/* the program lives on in the pinned sfc_end_progs */
	end_ct_bpf__destroy(s);
	return err;
}
