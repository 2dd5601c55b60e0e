/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SFCD_H
#define SFCD_H

#include <stdbool.h>
#include <jansson.h>

#include "apply.h"
#include "datapath.h"
#include "flow_census.h"
#include "model.h"
#include "sfc_api.h"

#include <limits.h>
#include <time.h>

#define SFCD_RUN_DIR        "/run/sfc"   /* lock files of the state files */

/* API clients (server.c) */
#define SFCD_MAX_CLIENTS    256
#define SFCD_MAX_PER_PID    128          /* no one process holds the table */
#define SFCD_MAX_PER_UID    16           /* connections of one non-root uid */
#define SFCD_ROOT_RESERVE   64           /* slots only root may take */
#define SFCD_CLIENT_TIMEOUT 30           /* s without a request or a read: closed */
#define SFCD_OUT_MAX        (4u << 20)   /* unsent replies beyond this: dropped */
#define SFCD_IN_TOTAL_MAX   (80u << 20)  /* request bytes held for all clients */
#define SFCD_IN_SMALL       (256u << 10) /* buffers this small are always granted */
#define SFCD_GC_STEP_FLOWS  65536        /* flow entries the collector reads per loop */
#define SFCD_LINK_QUEUE     64           /* link events held during a commit; more: reconcile */

struct sfcd_state_lock {
	int fd;
	char path[PATH_MAX];
};

struct sfcd {
	const char *pin_dir, *socket_path, *state_path;
	struct sfc_dp *dp;
	struct sfc_doc doc;       /* desired state, validated: the authority; the state
				   * file and `get` are its JSON form */
	int epfd, listen_fd, nl_fd, sig_fd;
	struct mnl_socket *nl;
	bool reconcile_pending;   /* the next loop re-applies the whole document */
	unsigned long reconciles, nl_events, nl_overruns, link_updates;
	/* monitor.c: link events for the objects of links_doc (link_update.h) */
	struct sfc_link_index *links;   /* NULL: every event reconciles */
	const struct sfc_doc *links_doc;/* d->doc, or during a commit the
					 * document just written to the maps */
	bool in_monitor;          /* reading or applying link events */
	bool links_held;          /* the maps are neither (an apply failed
				   * halfway): events wait in the queue */
	int nlink_queue;
	struct sfcd_link_event {
		char dev[IFNAMSIZ];
		__u32 gone_ifindex;   /* RTM_DELLINK: the ifindex that went */
		bool early;           /* already offered to the apply under way */
	} link_queue[SFCD_LINK_QUEUE];
	unsigned long link_updates_early; /* applied while an apply wrote the maps */
	bool stop;
	/* from the last commit: what became of each interface it names */
	struct sfc_apply_report last_report;
	/* the last SIGHUP that could not load the state file; cleared by a
	 * later load or commit that succeeds */
	char reload_error[512];
	time_t reload_error_time;
	/* server.c */
	int timer_fd;
	unsigned int client_timeout_s;
	unsigned long clients_dropped;
	/* applies to the datapath (commits and reconciles), for --metrics */
	unsigned long applies, apply_failures;
	double apply_seconds, last_apply_seconds;
	/* metrics.c: --metrics listener (-1: off) */
	int metrics_fd, metrics_timer_fd;
	unsigned long metrics_scrapes, metrics_refused, metrics_expired;
	struct sfc_flow_census census; /* the flow cache's fill, counted while --metrics */
	/* client.c: the connection whose request is being answered (NULL:
	 * none, a request that came from elsewhere) */
	struct sfcd_client *asking;
	/* probe.c: the health probes of d->doc's SFs */
	struct sfcd_probes *probes;
};

/* Validate doc (unless it is already), apply it to the datapath and save
 * it; on success it becomes d->doc. Takes doc over either way (*doc is
 * emptied). On failure nothing of the old state is lost. */
int sfcd_commit(struct sfcd *d, struct sfc_doc *doc, char *err, size_t errlen);
/* Re-apply the current document (links changed). */
int sfcd_reconcile(struct sfcd *d);

/* api.c: one request line -> its reply */
json_t *sfcd_api_handle(struct sfcd *d, const char *line, size_t len);
/* The same at a yield point of a long request (d->doc is still the
 * document before it): NULL, untouched, unless the request only reads */
