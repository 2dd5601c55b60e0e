// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text forms of prefixes, protocols, ports, MAC addresses and names. */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfc_abi.h"
#include "text.h"

int sfc_parse_prefix(const char *s, struct sfc_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	int maxlen;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = 4;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = 6;
		maxlen = 128;
	} else {
		return -EINVAL;
	}
	len = maxlen;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len < 0 || len > maxlen)
			return -EINVAL;
	}
	p->len = len;
	/* Host bits must be zero: "198.18.1.1/24" is most likely a typo. */
	for (int bit = len; bit < maxlen; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return -ERANGE;
	return 0;
}

int sfc_format_prefix(const struct sfc_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a)))
		return -errno;
	snprintf(buf, len, "%s/%u", a, p->len);
	return 0;
}

static const struct {
	const char *name;
	int proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP },
};

int sfc_parse_proto(const char *s)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(s, protos[i].name))
			return protos[i].proto;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 255)
		return -EINVAL;
	return v;
}

const char *sfc_proto_name(int proto, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	snprintf(buf, len, "%d", proto);
	return buf;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Six groups of one or two hex digits joined by ':', nothing else: no
 * blanks, signs or "0x" (which a scanf conversion would take). */
int sfc_parse_mac(const char *s, __u8 mac[6])
{
	__u8 b[6];

	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(*s++), lo;

		if (hi < 0)
			return -EINVAL;
		lo = hex_digit(*s);
		if (lo >= 0) {
			b[i] = hi << 4 | lo;
			s++;
		} else {
			b[i] = hi;
		}
		if (*s++ != (i < 5 ? ':' : '\0'))
			return -EINVAL;
	}
	memcpy(mac, b, 6);
	return 0;
}

int sfc_mac_check_unicast(const __u8 mac[6], char *why, size_t len)
{
	static const __u8 zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!memcmp(mac, zero, 6))
		snprintf(why, len, "the all-zero MAC is not an address");
	else if (!memcmp(mac, bcast, 6))
		snprintf(why, len, "a broadcast MAC cannot address one SF");
	else if (mac[0] & 1)
		snprintf(why, len, "a multicast MAC (first octet odd) cannot address one SF");
	else
		return 0;
	return -EINVAL;
}

int sfc_name_check(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);

	if (!n) {
		snprintf(why, len, "a name cannot be empty");
		return -EINVAL;
	}
	if (n >= SFC_NAME_LEN) {
		snprintf(why, len, "name longer than %d characters", SFC_NAME_LEN - 1);
		return -EINVAL;
	}
	if (name[0] == '-') {
		snprintf(why, len, "a name cannot start with '-' (it would read as an option)");
		return -EINVAL;
	}
	if (!strcmp(name, "help")) {
		snprintf(why, len, "\"help\" is a keyword, not a name");
		return -EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-:@+/=", *p))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			snprintf(why, len, "a name cannot hold control characters (byte 0x%02x)", *p);
		else if (*p == ' ')
			snprintf(why, len, "a name cannot hold spaces");
		else if (*p == ',')
			snprintf(why, len, "a name cannot hold ',' (it separates SFs in a hop)");
		else if (*p >= 0x80)
			snprintf(why, len, "a name is ASCII letters, digits and \"._-:@+/=\"");
		else
			snprintf(why, len, "a name cannot hold '%c' (letters, digits and "
				 "\"._-:@+/=\" only)", *p);
		return -EINVAL;
	}
	return 0;
}

/* A decimal port, digits only: 0-65535, or -1. */
static long port_value(const char *s, size_t n)
{
	long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

int sfc_parse_ports(const char *s, __u16 *lo, __u16 *hi, char *why, size_t len)
{
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	long a, b;

	a = port_value(s, n);
	b = dash ? port_value(dash + 1, strlen(dash + 1)) : a;
	if (a < 0 || b < 0) {
		snprintf(why, len, "expected a port 0-65535 or a range LOW-HIGH (decimal digits "
			 "only)");
		return -EINVAL;
	}
	if (a > b) {
		snprintf(why, len, "range %ld-%ld is reversed (write %ld-%ld)", a, b, b, a);
		return -EINVAL;
	}
	*lo = a;
	*hi = b;
	return 0;
}

int sfc_ifname_check(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);
	const char *bad = NULL;

	if (!n)
		bad = "it is empty";
	else if (n >= IFNAMSIZ)
		bad = "longer than 15 characters";
	else if (!strcmp(name, ".") || !strcmp(name, ".."))
		bad = "\".\" and \"..\" are reserved";
	else if (strchr(name, '/'))
		bad = "it holds '/'";
	else if (strchr(name, ':'))
		bad = "it holds ':'";
	else if (strpbrk(name, " \t\n\v\f\r"))
		bad = "it holds white space";
	if (!bad)
		return 0;
	snprintf(why, len, "not a valid interface name (%s)", bad);
	return -EINVAL;
}

/* Length of the valid UTF-8 sequence at p (as JSON libraries check it: no
 * overlong forms, surrogates or code points past U+10FFFF), 0 if there is
 * none; *partial when p holds only the start of one before the end. */
static size_t utf8_seq(const unsigned char *p, bool *partial)
{
	size_t n;
	__u32 cp;

	*partial = false;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (!p[i]) {
			*partial = true;
			return 0;
		}
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t sfc_utf8_fix(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t fixed = 0;

	while (*p) {
		bool partial;
		size_t n = utf8_seq(p, &partial);

		if (n) {
			p += n;
			continue;
		}
		if (partial) {
			/* a sequence cut by a buffer's end: drop its start */
			fixed += strlen((char *)p);
			*p = '\0';
			break;
		}
		*p++ = '?';
		fixed++;
	}
	return fixed;
}

bool sfc_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool partial;
	size_t n;

	for (; *p; p += n) {
		n = utf8_seq(p, &partial);
		if (!n)
			return false;
	}
	return true;
}
