// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one validator of a document, whatever it came from (a state file,
 * an apply, a typed edit): names, MACs, references, duplicates, limits,
 * and SPIs for chains that have none. Linear: every lookup is a hash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_index.h"
#include "errmsg.h"
#include "model.h"
#include "yield.h"

/* A name as it may be quoted in a message: control bytes escaped. */
const char *sfc_quote_name(const char *name, char *buf, size_t len)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && o + 5 < len; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			o += snprintf(buf + o, len - o, "\\x%02x", *p);
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

static int check_name(const char *what, const char *name, char *err, size_t errlen)
{
	char why[128], q[SFC_NAME_LEN * 4 + 8];

	if (!sfc_name_check(name, why, sizeof(why)))
		return 0;
	return sfc_errf(err, errlen, -EINVAL, "%s \"%s\": %s", what, sfc_quote_name(name, q, sizeof(q)), why);
}

static bool two_arm(const struct sfc_sf_cfg *sf)
{
	return sf->out_dev[0] && strcmp(sf->out_dev, sf->dev);
}

static int check_sfs(const struct sfc_doc *d, char *err, size_t errlen)
{
	const struct sfc_doc_index *ix = d->ix;
	char why[SFC_ERR_LEN];

	if (d->nsfs >= SFC_MAX_SFS)
		return sfc_errf(err, errlen, -EINVAL, "%d SFs, at most %d", d->nsfs, SFC_MAX_SFS - 1);
	for (int i = 0; i < d->ngroups; i++) {
		const char *name = d->groups[i].name;

		if (check_name("group", name, err, errlen))
			return -EINVAL;
		if (sfc_map_get_str(&ix->groups, name) != i)
			return sfc_errf(err, errlen, -EINVAL, "group \"%s\" defined twice", name);
	}
	for (int i = 0; i < d->nsfs; i++) {
		const struct sfc_sf_cfg *sf = &d->sfs[i];

		if (check_name("SF", sf->name, err, errlen))
			return -EINVAL;
		if (sfc_map_get_str(&ix->sfs, sf->name) != i)
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\" defined twice", sf->name);
		if (sfc_map_get_str(&ix->groups, sf->name) >= 0)
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": \"%s\" is already the name of a group",
				    sf->name, sf->name);
		if (sf->group[0] && sfc_map_get_str(&ix->groups, sf->group) < 0)
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": no group named \"%s\" (declare it in "
				    "groups)", sf->name, sf->group);
		if (sf->has_mac && sfc_mac_check_unicast(sf->mac, why, sizeof(why)))
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": mac: %s", sf->name, why);
		if (sf->has_out_mac && !two_arm(sf))
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": out-mac: the SF is one-arm (no "
				    "out-dev other than its dev); out-mac is its MAC on its out-dev "
				    "side, which only a two-arm SF has", sf->name);
		if (sf->has_out_mac && sfc_mac_check_unicast(sf->out_mac, why, sizeof(why)))
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": out-mac: %s", sf->name, why);
		if (sf->weight > SFC_WEIGHT_MAX)
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": weight: expected an integer "
				    "from 1 to %d, got %u", sf->name, SFC_WEIGHT_MAX, sf->weight);
		if (sfc_sf_health_check(sf, true, why, sizeof(why)))
			return sfc_errf(err, errlen, -EINVAL, "SF \"%s\": %s", sf->name, why);
	}
	return 0;
}

/*
 * Is SF or group name addressed with the fabric's own Ethernet addresses
 * (no MAC: a bridge, a netdev forwarder), every member of a group? Such an
 * SF gives a packet back with the source MAC the fabric wrote, which says
 * the position it was sent at (SFC_SF_POS_MAC).
 */
static bool keeps_fabric_macs(const struct sfc_doc *d, const char *name)
{
	const struct sfc_sf_cfg *sf = sfc_doc_sf(d, name);

	if (sf)
		return !sf->has_mac;
	for (int i = 0; i < d->nsfs; i++)
		if (d->sfs[i].has_mac && !strcmp(d->sfs[i].group, name))
			return false;
	return true;
}

