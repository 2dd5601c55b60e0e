// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl chain: ordered hops of SFs, each chain with its SPI. */
#include <string.h>

#include "sfcctl.h"

#define SPI_MAX 0xffffff

static const char *const on_failure[] = { "drop", "bypass", NULL };
static const char *const end_modes[] = { "stack", "xdp", "auto", NULL };

/* Chain options: a new one is an entry here and a key in the document. */
static const struct kw chain_add_kws[] = {
	{ .name = "hop",
	  .type = KW_HOP,
	  .key = "hops",
	  .flags = KW_REQUIRED | KW_REPEAT,
	  .meta = "SF|GROUP[,...]" },
	{ .name = "tap", .type = KW_TAP, .key = "hops", .flags = KW_REPEAT,
	  .meta = "SF|GROUP[,...]" },
	{ .name = "spi", .type = KW_UINT, .key = "spi", .meta = "N", .min = 1, .max = SPI_MAX },
	{ .name = "on-failure", .type = KW_CHOICE, .key = "on-failure", .choices = on_failure },
	{ .name = "end", .type = KW_CHOICE, .key = "end", .choices = end_modes },
	{ .name = "symmetric", .type = KW_BOOL, .key = "symmetric", .flags = KW_OPTVAL },
	{},
};

static const struct kw chain_set_kws[] = {
	{ .name = "hop", .type = KW_HOP, .key = "hops", .flags = KW_REPEAT,
	  .meta = "SF|GROUP[,...]" },
	{ .name = "tap", .type = KW_TAP, .key = "hops", .flags = KW_REPEAT,
	  .meta = "SF|GROUP[,...]" },
	{ .name = "spi", .type = KW_UINT, .key = "spi", .meta = "N", .min = 1, .max = SPI_MAX },
	{ .name = "on-failure", .type = KW_CHOICE, .key = "on-failure", .choices = on_failure },
	{ .name = "end", .type = KW_CHOICE, .key = "end", .choices = end_modes },
	{ .name = "symmetric", .type = KW_BOOL, .key = "symmetric" },
	{},
};

#define SYMMETRIC_NOTE "symmetric: the replies of each flow (its reversed 5-tuple, " \
	"entering at any ingress point) go through the same SF instances in reverse order, " \
	"whatever rules they match, so a stateful SF sees both directions; a reply enters " \
	"a two-arm SF from its out-dev side, so one with a mac needs an out-mac."

static int chain_add(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *chain, *spi = json_object_get(args, "spi");
	int ret;

	/* the document's key order: name, spi, hops, options; without spi,
	 * sfcd numbers the chain (the lowest SPI no chain uses) */
	chain = json_pack("{s:O}", "name", json_object_get(args, "name"));
	if (spi)
		json_object_set(chain, "spi", spi);
	json_object_set(chain, "hops", json_object_get(args, "hops"));
	json_object_update_missing(chain, args);
	ret = sfcd_edit(c, cmd->op, cmd->req_key, chain);
	json_decref(chain);
	return ret;
}

static int chain_set_check(struct ctx *c, const char *what, json_t *args)
{
	if (json_object_size(args) < 2)
		return errf(c, "%s: nothing to change (expected hop, tap, spi, on-failure, end or "
			    "symmetric)", what);
	return 0;
}

static const struct col chain_cols[] = {
	{ .head = "NAME", .key = "name" },
	{ .head = "SPI", .key = "spi", .right = true },
	{ .head = "ON-FAILURE", .key = "on-failure" },
	{ .head = "END", .key = "end" },
	{ .head = "SYMMETRIC", .key = "symmetric", .fmt = fmt_onoff },
	{ .head = "HOPS", .key = "hops", .fmt = fmt_hops },
	{},
};

static void chain_text(FILE *f, json_t *view)
{
	if (json_array_size(view))
		print_table(f, "", chain_cols, view);
}

