// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The desired-state document from JSON, validated whole. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "hash.h"
#include "model.h"

struct perr {
	char *buf;
	size_t len;
};

static int fail(struct perr *e, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(e->buf, e->len, "%s: ", path);
	if (n < 0 || (size_t)n >= e->len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(e->buf + n, e->len - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Names of SFs, groups and chains share one namespace; an open-addressing
 * hash table finds them in O(1), so documents of 100,000 rules and 10,000
 * chains validate in linear time. Names point into the doc's arrays, which
 * are allocated once at their final size.
 */
enum { NAME_SF = 1, NAME_GROUP, NAME_CHAIN };

struct sfc_name_index {
	size_t cap, n;
	struct name_slot {
		const char *name;
		int kind, idx;
	} *slot;
};

static __u32 name_hash(const char *s)
{
	return sfc_hash_str(SFC_FNV_SEED, s);
}

/* Chains have their own namespace; SFs and groups share one. */
static struct name_slot *name_find(const struct sfc_name_index *ix, const char *name, int kind)
{
	size_t i;

	if (!ix || !ix->cap)
		return NULL;
	for (i = name_hash(name) & (ix->cap - 1); ix->slot[i].name; i = (i + 1) & (ix->cap - 1))
		if (!strcmp(ix->slot[i].name, name) &&
		    (ix->slot[i].kind == kind || (kind != NAME_CHAIN && ix->slot[i].kind != NAME_CHAIN)))
			return &ix->slot[i];
	return NULL;
}

/* u32 -> index of the first object that used it (prefs, SPIs) */
struct u32_index {
	size_t cap;
	struct { __u32 key; int idx; } *slot;  /* idx -1: empty */
};

static int u32_index_init(struct u32_index *ix, size_t n)
{
	ix->cap = 64;
	while (ix->cap < 2 * n)
		ix->cap *= 2;
	ix->slot = malloc(ix->cap * sizeof(*ix->slot));
	if (!ix->slot)
		return -ENOMEM;
	for (size_t i = 0; i < ix->cap; i++)
		ix->slot[i].idx = -1;
	return 0;
}

/* The index already holding key, or -1 after inserting (key, idx). */
static int u32_index_put(struct u32_index *ix, __u32 key, int idx)
{
	size_t i = (key * 0x9e3779b1u) & (ix->cap - 1);

	for (; ix->slot[i].idx >= 0; i = (i + 1) & (ix->cap - 1))
		if (ix->slot[i].key == key)
			return ix->slot[i].idx;
	ix->slot[i].key = key;
	ix->slot[i].idx = idx;
	return -1;
}

static int name_add(struct sfc_doc *d, const char *name, int kind, int idx)
{
	struct sfc_name_index *ix = d->names;
	size_t i;

	if (!ix) {
		ix = d->names = calloc(1, sizeof(*ix));
		if (!ix)
			return -ENOMEM;
	}
	if (2 * (ix->n + 1) > ix->cap) {
		struct sfc_name_index bigger = { .cap = ix->cap ? ix->cap * 2 : 64 };

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -ENOMEM;
		for (size_t k = 0; k < ix->cap; k++) {
			if (!ix->slot[k].name)
				continue;
			for (i = name_hash(ix->slot[k].name) & (bigger.cap - 1); bigger.slot[i].name;
			     i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slot[i] = ix->slot[k];
		}
		free(ix->slot);
		ix->slot = bigger.slot;
		ix->cap = bigger.cap;
	}
	for (i = name_hash(name) & (ix->cap - 1); ix->slot[i].name; i = (i + 1) & (ix->cap - 1))
		;
	ix->slot[i] = (struct name_slot){ .name = name, .kind = kind, .idx = idx };
	ix->n++;
	return 0;
}

void sfc_doc_free(struct sfc_doc *doc)
{
	if (doc->names)
		free(doc->names->slot);
	free(doc->names);
	free(doc->ingress);
	free(doc->groups);
	free(doc->sfs);
	free(doc->chains);
	free(doc->rules);
	memset(doc, 0, sizeof(*doc));
}

const struct sfc_sf_cfg *sfc_doc_sf(const struct sfc_doc *doc, const char *name)
{
	const struct name_slot *n = name_find(doc->names, name, NAME_SF);

	return n && n->kind == NAME_SF ? &doc->sfs[n->idx] : NULL;
}

const struct sfc_group_cfg *sfc_doc_group(const struct sfc_doc *doc, const char *name)
{
	const struct name_slot *n = name_find(doc->names, name, NAME_GROUP);

	return n && n->kind == NAME_GROUP ? &doc->groups[n->idx] : NULL;
}

const struct sfc_chain_cfg *sfc_doc_chain(const struct sfc_doc *doc, const char *name)
{
	const struct name_slot *n = name_find(doc->names, name, NAME_CHAIN);

	return n && n->kind == NAME_CHAIN ? &doc->chains[n->idx] : NULL;
}

/* Reject keys not in allowed (NULL-terminated): a typo must not be ignored. */
static int check_keys(struct perr *e, const char *path, json_t *obj,
		      const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return fail(e, path, "expected an object");
	json_object_foreach(obj, key, v) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return fail(e, path, "unknown key \"%s\"", key);
	}
	return 0;
}

static int get_str(struct perr *e, const char *path, json_t *obj, const char *key,
		   char *out, size_t outlen, bool required)
{
	json_t *v = json_object_get(obj, key);
	char p[256];

	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (!v) {
		if (required)
			return fail(e, p, "missing");
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v))
		return fail(e, p, "expected a string");
	if (json_string_length(v) == 0)
		return fail(e, p, "must not be empty");
	if (json_string_length(v) >= outlen)
		return fail(e, p, "\"%s\" is longer than %zu characters",
			    json_string_value(v), outlen - 1);
	strcpy(out, json_string_value(v));
	return 0;
}

static json_t *get_array(struct perr *e, const char *path, json_t *root,
			 const char *key, int *err)
{
	json_t *v = json_object_get(root, key);
	char p[64];

	*err = 0;
	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		snprintf(p, sizeof(p), "%s.%s", path, key);
		*err = fail(e, p, "expected an array");
	}
	return v;
}

static int parse_cni(struct perr *e, const char *path, json_t *obj, struct sfc_cni_key *k)
{
	static const char *const keys[] = { "network", "container", "ifname", NULL };
	json_t *v = json_object_get(obj, "cni");
	char p[160];
	int err;

	if (!v)
		return 0;
	snprintf(p, sizeof(p), "%s.cni", path);
	err = check_keys(e, p, v, keys);
	if (!err)
		err = get_str(e, p, v, "network", k->network, sizeof(k->network), true);
	if (!err)
		err = get_str(e, p, v, "container", k->container, sizeof(k->container), true);
	if (!err)
		err = get_str(e, p, v, "ifname", k->ifname, sizeof(k->ifname), true);
	k->set = !err;
	return err;
}

static int parse_groups(struct perr *e, json_t *arr, struct sfc_doc *d)
{
	static const char *const keys[] = { "name", NULL };
	char path[64];
	size_t i;
	json_t *v;
	int err;

	d->groups = calloc(json_array_size(arr) + 1, sizeof(*d->groups));
	if (!d->groups)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		snprintf(path, sizeof(path), "$.groups[%zu]", i);
		err = check_keys(e, path, v, keys);
		if (!err)
			err = get_str(e, path, v, "name", d->groups[i].name,
				      sizeof(d->groups[i].name), true);
		if (err)
			return err;
		if (name_find(d->names, d->groups[i].name, NAME_GROUP))
			return fail(e, path, "\"%s\" is already the name of a group", d->groups[i].name);
		err = name_add(d, d->groups[i].name, NAME_GROUP, i);
		if (err)
			return err;
		d->ngroups++;
	}
	return 0;
}

