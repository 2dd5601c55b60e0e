// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl stats: counters per chain, per hop, per SF, and drop reasons. */
#include <string.h>

#include "sfcctl.h"

static const struct kw stats_kws[] = {
	{ .name = "chain", .type = KW_NAME, .key = "chain", .meta = "NAME" },
	{ .name = "sf", .type = KW_NAME, .key = "sf", .meta = "NAME" },
	{ .name = "reset", .type = KW_FLAG, .key = SFC_KEY_RESET },
	{ .name = "-s", .type = KW_UINT, .key = "interval", .flags = KW_OPTVAL,
	  .meta = "SECONDS", .min = 1, .max = 3600 },
	{ .name = "count", .type = KW_UINT, .key = "count", .meta = "N", .min = 1,
	  .max = 1000000 },
	{},
};

static const struct col hop_cols[] = {
	{ .head = "HOP", .key = "hop", .right = true },
	{ .head = "SI", .key = "si", .right = true },
	{ .head = "SFS", .key = "sfs", .fmt = fmt_hops },
	{ .head = "SHARES", .key = "shares", .fmt = fmt_shares },
	{ .head = "PACKETS", .key = "packets", .right = true },
	{ .head = "BYTES", .key = "bytes", .right = true },
	{ .head = "DROPS", .key = "drops", .right = true },
	{ .head = "BYPASSED", .key = "bypassed", .right = true },
	{ .head = "DROP-REASONS", .key = "drop_reasons", .fmt = fmt_reasons },
	{},
};

static const struct col sf_cols[] = {
	{ .head = "SF", .key = "name" },
	{ .head = "STATE", .key = "up", .fmt = fmt_up },
	/* the health probe's state and since when (sfcd's stats only) */
	{ .head = "CHECK", .key = "probe", .fmt = fmt_check },
	{ .head = "TX-PACKETS", .key = "tx_packets", .right = true },
	{ .head = "TX-BYTES", .key = "tx_bytes", .right = true },
	{ .head = "RX-PACKETS", .key = "rx_packets", .right = true },
	{ .head = "RX-BYTES", .key = "rx_bytes", .right = true },
	{ .head = "LAT-P50", .key = "p50_ns", .fmt = fmt_latency, .right = true },
	{ .head = "P90", .key = "p90_ns", .fmt = fmt_latency, .right = true },
	{ .head = "P99", .key = "p99_ns", .fmt = fmt_latency, .right = true },
	{},
};

static const struct col reason_cols[] = {
	{ .head = "REASON", .key = "name" },
	{ .head = "CODE", .key = "code", .right = true },
	{ .head = "COUNT", .key = "count", .right = true },
	{},
};

#define I(o, k) ((long long)json_integer_value(json_object_get(o, k)))

static void stats_text(FILE *f, json_t *view)
{
	json_t *chains = json_object_get(view, "chains"), *sfs = json_object_get(view, "sfs");
	json_t *reasons = json_object_get(view, "reasons"), *ch, *r, *counted;
	bool sep = false;
	size_t i;

	json_array_foreach(chains, i, ch) {
		fprintf(f, "%schain %s  spi %lld  packets %lld  bytes %lld\n", sep ? "\n" : "",
			json_string_value(json_object_get(ch, "name")), I(ch, "spi"),
			I(ch, "packets"), I(ch, "bytes"));
		print_table(f, "  ", hop_cols, json_object_get(ch, "hops"));
		{
			char buf[512];

			/* drops of the chain not at one of its hops */
			if (strcmp(fmt_reasons(ch, "drop_reasons", buf, sizeof(buf)), "-"))
				fprintf(f, "  drops not at a hop: %s\n", buf);
		}
		sep = true;
	}
	if (sfs) {
		if (sep)
			fputc('\n', f);
		print_table(f, "", sf_cols, sfs);
		if (json_is_false(json_object_get(view, "sf_latency")))
			fprintf(f, "SF latency is not measured (sfcd --sf-latency off)\n");
		sep = true;
	}
	if (!reasons)
		return;
	/* text shows the reasons that counted something; JSON has them all */
	counted = json_array();
	json_array_foreach(reasons, i, r)
		if (I(r, "count"))
			json_array_append(counted, r);
	if (sep)
		fputc('\n', f);
	if (json_array_size(counted))
		print_table(f, "", reason_cols, counted);
	else
		fprintf(f, "no drops or exceptions counted\n");
	json_decref(counted);
}

