// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The document from JSON: each object checked on its own and normalised
 * into its typed form; cross-object checks are sfc_doc_validate()'s.
 * Errors name the object (SF "fw": mac: ...), never a JSON path.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <net/if.h>

#include "jsonl.h"
#include "match.h"
#include "model.h"
#include "yield.h"

#define LABEL_LEN (SFC_NAME_LEN * 4 + 32)

struct perr {
	char *buf;
	size_t len;
};

/* "LABEL: message" */
static int fail(struct perr *e, const char *label, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(e->buf, e->len, "%s: ", label);
	if (n < 0 || (size_t)n >= e->len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(e->buf + n, e->len - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* What an element of a section is called: SF "fw", or SF #3 when it has
 * no usable name. */
static const char *label_of(json_t *v, const char *what, const char *key, size_t i,
			    char *buf, size_t len)
{
	const char *name = json_string_value(json_object_get(v, key));
	char q[SFC_NAME_LEN * 4 + 8];

	if (name && name[0] && strlen(name) < SFC_NAME_LEN)
		snprintf(buf, len, "%s \"%s\"", what, sfc_quote_name(name, q, sizeof(q)));
	else
		snprintf(buf, len, "%s #%zu", what, i + 1);
	return buf;
}

/* Reject keys not in allowed (NULL-terminated): a typo must not be ignored. */
static int check_keys(struct perr *e, const char *label, json_t *obj,
		      const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return fail(e, label, "expected an object");
	json_object_foreach(obj, key, v) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return fail(e, label, "unknown key \"%s\"", key);
	}
	return 0;
}

/* A non-empty string that fits out; absent: "" (or an error if required). */
static int get_str(struct perr *e, const char *label, json_t *obj, const char *key,
		   char *out, size_t outlen, bool required)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			return fail(e, label, "missing \"%s\"", key);
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v))
		return fail(e, label, "%s: expected a string", key);
	if (json_string_length(v) == 0)
		return fail(e, label, "%s: must not be empty", key);
	if (json_string_length(v) >= outlen || strlen(json_string_value(v)) != json_string_length(v))
		return fail(e, label, "%s: \"%.40s\" is longer than %zu characters", key,
			    json_string_value(v), outlen - 1);
	strcpy(out, json_string_value(v));
	return 0;
}

/* get_str, and the value must be a valid interface name */
static int get_ifname(struct perr *e, const char *label, json_t *obj, const char *key,
		      char *out, size_t outlen, bool required)
{
	char why[96], q[IFNAMSIZ * 4 + 8];
	int err = get_str(e, label, obj, key, out, outlen, required);

	if (err || !out[0] || !sfc_ifname_check(out, why, sizeof(why)))
		return err;
	return fail(e, label, "%s: \"%s\": %s", key, sfc_quote_name(out, q, sizeof(q)), why);
}

static int parse_cni(struct perr *e, const char *label, json_t *obj, struct sfc_cni_key *k)
{
	static const char *const keys[] = { "network", "container", "ifname", NULL };
	json_t *v = json_object_get(obj, "cni");
	char l[LABEL_LEN + 8];
	int err;

	if (!v)
		return 0;
	snprintf(l, sizeof(l), "%s: cni", label);
	err = check_keys(e, l, v, keys);
	if (!err)
		err = get_str(e, l, v, "network", k->network, sizeof(k->network), true);
	if (!err)
		err = get_str(e, l, v, "container", k->container, sizeof(k->container), true);
	if (!err)
		err = get_str(e, l, v, "ifname", k->ifname, sizeof(k->ifname), true);
	k->set = !err;
	return err;
}

/* A JSON value as a message quotes it: 0, 2.5, 3.0, "3", true, an array. */
static const char *value_text(json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		/* 3.0 stays 3.0: "expected an integer ..., got 3" would puzzle */
		snprintf(buf, len, "%.15g", json_real_value(v));
		if (!strpbrk(buf, ".e") && strlen(buf) + 3 <= len)
			strcat(buf, ".0");
	} else if (json_is_string(v)) {
		snprintf(buf, len, "\"%.40s\"", json_string_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	} else if (json_is_null(v)) {
		snprintf(buf, len, "null");
	} else {
		snprintf(buf, len, "%s", json_is_array(v) ? "an array" : "an object");
	}
	return buf;
}

