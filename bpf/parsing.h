/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Packet parsing shared by the XDP and tc entries. A cursor walks the
 * headers; every helper checks its own bounds against data_end before it
 * reads, so the verifier sees a bounds check next to each access.
 */
#ifndef SFC_PARSING_H
#define SFC_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sfc_abi.h"
#include "sfc_reasons.h"

/* IPv6 extension headers skipped before giving up (counted, not chained) */
#define SFC_IPV6_EXT_MAX 6

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

struct sfc_cursor {
	void *pos;
	void *end;       /* of what can be read: the frame, or an skb's linear part */
	void *start;     /* the Ethernet header */
	__u32 wire_len;  /* bytes of the whole packet from start (an skb's may be
			  * paged: lengths in headers are checked against this) */
};

/* ICMP and ICMPv6 share this layout for what the parser reads. (The uapi
 * linux/icmp.h pulls in libc socket headers that do not build for BPF.) */
struct icmp_hdr_sfc {
	__u8   type;
	__u8   code;
	__sum16 checksum;
	__be16 id;       /* echo request/reply only */
	__be16 seq;
};

#define SFC_ICMP_ECHOREPLY   0
#define SFC_ICMP_ECHO        8
#define SFC_ICMPV6_ECHO_REQ  128
#define SFC_ICMPV6_ECHO_REP  129

struct vlan_hdr_sfc {
	__be16 tci;
	__be16 proto;
};

/* What the datapath needs from a packet */
struct sfc_pkt {
	struct sfc_flow_key key;
	__u32 len;           /* bytes on the wire, for counters */
	__u8  later_frag;    /* non-first fragment: no L4 header */
	__u8  has_ports;     /* TCP/UDP/SCTP ports in key (rules may match them) */
	__u8  link_control;  /* NDP/MLD: never chained */
	__u8  has_l4check;   /* l4check is a TCP/UDP checksum (see sfc_csum_partial) */
	__u16 l4len;         /* L4 header + payload, from the IP header */
	__u8  fragment;      /* any fragment, first included */
	__u8  pad;
	__u16 l4check;       /* the L4 checksum field, as on the wire */
	__u16 ident;         /* tells the flow's packets apart (SF latency), folded
			      * from the TCP sequence number, the UDP length and
			      * first payload word, the ICMP echo identifier and
			      * sequence; else 0 */
};

/*
 * A 16-bit length from a header, byte-swapped and re-bounded. Verifiers
 * before 6.3 or so forget a value's bounds across a byte swap and then
 * refuse to add it to a packet pointer; the mask, hidden from the
 * compiler, gives them back.
 */
static __always_inline __u32 sfc_len16(__be16 v)
{
	__u32 len = bpf_ntohs(v);

	asm volatile("%0 &= 0xffff" : "+r"(len));
	return len;
}

/* Parse result besides a reason: not IP at all (ARP, LLDP...) */
#define SFC_PARSE_NOT_IP (-1)

static __always_inline int parse_ethhdr(struct sfc_cursor *c, struct sfc_pkt *p,
					 __u16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr_sfc *vh;

	if ((void *)(eth + 1) > c->end)
		return SFC_R_TRUNC_ETH;
	c->pos = eth + 1;
	*proto = eth->h_proto;

	/* One 802.1Q or 802.1ad tag; QinQ inner tags are not looked at. */
	if (*proto == bpf_htons(ETH_P_8021Q) || *proto == bpf_htons(ETH_P_8021AD)) {
		vh = c->pos;
		if ((void *)(vh + 1) > c->end)
			return SFC_R_TRUNC_VLAN;
		p->key.vlan = bpf_ntohs(vh->tci) & 0x0fff;
		*proto = vh->proto;
		c->pos = vh + 1;
	}
	return 0;
}

