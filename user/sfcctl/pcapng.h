/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A pcapng writer (draft-ietf-opsawg-pcapng) for sfcctl monitor -w: one
 * section, one Interface Description Block per interface as it is first
 * seen (Ethernet, its name in if_name, microsecond timestamps), and one
 * Enhanced Packet Block per packet with a comment. tshark and Wireshark
 * read it. Host byte order, which the section's magic tells readers.
 */
#ifndef SFCCTL_PCAPNG_H
#define SFCCTL_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#define PCAPNG_MAX_IFACES 256
#define PCAPNG_SNAPLEN    128  /* what a trace event carries (SFC_EV_CAP) */

struct pcapng {
	FILE *f;
	unsigned int nifaces;
	struct {
		uint32_t ifindex;
		char name[64];
	} ifaces[PCAPNG_MAX_IFACES];
};

/* Write the Section Header Block to f. 0 or -errno. */
int pcapng_start(struct pcapng *w, FILE *f, const char *appl);
/* The interface id of (ifindex, name), its Interface Description Block
 * written the first time; -ENOSPC past PCAPNG_MAX_IFACES, -errno. */
int pcapng_iface(struct pcapng *w, uint32_t ifindex, const char *name);
/* One packet: cap_len bytes of a packet orig_len long, at unix time
 * ts_us (microseconds), with comment (NULL: none). 0 or -errno. */
int pcapng_packet(struct pcapng *w, int iface, uint64_t ts_us, const void *data,
		  uint32_t cap_len, uint32_t orig_len, const char *comment);
/* Flush what is written; 0 or -errno. f stays open. */
int pcapng_flush(struct pcapng *w);

#endif