#define TWO_POSITIONS "; an SF with a MAC of its own (an L3 SF, which rewrites the Ethernet " \
	"addresses) can serve only one position of a chain: the fabric could not tell at " \
	"which one its packets come back (an SF without one, such as a bridge, can serve several)"

/*
 * Back from an NSH-unaware SF, its interface tells which SF a packet came
 * back from; its position, when the SF serves only one. An SF that keeps
 * the fabric's Ethernet addresses returns its position in the source MAC
 * the fabric wrote, so it may serve several positions of a chain; an SF
 * with a MAC of its own may not. An SF is at a hop when the hop names it
 * or its group, so besides a name repeated (an SF, or a group: all its
 * SFs), an SF named in one hop and reachable through its group in another
 * counts too. Were an SF with a MAC at two positions, a packet coming
 * back from the later one would be taken for the earlier one and go
 * round the hops between them for ever.
 */
static int check_positions(const struct sfc_doc *d, const struct sfc_chain_cfg *c,
			   char *err, size_t errlen)
{
	const char *grp[SFC_MAX_HOPS][SFC_HOP_BUCKETS]; /* group of an SF name, or NULL */

	for (int h = 0; h < c->nhops; h++)
		for (int k = 0; k < c->hops[h].nsf; k++) {
			const struct sfc_sf_cfg *sf = sfc_doc_sf(d, c->hops[h].sf[k]);

			grp[h][k] = sf && sf->group[0] ? sf->group : NULL;
		}
	for (int h = 0; h < c->nhops; h++)
		for (int k = 0; k < c->hops[h].nsf; k++) {
			const char *s = c->hops[h].sf[k], *sg = grp[h][k];

			for (int hh = 0; hh <= h; hh++)
				for (int kk = 0; kk < (hh < h ? c->hops[hh].nsf : k); kk++) {
					const char *t = c->hops[hh].sf[kk], *tg = grp[hh][kk];

					if (!strcmp(t, s) && hh == h)
						return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: %s "
							    "\"%s\" is named twice in this hop", c->name,
							    h + 1, sfc_doc_sf(d, s) ? "SF" : "group", s);
					if (!strcmp(t, s) && !keeps_fabric_macs(d, s))
						return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: %s "
							    "\"%s\" is already in hop %d of this chain"
							    TWO_POSITIONS, c->name, h + 1,
							    sfc_doc_sf(d, s) ? "SF" : "group", s, hh + 1);
					if (hh == h)
						continue; /* one position, however named */
					if (sg && !strcmp(sg, t) && !keeps_fabric_macs(d, s))
						return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: SF "
							    "\"%s\" is already in hop %d of this chain through "
							    "its group \"%s\"" TWO_POSITIONS, c->name, h + 1, s,
							    hh + 1, t);
					if (tg && !strcmp(tg, s) && !keeps_fabric_macs(d, t))
						return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: group "
							    "\"%s\" includes SF \"%s\", which is already in hop "
							    "%d of this chain" TWO_POSITIONS, c->name, h + 1, s, t,
							    hh + 1);
				}
		}
	return 0;
}

static int check_hops(const struct sfc_doc *d, const struct sfc_chain_cfg *c, char *err,
		      size_t errlen)
{
	if (c->nhops < 1 || c->nhops > SFC_MAX_HOPS)
		return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": a chain has 1 to %d hops, not %d", c->name,
			    SFC_MAX_HOPS, c->nhops);
	for (int h = 0; h < c->nhops; h++) {
		const struct sfc_hop_cfg *hop = &c->hops[h];

		if (hop->nsf < 1 || hop->nsf > SFC_HOP_BUCKETS)
			return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: a hop is a list of 1 to %d "
				    "SF names", c->name, h + 1, SFC_HOP_BUCKETS);
		for (int k = 0; k < hop->nsf; k++) {
			const char *s = hop->sf[k];

			if (!sfc_doc_sf(d, s) && !sfc_doc_group(d, s))
				return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: no SF named \"%s\"",
					    c->name, h + 1, s);
		}
		/* the fabric copies to a tap on its way from one SF (or the
		 * ingress) to the next: one copy, to one tap hop, per step */
		if (h && hop->tap && c->hops[h - 1].tap)
			return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hops %d and %d are both taps: "
				    "the fabric copies a packet to one tap between two SFs; put an SF "
				    "between them or make them one tap hop", c->name, h, h + 1);
	}
	return check_positions(d, c, err, errlen);
}

