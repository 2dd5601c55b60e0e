// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl rule: the classifier, match -> chain, lowest pref first. */
#include <stdio.h>
#include <stdlib.h>

#include "match.h"
#include "sfcctl.h"
#include "text.h"

/* Match fields: a new one is an entry here and a key in the document. */
static const struct kw rule_add_kws[] = {
	{ .name = "pref", .type = KW_UINT, .key = "pref", .meta = "N", .max = 4294967294LL },
	{ .name = "in-dev", .type = KW_IFNAME, .key = "in-dev", .meta = "IFNAME" },
	{ .name = "src", .type = KW_PREFIX, .key = "src", .meta = "PREFIX" },
	{ .name = "dst", .type = KW_PREFIX, .key = "dst", .meta = "PREFIX" },
	{ .name = "proto", .type = KW_PROTO, .key = "proto", .meta = "tcp|udp|sctp|icmp|icmpv6|N" },
	{ .name = "sport", .type = KW_PORTS, .key = "sport", .meta = "P[-P]" },
	{ .name = "dport", .type = KW_PORTS, .key = "dport", .meta = "P[-P]" },
	{ .name = "chain", .type = KW_NAME, .key = "chain", .flags = KW_REQUIRED, .meta = "NAME" },
	{},
};

/* The match fields together, as the document checks them. */
static int rule_check(struct ctx *c, const char *what, json_t *args)
{
	const char *src = json_string_value(json_object_get(args, "src"));
	const char *dst = json_string_value(json_object_get(args, "dst"));
	const char *proto = json_string_value(json_object_get(args, "proto"));
	json_t *pref = json_object_get(args, "pref");
	struct sfc_prefix s = {}, d = {};
	char why[128], label[32];

	if (src)
		sfc_parse_prefix(src, &s);
	if (dst)
		sfc_parse_prefix(dst, &d);
	if (!sfc_match_check(s.family, d.family, proto ? sfc_parse_proto(proto) : -1,
			     json_object_get(args, "sport"), json_object_get(args, "dport"),
			     why, sizeof(why)))
		return 0;
	/* labelled as sfcd labels the rule: the same message either way */
	if (pref)
		snprintf(label, sizeof(label), "rule pref %lld", (long long)json_integer_value(pref));
	return errf(c, "%s: %s", pref ? label : what, why);
}

static const struct kw rule_del_kws[] = {
	{ .name = "pref", .type = KW_UINT, .key = "pref", .flags = KW_REQUIRED, .meta = "N",
	  .max = 4294967294LL },
	{},
};

static const char *fmt_match(json_t *row, const char *key, char *buf, size_t len)
{
	const char *s = fmt_any(row, key, buf, len);

	return s[0] == '-' && !s[1] ? "any" : s;
}

static const struct col rule_cols[] = {
	{ .head = "PREF", .key = "pref", .right = true },
	{ .head = "IN-DEV", .key = "in-dev", .fmt = fmt_match },
	{ .head = "SRC", .key = "src", .fmt = fmt_match },
	{ .head = "DST", .key = "dst", .fmt = fmt_match },
	{ .head = "PROTO", .key = "proto", .fmt = fmt_match },
	{ .head = "SPORT", .key = "sport", .fmt = fmt_match },
	{ .head = "DPORT", .key = "dport", .fmt = fmt_match },
	{ .head = "CHAIN", .key = "chain" },
	{},
};

static void rule_text(FILE *f, json_t *view)
{
	if (json_array_size(view))
		print_table(f, "", rule_cols, view);
}

static int cmp_pref(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "pref"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "pref"));

	return (x > y) - (x < y);
}

static int rule_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *doc, *rules, *view, **v;
	size_t i, n;

	if (sfcd_get_doc(c, &doc))
		return -1;
	/* in the order the classifier tries them */
	rules = json_object_get(doc, "rules");
	n = json_array_size(rules);
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		json_decref(doc);
		return errf(c, "out of memory");
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(rules, i);
	qsort(v, n, sizeof(*v), cmp_pref);
	view = json_array();
	for (i = 0; i < n; i++)
		json_array_append(view, v[i]);
	free(v);
	print_view(c, view, rule_text);
	json_decref(view);
	json_decref(doc);
	return 0;
}

static const struct cmd rule_cmds[] = {
	{ .name = "add",
	  .fn = cmd_edit,
	  .summary = "send matching packets into a chain; without pref: after the last rule",
	  .kws = rule_add_kws,
	  .op = SFC_REQ_RULE_ADD,
	  .req_key = SFC_KEY_RULE,
	  .whole = true,
	  .check = rule_check,
	  .note = "Fields not given match anything; src and dst are of one address family; "
	          "sport and dport need proto tcp, udp or sctp, P is 0-65535 and a range goes "
	          "low to high; icmp goes with IPv4 prefixes, icmpv6 with IPv6 ones. An in-dev "
	          "that is not an ingress point is warned about: the rule matches nothing there." },
	{ .name = "del",
	  .fn = cmd_edit,
	  .summary = "remove the rule with this pref",
	  .kws = rule_del_kws,
	  .op = SFC_REQ_RULE_DEL,
	  .req_key = SFC_KEY_PREF },
	{ .name = "show",
	  .fn = rule_show,
	  .summary = "list rules, lowest pref (tried first) first" },
	{},
};

const struct object obj_rule = {
	.name = "rule", .cmds = rule_cmds, .dflt = "show",
	.summary = "classifier rules: match -> chain",
};
