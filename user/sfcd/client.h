/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The API server's connections: server.c admits and closes them, client.c
 * moves their bytes. */
#ifndef SFCD_CLIENT_H
#define SFCD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sfcd;

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
};

unsigned long long sfcd_now_ms(void);
/* a whole request came, or a reply byte was read: the timeout restarts */
void sfcd_client_progress(struct sfcd *d, struct sfcd_client *c);
/* EPOLLIN: read, answer whole requests, queue the replies */
void sfcd_client_read(struct sfcd *d, struct sfcd_client *c);
/* EPOLLOUT: write queued replies; -1 when the client was closed */
int sfcd_client_flush(struct sfcd *d, struct sfcd_client *c);
/* free its buffers (the client is being closed) */
void sfcd_client_release(struct sfcd_client *c);
/* server.c: close it; why (logged, counted as dropped) or NULL */
void sfcd_client_close(struct sfcd *d, struct sfcd_client *c, const char *why);

#endif
