// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CNI attachments in the typed document: an ingress point or an SF that
 * carries the (network, container, ifname) key of the sfc-cni ADD that
 * made it.
 *
 * Groups and CNI: the first SF instance attached for a group declares the
 * group. When a detach or gc removes an SF of a group, and that group is
 * then left with no SF and no chain names it, the group goes too; a group
 * a chain still names (or with other SFs) stays.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "doc_index.h"
#include "hash.h"
#include "model.h"

/* Which attachments go: one key, a whole network, or (gc) a network's not
 * listed in valid. */
struct cni_sel {
	const char *network, *container, *ifname;
	const struct sfc_cni_key *valid;
	int nvalid;
	bool gc;
};

static bool selected(const struct sfc_cni_key *k, const struct cni_sel *s)
{
	if (!k->set || strcmp(k->network, s->network))
		return false;
	if (s->gc) {
		for (int i = 0; i < s->nvalid; i++)
			if (!strcmp(s->valid[i].container, k->container) &&
			    !strcmp(s->valid[i].ifname, k->ifname))
				return false;
		return true;
	}
	return (!s->container || !strcmp(k->container, s->container)) &&
	       (!s->ifname || !strcmp(k->ifname, s->ifname));
}

static int remove_selected(struct sfc_doc *d, const struct cni_sel *s)
{
	bool *orphan = calloc(d->ngroups + 1, sizeof(*orphan)), *used;
	int removed = 0, n = 0, g;

	if (!orphan)
		return -ENOMEM;
	for (int i = 0; i < d->ningress; i++) {
		if (selected(&d->ingress[i].cni, s))
			removed++;
		else
			d->ingress[n++] = d->ingress[i];
	}
	d->ningress = n;
	n = 0;
	for (int i = 0; i < d->nsfs; i++) {
		if (!selected(&d->sfs[i].cni, s)) {
			d->sfs[n++] = d->sfs[i];
			continue;
		}
		removed++;
		g = d->sfs[i].group[0] ? sfc_map_get_str(&d->ix->groups, d->sfs[i].group) : -1;
		if (g >= 0)
			orphan[g] = true;
	}
	d->nsfs = n;
	/* the groups array has not moved: its index still holds */
	used = calloc(d->ngroups + 1, sizeof(*used));
	if (!used) {
		free(orphan);
		return -ENOMEM;
	}
	for (int i = 0; i < d->nsfs; i++)
		if ((g = sfc_map_get_str(&d->ix->groups, d->sfs[i].group)) >= 0)
			used[g] = true;
	for (int i = 0; i < d->nchains; i++)
		for (int h = 0; h < d->chains[i].nhops; h++)
			for (int k = 0; k < d->chains[i].hops[h].nsf; k++)
				if ((g = sfc_map_get_str(&d->ix->groups, d->chains[i].hops[h].sf[k])) >= 0)
					used[g] = true;
	n = 0;
	for (int i = 0; i < d->ngroups; i++)
		if (!orphan[i] || used[i])
			d->groups[n++] = d->groups[i];
	d->ngroups = n;
	free(orphan);
	free(used);
	d->validated = false;
	if (sfc_doc_reindex(d))
		return -ENOMEM;
	return removed;
}

int sfc_edit_cni_detach(struct sfc_doc *d, const char *network, const char *container,
			const char *ifname)
{
	struct cni_sel s = { .network = network, .container = container, .ifname = ifname };

	return remove_selected(d, &s);
}

int sfc_edit_cni_gc(struct sfc_doc *d, const char *network, const struct sfc_cni_key *valid,
		    int nvalid)
{
	struct cni_sel s = { .network = network, .valid = valid, .nvalid = nvalid, .gc = true };

	return remove_selected(d, &s);
}

static __u32 key_hash(const char *a, const char *b, const char *c)
{
	const char *parts[] = { a, b, c };
	__u32 h = SFC_FNV_SEED;

	for (int i = 0; i < 3; i++) {
		h = sfc_hash_str(h, parts[i]);
		h = sfc_hash_bytes(h, "\xff", 1); /* separator: ("ab","c") != ("a","bc") */
	}
	return h;
}

static int set_key(struct sfc_cni_key *k, const struct sfc_cni_attach *a, char *err,
		   size_t errlen)
{
	if (strlen(a->network) >= sizeof(k->network) || strlen(a->container) >= sizeof(k->container) ||
	    strlen(a->ifname) >= sizeof(k->ifname)) {
		snprintf(err, errlen, "attach: network, container or ifname too long (at most %zu, "
			 "%zu and %zu characters)", sizeof(k->network) - 1,
			 sizeof(k->container) - 1, sizeof(k->ifname) - 1);
		return -EINVAL;
	}
	k->set = true;
	strcpy(k->network, a->network);
	strcpy(k->container, a->container);
	strcpy(k->ifname, a->ifname);
	return 0;
}