static __always_inline int parse_ipv4(struct sfc_cursor *c, struct sfc_pkt *p,
				      __u8 *l4proto)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > c->end)
		return SFC_R_TRUNC_IPV4;
	hlen = iph->ihl * 4;
	if (iph->version != 4 || hlen < sizeof(*iph))
		return SFC_R_BAD_IPV4;
	/* Options included: the whole header must be present. */
	if (c->pos + hlen > c->end)
		return SFC_R_TRUNC_IPV4;

	/* What ip_rcv() would refuse is not ours to chain either. */
	tot = sfc_len16(iph->tot_len);
	if (tot < hlen)
		return SFC_R_BAD_IPV4;
	if ((__u32)((void *)iph - c->start) + tot > c->wire_len)
		return SFC_R_TRUNC_IPV4;

	p->key.family = 4;
	__builtin_memcpy(p->key.src, &iph->saddr, 4);
	__builtin_memcpy(p->key.dst, &iph->daddr, 4);
	p->key.proto = iph->protocol;
	*l4proto = iph->protocol;
	if (tot > hlen)
		p->l4len = tot - hlen;
	/* Fragment offset != 0: a later fragment, it carries no L4 header. */
	if (iph->frag_off & bpf_htons(0x1fff))
		p->later_frag = 1;
	if (iph->frag_off & bpf_htons(0x3fff))
		p->fragment = 1;
	c->pos += hlen;
	return 0;
}

struct ipv6_opt_sfc {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct ipv6_frag_sfc {
	__u8   nexthdr;
	__u8   reserved;
	__be16 frag_off;
	__be32 id;
};

static __always_inline int parse_ipv6(struct sfc_cursor *c, struct sfc_pkt *p,
				      __u8 *l4proto)
{
	struct ipv6hdr *ip6h = c->pos;
	__u32 plen;
	__u8 nh;
	int i;

	if ((void *)(ip6h + 1) > c->end)
		return SFC_R_TRUNC_IPV6;
	if (ip6h->version != 6)
		return SFC_R_TRUNC_IPV6;
	p->key.family = 6;
	__builtin_memcpy(p->key.src, &ip6h->saddr, 16);
	__builtin_memcpy(p->key.dst, &ip6h->daddr, 16);
	nh = ip6h->nexthdr;
	plen = sfc_len16(ip6h->payload_len);
	c->pos = ip6h + 1;
	/* Longer than the frame: ipv6_rcv() drops it; so do we (counted). */
	if ((__u32)(c->pos - c->start) + plen > c->wire_len)
		return SFC_R_TRUNC_IPV6;

	/*
	 * Extension headers: a fixed bound keeps the loop provable for the
	 * verifier; a packet with more of them is counted and not chained.
	 */
	for (i = 0; i < SFC_IPV6_EXT_MAX; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH: {
			struct ipv6_opt_sfc *o = c->pos;

			if ((void *)(o + 1) > c->end)
				return SFC_R_TRUNC_IPV6_EXT;
			nh = o->nexthdr;
			c->pos += (o->hdrlen + 1) * 8;
			break;
		}
		case IPPROTO_AH: {
			struct ipv6_opt_sfc *o = c->pos;

			if ((void *)(o + 1) > c->end)
				return SFC_R_TRUNC_IPV6_EXT;
			nh = o->nexthdr;
			c->pos += (o->hdrlen + 2) * 4;
			break;
		}
		case IPPROTO_FRAGMENT: {
			struct ipv6_frag_sfc *f = c->pos;

			if ((void *)(f + 1) > c->end)
				return SFC_R_TRUNC_IPV6_EXT;
			nh = f->nexthdr;
			p->fragment = 1;
			if (f->frag_off & bpf_htons(0xfff8))
				p->later_frag = 1;
			c->pos = f + 1;
			break;
		}
		default:
			goto done;
		}
	}
	switch (nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case IPPROTO_AH:
	case IPPROTO_FRAGMENT:
		return SFC_R_IPV6_EXT_DEPTH;
	}
done:
	/* A skipped header may claim more bytes than the packet has. */
	if (c->pos > c->end)
		return SFC_R_TRUNC_IPV6_EXT;
	{
		__u32 ext = c->pos - (void *)(ip6h + 1);

		if (plen > ext)
			p->l4len = plen - ext;
	}
	p->key.proto = nh;
	*l4proto = nh;
	return 0;
}

/*
 * A packet sent by a local stack through a veth carries its TCP/UDP
 * checksum "partial": the field holds only the folded pseudo-header sum and
 * the skb says where the device must finish it. An XDP redirect turns the
 * skb into a bare frame and that note is lost, so such packets must leave
 * through the skb (tc) path. The field equals the pseudo-header sum in a
 * finished packet only by a 1-in-65536 coincidence, which merely costs that
 * packet the slower path.
 */
