// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcctl's grammar without a daemon. The input is one command line, split
 * as a batch line is, parsed into a typed edit; or, after a first line
 * "#batch", a whole batch file. An edit sfcctl accepts must be one the
 * document accepts too: its SF, chain or rule goes through the model's
 * parser, and a refusal there is a crash (sfcctl would send what sfcd
 * then refuses, or worse, what it reads otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sfcctl.h"

#define MAX_WORDS 64

static FILE *null_out(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

/*
 * sf-set on SFs as they may be: whether health keys go through depends on
 * the SF's settings (a probe-interval needs a probe), which sfcctl cannot
 * know. A line sfcctl accepts must be one that some SF accepts: with
 * health link, with an IPv4 probe and its probe-from, or an IPv6 probe
 * (two of each, so that no address given can be the one of every base).
 */
static int sf_set_some_base(json_t *v, char *err, size_t len)
{
	static const char *const bases[] = {
		NULL,
		"{\"name\":\"b\",\"dev\":\"s0\",\"probe\":\"icmp 192.0.2.10\",\"probe-from\":\"192.0.2.1\"}",
		"{\"name\":\"b\",\"dev\":\"s0\",\"probe\":\"icmp 192.0.2.20\",\"probe-from\":\"192.0.2.2\"}",
		"{\"name\":\"b\",\"dev\":\"s0\",\"probe\":\"icmp 2001:db8::10\"}",
		"{\"name\":\"b\",\"dev\":\"s0\",\"probe\":\"icmp 2001:db8::20\"}",
	};
	int ret = -1;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]) && ret; i++) {
		struct sfc_sf_cfg sf = {};
		json_t *b = bases[i] ? json_loads(bases[i], 0, NULL) : NULL;

		if (b && sfc_sf_from_json(b, &sf, err, len))
			abort(); /* a base the document refuses: this file is wrong */
		json_decref(b);
		ret = sfc_sf_set_from_json(v, &sf, err, len);
	}
	return ret;
}

/* The object of an edit request as the document's parser reads it. */
static void check_with_model(json_t *req)
{
	const char *op = json_string_value(json_object_get(req, SFC_KEY_CMD));
	char err[SFC_ERR_LEN] = "";
	struct sfc_chain_cfg chain = {};
	struct sfc_rule_cfg rule;
	struct sfc_sf_cfg sf = {};
	bool has_pref;
	int ret = 0;

	if (!strcmp(op, SFC_REQ_SF_ADD))
		ret = sfc_sf_from_json(json_object_get(req, "sf"), &sf, err, sizeof(err));
	else if (!strcmp(op, SFC_REQ_SF_SET))
		ret = sf_set_some_base(json_object_get(req, "sf"), err, sizeof(err));
	else if (!strcmp(op, SFC_REQ_CHAIN_ADD))
		ret = sfc_chain_from_json(json_object_get(req, "chain"), &chain, false, err,
					  sizeof(err));
	else if (!strcmp(op, SFC_REQ_CHAIN_SET))
		ret = sfc_chain_from_json(json_object_get(req, "chain"), &chain, true, err,
					  sizeof(err));
	else if (!strcmp(op, SFC_REQ_RULE_ADD))
		ret = sfc_rule_from_json(json_object_get(req, "rule"), &rule, "rule add",
					 &has_pref, err, sizeof(err));
	if (ret) {
		char *s = json_dumps(req, JSON_COMPACT);

		fprintf(stderr, "fuzz_cli: sfcctl sends %s, the document refuses it: %s\n", s, err);
		abort();
	}
}

static void one_line(char *text)
{
	struct ctx c = { .fd = -1 };
	char *argv[MAX_WORDS];
	struct cli_line l;
	const char *why;
	json_t *req;
	int argc;

	argc = split_line(text, argv, MAX_WORDS, &why);
	if (argc < 0 || cli_parse(&c, argc, argv, &l))
		return;
	req = cli_request(&l);
	if (req)
		check_with_model(req);
	json_decref(req);
	cli_line_free(&l);
}

static void batch(const unsigned char *data, size_t size)
{
	struct ctx c = { .fd = -1 };
	struct batch b;
	FILE *f;

	f = fmemopen((void *)data, size, "r");
	if (!f)
		return;
	if (batch_parse(&c, f, "fuzz", null_out(), &b) >= 0) {
		for (size_t i = 0; i < b.n; i++) {
			json_t *req = cli_request(&b.lines[i].l);

			if (req)
				check_with_model(req);
			json_decref(req);
		}
		batch_free(&b);
	}
	fclose(f);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char mark[] = "#batch\n";
	char *text;

	if (size > 4096)
		return 0;
	if (size >= sizeof(mark) - 1 && !memcmp(data, mark, sizeof(mark) - 1)) {
		batch(data + sizeof(mark) - 1, size - (sizeof(mark) - 1));
		return 0;
	}
	/* one line: what a shell hands sfcctl has no NUL and no newline */
	text = strndup((const char *)data, size);
	if (!text)
		return 0;
	text[strcspn(text, "\n")] = '\0';
	one_line(text);
	free(text);
	return 0;
}
