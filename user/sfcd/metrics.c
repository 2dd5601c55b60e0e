// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTTP side of sfcd --metrics (metrics.h). Each connection sends one
 * request; GET (or HEAD) /metrics gets the exposition, anything else its
 * HTTP error, and the connection is closed once the answer is sent. A
 * request that does not arrive whole within SFCD_METRICS_DEADLINE_S, or
 * an answer not read by then, is dropped: a slow or hostile client costs
 * one of SFCD_METRICS_MAX_CONNS slots for that long, never the daemon's
 * attention.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "log.h"
#include "metrics.h"
#include "path_pool.h"
#include "sfcd.h"

struct mconn {
	int fd;                  /* -1: free */
	char in[SFCD_METRICS_REQ_MAX];
	size_t inlen;
	char *out;               /* the answer, headers and body */
	size_t outlen, outoff;
	time_t deadline;
};

static struct mconn conns[SFCD_METRICS_MAX_CONNS] = {
	[0 ... SFCD_METRICS_MAX_CONNS - 1] = { .fd = -1 }
};

int sfcd_metrics_listen(const char *spec, char *err, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	char host[128], *port;
	struct addrinfo *ai;
	int fd, rc, one = 1;
	size_t n = strlen(spec);

	port = strrchr(spec, ':');
	if (!port || port == spec || !port[1] || n >= sizeof(host)) {
		snprintf(err, len, "--metrics \"%s\": want ADDRESS:PORT, as 127.0.0.1:9464 or "
			 "[::1]:9464", spec);
		return -1;
	}
	memcpy(host, spec, port - spec);
	host[port - spec] = '\0';
	port++;
	if (host[0] == '[') {
		size_t h = strlen(host);

		if (h < 3 || host[h - 1] != ']') {
			snprintf(err, len, "--metrics \"%s\": an IPv6 address goes in brackets, "
				 "as [::1]:9464", spec);
			return -1;
		}
		memmove(host, host + 1, h - 2);
		host[h - 2] = '\0';
	}
	{
		char *end;
		unsigned long p = strtoul(port, &end, 10);

		if (*end || port[0] == '-' || port[0] == '+' || !p || p > 65535) {
			snprintf(err, len, "--metrics \"%s\": the port must be 1 to 65535", spec);
			return -1;
		}
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, len, "--metrics \"%s\": \"%s\" is not an IP address (%s)", spec,
			 host, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ai->ai_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		snprintf(err, len, "--metrics %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* sfcd_probe_json for the exposition (metrics_text.c knows no sfcd) */
static json_t *probe_of(void *ctx, const char *sf)
{
	return sfcd_probe_json(ctx, sf);
}

static void watch(struct sfcd *d, int fd, unsigned int events, int op)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	epoll_ctl(d->epfd, op, fd, &ev);
}

int sfcd_metrics_open(struct sfcd *d)
{
	struct itimerspec every = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };

	if (d->metrics_fd < 0)
		return 0;
	d->metrics_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->metrics_timer_fd < 0 || timerfd_settime(d->metrics_timer_fd, 0, &every, NULL))
		return -1;
	watch(d, d->metrics_fd, EPOLLIN, EPOLL_CTL_ADD);
	watch(d, d->metrics_timer_fd, EPOLLIN, EPOLL_CTL_ADD);
	return 0;
}

static void conn_close(struct sfcd *d, struct mconn *c)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->inlen = c->outlen = c->outoff = 0;
}

void sfcd_metrics_close(struct sfcd *d)
{
	for (int i = 0; i < SFCD_METRICS_MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(d, &conns[i]);
	if (d->metrics_fd >= 0)
		close(d->metrics_fd);
	if (d->metrics_timer_fd >= 0)
		close(d->metrics_timer_fd);
	d->metrics_fd = d->metrics_timer_fd = -1;
}

static struct mconn *conn_of(int fd)
{
	for (int i = 0; i < SFCD_METRICS_MAX_CONNS; i++)
		if (conns[i].fd == fd)
			return &conns[i];
	return NULL;
}

bool sfcd_metrics_owns(struct sfcd *d, int fd)
{
	return fd >= 0 && (fd == d->metrics_fd || fd == d->metrics_timer_fd || conn_of(fd));
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Send what can be sent; closed once all of it is. */
static void flush(struct sfcd *d, struct mconn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(d, c);
			return;
		}
		c->outoff += (size_t)n;
	}
	conn_close(d, c);
}

static void answer(struct sfcd *d, struct mconn *c, const char *status, const char *extra,
		   const char *type, const char *body, size_t blen, bool head)
{
	char hdr[512];
	int h = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			 "Connection: close\r\n\r\n", status, type, blen, extra);

	c->out = malloc((size_t)h + (head ? 0 : blen));
	if (!c->out) {
		conn_close(d, c);
		return;
	}
	memcpy(c->out, hdr, (size_t)h);
	if (!head)
		memcpy(c->out + h, body, blen);
	c->outlen = (size_t)h + (head ? 0 : blen);
	c->outoff = 0;
	watch(d, c->fd, EPOLLOUT, EPOLL_CTL_MOD);
	flush(d, c);
}