/* An integer key from min to max; absent: *out untouched, *given false. */
static int get_bounded(struct perr *e, const char *label, json_t *obj, const char *key,
		       long long min, long long max, const char *unit, long long *out,
		       bool *given)
{
	json_t *v = json_object_get(obj, key);
	char buf[64];

	if (given)
		*given = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(e, label, "%s: expected an integer from %lld to %lld%s, got %s", key,
			    min, max, unit, value_text(v, buf, sizeof(buf)));
	*out = json_integer_value(v);
	return 0;
}

/* "weight": 1 to SFC_WEIGHT_MAX; absent: *weight untouched (unset is 1).
 * 0 is refused, not read as "drain": an SF that should take no flows is
 * taken out of its hop (or group). */
static int get_weight(struct perr *e, const char *label, json_t *obj, __u16 *weight)
{
	long long n = *weight;
	int err = get_bounded(e, label, obj, "weight", 1, SFC_WEIGHT_MAX, "", &n, NULL);

	*weight = n;
	return err;
}

/* "health": none, link or probe; *given: the key is there */
static int get_health(struct perr *e, const char *label, json_t *obj, __u8 *health,
		      bool *given)
{
	char name[16];
	int err = get_str(e, label, obj, "health", name, sizeof(name), false), mode;

	*given = false;
	if (err || !name[0])
		return err;
	mode = sfc_health_parse(name);
	if (mode < 0)
		return fail(e, label, "health: \"%s\": expected \"none\", \"link\" or \"probe\"",
			    name);
	*health = mode;
	*given = true;
	return 0;
}

/*
 * The probe's keys present overwrite p: "probe", "probe-from" (its family
 * in *from_family), "probe-interval", "probe-fail", "probe-recover". Each
 * value is checked on its own; how they go together is
 * sfc_sf_health_check()'s.
 */
static int get_probe(struct perr *e, const char *label, json_t *obj, struct sfc_probe_cfg *p,
		     int *from_family)
{
	char s[128], why[160];
	long long n;
	int err;

	err = get_str(e, label, obj, "probe", s, sizeof(s), false);
	if (err)
		return err;
	if (s[0] && sfc_probe_parse(s, p, why, sizeof(why)))
		return fail(e, label, "probe: \"%s\": %s", s, why);
	err = get_str(e, label, obj, "probe-from", s, sizeof(s), false);
	if (err)
		return err;
	if (s[0]) {
		if (sfc_probe_addr_parse(s, from_family, p->from, why, sizeof(why)))
			return fail(e, label, "probe-from: %s", why);
		p->has_from = true;
	}
	n = p->interval_ms;
	err = get_bounded(e, label, obj, "probe-interval", SFC_PROBE_INTERVAL_MIN_MS,
			  SFC_PROBE_INTERVAL_MAX_MS, " (ms)", &n, NULL);
	p->interval_ms = n;
	n = p->fail;
	if (!err)
		err = get_bounded(e, label, obj, "probe-fail", 1, SFC_PROBE_COUNT_MAX, "", &n, NULL);
	p->fail = n;
	n = p->recover;
	if (!err)
		err = get_bounded(e, label, obj, "probe-recover", 1, SFC_PROBE_COUNT_MAX, "", &n,
				  NULL);
	p->recover = n;
	return err;
}

/* The health settings of sf, as parsed, together (the message names it). */
static int check_health(struct perr *e, const char *label, const struct sfc_sf_cfg *sf,
			bool health_given, int from_family)
{
	char why[SFC_ERR_LEN];

	if (sf->probe.type != SFC_PROBE_OFF && sf->probe.has_from &&
	    sfc_probe_from_mismatch(&sf->probe, from_family, sf->probe.from, why, sizeof(why)))
		return fail(e, label, "%s", why);
	if (sfc_sf_health_check(sf, health_given, why, sizeof(why)))
		return fail(e, label, "%s", why);
	return 0;
}

