// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "sfc_api.h"
#include "sfc_reasons.h"
#include "observe.h"
#include "record.h"
#include "stats.h"

static const char *const reason_names[SFC_R_MAX] = {
#define X(sym, num, name) [num] = name,
	SFC_REASONS(X)
#undef X
};

const char *sfc_reason_name(unsigned int reason)
{
	if (reason < SFC_R_MAX && reason_names[reason])
		return reason_names[reason];
	return "unknown";
}

/* Sum a per-CPU value made of u64 fields. */
static int percpu_sum(const struct sfc_dp *dp, int fd, __u32 key, __u64 *sum, int nfields)
{
	size_t vsz = nfields * sizeof(__u64);
	__u64 *vals = calloc(dp->ncpus, vsz);

	if (!vals)
		return -ENOMEM;
	memset(sum, 0, vsz);
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	for (int c = 0; c < dp->ncpus; c++)
		for (int f = 0; f < nfields; f++)
			sum[f] += vals[c * nfields + f];
	free(vals);
	return 0;
}

/* {"reason-name": count, ...} of chain cid's drops at hop slot slot (0:
 * not at a hop), from the sorted entries d[0..n) */
static json_t *drop_reasons_json(const struct sfc_drop_entry *d, int n, __u32 cid, __u32 slot)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		if (d[i].chain_id == cid && d[i].slot == slot && d[i].count)
			json_object_set_new(o, sfc_reason_name(d[i].reason),
					    json_integer((json_int_t)d[i].count));
	return o;
}

/* {"samples":N,"p50_ns":..,"p90_ns":..,"p99_ns":..,"buckets":[..]} of SF
 * sf_id; NULL when nothing was measured */
/*
 * The share of new flows each instance of a hop takes, by SF name: the
 * slots of its table, or its buckets (a hop of one instance: 1).
 */
static json_t *hop_shares_json(const struct sfc_dp *dp, const struct sfc_hop_key *hk,
			       const struct sfc_hop *hop, sfc_id_name *sfn)
{
	json_t *o = json_object();
	struct sfc_lb *t = NULL;
	unsigned int count[SFC_LB_MAX_INST + SFC_HOP_BUCKETS] = {};
	__u32 ids[SFC_LB_MAX_INST + SFC_HOP_BUCKETS];
	unsigned int n = 0, total = 0;

	if (!o)
		return NULL;
	if (hop->flags & SFC_HOP_TABLE) {
		t = malloc(sizeof(*t));
		if (!t || dp->maps.lb < 0 || bpf_map_lookup_elem(dp->maps.lb, hk, t) ||
		    t->size > SFC_LB_SLOTS) {
			free(t);
			return o;
		}
	}
	total = t ? t->size : hop->nbuckets > SFC_HOP_BUCKETS ? 0 : hop->nbuckets;
	for (unsigned int j = 0; j < total; j++) {
		__u32 id = t ? t->slot[j] : hop->sf[j];
		unsigned int k;

		for (k = 0; k < n && ids[k] != id; k++)
			;
		if (k == n) {
			if (n == SFC_LB_MAX_INST + SFC_HOP_BUCKETS)
				continue;
			ids[n++] = id;
		}
		count[k]++;
	}
	for (unsigned int k = 0; k < n; k++) {
		char name[SFC_NAME_LEN + 1] = "";

		if (ids[k] && ids[k] < SFC_MAX_SFS)
			memcpy(name, sfn[ids[k]], SFC_NAME_LEN);
		if (name[0])
			json_object_set_new(o, name, json_real((double)count[k] / total));
	}
	free(t);
	return o;
}