static bool key_match(const struct sfc_cni_key *k, const char *network, const char *container,
		      const char *ifname)
{
	return k->set && !strcmp(k->network, network) && !strcmp(k->container, container) &&
	       !strcmp(k->ifname, ifname);
}

/* kept: what the operator gave the SF this attachment made before (its
 * weight and health settings), NULL if none */
static int attach_sf(struct sfc_doc *d, const struct sfc_cni_attach *a,
		     const struct sfc_sf_cfg *kept, char *err, size_t errlen)
{
	struct sfc_sf_cfg sf = { .kind = SFC_KIND_IFACE };
	int ret;

	if (!a->sf || !a->sf[0] || strlen(a->sf) >= SFC_NAME_LEN) {
		snprintf(err, errlen, "role \"sf\" needs \"sf\": the name of the SF group (1 to %d "
			 "characters)", SFC_NAME_LEN - 1);
		return -EINVAL;
	}
	if (kept) {
		sf.weight = kept->weight;
		sf.health = kept->health;
		sf.probe = kept->probe;
	}
	if (set_key(&sf.cni, a, err, errlen))
		return -EINVAL;
	if (a->mac) {
		/* an SF pod that routes needs frames addressed to it */
		if (sfc_parse_mac(a->mac, sf.mac)) {
			snprintf(err, errlen, "attach: mac \"%s\" is not a MAC address "
				 "(aa:bb:cc:dd:ee:ff)", a->mac);
			return -EINVAL;
		}
		sf.has_mac = true;
	}
	/* the first instance declares the group (scaling a function is
	 * starting another pod) */
	if (!sfc_doc_group(d, a->sf)) {
		ret = sfc_edit_group_add(d, a->sf, err, errlen);
		if (ret)
			return ret;
	}
	snprintf(sf.name, sizeof(sf.name), "%.12s-%08x", a->sf,
		 key_hash(a->network, a->container, a->ifname));
	strcpy(sf.dev, a->dev);
	strcpy(sf.group, a->sf);
	return sfc_edit_sf_add(d, &sf, err, errlen);
}

int sfc_edit_cni_attach(struct sfc_doc *d, const struct sfc_cni_attach *a, char *err,
			size_t errlen)
{
	char why[96], q[IFNAMSIZ * 4 + 8];
	struct sfc_sf_cfg kept;
	bool has_kept = false;
	int ret;

	if (!a->network || !a->container || !a->ifname || !a->role || !a->dev ||
	    !a->network[0] || !a->container[0] || !a->ifname[0] || !a->dev[0]) {
		snprintf(err, errlen, "attach needs \"network\", \"container\", \"ifname\", "
			 "\"role\" and \"dev\" (non-empty strings)");
		return -EINVAL;
	}
	if (sfc_ifname_check(a->dev, why, sizeof(why))) {
		snprintf(err, errlen, "attach: dev \"%.60s\": %s",
			 sfc_quote_name(a->dev, q, sizeof(q)), why);
		return -EINVAL;
	}
	if (strcmp(a->role, "ingress") && strcmp(a->role, "sf")) {
		snprintf(err, errlen, "unknown role \"%s\" (expected \"sf\" or \"ingress\")", a->role);
		return -EINVAL;
	}
	/* a repeated key replaces, keeping the weight and health settings the
	 * operator gave the SF (sf set) */
	for (int i = 0; i < d->nsfs; i++)
		if (key_match(&d->sfs[i].cni, a->network, a->container, a->ifname)) {
			kept = d->sfs[i];
			has_kept = true;
		}
	ret = sfc_edit_cni_detach(d, a->network, a->container, a->ifname);
	if (ret < 0)
		return ret;
	if (!strcmp(a->role, "sf"))
		return attach_sf(d, a, has_kept ? &kept : NULL, err, errlen);
	ret = sfc_edit_ingress_add(d, a->dev, err, errlen);
	if (ret)
		return ret;
	return set_key(&d->ingress[d->ningress - 1].cni, a, err, errlen);
}

int sfc_doc_attachment(const struct sfc_doc *d, const char *network, const char *container,
		       const char *ifname, struct sfc_attachment *out)
{
	for (int i = 0; i < d->ningress; i++)
		if (key_match(&d->ingress[i].cni, network, container, ifname)) {
			*out = (struct sfc_attachment){ "ingress", d->ingress[i].dev, "" };
			return 0;
		}
	for (int i = 0; i < d->nsfs; i++)
		if (key_match(&d->sfs[i].cni, network, container, ifname)) {
			*out = (struct sfc_attachment){ "sf", d->sfs[i].dev, d->sfs[i].group };
			return 0;
		}
	return -ENOENT;
}
