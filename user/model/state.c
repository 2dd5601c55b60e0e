// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/types.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "model.h"
#include "state.h"

static int fail(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return ret;
}

json_t *sfc_state_empty(void)
{
	return json_pack("{s:i,s:[],s:[],s:[],s:[]}", "version", 1, "ingress", "sfs",
			 "chains", "rules");
}

void sfc_state_fill_defaults(json_t *doc)
{
	static const char *const sections[] = { "ingress", "sfs", "chains", "rules" };

	if (!json_object_get(doc, "version"))
		json_object_set_new(doc, "version", json_integer(1));
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!json_object_get(doc, sections[i]))
			json_object_set_new(doc, sections[i], json_array());
}

/* Index of the element of array whose key equals value (string or integer). */
static int find_by(json_t *arr, const char *key, json_t *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		json_t *k = json_object_get(v, key);

		if (k && json_equal(k, value))
			return i;
	}
	return -1;
}

static json_t *need(json_t *arg, const char *key, char *err, size_t errlen)
{
	json_t *v = json_object_get(arg, key);

	if (!v)
		fail(err, errlen, -EINVAL, "request needs \"%s\"", key);
	return v;
}

/* Where an SF is used: "chain \"web\" hop 2", or NULL. */
static int sf_users(json_t *doc, const char *name, char *buf, size_t len)
{
	size_t i, h, k;
	json_t *c, *hop, *s;

	json_array_foreach(json_object_get(doc, "chains"), i, c) {
		json_array_foreach(json_object_get(c, "hops"), h, hop) {
			if (json_is_string(hop) && !strcmp(json_string_value(hop), name))
				goto found;
			json_array_foreach(hop, k, s)
				if (json_is_string(s) && !strcmp(json_string_value(s), name))
					goto found;
		}
	}
	return 0;
found:
	snprintf(buf, len, "chain \"%s\" hop %zu",
		 json_string_value(json_object_get(c, "name")), h + 1);
	return 1;
}

static int edit_add(json_t *doc, const char *section, const char *key, json_t *obj,
		    const char *what, char *err, size_t errlen)
{
	json_t *arr = json_object_get(doc, section);
	json_t *k;

	if (!json_is_object(obj))
		return fail(err, errlen, -EINVAL, "%s: expected an object", what);
	k = json_object_get(obj, key);
	if (!k)
		return fail(err, errlen, -EINVAL, "%s: missing \"%s\"", what, key);
	if (find_by(arr, key, k) >= 0) {
		char *s = json_dumps(k, JSON_ENCODE_ANY);
		int r = fail(err, errlen, -EEXIST, "%s %s already exists", what, s);

		free(s);
		return r;
	}
	json_array_append(arr, obj);
	return 0;
}

static int edit_del(json_t *doc, const char *section, const char *key, json_t *k,
		    const char *what, char *err, size_t errlen)
{
	json_t *arr = json_object_get(doc, section);
	int i = find_by(arr, key, k);

	if (i < 0) {
		char *s = json_dumps(k, JSON_ENCODE_ANY);
		int r = fail(err, errlen, -ENOENT, "no %s %s", what, s);

		free(s);
		return r;
	}
	json_array_remove(arr, i);
	return 0;
}