static int parse_sf(struct perr *e, const char *label, json_t *v, struct sfc_sf_cfg *sf)
{
	static const char *const keys[] = { "name", "kind", "dev", "out-dev", "mac", "out-mac",
					    "group", "weight", "health", "probe", "probe-from",
					    "probe-interval", "probe-fail", "probe-recover", "cni",
					    NULL };
	char kind[16], mac[32], out_mac[32];
	bool health_given = false;
	int err, from_family = 0;

	memset(sf, 0, sizeof(*sf));
	err = check_keys(e, label, v, keys);
	if (!err)
		err = get_str(e, label, v, "name", sf->name, sizeof(sf->name), true);
	if (!err)
		err = get_str(e, label, v, "kind", kind, sizeof(kind), false);
	if (err)
		return err;
	if (kind[0] && strcmp(kind, "iface"))
		return fail(e, label, "kind: unknown kind \"%s\" (expected \"iface\")", kind);
	sf->kind = SFC_KIND_IFACE;
	err = get_ifname(e, label, v, "dev", sf->dev, sizeof(sf->dev), true);
	if (!err)
		err = get_ifname(e, label, v, "out-dev", sf->out_dev, sizeof(sf->out_dev), false);
	if (!err)
		err = get_str(e, label, v, "mac", mac, sizeof(mac), false);
	if (!err)
		err = get_str(e, label, v, "out-mac", out_mac, sizeof(out_mac), false);
	if (!err)
		err = get_str(e, label, v, "group", sf->group, sizeof(sf->group), false);
	if (!err)
		err = get_weight(e, label, v, &sf->weight);
	if (!err)
		err = get_health(e, label, v, &sf->health, &health_given);
	if (!err)
		err = get_probe(e, label, v, &sf->probe, &from_family);
	if (!err)
		err = parse_cni(e, label, v, &sf->cni);
	if (err)
		return err;
	/* without "health", a probe given means health probe */
	if (!health_given)
		sf->health = sf->probe.type != SFC_PROBE_OFF ? SFC_HEALTH_PROBE : SFC_HEALTH_LINK;
	err = check_health(e, label, sf, health_given, from_family);
	if (err)
		return err;
	/* one-arm written either way is one-arm */
	if (!strcmp(sf->out_dev, sf->dev))
		sf->out_dev[0] = '\0';
	if (mac[0]) {
		if (sfc_parse_mac(mac, sf->mac))
			return fail(e, label, "mac: \"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)",
				    mac);
		sf->has_mac = true;
	}
	if (out_mac[0]) {
		if (sfc_parse_mac(out_mac, sf->out_mac))
			return fail(e, label, "out-mac: \"%s\" is not a MAC address "
				    "(aa:bb:cc:dd:ee:ff)", out_mac);
		sf->has_out_mac = true;
	}
	return 0;
}

/* sf-set's "out-mac": a MAC, or null for none; absent: *sf untouched. */
static int set_out_mac(struct perr *e, const char *label, json_t *obj, struct sfc_sf_cfg *sf)
{
	json_t *v = json_object_get(obj, "out-mac");
	char buf[64];

	if (!v)
		return 0;
	if (json_is_null(v)) {
		sf->has_out_mac = false;
		memset(sf->out_mac, 0, sizeof(sf->out_mac));
		return 0;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    sfc_parse_mac(json_string_value(v), sf->out_mac))
		return fail(e, label, "out-mac: expected a MAC address (aa:bb:cc:dd:ee:ff) or null, "
			    "got %s", value_text(v, buf, sizeof(buf)));
	sf->has_out_mac = true;
	return 0;
}

int sfc_sf_from_json(json_t *v, struct sfc_sf_cfg *sf, char *err, size_t errlen)
{
	struct perr e = { err, errlen };
	char label[LABEL_LEN];

	return parse_sf(&e, label_of(v, "SF", "name", 0, label, sizeof(label)), v, sf);
}

