// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl monitor's side in sfcd: the datapath's trace events (sfc_events,
 * a ring buffer) as JSON lines to the API connections that asked for them
 * (headers/sfc_api.h, "monitor").
 *
 * While at least one connection monitors, SFC_OBS_MONITOR is set in
 * sfc_obs (the other bits, latency, are left as they are); with exactly
 * one, its filter (chain, SF, drops only, sampling) is the datapath's too,
 * so unwanted events cost no ring buffer room. Every connection filters
 * its events here as well, always; sampling here only when the datapath
 * does not sample for it. The last one to leave clears the bits, and so
 * does sfcd at start: a killed sfcd leaves nobody to read the events.
 *
 * Nothing waits: a connection that reads too slowly loses events once
 * SFC_MONITOR_QUEUE_MAX bytes wait for it (counted and reported); a full
 * ring buffer loses events in the datapath (reason monitor-event-lost),
 * never packets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "client.h"
#include "log.h"
#include "observe.h"
#include "record.h"
#include "sfc_reasons.h"
#include "sfcd.h"
#include "stats.h"

#define MONITORS_MAX   16     /* connections monitoring at once */
#define EVENTS_PER_RUN 4096   /* a bounded share of the loop per wakeup */
#define OBS_FILTER     (SFC_OBS_MONITOR | SFC_OBS_DROPS_ONLY)

struct sfcd_monitor {
	struct sfcd_client *c;    /* NULL: slot free */
	__u32 chain_id, sf_id, sample;
	bool drops;
	bool sampled_by_dp;       /* the datapath applies this filter's sampling */
	unsigned long long seen;  /* events that matched, for sampling here */
	unsigned long long lost;  /* events dropped: it read too slowly */
	unsigned long long dp_lost, dp_last; /* monitor-event-lost since it began */
};

static struct sfcd_monitor mons[MONITORS_MAX];
static unsigned int nmons;
static struct ring_buffer *rb;
static int rb_fd = -1;
static bool discarding;       /* events from before the first monitor */
static unsigned int budget;
static long long wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */

static const char *const hooks[] = {
	[SFC_HOOK_XDP] = "xdp", [SFC_HOOK_TC_INGRESS] = "tc-ingress",
	[SFC_HOOK_TC_EGRESS] = "tc-egress",
};
static const char *const verdicts[] = {
	[SFC_EV_TO_SF] = "to-sf", [SFC_EV_END] = "end", [SFC_EV_DROP] = "drop",
};

static long long ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Read-modify-write of sfc_obs: the monitor's bits and filter from what
 * the connections ask; every other bit kept. */
static int obs_write(struct sfcd *d)
{
	struct sfcd_monitor *only = NULL;
	struct sfc_obs o;
	int err = sfc_obs_read(d->dp, &o);

	if (err)
		return err;
	o.flags &= ~OBS_FILTER;
	o.sample = o.chain_id = o.sf_id = 0;
	for (int i = 0; i < MONITORS_MAX; i++) {
		if (mons[i].c)
			only = nmons == 1 ? &mons[i] : NULL;
		mons[i].sampled_by_dp = false;
	}
	if (nmons)
		o.flags |= SFC_OBS_MONITOR;
	if (only) {
		o.flags |= only->drops ? SFC_OBS_DROPS_ONLY : 0;
		o.sample = only->sample;
		o.chain_id = only->chain_id;
		o.sf_id = only->sf_id;
		only->sampled_by_dp = true;
	}
	return sfc_obs_write(d->dp, &o);
}

