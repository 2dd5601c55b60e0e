// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl: the operators' CLI for sfc. iproute2's grammar and habits:
 *
 *	sfcctl [OPTIONS] OBJECT [COMMAND] [NAME] [keyword VALUE]...
 *	sfcctl [OPTIONS] -b FILE [-force]
 *
 * exact keywords, "help" at every level, -j for JSON, -b for a batch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sfcctl.h"

static const struct object *const objects[] = {
	&obj_ingress, &obj_sf, &obj_chain, &obj_rule, &obj_stats,
	&obj_apply, &obj_diff, &obj_dump, &obj_health, NULL,
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

static void usage(FILE *f)
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
		"  -b, -batch FILE    run the commands in FILE, one per line (\"-\": stdin)\n"
		"  -force             with -b: go on after a failed command, exit 1 at the end\n"
		"  -h, -help          this text\n"
		"\n"
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

/* One command line: OBJECT [COMMAND] [args]. 0, or -1 with c->err set. */
static int run(struct ctx *c, int argc, char **argv)
{
	const struct object *o = NULL;
	const struct cmd *cmd;
	char list[256], what[64];
	json_t *args;
	int ret;

	if (argc < 1) {
		object_list(list, sizeof(list));
		return errf(c, "missing OBJECT (expected %s)", list);
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (const struct object *const *p = objects; *p; p++)
		if (!strcmp((*p)->name, argv[0]))
			o = *p;
	if (!o) {
		object_list(list, sizeof(list));
		return errf(c, "unknown object \"%s\" (expected %s)", argv[0], list);
	}
	argc--, argv++;

	if (!o->cmds[0].name) {
		/* an object that is its own command: stats, apply, dump */
		cmd = &o->cmds[0];
	} else if (argc > 0 && !strcmp(argv[0], "help")) {
		object_usage(stdout, o);
		return 0;
	} else if (argc > 0 && (cmd = cmd_find(o, argv[0]))) {
		argc--, argv++;
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
	if (argc > 0 && !strcmp(argv[0], "help")) {
		printf("Usage:\n");
		cmd_usage(stdout, o->name, cmd);
		return 0;
	}
	snprintf(what, sizeof(what), "%s%s%s", o->name, cmd->name ? " " : "",
		 cmd->name ? cmd->name : "");
	args = json_object();
	ret = kw_parse(c, what, cmd, argc, argv, args);
	if (!ret)
		ret = cmd->fn(c, cmd, args) ? -1 : 0;
	json_decref(args);
	return ret;
}

/*
 * Split a batch line into words like a shell would, minus expansion:
 * blanks separate, '...' and "..." quote, backslash escapes, an unquoted #
 * starting a word begins a comment. Returns the word count or -1.
 */
static int split_line(char *line, char **argv, int max, const char **why)
{
	char *in = line, *out = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
			in++;
		if (!*in || *in == '#')
			return argc;
		if (argc == max) {
			*why = "too many words";
			return -1;
		}
		argv[argc++] = out;
		for (; *in; in++) {
			if (quote) {
				if (*in == quote)
					quote = 0;
				else if (*in == '\\' && quote == '"' && in[1])
					*out++ = *++in;
				else
					*out++ = *in;
			} else if (*in == '\'' || *in == '"') {
				quote = *in;
			} else if (*in == '\\' && in[1]) {
				*out++ = *++in;
			} else if (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n') {
				break;
			} else {
				*out++ = *in;
			}
		}
		if (quote) {
			*why = "unterminated quote";
			return -1;
		}
		if (*in)
			in++;
		*out++ = '\0';
	}
}

static int run_batch(struct ctx *c, const char *path, bool force)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	size_t cap = 0, lineno = 0;
	char *line = NULL, *argv[512];
	int failed = 0;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "sfcctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (getline(&line, &cap, f) >= 0) {
		const char *why = NULL;
		int argc;

		lineno++;
		argc = split_line(line, argv, sizeof(argv) / sizeof(argv[0]), &why);
		if (argc == 0)
			continue;
		if (argc < 0)
			errf(c, "%s", why);
		if (argc < 0 || run(c, argc, argv)) {
			fprintf(stderr, "%s:%zu: %s\n", name, lineno, c->err);
			failed++;
			if (!force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool bare = argc < 2;
	struct ctx c = { .sock_path = SFC_API_DEFAULT_SOCKET, .fd = -1 };
	const char *batch = NULL;
	bool force = false;
	int ret;

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *opt = argv[1];

		/* iproute2 takes --json as well as -json */
		if (opt[1] == '-')
			opt++;
		if (!strcmp(opt, "-j") || !strcmp(opt, "-json")) {
			c.json = true;
		} else if (!strcmp(opt, "-p") || !strcmp(opt, "-pretty")) {
			c.pretty = true;
		} else if (!strcmp(opt, "-force")) {
			force = true;
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "-help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(opt, "-b") || !strcmp(opt, "-batch") ||
			   !strcmp(opt, "-s") || !strcmp(opt, "-socket")) {
			if (argc < 3) {
				fprintf(stderr, "sfcctl: option \"%s\" needs a value (%s)\n", argv[1],
					opt[1] == 'b' ? "FILE" : "SOCKET");
				return 1;
			}
			if (opt[1] == 'b')
				batch = argv[2];
			else
				c.sock_path = argv[2];
			argc--, argv++;
		} else {
			fprintf(stderr, "sfcctl: unknown option \"%s\" (expected -j, -p, -s SOCKET, "
				"-b FILE, -force, -h)\n", argv[1]);
			return 1;
		}
		argc--, argv++;
	}
	if (batch) {
		if (argc > 1) {
			fprintf(stderr, "sfcctl: with -b, no command on the command line "
				"(found \"%s\")\n", argv[1]);
			return 1;
		}
		ret = run_batch(&c, batch, force);
	} else if (bare) {
		usage(stderr);
		ret = 1;
	} else {
		ret = run(&c, argc - 1, argv + 1);
		if (ret)
			fprintf(stderr, "sfcctl: %s\n", c.err);
		ret = ret ? 1 : 0;
	}
	sfcd_close(&c);
	return ret;
}
