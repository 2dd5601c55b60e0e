// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An SF's health settings in the document: the mode, the probe's one
 * string ("icmp ADDRESS", "tcp ADDRESS:PORT", "tcp [ADDRESS]:PORT") and
 * the rules that hold them together, the same wherever they come from
 * (a document, sf-set, a typed edit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "errmsg.h"
#include "model.h"

#define PROBE_FORMS "\"icmp ADDRESS\" or \"tcp ADDRESS:PORT\""

static const char *const health_names[] = {
	[SFC_HEALTH_LINK] = "link", [SFC_HEALTH_NONE] = "none", [SFC_HEALTH_PROBE] = "probe",
};

const char *sfc_health_name(int mode)
{
	if (mode < 0 || mode >= (int)(sizeof(health_names) / sizeof(health_names[0])))
		return "?";
	return health_names[mode];
}

int sfc_health_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(health_names) / sizeof(health_names[0])); i++)
		if (!strcmp(name, health_names[i]))
			return i;
	return -EINVAL;
}

static int af_of(int family)
{
	return family == 6 ? AF_INET6 : AF_INET;
}

const char *sfc_probe_addr_format(int family, const __u8 *addr, char *buf, size_t len)
{
	if (!inet_ntop(af_of(family), addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int sfc_probe_addr_check(int family, const __u8 *a, char *why, size_t len)
{
	static const __u8 zero[16], one6[16] = { [15] = 1 };
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	char txt[INET6_ADDRSTRLEN];
	const char *what = NULL;

	sfc_probe_addr_format(family, a, txt, sizeof(txt));
	if (family == 4) {
		if (!memcmp(a, zero, 4))
			what = "is the unspecified address";
		else if (a[0] == 127)
			what = "is a loopback address";
		else if ((a[0] & 0xf0) == 0xe0)
			what = "is a multicast address";
		else if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
			what = "is the broadcast address";
	} else if (family == 6) {
		if (!memcmp(a, zero, 16))
			what = "is the unspecified address";
		else if (!memcmp(a, one6, 16))
			what = "is the loopback address";
		else if (a[0] == 0xff)
			what = "is a multicast address";
		else if (!memcmp(a, mapped, 12))
			what = "is an IPv4-mapped address (write the IPv4 address)";
	} else {
		return sfc_errf(why, len, -EINVAL, "address family %d (expected 4 or 6)", family);
	}
	if (what)
		return sfc_errf(why, len, -EINVAL, "%s %s, not the unicast address of one host", txt,
				what);
	return 0;
}

int sfc_probe_addr_parse(const char *s, int *family, __u8 addr[16], char *why, size_t len)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		*family = 6;
	else
		return sfc_errf(why, len, -EINVAL, "\"%.60s\" is not an IPv4 or IPv6 address", s);
	return sfc_probe_addr_check(*family, addr, why, len);
}

/* "80" -> 80; decimal digits only, 1 to 65535 */
static int parse_port(const char *s, __u16 *port, char *why, size_t len)
{
	unsigned long n;
	char *end;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 5 || (n = strtoul(s, &end, 10), *end) ||
	    n < 1 || n > 65535)
		return sfc_errf(why, len, -EINVAL, "port \"%.20s\": expected an integer from 1 to "
				"65535", s);
	*port = n;
	return 0;
}

int sfc_probe_parse(const char *s, struct sfc_probe_cfg *p, char *why, size_t len)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *target, *port = NULL;
	__u8 addr[16];
	int type, family, ret;
	__u16 n = 0;

	if (!strncmp(s, "icmp ", 5))
		type = SFC_PROBE_ICMP, target = s + 5;
	else if (!strncmp(s, "tcp ", 4))
		type = SFC_PROBE_TCP, target = s + 4;
	else
		return sfc_errf(why, len, -EINVAL, "expected " PROBE_FORMS);
	if (!target[0])
		return sfc_errf(why, len, -EINVAL, "missing ADDRESS (expected " PROBE_FORMS ")");
	if (target[0] == '[' && type == SFC_PROBE_ICMP)
		return sfc_errf(why, len, -EINVAL, "expected \"icmp ADDRESS\" (brackets go only "
				"with a tcp probe's port)");
	if (target[0] == '[') {
		/* [ADDRESS]:PORT, the brackets only IPv6's */
		const char *close = strchr(target, ']');

		if (!close || (size_t)(close - target - 1) >= sizeof(host) ||
		    (close[1] && close[1] != ':'))
			return sfc_errf(why, len, -EINVAL, "\"%.60s\": expected [ADDRESS]:PORT",
					target);
		memcpy(host, target + 1, close - target - 1);
		host[close - target - 1] = '\0';
		if (inet_pton(AF_INET6, host, addr) != 1)
			return sfc_errf(why, len, -EINVAL, "\"%.60s\" is not an IPv6 address (only "
					"IPv6 is written in brackets)", host);
		port = close[1] ? close + 2 : NULL;
	} else {
		const char *colon = strchr(target, ':');

		if (strlen(target) >= sizeof(host))
			return sfc_errf(why, len, -EINVAL, "\"%.60s\" is not an IPv4 or IPv6 "
					"address", target);
		strcpy(host, target);
		/* one colon: IPv4:PORT; more: an IPv6 address, which takes its
		 * port only after brackets */
		if (colon && !strchr(colon + 1, ':')) {
			host[colon - target] = '\0';
			port = colon + 1;
		}
	}
	if (port && type == SFC_PROBE_ICMP)
		return sfc_errf(why, len, -EINVAL, "an icmp probe takes no port (expected "
				"\"icmp ADDRESS\")");
	if (!port && type == SFC_PROBE_TCP)
		return sfc_errf(why, len, -EINVAL, "a tcp probe needs a port (expected \"tcp "
				"ADDRESS:PORT\", \"tcp [ADDRESS]:PORT\" for IPv6)");
	if (port && parse_port(port, &n, why, len))
		return -EINVAL;
	ret = sfc_probe_addr_parse(host, &family, addr, why, len);
	if (ret)
		return ret;
	p->type = type;
	p->family = family;
	p->port = n;
	memcpy(p->addr, addr, sizeof(p->addr));
	return 0;
}