/* The datapath's monitor-event-lost count, summed over CPUs. */
static unsigned long long dp_lost_now(const struct sfcd *d)
{
	__u32 key = SFC_R_MONITOR_LOST;
	unsigned long long sum = 0;
	__u64 *v = calloc(d->dp->ncpus, sizeof(*v));

	if (v && !bpf_map_lookup_elem(d->dp->maps.reasons, &key, v))
		for (int i = 0; i < d->dp->ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

static bool matches(struct sfcd_monitor *m, const struct sfc_event *ev)
{
	if (m->chain_id && ev->chain_id != m->chain_id)
		return false;
	if (m->sf_id && ev->sf_id != m->sf_id && ev->from_sf != m->sf_id)
		return false;
	if (m->drops && ev->verdict != SFC_EV_DROP)
		return false;
	if (m->sample > 1 && !m->sampled_by_dp)
		return m->seen++ % m->sample == 0;
	return true;
}

/* A name from the record, or the id as a number. */
static void set_sf(json_t *o, const char *key, const struct sfcd *d, __u32 id)
{
	struct sfc_sf_record rec;
	char name[SFC_NAME_LEN + 1] = "";

	if (!bpf_map_lookup_elem(d->dp->rec.sfs, &id, &rec))
		memcpy(name, rec.name, SFC_NAME_LEN);
	json_object_set_new(o, key, name[0] ? json_string(name) : json_integer(id));
}

static void set_rfc3339(json_t *o, long long wall_ns)
{
	time_t sec = wall_ns / 1000000000ll;
	char buf[48];
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06lldZ", wall_ns % 1000000000ll / 1000);
	json_object_set_new(o, SFC_KEY_TS, json_string(buf));
}

/* One event as its line (malloc'd, without the newline), or NULL. */
static char *event_line(const struct sfcd *d, const struct sfc_event *ev)
{
	static const char hex[] = "0123456789abcdef";
	char ifname[IF_NAMESIZE], pkt[2 * SFC_EV_CAP + 1], *s;
	struct sfc_chain_record cr;
	json_t *o = json_object();
	const char *reason;

	if (!o)
		return NULL;
	json_object_set_new(o, SFC_KEY_TIME, json_integer((json_int_t)ev->ts_ns));
	set_rfc3339(o, (long long)ev->ts_ns + wall_offset_ns);
	if (ev->chain_id && !bpf_map_lookup_elem(d->dp->rec.chains, &ev->chain_id, &cr) &&
	    cr.name[0]) {
		char name[SFC_NAME_LEN + 1] = "";

		memcpy(name, cr.name, SFC_NAME_LEN);
		json_object_set_new(o, SFC_KEY_CHAIN, json_string(name));
		json_object_set_new(o, SFC_KEY_SPI, json_integer(cr.spi));
	} else {
		json_object_set_new(o, SFC_KEY_CHAIN, json_integer(ev->chain_id));
	}
	json_object_set_new(o, SFC_KEY_SI, json_integer(ev->si));
	if (ev->sf_id)
		set_sf(o, SFC_KEY_SF, d, ev->sf_id);
	if (ev->from_sf)
		set_sf(o, SFC_KEY_FROM_SF, d, ev->from_sf);
	json_object_set_new(o, SFC_KEY_IFINDEX, json_integer(ev->ifindex));
	if (ev->ifindex && if_indextoname(ev->ifindex, ifname))
		json_object_set_new(o, SFC_KEY_IFNAME, json_string(ifname));
	if (ev->hook < sizeof(hooks) / sizeof(hooks[0]) && hooks[ev->hook])
		json_object_set_new(o, SFC_KEY_HOOK, json_string(hooks[ev->hook]));
	else
		json_object_set_new(o, SFC_KEY_HOOK, json_integer(ev->hook));
	if (ev->verdict < sizeof(verdicts) / sizeof(verdicts[0]) && verdicts[ev->verdict])
		json_object_set_new(o, SFC_KEY_VERDICT, json_string(verdicts[ev->verdict]));
	else
		json_object_set_new(o, SFC_KEY_VERDICT, json_integer(ev->verdict));
	if (ev->verdict == SFC_EV_DROP) {
		reason = sfc_reason_name(ev->reason);
		json_object_set_new(o, SFC_KEY_REASON, reason ? json_string(reason) :
				    json_integer(ev->reason));
	}
	json_object_set_new(o, SFC_KEY_LEN, json_integer(ev->pkt_len));
	for (unsigned int i = 0; i < ev->cap_len; i++) {
		pkt[2 * i] = hex[ev->data[i] >> 4];
		pkt[2 * i + 1] = hex[ev->data[i] & 15];
	}
	pkt[2 * ev->cap_len] = '\0';
	json_object_set_new(o, SFC_KEY_PACKET, json_string(pkt));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct sfcd *d = ctx;
	struct sfc_event ev;
	char *line = NULL;
	size_t len = 0;

	if (discarding || size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.cap_len > SFC_EV_CAP)
		ev.cap_len = SFC_EV_CAP;
	for (int i = 0; i < MONITORS_MAX; i++) {
		struct sfcd_monitor *m = &mons[i];

		if (!m->c || m->c->eof || !matches(m, &ev))
			continue;
		if (!line && !(line = event_line(d, &ev))) {
			m->lost++;
			continue;
		}
		len = len ? len : strlen(line);
		if (sfcd_client_queue_line(m->c, line, len, SFC_MONITOR_QUEUE_MAX))
			m->lost++;
	}
	free(line);
	/* a negative value stops libbpf's loop here: the rest waits for the
	 * next turn of sfcd's loop (the ring buffer's fd stays readable) */
	return --budget ? 0 : -EAGAIN;
}

/* Everything queued goes out as far as the sockets take it. */
static void flush_all(struct sfcd *d)
{
	for (int i = 0; i < MONITORS_MAX; i++)
		if (mons[i].c)
			sfcd_client_flush(d, mons[i].c); /* may close it: slot freed */
}

static void consume(struct sfcd *d)
{
	if (!rb)
		return;
	wall_offset_ns = ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC);
	budget = EVENTS_PER_RUN;
	ring_buffer__consume(rb);
	flush_all(d);
}

/* The ring buffer while anyone monitors: in sfcd's epoll loop, emptied of
 * what an earlier monitor left unread. */
static int rb_open(struct sfcd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (rb)
		return 0;
	rb = ring_buffer__new(d->dp->maps.events, on_event, d, NULL);
	if (!rb)
		return -errno;
	discarding = true;
	ring_buffer__consume(rb);
	discarding = false;
	rb_fd = ring_buffer__epoll_fd(rb);
	ev.data.fd = rb_fd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, rb_fd, &ev)) {
		int err = -errno;

		ring_buffer__free(rb);
		rb = NULL;
		rb_fd = -1;
		return err;
	}
	return 0;
}