static json_t *latency_json(const struct sfc_dp *dp, __u32 sf_id)
{
	__u64 b[SFC_LAT_BUCKETS];
	json_t *buckets;
	__u64 n;

	if (sfc_sf_latency(dp, sf_id, b))
		return NULL;
	n = sfc_lat_count(b);
	if (!n)
		return NULL;
	buckets = json_array();
	for (int i = 0; i < SFC_LAT_BUCKETS; i++)
		json_array_append_new(buckets, json_integer((json_int_t)b[i]));
	return json_pack("{s:I,s:I,s:I,s:I,s:o}", "samples", (json_int_t)n,
			 "p50_ns", (json_int_t)sfc_lat_quantile(b, 0.50),
			 "p90_ns", (json_int_t)sfc_lat_quantile(b, 0.90),
			 "p99_ns", (json_int_t)sfc_lat_quantile(b, 0.99), "buckets", buckets);
}

/* How sfc takes packets in on each interface it attached to, and its roles. */
static json_t *interfaces_json(const struct sfc_dp *dp)
{
	json_t *ifs = json_array();
	__u32 key, next, *prev = NULL;

	while (ifs && !bpf_map_get_next_key(dp->rec.ifaces, prev, &next)) {
		struct sfc_iface_record rec;
		struct sfc_iface v = {};
		char name[sizeof(rec.name) + 1] = "";
		json_t *roles = json_array();
		const char *steer;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(dp->rec.ifaces, &key, &rec) ||
		    bpf_map_lookup_elem(dp->maps.ifaces, &key, &v)) {
			json_decref(roles);
			continue;
		}
		memcpy(name, rec.name, sizeof(rec.name));
		if (v.flags & SFC_IF_INGRESS)
			json_array_append_new(roles, json_string("ingress"));
		if (v.flags & SFC_IF_SF_OUT)
			json_array_append_new(roles, json_string("sf-out"));
		if (v.flags & SFC_IF_SF_RETURN)
			json_array_append_new(roles, json_string("sf-return"));
		steer = (v.flags & SFC_IF_TC_STEER) ? "tc" :
			rec.xdp_mode == XDP_FLAGS_SKB_MODE ? "xdp-generic" : "xdp";
		json_array_append_new(ifs, json_pack("{s:s,s:I,s:s,s:o}", "dev", name,
			"ifindex", (json_int_t)key, "steer", steer, "roles", roles));
	}
	return ifs;
}