const char *sfc_probe_format(const struct sfc_probe_cfg *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	sfc_probe_addr_format(p->family, p->addr, a, sizeof(a));
	if (p->type == SFC_PROBE_ICMP)
		snprintf(buf, len, "icmp %s", a);
	else if (p->type == SFC_PROBE_TCP)
		snprintf(buf, len, p->family == 6 ? "tcp [%s]:%u" : "tcp %s:%u", a, p->port);
	else
		snprintf(buf, len, "-");
	return buf;
}

int sfc_probe_from_mismatch(const struct sfc_probe_cfg *p, int from_family,
			    const __u8 *from, char *why, size_t len)
{
	char f[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN];

	if (from_family == p->family)
		return 0;
	return sfc_errf(why, len, -EINVAL, "probe-from %s is IPv%d and the probe's address %s "
			"IPv%d: they must be of one family",
			sfc_probe_addr_format(from_family, from, f, sizeof(f)), from_family,
			sfc_probe_addr_format(p->family, p->addr, a, sizeof(a)), p->family);
}

/* The first probe key set, in the document's order; NULL: none. */
static const char *probe_key_set(const struct sfc_probe_cfg *p)
{
	if (p->type != SFC_PROBE_OFF)
		return "probe";
	if (p->has_from)
		return "probe-from";
	if (p->interval_ms)
		return "probe-interval";
	if (p->fail)
		return "probe-fail";
	if (p->recover)
		return "probe-recover";
	return NULL;
}