/*
 * A symmetric chain's replies go through its SFs in reverse order, each
 * entered where the forward direction left it: a two-arm SF from its
 * out-dev side (the fabric sends the reply out of its out-dev and takes it
 * back on its dev). An SF with a "mac" is addressed by the fabric, on that
 * side too: it needs its "out-mac". An SF without one keeps the fabric's
 * addresses either way.
 */
static bool needs_out_mac(const struct sfc_sf_cfg *sf)
{
	return two_arm(sf) && sf->has_mac && !sf->has_out_mac;
}

#define SYMMETRIC_OUT_MAC " and has a mac but no out-mac, and the chain is symmetric: its " \
	"replies enter the SF from its out-dev side, where the fabric must address them to " \
	"the SF's MAC on that side: set \"out-mac\""

/*
 * Refuses a symmetric chain that reaches an SF needs_out_mac(), whether
 * the hop (a tap hop too) names the SF or its group; unset[g]: the first
 * such SF of group g, or -1.
 */
static int check_symmetric(const struct sfc_doc *d, const struct sfc_chain_cfg *c,
			   const int *unset, char *err, size_t errlen)
{
	for (int h = 0; c->symmetric && h < c->nhops; h++)
		for (int k = 0; k < c->hops[h].nsf; k++) {
			const char *s = c->hops[h].sf[k];
			const struct sfc_sf_cfg *sf = sfc_doc_sf(d, s);
			int g;

			if (sf && needs_out_mac(sf))
				return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: SF \"%s\" "
						"is two-arm (out-dev \"%s\")" SYMMETRIC_OUT_MAC,
						c->name, h + 1, s, sf->out_dev);
			g = sf ? -1 : sfc_map_get_str(&d->ix->groups, s);
			if (g >= 0 && unset[g] >= 0)
				return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": hop %d: group "
						"\"%s\" includes SF \"%s\", which is two-arm (out-dev "
						"\"%s\")" SYMMETRIC_OUT_MAC, c->name, h + 1, s,
						d->sfs[unset[g]].name, d->sfs[unset[g]].out_dev);
		}
	return 0;
}

/* Where an SF or a group is first met as a tap, and as an SF of a hop. */
struct hop_use {
	int chain, hop;          /* chain -1: not met */
};

static void use_note(struct hop_use *u, int chain, int hop)
{
	if (u->chain < 0)
		*u = (struct hop_use){ chain, hop };
}

/* the earlier of two uses, a or b (either may be unmet) */
static const struct hop_use *use_first(const struct hop_use *a, const struct hop_use *b)
{
	if (b->chain < 0)
		return a;
	if (a->chain < 0 || b->chain < a->chain || (b->chain == a->chain && b->hop < a->hop))
		return b;
	return a;
}

static int tap_conflict(const struct sfc_doc *d, const char *what, const char *name,
			const struct hop_use *tap, const char *tap_via,
			const struct hop_use *serve, const char *serve_via, char *err,
			size_t errlen)
{
	char tv[SFC_NAME_LEN + 32] = "", sv[SFC_NAME_LEN + 32] = "";

	if (tap_via)
		snprintf(tv, sizeof(tv), ", through its group \"%s\"", tap_via);
	if (serve_via)
		snprintf(sv, sizeof(sv), " through its group \"%s\"", serve_via);
	return sfc_errf(err, errlen, -EINVAL, "%s \"%s\" is a tap in chain \"%s\" (hop %d%s) and "
		    "serves hop %d of chain \"%s\"%s: a tap never sends packets back, an SF of "
		    "a hop must", what, name, d->chains[tap->chain].name, tap->hop + 1, tv,
		    serve->hop + 1, d->chains[serve->chain].name, sv);
}

