/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Text forms shared by the document, the daemon, the CLI and the CNI
 * plugin: prefixes, protocols, ports, MAC addresses, object and interface
 * names. One parser
 * each, so what the CLI accepts is what the document accepts.
 */
#ifndef SFC_TEXT_H
#define SFC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct sfc_prefix {
	__u8 family;             /* 0 = any, 4, 6 */
	__u8 len;
	__u8 addr[16];
};

/* "ADDR[/LEN]", host bits zero: 0, -EINVAL (not a prefix), -ERANGE (host bits). */
int sfc_parse_prefix(const char *s, struct sfc_prefix *p);
int sfc_format_prefix(const struct sfc_prefix *p, char *buf, size_t len);
/* "tcp", "udp", "icmp", "icmpv6", "sctp" or 0-255; -EINVAL otherwise. */
int sfc_parse_proto(const char *s);
const char *sfc_proto_name(int proto, char *buf, size_t len);
/* aa:bb:cc:dd:ee:ff (one or two hex digits each, nothing else): 0 or -EINVAL. */
int sfc_parse_mac(const char *s, __u8 mac[6]);
/* A MAC an SF can be addressed with: not zero, broadcast or multicast.
 * 0, or -EINVAL with why set. */
int sfc_mac_check_unicast(const __u8 mac[6], char *why, size_t len);
/*
 * An object name (SF, group, chain) that every client can address:
 * 1..31 bytes of letters, digits and "._-:@+/=", not starting with "-",
 * not "help". 0, or -EINVAL with why set ("starts with '-'", ...).
 */
int sfc_name_check(const char *name, char *why, size_t len);
/*
 * Ports: "PORT" or "LOW-HIGH", decimal 0-65535 with nothing around them
 * ("+80", " 80", "0x50" are refused). 0 with *lo and *hi set, or -EINVAL
 * with why set ("range 80-20 is reversed", ...).
 */
int sfc_parse_ports(const char *s, __u16 *lo, __u16 *hi, char *why, size_t len);
/*
 * An interface name as the kernel takes it: 1..15 bytes, no '/', ':' or
 * white space, not "." or "..". 0, or -EINVAL with why set.
 */
int sfc_ifname_check(const char *name, char *why, size_t len);

/*
 * Make s valid UTF-8 in place, so JSON can carry it: a sequence cut at the
 * end (a message truncated to its buffer) is dropped, any other byte that
 * is not valid UTF-8 becomes '?'. Returns the number of bytes changed or
 * dropped.
 */
size_t sfc_utf8_fix(char *s);
bool sfc_utf8_valid(const char *s);

#endif
