// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl monitor: the datapath's trace events, as sfcd streams them
 * (headers/sfc_api.h, monitor): a text line each, a JSON object each with
 * -j, or pcapng records with -w FILE. Until count N events, or SIGINT or
 * SIGTERM; then sfcd's last loss report, and a summary on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "monitor.h"
#include "sfcctl.h"

#define POLL_US       200000  /* how soon a signal is noticed */
#define FINAL_WAIT_US 2000000 /* for sfcd's last loss report */

static const struct kw monitor_kws[] = {
	{ .name = "chain", .type = KW_NAME, .key = SFC_KEY_CHAIN, .meta = "NAME" },
	{ .name = "sf", .type = KW_NAME, .key = SFC_KEY_SF, .meta = "NAME" },
	{ .name = "drops", .type = KW_FLAG, .key = SFC_KEY_DROPS },
	{ .name = "sample", .type = KW_UINT, .key = SFC_KEY_SAMPLE, .meta = "N", .min = 1,
	  .max = 1000000 },
	{ .name = "count", .type = KW_UINT, .key = "count", .meta = "N", .min = 1,
	  .max = 1000000000 },
	{ .name = "-w", .type = KW_PATH, .key = "file", .meta = "FILE" },
	{},
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct mon {
	struct ctx *c;
	FILE *pcap_f;             /* -w: the file (stdout for "-") */
	struct pcapng pcap;
	unsigned long long events, lost, lost_dp;
	bool to_stdout;           /* text or JSON lines go to stdout (not with -w) */
};

static void set_rcvtimeo(int fd, long us)
{
	struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* A loss report: shown when it changed (text: stderr; -j: a line). */
static void on_lost(struct mon *m, json_t *o)
{
	unsigned long long lost = json_integer_value(json_object_get(o, SFC_KEY_LOST));
	unsigned long long dp = json_integer_value(json_object_get(o, SFC_KEY_LOST_DATAPATH));

	if (lost == m->lost && dp == m->lost_dp)
		return;
	m->lost = lost;
	m->lost_dp = dp;
	if (m->c->json && m->to_stdout) {
		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		fflush(stdout);
	} else {
		fprintf(stderr, "sfcctl: monitor: %llu events lost so far (%llu read too slowly, "
			"%llu with the datapath's ring buffer full)\n", lost + dp, lost, dp);
	}
}

/* 0, or -1 with c->err set (the output could not be written). */
static int on_event(struct mon *m, json_t *ev)
{
	struct ctx *c = m->c;
	char line[768];
	int err;

	m->events++;
	if (m->pcap_f) {
		err = monitor_event_pcapng(&m->pcap, ev);
		if (!err)
			err = pcapng_flush(&m->pcap);
		if (err)
			return errf(c, "monitor: writing the capture: %s", strerror(-err));
	}
	if (!m->to_stdout)
		return 0;
	if (c->json) {
		json_dumpf(ev, stdout, c->pretty ? JSON_INDENT(2) : JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		monitor_event_text(ev, line, sizeof(line));
		puts(line);
	}
	if (fflush(stdout) || ferror(stdout))
		return errf(c, "monitor: writing the events: %s", strerror(errno));
	return 0;
}

/* One line from sfcd: 1 an event, 0 a loss report, -1 with c->err set. */
static int on_line(struct mon *m, const char *s, size_t len, bool events)
{
	json_error_t je;
	json_t *o = json_loadb(s, len, 0, &je);
	int ret = 0;

	if (!json_is_object(o)) {
		json_decref(o);
		return errf(m->c, "monitor: sfcd sent a malformed line");
	}
	if (json_object_get(o, SFC_KEY_LOST))
		on_lost(m, o);
	else if (events)
		ret = on_event(m, o) ? -1 : 1;
	json_decref(o);
	return ret;
}

/* After our shutdown: what sfcd still sends, up to its last loss report. */
static void final_report(struct mon *m)
{
	struct ctx *c = m->c;
	ssize_t len;

	shutdown(c->fd, SHUT_WR);
	set_rcvtimeo(c->fd, FINAL_WAIT_US);
	while ((len = sfc_jsonl_read_line(c->fd, &c->rd)) >= 0) {
		on_line(m, c->rd.buf, len, false);
		sfc_jsonl_consume(&c->rd, len);
	}
}

static json_t *monitor_request(json_t *args)
{
	static const char *const keys[] = { SFC_KEY_CHAIN, SFC_KEY_SF, SFC_KEY_DROPS,
					    SFC_KEY_SAMPLE };
	json_t *req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_MONITOR);

	for (size_t i = 0; req && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(args, keys[i]))
			json_object_set(req, keys[i], json_object_get(args, keys[i]));
	return req;
}

static int open_capture(struct mon *m, const char *path)
{
	int err;

	m->pcap_f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!m->pcap_f)
		return errf(m->c, "monitor: -w %s: %s", path, strerror(errno));
	err = pcapng_start(&m->pcap, m->pcap_f, "sfcctl monitor");
	if (!err)
		err = pcapng_flush(&m->pcap);
	if (err)
		return errf(m->c, "monitor: -w %s: %s", path, strerror(-err));
	return 0;
}

static int close_capture(struct mon *m, const char *path)
{
	FILE *f = m->pcap_f;

	m->pcap_f = NULL;
	if (!f)
		return 0;
	if (f == stdout ? fflush(f) : fclose(f))
		return errf(m->c, "monitor: -w %s: %s", path, strerror(errno));
	return 0;
}

static int stream(struct mon *m, unsigned long long count)
{
	struct ctx *c = m->c;
	ssize_t len;

	while (!stop && (!count || m->events < count)) {
		len = sfc_jsonl_read_line(c->fd, &c->rd);
		if (len == -EAGAIN)
			continue;
		if (len < 0)
			return errf(c, len == -EPIPE ? "monitor: sfcd ended the stream (it stopped?)" :
				    "monitor: reading from sfcd: %s", strerror((int)-len));
		if (on_line(m, c->rd.buf, len, true) < 0)
			return -1;
		sfc_jsonl_consume(&c->rd, len);
	}
	return 0;
}

static int monitor_run(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *path = json_string_value(json_object_get(args, "file"));
	unsigned long long count = json_integer_value(json_object_get(args, "count"));
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct mon m = { .c = c, .to_stdout = !path }; /* -w: the file only, as tcpdump */
	json_t *req, *reply;
	int ret;

	(void)cmd;
	req = monitor_request(args);
	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	json_decref(reply);
	if (ret)
		return -1;
	/* once sfcd said yes: a refused monitor leaves no file behind */
	if (path && open_capture(&m, path)) {
		if (m.pcap_f && m.pcap_f != stdout)
			fclose(m.pcap_f);
		sfcd_close(c);
		return -1;
	}
	/* no SA_RESTART: a signal ends the wait for the next line */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signal(SIGPIPE, SIG_IGN);
	set_rcvtimeo(c->fd, POLL_US);
	ret = stream(&m, count);
	if (!ret)
		final_report(&m);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sfcd_close(c);
	if (close_capture(&m, path))
		ret = -1;
	fprintf(stderr, "%llu event%s, %llu lost (%llu read too slowly, %llu with the "
		"datapath's ring buffer full)\n", m.events, m.events == 1 ? "" : "s",
		m.lost + m.lost_dp, m.lost, m.lost_dp);
	return ret;
}

static const struct cmd monitor_cmds[] = {
	{ .fn = monitor_run,
	  .summary = "trace events of the datapath as they happen: time, chain, SPI, SI, "
	             "SF, interface, hook, verdict (to-sf, end, drop and its reason) and "
	             "the packet's headers; of one chain, of packets to or from one SF, "
	             "drops only, one event in N; until count N events or Ctrl-C. -j: one "
	             "JSON object per line. -w FILE: a pcapng capture instead (\"-\": "
	             "standard output), with the trace in each packet's comment",
	  .kws = monitor_kws,
	  .note = "Events lost (sfcctl read too slowly, or the datapath's ring buffer was "
	          "full) are counted and reported; packets are never lost to monitoring." },
	{},
};

const struct object obj_monitor = {
	.name = "monitor", .cmds = monitor_cmds,
	.summary = "live trace events: each decision of the datapath, per packet",
};
