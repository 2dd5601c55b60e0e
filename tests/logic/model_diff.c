// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Canonical documents and their diff: two spellings of one document show
 * no change; groups are diffed like every other section. No root. */
#include "model_util.h"

/* diff of two document texts as compact JSON, in out */
static int diff_of(const char *a, const char *b, char *out, size_t len)
{
	struct sfc_doc da, db;
	char err[512] = "";
	json_t *diff;
	char *s;

	if (doc_from(a, NULL, &da, out, len))
		return -EINVAL;
	if (doc_from(b, &da, &db, err, sizeof(err))) {
		snprintf(out, len, "%s", err);
		sfc_doc_free(&da);
		return -EINVAL;
	}
	diff = sfc_doc_diff(&da, &db);
	s = json_dumps(diff, JSON_COMPACT);
	snprintf(out, len, "%s", s ? s : "");
	free(s);
	json_decref(diff);
	sfc_doc_free(&da);
	sfc_doc_free(&db);
	return 0;
}

#define NO_CHANGE "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}," \
	"\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}," \
	"\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}}"

static const char spelled_a[] =
	"{\"version\":1," BASE_SFS ","
	"\"chains\":[{\"name\":\"web\",\"spi\":4,\"hops\":[\"fw\",[\"pool\"]]}],"
	"\"rules\":[{\"pref\":10,\"src\":\"198.0.0.0/08\",\"proto\":6,\"dport\":\"80-80\","
	"\"chain\":\"web\"},{\"pref\":20,\"dst\":\"2001:DB8::/32\",\"proto\":\"17\",\"chain\":\"web\"}]}";
static const char spelled_b[] =
	"{\"groups\":[{\"name\":\"pool\"}],"
	"\"sfs\":[{\"name\":\"fw\",\"kind\":\"iface\",\"dev\":\"s0\",\"out-dev\":\"s0\"},"
	"{\"name\":\"ids\",\"dev\":\"s1\"},{\"name\":\"p1\",\"dev\":\"s2\",\"group\":\"pool\"}],"
	"\"chains\":[{\"name\":\"web\",\"hops\":[[\"fw\"],[\"pool\"]],\"on-failure\":\"drop\"}],"
	"\"rules\":[{\"pref\":20,\"dst\":\"2001:db8::/32\",\"proto\":\"udp\",\"chain\":\"web\"},"
	"{\"pref\":10,\"src\":\"198.0.0.0/8\",\"proto\":\"tcp\",\"dport\":80,\"chain\":\"web\"}]}";

