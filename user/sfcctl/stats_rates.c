// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl stats -s [SECONDS] [count N]: rates instead of totals. The
 * counters are read every SECONDS (1 by default); each interval prints
 * packets/s and bits/s per chain, hop and SF, and drops/s per hop, from
 * the difference of two readings over the time measured between them.
 * Until interrupted, or N intervals. A counter that went down between two
 * readings (reset, chain re-created) counts as 0 for that interval.
 */
#include <string.h>
#include <time.h>

#include "lat_hist.h"
#include "sfcctl.h"

#define I(o, k) ((long long)json_integer_value(json_object_get(o, k)))
#define R(o, k) json_real_value(json_object_get(o, k))

double stats_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void stats_sleep_until(double t)
{
	double d = t - stats_now_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts))
		;
}

/* (b - a) / dt of key in two rows; 0 when the counter went down */
static json_t *rate(json_t *a, json_t *b, const char *key, double dt, int mult)
{
	long long d = I(b, key) - I(a, key);

	return json_real(d > 0 ? (double)d * mult / dt : 0.0);
}

/* The row of arr named name: at index i, where two readings put the same
 * object unless chains or SFs came or went between them, else searched. */
static json_t *same_row(json_t *arr, size_t i, const char *name)
{
	json_t *r = json_array_get(arr, i);

	if (r && !strcmp(json_string_value(json_object_get(r, "name")) ?: "", name))
		return r;
	return find_by(arr, "name", name);
}

/* The latency of an SF's packets timed between readings p and v (their
 * histograms' difference): {"samples","p50_ns","p99_ns"}, or NULL for none */
static json_t *interval_latency(json_t *p, json_t *v)
{
	json_t *pb = json_object_get(json_object_get(p, "latency"), "buckets");
	json_t *vb = json_object_get(json_object_get(v, "latency"), "buckets");
	__u64 b[SFC_LAT_BUCKETS] = {}, n;

	if (json_array_size(vb) != SFC_LAT_BUCKETS)
		return NULL;
	for (int i = 0; i < SFC_LAT_BUCKETS; i++) {
		json_int_t a = json_integer_value(json_array_get(pb, i));
		json_int_t c = json_integer_value(json_array_get(vb, i));

		/* a reset between the readings: count from zero */
		b[i] = c >= a ? (__u64)(c - a) : (__u64)c;
	}
	n = sfc_lat_count(b);
	if (!n)
		return NULL;
	return json_pack("{s:I,s:I,s:I}", "samples", (json_int_t)n,
			 "p50_ns", (json_int_t)sfc_lat_quantile(b, 0.50),
			 "p99_ns", (json_int_t)sfc_lat_quantile(b, 0.99));
}