static int parse_ingress(struct perr *e, json_t *arr, struct sfc_doc *d)
{
	static const char *const keys[] = { "dev", "cni", NULL };
	char path[64];
	size_t i;
	json_t *v;
	int err;

	d->ingress = calloc(json_array_size(arr) + 1, sizeof(*d->ingress));
	if (!d->ingress)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		snprintf(path, sizeof(path), "$.ingress[%zu]", i);
		err = check_keys(e, path, v, keys);
		if (!err)
			err = get_str(e, path, v, "dev", d->ingress[i].dev, IFNAMSIZ, true);
		if (!err)
			err = parse_cni(e, path, v, &d->ingress[i].cni);
		if (err)
			return err;
		for (int j = 0; j < d->ningress; j++)
			if (!strcmp(d->ingress[j].dev, d->ingress[i].dev))
				return fail(e, path, "interface \"%s\" listed twice",
					    d->ingress[i].dev);
		d->ningress++;
	}
	return 0;
}

static int parse_sf(struct perr *e, const char *path, json_t *v, struct sfc_sf_cfg *sf)
{
	static const char *const keys[] = { "name", "kind", "dev", "out-dev", "mac", "group",
					    "cni", NULL };
	char kind[16], mac[32], p[128];
	int err;

	err = check_keys(e, path, v, keys);
	if (!err)
		err = get_str(e, path, v, "name", sf->name, sizeof(sf->name), true);
	if (!err)
		err = get_str(e, path, v, "kind", kind, sizeof(kind), false);
	if (err)
		return err;
	if (!kind[0] || !strcmp(kind, "iface")) {
		sf->kind = SFC_KIND_IFACE;
	} else {
		snprintf(p, sizeof(p), "%s.kind", path);
		return fail(e, p, "unknown kind \"%s\" (expected \"iface\")", kind);
	}
	err = get_str(e, path, v, "dev", sf->dev, sizeof(sf->dev), true);
	if (!err)
		err = get_str(e, path, v, "out-dev", sf->out_dev, sizeof(sf->out_dev), false);
	if (!err)
		err = get_str(e, path, v, "mac", mac, sizeof(mac), false);
	if (err)
		return err;
	if (!err)
		err = parse_cni(e, path, v, &sf->cni);
	if (err)
		return err;
	if (mac[0]) {
		if (sfc_parse_mac(mac, sf->mac)) {
			snprintf(p, sizeof(p), "%s.mac", path);
			return fail(e, p, "\"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", mac);
		}
		sf->has_mac = true;
	}
	return 0;
}

