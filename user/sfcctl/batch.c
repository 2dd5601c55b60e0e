// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl -b FILE: every line is parsed (quoting, objects, commands,
 * keywords, values) before the first one runs, so a typo on line 6 leaves
 * lines 1 to 5 unapplied. Then the lines run in order, on one connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfcctl.h"

#define BATCH_MAX_WORDS 512

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int split_line(char *line, char **argv, int max, const char **why)
{
	char *in = line, *out = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (blank(*in))
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
			} else if (blank(*in)) {
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

static int batch_add(struct batch *b, size_t lineno, struct cli_line *l)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct batch_line *n = realloc(b->lines, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->lines = n;
		b->cap = cap;
	}
	b->lines[b->n].lineno = lineno;
	b->lines[b->n].l = *l;
	b->n++;
	return 0;
}

int batch_parse(struct ctx *c, FILE *f, const char *name, FILE *errs, struct batch *b)
{
	size_t cap = 0, lineno = 0;
	char *line = NULL, *argv[BATCH_MAX_WORDS];
	int bad = 0, err = 0;

	memset(b, 0, sizeof(*b));
	b->name = name;
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		const char *why = NULL;
		struct cli_line l;
		int argc;

		lineno++;
		argc = split_line(line, argv, BATCH_MAX_WORDS, &why);
		if (argc == 0)
			continue;
		if (argc < 0) {
			fprintf(errs, "%s:%zu: %s\n", name, lineno, why);
			bad++;
			continue;
		}
		if (cli_parse(c, argc, argv, &l)) {
			fprintf(errs, "%s:%zu: %s\n", name, lineno, c->err);
			bad++;
			continue;
		}
		err = batch_add(b, lineno, &l);
		if (err) {
			cli_line_free(&l);
			break;
		}
	}
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	if (err) {
		batch_free(b);
		return err;
	}
	return bad;
}

int batch_run(struct ctx *c, const struct batch *b, bool force, FILE *errs)
{
	int failed = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (!cli_exec(c, &b->lines[i].l))
			continue;
		fprintf(errs, "%s:%zu: %s\n", b->name, b->lines[i].lineno, c->err);
		failed++;
		if (!force)
			break;
	}
	return failed;
}

void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		cli_line_free(&b->lines[i].l);
	free(b->lines);
	b->lines = NULL;
	b->n = b->cap = 0;
}