json_t *sfcd_api_handle_early(struct sfcd *d, const char *line, size_t len);
json_t *sfcd_error_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lock.c: one sfcd per pin directory and per state file; -EBUSY with
 * err naming the holder */
int sfcd_lock_pin_dir(const char *pin_dir, int *fd, char *err, size_t len);
int sfcd_lock_state(const char *state, struct sfcd_state_lock *l, char *err, size_t len);
void sfcd_unlock_state(struct sfcd_state_lock *l);

/* server.c. Before anything is touched: the socket path is free or a
 * stale socket nobody answers on. */
int sfcd_server_check_path(const char *path, char *err, size_t len);
int sfcd_server_open(struct sfcd *d);
unsigned int sfcd_server_clients(void);
void sfcd_server_close(struct sfcd *d);
/* epoll events: listening socket or a client */
void sfcd_server_event(struct sfcd *d, int fd, unsigned int events);
/* At a yield point of a long request: new connections, timeouts, and the
 * other clients' requests that only read (client.c) */
void sfcd_server_yield(struct sfcd *d);
/* The long request is done: the requests that waited for it, in turn */
void sfcd_server_resume(struct sfcd *d);
bool sfcd_server_owns(struct sfcd *d, int fd);

int sfcd_monitor_open(struct sfcd *d);
void sfcd_monitor_close(struct sfcd *d);
/* Read what rtnetlink sent; apply the link events unless links_held. */
void sfcd_monitor_event(struct sfcd *d);
/* After a full apply of doc (d->doc, or a commit's document until it
 * becomes d->doc): take its link index (sfc_apply's want_links; NULL:
 * the apply or the index failed, and link events reconcile until an
 * apply works), then run the events that waited. */
void sfcd_monitor_reindex(struct sfcd *d, const struct sfc_doc *doc,
			  struct sfc_link_index *links);
/* At a yield point (user/common/yield.h): link events during a long request. */
void sfcd_monitor_yield(struct sfcd *d);
/* Rewrite the objects that name dev as a link event would (an SF's
 * health changed): now, or after the request or apply under way. */
void sfcd_monitor_touch(struct sfcd *d, const char *dev);

/* probe.c: health probes. Open once the datapath and epoll are there
 * (it answers dp->sf_failing); sync after d->doc changed. */
int sfcd_probe_open(struct sfcd *d);
void sfcd_probe_sync(struct sfcd *d);
void sfcd_probe_close(struct sfcd *d);
bool sfcd_probe_owns(struct sfcd *d, int fd);
void sfcd_probe_event(struct sfcd *d, int fd);
/* The probe state of SF name ({"state", "probe", "since", "sent",
 * "answered", "fails"}), or NULL when it has no probe */
json_t *sfcd_probe_json(struct sfcd *d, const char *name);
/* probes pending, up and down */
void sfcd_probe_count(struct sfcd *d, unsigned int counts[3]);

/* trace.c: sfcctl monitor's trace events. At start: the monitor bits of
 * sfc_obs cleared (nobody reads events yet). */
struct sfcd_client;
int sfcd_trace_open(struct sfcd *d);
void sfcd_trace_close(struct sfcd *d);
bool sfcd_trace_owns(struct sfcd *d, int fd);
/* the ring buffer has events */
void sfcd_trace_event(struct sfcd *d);
/* connections monitoring now, and the SF latency switch (health, metrics) */
unsigned int sfcd_trace_monitors(void);
/* about every second while clients are connected: loss reports */
void sfcd_trace_tick(struct sfcd *d);
/* The monitor request of connection c: 0, its stream starts after the
 * reply; or -errno with err set (a name nobody has, a bad argument). */
int sfcd_trace_start(struct sfcd *d, struct sfcd_client *c, json_t *req, char *err,
		     size_t len);
/* c closes: its monitor ends (the last one turns the datapath's off) */
void sfcd_trace_stop(struct sfcd *d, struct sfcd_client *c);
/* c shut down its sending side: its last loss report is queued */
void sfcd_trace_eof(struct sfcd *d, struct sfcd_client *c);

#endif
