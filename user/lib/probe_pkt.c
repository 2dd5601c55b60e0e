// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Health probe frames: see probe_pkt.h. */
#include <string.h>

#include "probe_pkt.h"

#define ETH_LEN   14
#define IP4_LEN   20
#define IP6_LEN   40
#define ICMP_LEN  8
#define TCP_LEN   20
#define ARP_LEN   28
#define ND_LEN    32   /* NS/NA: header, target, one link-layer option */

#define ET_IP4 0x0800
#define ET_ARP 0x0806
#define ET_IP6 0x86dd

/* what an echo request carries, for a capture to tell it */
static const char payload[16] = "sfc-health-probe";

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)get16(p) << 16 | get16(p + 2);
}

static __u32 sum(__u32 s, const __u8 *p, size_t n)
{
	for (; n > 1; n -= 2, p += 2)
		s += get16(p);
	if (n)
		s += p[0] << 8;
	return s;
}

static __u16 fold(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static __u8 *eth(__u8 *buf, const __u8 dst[6], const __u8 src[6], __u16 type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, type);
	return buf + ETH_LEN;
}

/* The IP header for l4len bytes of protocol proto; returns where L4 goes. */
static __u8 *ip(__u8 *p, const struct sfc_probe_ends *e, const __u8 *dst, __u8 proto,
		size_t l4len, __u8 ttl)
{
	if (e->family == 4) {
		memset(p, 0, IP4_LEN);
		p[0] = 0x45;
		put16(p + 2, IP4_LEN + l4len);
		put16(p + 6, 0x4000);  /* DF */
		p[8] = ttl;
		p[9] = proto;
		memcpy(p + 12, e->src, 4);
		memcpy(p + 16, dst, 4);
		put16(p + 10, fold(sum(0, p, IP4_LEN)));
		return p + IP4_LEN;
	}
	memset(p, 0, IP6_LEN);
	p[0] = 0x60;
	put16(p + 4, l4len);
	p[6] = proto;
	p[7] = ttl;
	memcpy(p + 8, e->src, 16);
	memcpy(p + 24, dst, 16);
	return p + IP6_LEN;
}

/* The L4 checksum at l4 + off over len bytes, with IPv6's or IPv4's
 * pseudo-header (ICMP over IPv4 has none). */
static void l4_csum(__u8 *l4, size_t len, size_t off, const struct sfc_probe_ends *e,
		    const __u8 *dst, __u8 proto)
{
	__u32 s = 0;
	size_t alen = e->family == 4 ? 4 : 16;

	put16(l4 + off, 0);
	if (!(e->family == 4 && proto == 1)) {
		s = sum(s, e->src, alen);
		s = sum(s, dst, alen);
		s += proto + (__u32)len;
	}
	put16(l4 + off, fold(sum(s, l4, len)));
}

static __u16 l3_type(const struct sfc_probe_ends *e)
{
	return e->family == 4 ? ET_IP4 : ET_IP6;
}

static size_t l3_len(const struct sfc_probe_ends *e)
{
	return e->family == 4 ? IP4_LEN : IP6_LEN;
}

size_t sfc_probe_echo(__u8 *buf, const struct sfc_probe_ends *e, __u16 id, __u16 seq)
{
	size_t l4len = ICMP_LEN + sizeof(payload);
	__u8 proto = e->family == 4 ? 1 : 58;
	__u8 *l4 = ip(eth(buf, e->dst_mac, e->src_mac, l3_type(e)), e, e->dst, proto, l4len, 64);

	l4[0] = e->family == 4 ? 8 : 128;
	l4[1] = 0;
	put16(l4 + 4, id);
	put16(l4 + 6, seq);
	memcpy(l4 + ICMP_LEN, payload, sizeof(payload));
	l4_csum(l4, l4len, 2, e, e->dst, proto);
	return ETH_LEN + l3_len(e) + l4len;
}

