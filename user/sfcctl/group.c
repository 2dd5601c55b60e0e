// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl group: named sets of equivalent SFs. An SF joins a group with
 * "sf add ... group G" (sfc-cni does it for pods); a hop that names G is
 * served by every member, so a function scales by adding instances.
 */
#include <string.h>

#include "sfcctl.h"

/* ["fw-1","fw-2"] -> "fw-1,fw-2"; [{"chain":"web","hop":2}] -> "web hop 2" */
static const char *fmt_list(json_t *row, const char *key, char *buf, size_t len)
{
	size_t off = 0, i;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(json_object_get(row, key), i, v) {
		if (off >= len)
			break;
		if (json_is_string(v))
			off += snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					json_string_value(v));
		else
			off += snprintf(buf + off, len - off, "%s%s hop %lld", i ? ", " : "",
					json_string_value(json_object_get(v, "chain")),
					(long long)json_integer_value(json_object_get(v, "hop")));
	}
	return off ? buf : "-";
}

static const struct col group_cols[] = {
	{ .head = "NAME", .key = "name" },
	{ .head = "SFS", .key = "sfs", .fmt = fmt_list },
	{ .head = "USED-BY", .key = "used-by", .fmt = fmt_list },
	{},
};

static void group_text(FILE *f, json_t *view)
{
	if (json_array_size(view))
		print_table(f, "", group_cols, view);
}

static bool hop_names(json_t *hop, const char *name)
{
	size_t i;
	json_t *s;

	if (json_is_string(hop))
		return !strcmp(json_string_value(hop), name);
	if (json_is_object(hop))
		hop = json_object_get(hop, "tap");
	json_array_foreach(hop, i, s)
		if (json_is_string(s) && !strcmp(json_string_value(s), name))
			return true;
	return false;
}

/* {"name", "sfs": [members], "used-by": [{"chain", "hop"}]} */
static json_t *group_view(json_t *doc, const char *name)
{
	json_t *sfs = json_array(), *used = json_array(), *v, *hop;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "sfs"), i, v) {
		json_t *g = json_object_get(v, "group");

		if (json_is_string(g) && !strcmp(json_string_value(g), name))
			json_array_append(sfs, json_object_get(v, "name"));
	}
	json_array_foreach(json_object_get(doc, "chains"), i, v)
		json_array_foreach(json_object_get(v, "hops"), j, hop)
			if (hop_names(hop, name))
				json_array_append_new(used, json_pack("{s:O,s:I}", "chain",
								      json_object_get(v, "name"), "hop",
								      (json_int_t)j + 1));
	return json_pack("{s:s,s:o,s:o}", "name", name, "sfs", sfs, "used-by", used);
}

json_t *group_show_view(json_t *doc, const char *name)
{
	json_t *view = json_array(), *g;
	size_t i;

	json_array_foreach(json_object_get(doc, "groups"), i, g) {
		const char *gname = json_string_value(json_object_get(g, "name"));

		if (gname && (!name || !strcmp(name, gname)))
			json_array_append_new(view, group_view(doc, gname));
	}
	return view;
}

static int group_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *doc, *view;

	if (sfcd_get_doc(c, &doc))
		return -1;
	view = group_show_view(doc, name);
	json_decref(doc);
	if (name && !json_array_size(view)) {
		json_decref(view);
		return errf(c, "no group named \"%s\"", name);
	}
	print_view(c, view, group_text);
	json_decref(view);
	return 0;
}

static const struct cmd group_cmds[] = {
	{ .name = "add",
	  .fn = cmd_edit,
	  .summary = "declare a group; SFs join it with \"sf add ... group NAME\", hops name it",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .op = SFC_REQ_GROUP_ADD,
	  .req_key = SFC_KEY_NAME },
	{ .name = "del",
	  .fn = cmd_edit,
	  .summary = "remove a group that no SF is in and no hop names",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .op = SFC_REQ_GROUP_DEL,
	  .req_key = SFC_KEY_NAME },
	{ .name = "show",
	  .fn = group_show,
	  .summary = "list groups with their member SFs and the chain hops that name them",
	  .name_arg = NAME_OPTIONAL,
	  .name_meta = "NAME" },
	{},
};

const struct object obj_group = {
	.name = "group", .cmds = group_cmds, .dflt = "show",
	.summary = "groups of equivalent SFs, which a hop can name",
};
