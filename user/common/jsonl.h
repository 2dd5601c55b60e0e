/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The client side of sfcd's API socket (headers/sfc_api.h): connect, send
 * one JSON object as one line, read one line back. sfcctl and sfc-cni
 * share it; each phrases the errors for its own users.
 */
#ifndef SFC_JSONL_H
#define SFC_JSONL_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

/* Connect to a unix stream socket with send and receive timeouts.
 * fd, or -errno (-ENAMETOOLONG for a path that does not fit). */
int sfc_jsonl_connect(const char *path, int timeout_s);
/* Send obj compact, then '\n'. 0 or -errno. */
int sfc_jsonl_send(int fd, json_t *obj);

/* Bytes read past the last line are kept for the next one. */
struct sfc_jsonl_reader {
	char *buf;
	size_t len, cap;
	size_t max;       /* longest line accepted; 0 = no limit */
};

/* Wait for one whole line: its length (without '\n') at r->buf, or
 * -errno: -EPIPE when the peer closed first, -EAGAIN on timeout,
 * -EMSGSIZE past r->max. Call sfc_jsonl_consume(r, len) when done. */
ssize_t sfc_jsonl_read_line(int fd, struct sfc_jsonl_reader *r);
void sfc_jsonl_consume(struct sfc_jsonl_reader *r, size_t len);
void sfc_jsonl_reader_free(struct sfc_jsonl_reader *r);

/* json_loadb and json_dumps with a yield point (yield.h) every 64 KiB, so
 * a request of 100k rules does not hold up the program's yield hook. */
json_t *sfc_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *je);
char *sfc_json_dumps(const json_t *j, size_t flags);
/* Building and freeing the JSON tree of a large request or document is a
 * million small allocations: make each one a yield point too. */
void sfc_json_yielding_allocs(void);

#endif
