// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Typed edits of the document (object requests of the API). Each checks
 * what it can say with names (exists, in use), changes the arrays and
 * re-indexes; sfc_doc_validate() then checks the result whole.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "doc_index.h"
#include "errmsg.h"
#include "model.h"

/* One more zeroed element at the end of *arr (n elements). */
static void *grow(void **arr, int n, size_t size)
{
	char *p = realloc(*arr, (n + 2) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + n * size, 0, 2 * size);
	return p + n * size;
}

static void drop(void *arr, int *n, int i, size_t size)
{
	char *p = arr;

	memmove(p + i * size, p + (i + 1) * size, (*n - i - 1) * size);
	(*n)--;
}

/* After the arrays changed: look-ups again, and a validation to come. */
static int changed(struct sfc_doc *d)
{
	d->validated = false;
	return sfc_doc_reindex(d);
}

int sfc_edit_ingress_add(struct sfc_doc *d, const char *dev, char *err, size_t errlen)
{
	char why[96], q[IFNAMSIZ * 4 + 8];
	struct sfc_ingress_cfg *in;

	if (sfc_ifname_check(dev, why, sizeof(why)))
		return sfc_errf(err, errlen, -EINVAL, "ingress point \"%.60s\": %s",
			    sfc_quote_name(dev, q, sizeof(q)), why);
	if (sfc_doc_ingress(d, dev))
		return sfc_errf(err, errlen, -EEXIST, "ingress point \"%s\" already exists", dev);
	in = grow((void **)&d->ingress, d->ningress, sizeof(*in));
	if (!in)
		return -ENOMEM;
	strcpy(in->dev, dev);
	d->ningress++;
	return changed(d);
}

int sfc_edit_ingress_del(struct sfc_doc *d, const char *dev, char *err, size_t errlen)
{
	const struct sfc_ingress_cfg *in = sfc_doc_ingress(d, dev);

	if (!in)
		return sfc_errf(err, errlen, -ENOENT, "no ingress point on \"%s\"", dev);
	drop(d->ingress, &d->ningress, in - d->ingress, sizeof(*in));
	return changed(d);
}

/* "chain \"web\" hop 2" when a chain names name in a hop. */
static bool hop_user(const struct sfc_doc *d, const char *name, char *buf, size_t len)
{
	for (int i = 0; i < d->nchains; i++)
		for (int h = 0; h < d->chains[i].nhops; h++)
			for (int k = 0; k < d->chains[i].hops[h].nsf; k++)
				if (!strcmp(d->chains[i].hops[h].sf[k], name)) {
					snprintf(buf, len, "chain \"%s\" hop %d", d->chains[i].name,
						 h + 1);
					return true;
				}
	return false;
}

int sfc_edit_group_add(struct sfc_doc *d, const char *name, char *err, size_t errlen)
{
	struct sfc_group_cfg *g;
	char why[128], q[SFC_NAME_LEN * 4 + 8];

	if (sfc_name_check(name, why, sizeof(why)))
		return sfc_errf(err, errlen, -EINVAL, "group \"%s\": %s",
			    sfc_quote_name(name, q, sizeof(q)), why);
	if (sfc_doc_group(d, name))
		return sfc_errf(err, errlen, -EEXIST, "group \"%s\" already exists", name);
	if (sfc_doc_sf(d, name))
		return sfc_errf(err, errlen, -EEXIST, "group \"%s\": \"%s\" is already the name of an SF",
			    name, name);
	g = grow((void **)&d->groups, d->ngroups, sizeof(*g));
	if (!g)
		return -ENOMEM;
	strcpy(g->name, name);
	d->ngroups++;
	return changed(d);
}

int sfc_edit_group_del(struct sfc_doc *d, const char *name, char *err, size_t errlen)
{
	const struct sfc_group_cfg *g = sfc_doc_group(d, name);
	char users[128];

	if (!g)
		return sfc_errf(err, errlen, -ENOENT, "no group named \"%s\"", name);
	for (int i = 0; i < d->nsfs; i++)
		if (!strcmp(d->sfs[i].group, name))
			return sfc_errf(err, errlen, -EBUSY, "group \"%s\" is used by SF \"%s\"", name,
				    d->sfs[i].name);
	if (hop_user(d, name, users, sizeof(users)))
		return sfc_errf(err, errlen, -EBUSY, "group \"%s\" is used by %s", name, users);
	drop(d->groups, &d->ngroups, g - d->groups, sizeof(*g));
	return changed(d);
}

