// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfcctl apply, diff, dump: the whole desired-state document; health. */
#include <errno.h>
#include <string.h>

#include "input.h"
#include "sfcctl.h"

static const struct kw apply_kws[] = {
	{ .name = "-f", .type = KW_PATH, .key = "file", .flags = KW_REQUIRED, .meta = "FILE" },
	{ .name = "--dry-run", .type = KW_FLAG, .key = SFC_KEY_DRY_RUN },
	{},
};

static const struct kw diff_kws[] = {
	{ .name = "-f", .type = KW_PATH, .key = "file", .flags = KW_REQUIRED, .meta = "FILE" },
	{},
};

/* Parse the file here first, so a syntax error gets its line and column. */
static json_t *load_doc(struct ctx *c, const char *path)
{
	FILE *f = sfc_input_open(path, "a document", c->err, sizeof(c->err));
	json_error_t je;
	json_t *doc;

	if (!f)
		return NULL;
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (f != stdin)
		fclose(f);
	if (!doc) {
		errf(c, "%s: line %d, column %d: %s", path, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		errf(c, "%s: expected a JSON object (the desired-state document)", path);
		return NULL;
	}
	return doc;
}

/* Words for the document's sections, in the order they depend on. */
static const struct {
	const char *section, *label;
} sections[] = {
	{ "ingress", "ingress" }, { "groups", "group" }, { "sfs", "sf" }, { "chains", "chain" },
	{ "rules", "rule pref" },
};

static const struct {
	const char *key, *mark;
} changes[] = { { "removed", "-" }, { "changed", "~" }, { "added", "+" } };

static int diff_lines(FILE *f, json_t *diff)
{
	int n = 0;

	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		for (size_t k = 0; k < sizeof(changes) / sizeof(changes[0]); k++) {
			json_t *arr = json_object_get(json_object_get(diff, changes[k].key),
						      sections[s].section), *v;
			char buf[64];
			size_t i;

			json_array_foreach(arr, i, v) {
				if (json_is_string(v))
					snprintf(buf, sizeof(buf), "%s", json_string_value(v));
				else
					snprintf(buf, sizeof(buf), "%lld",
						 (long long)json_integer_value(v));
				fprintf(f, "%s %s %s\n", changes[k].mark, sections[s].label, buf);
				n++;
			}
		}
	}
	return n;
}

static void diff_text(FILE *f, json_t *view)
{
	if (!diff_lines(f, view))
		fprintf(f, "no changes\n");
}

static void apply_text(FILE *f, json_t *view)
{
	if (!diff_lines(f, json_object_get(view, SFC_KEY_DIFF)))
		fprintf(f, "no changes\n");
	else if (!json_is_true(json_object_get(view, SFC_KEY_APPLIED)))
		fprintf(f, "dry run: nothing applied\n");
}

static int send_doc(struct ctx *c, json_t *args, bool dry, json_t **reply)
{
	const char *path = json_string_value(json_object_get(args, "file"));
	char msg[SFCCTL_ERR_LEN];
	json_t *doc, *req;
	int ret;

	doc = load_doc(c, path);
	if (!doc)
		return -1;
	req = json_pack("{s:s,s:O,s:b}", SFC_KEY_CMD, SFC_REQ_APPLY, SFC_KEY_DOC, doc,
			 SFC_KEY_DRY_RUN, dry);
	ret = sfcd_request(c, req, reply);
	json_decref(req);
	/* the daemon checked the file as a whole and names the object */
	if (ret == -2) {
		snprintf(msg, sizeof(msg), "%s", c->err);
		errf(c, "%s: %s", strcmp(path, "-") ? path : "<stdin>", msg);
	}
	print_warnings(*reply);
	json_decref(doc);
	return ret ? -1 : 0;
}

static int apply(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *reply, *view;

	if (send_doc(c, args, json_is_true(json_object_get(args, SFC_KEY_DRY_RUN)), &reply))
		return -1;
	view = json_pack("{s:O,s:O}", SFC_KEY_DIFF, json_object_get(reply, SFC_KEY_DIFF),
			 SFC_KEY_APPLIED, json_object_get(reply, SFC_KEY_APPLIED));
	print_view(c, view, apply_text);
	json_decref(view);
	json_decref(reply);
	return 0;
}

static int diff(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *reply;

	if (send_doc(c, args, true, &reply))
		return -1;
	print_view(c, json_object_get(reply, SFC_KEY_DIFF), diff_text);
	json_decref(reply);
	return 0;
}

/* The document's text form is indented JSON; -j alone makes it one line. */
static void dump_text(FILE *f, json_t *view)
{
	json_dumpf(view, f, JSON_INDENT(2));
	fputc('\n', f);
}

static int dump(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *doc;

	if (sfcd_get_doc(c, &doc))
		return -1;
	print_view(c, doc, dump_text);
	json_decref(doc);
	return 0;
}

/* One line a key; the reload error (an object) as "TIME ERROR". */
static void health_text(FILE *f, json_t *view)
{
	const char *key;
	char buf[64];
	json_t *v;

	json_object_foreach(view, key, v) {
		if (json_is_object(v) && json_object_get(v, SFC_KEY_ERROR))
			fprintf(f, "%-18s %s %s\n", key,
				fmt_any(v, SFC_KEY_TIME, buf, sizeof(buf)),
				json_string_value(json_object_get(v, SFC_KEY_ERROR)));
		else
			fprintf(f, "%-18s %s\n", key, fmt_any(view, key, buf, sizeof(buf)));
	}
}

static int health(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	json_t *req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_HEALTH), *reply;
	int ret;

	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	if (ret)
		return -1;
	json_object_del(reply, SFC_KEY_OK);
	print_view(c, reply, health_text);
	json_decref(reply);
	return 0;
}

static const struct cmd apply_cmds[] = {
	{ .fn = apply,
	  .summary = "make FILE (\"-\": stdin) the desired state, all or nothing; print what "
	             "changed. --dry-run: only print it",
	  .note = "Warnings (a rule whose in-dev is not an ingress point, objects of sfc-cni "
	          "removed) go to stderr; with --dry-run too.",
	  .kws = apply_kws },
	{},
};

static const struct cmd diff_cmds[] = {
	{ .fn = diff,
	  .summary = "what apply -f FILE would change (+ added, ~ changed, - removed)",
	  .kws = diff_kws },
	{},
};

static const struct cmd dump_cmds[] = {
	{ .fn = dump, .summary = "print the desired-state document, in the form apply takes" },
	{},
};

static const struct cmd health_cmds[] = {
	{ .fn = health,
	  .summary = "is sfcd alive: pid, generation, reconciles, netlink events" },
	{},
};

const struct object obj_apply = {
	.name = "apply", .cmds = apply_cmds,
	.summary = "apply a whole desired-state document (JSON)",
};

const struct object obj_diff = {
	.name = "diff", .cmds = diff_cmds,
	.summary = "show what applying a document would change",
};

const struct object obj_dump = {
	.name = "dump", .cmds = dump_cmds,
	.summary = "print the current desired-state document",
};

const struct object obj_health = {
	.name = "health", .cmds = health_cmds,
	.summary = "the daemon's status",
};
