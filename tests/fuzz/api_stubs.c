// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What fuzz_api replaces of sfcd around user/sfcd/api.c: everything that
 * reaches BPF maps, the kernel or the state file. A commit validates and
 * takes the document, as sfcd_commit does when the datapath and the state
 * file accept it; maps have nothing in them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "observe.h"
#include "path_pool.h"
#include "record.h"
#include "sfcd.h"
#include "stats.h"

int sfcd_commit(struct sfcd *d, struct sfc_doc *doc, char *err, size_t errlen)
{
	struct sfc_doc next = *doc;
	int ret;

	memset(doc, 0, sizeof(*doc));
	ret = next.validated ? 0 : sfc_doc_validate(&next, &d->doc, err, errlen);
	if (ret) {
		sfc_doc_free(&next);
		return ret;
	}
	sfc_doc_free(&d->doc);
	d->doc = next;
	return 0;
}

unsigned int sfcd_server_clients(void)
{
	return 1;
}

json_t *sfc_stats_json(const struct sfc_dp *dp)
{
	return json_object();
}

int sfc_stats_reset(const struct sfc_dp *dp, const char *chain, const char *sf)
{
	return chain || sf ? -ENOENT : 0;
}

/* No chain versions: none live, none retired, nothing to migrate. */
void sfc_path_count(struct sfc_dp *dp, unsigned int *live, unsigned int *retired)
{
	*live = *retired = 0;
}

unsigned int sfc_path_flow_idle_ms(const struct sfc_dp *dp)
{
	(void)dp;
	return SFC_FLOW_IDLE_MS;
}

const struct sfc_path_gc_stats *sfc_path_gc_stats(struct sfc_dp *dp)
{
	static const struct sfc_path_gc_stats none;

	return &none;
}

long sfc_path_migrate(struct sfc_dp *dp, __u32 chain_id)
{
	return 0;
}

/* No chain in the datapath: every name unknown. */
sfc_id_name *sfc_record_chain_names(const struct sfc_dp *dp)
{
	return calloc(SFC_MAX_CHAINS, sizeof(sfc_id_name));
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	return -ENOENT;
}

int bpf_xdp_query_id(int ifindex, int flags, __u32 *prog_id)
{
	*prog_id = 0;
	return 0;
}

int bpf_tc_query(const struct bpf_tc_hook *hook, struct bpf_tc_opts *opts)
{
	return -ENOENT;
}

/* No commit here attaches anything: every interface is as if attached. */
const struct sfc_iface_result *sfc_apply_report_iface(const struct sfc_apply_report *rep,
						      const char *dev)
{
	return NULL;
}

/* No connection streams here: monitor is refused as trace.c refuses a
 * request that came from no connection. */
int sfcd_trace_start(struct sfcd *d, struct sfcd_client *c, json_t *req, char *err,
		     size_t len)
{
	snprintf(err, len, "monitor: only on an API connection");
	return -EINVAL;
}

unsigned int sfcd_trace_monitors(void)
{
	return 0;
}

/* no probes: no SF has a probe state */
json_t *sfcd_probe_json(struct sfcd *d, const char *name)
{
	(void)d;
	(void)name;
	return NULL;
}

void sfcd_probe_count(struct sfcd *d, unsigned int counts[3])
{
	(void)d;
	counts[0] = counts[1] = counts[2] = 0;
}

/* no maps here: nothing is observed */
int sfc_obs_read(const struct sfc_dp *dp, struct sfc_obs *out)
{
	(void)dp;
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}