static int parse_sfs(struct perr *e, json_t *arr, struct sfc_doc *d)
{
	char gname[SFC_NAME_LEN], gpath[96];
	char path[64];
	size_t i;
	json_t *v;
	int err;

	if (json_array_size(arr) >= SFC_MAX_SFS)
		return fail(e, "$.sfs", "%zu SFs, at most %d", json_array_size(arr),
			    SFC_MAX_SFS - 1);
	d->sfs = calloc(json_array_size(arr) + 1, sizeof(*d->sfs));
	if (!d->sfs)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		snprintf(path, sizeof(path), "$.sfs[%zu]", i);
		err = parse_sf(e, path, v, &d->sfs[i]);
		if (err)
			return err;
		if (sfc_doc_sf(d, d->sfs[i].name))
			return fail(e, path, "SF \"%s\" defined twice", d->sfs[i].name);
		if (sfc_doc_group(d, d->sfs[i].name))
			return fail(e, path, "\"%s\" is already the name of a group", d->sfs[i].name);
		err = name_add(d, d->sfs[i].name, NAME_SF, i);
		if (err)
			return err;
		err = get_str(e, path, v, "group", gname, sizeof(gname), false);
		if (err)
			return err;
		snprintf(gpath, sizeof(gpath), "%s.group", path);
		if (gname[0] && !sfc_doc_group(d, gname))
			return fail(e, gpath, "no group named \"%s\" (declare it in $.groups)", gname);
		strcpy(d->sfs[i].group, gname);
		d->nsfs++;
	}
	return 0;
}

