// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command line's grammar: OBJECT [COMMAND] [NAME] [keyword VALUE]...
 * parsed into a struct cli_line without contacting sfcd, then run. "help",
 * "-h" or "--help" anywhere ask for the help of the level they are at.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sfcctl.h"

static const struct object *const objects[] = {
	&obj_ingress, &obj_group, &obj_sf, &obj_chain, &obj_rule, &obj_stats, &obj_top,
	&obj_monitor, &obj_apply, &obj_diff, &obj_dump, &obj_health, NULL,
};

int errf(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

json_t *find_by(json_t *arr, const char *key, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(json_object_get(v, key)) &&
		    !strcmp(json_string_value(json_object_get(v, key)), name))
			return v;
	return NULL;
}

void cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: sfcctl [OPTIONS] OBJECT [COMMAND] [keyword VALUE]...\n"
		"       sfcctl [OPTIONS] -b FILE [-force]\n"
		"       sfcctl help | sfcctl OBJECT help | sfcctl OBJECT COMMAND help\n"
		"\n"
		"Objects:\n");
	for (const struct object *const *o = objects; *o; o++)
		fprintf(f, "  %-9s %s\n", (*o)->name, (*o)->summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, -json          JSON output\n"
		"  -p, -pretty        indented JSON\n"
		"  -s, -socket PATH   sfcd's API socket (default %s)\n"
		"  -b, -batch FILE    run the commands in FILE, one per line (\"-\": stdin);\n"
		"                     the whole file is parsed before any line runs\n"
		"  -force             with -b: go on after a command sfcd refused, exit 1 at "
		"the end\n"
		"  -h, -help          this text\n"
		"\n"
		"help, -h or --help anywhere print the help of that level, and nothing runs.\n"
		"Keywords are matched exactly; see sfcctl(8).\n",
		SFC_API_DEFAULT_SOCKET);
}

static void object_usage(FILE *f, const struct object *o)
{
	fprintf(f, "Usage:\n");
	for (const struct cmd *cmd = o->cmds; cmd->fn; cmd++)
		cmd_usage(f, o->name, cmd);
}

static void object_list(char *buf, size_t len)
{
	size_t off = 0;

	for (const struct object *const *o = objects; *o && off < len; o++)
		off += snprintf(buf + off, len - off, "%s, ", (*o)->name);
	if (off < len)
		snprintf(buf + off, len - off, "help");
}

static void cmd_list(const struct object *o, char *buf, size_t len)
{
	size_t off = 0;

	for (const struct cmd *cmd = o->cmds; cmd->fn && off < len; cmd++)
		off += snprintf(buf + off, len - off, "%s, ", cmd->name);
	if (off < len)
		snprintf(buf + off, len - off, "help");
}

static const struct object *object_find(const char *name)
{
	for (const struct object *const *p = objects; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

static const struct cmd *cmd_find(const struct object *o, const char *name)
{
	for (const struct cmd *cmd = o->cmds; cmd->fn; cmd++)
		if (cmd->name && !strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

static bool is_keyword(const struct cmd *cmd, const char *word)
{
	for (const struct kw *k = cmd->kws; k && k->name; k++)
		if (!strcmp(k->name, word))
			return true;
	return false;
}

static bool is_help(const char *w)
{
	return !strcmp(w, "help") || !strcmp(w, "-h") || !strcmp(w, "-help") ||
	       !strcmp(w, "--help");
}

static bool any_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (is_help(argv[i]))
			return true;
	return false;
}

/* "help [OBJECT [COMMAND]]": the help of the level named. */
static int parse_help(struct ctx *c, int argc, char **argv, struct cli_line *l)
{
	l->help = HELP_TOP;
	if (argc < 1 || !(l->o = object_find(argv[0])))
		return 0;
	l->help = HELP_OBJECT;
	if (!l->o->cmds[0].name)
		l->cmd = &l->o->cmds[0];
	else if (argc > 1)
		l->cmd = cmd_find(l->o, argv[1]);
	if (l->cmd)
		l->help = HELP_CMD;
	return 0;
}

int cli_parse(struct ctx *c, int argc, char **argv, struct cli_line *l)
{
	const struct object *o;
	const struct cmd *cmd;
	char list[256], what[64];

	memset(l, 0, sizeof(*l));
	if (argc < 1) {
		object_list(list, sizeof(list));
		return errf(c, "missing OBJECT (expected %s)", list);
	}
	if (is_help(argv[0]))
		return parse_help(c, argc - 1, argv + 1, l);
	o = object_find(argv[0]);
	if (!o) {
		object_list(list, sizeof(list));
		return errf(c, "unknown object \"%s\" (expected %s)", argv[0], list);
	}
	argc--, argv++;
	l->o = o;

	if (!o->cmds[0].name) {
		/* an object that is its own command: stats, apply, dump */
		cmd = &o->cmds[0];
	} else if (argc > 0 && (cmd = cmd_find(o, argv[0]))) {
		argc--, argv++;
	} else if (any_help(argc, argv)) {
		l->help = HELP_OBJECT;
		return 0;
	} else {
		/* "sfcctl chain" is "sfcctl chain show", iproute2-style */
		cmd = o->dflt ? cmd_find(o, o->dflt) : NULL;
		if (!cmd || (argc > 0 && !is_keyword(cmd, argv[0]))) {
			cmd_list(o, list, sizeof(list));
			if (argc == 0)
				return errf(c, "%s: missing COMMAND (expected %s)", o->name, list);
			return errf(c, "%s: unknown command \"%s\" (expected %s)", o->name,
				    argv[0], list);
		}
	}
	l->cmd = cmd;
	/* before any value is read: "sf add -h kind ..." is help, never an
	 * SF named "-h" */
	if (any_help(argc, argv)) {
		l->help = HELP_CMD;
		return 0;
	}
	snprintf(what, sizeof(what), "%s%s%s", o->name, cmd->name ? " " : "",
		 cmd->name ? cmd->name : "");
	l->args = json_object();
	if (!l->args)
		return errf(c, "out of memory");
	if (kw_parse(c, what, cmd, argc, argv, l->args)) {
		cli_line_free(l);
		return -1;
	}
	return 0;
}

void cli_line_free(struct cli_line *l)
{
	json_decref(l->args);
	l->args = NULL;
}

static json_t *cmd_value(const struct cmd *cmd, json_t *args)
{
	return cmd->whole ? args : json_object_get(args, cmd->req_key);
}

json_t *cli_request(const struct cli_line *l)
{
	if (l->help || !l->cmd || !l->cmd->op)
		return NULL;
	return json_pack("{s:s,s:O}", SFC_KEY_CMD, l->cmd->op, l->cmd->req_key,
			 cmd_value(l->cmd, l->args));
}

int cmd_edit(struct ctx *c, const struct cmd *cmd, json_t *args)
{
	return sfcd_edit(c, cmd->op, cmd->req_key, cmd_value(cmd, args));
}

int cli_exec(struct ctx *c, const struct cli_line *l)
{
	switch (l->help) {
	case HELP_TOP:
		cli_usage(stdout);
		return 0;
	case HELP_OBJECT:
		object_usage(stdout, l->o);
		return 0;
	case HELP_CMD:
		printf("Usage:\n");
		cmd_usage(stdout, l->o->name, l->cmd);
		return 0;
	case HELP_NONE:
		break;
	}
	return l->cmd->fn(c, l->cmd, l->args) ? -1 : 0;
}