int sfc_sf_set_from_json(json_t *v, struct sfc_sf_cfg *sf, char *err, size_t errlen)
{
	static const char *const keys[] = { "weight", "out-mac", "health", "probe", "probe-from",
					    "probe-interval", "probe-fail", "probe-recover", NULL };
	struct perr e = { err, errlen };
	struct sfc_sf_cfg n = *sf;
	char label[LABEL_LEN];
	bool health_given, any = false;
	int from_family = sf->probe.has_from ? sf->probe.family : 0, ret;
	const char *key;
	json_t *x;

	label_of(v, "SF", "name", 0, label, sizeof(label));
	if (!json_is_object(v))
		return fail(&e, label, "expected an object");
	json_object_foreach(v, key, x) {
		const char *const *k;

		for (k = keys; *k && strcmp(*k, key); k++)
			;
		if (!*k && strcmp(key, "name"))
			return fail(&e, label, "\"%.40s\" cannot be set (sf set changes \"weight\", "
				    "\"out-mac\", \"health\" and the probe-* keys; delete and add the "
				    "SF to change the rest)", key);
		any |= *k != NULL;
	}
	if (!any)
		return fail(&e, label, "nothing to set (expected \"weight\", \"out-mac\", \"health\", "
			    "\"probe\", \"probe-from\", \"probe-interval\", \"probe-fail\" or "
			    "\"probe-recover\")");
	ret = get_weight(&e, label, v, &n.weight);
	if (!ret)
		ret = set_out_mac(&e, label, v, &n);
	if (!ret)
		ret = get_health(&e, label, v, &n.health, &health_given);
	if (ret)
		return ret;
	/* health link or none: no probe any more, whatever was set */
	if (health_given && n.health != SFC_HEALTH_PROBE) {
		memset(&n.probe, 0, sizeof(n.probe));
		from_family = 0;
	}
	ret = get_probe(&e, label, v, &n.probe, &from_family);
	if (ret)
		return ret;
	if (!health_given && json_object_get(v, "probe"))
		n.health = SFC_HEALTH_PROBE;
	/* an SF whose health is not the default has it as if given */
	ret = check_health(&e, label, &n, health_given || n.health != SFC_HEALTH_LINK,
			   from_family);
	if (ret)
		return ret;
	*sf = n;
	return 0;
}

/* A hop's names: a list of 1 to SFC_HOP_BUCKETS SF or group names, or
 * (list_only false) a bare name, a hop of one. what: "" or "tap: ". */
static int parse_hop_names(struct perr *e, const char *label, size_t nth, json_t *h,
			   bool list_only, const char *what, struct sfc_hop_cfg *hop)
{
	size_t n = json_is_string(h) && !list_only ? 1 : json_array_size(h);
	json_t *s;

	if ((list_only || !json_is_string(h)) &&
	    (!json_is_array(h) || n == 0 || n > SFC_HOP_BUCKETS))
		return fail(e, label, "hop %zu: %sa %shop is a list of 1 to %d SF names", nth, what,
			    what[0] ? "tap " : "", SFC_HOP_BUCKETS);
	for (size_t j = 0; j < n; j++) {
		s = json_is_string(h) ? h : json_array_get(h, j);
		if (!json_is_string(s) || !json_string_length(s))
			return fail(e, label, "hop %zu: %sexpected an SF name", nth, what);
		if (json_string_length(s) >= SFC_NAME_LEN ||
		    strlen(json_string_value(s)) != json_string_length(s))
			return fail(e, label, "hop %zu: %sno SF named \"%.40s\"", nth, what,
				    json_string_value(s));
		strcpy(hop->sf[j], json_string_value(s));
	}
	hop->nsf = n;
	return 0;
}

/* zeroed: c is all zero already (see one_chain) */
static int parse_hops(struct perr *e, const char *label, json_t *hops, struct sfc_chain_cfg *c,
		      bool zeroed)
{
	const char *key;
	json_t *h, *v;
	size_t i;
	int err;

	if (!json_is_array(hops))
		return fail(e, label, "hops: expected an array of hops");
	if (json_array_size(hops) == 0 || json_array_size(hops) > SFC_MAX_HOPS)
		return fail(e, label, "hops: a chain has 1 to %d hops, not %zu", SFC_MAX_HOPS,
			    json_array_size(hops));
	if (!zeroed)
		memset(c->hops, 0, sizeof(c->hops));
	json_array_foreach(hops, i, h) {
		struct sfc_hop_cfg *hop = &c->hops[i];

		/* A hop is a list of equivalent SF instances (a bare name is a
		 * hop of one), or {"tap": [...]}: instances that get a copy. */
		if (json_is_string(h) || json_is_array(h)) {
			err = parse_hop_names(e, label, i + 1, h, false, "", hop);
			if (err)
				return err;
			continue;
		}
		if (!json_is_object(h))
			return fail(e, label, "hop %zu: a hop is a list of 1 to %d SF names, or "
				    "{\"tap\": [SF names]} for a tap", i + 1, SFC_HOP_BUCKETS);
		json_object_foreach(h, key, v)
			if (strcmp(key, "tap"))
				return fail(e, label, "hop %zu: unknown key \"%.40s\" (a tap hop is "
					    "{\"tap\": [SF names]})", i + 1, key);
		v = json_object_get(h, "tap");
		if (!v)
			return fail(e, label, "hop %zu: missing \"tap\" (a tap hop is "
				    "{\"tap\": [SF names]})", i + 1);
		err = parse_hop_names(e, label, i + 1, v, true, "tap: ", hop);
		if (err)
			return err;
		hop->tap = true;
	}
	c->nhops = json_array_size(hops);
	return 0;
}