static int parse_hops(struct perr *e, const char *path, json_t *hops,
		      const struct sfc_doc *d, struct sfc_chain_cfg *c)
{
	char p[128];
	size_t i, j;
	json_t *h, *s;

	if (!json_is_array(hops))
		return fail(e, path, "expected an array of hops");
	if (json_array_size(hops) == 0 || json_array_size(hops) > SFC_MAX_HOPS)
		return fail(e, path, "a chain has 1 to %d hops, not %zu", SFC_MAX_HOPS,
			    json_array_size(hops));
	json_array_foreach(hops, i, h) {
		struct sfc_hop_cfg *hop = &c->hops[i];

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		/* A hop is a list of equivalent SF instances; a bare name is
		 * a hop of one. */
		if (json_is_string(h)) {
			json_t *one = json_array();

			json_array_append(one, h);
			h = one;
		} else {
			json_incref(h);
		}
		if (!json_is_array(h) || json_array_size(h) == 0 ||
		    json_array_size(h) > SFC_HOP_BUCKETS) {
			json_decref(h);
			return fail(e, p, "a hop is a list of 1 to %d SF names", SFC_HOP_BUCKETS);
		}
		json_array_foreach(h, j, s) {
			char q[160];

			snprintf(q, sizeof(q), "%s[%zu]", p, j);
			if (!json_is_string(s) || (!sfc_doc_sf(d, json_string_value(s)) &&
						    !sfc_doc_group(d, json_string_value(s)))) {
				int err = json_is_string(s) ?
					fail(e, q, "no SF named \"%s\"", json_string_value(s)) :
					fail(e, q, "expected an SF name");
				json_decref(h);
				return err;
			}
			/* Back from an NSH-unaware SF, only its interface tells
			 * where a packet was: one SF, one position per chain. */
			for (size_t hh = 0; hh <= i; hh++)
				for (int kk = 0; kk < (hh < i ? c->hops[hh].nsf : (int)j); kk++)
					if (!strcmp(c->hops[hh].sf[kk], json_string_value(s))) {
						int err = fail(e, q, "SF \"%s\" is already in hop %zu of "
							       "this chain; an SF can serve only one "
							       "position of a chain", json_string_value(s),
							       hh + 1);
						json_decref(h);
						return err;
					}
			strcpy(hop->sf[j], json_string_value(s));
		}
		hop->nsf = json_array_size(h);
		json_decref(h);
	}
	c->nhops = json_array_size(hops);
	return 0;
}

static int parse_chain(struct perr *e, const char *path, json_t *v,
		       const struct sfc_doc *d, struct sfc_chain_cfg *c)
{
	static const char *const keys[] = { "name", "spi", "hops", "on-failure", NULL };
	char pol[16], p[128];
	json_t *spi;
	int err;

	err = check_keys(e, path, v, keys);
	if (!err)
		err = get_str(e, path, v, "name", c->name, sizeof(c->name), true);
	if (!err)
		err = get_str(e, path, v, "on-failure", pol, sizeof(pol), false);
	if (err)
		return err;
	if (!pol[0] || !strcmp(pol, "drop")) {
		c->on_failure = SFC_FAIL_DROP;
	} else if (!strcmp(pol, "bypass")) {
		c->on_failure = SFC_FAIL_BYPASS;
	} else {
		snprintf(p, sizeof(p), "%s.on-failure", path);
		return fail(e, p, "\"%s\": expected \"drop\" or \"bypass\"", pol);
	}
	spi = json_object_get(v, "spi");
	snprintf(p, sizeof(p), "%s.spi", path);
	if (!spi)
		return fail(e, p, "missing");
	if (!json_is_integer(spi) || json_integer_value(spi) < 1 ||
	    json_integer_value(spi) > 0xffffff)
		return fail(e, p, "expected an integer from 1 to 16777215");
	c->spi = json_integer_value(spi);
	snprintf(p, sizeof(p), "%s.hops", path);
	if (!json_object_get(v, "hops"))
		return fail(e, p, "missing");
	return parse_hops(e, p, json_object_get(v, "hops"), d, c);
}