static void error_answer(struct sfcd *d, struct mconn *c, const char *status,
			 const char *extra, const char *msg)
{
	answer(d, c, status, extra, "text/plain; charset=utf-8", msg, strlen(msg), false);
}

/* The request is whole (its headers end at the blank line): answer it. */
static void serve(struct sfcd *d, struct mconn *c)
{
	char method[16], target[256], version[16];
	bool head;

	c->in[c->inlen] = '\0';
	if (sscanf(c->in, "%15s %255s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7))
		return error_answer(d, c, "400 Bad Request", "",
				    "sfcd: not an HTTP/1.x request line\n");
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head)
		return error_answer(d, c, "405 Method Not Allowed", "Allow: GET, HEAD\r\n",
				    "sfcd: only GET /metrics is served here\n");
	if (strcmp(target, "/metrics") && strncmp(target, "/metrics?", 9))
		return error_answer(d, c, "404 Not Found", "",
				    "sfcd: only /metrics is served here\n");
	{
		struct sfcd_metrics_src src = {
			.dp = d->dp, .doc = &d->doc, .applies = d->applies,
			.apply_failures = d->apply_failures, .apply_seconds = d->apply_seconds,
			.last_apply_seconds = d->last_apply_seconds, .nl_events = d->nl_events,
			.link_updates = d->link_updates, .reconciles = d->reconciles,
			.nl_overruns = d->nl_overruns, .clients = sfcd_server_clients(),
			.clients_dropped = d->clients_dropped, .scrapes = ++d->metrics_scrapes,
			.census = &d->census, .monitors = sfcd_trace_monitors(),
			.probe = probe_of, .probe_ctx = d,
		};
		size_t len = 0;
		char *text = sfcd_metrics_text(&src, &len);

		if (!text)
			return error_answer(d, c, "500 Internal Server Error", "",
					    "sfcd: could not read the counters\n");
		answer(d, c, "200 OK", "", "text/plain; version=0.0.4; charset=utf-8", text, len,
		       head);
		free(text);
	}
}

static void readable(struct sfcd *d, struct mconn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen,
				 MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(d, c);
			return;
		}
		c->inlen += (size_t)n;
		c->in[c->inlen] = '\0';
		if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n")) {
			watch(d, c->fd, 0, EPOLL_CTL_MOD); /* one request per connection */
			serve(d, c);
			return;
		}
		if (c->inlen >= sizeof(c->in) - 1) {
			error_answer(d, c, "431 Request Header Fields Too Large", "",
				     "sfcd: request over 8 KiB\n");
			return;
		}
	}
}

static void accept_all(struct sfcd *d)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Retry-After: 1\r\nConnection: close\r\n\r\n";

	for (;;) {
		int fd = accept4(d->metrics_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct mconn *c;

		if (fd < 0)
			return;
		c = conn_of(-1);
		if (!c) {
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				pr_debug("metrics: %s\n", strerror(errno));
			close(fd);
			d->metrics_refused++;
			continue;
		}
		c->fd = fd;
		c->inlen = 0;
		c->deadline = now_s() + SFCD_METRICS_DEADLINE_S;
		watch(d, fd, EPOLLIN, EPOLL_CTL_ADD);
	}
}

/* The flow cache's fill, a bounded step a second; the eviction estimate
 * after each complete count (flow_census.h). */
static void census(struct sfcd *d)
{
	const struct sfc_path_gc_stats *gc = sfc_path_gc_stats(d->dp);
	__u64 inserted, deleted;
	int r = sfc_flow_census_step(d->dp, &d->census, sfc_now_ms(), SFCD_CENSUS_STEP,
				     SFCD_CENSUS_EVERY_MS);

	if (r < 0) {
		pr_debug("counting sfc_flows: %s\n", strerror(-r));
		return;
	}
	if (r == 1 && !sfc_flow_counts_read(d->dp, &inserted, &deleted))
		sfc_flow_census_evictions(&d->census, inserted, deleted,
					  gc->flows_ended + gc->flows_migrated);
}

static void expire(struct sfcd *d)
{
	time_t now = now_s();
	__u64 ticks;

	if (read(d->metrics_timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		pr_debug("metrics timer: %s\n", strerror(errno));
	census(d);
	for (int i = 0; i < SFCD_METRICS_MAX_CONNS; i++)
		if (conns[i].fd >= 0 && now >= conns[i].deadline) {
			conn_close(d, &conns[i]);
			d->metrics_expired++;
		}
}

void sfcd_metrics_event(struct sfcd *d, int fd, unsigned int events)
{
	struct mconn *c;

	if (fd == d->metrics_fd)
		return accept_all(d);
	if (fd == d->metrics_timer_fd)
		return expire(d);
	c = conn_of(fd);
	if (!c)
		return;
	if (c->out)
		flush(d, c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		readable(d, c);
}