int sfc_state_edit(json_t *doc, const char *op, json_t *arg, char *err, size_t errlen)
{
	char users[128];
	json_t *v;

	if (!strcmp(op, "ingress-add") || !strcmp(op, "ingress-del")) {
		if (!(v = need(arg, "dev", err, errlen)))
			return -EINVAL;
		if (op[8] == 'a') {
			json_t *obj = json_pack("{s:O}", "dev", v);
			int ret = edit_add(doc, "ingress", "dev", obj, "ingress point", err, errlen);

			json_decref(obj);
			return ret;
		}
		return edit_del(doc, "ingress", "dev", v, "ingress point on", err, errlen);
	}
	if (!strcmp(op, "sf-add")) {
		if (!(v = need(arg, "sf", err, errlen)))
			return -EINVAL;
		return edit_add(doc, "sfs", "name", v, "SF", err, errlen);
	}
	if (!strcmp(op, "sf-del")) {
		if (!(v = need(arg, "name", err, errlen)))
			return -EINVAL;
		if (json_is_string(v) && sf_users(doc, json_string_value(v), users, sizeof(users)))
			return fail(err, errlen, -EBUSY, "SF \"%s\" is used by %s",
				    json_string_value(v), users);
		return edit_del(doc, "sfs", "name", v, "SF named", err, errlen);
	}
	if (!strcmp(op, "chain-add")) {
		if (!(v = need(arg, "chain", err, errlen)))
			return -EINVAL;
		return edit_add(doc, "chains", "name", v, "chain", err, errlen);
	}
	if (!strcmp(op, "chain-set")) {
		json_t *arr = json_object_get(doc, "chains"), *name;
		int i;

		if (!(v = need(arg, "chain", err, errlen)))
			return -EINVAL;
		name = json_object_get(v, "name");
		i = name ? find_by(arr, "name", name) : -1;
		if (i < 0)
			return fail(err, errlen, -ENOENT, "no chain named \"%s\"",
				    name && json_is_string(name) ? json_string_value(name) : "");
		/* Options not given keep their values; hops are replaced. */
		{
			json_t *merged = json_deep_copy(json_array_get(arr, i));

			json_object_update(merged, v);
			json_array_set_new(arr, i, merged);
		}
		return 0;
	}
	if (!strcmp(op, "chain-del")) {
		size_t i;
		json_t *r;

		if (!(v = need(arg, "name", err, errlen)))
			return -EINVAL;
		json_array_foreach(json_object_get(doc, "rules"), i, r)
			if (json_equal(json_object_get(r, "chain"), v))
				return fail(err, errlen, -EBUSY, "chain \"%s\" is used by rule pref %lld",
					    json_string_value(v),
					    (long long)json_integer_value(json_object_get(r, "pref")));
		return edit_del(doc, "chains", "name", v, "chain named", err, errlen);
	}
	if (!strcmp(op, "rule-add")) {
		if (!(v = need(arg, "rule", err, errlen)))
			return -EINVAL;
		if (json_is_object(v) && !json_object_get(v, "pref")) {
			/* Like ip rule: without a pref, go after the last rule. */
			json_int_t max = 0;
			size_t i;
			json_t *r;

			json_array_foreach(json_object_get(doc, "rules"), i, r)
				if (json_integer_value(json_object_get(r, "pref")) > max)
					max = json_integer_value(json_object_get(r, "pref"));
			v = json_deep_copy(v);
			json_object_set_new(v, "pref", json_integer(max + 10));
			{
				int ret = edit_add(doc, "rules", "pref", v, "rule pref", err, errlen);

				json_decref(v);
				return ret;
			}
		}
		return edit_add(doc, "rules", "pref", v, "rule pref", err, errlen);
	}
	if (!strcmp(op, "rule-del")) {
		if (!(v = need(arg, "pref", err, errlen)))
			return -EINVAL;
		return edit_del(doc, "rules", "pref", v, "rule with pref", err, errlen);
	}
	return fail(err, errlen, -EOPNOTSUPP, "unknown request \"%s\"", op);
}

static void diff_section(json_t *old, json_t *nw, const char *section, const char *key,
			 json_t *out)
{
	json_t *oa = json_object_get(old, section), *na = json_object_get(nw, section);
	json_t *add = json_array(), *del = json_array(), *chg = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(na, i, v) {
		json_t *k = json_object_get(v, key);
		int j = k ? find_by(oa, key, k) : -1;

		if (j < 0)
			json_array_append(add, k);
		else if (!json_equal(json_array_get(oa, j), v))
			json_array_append(chg, k);
	}
	json_array_foreach(oa, i, v) {
		json_t *k = json_object_get(v, key);

		if (k && find_by(na, key, k) < 0)
			json_array_append(del, k);
	}
	json_object_set_new(json_object_get(out, "added"), section, add);
	json_object_set_new(json_object_get(out, "removed"), section, del);
	json_object_set_new(json_object_get(out, "changed"), section, chg);
}

json_t *sfc_state_diff(json_t *old, json_t *nw)
{
	json_t *out = json_pack("{s:{},s:{},s:{}}", "added", "removed", "changed");

	diff_section(old, nw, "ingress", "dev", out);
	diff_section(old, nw, "sfs", "name", out);
	diff_section(old, nw, "chains", "name", out);
	diff_section(old, nw, "rules", "pref", out);
	return out;
}

int sfc_state_diff_empty(json_t *diff)
{
	const char *k1, *k2;
	json_t *a, *b;

	json_object_foreach(diff, k1, a)
		json_object_foreach(a, k2, b)
			if (json_array_size(b))
				return 0;
	return 1;
}

/* --- CNI attachments: objects carrying a "cni" key */

static bool cni_match(json_t *obj, const char *network, const char *container,
		      const char *ifname)
{
	json_t *k = json_object_get(obj, "cni");
	const char *n = json_string_value(json_object_get(k, "network"));
	const char *c = json_string_value(json_object_get(k, "container"));
	const char *i = json_string_value(json_object_get(k, "ifname"));

	return k && n && c && !strcmp(n, network) && (!container || (c && !strcmp(c, container))) &&
	       (!ifname || (i && !strcmp(i, ifname)));
}