static void rb_close(struct sfcd *d)
{
	if (!rb)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, rb_fd, NULL);
	ring_buffer__free(rb);
	rb = NULL;
	rb_fd = -1;
}

int sfcd_trace_open(struct sfcd *d)
{
	int err;

	if (d->dp->maps.obs < 0)
		return 0;
	/* a monitor of an sfcd that was killed has nobody reading now */
	err = obs_write(d);
	if (err)
		pr_warn("clearing the monitor bits of sfc_obs: %s\n", strerror(-err));
	return err;
}

void sfcd_trace_close(struct sfcd *d)
{
	rb_close(d);
}

bool sfcd_trace_owns(struct sfcd *d, int fd)
{
	return rb && fd == rb_fd;
}

unsigned int sfcd_trace_monitors(void)
{
	return nmons;
}

void sfcd_trace_event(struct sfcd *d)
{
	consume(d);
}

/* "no chain" / "no SF" from the document; then the datapath's id */
static int resolve(struct sfcd *d, json_t *req, struct sfcd_monitor *m, char *err,
		   size_t len)
{
	json_t *jc = json_object_get(req, SFC_KEY_CHAIN), *js = json_object_get(req, SFC_KEY_SF);
	const char *chain = json_string_value(jc), *sf = json_string_value(js);
	sfc_id_name *names;

	if ((jc && !chain) || (js && !sf)) {
		snprintf(err, len, "monitor: \"%s\" is a name (a string)", jc && !chain ?
			 SFC_KEY_CHAIN : SFC_KEY_SF);
		return -EINVAL;
	}
	if (chain && !sfc_doc_chain(&d->doc, chain)) {
		snprintf(err, len, "monitor: no chain named \"%s\"", chain);
		return -ENOENT;
	}
	if (sf && !sfc_doc_sf(&d->doc, sf)) {
		snprintf(err, len, "monitor: no SF named \"%s\"", sf);
		return -ENOENT;
	}
	if (chain) {
		names = sfc_record_chain_names(d->dp);
		for (__u32 id = 1; names && id < SFC_MAX_CHAINS && !m->chain_id; id++)
			if (!strncmp(names[id], chain, SFC_NAME_LEN))
				m->chain_id = id;
		free(names);
		if (!m->chain_id) {
			snprintf(err, len, "monitor: chain \"%s\" is not in the datapath", chain);
			return -ENOENT;
		}
	}
	if (sf) {
		names = sfc_record_sf_names(d->dp);
		for (__u32 id = 1; names && id < SFC_MAX_SFS && !m->sf_id; id++)
			if (!strncmp(names[id], sf, SFC_NAME_LEN))
				m->sf_id = id;
		free(names);
		if (!m->sf_id) {
			snprintf(err, len, "monitor: SF \"%s\" is not in the datapath", sf);
			return -ENOENT;
		}
	}
	return 0;
}