json_t *sfc_stats_json(const struct sfc_dp *dp)
{
	const struct sfc_maps *m = &dp->maps;
	json_t *root = json_object(), *chains = json_array(), *sfs = json_array();
	json_t *reasons = json_array();
	struct sfc_chain *heads = sfc_map_read_array(m->chains, SFC_MAX_CHAINS, sizeof(*heads));
	struct sfc_sf *sfv = sfc_map_read_array(m->sfs, SFC_MAX_SFS, sizeof(*sfv));
	struct sfc_chain_record *crec = sfc_map_read_array(dp->rec.chains, SFC_MAX_CHAINS,
							   sizeof(*crec));
	sfc_id_name *sfn = sfc_record_sf_names(dp);
	struct sfc_drop_entry *drops = NULL;
	int ndrops = sfc_hop_drops_read(dp, &drops);

	if (ndrops < 0)
		ndrops = 0;
	if (!heads || !sfv || !crec || !sfn) {
		free(drops);
		free(heads);
		free(sfv);
		free(crec);
		free(sfn);
		json_decref(root);
		json_decref(chains);
		json_decref(sfs);
		json_decref(reasons);
		errno = ENOMEM;
		return NULL;
	}
	for (__u32 cid = 1; cid < SFC_MAX_CHAINS; cid++) {
		struct sfc_chain head = heads[cid];
		struct sfc_path path = {};
		char name[SFC_NAME_LEN + 1] = "";
		__u64 cs[2], hs[4];
		json_t *c, *hops;

		memcpy(name, crec[cid].name, SFC_NAME_LEN);
		if (!name[0])
			continue;
		bpf_map_lookup_elem(m->paths, &head.path_id, &path);
		percpu_sum(dp, m->chain_stats, cid, cs, 2);
		hops = json_array();
		for (__u32 h = 0; h < path.nhops; h++) {
			struct sfc_hop_key hk = { .path_id = head.path_id, .si = path.nhops - h };
			struct sfc_hop hop;

			json_t *shares = NULL, *row;

			memset(hs, 0, sizeof(hs));
			hop.stats_idx = 0;
			hop.flags = 0;
			if (!bpf_map_lookup_elem(m->hops, &hk, &hop)) {
				percpu_sum(dp, m->hop_stats, hop.stats_idx, hs, 4);
				shares = hop_shares_json(dp, &hk, &hop, sfn);
			}
			row = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}",
				"hop", (json_int_t)h + 1, "si", (json_int_t)(path.nhops - h),
				"packets", (json_int_t)hs[0], "bytes", (json_int_t)hs[1],
				"drops", (json_int_t)hs[2], "bypassed", (json_int_t)hs[3],
				"drop_reasons", hop.stats_idx ?
				drop_reasons_json(drops, ndrops, cid, hop.stats_idx) :
				json_object(),
				"shares", shares ? shares : json_object());
			/* a tap hop's packets are the copies it was given */
			if (row && (hop.flags & SFC_HOP_TAP))
				json_object_set_new(row, "tap", json_true());
			json_array_append_new(hops, row);
		}
		c = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}", "name", name,
			      "spi", (json_int_t)crec[cid].spi, "packets", (json_int_t)cs[0],
			      "bytes", (json_int_t)cs[1], "hops", hops,
			      "drop_reasons", drop_reasons_json(drops, ndrops, cid, 0));
		json_array_append_new(chains, c);
	}
	for (__u32 id = 1; id < SFC_MAX_SFS; id++) {
		struct sfc_sf sf = sfv[id];
		char name[SFC_NAME_LEN + 1] = "";
		json_t *o, *lat;
		__u64 s[4];

		memcpy(name, sfn[id], SFC_NAME_LEN);
		if (!name[0])
			continue;
		percpu_sum(dp, m->sf_stats, id, s, 4);
		o = json_pack("{s:s,s:b,s:I,s:I,s:I,s:I}",
			"name", name, "up", !!(sf.flags & SFC_SF_UP),
			"tx_packets", (json_int_t)s[0], "tx_bytes", (json_int_t)s[1],
			"rx_packets", (json_int_t)s[2], "rx_bytes", (json_int_t)s[3]);
		lat = latency_json(dp, id);
		if (lat)
			json_object_set_new(o, "latency", lat);
		json_array_append_new(sfs, o);
	}
	for (__u32 r = 1; r < SFC_R_MAX; r++) {
		__u64 n;

		if (!reason_names[r])
			continue;
		percpu_sum(dp, m->reasons, r, &n, 1);
		json_array_append_new(reasons, json_pack("{s:I,s:s,s:I}", "code", (json_int_t)r,
			"name", reason_names[r], "count", (json_int_t)n));
	}
	free(heads);
	free(sfv);
	free(crec);
	free(sfn);
	free(drops);
	{
		struct sfc_obs obs;

		sfc_obs_read(dp, &obs);
		json_object_set_new(root, SFC_KEY_SF_LATENCY,
				    json_boolean(obs.flags & SFC_OBS_LATENCY));
	}
	json_object_set_new(root, "chains", chains);
	json_object_set_new(root, "sfs", sfs);
	json_object_set_new(root, "reasons", reasons);
	json_object_set_new(root, "interfaces", interfaces_json(dp));
	return root;
}

#define U(o, k) ((unsigned long long)json_integer_value(json_object_get(o, k)))

