// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl ingress: interfaces where traffic is classified. */
#include "sfcctl.h"

static const struct kw dev_kws[] = {
	{ .name = "dev", .type = KW_IFNAME, .key = "dev", .flags = KW_REQUIRED, .meta = "IFNAME" },
	{},
};

static const struct col ingress_cols[] = {
	{ .head = "DEV", .key = "dev" },
	{},
};

static void ingress_text(FILE *f, json_t *view)
{
	if (json_array_size(view))
		print_table(f, "", ingress_cols, view);
}

static int ingress_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *doc;

	if (sfcd_get_doc(c, &doc))
		return -1;
	print_view(c, json_object_get(doc, "ingress"), ingress_text);
	json_decref(doc);
	return 0;
}

static const struct cmd ingress_cmds[] = {
	{ .name = "add",
	  .fn = cmd_edit,
	  .summary = "classify the traffic received on IFNAME",
	  .kws = dev_kws,
	  .op = SFC_REQ_INGRESS_ADD,
	  .req_key = SFC_KEY_DEV },
	{ .name = "del",
	  .fn = cmd_edit,
	  .summary = "stop classifying on IFNAME",
	  .kws = dev_kws,
	  .op = SFC_REQ_INGRESS_DEL,
	  .req_key = SFC_KEY_DEV },
	{ .name = "show", .fn = ingress_show, .summary = "list the ingress points" },
	{},
};

const struct object obj_ingress = {
	.name = "ingress", .cmds = ingress_cmds, .dflt = "show",
	.summary = "interfaces whose received traffic is classified",
};
