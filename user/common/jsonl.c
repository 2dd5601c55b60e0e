// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "jsonl.h"
#include "yield.h"

int sfc_jsonl_connect(const char *path, int timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

int sfc_jsonl_send(int fd, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	size_t len, off = 0;
	int err = 0;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	s[len] = '\n'; /* over the terminating NUL: sent as the line's end */
	while (off < len + 1) {
		ssize_t n = send(fd, s + off, len + 1 - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += n;
	}
	free(s);
	return err;
}

ssize_t sfc_jsonl_read_line(int fd, struct sfc_jsonl_reader *r)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = r->len > scanned ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL;
		ssize_t n;

		if (nl)
			return nl - r->buf;
		scanned = r->len;
		if (r->max && r->len > r->max)
			return -EMSGSIZE;
		if (r->cap - r->len < 65536) {
			size_t cap = r->cap ? r->cap * 2 : 131072;
			char *b = realloc(r->buf, cap);

			if (!b)
				return -ENOMEM;
			r->buf = b;
			r->cap = cap;
		}
		n = recv(fd, r->buf + r->len, r->cap - r->len, 0);
		if (n == 0)
			return -EPIPE;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		r->len += n;
	}
}

void sfc_jsonl_consume(struct sfc_jsonl_reader *r, size_t len)
{
	size_t drop = len + 1 <= r->len ? len + 1 : r->len;

	memmove(r->buf, r->buf + drop, r->len - drop);
	r->len -= drop;
}

void sfc_jsonl_reader_free(struct sfc_jsonl_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

struct chunks {
	const char *p;
	size_t left;
};

static size_t next_chunk(void *buf, size_t len, void *arg)
{
	struct chunks *c = arg;
	size_t n = c->left < len ? c->left : len;

	if (n > 65536)
		n = 65536;
	sfc_yield_check();
	memcpy(buf, c->p, n);
	c->p += n;
	c->left -= n;
	return n;
}

json_t *sfc_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *je)
{
	struct chunks c = { buf, len };

	return json_load_callback(next_chunk, &c, flags, je);
}

struct growing {
	char *s;
	size_t len, cap;
};

static int append(const char *buf, size_t len, void *arg)
{
	struct growing *g = arg;

	if (g->len + len + 1 > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4096;
		char *s;

		while (cap < g->len + len + 1)
			cap *= 2;
		s = realloc(g->s, cap);
		if (!s)
			return -1;
		g->s = s;
		g->cap = cap;
	}
	memcpy(g->s + g->len, buf, len);
	g->len += len;
	g->s[g->len] = '\0';
	sfc_yield();
	return 0;
}

char *sfc_json_dumps(const json_t *j, size_t flags)
{
	struct growing g = {};

	if (json_dump_callback(j, append, &g, flags) || !g.s) {
		free(g.s);
		return NULL;
	}
	return g.s;
}

static void *alloc_yielding(size_t n)
{
	sfc_yield();
	return malloc(n);
}

static void free_yielding(void *p)
{
	sfc_yield();
	free(p);
}

void sfc_json_yielding_allocs(void)
{
	json_set_alloc_funcs(alloc_yielding, free_yielding);
}
