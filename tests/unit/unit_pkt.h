/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test packets of the BPF unit tests: specs, built bytes, descriptions and
 * the flow key the datapath makes of them. Part of unit.h (include that).
 */
#ifndef SFC_UNIT_PKT_H
#define SFC_UNIT_PKT_H

/* ------------------------------------------------------------------ */
/* Packets                                                            */

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

struct pkt_spec {
	int family;              /* 4 or 6 */
	const char *src, *dst;   /* addresses, 198.18.0.0/15 or 2001:db8::/32 */
	__u8 proto;              /* IPPROTO_*; no L4 header for others */
	__u16 sport, dport;      /* TCP/UDP/SCTP ports; ICMP echo id is sport */
	__u8 icmp_type, icmp_code;
	__u16 vlan;              /* 802.1Q VID, 0 = untagged */
	__u16 vlan_tpid;         /* 0 = 0x8100 */
	__u8 ip_opts;            /* IPv4 option bytes (multiple of 4, <= 40) */
	__u16 frag_off;          /* IPv4 frag_off field (offset in 8 bytes | MF) */
	int next;                /* IPv6 extension headers, in order: */
	__u8 ext[10];            /* IPPROTO_HOPOPTS, _ROUTING, _DSTOPTS, _MH, _AH, _FRAGMENT */
	__u16 v6_frag_off;       /* offset (8-byte units) of an IPv6 fragment header */
	__u16 payload;           /* bytes after the L4 header */
	const __u8 *dmac, *smac; /* NULL: MAC_PKT_DST, MAC_PKT_SRC */
};

struct pkt {
	__u8 d[2048];
	__u32 len;
	__u32 l3;                /* offset of the IP header */
	__u32 ext;               /* IPv6: offset of the first extension header */
	__u32 l4;                /* offset of the L4 header */
};

static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline bool pkt_later_frag(const struct pkt_spec *s)
{
	if (s->family == 4)
		return s->frag_off & 0x1fff;
	for (int i = 0; i < s->next; i++)
		if (s->ext[i] == IPPROTO_FRAGMENT && s->v6_frag_off)
			return true;
	return false;
}

static inline size_t pkt_l4_len(const struct pkt_spec *s)
{
	if (pkt_later_frag(s))
		return 0;
	switch (s->proto) {
	case IPPROTO_TCP: return 20;
	case IPPROTO_UDP: return 8;
	case IPPROTO_SCTP: return 12;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return 8;
	}
	return 0;
}

static inline bool pkt_echo(const struct pkt_spec *s)
{
	if (s->proto == IPPROTO_ICMP)
		return s->icmp_type == 0 || s->icmp_type == 8;
	return s->icmp_type == 128 || s->icmp_type == 129;
}

