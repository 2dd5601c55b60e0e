// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One API connection's bytes: requests gathered up to their newline (at
 * most SFC_API_MAX_REQUEST, and large buffers within SFCD_IN_TOTAL_MAX for
 * all clients), answered in order, replies queued and written as the
 * socket takes them. Nothing here waits.
 *
 * At the yield points of a long request, other connections are read too
 * and their requests that only read are answered; the first request that
 * must wait for the one under way stops the connection there: it keeps
 * that request and what follows it, reads nothing more, and gets its turn
 * (in the order connections came to wait) once the long request is done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "jsonl.h"
#include "log.h"
#include "sfcd.h"
#include "yield.h"

#define CHUNK         65536
/* bytes read per event: a large request arrives over many, with link
 * events between (copying megabytes into fresh pages took milliseconds) */
#define READ_BUDGET   (4 * CHUNK)
/* one request of the largest size, its newline, and a chunk of the next */
#define IN_MAX        ((size_t)SFC_API_MAX_REQUEST + 1 + CHUNK)

static size_t in_total;       /* sum of in_cap over clients */
static unsigned long turns;   /* connections that came to wait, ever */

unsigned long long sfcd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void in_free(struct sfcd_client *c)
{
	in_total -= c->in_cap;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = c->in_scanned = 0;
}

/* The same after a request was served: megabytes are given back between
 * yield points (the buffer is out of the accounts first). */
static void in_free_served(struct sfcd_client *c)
{
	char *in = c->in;
	size_t len = c->in_len;

	in_total -= c->in_cap;
	c->in = NULL;
	c->in_len = c->in_cap = c->in_scanned = 0;
	sfc_free_yielding(in, len);
}

void sfcd_client_release(struct sfcd_client *c)
{
	in_free(c);
	free(c->out);
	c->out = NULL;
}

void sfcd_client_progress(struct sfcd *d, struct sfcd_client *c)
{
	c->deadline_ms = sfcd_now_ms() + d->client_timeout_s * 1000ull;
}

/* Watch for what the client can do next: send (unless it shut down its
 * side) and, while replies wait, take them. */
static void watch(struct sfcd *d, struct sfcd_client *c)
{
	struct epoll_event ev = { .data.fd = c->fd };

	ev.events = (c->eof || c->turn ? 0 : EPOLLIN) |
		    (c->out_len > c->out_off ? EPOLLOUT : 0);
	if (ev.events != c->events)
		epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = ev.events;
}

/* Write what the socket takes. 0, or -1 when the client was closed. */
int sfcd_client_flush(struct sfcd *d, struct sfcd_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			sfcd_client_close(d, c, errno == EPIPE || errno == ECONNRESET ? NULL :
				     strerror(errno));
			return -1;
		}
		c->out_off += n;
		sfcd_client_progress(d, c);
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->out_cap > CHUNK) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
		if (c->eof) {
			sfcd_client_close(d, c, NULL);
			return -1;
		}
	}
	watch(d, c);
	return 0;
}

/* Queue one reply line and write what can be. 0, or -1 when the client
 * was closed: its unsent replies would exceed SFCD_OUT_MAX (one reply
 * alone may be larger: it is what the client asked for). */
static int queue_reply(struct sfcd *d, struct sfcd_client *c, json_t *reply)
{
	size_t pending = c->out_len - c->out_off, len;
	char *s = sfc_json_dumps(reply, JSON_COMPACT);
	char why[128];

	json_decref(reply);
	if (!s) {
		sfcd_client_close(d, c, "cannot serialize a reply");
		return -1;
	}
	len = strlen(s);
	if (pending && pending + len + 1 > SFCD_OUT_MAX) {
		free(s);
		snprintf(why, sizeof(why), "it reads no replies (%zu bytes unsent, limit %u)",
			 pending, SFCD_OUT_MAX);
		sfcd_client_close(d, c, why);
		return -1;
	}
	if (sfcd_client_queue_line(c, s, len, SIZE_MAX)) {
		free(s);
		sfcd_client_close(d, c, "out of memory for its replies");
		return -1;
	}
	free(s);
	return sfcd_client_flush(d, c);
}