static __always_inline int sfc_csum_partial(const struct sfc_pkt *p)
{
	const __u16 *a = (const __u16 *)p->key.src;
	__u32 sum = 0;
	int i;

	if (!p->has_l4check)
		return 0;
	/* src and dst are adjacent in the key; IPv4 leaves zeros behind. */
#pragma unroll
	for (i = 0; i < 16; i++)
		sum += a[i];
	sum += bpf_htons(p->key.proto) + bpf_htons(p->l4len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum == p->l4check;
}

static __always_inline int parse_l4(struct sfc_cursor *c, struct sfc_pkt *p,
				    __u8 l4proto)
{
	if (p->later_frag)
		return 0;

	switch (l4proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = c->pos;

		if ((void *)(th + 1) > c->end)
			return SFC_R_TRUNC_L4;
		p->key.sport = th->source;
		p->key.dport = th->dest;
		p->has_ports = 1;
		/* Only read here; sfc_csum_partial() is paid by packets
		 * about to be redirected, not by every packet parsed. */
		p->l4check = th->check;
		p->has_l4check = !p->fragment;
		p->ident = th->seq ^ th->seq >> 16;
		break;
	}
	case IPPROTO_UDP:
	case IPPROTO_SCTP: {
		/* SCTP's common header starts with the two ports, like UDP. */
		struct udphdr *uh = c->pos;

		if ((void *)(uh + 1) > c->end)
			return SFC_R_TRUNC_L4;
		p->key.sport = uh->source;
		p->key.dport = uh->dest;
		p->has_ports = 1;
		p->l4check = uh->check;
		p->has_l4check = !p->fragment && l4proto == IPPROTO_UDP && uh->check;
		p->ident = uh->len;
		if ((void *)(uh + 1) + 4 <= c->end) {
			__u32 w = *(__u32 *)(uh + 1);

			p->ident ^= w ^ w >> 16;
		}
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		struct icmp_hdr_sfc *ih = c->pos;
		int echo;

		if ((void *)(ih + 1) > c->end)
			return SFC_R_TRUNC_L4;
		if (l4proto == IPPROTO_ICMP)
			echo = ih->type == SFC_ICMP_ECHO || ih->type == SFC_ICMP_ECHOREPLY;
		else
			echo = ih->type == SFC_ICMPV6_ECHO_REQ || ih->type == SFC_ICMPV6_ECHO_REP;
		/* Echo id tells pings apart; type/code the rest. */
		if (echo)
			p->key.sport = ih->id;
		else
			p->key.dport = bpf_htons(ih->type << 8 | ih->code);
		p->ident = ih->id ^ ih->seq;
		/* MLD (130-132, 143) and NDP (133-137) keep the link working. */
		if (l4proto == IPPROTO_ICMPV6 &&
		    ((ih->type >= 130 && ih->type <= 137) || ih->type == 143))
			p->link_control = 1;
		break;
	}
	}
	return 0;
}

/*
 * Fill p from the packet whose headers are in [data, data_end) and which is
 * wire_len bytes long in all (an XDP frame: data_end - data; an skb: its
 * len, of which only the pulled part is in data). Returns 0, an SFC_R_*
 * reason for a malformed packet, or SFC_PARSE_NOT_IP.
 */
static __always_inline int sfc_parse(void *data, void *data_end, __u32 wire_len,
				     struct sfc_pkt *p)
{
	struct sfc_cursor c = { .pos = data, .end = data_end, .start = data,
				.wire_len = wire_len };
	__u16 proto = 0;
	__u8 l4proto = 0;
	int r;

	p->len = wire_len;
	r = parse_ethhdr(&c, p, &proto);
	if (r)
		return r;
	if (proto == bpf_htons(ETH_P_IP))
		r = parse_ipv4(&c, p, &l4proto);
	else if (proto == bpf_htons(ETH_P_IPV6))
		r = parse_ipv6(&c, p, &l4proto);
	else
		return SFC_PARSE_NOT_IP;
	if (r)
		return r;
	return parse_l4(&c, p, l4proto);
}

#endif