/* A boolean key; absent: *out untouched. */
static int get_bool(struct perr *e, const char *label, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	char buf[64];

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(e, label, "%s: expected true or false, got %s", key,
			    value_text(v, buf, sizeof(buf)));
	*out = json_is_true(v);
	return 0;
}

static int parse_chain(struct perr *e, const char *label, json_t *v, struct sfc_chain_cfg *c,
		       bool partial, bool zeroed)
{
	static const char *const keys[] = { "name", "spi", "hops", "on-failure", "end",
					    "symmetric", NULL };
	char pol[16], end[16];
	json_t *x;
	int err;

	if (!partial && !zeroed)
		memset(c, 0, sizeof(*c));
	err = check_keys(e, label, v, keys);
	if (!err)
		err = get_str(e, label, v, "name", c->name, sizeof(c->name), true);
	if (!err)
		err = get_str(e, label, v, "on-failure", pol, sizeof(pol), false);
	if (!err)
		err = get_str(e, label, v, "end", end, sizeof(end), false);
	/* absent: false, or (chain-set) as it was */
	if (!err)
		err = get_bool(e, label, v, "symmetric", &c->symmetric);
	if (err)
		return err;
	err = sfc_end_parse(end);
	if (err >= 0)
		c->end = err;
	else if (end[0])
		return fail(e, label, "end: \"%s\": expected \"stack\", \"xdp\" or \"auto\"", end);
	else if (!partial)
		c->end = SFC_END_STACK;
	if (!strcmp(pol, "drop") || (!pol[0] && !partial))
		c->on_failure = SFC_FAIL_DROP;
	else if (!strcmp(pol, "bypass"))
		c->on_failure = SFC_FAIL_BYPASS;
	else if (pol[0])
		return fail(e, label, "on-failure: \"%s\": expected \"drop\" or \"bypass\"", pol);
	x = json_object_get(v, "spi");
	if (x) {
		if (!json_is_integer(x) || json_integer_value(x) < 1 ||
		    json_integer_value(x) > 0xffffff)
			return fail(e, label, "spi: expected an integer from 1 to 16777215");
		c->spi = json_integer_value(x);
	}
	/* without an SPI, sfc_doc_validate() gives it one */
	x = json_object_get(v, "hops");
	if (!x)
		return partial ? 0 : fail(e, label, "missing \"hops\"");
	return parse_hops(e, label, x, c, zeroed);
}

int sfc_chain_from_json(json_t *v, struct sfc_chain_cfg *c, bool partial, char *err,
			size_t errlen)
{
	struct perr e = { err, errlen };
	char label[LABEL_LEN];

	return parse_chain(&e, label_of(v, "chain", "name", 0, label, sizeof(label)), v, c,
			   partial, false);
}

static int parse_ports(struct perr *e, const char *label, const char *key, json_t *v,
		       struct sfc_port_range *r)
{
	char buf[32], why[96];

	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) < sizeof(buf) &&
		 strlen(json_string_value(v)) == json_string_length(v))
		strcpy(buf, json_string_value(v));
	else
		return fail(e, label, "%s: expected a port or a range \"LOW-HIGH\"", key);
	if (sfc_parse_ports(buf, &r->lo, &r->hi, why, sizeof(why)))
		return fail(e, label, "%s: \"%s\": %s", key, buf, why);
	r->set = true;
	return 0;
}

