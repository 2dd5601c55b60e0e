// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One trace event as text, as a pcapng comment and record (monitor.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "monitor.h"
#include "pktdecode.h"
#include "sfc_abi.h"
#include "sfc_api.h"

#define I(o, k) ((long long)json_integer_value(json_object_get(o, k)))

int monitor_parse_ts(const char *ts, uint64_t *us)
{
	struct tm tm = {};
	unsigned int frac;
	const char *p;
	int n = 0;
	time_t t;

	if (!ts || !(p = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm)) ||
	    sscanf(p, ".%6u%n", &frac, &n) != 1 || n != 7 || strcmp(p + n, "Z"))
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*us = (uint64_t)t * 1000000u + frac;
	return 0;
}

/* A name, or an id nobody named (a number), or "?" */
static const char *name_of(json_t *ev, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(ev, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "?");
	return buf;
}

static const char *str_of(json_t *ev, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(ev, key));

	return s ? s : dflt;
}

/* "web spi 100 si 2 from s1 -> s2" / "... drop hop-down-drop" / "... end" */
static void trace_words(json_t *ev, bool text, char *buf, size_t len)
{
	const char *verdict = str_of(ev, SFC_KEY_VERDICT, "?");
	char chain[32], sf[32], from[32], spi[24] = "";
	size_t off;

	if (json_object_get(ev, SFC_KEY_SPI))
		snprintf(spi, sizeof(spi), " spi %lld", I(ev, SFC_KEY_SPI));
	off = snprintf(buf, len, "%s%s%s si %lld", text ? "" : "chain ",
		       name_of(ev, SFC_KEY_CHAIN, chain, sizeof(chain)), spi, I(ev, SFC_KEY_SI));
	if (off < len && json_object_get(ev, SFC_KEY_FROM_SF))
		off += snprintf(buf + off, len - off, " from %s",
				name_of(ev, SFC_KEY_FROM_SF, from, sizeof(from)));
	if (off >= len)
		return;
	if (!strcmp(verdict, "to-sf"))
		snprintf(buf + off, len - off, text ? " -> %s" : " to-sf %s",
			 name_of(ev, SFC_KEY_SF, sf, sizeof(sf)));
	else if (!strcmp(verdict, "drop"))
		snprintf(buf + off, len - off, " drop %s", str_of(ev, SFC_KEY_REASON, "?"));
	else
		snprintf(buf + off, len - off, " %s", verdict);
}

/* The captured bytes of the event: their count (0: none or not hex) */
static int packet_of(json_t *ev, uint8_t *p)
{
	const char *hex = json_string_value(json_object_get(ev, SFC_KEY_PACKET));
	int n = hex ? pkt_from_hex(hex, p, SFC_EV_CAP) : -1;

	return n < 0 ? 0 : n;
}

void monitor_event_text(json_t *ev, char *buf, size_t len)
{
	char when[32] = "??:??:??.??????", trace[192], ifname[32], pkt[256];
	uint8_t data[SFC_EV_CAP];
	uint64_t us;
	int n = packet_of(ev, data);

	if (!monitor_parse_ts(str_of(ev, SFC_KEY_TS, NULL), &us)) {
		time_t t = us / 1000000;
		struct tm tm;
		size_t w;

		localtime_r(&t, &tm);
		w = strftime(when, sizeof(when), "%H:%M:%S", &tm);
		snprintf(when + w, sizeof(when) - w, ".%06u", (unsigned int)(us % 1000000));
	}
	trace_words(ev, true, trace, sizeof(trace));
	if (!json_is_string(json_object_get(ev, SFC_KEY_IFNAME)))
		snprintf(ifname, sizeof(ifname), "if %lld", I(ev, SFC_KEY_IFINDEX));
	else
		snprintf(ifname, sizeof(ifname), "%s", str_of(ev, SFC_KEY_IFNAME, ""));
	snprintf(buf, len, "%s %s  %s %s  %s len %lld", when, trace, ifname,
		 str_of(ev, SFC_KEY_HOOK, "?"), pkt_summary(data, n, pkt, sizeof(pkt)),
		 I(ev, SFC_KEY_LEN));
}

void monitor_event_comment(json_t *ev, char *buf, size_t len)
{
	size_t off;

	trace_words(ev, false, buf, len);
	off = strlen(buf);
	snprintf(buf + off, len - off, " hook %s", str_of(ev, SFC_KEY_HOOK, "?"));
}

int monitor_event_pcapng(struct pcapng *w, json_t *ev)
{
	uint8_t data[SFC_EV_CAP];
	char comment[256], ifname[64];
	int n = packet_of(ev, data), iface;
	uint64_t us = 0;

	monitor_parse_ts(str_of(ev, SFC_KEY_TS, NULL), &us);
	if (json_is_string(json_object_get(ev, SFC_KEY_IFNAME)))
		snprintf(ifname, sizeof(ifname), "%s", str_of(ev, SFC_KEY_IFNAME, ""));
	else
		snprintf(ifname, sizeof(ifname), "ifindex %lld", I(ev, SFC_KEY_IFINDEX));
	iface = pcapng_iface(w, (uint32_t)I(ev, SFC_KEY_IFINDEX), ifname);
	if (iface < 0)
		return iface;
	monitor_event_comment(ev, comment, sizeof(comment));
	return pcapng_packet(w, iface, us, data, n, (uint32_t)I(ev, SFC_KEY_LEN), comment);
}