/* A chain as shown: defaults filled in, every hop a list. */
static json_t *chain_view(json_t *ch)
{
	json_t *row = json_deep_copy(ch), *hops = json_object_get(row, "hops"), *hop;
	size_t i;

	if (!json_object_get(row, "on-failure"))
		json_object_set_new(row, "on-failure", json_string("drop"));
	if (!json_object_get(row, "end"))
		json_object_set_new(row, "end", json_string("stack"));
	if (!json_object_get(row, "symmetric"))
		json_object_set_new(row, "symmetric", json_false());
	json_array_foreach(hops, i, hop)
		if (json_is_string(hop))
			json_array_set_new(hops, i, json_pack("[O]", hop));
	return row;
}

static int chain_show(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *doc, *view, *ch;
	size_t i;

	if (sfcd_get_doc(c, &doc))
		return -1;
	view = json_array();
	json_array_foreach(json_object_get(doc, "chains"), i, ch)
		if (!name || !strcmp(name, json_string_value(json_object_get(ch, "name"))))
			json_array_append_new(view, chain_view(ch));
	json_decref(doc);
	if (name && !json_array_size(view)) {
		json_decref(view);
		return errf(c, "no chain named \"%s\"", name);
	}
	print_view(c, view, chain_text);
	json_decref(view);
	return 0;
}

/* The flows still on older versions of the chain (of every chain without
 * a name) move to its current version. */
static int chain_migrate(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	json_t *req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_MIGRATE), *reply;
	int ret;

	if (name)
		json_object_set_new(req, SFC_KEY_CHAIN, json_string(name));
	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	if (ret)
		return -1;
	json_object_del(reply, SFC_KEY_OK);
	if (c->json)
		print_view(c, reply, NULL);
	else
		printf("%lld flows moved to the current version\n",
		       (long long)json_integer_value(json_object_get(reply, SFC_KEY_MIGRATED)));
	json_decref(reply);
	return 0;
}

static const struct cmd chain_cmds[] = {
	{ .name = "add",
	  .fn = chain_add,
	  .summary = "a chain of hops, in order; a hop of several SFs balances flows over "
	             "them; a tap hop's SF gets a copy of each packet and sends nothing back, "
	             "the packet goes on to the next hop. Without spi: the lowest free one",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .kws = chain_add_kws,
	  .note = SYMMETRIC_NOTE,
	  .op = SFC_REQ_CHAIN_ADD,
	  .req_key = SFC_KEY_CHAIN,
	  .whole = true },
	{ .name = "set",
	  .fn = cmd_edit,
	  .summary = "change a chain in one step: hops and taps given replace all hops; "
	             "symmetric as for chain add",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .kws = chain_set_kws,
	  .op = SFC_REQ_CHAIN_SET,
	  .req_key = SFC_KEY_CHAIN,
	  .whole = true,
	  .check = chain_set_check },
	{ .name = "del",
	  .fn = cmd_edit,
	  .summary = "remove a chain no rule uses",
	  .name_arg = NAME_REQUIRED,
	  .name_meta = "NAME",
	  .op = SFC_REQ_CHAIN_DEL,
	  .req_key = SFC_KEY_NAME },
	{ .name = "migrate",
	  .fn = chain_migrate,
	  .summary = "move the flows still on older versions of the chain (of every chain "
	             "without NAME) to its current version",
	  .name_arg = NAME_OPTIONAL,
	  .name_meta = "NAME",
	  .note = "An edit of a chain leaves the flows already on it on the version they "
	          "started on, so their packets in flight never skip or repeat a hop; new "
	          "flows take the new version, and an older version goes once its flows "
	          "have ended (idle for about two seconds). After migrate, each such flow "
	          "takes the current version at its next packet; packets of it inside an "
	          "SF at that moment follow the chain's on-failure policy." },
	{ .name = "show",
	  .fn = chain_show,
	  .summary = "list chains",
	  .name_arg = NAME_OPTIONAL,
	  .name_meta = "NAME" },
	{},
};

const struct object obj_chain = {
	.name = "chain", .cmds = chain_cmds, .dflt = "show",
	.summary = "service function chains (ordered hops of SFs or groups, and taps)",
};
