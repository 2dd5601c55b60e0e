/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One line of what a trace event's captured bytes hold: Ethernet, VLAN
 * tags, NSH, IPv4, IPv6 (extension headers skipped), TCP, UDP, ICMP and
 * ICMPv6, as tcpdump would summarise them. Bytes may be cut anywhere (an
 * event carries the first 128) or be garbage: every read is checked, and
 * what could not be read is said ("truncated").
 */
#ifndef SFCCTL_PKTDECODE_H
#define SFCCTL_PKTDECODE_H

#include <stddef.h>
#include <stdint.h>

/* "198.18.1.1 > 198.18.2.1 ICMP echo request id 7 seq 1" into buf; buf. */
const char *pkt_summary(const uint8_t *p, size_t cap, char *buf, size_t len);

/* Hex digits into bytes: the count (at most max), or -1 for a string that
 * is not an even number of hex digits. */
int pkt_from_hex(const char *hex, uint8_t *out, size_t max);

#endif