size_t sfc_probe_tcp(__u8 *buf, const struct sfc_probe_ends *e, __u16 sport, __u16 dport,
		     __u32 seq, __u32 ack, __u8 flags)
{
	__u8 *l4 = ip(eth(buf, e->dst_mac, e->src_mac, l3_type(e)), e, e->dst, 6, TCP_LEN, 64);

	memset(l4, 0, TCP_LEN);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put32(l4 + 4, seq);
	put32(l4 + 8, ack);
	l4[12] = (TCP_LEN / 4) << 4;
	l4[13] = flags;
	put16(l4 + 14, 64240);
	l4_csum(l4, TCP_LEN, 16, e, e->dst, 6);
	return ETH_LEN + l3_len(e) + TCP_LEN;
}

static size_t arp(__u8 *buf, const struct sfc_probe_ends *e, __u16 op)
{
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	__u8 *p = eth(buf, op == 1 ? bcast : e->dst_mac, e->src_mac, ET_ARP);

	put16(p, 1);
	put16(p + 2, ET_IP4);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, op);
	memcpy(p + 8, e->src_mac, 6);
	memcpy(p + 14, e->src, 4);
	if (op == 1)
		memset(p + 18, 0, 6);
	else
		memcpy(p + 18, e->dst_mac, 6);
	memcpy(p + 24, e->dst, 4);
	return ETH_LEN + ARP_LEN;
}

/* NS (type 135) for e->dst, or NA (136) of e->src to e->dst. */
static size_t nd(__u8 *buf, const struct sfc_probe_ends *e, __u8 type)
{
	__u8 dst[16], mac[6], *l4;

	if (type == 135) {
		/* the solicited-node group of the target, and its MAC */
		static const __u8 sn[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

		memcpy(dst, sn, 13);
		memcpy(dst + 13, e->dst + 13, 3);
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, dst + 12, 4);
	} else {
		memcpy(dst, e->dst, 16);
		memcpy(mac, e->dst_mac, 6);
	}
	l4 = ip(eth(buf, mac, e->src_mac, ET_IP6), e, dst, 58, ND_LEN, 255);
	memset(l4, 0, ND_LEN);
	l4[0] = type;
	if (type == 136)
		l4[4] = 0x60;  /* solicited, override */
	memcpy(l4 + 8, type == 135 ? e->dst : e->src, 16);
	l4[24] = type == 135 ? 1 : 2;  /* source / target link-layer address */
	l4[25] = 1;
	memcpy(l4 + 26, e->src_mac, 6);
	l4_csum(l4, ND_LEN, 2, e, dst, 58);
	return ETH_LEN + IP6_LEN + ND_LEN;
}

size_t sfc_probe_solicit(__u8 *buf, const struct sfc_probe_ends *e)
{
	return e->family == 4 ? arp(buf, e, 1) : nd(buf, e, 135);
}

size_t sfc_probe_advert(__u8 *buf, const struct sfc_probe_ends *e)
{
	return e->family == 4 ? arp(buf, e, 2) : nd(buf, e, 136);
}

static int parse_arp(const __u8 *p, size_t len, struct sfc_probe_rx *rx)
{
	__u16 op;

	if (len < ARP_LEN)
		return -1;
	if (get16(p) != 1 || get16(p + 2) != ET_IP4 || p[4] != 6 || p[5] != 4)
		return 0;
	op = get16(p + 6);
	rx->family = 4;
	memcpy(rx->src, p + 14, 4);
	memcpy(rx->dst, p + 24, 4);
	if (op == 1) {
		rx->kind = SFC_PROBE_RX_SOLICIT;
		memcpy(rx->target, p + 24, 4);
	} else if (op == 2) {
		rx->kind = SFC_PROBE_RX_ADVERT;
		memcpy(rx->target, p + 14, 4);
		memcpy(rx->target_mac, p + 8, 6);
	}
	return 0;
}