int sfc_sf_health_check(const struct sfc_sf_cfg *sf, bool health_given, char *why, size_t len)
{
	const struct sfc_probe_cfg *p = &sf->probe;
	const char *key = probe_key_set(p);
	char a[INET6_ADDRSTRLEN], buf[160];

	if (sf->health > SFC_HEALTH_PROBE)
		return sfc_errf(why, len, -EINVAL, "health: unknown mode %u (expected none, link "
				"or probe)", sf->health);
	if (sf->health == SFC_HEALTH_PROBE && p->type == SFC_PROBE_OFF)
		return sfc_errf(why, len, -EINVAL, "health probe needs \"probe\": " PROBE_FORMS);
	if (sf->health != SFC_HEALTH_PROBE && key && (health_given || p->type != SFC_PROBE_OFF))
		return sfc_errf(why, len, -EINVAL, "\"%s\" with health %s: the probe would never "
				"be used (only health probe probes)", key, sfc_health_name(sf->health));
	if (key && p->type == SFC_PROBE_OFF)
		return sfc_errf(why, len, -EINVAL, "\"%s\" without \"probe\": nothing to probe "
				"(expected \"probe\": " PROBE_FORMS ")", key);
	if (!key)
		return 0;
	if (p->type > SFC_PROBE_TCP)
		return sfc_errf(why, len, -EINVAL, "probe: unknown type %u", p->type);
	if (sfc_probe_addr_check(p->family, p->addr, buf, sizeof(buf)))
		return sfc_errf(why, len, -EINVAL, "probe: %s", buf);
	if (p->type == SFC_PROBE_TCP && !p->port)
		return sfc_errf(why, len, -EINVAL, "probe: a tcp probe needs a port (expected \"tcp "
				"ADDRESS:PORT\")");
	if (p->type == SFC_PROBE_ICMP && p->port)
		return sfc_errf(why, len, -EINVAL, "probe: an icmp probe takes no port");
	if (p->has_from) {
		if (sfc_probe_addr_check(p->family, p->from, buf, sizeof(buf)))
			return sfc_errf(why, len, -EINVAL, "probe-from: %s", buf);
		if (!memcmp(p->from, p->addr, p->family == 6 ? 16 : 4))
			return sfc_errf(why, len, -EINVAL, "probe-from %s is the probe's own address "
					"(expected an address of the SF's subnet that nothing else "
					"uses)", sfc_probe_addr_format(p->family, p->from, a,
								      sizeof(a)));
	} else if (p->family == 4) {
		return sfc_errf(why, len, -EINVAL, "probe %s is IPv4 and needs \"probe-from\": an "
				"address of the SF's subnet that nothing else uses (sfcd sends "
				"from it and answers ARP for it)",
				sfc_probe_addr_format(p->family, p->addr, a, sizeof(a)));
	}
	if (p->interval_ms && (p->interval_ms < SFC_PROBE_INTERVAL_MIN_MS ||
			       p->interval_ms > SFC_PROBE_INTERVAL_MAX_MS))
		return sfc_errf(why, len, -EINVAL, "probe-interval: expected an integer from %d to "
				"%d (ms), got %u", SFC_PROBE_INTERVAL_MIN_MS,
				SFC_PROBE_INTERVAL_MAX_MS, p->interval_ms);
	if (p->fail > SFC_PROBE_COUNT_MAX)
		return sfc_errf(why, len, -EINVAL, "probe-fail: expected an integer from 1 to %d, "
				"got %u", SFC_PROBE_COUNT_MAX, p->fail);
	if (p->recover > SFC_PROBE_COUNT_MAX)
		return sfc_errf(why, len, -EINVAL, "probe-recover: expected an integer from 1 to "
				"%d, got %u", SFC_PROBE_COUNT_MAX, p->recover);
	return 0;
}

/* what the probes mean: a default written or left out is the default */
bool sfc_probe_eq(const struct sfc_probe_cfg *a, const struct sfc_probe_cfg *b)
{
	size_t n = a->family == 6 ? 16 : 4;

	return a->type == b->type && a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, n) && a->has_from == b->has_from &&
	       (!a->has_from || !memcmp(a->from, b->from, n)) &&
	       sfc_probe_interval(a) == sfc_probe_interval(b) &&
	       sfc_probe_fail(a) == sfc_probe_fail(b) &&
	       sfc_probe_recover(a) == sfc_probe_recover(b);
}