static inline __u16 ip_csum(const __u8 *p, size_t n)
{
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static inline void pkt_build(struct pkt *p, const struct pkt_spec *s)
{
	size_t l4len = pkt_l4_len(s), extlen = 0, o;
	__u8 *b = p->d;

	memset(p, 0, sizeof(*p));
	memcpy(b, s->dmac ? s->dmac : MAC_PKT_DST, 6);
	memcpy(b + 6, s->smac ? s->smac : MAC_PKT_SRC, 6);
	o = 12;
	if (s->vlan) {
		put16(b + o, s->vlan_tpid ? s->vlan_tpid : 0x8100);
		put16(b + o + 2, s->vlan);
		o += 4;
	}
	put16(b + o, s->family == 4 ? 0x0800 : 0x86dd);
	o += 2;
	p->l3 = o;

	if (s->family == 4) {
		size_t hl = 20 + s->ip_opts;

		b[o] = 0x40 | hl / 4;
		put16(b + o + 2, hl + l4len + s->payload);
		put16(b + o + 4, 0x5fc);
		put16(b + o + 6, s->frag_off);
		b[o + 8] = 64;
		b[o + 9] = s->proto;
		inet_pton(AF_INET, s->src, b + o + 12);
		inet_pton(AF_INET, s->dst, b + o + 16);
		memset(b + o + 20, 0x01, s->ip_opts); /* NOPs */
		put16(b + o + 10, ip_csum(b + o, hl));
		o += hl;
	} else {
		__u8 *nh = b + o + 6;

		for (int i = 0; i < s->next; i++)
			extlen += s->ext[i] == IPPROTO_AH ? 16 : 8;
		b[o] = 0x60;
		put16(b + o + 4, extlen + l4len + s->payload);
		b[o + 7] = 64;
		inet_pton(AF_INET6, s->src, b + o + 8);
		inet_pton(AF_INET6, s->dst, b + o + 24);
		o += 40;
		p->ext = o;
		for (int i = 0; i < s->next; i++) {
			*nh = s->ext[i];
			nh = b + o;
			switch (s->ext[i]) {
			case IPPROTO_AH:
				b[o + 1] = 2;     /* (2 + 2) * 4 = 16 bytes */
				o += 16;
				break;
			case IPPROTO_FRAGMENT:
				put16(b + o + 2, s->v6_frag_off << 3 | 1);
				b[o + 7] = 0x5f;  /* identification */
				o += 8;
				break;
			default:
				b[o + 1] = 0;     /* 8 bytes */
				b[o + 2] = 1;     /* PadN over the rest */
				b[o + 3] = 4;
				o += 8;
			}
		}
		*nh = s->proto;
	}

	p->l4 = o;
	if (l4len && (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)) {
		b[o] = s->icmp_type;
		b[o + 1] = s->icmp_code;
		put16(b + o + 4, s->sport);
		put16(b + o + 6, 1);
	} else if (l4len) {
		put16(b + o, s->sport);
		put16(b + o + 2, s->dport);
		if (s->proto == IPPROTO_TCP) {
			b[o + 12] = 5 << 4;
			b[o + 13] = 0x02; /* SYN */
			put16(b + o + 14, 65535);
		} else if (s->proto == IPPROTO_UDP) {
			put16(b + o + 4, 8 + s->payload);
		}
	}
	o += l4len;
	memset(b + o, 0xa5, s->payload);
	p->len = o + s->payload;
}

/* Specs for the common cases; tests set other fields on the copy. */
static inline struct pkt_spec l4_spec(int family, __u8 proto, const char *src, __u16 sport,
				      const char *dst, __u16 dport)
{
	return (struct pkt_spec){ .family = family, .proto = proto, .src = src, .dst = dst,
				  .sport = sport, .dport = dport };
}

#define TCP4(src, sport, dst, dport) l4_spec(4, IPPROTO_TCP, src, sport, dst, dport)
#define UDP4(src, sport, dst, dport) l4_spec(4, IPPROTO_UDP, src, sport, dst, dport)
#define TCP6(src, sport, dst, dport) l4_spec(6, IPPROTO_TCP, src, sport, dst, dport)
#define UDP6(src, sport, dst, dport) l4_spec(6, IPPROTO_UDP, src, sport, dst, dport)

/* ICMP (family 4) or ICMPv6 (family 6) of this type; id for echo. */
static inline struct pkt_spec icmp_spec(int family, __u8 type, const char *src,
					const char *dst, __u16 id)
{
	return (struct pkt_spec){ .family = family, .src = src, .dst = dst,
				  .proto = family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
				  .icmp_type = type, .sport = id };
}

/* "tcp 198.18.0.1:1000 > 198.18.1.1:80", for labels. */
static inline const char *pkt_desc(const struct pkt_spec *s)
{
	static char buf[4][160];
	static int n;
	char *b = buf[n++ % 4];
	const char *proto;

	switch (s->proto) {
	case IPPROTO_TCP: proto = "tcp"; break;
	case IPPROTO_UDP: proto = "udp"; break;
	case IPPROTO_SCTP: proto = "sctp"; break;
	case IPPROTO_ICMP: proto = "icmp"; break;
	case IPPROTO_ICMPV6: proto = "icmpv6"; break;
	default: proto = "ip";
	}
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)
		snprintf(b, sizeof(buf[0]), "%s type %u %s > %s", proto, s->icmp_type, s->src, s->dst);
	else if (s->family == 6)
		snprintf(b, sizeof(buf[0]), "%s [%s]:%u > [%s]:%u", proto, s->src, s->sport,
			 s->dst, s->dport);
	else
		snprintf(b, sizeof(buf[0]), "%s %s:%u > %s:%u", proto, s->src, s->sport,
			 s->dst, s->dport);
	if (s->vlan)
		snprintf(b + strlen(b), sizeof(buf[0]) - strlen(b), " vlan %u", s->vlan);
	if (pkt_later_frag(s))
		snprintf(b + strlen(b), sizeof(buf[0]) - strlen(b), " later fragment");
	return b;
}

/*
 * Cut the frame to len bytes. When the IP header (with its options, or
 * the fixed IPv6 header) is still whole, its length field is made to
 * agree, so what is truncated is the layer after it, not the IP packet.
 */
static inline void pkt_cut(struct pkt *p, __u32 len)
{
	__u8 *ip = p->d + p->l3;

	p->len = len;
	if ((ip[0] >> 4) == 4 && len >= p->l3 + (ip[0] & 0xf) * 4u && (ip[0] & 0xf) >= 5) {
		put16(ip + 2, len - p->l3);
		put16(ip + 10, 0);
		put16(ip + 10, ip_csum(ip, (ip[0] & 0xf) * 4));
	} else if ((ip[0] >> 4) == 6 && len >= p->l3 + 40) {
		put16(ip + 4, len - p->l3 - 40);
	}
}

/* The 5-tuple the datapath parses from this packet (sfc_flows_neg's key). */
static inline void pkt_key(const struct pkt_spec *s, struct sfc_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = s->family;
	inet_pton(s->family == 4 ? AF_INET : AF_INET6, s->src, k->src);
	inet_pton(s->family == 4 ? AF_INET : AF_INET6, s->dst, k->dst);
	k->proto = s->proto;
	k->vlan = s->vlan & 0x0fff;
	if (pkt_later_frag(s))
		return;
	switch (s->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		k->sport = htons(s->sport);
		k->dport = htons(s->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (pkt_echo(s))
			k->sport = htons(s->sport);
		else
			k->dport = htons(s->icmp_type << 8 | s->icmp_code);
		break;
	}
}

#endif
