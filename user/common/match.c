// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>

#include "match.h"
#include "text.h"

int sfc_match_check(int src_family, int dst_family, int proto, bool sport, bool dport,
		    char *why, size_t len)
{
	int fam = src_family ? src_family : dst_family;
	char pname[16];

	if (src_family && dst_family && src_family != dst_family) {
		snprintf(why, len, "src and dst are of different address families");
		return -EINVAL;
	}
	if ((proto == IPPROTO_ICMP && fam == 6) || (proto == IPPROTO_ICMPV6 && fam == 4)) {
		snprintf(why, len, "proto: %s does not match %s prefixes",
			 sfc_proto_name(proto, pname, sizeof(pname)), fam == 4 ? "IPv4" : "IPv6");
		return -EINVAL;
	}
	if ((sport || dport) && proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
	    proto != IPPROTO_SCTP) {
		snprintf(why, len, "%s: ports need proto tcp, udp or sctp", sport ? "sport" : "dport");
		return -EINVAL;
	}
	return 0;
}