/*
 * A tap's SF gets copies and sends nothing back (what it sends is
 * dropped); an SF of a hop must send every packet back. One SF cannot do
 * both, in any two chains: an SF named in a tap hop, or in a group a tap
 * hop names, is in no other hop. A group is held to it even empty: an SF
 * that joins it later (a pod the CNI plugin adds) would be both.
 */
static int check_taps(const struct sfc_doc *d, char *err, size_t errlen)
{
	const struct sfc_doc_index *ix = d->ix;
	struct hop_use *sf_tap, *sf_serve, *g_tap, *g_serve;
	int ret = 0, n = d->nsfs + d->ngroups + 1;

	sf_tap = malloc(4 * n * sizeof(*sf_tap));
	if (!sf_tap)
		return -ENOMEM;
	for (int i = 0; i < 4 * n; i++)
		sf_tap[i].chain = -1;
	sf_serve = sf_tap + n;
	g_tap = sf_serve + n;
	g_serve = g_tap + n;
	for (int i = 0; i < d->nchains; i++) {
		const struct sfc_chain_cfg *c = &d->chains[i];

		sfc_yield();
		for (int h = 0; h < c->nhops; h++)
			for (int k = 0; k < c->hops[h].nsf; k++) {
				const char *s = c->hops[h].sf[k];
				int j = sfc_map_get_str(&ix->sfs, s);

				if (j >= 0)
					use_note(c->hops[h].tap ? &sf_tap[j] : &sf_serve[j], i, h);
				else if ((j = sfc_map_get_str(&ix->groups, s)) >= 0)
					use_note(c->hops[h].tap ? &g_tap[j] : &g_serve[j], i, h);
			}
	}
	for (int i = 0; i < d->nsfs && !ret; i++) {
		const struct sfc_sf_cfg *sf = &d->sfs[i];
		int g = sf->group[0] ? sfc_map_get_str(&ix->groups, sf->group) : -1;
		const struct hop_use *tap = &sf_tap[i], *serve = &sf_serve[i];

		if (g >= 0) {
			tap = use_first(tap, &g_tap[g]);
			serve = use_first(serve, &g_serve[g]);
		}
		if (tap->chain >= 0 && serve->chain >= 0)
			ret = tap_conflict(d, "SF", sf->name, tap, tap == &sf_tap[i] ? NULL : sf->group,
					   serve, serve == &sf_serve[i] ? NULL : sf->group, err,
					   errlen);
	}
	for (int g = 0; g < d->ngroups && !ret; g++)
		if (g_tap[g].chain >= 0 && g_serve[g].chain >= 0)
			ret = tap_conflict(d, "group", d->groups[g].name, &g_tap[g], NULL,
					   &g_serve[g], NULL, err, errlen);
	free(sf_tap);
	return ret;
}

/* Chains without an SPI keep the one they had in prev if it is free, else
 * get the lowest free one, the way rule-add numbers prefs. */
