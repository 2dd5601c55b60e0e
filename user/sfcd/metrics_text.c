// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcd's counters in the Prometheus text exposition format (version
 * 0.0.4): what `stats` and `health` report, one series per chain, hop, SF
 * and drop reason. Counters end in _total; names and labels follow the
 * Prometheus conventions; every family has its HELP and TYPE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "metrics.h"
#include "path_pool.h"
#include "sfc_abi.h"
#include "stats.h"

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static unsigned long long num(json_t *o, const char *key)
{
	return (unsigned long long)json_integer_value(json_object_get(o, key));
}

/* The names a hop of chain `chain` (by hop number, from 1) is written
 * with in the document: "fw", or "fw-a,fw-b" for several. */
static void hop_names(const struct sfc_doc *doc, const char *chain, json_int_t hop,
		      char *out, size_t len)
{
	const struct sfc_chain_cfg *cc = sfc_doc_chain(doc, chain);
	size_t n = 0;

	out[0] = '\0';
	if (!cc || hop < 1 || hop > cc->nhops)
		return;
	for (int k = 0; k < cc->hops[hop - 1].nsf && n + 1 < len; k++)
		n += snprintf(out + n, len - n, "%s%.*s", k ? "," : "", SFC_NAME_LEN,
			      cc->hops[hop - 1].sf[k]);
}

/* One family over the chains: field of each chain. */
static void chains_family(FILE *f, json_t *chains, const char *name, const char *help,
			  const char *field)
{
	json_t *c;
	size_t i;

	family(f, name, "counter", help);
	json_array_foreach(chains, i, c) {
		fprintf(f, "%s{chain=\"", name);
		label(f, json_string_value(json_object_get(c, "name")));
		fprintf(f, "\",spi=\"%llu\"} %llu\n", num(c, "spi"), num(c, field));
	}
}

/* A hop's series: NAME{chain="..",hop="..",si="..",sf=".." (the closing
 * brace is the caller's, after any label of its own) */
static void hop_series(FILE *f, const struct sfc_doc *doc, const char *name, const char *chain,
		       json_t *h)
{
	char sfs[SFC_HOP_BUCKETS * (SFC_NAME_LEN + 1) + 1];

	hop_names(doc, chain, json_integer_value(json_object_get(h, "hop")), sfs, sizeof(sfs));
	fprintf(f, "%s{chain=\"", name);
	label(f, chain);
	fprintf(f, "\",hop=\"%llu\",si=\"%llu\",sf=\"", num(h, "hop"), num(h, "si"));
	label(f, sfs);
	fputc('"', f);
}

/* One family over the chains' hops: field of each hop. */
static void hops_family(FILE *f, const struct sfc_doc *doc, json_t *chains, const char *name,
			const char *help, const char *field)
{
	json_t *c, *h;
	size_t i, j;

	family(f, name, "counter", help);
	json_array_foreach(chains, i, c) {
		const char *cname = json_string_value(json_object_get(c, "name"));

		json_array_foreach(json_object_get(c, "hops"), j, h) {
			hop_series(f, doc, name, cname, h);
			fprintf(f, "} %llu\n", num(h, field));
		}
	}
}

/* One family over the chains' hops, a series per key of the hop's object
 * field (its name the label key), its value the key's number. */
static void hop_keys_family(FILE *f, const struct sfc_doc *doc, json_t *chains, const char *name,
			    const char *type, const char *help, const char *field, const char *key)
{
	const char *k;
	json_t *c, *h, *v;
	size_t i, j;

	family(f, name, type, help);
	json_array_foreach(chains, i, c) {
		const char *cname = json_string_value(json_object_get(c, "name"));

		json_array_foreach(json_object_get(c, "hops"), j, h) {
			json_object_foreach(json_object_get(h, field), k, v) {
				hop_series(f, doc, name, cname, h);
				fprintf(f, ",%s=\"", key);
				label(f, k);
				if (json_is_integer(v))
					fprintf(f, "\"} %lld\n", (long long)json_integer_value(v));
				else
					fprintf(f, "\"} %.6g\n", json_number_value(v));
			}
		}
	}
}

/* Drops by reason at each hop of each chain, and of each chain not at a
 * hop. */
