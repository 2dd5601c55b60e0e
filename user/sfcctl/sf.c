// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl sf: service function instances. */
#include <string.h>

#include "model.h"      /* the document's limits: SFC_WEIGHT_MAX, SFC_PROBE_* */
#include "sfcctl.h"

/* Kinds of SF. A new kind is a new entry here (and its keywords below). */
static const char *const sf_kinds[] = { "iface", NULL };

static const char *const health_modes[] = { "none", "link", "probe", NULL };

/* The health keywords, the same in sf add and sf set. */
#define SF_HEALTH_KWS                                                                    \
	{ .name = "health", .type = KW_CHOICE, .key = "health", .choices = health_modes }, \
	{ .name = "probe", .type = KW_PROBE, .key = "probe",                               \
	  .meta = "icmp ADDRESS|tcp ADDRESS:PORT" },                                       \
	{ .name = "probe-from", .type = KW_ADDR, .key = "probe-from", .meta = "ADDRESS" }, \
	{ .name = "probe-interval", .type = KW_UINT, .key = "probe-interval", .meta = "MS", \
	  .min = SFC_PROBE_INTERVAL_MIN_MS, .max = SFC_PROBE_INTERVAL_MAX_MS },             \
	{ .name = "probe-fail", .type = KW_UINT, .key = "probe-fail", .meta = "N", .min = 1, \
	  .max = SFC_PROBE_COUNT_MAX },                                                    \
	{ .name = "probe-recover", .type = KW_UINT, .key = "probe-recover", .meta = "N",   \
	  .min = 1, .max = SFC_PROBE_COUNT_MAX }

static const struct kw sf_add_kws[] = {
	{ .name = "kind",
	  .type = KW_CHOICE,
	  .key = "kind",
	  .flags = KW_REQUIRED,
	  .choices = sf_kinds },
	{ .name = "dev", .type = KW_IFNAME, .key = "dev", .flags = KW_REQUIRED, .meta = "IFNAME" },
	{ .name = "out-dev", .type = KW_IFNAME, .key = "out-dev", .meta = "IFNAME" },
	{ .name = "mac", .type = KW_MAC, .key = "mac", .meta = "MAC" },
	{ .name = "out-mac", .type = KW_MAC, .key = "out-mac", .meta = "MAC" },
	{ .name = "group", .type = KW_NAME, .key = "group", .meta = "GROUP" },
	{ .name = "weight", .type = KW_UINT, .key = "weight", .meta = "N", .min = 1,
	  .max = SFC_WEIGHT_MAX },
	SF_HEALTH_KWS,
	{},
};

/* What sf set can change: the weight, the out-mac and the health settings,
 * at least one. */
static const struct kw sf_set_kws[] = {
	{ .name = "weight", .type = KW_UINT, .key = "weight", .meta = "N", .min = 1,
	  .max = SFC_WEIGHT_MAX },
	{ .name = "out-mac", .type = KW_MAC, .key = "out-mac", .flags = KW_NONE, .meta = "MAC" },
	SF_HEALTH_KWS,
	{},
};

/* The health keywords together, as the document checks them. */
static int sf_add_check(struct ctx *c, const char *what, json_t *args)
{
	struct sfc_sf_cfg sf;
	char err[SFC_ERR_LEN];

	if (sfc_sf_from_json(args, &sf, err, sizeof(err)))
		return errf(c, "%s: %s", what, err);
	return 0;
}

static int sf_set_check(struct ctx *c, const char *what, json_t *args)
{
	const char *health = json_string_value(json_object_get(args, "health"));
	struct sfc_sf_cfg sf = {};
	char err[SFC_ERR_LEN];

	if (json_object_size(args) < 2)
		return errf(c, "%s: nothing to change (expected weight, out-mac, health, probe, "
			    "probe-from, probe-interval, probe-fail or probe-recover)", what);
	/* What the SF has is sfcd's to check; only keys that contradict each
	 * other whatever it has are refused here: probe keys with health
	 * link or none, a probe and its probe-from of two families. */
	if ((health && strcmp(health, "probe")) ||
	    (json_object_get(args, "probe") && json_object_get(args, "probe-from"))) {
		snprintf(sf.name, sizeof(sf.name), "%s",
			 json_string_value(json_object_get(args, "name")));
		if (sfc_sf_set_from_json(args, &sf, err, sizeof(err)))
			return errf(c, "%s: %s", what, err);
	}
	return 0;
}

static const struct col sf_cols[] = {
	{ .head = "NAME", .key = "name" },
	{ .head = "KIND", .key = "kind" },
	{ .head = "DEV", .key = "dev" },
	{ .head = "OUT-DEV", .key = "out-dev" },
	{ .head = "MAC", .key = "mac" },
	{ .head = "OUT-MAC", .key = "out-mac" },
	{ .head = "GROUP", .key = "group" },
	{ .head = "WEIGHT", .key = "weight", .right = true },
	{ .head = "HEALTH", .key = "health" },
	{ .head = "PROBE", .key = "probe" },
	{ .head = "STATE", .key = "up", .fmt = fmt_up },
	{ .head = "CHECK", .key = "probe-state", .fmt = fmt_check },
	{},
};

