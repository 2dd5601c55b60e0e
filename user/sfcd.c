// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcd: the sfc loader. Loads and pins the datapath, attaches it to the
 * interfaces of the desired-state document and writes the document into
 * the maps. With --once it exits after applying; the datapath keeps
 * running from the pins.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "datapath.h"
#include "log.h"
#include "model.h"
#include "stats.h"

#define SFC_DEFAULT_STATE "/var/lib/sfc/state.json"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sfcd [OPTIONS]\n"
		"\n"
		"  -o, --once              apply the state file and exit (the datapath keeps running)\n"
		"  -f, --state-file FILE   desired-state document (default %s)\n"
		"  -P, --pin-dir DIR       where maps are pinned (default %s)\n"
		"      --check             validate the state file and exit; touches nothing\n"
		"      --stats             print counters from the pinned maps and exit\n"
		"  -j, --json              with --stats: JSON output\n"
		"  -p, --pretty            with --json: indented\n"
		"      --unload            detach from every interface and remove the pins\n"
		"  -v, --verbose           more logging (repeat for libbpf debug output)\n"
		"  -h, --help              this text\n",
		SFC_DEFAULT_STATE, SFC_DEFAULT_PIN_DIR);
}

enum { OPT_STATS = 256, OPT_UNLOAD, OPT_CHECK };

static int do_stats(const char *pin_dir, int json, int pretty)
{
	struct sfc_dp *dp;
	json_t *st;
	int err;

	err = sfc_dp_open_pinned(pin_dir, &dp);
	if (err) {
		fprintf(stderr, "sfcd: no sfc datapath pinned at %s (is sfcd running with "
			"this --pin-dir?)\n", pin_dir);
		return 1;
	}
	st = sfc_stats_json(dp);
	if (json) {
		json_dumpf(st, stdout, pretty ? JSON_INDENT(2) : JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		sfc_stats_print_text(stdout, st);
	}
	json_decref(st);
	sfc_dp_close(dp);
	return 0;
}

static int do_unload(const char *pin_dir)
{
	struct sfc_dp *dp;
	int err;

	err = sfc_dp_open_pinned(pin_dir, &dp);
	if (!err) {
		sfc_detach_all(dp);
		sfc_dp_close(dp);
	}
	err = sfc_dp_unpin(pin_dir);
	if (err) {
		fprintf(stderr, "sfcd: removing %s: %s\n", pin_dir, strerror(-err));
		return 1;
	}
	return 0;
}

static int do_apply(const char *pin_dir, const char *state, int check_only)
{
	struct sfc_apply_report rep;
	char err[SFC_ERR_LEN * 2];
	struct sfc_doc doc;
	struct sfc_dp *dp;
	int ret;

	ret = sfc_doc_from_file(state, &doc, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sfcd: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: valid (%d ingress points, %d SFs, %d chains, %d rules)\n", state,
		       doc.ningress, doc.nsfs, doc.nchains, doc.nrules);
		sfc_doc_free(&doc);
		return 0;
	}
	ret = sfc_dp_load(pin_dir, &dp);
	if (ret) {
		sfc_doc_free(&doc);
		return 1;
	}
	ret = sfc_apply(dp, &doc, &rep, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sfcd: %s: %s\n", state, err[0] ? err : strerror(-ret));
	} else {
		pr_info("applied %s: %d interfaces attached (%d missing), %d SFs down, "
			"%d chains switched, %zu classifier entries in %d tuples\n", state,
			rep.ifaces_attached, rep.ifaces_missing, rep.sfs_down,
			rep.chains_switched, rep.rule_entries, rep.tuples);
	}
	sfc_dp_close(dp);
	sfc_doc_free(&doc);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "state-file", required_argument, NULL, 'f' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "unload", no_argument, NULL, OPT_UNLOAD },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *pin_dir = SFC_DEFAULT_PIN_DIR, *state = SFC_DEFAULT_STATE;
	int once = 0, stats = 0, unload = 0, check = 0, json = 0, pretty = 0, verbose = 0;
	int c;

	while ((c = getopt_long(argc, argv, "of:P:jpvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': once = 1; break;
		case 'f': state = optarg; break;
		case 'P': pin_dir = optarg; break;
		case OPT_STATS: stats = 1; break;
		case OPT_UNLOAD: unload = 1; break;
		case OPT_CHECK: check = 1; break;
		case 'j': json = 1; break;
		case 'p': pretty = 1; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sfcd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (stats + unload + check + once > 1) {
		fprintf(stderr, "sfcd: --once, --check, --stats and --unload exclude each other\n");
		return 2;
	}
	sfc_log_set_prefix("sfcd");
	sfc_log_set_level(verbose);
	sfc_log_hook_libbpf();

	if (stats)
		return do_stats(pin_dir, json, pretty);
	if (unload)
		return do_unload(pin_dir);
	if (check)
		return do_apply(pin_dir, state, 1);
	if (once)
		return do_apply(pin_dir, state, 0);
	fprintf(stderr, "sfcd: the daemon mode (socket API, rtnetlink) is not built yet; "
		"use --once to apply a state file\n");
	return 2;
}