static void drop_reasons_families(FILE *f, const struct sfc_doc *doc, json_t *chains)
{
	const char *reason;
	json_t *c, *v;
	size_t i;

	hop_keys_family(f, doc, chains, "sfc_hop_drops_by_reason_total", "counter",
			"Packets dropped at the hop, by reason (headers/sfc_reasons.h).",
			"drop_reasons", "reason");
	family(f, "sfc_chain_drops_by_reason_total", "counter",
	       "Packets of the chain dropped not at one of its hops (a packet back from an SF "
	       "at no known position, say), by reason.");
	json_array_foreach(chains, i, c) {
		json_object_foreach(json_object_get(c, "drop_reasons"), reason, v) {
			fprintf(f, "sfc_chain_drops_by_reason_total{chain=\"");
			label(f, json_string_value(json_object_get(c, "name")));
			fprintf(f, "\",spi=\"%llu\",reason=\"", num(c, "spi"));
			label(f, reason);
			fprintf(f, "\"} %lld\n", (long long)json_integer_value(v));
		}
	}
}

/* The SFs' latency histograms: log2 buckets of nanoseconds, as seconds.
 * The sum is estimated from the buckets' middles (the datapath keeps
 * counts only). */
static void latency_family(FILE *f, json_t *sfs)
{
	const char *name = "sfc_sf_latency_seconds";
	json_t *s;
	size_t i;

	family(f, name, "histogram",
	       "Time from the fabric sending a packet to the SF to its return, one packet "
	       "timed at a time (sfcd --sf-latency); the sum is estimated from the buckets.");
	json_array_foreach(sfs, i, s) {
		json_t *b = json_object_get(json_object_get(s, "latency"), "buckets");
		unsigned long long cum = 0;
		double sum = 0;
		size_t k, nb = json_array_size(b);

		if (!nb)
			continue;
		for (k = 0; k < nb; k++) {
			unsigned long long n = (unsigned long long)json_integer_value(
				json_array_get(b, k));

			cum += n;
			sum += (double)n * 1.5 * (double)(1ull << k) * 1e-9;
			if (k + 1 == nb)
				break; /* the last bucket is open-ended: +Inf below */
			fprintf(f, "%s_bucket{sf=\"", name);
			label(f, json_string_value(json_object_get(s, "name")));
			fprintf(f, "\",le=\"%.9g\"} %llu\n", (double)(1ull << (k + 1)) * 1e-9, cum);
		}
		fprintf(f, "%s_bucket{sf=\"", name);
		label(f, json_string_value(json_object_get(s, "name")));
		fprintf(f, "\",le=\"+Inf\"} %llu\n", cum);
		fprintf(f, "%s_sum{sf=\"", name);
		label(f, json_string_value(json_object_get(s, "name")));
		fprintf(f, "\"} %.9g\n", sum);
		fprintf(f, "%s_count{sf=\"", name);
		label(f, json_string_value(json_object_get(s, "name")));
		fprintf(f, "\"} %llu\n", cum);
	}
}

static void sfs_family(FILE *f, json_t *sfs, const char *name, const char *type,
		       const char *help, const char *field)
{
	json_t *s;
	size_t i;

	family(f, name, type, help);
	json_array_foreach(sfs, i, s) {
		fprintf(f, "%s{sf=\"", name);
		label(f, json_string_value(json_object_get(s, "name")));
		if (field)
			fprintf(f, "\"} %llu\n", num(s, field));
		else
			fprintf(f, "\"} %d\n", json_is_true(json_object_get(s, "up")) ? 1 : 0);
	}
}

/*
 * The SFs sfcd probes: the probe's verdict (1: up or not yet failing, 0:
 * down) and its probes sent and answered; SFs without a probe are left
 * out.
 */