static int parse_filter(json_t *req, struct sfcd_monitor *m, char *err, size_t len)
{
	json_t *jd = json_object_get(req, SFC_KEY_DROPS), *jn = json_object_get(req, SFC_KEY_SAMPLE);

	if (jd && !json_is_boolean(jd)) {
		snprintf(err, len, "monitor: \"%s\" is true or false", SFC_KEY_DROPS);
		return -EINVAL;
	}
	m->drops = json_is_true(jd);
	m->sample = 1;
	if (jn && (!json_is_integer(jn) || json_integer_value(jn) < 1 ||
		   json_integer_value(jn) > 0xffffffffll)) {
		snprintf(err, len, "monitor: \"%s\" is an integer from 1 to %u (one event in N)",
			 SFC_KEY_SAMPLE, 0xffffffffu);
		return -EINVAL;
	}
	if (jn)
		m->sample = json_integer_value(jn);
	return 0;
}

int sfcd_trace_start(struct sfcd *d, struct sfcd_client *c, json_t *req, char *err,
		     size_t len)
{
	struct sfcd_monitor m = {}, *slot = NULL;
	int ret;

	if (!c) {
		snprintf(err, len, "monitor: only on an API connection");
		return -EINVAL;
	}
	if (c->mon) {
		snprintf(err, len, "monitor: this connection already monitors");
		return -EBUSY;
	}
	if (d->dp->maps.obs < 0 || d->dp->maps.events < 0) {
		snprintf(err, len, "monitor: the pinned datapath predates trace events "
			 "(map ABI %d); sfcd --unload and start sfcd again", SFC_ABI_VERSION);
		return -EOPNOTSUPP;
	}
	ret = parse_filter(req, &m, err, len);
	if (!ret)
		ret = resolve(d, req, &m, err, len);
	if (ret)
		return ret;
	for (int i = 0; i < MONITORS_MAX && !slot; i++)
		if (!mons[i].c)
			slot = &mons[i];
	if (!slot) {
		snprintf(err, len, "monitor: %d connections monitor already; try again later",
			 MONITORS_MAX);
		return -EBUSY;
	}
	ret = rb_open(d);
	if (ret) {
		snprintf(err, len, "monitor: the event ring buffer: %s", strerror(-ret));
		return ret;
	}
	m.c = c;
	m.dp_last = dp_lost_now(d);
	*slot = m;
	c->mon = slot;
	nmons++;
	ret = obs_write(d);
	if (ret) {
		snprintf(err, len, "monitor: writing sfc_obs: %s", strerror(-ret));
		sfcd_trace_stop(d, c);
		return ret;
	}
	pr_info("pid %d monitors trace events (%u monitor%s)\n", c->pid, nmons,
		nmons == 1 ? "" : "s");
	return 0;
}

void sfcd_trace_stop(struct sfcd *d, struct sfcd_client *c)
{
	struct sfcd_monitor *m = c->mon;
	int err;

	if (!m)
		return;
	c->mon = NULL;
	memset(m, 0, sizeof(*m));
	nmons--;
	err = obs_write(d);
	if (err)
		pr_warn("sfc_obs after a monitor left: %s\n", strerror(-err));
	if (!nmons)
		rb_close(d);
}

/* {"lost": N, "lost_datapath": N}, queued past the event limit: the
 * report matters most to a client that lost events. */
static void report(struct sfcd_monitor *m, unsigned long long dp_now)
{
	char line[128];
	int n;

	m->dp_lost += dp_now >= m->dp_last ? dp_now - m->dp_last : dp_now; /* a reset */
	m->dp_last = dp_now;
	n = snprintf(line, sizeof(line), "{\"%s\":%llu,\"%s\":%llu}", SFC_KEY_LOST, m->lost,
		     SFC_KEY_LOST_DATAPATH, m->dp_lost);
	sfcd_client_queue_line(m->c, line, n, SFC_MONITOR_QUEUE_MAX + 4096);
}

void sfcd_trace_tick(struct sfcd *d)
{
	unsigned long long dp_now;

	if (!nmons)
		return;
	consume(d);
	dp_now = dp_lost_now(d);
	for (int i = 0; i < MONITORS_MAX; i++)
		if (mons[i].c && !mons[i].c->eof)
			report(&mons[i], dp_now);
	flush_all(d);
}

void sfcd_trace_eof(struct sfcd *d, struct sfcd_client *c)
{
	if (c->mon)
		report(c->mon, dp_lost_now(d));
}
