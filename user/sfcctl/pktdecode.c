// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Captured headers as one line of text (pktdecode.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "pktdecode.h"

struct out {
	char *buf;
	size_t len, off;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->off >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off += (size_t)n < o->len - o->off ? (size_t)n : o->len - o->off - 1;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *icmp4_name(uint8_t type)
{
	switch (type) {
	case 0: return "echo reply";
	case 3: return "unreachable";
	case 5: return "redirect";
	case 8: return "echo request";
	case 11: return "time exceeded";
	case 12: return "parameter problem";
	}
	return NULL;
}

static const char *icmp6_name(uint8_t type)
{
	switch (type) {
	case 1: return "unreachable";
	case 2: return "packet too big";
	case 3: return "time exceeded";
	case 4: return "parameter problem";
	case 128: return "echo request";
	case 129: return "echo reply";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbor solicitation";
	case 136: return "neighbor advertisement";
	}
	return NULL;
}

/* The transport header at p (n bytes captured); src, dst: addresses. */
static void l4(struct out *o, uint8_t proto, const uint8_t *p, size_t n, const char *src,
	       const char *dst, bool v6, bool later_frag)
{
	const char *name;

	if (later_frag) {
		say(o, "%s > %s fragment proto %u", src, dst, proto);
		return;
	}
	switch (proto) {
	case 6:
	case 17:
		if (n < (proto == 6 ? 20u : 8u)) {
			say(o, "%s > %s %s truncated", src, dst, proto == 6 ? "TCP" : "UDP");
			return;
		}
		say(o, v6 ? "[%s]:%u > [%s]:%u %s" : "%s:%u > %s:%u %s", src, be16(p), dst,
		    be16(p + 2), proto == 6 ? "TCP" : "UDP");
		if (proto == 6) {
			static const char flags[] = "FSRPAUEC";
			char f[9];
			int k = 0;

			for (int i = 0; i < 8; i++)
				if (p[13] & (1u << i))
					f[k++] = flags[i];
			f[k] = '\0';
			say(o, " [%s] seq %u ack %u", f, be32(p + 4), be32(p + 8));
		}
		return;
	case 1:
	case 58:
		say(o, "%s > %s %s", src, dst, proto == 1 ? "ICMP" : "ICMPv6");
		if (n < 4) {
			say(o, " truncated");
			return;
		}
		name = proto == 1 ? icmp4_name(p[0]) : icmp6_name(p[0]);
		if (name)
			say(o, " %s", name);
		else
			say(o, " type %u code %u", p[0], p[1]);
		if (n >= 8 && (proto == 1 ? p[0] == 0 || p[0] == 8 : p[0] == 128 || p[0] == 129))
			say(o, " id %u seq %u", be16(p + 4), be16(p + 6));
		return;
	}
	say(o, "%s > %s proto %u", src, dst, proto);
}

static void ipv4(struct out *o, const uint8_t *p, size_t n)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	size_t ihl;

	if (n < 20) {
		say(o, "IPv4 truncated");
		return;
	}
	ihl = (size_t)(p[0] & 15) * 4;
	if ((p[0] >> 4) != 4 || ihl < 20) {
		say(o, "IPv4 bad header");
		return;
	}
	inet_ntop(AF_INET, p + 12, src, sizeof(src));
	inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
	if (n < ihl) {
		say(o, "%s > %s truncated", src, dst);
		return;
	}
	l4(o, p[9], p + ihl, n - ihl, src, dst, false, be16(p + 6) & 0x1fff);
}

static void ipv6(struct out *o, const uint8_t *p, size_t n)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	uint8_t next;
	size_t off = 40;
	bool later_frag = false;

	if (n < 40) {
		say(o, "IPv6 truncated");
		return;
	}
	inet_ntop(AF_INET6, p + 8, src, sizeof(src));
	inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
	next = p[6];
	/* hop-by-hop, routing, fragment, destination options: skipped */
	for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 44 || next == 60); i++) {
		if (n < off + 8) {
			say(o, "%s > %s truncated", src, dst);
			return;
		}
		if (next == 44) {
			later_frag = be16(p + off + 2) & 0xfff8;
			next = p[off];
			off += 8;
			continue;
		}
		next = p[off];
		off += ((size_t)p[off + 1] + 1) * 8;
	}
	if (n < off) {
		say(o, "%s > %s truncated", src, dst);
		return;
	}
	l4(o, next, p + off, n - off, src, dst, true, later_frag);
}

const char *pkt_summary(const uint8_t *p, size_t cap, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	size_t off = 12;
	uint16_t type;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (cap < 14) {
		say(&o, "Ethernet truncated (%zu bytes)", cap);
		return buf;
	}
	type = be16(p + off);
	for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); i++) {
		if (cap < off + 6) {
			say(&o, "vlan truncated");
			return buf;
		}
		say(&o, "vlan %u ", be16(p + off + 2) & 0xfff);
		off += 4;
		type = be16(p + off);
	}
	off += 2;
	switch (type) {
	case 0x0800:
		ipv4(&o, p + off, cap - off);
		break;
	case 0x86dd:
		ipv6(&o, p + off, cap - off);
		break;
	case 0x0806:
		say(&o, "ARP");
		break;
	case 0x894f:
		if (cap < off + 8) {
			say(&o, "NSH truncated");
			break;
		}
		say(&o, "NSH spi %u si %u", be32(p + off + 4) >> 8, p[off + 7]);
		break;
	default:
		say(&o, "ethertype 0x%04x", type);
	}
	return buf;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pkt_from_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex);

	if (n % 2)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		if (i < max)
			out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2 < max ? n / 2 : max);
}
