/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a classifier rule may match together, checked the same way by the
 * document (sfcd) and by sfcctl before it sends a rule.
 */
#ifndef SFC_MATCH_H
#define SFC_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * src and dst prefixes of one family (4, 6, or 0 for none); icmp only with
 * IPv4 prefixes and icmpv6 only with IPv6 ones; sport and dport only with
 * proto tcp, udp or sctp (proto -1: any). 0, or -EINVAL with why set:
 * "src and dst are of different address families", "proto: icmp does not
 * match IPv6 prefixes", "dport: ports need proto tcp, udp or sctp".
 */
int sfc_match_check(int src_family, int dst_family, int proto, bool sport, bool dport,
		    char *why, size_t len);

#endif
