// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What changes between two validated documents, section by section, by
 * key (dev, name, pref). Objects are compared typed, so two spellings of
 * one document (198.0.0.0/08 and 198.0.0.0/8, "proto": 6 and "tcp", a
 * default written or left out) show no change. Linear: one hash lookup
 * per object.
 */
#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "doc_index.h"
#include "model.h"
#include "yield.h"

static bool cni_eq(const struct sfc_cni_key *a, const struct sfc_cni_key *b)
{
	return a->set == b->set && (!a->set || (!strcmp(a->network, b->network) &&
						!strcmp(a->container, b->container) &&
						!strcmp(a->ifname, b->ifname)));
}

static bool ingress_eq(const void *x, const void *y)
{
	const struct sfc_ingress_cfg *a = x, *b = y;

	return cni_eq(&a->cni, &b->cni);
}

static bool group_eq(const void *x, const void *y)
{
	return true;
}

static bool sf_eq(const void *x, const void *y)
{
	const struct sfc_sf_cfg *a = x, *b = y;

	return a->kind == b->kind && !strcmp(a->dev, b->dev) && !strcmp(a->out_dev, b->out_dev) &&
	       a->has_mac == b->has_mac && (!a->has_mac || !memcmp(a->mac, b->mac, 6)) &&
	       a->has_out_mac == b->has_out_mac &&
	       (!a->has_out_mac || !memcmp(a->out_mac, b->out_mac, 6)) &&
	       !strcmp(a->group, b->group) && sfc_sf_weight(a) == sfc_sf_weight(b) &&
	       a->health == b->health && sfc_probe_eq(&a->probe, &b->probe) &&
	       cni_eq(&a->cni, &b->cni);
}

static bool chain_eq(const void *x, const void *y)
{
	const struct sfc_chain_cfg *a = x, *b = y;

	if (a->spi != b->spi || a->on_failure != b->on_failure || a->end != b->end ||
	    a->symmetric != b->symmetric || a->nhops != b->nhops)
		return false;
	for (int h = 0; h < a->nhops; h++) {
		if (a->hops[h].nsf != b->hops[h].nsf || a->hops[h].tap != b->hops[h].tap)
			return false;
		for (int k = 0; k < a->hops[h].nsf; k++)
			if (strcmp(a->hops[h].sf[k], b->hops[h].sf[k]))
				return false;
	}
	return true;
}

static bool prefix_eq(const struct sfc_prefix *a, const struct sfc_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : a->family ? 16 : 0);
}

static bool ports_eq(const struct sfc_port_range *a, const struct sfc_port_range *b)
{
	return a->set == b->set && (!a->set || (a->lo == b->lo && a->hi == b->hi));
}

static bool rule_eq(const void *x, const void *y)
{
	const struct sfc_rule_cfg *a = x, *b = y;

	return !strcmp(a->in_dev, b->in_dev) && prefix_eq(&a->src, &b->src) &&
	       prefix_eq(&a->dst, &b->dst) && a->proto == b->proto &&
	       ports_eq(&a->sport, &b->sport) && ports_eq(&a->dport, &b->dport) &&
	       !strcmp(a->chain, b->chain);
}

/* One section: its array, element size, key, lookup map and comparison. */
struct section {
	const char *name;
	const void *arr;
	int n;
	size_t size;
	const struct sfc_map *map;
	bool by_pref;
};

/* key_json() and lookup() read an object's key at its start */
_Static_assert(offsetof(struct sfc_ingress_cfg, dev) == 0, "ingress key first");
_Static_assert(offsetof(struct sfc_group_cfg, name) == 0, "group key first");
_Static_assert(offsetof(struct sfc_sf_cfg, name) == 0, "SF key first");
_Static_assert(offsetof(struct sfc_chain_cfg, name) == 0, "chain key first");

static json_t *key_json(const struct section *s, int i)
{
	const char *obj = (const char *)s->arr + i * s->size;

	/* every typed object begins with its key: dev, name or pref */
	if (s->by_pref)
		return json_integer(((const struct sfc_rule_cfg *)obj)->pref);
	return json_string(obj);
}

static int lookup(const struct section *s, const struct section *in, int i)
{
	const char *obj = (const char *)s->arr + i * s->size;

	if (s->by_pref)
		return sfc_map_get_u32(in->map, ((const struct sfc_rule_cfg *)obj)->pref);
	return sfc_map_get_str(in->map, obj);
}

static void diff_section(const struct section *o, const struct section *n,
			 bool (*eq)(const void *, const void *), json_t *out)
{
	json_t *add = json_array(), *del = json_array(), *chg = json_array();

	for (int i = 0; i < n->n; i++) {
		int j = lookup(n, o, i);

		sfc_yield();
		if (j < 0)
			json_array_append_new(add, key_json(n, i));
		else if (!eq((const char *)n->arr + i * n->size, (const char *)o->arr + j * o->size))
			json_array_append_new(chg, key_json(n, i));
	}
	for (int i = 0; i < o->n; i++) {
		sfc_yield();
		if (lookup(o, n, i) < 0)
			json_array_append_new(del, key_json(o, i));
	}
	json_object_set_new(json_object_get(out, "added"), n->name, add);
	json_object_set_new(json_object_get(out, "removed"), n->name, del);
	json_object_set_new(json_object_get(out, "changed"), n->name, chg);
}

#define SECTION(d, field, key_map, pref) { #field, (d)->field, (d)->n##field, \
		sizeof(*(d)->field), &(d)->ix->key_map, pref }

json_t *sfc_doc_diff(const struct sfc_doc *old, const struct sfc_doc *nw)
{
	json_t *out = json_pack("{s:{},s:{},s:{}}", "added", "removed", "changed");
	const struct section os[] = {
		SECTION(old, ingress, ingress, false), SECTION(old, groups, groups, false),
		SECTION(old, sfs, sfs, false), SECTION(old, chains, chains, false),
		SECTION(old, rules, rules, true),
	};
	const struct section ns[] = {
		SECTION(nw, ingress, ingress, false), SECTION(nw, groups, groups, false),
		SECTION(nw, sfs, sfs, false), SECTION(nw, chains, chains, false),
		SECTION(nw, rules, rules, true),
	};
	bool (*const eq[])(const void *, const void *) = {
		ingress_eq, group_eq, sf_eq, chain_eq, rule_eq,
	};

	if (!out)
		return NULL;
	for (size_t s = 0; s < sizeof(os) / sizeof(os[0]); s++)
		diff_section(&os[s], &ns[s], eq[s], out);
	return out;
}

bool sfc_doc_diff_empty(json_t *diff)
{
	const char *k1, *k2;
	json_t *a, *b;

	json_object_foreach(diff, k1, a)
		json_object_foreach(a, k2, b)
			if (json_array_size(b))
				return false;
	return true;
}