int sfc_edit_sf_add(struct sfc_doc *d, const struct sfc_sf_cfg *sf, char *err, size_t errlen)
{
	struct sfc_sf_cfg *n;

	if (sfc_doc_sf(d, sf->name))
		return sfc_errf(err, errlen, -EEXIST, "SF \"%s\" already exists", sf->name);
	n = grow((void **)&d->sfs, d->nsfs, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *sf;
	d->nsfs++;
	return changed(d);
}

int sfc_edit_sf_set(struct sfc_doc *d, const struct sfc_sf_cfg *sf, char *err, size_t errlen)
{
	const struct sfc_sf_cfg *old = sfc_doc_sf(d, sf->name);

	if (!old)
		return sfc_errf(err, errlen, -ENOENT, "no SF named \"%s\"", sf->name);
	d->sfs[old - d->sfs] = *sf;
	return changed(d);
}

int sfc_edit_sf_del(struct sfc_doc *d, const char *name, char *err, size_t errlen)
{
	const struct sfc_sf_cfg *sf = sfc_doc_sf(d, name);
	char users[128];

	if (!sf)
		return sfc_errf(err, errlen, -ENOENT, "no SF named \"%s\"", name);
	if (hop_user(d, name, users, sizeof(users)))
		return sfc_errf(err, errlen, -EBUSY, "SF \"%s\" is used by %s", name, users);
	drop(d->sfs, &d->nsfs, sf - d->sfs, sizeof(*sf));
	return changed(d);
}

int sfc_edit_chain_add(struct sfc_doc *d, const struct sfc_chain_cfg *c, char *err,
		       size_t errlen)
{
	struct sfc_chain_cfg *n;

	if (sfc_doc_chain(d, c->name))
		return sfc_errf(err, errlen, -EEXIST, "chain \"%s\" already exists", c->name);
	n = grow((void **)&d->chains, d->nchains, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *c;
	d->nchains++;
	return changed(d);
}

int sfc_edit_chain_set(struct sfc_doc *d, const struct sfc_chain_cfg *c, char *err,
		       size_t errlen)
{
	const struct sfc_chain_cfg *old = sfc_doc_chain(d, c->name);

	if (!old)
		return sfc_errf(err, errlen, -ENOENT, "no chain named \"%s\"", c->name);
	d->chains[old - d->chains] = *c;
	return changed(d);
}

int sfc_edit_chain_del(struct sfc_doc *d, const char *name, char *err, size_t errlen)
{
	const struct sfc_chain_cfg *c = sfc_doc_chain(d, name);

	if (!c)
		return sfc_errf(err, errlen, -ENOENT, "no chain named \"%s\"", name);
	for (int i = 0; i < d->nrules; i++)
		if (!strcmp(d->rules[i].chain, name))
			return sfc_errf(err, errlen, -EBUSY, "chain \"%s\" is used by rule pref %u", name,
				    d->rules[i].pref);
	drop(d->chains, &d->nchains, c - d->chains, sizeof(*c));
	return changed(d);
}

int sfc_edit_rule_add(struct sfc_doc *d, struct sfc_rule_cfg *r, bool auto_pref,
		      const char *label, char *err, size_t errlen)
{
	struct sfc_rule_cfg *n;

	if (auto_pref) {
		/* like ip rule: after the last rule */
		__u32 max = 0;

		for (int i = 0; i < d->nrules; i++)
			if (d->rules[i].pref > max)
				max = d->rules[i].pref;
		if (max > 0xfffffffeu - 10)
			return sfc_errf(err, errlen, -ERANGE, "%s: no pref left after %u; give one",
				    label, max);
		r->pref = d->nrules ? max + 10 : 10;
	}
	if (sfc_doc_rule(d, r->pref))
		return sfc_errf(err, errlen, -EEXIST, "rule pref %u already exists", r->pref);
	if (!sfc_doc_chain(d, r->chain))
		return sfc_errf(err, errlen, -EINVAL, "%s: chain: no chain named \"%s\"", label, r->chain);
	n = grow((void **)&d->rules, d->nrules, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *r;
	d->nrules++;
	return changed(d);
}

int sfc_edit_rule_del(struct sfc_doc *d, __u32 pref, char *err, size_t errlen)
{
	const struct sfc_rule_cfg *r = sfc_doc_rule(d, pref);

	if (!r)
		return sfc_errf(err, errlen, -ENOENT, "no rule with pref %u", pref);
	drop(d->rules, &d->nrules, r - d->rules, sizeof(*r));
	return changed(d);
}
