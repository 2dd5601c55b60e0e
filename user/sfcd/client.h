/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The API server's connections: server.c admits and closes them, client.c
 * moves their bytes. */
#ifndef SFCD_CLIENT_H
#define SFCD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sfcd;
struct sfcd_monitor;

struct sfcd_client {
	int fd;
	pid_t pid;
	uid_t uid;
	char *in;                 /* what came and is not a whole request yet */
	size_t in_len, in_cap, in_scanned;
	char refuse[160];         /* set: discard up to the newline, reply this */
	char *out;                /* replies the socket has not taken yet */
	size_t out_off, out_len, out_cap;
	unsigned long long deadline_ms;
	unsigned int events;      /* what epoll watches for */
	bool eof;                 /* the client shut down its side */
	unsigned long turn;       /* >0: a whole request waits for the one under
				   * way (nothing more is read until its turn) */
	struct sfcd_monitor *mon; /* a monitor stream (trace.c): nothing more is read */
};

unsigned long long sfcd_now_ms(void);
/* a whole request came, or a reply byte was read: the timeout restarts */
void sfcd_client_progress(struct sfcd *d, struct sfcd_client *c);
/* Requests the yield points of a long request look at: larger ones wait */
#define SFCD_EARLY_REQUEST_MAX (64u << 10)

/* EPOLLIN: read, answer whole requests, queue the replies. early: at a
 * yield point of a long request (sfcd_server_yield): requests that only
 * read are answered (sfcd_api_handle_early); the first other one waits
 * with all that follows it on the connection, which is not read until
 * sfcd_client_resume. */
void sfcd_client_read(struct sfcd *d, struct sfcd_client *c, bool early);
/* The request under way is done: answer those that waited, read again */
void sfcd_client_resume(struct sfcd *d, struct sfcd_client *c);
/* EPOLLOUT: write queued replies; -1 when the client was closed */
int sfcd_client_flush(struct sfcd *d, struct sfcd_client *c);
/* Queue one line of a stream (trace events) unless the unsent bytes
 * would pass max: -1 then, and nothing is queued (the line is lost, the
 * connection stays). Written by the next sfcd_client_flush. */
int sfcd_client_queue_line(struct sfcd_client *c, const char *line, size_t len, size_t max);
/* free its buffers (the client is being closed) */
void sfcd_client_release(struct sfcd_client *c);
/* server.c: close it; why (logged, counted as dropped) or NULL */
void sfcd_client_close(struct sfcd *d, struct sfcd_client *c, const char *why);

#endif