static int parse_chains(struct perr *e, json_t *arr, struct sfc_doc *d)
{
	struct u32_index spis;
	char path[64];
	size_t i;
	json_t *v;
	int err = 0, j;

	if (json_array_size(arr) >= SFC_MAX_CHAINS)
		return fail(e, "$.chains", "%zu chains, at most %d", json_array_size(arr),
			    SFC_MAX_CHAINS - 1);
	d->chains = calloc(json_array_size(arr) + 1, sizeof(*d->chains));
	if (!d->chains || u32_index_init(&spis, json_array_size(arr)))
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		struct sfc_chain_cfg *c = &d->chains[i];

		snprintf(path, sizeof(path), "$.chains[%zu]", i);
		err = parse_chain(e, path, v, d, c);
		if (err)
			break;
		if (sfc_doc_chain(d, c->name)) {
			err = fail(e, path, "chain \"%s\" defined twice", c->name);
			break;
		}
		j = u32_index_put(&spis, c->spi, i);
		if (j >= 0) {
			err = fail(e, path, "spi %u already used by chain \"%s\"", c->spi,
				   d->chains[j].name);
			break;
		}
		err = name_add(d, c->name, NAME_CHAIN, i);
		if (err)
			break;
		d->nchains++;
	}
	free(spis.slot);
	return err;
}

static int parse_ports(struct perr *e, const char *path, json_t *v,
		       struct sfc_port_range *r)
{
	char buf[32], *end, *dash;
	long lo, hi;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	} else if (json_is_string(v) && json_string_length(v) < sizeof(buf)) {
		strcpy(buf, json_string_value(v));
	} else {
		return fail(e, path, "expected a port or a range \"LOW-HIGH\"");
	}
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	errno = 0;
	lo = strtol(buf, &end, 10);
	if (errno || end == buf || *end || lo < 0 || lo > 65535)
		goto bad;
	hi = lo;
	if (dash) {
		hi = strtol(dash + 1, &end, 10);
		if (errno || end == dash + 1 || *end || hi < lo || hi > 65535)
			goto bad;
	}
	r->set = true;
	r->lo = lo;
	r->hi = hi;
	return 0;
bad:
	return fail(e, path, "expected a port 0-65535 or a range \"LOW-HIGH\" with LOW <= HIGH");
}

static int parse_rule(struct perr *e, const char *path, json_t *v,
		      const struct sfc_doc *d, struct sfc_rule_cfg *r)
{
	static const char *const keys[] = { "pref", "in-dev", "src", "dst", "proto",
					    "sport", "dport", "chain", NULL };
	char buf[64], p[128];
	json_t *x;
	int err;

	err = check_keys(e, path, v, keys);
	if (err)
		return err;
	x = json_object_get(v, "pref");
	snprintf(p, sizeof(p), "%s.pref", path);
	if (!x)
		return fail(e, p, "missing");
	if (!json_is_integer(x) || json_integer_value(x) < 0 ||
	    json_integer_value(x) >= 0xffffffffLL)
		return fail(e, p, "expected an integer from 0 to 4294967294");
	r->pref = json_integer_value(x);

	err = get_str(e, path, v, "in-dev", r->in_dev, sizeof(r->in_dev), false);
	if (!err)
		err = get_str(e, path, v, "chain", r->chain, sizeof(r->chain), true);
	if (err)
		return err;
	if (!sfc_doc_chain(d, r->chain)) {
		snprintf(p, sizeof(p), "%s.chain", path);
		return fail(e, p, "no chain named \"%s\"", r->chain);
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "dst" : "src";
		struct sfc_prefix *pf = k ? &r->dst : &r->src;

		err = get_str(e, path, v, key, buf, sizeof(buf), false);
		if (err)
			return err;
		if (!buf[0])
			continue;
		snprintf(p, sizeof(p), "%s.%s", path, key);
		err = sfc_parse_prefix(buf, pf);
		if (err == -ERANGE)
			return fail(e, p, "\"%s\" has host bits set beyond the prefix length", buf);
		if (err)
			return fail(e, p, "\"%s\" is not an IPv4 or IPv6 prefix", buf);
	}
	if (r->src.family && r->dst.family && r->src.family != r->dst.family)
		return fail(e, path, "src and dst are of different address families");

	r->proto = -1;
	x = json_object_get(v, "proto");
	if (x) {
		snprintf(p, sizeof(p), "%s.proto", path);
		if (json_is_integer(x))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(x));
		else if (json_is_string(x) && json_string_length(x) < sizeof(buf))
			strcpy(buf, json_string_value(x));
		else
			return fail(e, p, "expected tcp, udp, sctp, icmp, icmpv6 or a number");
		r->proto = sfc_parse_proto(buf);
		if (r->proto < 0)
			return fail(e, p, "\"%s\": expected tcp, udp, sctp, icmp, icmpv6 or 0-255", buf);
		{
			int fam = r->src.family ? r->src.family : r->dst.family;

			if ((r->proto == IPPROTO_ICMP && fam == 6) ||
			    (r->proto == IPPROTO_ICMPV6 && fam == 4))
				return fail(e, p, "%s does not match %s prefixes", buf,
					    fam == 4 ? "IPv4" : "IPv6");
		}
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "dport" : "sport";

		x = json_object_get(v, key);
		if (!x)
			continue;
		snprintf(p, sizeof(p), "%s.%s", path, key);
		if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
		    r->proto != IPPROTO_SCTP)
			return fail(e, p, "ports need proto tcp, udp or sctp");
		err = parse_ports(e, p, x, k ? &r->dport : &r->sport);
		if (err)
			return err;
	}
	return 0;
}