static int parse_tcp(const __u8 *l4, size_t len, struct sfc_probe_rx *rx)
{
	if (len < TCP_LEN)
		return -1;
	rx->kind = SFC_PROBE_RX_TCP;
	rx->sport = get16(l4);
	rx->dport = get16(l4 + 2);
	rx->tcp_seq = get32(l4 + 4);
	rx->tcp_ack = get32(l4 + 8);
	rx->tcp_flags = l4[13];
	return 0;
}

static int parse_icmp6(const __u8 *l4, size_t len, struct sfc_probe_rx *rx)
{
	if (len < ICMP_LEN)
		return -1;
	switch (l4[0]) {
	case 129:
		rx->kind = SFC_PROBE_RX_ECHO_REPLY;
		rx->id = get16(l4 + 4);
		rx->seq = get16(l4 + 6);
		return 0;
	case 135:
	case 136:
		if (len < 24)
			return -1;
		memcpy(rx->target, l4 + 8, 16);
		if (l4[0] == 135) {
			rx->kind = SFC_PROBE_RX_SOLICIT;
			return 0;
		}
		rx->kind = SFC_PROBE_RX_ADVERT;
		/* the target link-layer option, else the frame's source */
		for (size_t o = 24; o + 8 <= len && l4[o + 1]; o += l4[o + 1] * 8u) {
			if (l4[o] == 2 && l4[o + 1] == 1) {
				memcpy(rx->target_mac, l4 + o + 2, 6);
				return 0;
			}
		}
		memcpy(rx->target_mac, rx->mac, 6);
		return 0;
	}
	return 0;
}

int sfc_probe_frame_parse(const __u8 *f, size_t len, struct sfc_probe_rx *rx)
{
	const __u8 *p = f + ETH_LEN;
	size_t n, l3;

	memset(rx, 0, sizeof(*rx));
	if (len < ETH_LEN)
		return -1;
	memcpy(rx->mac, f + 6, 6);
	n = len - ETH_LEN;
	switch (get16(f + 12)) {
	case ET_ARP:
		return parse_arp(p, n, rx);
	case ET_IP4:
		if (n < IP4_LEN || (p[0] >> 4) != 4)
			return -1;
		l3 = (p[0] & 15) * 4u;
		if (l3 < IP4_LEN || get16(p + 2) < l3 || get16(p + 2) > n)
			return -1;
		n = get16(p + 2) - l3;
		rx->family = 4;
		memcpy(rx->src, p + 12, 4);
		memcpy(rx->dst, p + 16, 4);
		if (get16(p + 6) & 0x3fff)
			return 0;  /* a fragment: no probe answer is one */
		if (p[9] == 6)
			return parse_tcp(p + l3, n, rx);
		if (p[9] == 1 && n >= ICMP_LEN && p[l3] == 0) {
			rx->kind = SFC_PROBE_RX_ECHO_REPLY;
			rx->id = get16(p + l3 + 4);
			rx->seq = get16(p + l3 + 6);
		}
		return n < ICMP_LEN && p[9] == 1 ? -1 : 0;
	case ET_IP6:
		if (n < IP6_LEN || (p[0] >> 4) != 6 || get16(p + 4) > n - IP6_LEN)
			return -1;
		rx->family = 6;
		memcpy(rx->src, p + 8, 16);
		memcpy(rx->dst, p + 24, 16);
		n = get16(p + 4);
		if (p[6] == 6)
			return parse_tcp(p + IP6_LEN, n, rx);
		if (p[6] == 58)
			return parse_icmp6(p + IP6_LEN, n, rx);
		return 0;
	}
	return 0;
}

void sfc_probe_link_local(const __u8 mac[6], __u8 addr[16])
{
	memset(addr, 0, 16);
	addr[0] = 0xfe;
	addr[1] = 0x80;
	addr[8] = mac[0] ^ 0x02;
	addr[9] = mac[1];
	addr[10] = mac[2];
	addr[11] = 0xff;
	addr[12] = 0xfe;
	addr[13] = mac[3];
	addr[14] = mac[4];
	addr[15] = mac[5];
}