static void probe_families(FILE *f, const struct sfcd_metrics_src *src, json_t *sfs)
{
	static const struct {
		const char *name, *type, *help, *field;
	} fam[] = {
		{ "sfc_sf_probe_up", "gauge",
		  "1 while the SF's health probe is answered (or has not failed yet), 0 once "
		  "it failed probe-fail times in a row.", NULL },
		{ "sfc_sf_probes_sent_total", "counter", "Health probes sent to the SF.", "sent" },
		{ "sfc_sf_probes_answered_total", "counter", "Health probes the SF answered.",
		  "answered" },
	};
	json_t *s;
	size_t i;

	if (!src->probe)
		return;
	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		bool head = false;

		json_array_foreach(sfs, i, s) {
			const char *name = json_string_value(json_object_get(s, "name"));
			json_t *p = name ? src->probe(src->probe_ctx, name) : NULL;
			const char *state;

			if (!p)
				continue;
			if (!head)
				family(f, fam[k].name, fam[k].type, fam[k].help);
			head = true;
			fprintf(f, "%s{sf=\"", fam[k].name);
			label(f, name);
			state = json_string_value(json_object_get(p, "state"));
			if (fam[k].field)
				fprintf(f, "\"} %llu\n", num(p, fam[k].field));
			else
				fprintf(f, "\"} %d\n", state && !strcmp(state, "down") ? 0 : 1);
			json_decref(p);
		}
	}
}

static void counter(FILE *f, const char *name, const char *help, unsigned long long v)
{
	family(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, v);
}

static void gauge(FILE *f, const char *name, const char *help, double v)
{
	family(f, name, "gauge", help);
	fprintf(f, "%s %.9g\n", name, v);
}

/* The flow cache: its size, its fill at the last count, what the datapath
 * put in, and the LRU's evictions estimated since sfcd started. */
static void flow_cache_families(FILE *f, const struct sfcd_metrics_src *src)
{
	__u64 inserted, deleted;

	gauge(f, "sfc_flow_cache_capacity", "Entries the flow cache (sfc_flows) holds at most.",
	      SFC_FLOW_ENTRIES);
	if (!sfc_flow_counts_read(src->dp, &inserted, &deleted)) {
		counter(f, "sfc_flow_cache_inserts_total",
			"Flow-cache entries the datapath made for flows that had none.", inserted);
		counter(f, "sfc_flow_cache_deletes_total",
			"Flow-cache entries the datapath deleted (rules that no longer chain a flow).",
			deleted);
	}
	if (!src->census || !src->census->counted)
		return; /* no complete count yet */
	gauge(f, "sfc_flow_cache_entries",
	      "Entries in the flow cache at sfcd's last count (it counts 16,384 a second, "
	      "a new count every 10 s at most).", (double)src->census->entries);
	counter(f, "sfc_flow_cache_evictions_total",
		"Entries the flow cache's LRU evicted since sfcd started, estimated: inserts "
		"less deletes, less what sfcd removed, less the entries counted.",
		src->census->evictions);
}