int sfcd_client_queue_line(struct sfcd_client *c, const char *line, size_t len, size_t max)
{
	size_t need;

	if (c->out_len - c->out_off + len + 1 > max)
		return -1;
	need = c->out_len + len + 1;
	/* what was sent goes first: no move per line while the socket is slow */
	if (need > c->out_cap && c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		need = c->out_len + len + 1;
	}
	if (need > c->out_cap) {
		size_t cap = need > 2 * c->out_cap ? need : 2 * c->out_cap;
		char *b = realloc(c->out, cap);

		if (!b)
			return -1;
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	return 0;
}

/* Stop buffering this request: its bytes are discarded up to its newline,
 * which gets error why as its reply. */
static void start_refusing(struct sfcd_client *c, const char *why)
{
	snprintf(c->refuse, sizeof(c->refuse), "%s", why);
	in_free(c);
}

/* Room for CHUNK more bytes of request, or as much as the limits allow.
 * false when the request cannot be held (start_refusing was called). */
static bool in_room(struct sfcd_client *c)
{
	size_t cap;
	char *b, why[160];

	if (c->in_cap - c->in_len >= CHUNK || c->in_cap >= IN_MAX)
		return true;
	cap = c->in_cap ? 2 * c->in_cap : 2 * CHUNK;
	if (cap > IN_MAX)
		cap = IN_MAX;
	/* the total counts against large requests only: a small one (sfcctl's,
	 * sfc-cni's) is never refused because others hold memory */
	if (cap > SFCD_IN_SMALL && in_total - c->in_cap + cap > SFCD_IN_TOTAL_MAX) {
		snprintf(why, sizeof(why), "request refused: sfcd holds %zu MiB of requests "
			 "(limit %u MiB); try again", in_total >> 20, SFCD_IN_TOTAL_MAX >> 20);
		start_refusing(c, why);
		return false;
	}
	b = realloc(c->in, cap);
	if (!b) {
		start_refusing(c, "request refused: sfcd is out of memory");
		return false;
	}
	in_total += cap - c->in_cap;
	c->in = b;
	c->in_cap = cap;
	return true;
}

/* Answer every whole request buffered; early: only those that read, up to
 * the first that must wait (c->turn set). 0, or -1 when the client was
 * closed. */
static int serve_lines(struct sfcd *d, struct sfcd_client *c, bool early)
{
	size_t off = 0;
	char *nl;

	if (!c->in_len)
		return 0;
	while ((nl = memchr(c->in + off + c->in_scanned, '\n',
			    c->in_len - off - c->in_scanned))) {
		size_t line = nl - (c->in + off);
		json_t *reply;

		c->in_scanned = 0;
		sfcd_client_progress(d, c);
		if (line > SFC_API_MAX_REQUEST)
			reply = sfcd_error_reply("request larger than %u bytes", SFC_API_MAX_REQUEST);
		else if (!early) {
			d->asking = c;
			reply = sfcd_api_handle(d, c->in + off, line);
			d->asking = NULL;
		}
		else if (line > SFCD_EARLY_REQUEST_MAX ||
			 !(reply = sfcd_api_handle_early(d, c->in + off, line))) {
			c->turn = ++turns;
			break;
		}
		off += line + 1;
		if (queue_reply(d, c, reply))
			return -1;
		if (c->mon) {
			/* a monitor stream from here: what follows is not read */
			in_free(c);
			return 0;
		}
	}
	c->in_scanned = c->turn ? 0 : c->in_len - off;
	if (off == c->in_len) {
		in_free_served(c); /* nothing held between requests */
	} else if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	/* Too long without a newline: drop what came, answer at the end. */
	if (!c->turn && c->in_len > SFC_API_MAX_REQUEST) {
		char why[64];

		snprintf(why, sizeof(why), "request larger than %u bytes", SFC_API_MAX_REQUEST);
		start_refusing(c, why);
	}
	return 0;
}

void sfcd_client_resume(struct sfcd *d, struct sfcd_client *c)
{
	c->turn = 0;
	if (!serve_lines(d, c, false))
		watch(d, c);
}

/* A monitor stream: what the client sends is discarded; its shutdown
 * gets the last loss report, then the connection closes. */
static void monitor_read(struct sfcd *d, struct sfcd_client *c)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			sfcd_client_close(d, c, strerror(errno));
			return;
		}
		if (n == 0) {
			sfcd_trace_eof(d, c);
			c->eof = true;
			sfcd_client_flush(d, c);
			return;
		}
	}
}

void sfcd_client_read(struct sfcd *d, struct sfcd_client *c, bool early)
{
	static char scratch[CHUNK];
	size_t budget = READ_BUDGET;

	if (c->turn)
		return; /* an event from before it came to wait */
	if (c->mon) {
		monitor_read(d, c);
		return;
	}
	/* a bounded share of the loop per event; epoll comes back for more */
	for (int round = 0; round < 16 && budget; round++) {
		bool keep = !c->refuse[0] && in_room(c);
		char *dst = keep ? c->in + c->in_len : scratch;
		size_t room = keep ? c->in_cap - c->in_len : sizeof(scratch);
		ssize_t n = recv(c->fd, dst, room < budget ? room : budget, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			sfcd_client_close(d, c, strerror(errno));
			return;
		}
		budget -= n;
		if (n == 0) {
			/* the client is done sending: close once it has its replies */
			c->eof = true;
			sfcd_client_flush(d, c);
			return;
		}
		if (keep) {
			c->in_len += n;
		} else {
			char *nl = memchr(scratch, '\n', n);
			size_t rest;

			if (!nl)
				continue;
			/* the refused request ends here; what follows is kept */
			if (queue_reply(d, c, sfcd_error_reply("%s", c->refuse)))
				return;
			c->refuse[0] = '\0';
			rest = n - (nl + 1 - scratch);
			/* nothing after the newline: no buffer (c->in is NULL) */
			if (!rest)
				continue;
			while (c->in_cap - c->in_len < rest)
				if (!in_room(c))
					break;
			if (c->refuse[0])
				continue;
			memcpy(c->in + c->in_len, nl + 1, rest);
			c->in_len += rest;
		}
		if (serve_lines(d, c, early))
			return;
		if (c->turn) {
			watch(d, c);
			return;
		}
	}
}