/* One interval's view, from the readings prev and cur dt seconds apart. */
json_t *stats_rates_view(json_t *prev, json_t *cur, double dt, const char *chain,
			 const char *sf, json_t *doc)
{
	json_t *view = json_object(), *chains = json_array(), *sfs = json_array(), *v, *h;
	char when[32];
	time_t t = time(NULL);
	size_t i, j;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(view, "time", json_string(when));
	json_object_set_new(view, "interval_s", json_real((double)(long long)(dt * 1000 + 0.5) / 1000));
	json_array_foreach(sf ? NULL : json_object_get(cur, "chains"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		json_t *p = same_row(json_object_get(prev, "chains"), i, name), *c, *hops;

		if (!p || (chain && strcmp(chain, name)))
			continue;
		stats_name_hops(v, doc);
		hops = json_array();
		json_array_foreach(json_object_get(v, "hops"), j, h) {
			json_t *ph = json_array_get(json_object_get(p, "hops"), j);

			if (!ph || I(ph, "si") != I(h, "si"))
				continue;
			json_array_append_new(hops, json_pack("{s:I,s:I,s:O*,s:o,s:o,s:o,s:o}",
				"hop", I(h, "hop"), "si", I(h, "si"), "sfs", json_object_get(h, "sfs"),
				"pps", rate(ph, h, "packets", dt, 1), "bps", rate(ph, h, "bytes", dt, 8),
				"drops_ps", rate(ph, h, "drops", dt, 1),
				"bypassed_ps", rate(ph, h, "bypassed", dt, 1)));
		}
		c = json_pack("{s:s,s:I,s:o,s:o,s:o}", "name", name, "spi", I(v, "spi"),
			      "pps", rate(p, v, "packets", dt, 1), "bps", rate(p, v, "bytes", dt, 8),
			      "hops", hops);
		json_array_append_new(chains, c);
	}
	json_array_foreach(chain ? NULL : json_object_get(cur, "sfs"), i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		json_t *p = same_row(json_object_get(prev, "sfs"), i, name);

		json_t *row, *lat;

		if (!p || (sf && strcmp(sf, name)))
			continue;
		row = json_pack("{s:s,s:O,s:o,s:o,s:o,s:o}", "name", name,
			"up", json_object_get(v, "up"),
			"tx_pps", rate(p, v, "tx_packets", dt, 1), "tx_bps", rate(p, v, "tx_bytes", dt, 8),
			"rx_pps", rate(p, v, "rx_packets", dt, 1), "rx_bps", rate(p, v, "rx_bytes", dt, 8));
		lat = interval_latency(p, v);
		if (lat)
			json_object_set_new(row, "latency", lat);
		json_array_append_new(sfs, row);
	}
	if (!sf)
		json_object_set_new(view, "chains", chains);
	else
		json_decref(chains);
	if (!chain)
		json_object_set_new(view, "sfs", sfs);
	else
		json_decref(sfs);
	/* the datapath's reasons (not per chain or SF): those that counted */
	if (!chain && !sf) {
		json_t *reasons = json_array();

		json_array_foreach(json_object_get(cur, "reasons"), i, v) {
			json_t *p = json_array_get(json_object_get(prev, "reasons"), i);

			if (p && I(p, "code") == I(v, "code") && I(v, "count") > I(p, "count"))
				json_array_append_new(reasons, json_pack("{s:I,s:O,s:o}",
					"code", I(v, "code"), "name", json_object_get(v, "name"),
					"per_s", rate(p, v, "count", dt, 1)));
		}
		json_object_set_new(view, "reasons", reasons);
	}
	return view;
}

/* 1234567 -> "1.23M"; below 1000 as it is */
static const char *si_units(double v, char *buf, size_t len)
{
	static const char *const u[] = { "", "k", "M", "G", "T" };
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, i ? "%.3g%s" : "%.0f", v, u[i]);
	return buf;
}

static const char *fmt_rate(json_t *row, const char *key, char *buf, size_t len)
{
	return si_units(R(row, key), buf, len);
}

static const struct col hop_cols[] = {
	{ .head = "HOP", .key = "hop", .right = true },
	{ .head = "SI", .key = "si", .right = true },
	{ .head = "SFS", .key = "sfs", .fmt = fmt_hops },
	{ .head = "PKT/S", .key = "pps", .fmt = fmt_rate, .right = true },
	{ .head = "BIT/S", .key = "bps", .fmt = fmt_rate, .right = true },
	{ .head = "DROPS/S", .key = "drops_ps", .fmt = fmt_rate, .right = true },
	{ .head = "BYPASSED/S", .key = "bypassed_ps", .fmt = fmt_rate, .right = true },
	{},
};

static const struct col sf_cols[] = {
	{ .head = "SF", .key = "name" },
	{ .head = "STATE", .key = "up", .fmt = fmt_up },
	{ .head = "TX-PKT/S", .key = "tx_pps", .fmt = fmt_rate, .right = true },
	{ .head = "TX-BIT/S", .key = "tx_bps", .fmt = fmt_rate, .right = true },
	{ .head = "RX-PKT/S", .key = "rx_pps", .fmt = fmt_rate, .right = true },
	{ .head = "RX-BIT/S", .key = "rx_bps", .fmt = fmt_rate, .right = true },
	{ .head = "LAT-P50", .key = "p50_ns", .fmt = fmt_latency, .right = true },
	{ .head = "P99", .key = "p99_ns", .fmt = fmt_latency, .right = true },
	{},
};