int sfc_state_detach(json_t *doc, const char *network, const char *container,
		     const char *ifname)
{
	static const char *const sections[] = { "ingress", "sfs" };
	int removed = 0;

	for (size_t s = 0; s < 2; s++) {
		json_t *arr = json_object_get(doc, sections[s]);

		for (size_t i = json_array_size(arr); i-- > 0;) {
			if (cni_match(json_array_get(arr, i), network, container, ifname)) {
				json_array_remove(arr, i);
				removed++;
			}
		}
	}
	return removed;
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

int sfc_state_attach(json_t *doc, json_t *req, char *err, size_t errlen)
{
	const char *net = json_string_value(json_object_get(req, "network"));
	const char *cid = json_string_value(json_object_get(req, "container"));
	const char *ifn = json_string_value(json_object_get(req, "ifname"));
	const char *role = json_string_value(json_object_get(req, "role"));
	const char *dev = json_string_value(json_object_get(req, "dev"));
	json_t *key, *obj;

	if (!net || !cid || !ifn || !role || !dev || !net[0] || !cid[0] || !ifn[0] || !dev[0])
		return fail(err, errlen, -EINVAL, "attach needs \"network\", \"container\", "
			    "\"ifname\", \"role\" and \"dev\" (non-empty strings)");
	sfc_state_detach(doc, net, cid, ifn);
	key = json_pack("{s:s,s:s,s:s}", "network", net, "container", cid, "ifname", ifn);
	if (!strcmp(role, "ingress")) {
		obj = json_pack("{s:s,s:o}", "dev", dev, "cni", key);
	} else if (!strcmp(role, "sf")) {
		const char *group = json_string_value(json_object_get(req, "sf"));
		json_t *groups = json_object_get(doc, "groups");
		char name[SFC_NAME_LEN];
		json_t *g = json_pack("{s:s}", "name", group ? group : "");

		if (!group || !group[0] || strlen(group) >= SFC_NAME_LEN) {
			json_decref(g);
			json_decref(key);
			return fail(err, errlen, -EINVAL, "role \"sf\" needs \"sf\": the name of "
				    "the SF group (1 to %d characters)", SFC_NAME_LEN - 1);
		}
		/* The first instance declares the group (scaling a function
		 * is starting another pod). */
		if (!groups) {
			groups = json_array();
			json_object_set_new(doc, "groups", groups);
		}
		if (find_by(groups, "name", json_object_get(g, "name")) < 0)
			json_array_append(groups, g);
		json_decref(g);
		snprintf(name, sizeof(name), "%.12s-%08x", group, key_hash(net, cid, ifn));
		obj = json_pack("{s:s,s:s,s:s,s:s,s:o}", "name", name, "kind", "iface", "dev", dev,
				"group", group, "cni", key);
		/* An SF pod that routes needs frames addressed to it. */
		if (json_is_string(json_object_get(req, "mac")))
			json_object_set(obj, "mac", json_object_get(req, "mac"));
	} else {
		json_decref(key);
		return fail(err, errlen, -EINVAL, "unknown role \"%s\" (expected \"sf\" or "
			    "\"ingress\")", role);
	}
	json_array_append_new(json_object_get(doc, strcmp(role, "ingress") ? "sfs" : "ingress"),
			      obj);
	return 0;
}

int sfc_state_gc(json_t *doc, const char *network, json_t *valid)
{
	static const char *const sections[] = { "ingress", "sfs" };
	int removed = 0;

	for (size_t s = 0; s < 2; s++) {
		json_t *arr = json_object_get(doc, sections[s]);

		for (size_t i = json_array_size(arr); i-- > 0;) {
			json_t *o = json_array_get(arr, i), *k = json_object_get(o, "cni"), *v;
			bool keep = false;
			size_t j;

			if (!cni_match(o, network, NULL, NULL))
				continue;
			json_array_foreach(valid, j, v)
				keep |= json_equal(json_object_get(v, "container"),
						   json_object_get(k, "container")) &&
					json_equal(json_object_get(v, "ifname"),
						   json_object_get(k, "ifname"));
			if (!keep) {
				json_array_remove(arr, i);
				removed++;
			}
		}
	}
	return removed;
}

json_t *sfc_state_find_attachment(json_t *doc, const char *network, const char *container,
				  const char *ifname)
{
	static const char *const sections[] = { "ingress", "sfs" };

	for (size_t s = 0; s < 2; s++) {
		size_t i;
		json_t *o;

		json_array_foreach(json_object_get(doc, sections[s]), i, o)
			if (cni_match(o, network, container, ifname))
				return o;
	}
	return NULL;
}