static void sf_text(FILE *f, json_t *view)
{
	if (json_array_size(view))
		print_table(f, "", sf_cols, view);
}

json_t *sf_show_view(json_t *doc, json_t *stats, const char *name)
{
	json_t *view = json_array(), *sf;
	size_t i;

	json_array_foreach(json_object_get(doc, "sfs"), i, sf) {
		const char *sf_name = json_string_value(json_object_get(sf, "name"));
		json_t *row, *st;

		if (!sf_name || (name && strcmp(name, sf_name)))
			continue;
		row = json_deep_copy(sf);
		if (!json_object_get(row, "kind"))
			json_object_set_new(row, "kind", json_string("iface"));
		if (!json_object_get(row, "weight"))
			json_object_set_new(row, "weight", json_integer(1));
		/* the document leaves out the health it implies */
		if (!json_object_get(row, "health"))
			json_object_set_new(row, "health", json_string(json_object_get(row, "probe") ?
								       "probe" : "link"));
		st = find_by(json_object_get(stats, "sfs"), "name", sf_name);
		if (st)
			json_object_set(row, "up", json_object_get(st, "up"));
		/* a probed SF's probe: {"state", "since", "sent", "answered", "fails"} */
		if (json_is_object(json_object_get(st, "probe")))
			json_object_set(row, "probe-state", json_object_get(st, "probe"));
		json_array_append_new(view, row);
	}
	return view;
}

static int sf_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *doc, *view, *req, *reply = NULL;

	if (sfcd_get_doc(c, &doc))
		return -1;
	if (name && !find_by(json_object_get(doc, "sfs"), "name", name)) {
		json_decref(doc);
		return errf(c, "no SF named \"%s\"", name);
	}
	/* The SF's link and probe states are sfcd's: ask for them with the
	 * counters. */
	req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_STATS);
	if (sfcd_request(c, req, &reply) == -1) {
		json_decref(req);
		json_decref(doc);
		return -1;
	}
	json_decref(req);
	view = sf_show_view(doc, json_object_get(reply, SFC_KEY_STATS), name);
	print_view(c, view, sf_text);
	json_decref(view);
	json_decref(reply);
	json_decref(doc);
	return 0;
}

static const struct cmd sf_cmds[] = {
	{ .name = "add",
	  .fn = cmd_edit,
	  .summary = "a service function behind an interface (out-dev: two-arm; mac: address "
	             "frames to it, a unicast MAC; out-mac: a two-arm SF's MAC on its out-dev "
	             "side, where a symmetric chain's replies enter it, needed with mac there; "
	             "group: an instance of GROUP, which a hop "
	             "can name; weight: its share of a hop's new flows, 1 to 1000, default 1; "
	             "health: what takes it out of its hops, link (default: its interfaces "
	             "down), none, or probe: link or failing the probe sfcd sends out of dev)",
	  .note = "probe implies health probe. probe-from: the probe's source address, an "
	          "address of the SF's subnet that nothing else uses (required for IPv4; "
	          "sfcd answers ARP and ND for it). probe-interval: 100 to 60000 ms (1000); "
	          "probe-fail: failures in a row that take it out (3); probe-recover: "
	          "answers in a row that bring it back (2); both 1 to 100.",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .kws = sf_add_kws,
	  .check = sf_add_check,
	  .op = SFC_REQ_SF_ADD,
	  .req_key = SFC_KEY_SF,
	  .whole = true },
	{ .name = "set",
	  .fn = cmd_edit,
	  .summary = "change an SF's weight (a hop spreads new flows over its SFs in proportion "
	             "to their weights; flows already on an SF stay on it), out-mac or health "
	             "settings (the keywords of sf add); the others are kept",
	  .note = "out-mac none removes the out-mac. health link or none drops the probe "
	          "settings; probe without health means health probe.",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .kws = sf_set_kws,
	  .check = sf_set_check,
	  .op = SFC_REQ_SF_SET,
	  .req_key = SFC_KEY_SF,
	  .whole = true },
	{ .name = "del",
	  .fn = cmd_edit,
	  .summary = "remove an SF no chain uses",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .op = SFC_REQ_SF_DEL,
	  .req_key = SFC_KEY_NAME },
	{ .name = "show",
	  .fn = sf_show,
	  .summary = "list SFs with their group, weight, health settings, link state and "
	             "probe state (CHECK: up, down or pending, and for how long)",
	  .name_arg = NAME_OPTIONAL,
	  .name_meta = "NAME" },
	{},
};

const struct object obj_sf = {
	.name = "sf", .cmds = sf_cmds, .dflt = "show",
	.summary = "service function instances",
};
