// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl sf: service function instances. */
#include <string.h>

#include "model.h"      /* the document's limits: SFC_WEIGHT_MAX */
#include "sfcctl.h"

/* Kinds of SF. A new kind is a new entry here (and its keywords below). */
static const char *const sf_kinds[] = { "iface", NULL };

static const struct kw sf_add_kws[] = {
	{ .name = "kind",
	  .type = KW_CHOICE,
	  .key = "kind",
	  .flags = KW_REQUIRED,
	  .choices = sf_kinds },
	{ .name = "dev", .type = KW_IFNAME, .key = "dev", .flags = KW_REQUIRED, .meta = "IFNAME" },
	{ .name = "out-dev", .type = KW_IFNAME, .key = "out-dev", .meta = "IFNAME" },
	{ .name = "mac", .type = KW_MAC, .key = "mac", .meta = "MAC" },
	{ .name = "group", .type = KW_NAME, .key = "group", .meta = "GROUP" },
	{ .name = "weight", .type = KW_UINT, .key = "weight", .meta = "N", .min = 1,
	  .max = SFC_WEIGHT_MAX },
	{},
};

/* What sf set can change: only the weight, so it is required. */
static const struct kw sf_set_kws[] = {
	{ .name = "weight", .type = KW_UINT, .key = "weight", .flags = KW_REQUIRED, .meta = "N",
	  .min = 1, .max = SFC_WEIGHT_MAX },
	{},
};

static const struct col sf_cols[] = {
	{ .head = "NAME", .key = "name" },
	{ .head = "KIND", .key = "kind" },
	{ .head = "DEV", .key = "dev" },
	{ .head = "OUT-DEV", .key = "out-dev" },
	{ .head = "MAC", .key = "mac" },
	{ .head = "GROUP", .key = "group" },
	{ .head = "WEIGHT", .key = "weight", .right = true },
	{ .head = "STATE", .key = "up", .fmt = fmt_up },
	{},
};

static void sf_text(FILE *f, json_t *view)
{
	if (json_array_size(view))
		print_table(f, "", sf_cols, view);
}

static int sf_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *doc, *sfs, *view, *req, *reply = NULL, *sf;
	size_t i;

	if (sfcd_get_doc(c, &doc))
		return -1;
	sfs = json_object_get(doc, "sfs");
	if (name && !find_by(sfs, "name", name)) {
		json_decref(doc);
		return errf(c, "no SF named \"%s\"", name);
	}
	/* The SF's link state is the datapath's: ask for it with the counters. */
	req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_STATS);
	if (sfcd_request(c, req, &reply) == -1) {
		json_decref(req);
		json_decref(doc);
		return -1;
	}
	json_decref(req);
	view = json_array();
	json_array_foreach(sfs, i, sf) {
		json_t *row, *st;

		if (name && strcmp(name, json_string_value(json_object_get(sf, "name"))))
			continue;
		row = json_deep_copy(sf);
		if (!json_object_get(row, "kind"))
			json_object_set_new(row, "kind", json_string("iface"));
		if (!json_object_get(row, "weight"))
			json_object_set_new(row, "weight", json_integer(1));
		st = find_by(json_object_get(json_object_get(reply, SFC_KEY_STATS), "sfs"), "name",
			     json_string_value(json_object_get(sf, "name")));
		if (st)
			json_object_set(row, "up", json_object_get(st, "up"));
		json_array_append_new(view, row);
	}
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
	             "frames to it, a unicast MAC; group: an instance of GROUP, which a hop "
	             "can name; weight: its share of a hop's new flows, 1 to 1000, default 1)",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .kws = sf_add_kws,
	  .op = SFC_REQ_SF_ADD,
	  .req_key = SFC_KEY_SF,
	  .whole = true },
	{ .name = "set",
	  .fn = cmd_edit,
	  .summary = "change an SF's weight: a hop spreads new flows over its SFs in proportion "
	             "to their weights; flows already on an SF stay on it",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .kws = sf_set_kws,
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
	  .summary = "list SFs with their group, weight and link state",
	  .name_arg = NAME_OPTIONAL,
	  .name_meta = "NAME" },
	{},
};

const struct object obj_sf = {
	.name = "sf", .cmds = sf_cmds, .dflt = "show",
	.summary = "service function instances",
};