char *sfcd_metrics_text(const struct sfcd_metrics_src *src, size_t *len)
{
	json_t *st = sfc_stats_json(src->dp), *chains, *sfs, *r;
	const struct sfc_path_gc_stats *gc = sfc_path_gc_stats(src->dp);
	unsigned int live = 0, retired = 0;
	char *buf = NULL;
	size_t i;
	FILE *f;

	if (!st)
		return NULL;
	f = open_memstream(&buf, len);
	if (!f) {
		json_decref(st);
		return NULL;
	}
	chains = json_object_get(st, "chains");
	sfs = json_object_get(st, "sfs");

	family(f, "sfc_build_info", "gauge", "sfc's build: its map ABI version.");
	fprintf(f, "sfc_build_info{abi=\"%d\"} 1\n", SFC_ABI_VERSION);

	chains_family(f, chains, "sfc_chain_packets_total",
		      "Packets classified into the chain at its ingress points.", "packets");
	chains_family(f, chains, "sfc_chain_bytes_total",
		      "Bytes classified into the chain at its ingress points.", "bytes");
	hops_family(f, src->doc, chains, "sfc_hop_packets_total",
		    "Packets the fabric sent to the hop's SFs.", "packets");
	hops_family(f, src->doc, chains, "sfc_hop_bytes_total",
		    "Bytes the fabric sent to the hop's SFs.", "bytes");
	hops_family(f, src->doc, chains, "sfc_hop_drops_total",
		    "Packets dropped at the hop because no instance was up (on-failure drop).",
		    "drops");
	hops_family(f, src->doc, chains, "sfc_hop_bypassed_total",
		    "Packets that skipped the hop because no instance was up (on-failure bypass).",
		    "bypassed");
	drop_reasons_families(f, src->doc, chains);
	hop_keys_family(f, src->doc, chains, "sfc_hop_instance_share", "gauge",
			"Share of the hop's new flows the SF takes (its slots of the hop's table: "
			"its weight's share to within 1/4093).", "shares", "sf_instance");

	sfs_family(f, sfs, "sfc_sf_up", "gauge",
		   "1 when the SF's interfaces are present and up, else 0.", NULL);
	sfs_family(f, sfs, "sfc_sf_sent_packets_total", "counter",
		   "Packets the fabric sent to the SF.", "tx_packets");
	sfs_family(f, sfs, "sfc_sf_sent_bytes_total", "counter",
		   "Bytes the fabric sent to the SF.", "tx_bytes");
	sfs_family(f, sfs, "sfc_sf_returned_packets_total", "counter",
		   "Packets the SF sent back to the fabric.", "rx_packets");
	sfs_family(f, sfs, "sfc_sf_returned_bytes_total", "counter",
		   "Bytes the SF sent back to the fabric.", "rx_bytes");
	latency_family(f, sfs);
	probe_families(f, src, sfs);

	family(f, "sfc_reason_packets_total", "counter",
	       "Packets the datapath dropped or passed on unexpectedly, by numbered reason "
	       "(headers/sfc_reasons.h).");
	json_array_foreach(json_object_get(st, "reasons"), i, r) {
		fprintf(f, "sfc_reason_packets_total{code=\"%llu\",reason=\"", num(r, "code"));
		label(f, json_string_value(json_object_get(r, "name")));
		fprintf(f, "\"} %llu\n", num(r, "count"));
	}

	counter(f, "sfc_applies_total", "Documents applied to the datapath (edits and reconciles).",
		src->applies);
	counter(f, "sfc_apply_failures_total", "Applies that failed (the state before was kept).",
		src->apply_failures);
	family(f, "sfc_apply_seconds_total", "counter", "Time spent applying documents.");
	fprintf(f, "sfc_apply_seconds_total %.6f\n", src->apply_seconds);
	gauge(f, "sfc_last_apply_duration_seconds", "How long the last apply took.",
	      src->last_apply_seconds);
	counter(f, "sfc_link_events_total", "rtnetlink messages about links handled.",
		src->nl_events);
	counter(f, "sfc_link_updates_total",
		"Link events applied to the objects that name the interface.", src->link_updates);
	counter(f, "sfc_reconciles_total", "Full re-applies of the document.", src->reconciles);
	counter(f, "sfc_netlink_overruns_total",
		"Times rtnetlink messages were lost (followed by a reconcile).", src->nl_overruns);
	gauge(f, "sfc_api_clients", "Connections open on the API socket.", src->clients);
	gauge(f, "sfc_monitors", "sfcctl monitor connections open now.", src->monitors);
	counter(f, "sfc_api_clients_dropped_total",
		"API connections closed by sfcd (limits, timeouts).", src->clients_dropped);

	sfc_path_count(src->dp, &live, &retired);
	family(f, "sfc_chain_versions", "gauge",
	       "Chain versions in the datapath: current, and retired ones flows still use.");
	fprintf(f, "sfc_chain_versions{state=\"live\"} %u\n", live);
	fprintf(f, "sfc_chain_versions{state=\"retired\"} %u\n", retired);
	counter(f, "sfc_flows_aged_total", "Flow entries of retired versions marked idle.",
		gc->flows_aged);
	counter(f, "sfc_flows_ended_total",
		"Flow entries of retired versions removed after a whole interval idle.",
		gc->flows_ended);
	counter(f, "sfc_flows_migrated_total",
		"Flow entries moved to their chain's current version by `chain migrate`.",
		gc->flows_migrated);
	counter(f, "sfc_chain_versions_freed_total",
		"Retired chain versions removed once no flow used them.", gc->versions_freed);
	flow_cache_families(f, src);
	counter(f, "sfc_metrics_scrapes_total", "Requests for these metrics, this one included.",
		src->scrapes);

	json_decref(st);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
