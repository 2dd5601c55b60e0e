// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "flow_census.h"

#define CENSUS_BATCH 4096

int sfc_flow_census_step(const struct sfc_dp *dp, struct sfc_flow_census *c, __u64 now_ms,
			 unsigned int max, unsigned int every_ms)
{
	static struct sfc_flow_cache_key keys[CENSUS_BATCH];
	static struct sfc_flow vals[CENSUS_BATCH];
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	unsigned int done = 0;

	if (!c->walking) {
		if (c->counted && now_ms - c->walk_ms < every_ms)
			return 0;
		c->walking = true;
		c->resume = false;
		c->partial = 0;
	}
	while (done < max) {
		__u32 n = CENSUS_BATCH, next;
		int err = bpf_map_lookup_batch(dp->maps.flows, c->resume ? &c->batch : NULL,
					       &next, keys, vals, &n, &o);

		if (err && errno != ENOENT) {
			err = -errno;
			c->walking = false;
			return err;
		}
		c->partial += n;
		done += n;
		c->batch = next;
		c->resume = true;
		if (err) { /* ENOENT: the end of the map */
			c->walking = false;
			c->counted = true;
			c->entries = c->partial;
			c->walk_ms = now_ms;
			return 1;
		}
		if (!n)
			break;
	}
	return 0;
}

void sfc_flow_census_evictions(struct sfc_flow_census *c, __u64 inserted, __u64 deleted,
			       __u64 removed)
{
	long long diff = (long long)inserted - (long long)deleted - (long long)removed -
			 (long long)c->entries;

	if (!c->have_base) {
		c->have_base = true;
		c->base = diff;
		return;
	}
	if (diff - c->base > (long long)c->evictions)
		c->evictions = (unsigned long long)(diff - c->base);
}

int sfc_flow_counts_read(const struct sfc_dp *dp, __u64 *inserted, __u64 *deleted)
{
	struct sfc_flow_counts *v;
	__u32 zero = 0;

	*inserted = *deleted = 0;
	if (dp->maps.flow_counts < 0)
		return -ENOENT;
	v = calloc(dp->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(dp->maps.flow_counts, &zero, v)) {
		int err = -errno;

		free(v);
		return err;
	}
	for (int i = 0; i < dp->ncpus; i++) {
		*inserted += v[i].inserted;
		*deleted += v[i].removed;
	}
	free(v);
	return 0;
}