static int parse_match(struct perr *e, const char *label, json_t *v, struct sfc_rule_cfg *r)
{
	json_t *x, *sport = json_object_get(v, "sport"), *dport = json_object_get(v, "dport");
	char buf[64];
	int err;

	for (int k = 0; k < 2; k++) {
		const char *key = k ? "dst" : "src";

		err = get_str(e, label, v, key, buf, sizeof(buf), false);
		if (err)
			return err;
		if (!buf[0])
			continue;
		err = sfc_parse_prefix(buf, k ? &r->dst : &r->src);
		if (err == -ERANGE)
			return fail(e, label, "%s: \"%s\" has host bits set beyond the prefix length",
				    key, buf);
		if (err)
			return fail(e, label, "%s: \"%s\" is not an IPv4 or IPv6 prefix", key, buf);
	}
	r->proto = -1;
	x = json_object_get(v, "proto");
	if (x) {
		if (json_is_integer(x))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(x));
		else if (json_is_string(x) && json_string_length(x) < sizeof(buf))
			strcpy(buf, json_string_value(x));
		else
			return fail(e, label, "proto: expected tcp, udp, sctp, icmp, icmpv6 or a number");
		r->proto = sfc_parse_proto(buf);
		if (r->proto < 0)
			return fail(e, label, "proto: \"%s\": expected tcp, udp, sctp, icmp, icmpv6 "
				    "or 0-255", buf);
	}
	/* what sfcctl checks too, before it sends a rule */
	if (sfc_match_check(r->src.family, r->dst.family, r->proto, sport, dport, buf,
			    sizeof(buf)))
		return fail(e, label, "%s", buf);
	if (sport && (err = parse_ports(e, label, "sport", sport, &r->sport)))
		return err;
	if (dport && (err = parse_ports(e, label, "dport", dport, &r->dport)))
		return err;
	return 0;
}

static int parse_rule(struct perr *e, const char *label, json_t *v, struct sfc_rule_cfg *r,
		      const char *no_pref_label, bool *has_pref)
{
	static const char *const keys[] = { "pref", "in-dev", "src", "dst", "proto",
					    "sport", "dport", "chain", NULL };
	char l[LABEL_LEN];
	json_t *x;
	int err;

	memset(r, 0, sizeof(*r));
	x = json_object_get(v, "pref");
	*has_pref = x != NULL;
	if (json_is_integer(x) && json_integer_value(x) >= 0 &&
	    json_integer_value(x) < 0xffffffffLL) {
		r->pref = json_integer_value(x);
		snprintf(l, sizeof(l), "rule pref %u", r->pref);
		label = l;
	} else if (!x && no_pref_label) {
		label = no_pref_label;
	}
	err = check_keys(e, label, v, keys);
	if (err)
		return err;
	if (!x && !no_pref_label)
		return fail(e, label, "missing \"pref\"");
	if (x && label != l)
		return fail(e, label, "pref: expected an integer from 0 to 4294967294");
	err = get_ifname(e, label, v, "in-dev", r->in_dev, sizeof(r->in_dev), false);
	if (!err)
		err = get_str(e, label, v, "chain", r->chain, sizeof(r->chain), true);
	if (!err)
		err = parse_match(e, label, v, r);
	return err;
}

int sfc_rule_from_json(json_t *v, struct sfc_rule_cfg *r, const char *no_pref_label,
		       bool *has_pref, char *err, size_t errlen)
{
	struct perr e = { err, errlen };

	return parse_rule(&e, "rule", v, r, no_pref_label, has_pref);
}

/* A yield point per element. sfc_yield() looks at the clock every 64
 * calls, but a chain is 16 KiB (32 hops of 16 names), zeroed twice and
 * faulted in as it is parsed: 64 of them take milliseconds, so an element
 * that big looks at the clock each time. */
static void yield_per(size_t elem)
{
	if (elem >= 4096)
		sfc_yield_check();
	else
		sfc_yield();
}

/* Each section: allocate, then parse element i into slot i. */
static int parse_section(struct perr *e, json_t *root, const char *key, size_t elem,
			 void **arr, int *n,
			 int (*one)(struct perr *e, json_t *v, size_t i, void *out))
{
	json_t *a = json_object_get(root, key), *v;
	size_t i;
	int err;

	*arr = calloc(json_array_size(a) + 1, elem);
	if (!*arr)
		return -ENOMEM;
	if (a && !json_is_array(a))
		return fail(e, "document", "%s: expected an array", key);
	json_array_foreach(a, i, v) {
		yield_per(elem);
		err = one(e, v, i, (char *)*arr + i * elem);
		if (err)
			return err;
		(*n)++;
	}
	return 0;
}

static int one_ingress(struct perr *e, json_t *v, size_t i, void *out)
{
	static const char *const keys[] = { "dev", "cni", NULL };
	struct sfc_ingress_cfg *in = out;
	char label[LABEL_LEN];
	int err;

	label_of(v, "ingress", "dev", i, label, sizeof(label));
	err = check_keys(e, label, v, keys);
	if (!err)
		err = get_ifname(e, label, v, "dev", in->dev, sizeof(in->dev), true);
	if (!err)
		err = parse_cni(e, label, v, &in->cni);
	return err;
}