static const struct col reason_cols[] = {
	{ .head = "REASON", .key = "name" },
	{ .head = "CODE", .key = "code", .right = true },
	{ .head = "PER-S", .key = "per_s", .fmt = fmt_rate, .right = true },
	{},
};

void stats_rates_text(FILE *f, json_t *view)
{
	json_t *ch, *sfs = json_object_get(view, "sfs");
	char a[32], b[32];
	size_t i;

	fprintf(f, "%s  over %.2f s\n", json_string_value(json_object_get(view, "time")),
		R(view, "interval_s"));
	json_array_foreach(json_object_get(view, "chains"), i, ch) {
		fprintf(f, "chain %s  spi %lld  %s pkt/s  %s bit/s\n",
			json_string_value(json_object_get(ch, "name")), I(ch, "spi"),
			si_units(R(ch, "pps"), a, sizeof(a)), si_units(R(ch, "bps"), b, sizeof(b)));
		print_table(f, "  ", hop_cols, json_object_get(ch, "hops"));
	}
	if (sfs && json_array_size(sfs))
		print_table(f, "", sf_cols, sfs);
	if (json_array_size(json_object_get(view, "reasons")))
		print_table(f, "", reason_cols, json_object_get(view, "reasons"));
	fputc('\n', f);
}

json_t *stats_reading(struct ctx *c)
{
	json_t *req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_STATS), *reply, *st;
	int ret = sfcd_request(c, req, &reply);

	json_decref(req);
	if (ret)
		return NULL;
	st = json_incref(json_object_get(reply, SFC_KEY_STATS));
	json_decref(reply);
	return st;
}

int stats_rates_loop(struct ctx *c, const char *chain, const char *sf, json_t *args,
		     const struct rates_sink *sink)
{
	json_t *iv = json_object_get(args, "interval"), *cnt = json_object_get(args, "count");
	double interval = json_is_integer(iv) ? (double)json_integer_value(iv) : 1.0;
	long long count = json_is_integer(cnt) ? json_integer_value(cnt) : 0;
	json_t *doc, *prev, *cur;
	double t0, tp, t;
	int ret = 0;

	if (sfcd_get_doc(c, &doc))
		return -1;
	if (chain && !find_by(json_object_get(doc, "chains"), "name", chain))
		ret = errf(c, "no chain named \"%s\"", chain);
	else if (sf && !find_by(json_object_get(doc, "sfs"), "name", sf))
		ret = errf(c, "no SF named \"%s\"", sf);
	prev = ret ? NULL : stats_reading(c);
	if (!prev) {
		json_decref(doc);
		return -1;
	}
	t0 = tp = stats_now_s();
	for (long long n = 1; !count || n <= count; n++) {
		json_t *view;

		/* on a fixed grid: the time a reading takes does not add up */
		if (sink->wait(t0 + interval * (double)n, sink->arg))
			break;
		cur = stats_reading(c);
		t = stats_now_s();
		if (!cur) {
			ret = -1;
			break;
		}
		view = stats_rates_view(prev, cur, t - tp, chain, sf, doc);
		sink->show(c, view, sink->arg);
		json_decref(view);
		json_decref(prev);
		prev = cur;
		tp = t;
	}
	json_decref(prev);
	json_decref(doc);
	return ret;
}

static bool sleep_until(double t, void *arg)
{
	(void)arg;
	stats_sleep_until(t);
	return false;
}

static void print_rates(struct ctx *c, json_t *view, void *arg)
{
	(void)arg;
	print_view(c, view, stats_rates_text);
}

int stats_rates(struct ctx *c, const char *chain, const char *sf, json_t *args)
{
	static const struct rates_sink sink = { .wait = sleep_until, .show = print_rates };

	return stats_rates_loop(c, chain, sf, args, &sink);
}
