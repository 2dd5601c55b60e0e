// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "observe.h"
#include "record.h"

int sfc_obs_read(const struct sfc_dp *dp, struct sfc_obs *out)
{
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (dp->maps.obs < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(dp->maps.obs, &zero, out) ? -errno : 0;
}

int sfc_obs_write(const struct sfc_dp *dp, const struct sfc_obs *o)
{
	__u32 zero = 0;

	if (dp->maps.obs < 0)
		return -ENOENT;
	return bpf_map_update_elem(dp->maps.obs, &zero, o, BPF_ANY) ? -errno : 0;
}

int sfc_obs_update(const struct sfc_dp *dp, __u32 set, __u32 clear)
{
	struct sfc_obs o;
	int err = sfc_obs_read(dp, &o);

	if (err)
		return err;
	o.flags = (o.flags & ~clear) | set;
	return sfc_obs_write(dp, &o);
}

static int drop_cmp(const void *a, const void *b)
{
	const struct sfc_drop_entry *x = a, *y = b;

	if (x->chain_id != y->chain_id)
		return x->chain_id < y->chain_id ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

int sfc_hop_drops_read(const struct sfc_dp *dp, struct sfc_drop_entry **out)
{
	struct sfc_drop_key k, *prev = NULL;
	struct sfc_drop_entry *v = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (dp->maps.hop_drops < 0)
		return 0;
	while (!bpf_map_get_next_key(dp->maps.hop_drops, prev, &k)) {
		__u64 c;

		prev = &k;
		if (bpf_map_lookup_elem(dp->maps.hop_drops, &k, &c))
			continue; /* deleted meanwhile */
		if (n == cap) {
			struct sfc_drop_entry *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (struct sfc_drop_entry){ .chain_id = k.chain_id, .slot = k.slot,
						  .reason = k.reason, .count = c };
		if (n >= SFC_HOP_DROP_ENTRIES)
			break;
	}
	if (n)
		qsort(v, n, sizeof(*v), drop_cmp);
	*out = v;
	return n;
}

void sfc_hop_drops_forget(const struct sfc_dp *dp, const char *fresh_slot,
			  const char *fresh_chain)
{
	struct sfc_drop_key k, next;
	int fd = dp->maps.hop_drops;

	if (fd < 0)
		return;
	/* Deleting the key just read would end the walk (its successor is
	 * then unknown): take the next key first. */
	if (bpf_map_get_next_key(fd, NULL, &k))
		return;
	for (;;) {
		struct sfc_chain_record rec;
		int more = !bpf_map_get_next_key(fd, &k, &next);
		__u32 cid = k.chain_id;
		int gone = bpf_map_lookup_elem(dp->rec.chains, &cid, &rec) || !rec.name[0];

		if (gone || (fresh_slot && k.slot && fresh_slot[k.slot]) ||
		    (fresh_chain && cid < SFC_MAX_CHAINS && fresh_chain[cid]))
			bpf_map_delete_elem(fd, &k);
		if (!more)
			break;
		k = next;
	}
}

int sfc_sf_latency(const struct sfc_dp *dp, __u32 sf_id, __u64 b[SFC_LAT_BUCKETS])
{
	struct sfc_lat_hist *v;

	memset(b, 0, SFC_LAT_BUCKETS * sizeof(__u64));
	if (dp->maps.sf_lat < 0)
		return -ENOENT;
	v = calloc(dp->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(dp->maps.sf_lat, &sf_id, v)) {
		int err = -errno;

		free(v);
		return err;
	}
	for (int c = 0; c < dp->ncpus; c++)
		for (int i = 0; i < SFC_LAT_BUCKETS; i++)
			b[i] += v[c].bucket[i];
	free(v);
	return 0;
}

int sfc_sf_latency_reset(const struct sfc_dp *dp, __u32 sf_id)
{
	if (dp->maps.sf_lat < 0)
		return 0;
	return sfc_map_zero_percpu(dp, dp->maps.sf_lat, sf_id, sizeof(struct sfc_lat_hist));
}