static int one_group(struct perr *e, json_t *v, size_t i, void *out)
{
	static const char *const keys[] = { "name", NULL };
	struct sfc_group_cfg *g = out;
	char label[LABEL_LEN];
	int err;

	label_of(v, "group", "name", i, label, sizeof(label));
	err = check_keys(e, label, v, keys);
	if (!err)
		err = get_str(e, label, v, "name", g->name, sizeof(g->name), true);
	return err;
}

static int one_sf(struct perr *e, json_t *v, size_t i, void *out)
{
	char label[LABEL_LEN];

	return parse_sf(e, label_of(v, "SF", "name", i, label, sizeof(label)), v, out);
}

/* out is a fresh slot of parse_section's, all zero: a chain is 16 KiB,
 * mostly hops it does not have, and zeroing it again would fault in the
 * pages of all 10k chains (most of reading such a document) for nothing. */
static int one_chain(struct perr *e, json_t *v, size_t i, void *out)
{
	char label[LABEL_LEN];

	return parse_chain(e, label_of(v, "chain", "name", i, label, sizeof(label)), v, out, false,
			   true);
}

static int one_rule(struct perr *e, json_t *v, size_t i, void *out)
{
	char label[LABEL_LEN];
	bool has_pref;

	snprintf(label, sizeof(label), "rule #%zu", i + 1);
	return parse_rule(e, label, v, out, NULL, &has_pref);
}

static int doc_parse(json_t *root, struct sfc_doc *out, struct perr *e)
{
	static const char *const keys[] = { "version", "ingress", "groups", "sfs", "chains",
					    "rules", NULL };
	struct sfc_doc d = {};
	json_t *a;
	int err;

	err = check_keys(e, "document", root, keys);
	if (err)
		return err;
	a = json_object_get(root, "version");
	if (a && (!json_is_integer(a) || json_integer_value(a) != 1))
		return fail(e, "document", "version: unsupported document version (expected 1)");
	err = parse_section(e, root, "ingress", sizeof(*d.ingress), (void **)&d.ingress,
			    &d.ningress, one_ingress);
	if (!err)
		err = parse_section(e, root, "groups", sizeof(*d.groups), (void **)&d.groups,
				    &d.ngroups, one_group);
	if (!err)
		err = parse_section(e, root, "sfs", sizeof(*d.sfs), (void **)&d.sfs, &d.nsfs, one_sf);
	if (!err)
		err = parse_section(e, root, "chains", sizeof(*d.chains), (void **)&d.chains,
				    &d.nchains, one_chain);
	if (!err)
		err = parse_section(e, root, "rules", sizeof(*d.rules), (void **)&d.rules,
				    &d.nrules, one_rule);
	if (!err)
		err = sfc_doc_reindex(&d);
	if (err) {
		sfc_doc_free(&d);
		return err;
	}
	*out = d;
	return 0;
}

int sfc_doc_parse(json_t *root, struct sfc_doc *doc, char *err, size_t errlen)
{
	struct perr e = { err, errlen };

	return doc_parse(root, doc, &e);
}

int sfc_doc_from_json(json_t *root, struct sfc_doc *doc, char *err, size_t errlen)
{
	struct sfc_doc d;
	int ret;

	ret = sfc_doc_parse(root, &d, err, errlen);
	if (ret)
		return ret;
	ret = sfc_doc_validate(&d, NULL, err, errlen);
	if (ret) {
		sfc_doc_free(&d);
		return ret;
	}
	*doc = d;
	return 0;
}

int sfc_doc_from_json_text(const char *text, size_t len, struct sfc_doc *doc,
			   char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	int ret;

	root = sfc_json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
		return -EINVAL;
	}
	ret = sfc_doc_from_json(root, doc, err, errlen);
	json_decref(root);
	return ret;
}

int sfc_doc_from_file(const char *path, struct sfc_doc *doc, char *err, size_t errlen)
{
	char inner[SFC_ERR_LEN];
	json_error_t je;
	json_t *root;
	int ret;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line < 1) /* could not read it at all */
			snprintf(err, errlen, "%s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s: line %d, column %d: %s", path, je.line,
				 je.column, je.text);
		return -EINVAL;
	}
	ret = sfc_doc_from_json(root, doc, inner, sizeof(inner));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, inner);
	json_decref(root);
	return ret;
}