void sfc_stats_print_text(FILE *f, json_t *st)
{
	size_t i, j;
	json_t *c, *h, *s, *r;
	int any = 0;

	json_array_foreach(json_object_get(st, "chains"), i, c) {
		fprintf(f, "chain %s spi %llu: %llu packets, %llu bytes\n",
			json_string_value(json_object_get(c, "name")), U(c, "spi"),
			U(c, "packets"), U(c, "bytes"));
		fprintf(f, "  %4s %4s %12s %14s %10s %10s\n", "hop", "si", "packets", "bytes",
			"drops", "bypassed");
		json_array_foreach(json_object_get(c, "hops"), j, h)
			fprintf(f, "  %4llu %4llu %12llu %14llu %10llu %10llu\n", U(h, "hop"),
				U(h, "si"), U(h, "packets"), U(h, "bytes"), U(h, "drops"),
				U(h, "bypassed"));
	}
	fprintf(f, "%-16s %-5s %12s %14s %12s %14s\n", "sf", "state", "tx_packets",
		"tx_bytes", "rx_packets", "rx_bytes");
	json_array_foreach(json_object_get(st, "sfs"), i, s)
		fprintf(f, "%-16s %-5s %12llu %14llu %12llu %14llu\n",
			json_string_value(json_object_get(s, "name")),
			json_is_true(json_object_get(s, "up")) ? "up" : "down",
			U(s, "tx_packets"), U(s, "tx_bytes"), U(s, "rx_packets"), U(s, "rx_bytes"));
	json_array_foreach(json_object_get(st, "interfaces"), i, s) {
		json_t *role;
		size_t k;

		if (!i)
			fprintf(f, "%-16s %-12s %s\n", "interface", "steered-by", "roles");
		fprintf(f, "%-16s %-12s", json_string_value(json_object_get(s, "dev")),
			json_string_value(json_object_get(s, "steer")));
		json_array_foreach(json_object_get(s, "roles"), k, role)
			fprintf(f, "%s%s", k ? "," : " ", json_string_value(role));
		fprintf(f, "\n");
	}
	json_array_foreach(json_object_get(st, "reasons"), i, r) {
		if (!U(r, "count"))
			continue;
		if (!any++)
			fprintf(f, "%-40s %12s\n", "reason", "count");
		fprintf(f, "%-40s %12llu\n", json_string_value(json_object_get(r, "name")),
			U(r, "count"));
	}
	if (!any)
		fprintf(f, "no drops or exceptions counted\n");
}

int sfc_stats_reset(const struct sfc_dp *dp, const char *chain, const char *sf)
{
	const struct sfc_maps *m = &dp->maps;
	char *reset_chains = calloc(SFC_MAX_CHAINS, 1);
	int found = 0;

	if (!reset_chains)
		return -ENOMEM;
	for (__u32 cid = 1; cid < SFC_MAX_CHAINS && !sf; cid++) {
		struct sfc_chain_record rec;
		struct sfc_chain head;

		if (bpf_map_lookup_elem(dp->rec.chains, &cid, &rec) || !rec.name[0] ||
		    bpf_map_lookup_elem(m->chains, &cid, &head))
			continue;
		if (chain && strncmp(chain, rec.name, SFC_NAME_LEN))
			continue;
		found++;
		reset_chains[cid] = 1;
		sfc_map_zero_percpu(dp, m->chain_stats, cid, sizeof(struct sfc_counter));
		for (__u32 si = 1; si <= SFC_MAX_HOPS; si++) {
			struct sfc_hop_key hk = { .path_id = head.path_id, .si = si };
			struct sfc_hop hop;

			if (!bpf_map_lookup_elem(m->hops, &hk, &hop))
				sfc_map_zero_percpu(dp, m->hop_stats, hop.stats_idx,
					   sizeof(struct sfc_hop_counter));
		}
	}
	for (__u32 id = 1; id < SFC_MAX_SFS && !chain; id++) {
		struct sfc_sf_record rec;

		if (bpf_map_lookup_elem(dp->rec.sfs, &id, &rec) || !rec.name[0])
			continue;
		if (sf && strncmp(sf, rec.name, SFC_NAME_LEN))
			continue;
		found++;
		sfc_map_zero_percpu(dp, m->sf_stats, id, sizeof(struct sfc_sf_counter));
		sfc_sf_latency_reset(dp, id);
	}
	/* their drops by reason */
	sfc_hop_drops_forget(dp, NULL, reset_chains);
	free(reset_chains);
	if (!chain && !sf) {
		for (__u32 r = 0; r < SFC_R_MAX; r++)
			sfc_map_zero_percpu(dp, m->reasons, r, sizeof(__u64));
		return 0;
	}
	return found ? 0 : -ENOENT;
}
