// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * yieldgap: how long the pure parts of a large apply keep sfcd from its
 * yield hook (where it handles link events), phase by phase, with the
 * yield points and JSON allocators sfcd uses.
 *
 *	yieldgap -f DOC [-m sfcd|fastbins]
 *
 * Phases: the request's JSON parsed, the document read, validated, a
 * no-op diff, the JSON form built and written out as text, the rules
 * compiled, then the JSON trees and the document freed. For each: its
 * time and the longest stretch without a yield hook run (the hook runs at
 * most every SFC_YIELD_INTERVAL_US, so a gap near that is the floor).
 * -m sets malloc as sfcd does (sfcd: M_MMAP_THRESHOLD 256 KiB and no
 * fastbins, M_MXFAST 0, so freeing a large chunk has no fastbin
 * consolidation to do) or with glibc's fastbins (fastbins). One JSON line.
 */
#include <getopt.h>
#include <malloc.h>
#include <jansson.h>

#include "bench.h"
#include "jsonl.h"
#include "model.h"
#include "rules.h"
#include "yield.h"

static double last, worst;

static void hook(void *arg)
{
	double t = bench_now();

	(void)arg;
	if (t - last > worst)
		worst = t - last;
	last = t;
}

static double t_phase;

static void phase_start(void)
{
	t_phase = last = bench_now();
	worst = 0;
}

static void phase_end(const char *name, bool comma)
{
	double t = bench_now();

	hook(NULL);
	printf("%s\"%s\":{\"ms\":%.2f,\"max_gap_ms\":%.3f}", comma ? "," : "", name,
	       (t - t_phase) * 1e3, worst * 1e3);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *mode = "sfcd";
	char err[512], *text, *out;
	struct sfc_rule_set rs = {};
	struct sfc_doc doc;
	json_error_t je;
	json_t *req, *emitted, *diff;
	__u32 *chain_ids;
	size_t entries;
	long len;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "f:m:")) != -1) {
		if (c == 'f')
			file = optarg;
		else if (c == 'm')
			mode = optarg;
	}
	if (!file || (strcmp(mode, "sfcd") && strcmp(mode, "fastbins"))) {
		fprintf(stderr, "Usage: yieldgap -f DOC [-m sfcd|fastbins]\n");
		return 2;
	}
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	if (!strcmp(mode, "sfcd"))
		mallopt(M_MXFAST, 0);
	f = fopen(file, "r");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0) {
		fprintf(stderr, "yieldgap: %s: %s\n", file, strerror(errno));
		return 1;
	}
	rewind(f);
	text = malloc(len + 1);
	if (!text || fread(text, 1, len, f) != (size_t)len)
		return 1;
	fclose(f);
	sfc_yield_set(hook, NULL, SFC_YIELD_INTERVAL_US);
	sfc_json_yielding_allocs();

	printf("{\"mode\":\"%s\",\"bytes\":%ld,\"interval_ms\":%.1f", mode, len,
	       SFC_YIELD_INTERVAL_US / 1e3);
	phase_start();
	req = sfc_json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	phase_end("json_parse", true);
	if (!req) {
		fprintf(stderr, "yieldgap: %s: %s\n", file, je.text);
		return 1;
	}
	phase_start();
	if (sfc_doc_parse(req, &doc, err, sizeof(err))) {
		fprintf(stderr, "yieldgap: %s\n", err);
		return 1;
	}
	phase_end("read", true);
	phase_start();
	if (sfc_doc_validate(&doc, NULL, err, sizeof(err))) {
		fprintf(stderr, "yieldgap: %s\n", err);
		return 1;
	}
	phase_end("validate", true);
	phase_start();
	diff = sfc_doc_diff(&doc, &doc);
	json_decref(diff);
	phase_end("noop_diff", true);
	phase_start();
	emitted = sfc_doc_to_json(&doc);
	phase_end("emit", true);
	phase_start();
	out = sfc_json_dumps(emitted, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	phase_end("dump_text", true);
	chain_ids = calloc(doc.nchains + 1, sizeof(*chain_ids));
	for (int i = 0; i < doc.nchains; i++)
		chain_ids[i] = i + 1;
	phase_start();
	if (sfc_rules_compile(&doc, chain_ids, &rs, err, sizeof(err)))
		fprintf(stderr, "yieldgap: %s\n", err);
	phase_end("rules_compile", true);
	entries = rs.n;
	phase_start();
	sfc_rules_free(&rs);
	free(out);
	json_decref(emitted);
	json_decref(req);
	phase_end("free_json", true);
	phase_start();
	sfc_doc_free(&doc);
	phase_end("free_doc", true);
	printf(",\"rule_entries\":%zu}\n", entries);
	free(chain_ids);
	free(text);
	return 0;
}