/* Name each hop's SFs, from the document: the counters only know ids. */
void stats_name_hops(json_t *chain, json_t *doc)
{
	json_t *cfg = find_by(json_object_get(doc, "chains"),
			      "name", json_string_value(json_object_get(chain, "name")));
	json_t *hops = json_object_get(cfg, "hops"), *h;
	size_t i;

	json_array_foreach(json_object_get(chain, "hops"), i, h) {
		json_t *hop = json_array_get(hops, I(h, "hop") - 1);

		if (json_is_string(hop))
			json_object_set_new(h, "sfs", json_pack("[[O]]", hop));
		else if (hop)
			json_object_set_new(h, "sfs", json_pack("[O]", hop));
	}
}

static int stats_check(struct ctx *c, const char *what, json_t *args)
{
	if (json_object_get(args, "chain") && json_object_get(args, "sf"))
		return errf(c, "%s: chain and sf exclude each other", what);
	if (json_object_get(args, "count") && !json_object_get(args, "interval"))
		return errf(c, "%s: count N goes with -s: it counts intervals", what);
	if (json_object_get(args, "interval") && json_object_get(args, SFC_KEY_RESET))
		return errf(c, "%s: -s shows rates; reset sets counters to zero: one at a time",
			    what);
	return 0;
}

static int stats_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *chain = json_string_value(json_object_get(args, "chain"));
	const char *sf = json_string_value(json_object_get(args, "sf"));
	bool reset = json_is_true(json_object_get(args, SFC_KEY_RESET));
	json_t *req, *reply, *st, *doc, *view, *v;
	size_t i;
	int ret;

	if (json_object_get(args, "interval"))
		return stats_rates(c, chain, sf, args);
	req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_STATS);
	if (reset) {
		json_object_set_new(req, SFC_KEY_RESET, json_true());
		if (chain || sf)
			json_object_set(req, chain ? "chain" : "sf",
					json_object_get(args, chain ? "chain" : "sf"));
	}
	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	if (ret)
		return -1;
	if (reset) {
		json_decref(reply);
		return 0;
	}
	if (sfcd_get_doc(c, &doc)) {
		json_decref(reply);
		return -1;
	}
	st = json_object_get(reply, SFC_KEY_STATS);
	view = json_object();
	if (!sf) {
		json_t *chains = json_array();

		json_array_foreach(json_object_get(st, "chains"), i, v) {
			if (chain && strcmp(chain, json_string_value(json_object_get(v, "name"))))
				continue;
			stats_name_hops(v, doc);
			json_array_append(chains, v);
		}
		json_object_set_new(view, "chains", chains);
	}
	if (!chain) {
		json_t *sfs = json_array();

		json_array_foreach(json_object_get(st, "sfs"), i, v)
			if (!sf || !strcmp(sf, json_string_value(json_object_get(v, "name"))))
				json_array_append(sfs, v);
		json_object_set_new(view, "sfs", sfs);
	}
	/* drop reasons are counted for the whole datapath, not per chain or SF */
	if (!chain && !sf)
		json_object_set(view, "reasons", json_object_get(st, "reasons"));
	if (!chain && json_object_get(st, "sf_latency"))
		json_object_set(view, "sf_latency", json_object_get(st, "sf_latency"));
	json_decref(doc);
	json_decref(reply);
	if (chain && !json_array_size(json_object_get(view, "chains")))
		ret = errf(c, "no chain named \"%s\"", chain);
	else if (sf && !json_array_size(json_object_get(view, "sfs")))
		ret = errf(c, "no SF named \"%s\"", sf);
	else
		print_view(c, view, stats_text);
	json_decref(view);
	return ret;
}

static const struct cmd stats_cmds[] = {
	{ .fn = stats_show,
	  .summary = "packets and bytes per chain, hop and SF; drops per hop with their "
	             "reasons; SF latency (p50, p90, p99 of the time from the fabric to the SF "
	             "and back). "
	             "reset: set them to zero. -s: rates (packets/s, bits/s, drops/s) every "
	             "SECONDS (1), until interrupted or for count N intervals",
	  .kws = stats_kws,
	  .check = stats_check },
	{},
};

const struct object obj_stats = {
	.name = "stats", .cmds = stats_cmds,
	.summary = "counters: per chain, hop and SF, and drop reasons",
};
