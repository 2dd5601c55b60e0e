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
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "sfcctl.h"

static int run_batch(struct ctx *c, const char *path, bool force)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct batch b;
	FILE *f;
	int ret;

	f = sfc_input_open(path, "a batch file", c->err, sizeof(c->err));
	if (!f) {
		fprintf(stderr, "sfcctl: %s\n", c->err);
		return 1;
	}
	ret = batch_parse(c, f, name, stderr, &b);
	if (f != stdin)
		fclose(f);
	if (ret < 0) {
		fprintf(stderr, "sfcctl: %s: %s\n", name, strerror(-ret));
		return 1;
	}
	if (ret > 0) {
		fprintf(stderr, "sfcctl: %s: %d line%s with errors, nothing was run\n", name, ret,
			ret == 1 ? "" : "s");
		batch_free(&b);
		return 1;
	}
	ret = batch_run(c, &b, force, stderr);
	batch_free(&b);
	return ret ? 1 : 0;
}

/* One command line: parsed whole, then run. */
static int run(struct ctx *c, int argc, char **argv)
{
	struct cli_line l;
	int ret;

	if (cli_parse(c, argc, argv, &l))
		return -1;
	ret = cli_exec(c, &l);
	cli_line_free(&l);
	return ret;
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
			cli_usage(stdout);
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
		cli_usage(stderr);
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
