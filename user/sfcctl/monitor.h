/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sfcctl monitor's output of one trace event, as sfcd streams it
 * (headers/sfc_api.h, monitor): a text line, or a pcapng record with the
 * trace in its comment. monitor_fmt.c; monitor.c runs the command.
 */
#ifndef SFCCTL_MONITOR_H
#define SFCCTL_MONITOR_H

#include <stdint.h>
#include <jansson.h>

#include "pcapng.h"

/* "2026-12-03T09:27:47.123456Z" -> microseconds since the epoch; -1 if it
 * is not that form. */
int monitor_parse_ts(const char *ts, uint64_t *us);
/* The event as one text line (no newline), local time first. */
void monitor_event_text(json_t *ev, char *buf, size_t len);
/* The trace part of it, for a pcapng comment: "chain web spi 100 si 2
 * to-sf s1 hook xdp". */
void monitor_event_comment(json_t *ev, char *buf, size_t len);
/* The event's packet into w, on its interface. 0 or -errno. */
int monitor_event_pcapng(struct pcapng *w, json_t *ev);

#endif