/* checks that two spellings of one document (prefix, proto, ports, defaults, hop form, order) show no change */
static void test_spellings_of_one_document_show_no_change(void)
{
	char out[2048];

	ASSERT_OK(diff_of(spelled_a, spelled_b, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "diff");
}

/* element i of a section of doc, as compact JSON in buf */
static const char *elem(json_t *doc, const char *section, size_t i, char *buf, size_t len)
{
	char *s = json_dumps(json_array_get(json_object_get(doc, section), i), JSON_COMPACT);

	snprintf(buf, len, "%s", s ? s : "");
	free(s);
	return buf;
}

/* checks that the JSON form is canonical: both spellings print the same, with defaults written */
static void test_to_json_is_canonical(void)
{
	struct sfc_doc da, db;
	char err[512] = "", *sa, *sb, buf[256];
	json_t *ja, *jb;

	ASSERT_OK(doc_from(spelled_a, NULL, &da, err, sizeof(err)), err);
	ASSERT_OK(doc_from(spelled_b, &da, &db, err, sizeof(err)), err);
	ja = sfc_doc_to_json(&da);
	jb = sfc_doc_to_json(&db);
	/* rule order is the document's: compare the rules by pref */
	json_array_remove(json_object_get(jb, "rules"), 0);
	json_array_remove(json_object_get(ja, "rules"), 1);
	sa = json_dumps(ja, JSON_COMPACT);
	sb = json_dumps(jb, JSON_COMPACT);
	ASSERT_STREQ(sb, sa, "canonical JSON");
	ASSERT_STREQ(elem(ja, "rules", 0, buf, sizeof(buf)),
		     "{\"pref\":10,\"src\":\"198.0.0.0/8\",\"proto\":\"tcp\",\"dport\":80,"
		     "\"chain\":\"web\"}", "rule");
	ASSERT_STREQ(elem(ja, "chains", 0, buf, sizeof(buf)),
		     "{\"name\":\"web\",\"spi\":4,\"hops\":[[\"fw\"],[\"pool\"]],\"on-failure\":\"drop\"}",
		     "chain");
	ASSERT_STREQ(elem(ja, "sfs", 0, buf, sizeof(buf)),
		     "{\"name\":\"fw\",\"kind\":\"iface\",\"dev\":\"s0\"}", "SF");
	free(sa);
	free(sb);
	json_decref(ja);
	json_decref(jb);
	sfc_doc_free(&da);
	sfc_doc_free(&db);
}

/* checks that the JSON form parses back into the same document */
static void test_to_json_round_trips(void)
{
	struct sfc_doc da, db;
	char err[512] = "", *text, out[2048];
	json_t *j;

	ASSERT_OK(doc_from(spelled_a, NULL, &da, err, sizeof(err)), err);
	j = sfc_doc_to_json(&da);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(doc_from(text, NULL, &db, err, sizeof(err)), err);
	ASSERT_OK(diff_of(spelled_a, text, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "diff after a round trip");
	free(text);
	sfc_doc_free(&da);
	sfc_doc_free(&db);
}

/* checks that groups added and removed show in the diff, and changed objects by key */
static void test_diff_shows_groups_and_changes(void)
{
	char out[2048];

	ASSERT_OK(diff_of("{\"groups\":[{\"name\":\"a\"}]," "\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
			  "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}],"
			  "\"rules\":[{\"pref\":5,\"chain\":\"web\"}]}",
			  "{\"groups\":[{\"name\":\"b\"}],\"sfs\":[{\"name\":\"fw\",\"dev\":\"s9\"}],"
			  "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"],\"on-failure\":\"bypass\"}],"
			  "\"rules\":[{\"pref\":5,\"proto\":\"icmp\",\"chain\":\"web\"}]}", out,
			  sizeof(out)), out);
	ASSERT_STREQ(out,
		     "{\"added\":{\"ingress\":[],\"groups\":[\"b\"],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"removed\":{\"ingress\":[],\"groups\":[\"a\"],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"fw\"],\"chains\":[\"web\"],"
		     "\"rules\":[5]}}", "diff");
}

/* checks that a chain's end shows as a change, is written only when not stack, and round-trips */
static void test_chain_end_in_diff_and_json(void)
{
	const char *stack = "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
			    "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}]}";
	const char *xdp = "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
			  "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"],\"end\":\"xdp\"}]}";
	const char *stack_spelled = "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
				    "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"],"
				    "\"end\":\"stack\"}]}";
	struct sfc_doc d;
	char err[512] = "", out[2048], *text;
	json_t *j;

	ASSERT_OK(diff_of(stack, xdp, out, sizeof(out)), out);
	ASSERT_STREQ(out,
		     "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[\"web\"],"
		     "\"rules\":[]}}", "diff of end stack -> xdp");
	ASSERT_OK(diff_of(stack, stack_spelled, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "end stack written out is the default");

	ASSERT_OK(doc_from(xdp, NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(json_string_value(json_object_get(json_array_get(json_object_get(j, "chains"), 0),
						       "end")), "xdp", "end xdp written");
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(diff_of(xdp, text, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "end xdp round-trips");
	free(text);
	sfc_doc_free(&d);

	ASSERT_OK(doc_from(stack_spelled, NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_EQ(json_object_get(json_array_get(json_object_get(j, "chains"), 0), "end") == NULL,
		  1, "end stack not written");
	json_decref(j);
	sfc_doc_free(&d);
}

/* checks that a chain's symmetric shows as a change, is written only when true (so a
 * document without it dumps as before), and round-trips */
static void test_chain_symmetric_in_diff_and_json(void)
{
	const char *plain = "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
			    "\"chains\":[{\"name\":\"web\",\"spi\":1,\"hops\":[\"fw\"]}]}";
	const char *sym = "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
			  "\"chains\":[{\"name\":\"web\",\"spi\":1,\"hops\":[\"fw\"],"
			  "\"symmetric\":true}]}";
	const char *plain_spelled = "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
				    "\"chains\":[{\"name\":\"web\",\"spi\":1,\"hops\":[\"fw\"],"
				    "\"symmetric\":false}]}";
	struct sfc_doc d, d2;
	char err[512] = "", out[2048], buf[256], *text;
	json_t *j;

	ASSERT_OK(diff_of(plain, sym, out, sizeof(out)), out);
	ASSERT_STREQ(out,
		     "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[\"web\"],"
		     "\"rules\":[]}}", "diff of symmetric off -> on");
	ASSERT_OK(diff_of(sym, plain_spelled, out, sizeof(out)), out);
	ASSERT_TRUE(strstr(out, "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],"
			   "\"chains\":[\"web\"]") != NULL, "diff of symmetric on -> off");
	ASSERT_OK(diff_of(plain, plain_spelled, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "symmetric false written out is the default");

	ASSERT_OK(doc_from(sym, NULL, &d, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_chain(&d, "web")->symmetric, "symmetric true parsed");
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "chains", 0, buf, sizeof(buf)),
		     "{\"name\":\"web\",\"spi\":1,\"hops\":[[\"fw\"]],\"on-failure\":\"drop\","
		     "\"symmetric\":true}", "symmetric written, after the other keys");
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(doc_from(text, NULL, &d2, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_chain(&d2, "web")->symmetric, "symmetric read back");
	sfc_doc_free(&d2);
	ASSERT_OK(diff_of(sym, text, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "symmetric round-trips");
	free(text);
	/* the copy sfcd edits carries it */
	ASSERT_OK(sfc_doc_copy(&d2, &d), "copy");
	ASSERT_TRUE(sfc_doc_chain(&d2, "web")->symmetric, "symmetric copied");
	sfc_doc_free(&d2);
	sfc_doc_free(&d);

	ASSERT_OK(doc_from(plain_spelled, NULL, &d, err, sizeof(err)), err);
	ASSERT_TRUE(!sfc_doc_chain(&d, "web")->symmetric, "symmetric false parsed");
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "chains", 0, buf, sizeof(buf)),
		     "{\"name\":\"web\",\"spi\":1,\"hops\":[[\"fw\"]],\"on-failure\":\"drop\"}",
		     "symmetric false not written");
	json_decref(j);
	sfc_doc_free(&d);
}

/* checks that an SF's out-mac added, changed or removed is a change of its SF, another
 * spelling of the same MAC is none, and out-mac is written after mac only when set,
 * round-trips and is copied */
static void test_sf_out_mac_in_diff_and_json(void)
{
	const char *none = "{\"sfs\":[{\"name\":\"rt\",\"dev\":\"s0\",\"out-dev\":\"s1\","
			   "\"mac\":\"02:00:00:00:00:01\"}]}";
	const char *set = "{\"sfs\":[{\"name\":\"rt\",\"dev\":\"s0\",\"out-dev\":\"s1\","
			  "\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"02:00:00:00:00:02\"}]}";
	const char *set_spelled = "{\"sfs\":[{\"name\":\"rt\",\"dev\":\"s0\",\"out-dev\":\"s1\","
				  "\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"2:0:0:0:0:2\"}]}";
	const char *other = "{\"sfs\":[{\"name\":\"rt\",\"dev\":\"s0\",\"out-dev\":\"s1\","
			    "\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"02:00:00:00:00:03\"}]}";
	struct sfc_doc d, d2;
	char err[512] = "", out[2048], buf[256], *text;
	json_t *j;

	ASSERT_OK(diff_of(none, set, out, sizeof(out)), out);
	ASSERT_STREQ(out,
		     "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"rt\"],\"chains\":[],"
		     "\"rules\":[]}}", "diff of out-mac added");
	ASSERT_OK(diff_of(set, none, out, sizeof(out)), out);
	ASSERT_TRUE(strstr(out, "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"rt\"]") != NULL,
		    "diff of out-mac removed");
	ASSERT_OK(diff_of(set, other, out, sizeof(out)), out);
	ASSERT_TRUE(strstr(out, "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"rt\"]") != NULL,
		    "diff of out-mac changed");
	ASSERT_OK(diff_of(set, set_spelled, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "out-mac spelled otherwise");

	ASSERT_OK(doc_from(set_spelled, NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "sfs", 0, buf, sizeof(buf)),
		     "{\"name\":\"rt\",\"kind\":\"iface\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		     "\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"02:00:00:00:00:02\"}",
		     "out-mac written after mac, in one spelling");
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(diff_of(set, text, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "out-mac round-trips");
	free(text);
	/* the copy sfcd edits carries it */
	ASSERT_OK(sfc_doc_copy(&d2, &d), "copy");
	ASSERT_TRUE(sfc_doc_sf(&d2, "rt")->has_out_mac &&
		    !memcmp(sfc_doc_sf(&d2, "rt")->out_mac, (__u8[6]){ 2, 0, 0, 0, 0, 2 }, 6),
		    "out-mac copied");
	sfc_doc_free(&d2);
	sfc_doc_free(&d);

	ASSERT_OK(doc_from(none, NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "sfs", 0, buf, sizeof(buf)),
		     "{\"name\":\"rt\",\"kind\":\"iface\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		     "\"mac\":\"02:00:00:00:00:01\"}", "no out-mac, none written");
	json_decref(j);
	sfc_doc_free(&d);
}

/* checks that a weight change is a change of its SF, and weight 1 written out is the default */
static void test_sf_weight_in_diff(void)
{
	const char *one = "{\"groups\":[{\"name\":\"pool\"}],"
			  "\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"group\":\"pool\"},"
			  "{\"name\":\"b\",\"dev\":\"s1\",\"group\":\"pool\"}],"
			  "\"chains\":[{\"name\":\"web\",\"hops\":[\"pool\"]}]}";
	const char *three = "{\"groups\":[{\"name\":\"pool\"}],"
			    "\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"group\":\"pool\","
			    "\"weight\":3},{\"name\":\"b\",\"dev\":\"s1\",\"group\":\"pool\"}],"
			    "\"chains\":[{\"name\":\"web\",\"hops\":[\"pool\"]}]}";
	const char *one_spelled = "{\"groups\":[{\"name\":\"pool\"}],"
				  "\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"group\":\"pool\","
				  "\"weight\":1},{\"name\":\"b\",\"dev\":\"s1\",\"group\":\"pool\","
				  "\"weight\":1}],\"chains\":[{\"name\":\"web\",\"hops\":[\"pool\"]}]}";
	char out[2048];

	ASSERT_OK(diff_of(one, three, out, sizeof(out)), out);
	ASSERT_STREQ(out,
		     "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]},"
		     "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"a\"],\"chains\":[],"
		     "\"rules\":[]}}", "diff of weight 1 -> 3");
	ASSERT_OK(diff_of(three, one, out, sizeof(out)), out);
	ASSERT_TRUE(strstr(out, "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"a\"]") != NULL,
		    "diff of weight 3 -> unset shows SF a");
	ASSERT_OK(diff_of(one, one_spelled, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "weight 1 written out is the default");
}

/* checks that weight is written only when not 1, so documents without weights print as before, and round-trips */
static void test_sf_weight_in_json(void)
{
	const char *text = "{\"groups\":[{\"name\":\"pool\"}],"
			   "\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"group\":\"pool\","
			   "\"weight\":3},{\"name\":\"b\",\"dev\":\"s1\",\"group\":\"pool\","
			   "\"weight\":1},{\"name\":\"c\",\"dev\":\"s2\",\"group\":\"pool\"}],"
			   "\"chains\":[{\"name\":\"web\",\"hops\":[\"pool\"]}]}";
	struct sfc_doc d, d2;
	char err[512] = "", out[2048], buf[256], *s, *s2;
	json_t *j, *j2;

	ASSERT_OK(doc_from(text, NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "sfs", 0, buf, sizeof(buf)),
		     "{\"name\":\"a\",\"kind\":\"iface\",\"dev\":\"s0\",\"group\":\"pool\","
		     "\"weight\":3}", "weight 3 written");
	ASSERT_STREQ(elem(j, "sfs", 1, buf, sizeof(buf)),
		     "{\"name\":\"b\",\"kind\":\"iface\",\"dev\":\"s1\",\"group\":\"pool\"}",
		     "weight 1 left out");
	ASSERT_STREQ(elem(j, "sfs", 2, buf, sizeof(buf)),
		     "{\"name\":\"c\",\"kind\":\"iface\",\"dev\":\"s2\",\"group\":\"pool\"}",
		     "no weight, none written");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(diff_of(text, s, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "weights round-trip");
	/* and the dump of the dump is byte for byte the same */
	ASSERT_OK(doc_from(s, NULL, &d2, err, sizeof(err)), err);
	j2 = sfc_doc_to_json(&d2);
	s2 = json_dumps(j2, JSON_COMPACT);
	json_decref(j2);
	ASSERT_STREQ(s2, s, "dump of the dump");
	free(s);
	free(s2);
	sfc_doc_free(&d2);
	sfc_doc_free(&d);
}

#define HEALTHY "{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\"},{\"name\":\"b\",\"dev\":\"s1\"," \
	"\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\"}]}"

/* the diff of HEALTHY and HEALTHY with SF b's members instead of its own (keys: JSON members, leading comma) */
static void diff_b(const char *b_keys, char *out, size_t len)
{
	char text[1024];

	snprintf(text, sizeof(text), "{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\"},"
		 "{\"name\":\"b\",\"dev\":\"s1\"%s}]}", b_keys);
	if (diff_of(HEALTHY, text, out, len))
		return;
}

#define B_CHANGED "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}," \
	"\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}," \
	"\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"b\"],\"chains\":[],\"rules\":[]}}"

/* checks that a change of an SF's health or probe settings is a change of that SF, and a default written out is none */
static void test_sf_health_in_diff(void)
{
	static const struct {
		const char *keys, *want, *label;
	} cases[] = {
		{ ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\",\"health\":\"probe\"",
		  NO_CHANGE, "health probe written out" },
		{ ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\","
		  "\"probe-interval\":1000,\"probe-fail\":3,\"probe-recover\":2",
		  NO_CHANGE, "the defaults written out" },
		{ "", B_CHANGED, "the probe removed" },
		{ ",\"health\":\"none\"", B_CHANGED, "health none" },
		{ ",\"probe\":\"icmp 198.18.3.2\",\"probe-from\":\"198.18.3.9\"", B_CHANGED,
		  "another address" },
		{ ",\"probe\":\"tcp 198.18.3.1:80\",\"probe-from\":\"198.18.3.9\"", B_CHANGED,
		  "tcp instead of icmp" },
		{ ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.8\"", B_CHANGED,
		  "another probe-from" },
		{ ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\",\"probe-interval\":500",
		  B_CHANGED, "another interval" },
		{ ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\",\"probe-fail\":4",
		  B_CHANGED, "another fail count" },
		{ ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\",\"probe-recover\":5",
		  B_CHANGED, "another recover count" },
	};
	char out[2048];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		out[0] = '\0';
		diff_b(cases[i].keys, out, sizeof(out));
		ASSERT_STREQ(out, cases[i].want, cases[i].label);
	}
	ASSERT_OK(diff_of("{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\"}]}",
			  "{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"health\":\"link\"}]}", out,
			  sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "health link written out");
	ASSERT_OK(diff_of("{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\"}]}",
			  "{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"health\":\"none\"}]}", out,
			  sizeof(out)), out);
	ASSERT_TRUE(strstr(out, "\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[\"a\"]") != NULL,
		    "link -> none changes SF a");
}

/* checks the canonical form of the health keys (health only when not implied, probes spelled one way), and that parse(emit(x)) is x */
static void test_sf_health_in_json(void)
{
	const char *text =
		"{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\"},"
		"{\"name\":\"b\",\"dev\":\"s1\",\"health\":\"none\"},"
		"{\"name\":\"c\",\"dev\":\"s2\",\"health\":\"link\"},"
		"{\"name\":\"d\",\"dev\":\"s3\",\"health\":\"probe\","
		"\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\"},"
		"{\"name\":\"e\",\"dev\":\"s4\",\"probe\":\"tcp [2001:DB8:0::0:5]:0443\","
		"\"probe-from\":\"FE80::0:9\",\"probe-interval\":250,\"probe-fail\":5,"
		"\"probe-recover\":1,\"weight\":2},"
		"{\"name\":\"f\",\"dev\":\"s5\",\"probe\":\"tcp 198.18.3.1:80\","
		"\"probe-from\":\"198.18.3.10\",\"probe-interval\":1000}]}";
	static const char *const want[] = {
		"{\"name\":\"a\",\"kind\":\"iface\",\"dev\":\"s0\"}",
		"{\"name\":\"b\",\"kind\":\"iface\",\"dev\":\"s1\",\"health\":\"none\"}",
		"{\"name\":\"c\",\"kind\":\"iface\",\"dev\":\"s2\"}",
		NULL, /* d: below */
		"{\"name\":\"e\",\"kind\":\"iface\",\"dev\":\"s4\",\"weight\":2,"
		"\"probe\":\"tcp [2001:db8::5]:443\",\"probe-from\":\"fe80::9\","
		"\"probe-interval\":250,\"probe-fail\":5,\"probe-recover\":1}",
		"{\"name\":\"f\",\"kind\":\"iface\",\"dev\":\"s5\",\"probe\":\"tcp 198.18.3.1:80\","
		"\"probe-from\":\"198.18.3.10\",\"probe-interval\":1000}",
	};
	struct sfc_doc d, d2;
	char err[512] = "", out[2048], buf[512], *s, *s2;
	json_t *j, *j2;

	/* inet_pton reads no leading zeros in IPv4: that spelling is refused */
	ASSERT_EQ(doc_from("{\"sfs\":[{\"name\":\"d\",\"dev\":\"s3\","
			   "\"probe\":\"icmp 198.018.003.001\",\"probe-from\":\"198.18.3.9\"}]}",
			   NULL, &d, err, sizeof(err)), -EINVAL, "198.018.003.001");
	ASSERT_STREQ(err, "SF \"d\": probe: \"icmp 198.018.003.001\": \"198.018.003.001\" is not "
		     "an IPv4 or IPv6 address", "leading zeros message");
	ASSERT_OK(doc_from(text, NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (want[i])
			ASSERT_STREQ(elem(j, "sfs", i, buf, sizeof(buf)), want[i], want[i]);
	ASSERT_STREQ(elem(j, "sfs", 3, buf, sizeof(buf)),
		     "{\"name\":\"d\",\"kind\":\"iface\",\"dev\":\"s3\",\"probe\":\"icmp 198.18.3.1\","
		     "\"probe-from\":\"198.18.3.9\"}", "health probe implied by the probe");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(doc_from(s, NULL, &d2, err, sizeof(err)), err);
	/* parse(emit(x)) == x, typed, field for field */
	ASSERT_EQ(d2.nsfs, d.nsfs, "SFs");
	for (int i = 0; i < d.nsfs; i++)
		ASSERT_TRUE(!memcmp(&d.sfs[i], &d2.sfs[i], sizeof(d.sfs[i])), d.sfs[i].name);
	j2 = sfc_doc_to_json(&d2);
	s2 = json_dumps(j2, JSON_COMPACT);
	json_decref(j2);
	ASSERT_STREQ(s2, s, "dump of the dump");
	ASSERT_OK(diff_of(s, s2, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "round trip shows no change");
	free(s);
	free(s2);
	sfc_doc_free(&d2);
	sfc_doc_free(&d);
}

#define TAP_DOC(hops) "{\"groups\":[{\"name\":\"caps\"}],\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}," \
	"{\"name\":\"ids\",\"dev\":\"s1\"},{\"name\":\"nat\",\"dev\":\"s2\"}," \
	"{\"name\":\"c1\",\"dev\":\"s3\",\"group\":\"caps\"}],\"chains\":[{\"name\":\"web\"," \
	"\"spi\":7,\"hops\":" hops "}]}"
#define WEB_CHANGED "{\"added\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}," \
	"\"removed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[],\"rules\":[]}," \
	"\"changed\":{\"ingress\":[],\"groups\":[],\"sfs\":[],\"chains\":[\"web\"],\"rules\":[]}}"

/* checks that a hop that becomes or stops being a tap changes its chain, and one tap spelled alike does not */
static void test_tap_in_diff(void)
{
	static const struct {
		const char *a, *b, *want, *label;
	} cases[] = {
		{ TAP_DOC("[\"fw\",\"ids\",\"nat\"]"), TAP_DOC("[\"fw\",{\"tap\":[\"ids\"]},\"nat\"]"),
		  WEB_CHANGED, "a hop becomes a tap" },
		{ TAP_DOC("[\"fw\",{\"tap\":[\"ids\"]},\"nat\"]"), TAP_DOC("[\"fw\",[\"ids\"],\"nat\"]"),
		  WEB_CHANGED, "a tap becomes a hop" },
		{ TAP_DOC("[\"fw\",{\"tap\":[\"ids\",\"caps\"]}]"),
		  TAP_DOC("[\"fw\",{\"tap\":[\"caps\",\"ids\"]}]"), WEB_CHANGED, "a tap's names in another order" },
		{ TAP_DOC("[\"fw\",{\"tap\":[\"ids\"]}]"), TAP_DOC("[\"fw\",{\"tap\":[\"ids\",\"caps\"]}]"),
		  WEB_CHANGED, "a tap gets an SF" },
		{ TAP_DOC("[\"fw\",{\"tap\":[\"ids\"]},\"nat\"]"), TAP_DOC("[[\"fw\"],{\"tap\":[\"ids\"]},[\"nat\"]]"),
		  NO_CHANGE, "one tap, hops spelled two ways" },
	};
	char out[2048];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_OK(diff_of(cases[i].a, cases[i].b, out, sizeof(out)), out);
		ASSERT_STREQ(out, cases[i].want, cases[i].label);
	}
}

/* checks that a tap hop is written {"tap": [...]}, plain hops as lists as ever, and that parse(emit(x)) is x */
static void test_tap_in_json(void)
{
	struct sfc_doc d, d2;
	char err[512] = "", out[2048], buf[512], *s, *s2;
	json_t *j, *j2;

	ASSERT_OK(doc_from(TAP_DOC("[{\"tap\":[\"ids\"]},\"fw\",{\"tap\":[\"c1\",\"caps\"]},\"nat\"]"),
			   NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "chains", 0, buf, sizeof(buf)),
		     "{\"name\":\"web\",\"spi\":7,\"hops\":[{\"tap\":[\"ids\"]},[\"fw\"],"
		     "{\"tap\":[\"c1\",\"caps\"]},[\"nat\"]],\"on-failure\":\"drop\"}", "taps written");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	ASSERT_OK(doc_from(s, NULL, &d2, err, sizeof(err)), err);
	/* parse(emit(x)) == x, typed */
	ASSERT_EQ(d2.nchains, 1, "chains");
	ASSERT_EQ(d2.chains[0].nhops, d.chains[0].nhops, "hops");
	for (int h = 0; h < d.chains[0].nhops; h++)
		ASSERT_TRUE(!memcmp(&d.chains[0].hops[h], &d2.chains[0].hops[h],
				    sizeof(d.chains[0].hops[h])), "a hop read back");
	ASSERT_TRUE(d2.chains[0].hops[0].tap && !d2.chains[0].hops[1].tap &&
		    d2.chains[0].hops[2].tap && !d2.chains[0].hops[3].tap, "taps read back");
	j2 = sfc_doc_to_json(&d2);
	s2 = json_dumps(j2, JSON_COMPACT);
	json_decref(j2);
	ASSERT_STREQ(s2, s, "dump of the dump");
	ASSERT_OK(diff_of(s, s2, out, sizeof(out)), out);
	ASSERT_STREQ(out, NO_CHANGE, "round trip shows no change");
	free(s);
	free(s2);
	sfc_doc_free(&d2);
	sfc_doc_free(&d);

	/* without taps: the form of before */
	ASSERT_OK(doc_from(TAP_DOC("[\"fw\",[\"ids\",\"caps\"]]"), NULL, &d, err, sizeof(err)), err);
	j = sfc_doc_to_json(&d);
	ASSERT_STREQ(elem(j, "chains", 0, buf, sizeof(buf)),
		     "{\"name\":\"web\",\"spi\":7,\"hops\":[[\"fw\"],[\"ids\",\"caps\"]],"
		     "\"on-failure\":\"drop\"}", "no tap: hops as lists");
	json_decref(j);
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_spellings_of_one_document_show_no_change),
		UNIT_TEST(test_to_json_is_canonical),
		UNIT_TEST(test_to_json_round_trips),
		UNIT_TEST(test_diff_shows_groups_and_changes),
		UNIT_TEST(test_chain_end_in_diff_and_json),
		UNIT_TEST(test_chain_symmetric_in_diff_and_json),
		UNIT_TEST(test_sf_out_mac_in_diff_and_json),
		UNIT_TEST(test_sf_weight_in_diff),
		UNIT_TEST(test_sf_weight_in_json),
		UNIT_TEST(test_sf_health_in_diff),
		UNIT_TEST(test_sf_health_in_json),
		UNIT_TEST(test_tap_in_diff),
		UNIT_TEST(test_tap_in_json),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