static int number_chains(struct sfc_doc *d, const struct sfc_doc *prev, char *err,
			 size_t errlen)
{
	struct sfc_map used;
	__u32 next = 1;
	int j;

	if (sfc_map_init(&used, d->nchains))
		return -ENOMEM;
	for (int i = 0; i < d->nchains; i++) {
		struct sfc_chain_cfg *c = &d->chains[i];

		sfc_yield();
		if (!c->spi)
			continue;
		j = sfc_map_put_u32(&used, c->spi, i);
		if (j >= 0) {
			sfc_map_free(&used);
			return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": spi %u already used by chain \"%s\"",
				    c->name, c->spi, d->chains[j].name);
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < d->nchains; i++) {
			struct sfc_chain_cfg *c = &d->chains[i];
			const struct sfc_chain_cfg *old = prev ? sfc_doc_chain(prev, c->name) : NULL;

			sfc_yield();
			if (c->spi)
				continue;
			if (!pass) {
				if (!old || !old->spi || sfc_map_get_u32(&used, old->spi) >= 0)
					continue;
				c->spi = old->spi;
			} else {
				while (next <= 0xffffff && sfc_map_get_u32(&used, next) >= 0)
					next++;
				if (next > 0xffffff) {
					sfc_map_free(&used);
					return sfc_errf(err, errlen, -EINVAL, "chain \"%s\": every SPI is in use",
						    c->name);
				}
				c->spi = next;
			}
			sfc_map_put_u32(&used, c->spi, i);
		}
	sfc_map_free(&used);
	return 0;
}

static int check_chains(struct sfc_doc *d, const struct sfc_doc *prev, char *err,
			size_t errlen)
{
	int ret = 0, *unset;

	if (d->nchains >= SFC_MAX_CHAINS)
		return sfc_errf(err, errlen, -EINVAL, "%d chains, at most %d", d->nchains, SFC_MAX_CHAINS - 1);
	/* each group's first SF that needs an out-mac, for check_symmetric() */
	unset = malloc((d->ngroups + 1) * sizeof(*unset));
	if (!unset)
		return -ENOMEM;
	for (int g = 0; g < d->ngroups; g++)
		unset[g] = -1;
	for (int i = 0; i < d->nsfs; i++) {
		int g = d->sfs[i].group[0] ? sfc_map_get_str(&d->ix->groups, d->sfs[i].group) : -1;

		if (g >= 0 && unset[g] < 0 && needs_out_mac(&d->sfs[i]))
			unset[g] = i;
	}
	for (int i = 0; i < d->nchains && !ret; i++) {
		const struct sfc_chain_cfg *c = &d->chains[i];

		sfc_yield();
		if (check_name("chain", c->name, err, errlen))
			ret = -EINVAL;
		else if (sfc_map_get_str(&d->ix->chains, c->name) != i)
			ret = sfc_errf(err, errlen, -EINVAL, "chain \"%s\" defined twice", c->name);
		else
			ret = check_hops(d, c, err, errlen);
		if (!ret)
			ret = check_symmetric(d, c, unset, err, errlen);
	}
	free(unset);
	if (ret)
		return ret;
	ret = check_taps(d, err, errlen);
	if (ret)
		return ret;
	return number_chains(d, prev, err, errlen);
}

static int check_rules(const struct sfc_doc *d, char *err, size_t errlen)
{
	for (int i = 0; i < d->nrules; i++) {
		const struct sfc_rule_cfg *r = &d->rules[i];

		sfc_yield();
		if (sfc_map_get_u32(&d->ix->rules, r->pref) != i)
			return sfc_errf(err, errlen, -EINVAL, "rule pref %u defined twice", r->pref);
		if (!sfc_doc_chain(d, r->chain))
			return sfc_errf(err, errlen, -EINVAL, "rule pref %u: chain: no chain named \"%s\"",
				    r->pref, r->chain);
	}
	return 0;
}

int sfc_doc_validate(struct sfc_doc *d, const struct sfc_doc *prev, char *err, size_t errlen)
{
	int ret;

	d->validated = false;
	ret = sfc_doc_reindex(d);
	if (ret)
		return ret;
	for (int i = 0; i < d->ningress; i++)
		if (sfc_map_get_str(&d->ix->ingress, d->ingress[i].dev) != i)
			return sfc_errf(err, errlen, -EINVAL, "ingress \"%s\" listed twice", d->ingress[i].dev);
	ret = check_sfs(d, err, errlen);
	if (!ret)
		ret = check_chains(d, prev, err, errlen);
	if (!ret)
		ret = check_rules(d, err, errlen);
	d->validated = !ret;
	return ret;
}
