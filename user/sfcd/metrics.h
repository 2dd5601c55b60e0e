/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sfcd --metrics ADDRESS:PORT: the counters for Prometheus, over HTTP.
 * One GET /metrics per connection, answered and closed; never blocks the
 * daemon (non-blocking sockets in its event loop, a deadline and a size
 * limit per request, a bounded number of connections).
 */
#ifndef SFCD_METRICS_H
#define SFCD_METRICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "datapath.h"
#include "flow_census.h"
#include "model.h"

#define SFCD_METRICS_MAX_CONNS  16     /* more: 503 and closed */
#define SFCD_METRICS_REQ_MAX    8192   /* request line and headers */
#define SFCD_METRICS_DEADLINE_S 10     /* to send a request and read the answer */
#define SFCD_CENSUS_STEP        16384  /* flow-cache entries counted per second */
#define SFCD_CENSUS_EVERY_MS    10000  /* a new count at most this often */

/* What the exposition is made of. */
struct sfcd_metrics_src {
	struct sfc_dp *dp;
	const struct sfc_doc *doc;
	unsigned long long applies, apply_failures, nl_events, link_updates, reconciles,
		nl_overruns, clients, clients_dropped, scrapes, monitors;
	double apply_seconds, last_apply_seconds;
	const struct sfc_flow_census *census; /* the flow cache's last count */
	/* an SF's health probe state (sfcd_probe_json's form), or NULL */
	json_t *(*probe)(void *ctx, const char *sf);
	void *probe_ctx;
};

/* The exposition text (malloc'd, *len bytes), or NULL. */
char *sfcd_metrics_text(const struct sfcd_metrics_src *src, size_t *len);

/* "ADDRESS:PORT" ("127.0.0.1:9464", "[::1]:9464") into a listening
 * socket: its fd, or -1 with err saying why. Done before anything is
 * touched, so that a taken port refuses the start. */
int sfcd_metrics_listen(const char *spec, char *err, size_t len);

struct sfcd;
/* Into the daemon's event loop (d->metrics_fd set). */
int sfcd_metrics_open(struct sfcd *d);
bool sfcd_metrics_owns(struct sfcd *d, int fd);
void sfcd_metrics_event(struct sfcd *d, int fd, unsigned int events);
void sfcd_metrics_close(struct sfcd *d);

#endif
