/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SFCD_H
#define SFCD_H

#include <stdbool.h>
#include <jansson.h>

#include "datapath.h"
#include "model.h"
#include "sfc_api.h"

#define SFCD_MAX_CLIENTS    256

struct sfcd {
	const char *pin_dir, *socket_path, *state_path;
	struct sfc_dp *dp;
	struct sfc_doc doc;       /* desired state, validated: the authority; the state
				   * file and `get` are its JSON form */
	int epfd, listen_fd, nl_fd, sig_fd;
	struct mnl_socket *nl;
	bool reconcile_pending;   /* a link event since the last reconcile */
	unsigned long reconciles, nl_events, nl_overruns;
	bool stop;
	/* from the last commit: an interface sfc could not attach to, and why */
	char last_attach_error_dev[16];
	char last_attach_error[160];
};

/* Validate doc (unless it is already), apply it to the datapath and save
 * it; on success it becomes d->doc. Takes doc over either way (*doc is
 * emptied). On failure nothing of the old state is lost. */
int sfcd_commit(struct sfcd *d, struct sfc_doc *doc, char *err, size_t errlen);
/* Re-apply the current document (links changed). */
int sfcd_reconcile(struct sfcd *d);

/* api.c: one request line -> its reply */
json_t *sfcd_api_handle(struct sfcd *d, const char *line, size_t len);
json_t *sfcd_error_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int sfcd_server_open(struct sfcd *d);
void sfcd_server_close(struct sfcd *d);
/* epoll events: listening socket or a client */
void sfcd_server_event(struct sfcd *d, int fd, unsigned int events);
bool sfcd_server_owns(struct sfcd *d, int fd);

int sfcd_monitor_open(struct sfcd *d);
void sfcd_monitor_close(struct sfcd *d);
void sfcd_monitor_event(struct sfcd *d);

#endif