static int parse_rules(struct perr *e, json_t *arr, struct sfc_doc *d)
{
	struct u32_index prefs;
	char path[64];
	size_t i;
	json_t *v;
	int err = 0, j;

	d->rules = calloc(json_array_size(arr) + 1, sizeof(*d->rules));
	if (!d->rules || u32_index_init(&prefs, json_array_size(arr)))
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		snprintf(path, sizeof(path), "$.rules[%zu]", i);
		err = parse_rule(e, path, v, d, &d->rules[i]);
		if (err)
			break;
		j = u32_index_put(&prefs, d->rules[i].pref, i);
		if (j >= 0) {
			err = fail(e, path, "pref %u already used by $.rules[%d]", d->rules[i].pref, j);
			break;
		}
		d->nrules++;
	}
	free(prefs.slot);
	return err;
}

static int doc_from_json_e(json_t *root, struct sfc_doc *out, struct perr *e)
{
	static const char *const keys[] = { "version", "ingress", "groups", "sfs", "chains",
					    "rules", NULL };
	struct sfc_doc d = {};
	json_t *a;
	int err;

	err = check_keys(e, "$", root, keys);
	if (err)
		return err;
	a = json_object_get(root, "version");
	if (a && (!json_is_integer(a) || json_integer_value(a) != 1))
		return fail(e, "$.version", "unsupported document version (expected 1)");

	if ((a = get_array(e, "$", root, "ingress", &err)) && !err)
		err = parse_ingress(e, a, &d);
	if (!err && (a = get_array(e, "$", root, "groups", &err)) && !err)
		err = parse_groups(e, a, &d);
	if (!err && (a = get_array(e, "$", root, "sfs", &err)) && !err)
		err = parse_sfs(e, a, &d);
	if (!err && (a = get_array(e, "$", root, "chains", &err)) && !err)
		err = parse_chains(e, a, &d);
	if (!err && (a = get_array(e, "$", root, "rules", &err)) && !err)
		err = parse_rules(e, a, &d);
	if (err) {
		sfc_doc_free(&d);
		return err;
	}
	*out = d;
	return 0;
}

int sfc_doc_from_json(json_t *root, struct sfc_doc *doc, char *err, size_t errlen)
{
	struct perr e = { err, errlen };

	return doc_from_json_e(root, doc, &e);
}

int sfc_doc_from_json_text(const char *text, size_t len, struct sfc_doc *doc,
			   char *err, size_t errlen)
{
	struct perr e = { err, errlen };
	json_error_t je;
	json_t *root;
	int ret;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
		return -EINVAL;
	}
	ret = doc_from_json_e(root, doc, &e);
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
