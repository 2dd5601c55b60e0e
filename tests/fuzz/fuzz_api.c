// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfcd's API: request lines through sfcd_api_handle (user/sfcd/api.c), the
 * parser and dispatcher sfcd runs, against a document with ingress points,
 * groups, SFs, chains, rules and CNI attachments. The datapath, the kernel
 * and the state file are stubs (api_stubs.c). Every input line gets a
 * reply that serializes, {"ok": true, ...} or {"ok": false, "error": "..."};
 * a known request is never answered "unknown request"; the document stays
 * valid and dumps to a document that parses back to itself.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfcd.h"

static const char seed_doc[] =
	"{\"version\":1,"
	"\"ingress\":[{\"dev\":\"up0\"},{\"dev\":\"pod0\",\"cni\":{\"network\":\"n\","
	"\"container\":\"c0\",\"ifname\":\"eth0\"}}],"
	"\"groups\":[{\"name\":\"fws\"}],"
	"\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"02:00:00:00:00:01\"},"
	"{\"name\":\"ids\",\"dev\":\"s1\",\"out-dev\":\"s2\",\"group\":\"fws\"},"
	"{\"name\":\"cni-1\",\"dev\":\"pod1\",\"group\":\"fws\",\"cni\":{\"network\":\"n\","
	"\"container\":\"c1\",\"ifname\":\"eth0\"}}],"
	"\"chains\":[{\"name\":\"web\",\"spi\":10,\"hops\":[\"fw\",[\"ids\",\"fws\"]]},"
	"{\"name\":\"all\",\"on-failure\":\"bypass\",\"hops\":[\"fws\"]}],"
	"\"rules\":[{\"pref\":10,\"in-dev\":\"up0\",\"src\":\"198.18.0.0/15\","
	"\"proto\":\"udp\",\"dport\":\"5000-5099\",\"chain\":\"web\"},"
	"{\"pref\":20,\"dst\":\"2001:db8::/32\",\"chain\":\"all\"}]}";

static struct sfc_doc seed;
static struct sfc_dp dp = {
	.xdp_fd = -1, .xdp_peer_fd = -1, .tc_ingress_fd = -1, .tc_egress_fd = -1,
};

static const char *const known[] = {
	SFC_REQ_GET, SFC_REQ_APPLY, SFC_REQ_HEALTH, SFC_REQ_STATS, SFC_REQ_INGRESS_ADD,
	SFC_REQ_INGRESS_DEL, SFC_REQ_SF_ADD, SFC_REQ_SF_SET, SFC_REQ_SF_DEL, SFC_REQ_GROUP_ADD,
	SFC_REQ_GROUP_DEL, SFC_REQ_CHAIN_ADD, SFC_REQ_CHAIN_SET, SFC_REQ_CHAIN_DEL,
	SFC_REQ_RULE_ADD, SFC_REQ_RULE_DEL, SFC_REQ_ATTACH, SFC_REQ_DETACH, SFC_REQ_CHECK,
	SFC_REQ_GC, SFC_REQ_MIGRATE, SFC_REQ_MONITOR, NULL,
};

static void die(const char *what, const char *line, size_t len, const char *detail)
{
	fprintf(stderr, "fuzz_api: %s\n  request: %.*s\n  %s\n", what, (int)len, line,
		detail ? detail : "");
	abort();
}

static bool is_known(const char *line, size_t len)
{
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	const char *cmd = json_string_value(json_object_get(req, SFC_KEY_CMD));
	bool found = false;

	for (const char *const *k = known; cmd && *k && !found; k++)
		found = !strcmp(cmd, *k);
	json_decref(req);
	return found;
}

static void check_reply(json_t *reply, const char *line, size_t len)
{
	json_t *ok = json_object_get(reply, SFC_KEY_OK);
	const char *msg = json_string_value(json_object_get(reply, SFC_KEY_ERROR));
	char *s;

	if (!json_is_object(reply) || !json_is_boolean(ok))
		die("no reply object with \"ok\"", line, len, NULL);
	s = json_dumps(reply, JSON_COMPACT);
	if (!s)
		die("the reply does not serialize", line, len, NULL);
	if (json_is_false(ok) && !msg)
		die("a refusal without \"error\"", line, len, s);
	if (msg && !strncmp(msg, "unknown request", 15) && is_known(line, len))
		die("a known request answered as unknown", line, len, s);
	free(s);
}

/* The document sfcd holds stays valid and canonical. */
static void check_doc(struct sfcd *d, const char *line, size_t len)
{
	json_t *j = sfc_doc_to_json(&d->doc);
	char err[SFC_ERR_LEN], *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct sfc_doc again;

	if (!s)
		die("the document does not dump", line, len, NULL);
	if (sfc_doc_from_json_text(s, strlen(s), &again, err, sizeof(err)))
		die("the document's dump is refused", line, len, err);
	sfc_doc_free(&again);
	free(s);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sfcd d = { .pin_dir = "/sys/fs/bpf/fuzz", .state_path = "/nonexistent/state.json",
			  .socket_path = "/nonexistent/sfcd.sock", .dp = &dp, .listen_fd = -1,
			  .nl_fd = -1, .sig_fd = -1, .timer_fd = -1, .epfd = -1 };
	const char *p = (const char *)data, *end = p + size;
	char err[SFC_ERR_LEN];

	/* no map is open: every descriptor -1, however many struct sfc_maps has */
	if (dp.maps.config == 0) {
		int *fd = (int *)&dp.maps;

		for (size_t i = 0; i < sizeof(dp.maps) / sizeof(int); i++)
			fd[i] = -1;
	}
	if (!seed.validated && sfc_doc_from_json_text(seed_doc, sizeof(seed_doc) - 1, &seed, err,
						      sizeof(err))) {
		fprintf(stderr, "fuzz_api: seed document: %s\n", err);
		abort();
	}
	if (sfc_doc_copy(&d.doc, &seed))
		return 0;
	d.doc.validated = true;
	/* one request per line, as a client sends them on one connection */
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *reply = sfcd_api_handle(&d, p, len);

		check_reply(reply, p, len);
		json_decref(reply);
		check_doc(&d, p, len);
		p += len + 1;
	}
	sfc_doc_free(&d.doc);
	return 0;
}
