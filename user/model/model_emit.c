// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The typed document as JSON, in its canonical form: every default
 * written (kind, on-failure; a chain's end only when not "stack" and
 * symmetric only when true, an SF's weight only when not 1, its health
 * only when not the one implied), probes as "icmp ADDRESS" or "tcp
 * ADDRESS:PORT", prefixes as ADDR/LEN, protocols by name when they have
 * one, a single port as a number and a range as "LOW-HIGH", hops always
 * as lists (a tap hop as {"tap": [...]}). Two documents that mean the
 * same print the same.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "yield.h"

static json_t *cni_json(const struct sfc_cni_key *k)
{
	return json_pack("{s:s,s:s,s:s}", "network", k->network, "container", k->container,
			 "ifname", k->ifname);
}

/* "health" only when not the one implied (link; probe when there is a
 * probe), then the probe's keys that are set */
static void sf_health_json(json_t *o, const struct sfc_sf_cfg *sf)
{
	const struct sfc_probe_cfg *p = &sf->probe;
	int implied = p->type != SFC_PROBE_OFF ? SFC_HEALTH_PROBE : SFC_HEALTH_LINK;
	char buf[96];

	if (sf->health != implied)
		json_object_set_new(o, "health", json_string(sfc_health_name(sf->health)));
	if (p->type != SFC_PROBE_OFF)
		json_object_set_new(o, "probe", json_string(sfc_probe_format(p, buf, sizeof(buf))));
	if (p->has_from)
		json_object_set_new(o, "probe-from", json_string(sfc_probe_addr_format(p->family,
						p->from, buf, sizeof(buf))));
	if (p->interval_ms)
		json_object_set_new(o, "probe-interval", json_integer(p->interval_ms));
	if (p->fail)
		json_object_set_new(o, "probe-fail", json_integer(p->fail));
	if (p->recover)
		json_object_set_new(o, "probe-recover", json_integer(p->recover));
}

/* "02:00:00:00:00:01" */
static json_t *mac_json(const __u8 m[6])
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return json_string(buf);
}

static json_t *sf_json(const struct sfc_sf_cfg *sf)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "name", sf->name, "kind", "iface", "dev", sf->dev);

	if (!o)
		return NULL;
	if (sf->out_dev[0])
		json_object_set_new(o, "out-dev", json_string(sf->out_dev));
	if (sf->has_mac)
		json_object_set_new(o, "mac", mac_json(sf->mac));
	if (sf->has_out_mac)
		json_object_set_new(o, "out-mac", mac_json(sf->out_mac));
	if (sf->group[0])
		json_object_set_new(o, "group", json_string(sf->group));
	/* the default left out: a document without weights reads as it did */
	if (sfc_sf_weight(sf) != 1)
		json_object_set_new(o, "weight", json_integer(sfc_sf_weight(sf)));
	sf_health_json(o, sf);
	if (sf->cni.set)
		json_object_set_new(o, "cni", cni_json(&sf->cni));
	return o;
}

static json_t *chain_json(const struct sfc_chain_cfg *c)
{
	json_t *hops = json_array();

	for (int h = 0; h < c->nhops; h++) {
		json_t *hop = json_array();

		for (int k = 0; k < c->hops[h].nsf; k++)
			json_array_append_new(hop, json_string(c->hops[h].sf[k]));
		if (c->hops[h].tap)
			hop = json_pack("{s:o}", "tap", hop);
		json_array_append_new(hops, hop);
	}
	json_t *o = json_pack("{s:s,s:I,s:o,s:s}", "name", c->name, "spi", (json_int_t)c->spi,
			      "hops", hops, "on-failure",
			      c->on_failure == SFC_FAIL_BYPASS ? "bypass" : "drop");

	if (o && c->end != SFC_END_STACK)
		json_object_set_new(o, "end", json_string(sfc_end_name(c->end)));
	if (o && c->symmetric)
		json_object_set_new(o, "symmetric", json_true());
	return o;
}

static const char *const end_names[] = {
	[SFC_END_STACK] = "stack", [SFC_END_XDP] = "xdp", [SFC_END_AUTO] = "auto",
};

const char *sfc_end_name(int end)
{
	if (end < 0 || end >= (int)(sizeof(end_names) / sizeof(end_names[0])))
		return "stack";
	return end_names[end];
}

int sfc_end_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(end_names) / sizeof(end_names[0])); i++)
		if (!strcmp(name, end_names[i]))
			return i;
	return -EINVAL;
}

static json_t *ports_json(const struct sfc_port_range *p)
{
	char buf[16];

	if (p->lo == p->hi)
		return json_integer(p->lo);
	snprintf(buf, sizeof(buf), "%u-%u", p->lo, p->hi);
	return json_string(buf);
}

static json_t *rule_json(const struct sfc_rule_cfg *r)
{
	json_t *o = json_pack("{s:I}", "pref", (json_int_t)r->pref);
	char buf[64];

	if (!o)
		return NULL;
	if (r->in_dev[0])
		json_object_set_new(o, "in-dev", json_string(r->in_dev));
	if (r->src.family && !sfc_format_prefix(&r->src, buf, sizeof(buf)))
		json_object_set_new(o, "src", json_string(buf));
	if (r->dst.family && !sfc_format_prefix(&r->dst, buf, sizeof(buf)))
		json_object_set_new(o, "dst", json_string(buf));
	if (r->proto >= 0) {
		const char *name = sfc_proto_name(r->proto, buf, sizeof(buf));

		json_object_set_new(o, "proto", name == buf ? json_integer(r->proto) :
					json_string(name));
	}
	if (r->sport.set)
		json_object_set_new(o, "sport", ports_json(&r->sport));
	if (r->dport.set)
		json_object_set_new(o, "dport", ports_json(&r->dport));
	json_object_set_new(o, "chain", json_string(r->chain));
	return o;
}

json_t *sfc_doc_to_json(const struct sfc_doc *d)
{
	json_t *ingress = json_array(), *groups = json_array(), *sfs = json_array();
	json_t *chains = json_array(), *rules = json_array();
	int bad = 0;

	for (int i = 0; i < d->ningress; i++) {
		json_t *o = json_pack("{s:s}", "dev", d->ingress[i].dev);

		if (o && d->ingress[i].cni.set)
			json_object_set_new(o, "cni", cni_json(&d->ingress[i].cni));
		bad |= json_array_append_new(ingress, o);
	}
	for (int i = 0; i < d->ngroups; i++)
		bad |= json_array_append_new(groups, json_pack("{s:s}", "name", d->groups[i].name));
	for (int i = 0; i < d->nsfs; i++)
		bad |= json_array_append_new(sfs, sf_json(&d->sfs[i]));
	for (int i = 0; i < d->nchains; i++)
		bad |= json_array_append_new(chains, chain_json(&d->chains[i]));
	for (int i = 0; i < d->nrules; i++) {
		sfc_yield();
		bad |= json_array_append_new(rules, rule_json(&d->rules[i]));
	}
	if (bad) {
		json_decref(ingress);
		json_decref(groups);
		json_decref(sfs);
		json_decref(chains);
		json_decref(rules);
		return NULL;
	}
	return json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "version", 1, "ingress", ingress,
			 "groups", groups, "sfs", sfs, "chains", chains, "rules", rules);
}
