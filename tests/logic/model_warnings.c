// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Warnings of a valid change (user/model/warnings.c): a rule whose in-dev
 * is not an ingress point, CNI-made objects an edit removed. No root.
 */
#include "model_util.h"

#define CHAIN "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}]"

/* checks that a rule on an interface that is not an ingress point is warned about, by name */
static void test_in_dev_not_ingress_is_warned(void)
{
	struct sfc_doc old, nw;
	char err[512] = "";
	json_t *w;

	ASSERT_OK(doc_from("{" BASE_SFS "," CHAIN "}", NULL, &old, err, sizeof(err)), err);
	ASSERT_OK(doc_from("{\"ingress\":[{\"dev\":\"up0\"}]," BASE_SFS "," CHAIN ","
			   "\"rules\":[{\"pref\":10,\"in-dev\":\"up0\",\"chain\":\"web\"},"
			   "{\"pref\":20,\"in-dev\":\"s9\",\"chain\":\"web\"},"
			   "{\"pref\":30,\"chain\":\"web\"}]}", &old, &nw, err, sizeof(err)), err);
	w = sfc_doc_warnings(&old, &nw, true);
	ASSERT_EQ(json_array_size(w), 1, "one warning");
	ASSERT_STREQ(json_string_value(json_array_get(w, 0)),
		     "rule pref 20: in-dev \"s9\" is not an ingress point; the rule matches "
		     "nothing until \"s9\" is added to ingress", "warning text");
	json_decref(w);
	sfc_doc_free(&nw);
	sfc_doc_free(&old);
}

/* checks that removing the ingress point a rule names is warned about too */
static void test_ingress_del_under_a_rule_is_warned(void)
{
	struct sfc_doc d, next;
	char err[512] = "";
	json_t *w;

	ASSERT_OK(doc_from("{\"ingress\":[{\"dev\":\"up0\"}]," BASE_SFS "," CHAIN ","
			   "\"rules\":[{\"pref\":10,\"in-dev\":\"up0\",\"chain\":\"web\"}]}",
			   NULL, &d, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_warnings(&d, &d, true) == NULL, "no warning while up0 is ingress");
	ASSERT_OK(sfc_doc_copy(&next, &d), "copy");
	ASSERT_OK(sfc_edit_ingress_del(&next, "up0", err, sizeof(err)), err);
	w = sfc_doc_warnings(&d, &next, false);
	ASSERT_EQ(json_array_size(w), 1, "one warning");
	ASSERT_TRUE(strstr(json_string_value(json_array_get(w, 0)), "rule pref 10: in-dev \"up0\""),
		    json_string_value(json_array_get(w, 0)));
	json_decref(w);
	sfc_doc_free(&next);
	sfc_doc_free(&d);
}

/* checks that many such rules give ten warnings and a count, not one line each */
static void test_many_rules_are_counted(void)
{
	char text[8192], err[512] = "";
	struct sfc_doc d;
	size_t o;
	json_t *w;

	o = snprintf(text, sizeof(text), "{" BASE_SFS "," CHAIN ",\"rules\":[");
	for (int i = 1; i <= 25; i++)
		o += snprintf(text + o, sizeof(text) - o, "%s{\"pref\":%d,\"in-dev\":\"x%d\","
			      "\"chain\":\"web\"}", i > 1 ? "," : "", i, i);
	snprintf(text + o, sizeof(text) - o, "]}");
	ASSERT_OK(doc_from(text, NULL, &d, err, sizeof(err)), err);
	w = sfc_doc_warnings(&d, &d, true);
	ASSERT_EQ(json_array_size(w), 11, "ten named and a count");
	ASSERT_STREQ(json_string_value(json_array_get(w, 10)),
		     "15 more rules have an in-dev that is not an ingress point", "count");
	json_decref(w);
	sfc_doc_free(&d);
}

/* checks that a detach or gc (cni_removed false) does not warn about what it removes on purpose */
static void test_cni_removal_on_purpose_is_not_warned(void)
{
	struct sfc_cni_attach a = { .network = "n", .container = "c1", .ifname = "eth0",
				    .role = "sf", .dev = "pod0", .sf = "pool" };
	struct sfc_doc d, next;
	char err[512] = "";
	json_t *w;

	ASSERT_OK(doc_from("{" BASE_SFS "}", NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_copy(&next, &d), "copy");
	ASSERT_EQ(sfc_edit_cni_detach(&next, "n", "c1", "eth0"), 1, "detach");
	ASSERT_OK(sfc_doc_validate(&next, &d, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_warnings(&d, &next, false) == NULL, "detach: no warning");
	w = sfc_doc_warnings(&d, &next, true);
	ASSERT_EQ(json_array_size(w), 1, "an edit: one warning");
	ASSERT_TRUE(strstr(json_string_value(json_array_get(w, 0)), "container \"c1\""),
		    json_string_value(json_array_get(w, 0)));
	json_decref(w);
	sfc_doc_free(&next);
	sfc_doc_free(&d);
}

/* checks that a control byte in an in-dev (the kernel allows them) is escaped in the warning */
static void test_control_bytes_are_escaped(void)
{
	struct sfc_doc d;
	char err[512] = "";
	json_t *w;

	ASSERT_OK(doc_from("{" BASE_SFS "," CHAIN ",\"rules\":[{\"pref\":5,"
			   "\"in-dev\":\"a\\u001b[2Jb\",\"chain\":\"web\"}]}", NULL, &d, err,
			   sizeof(err)), err);
	w = sfc_doc_warnings(&d, &d, true);
	ASSERT_EQ(json_array_size(w), 1, "one warning");
	ASSERT_TRUE(!strchr(json_string_value(json_array_get(w, 0)), 0x1b), "no raw ESC");
	ASSERT_TRUE(strstr(json_string_value(json_array_get(w, 0)), "in-dev \"a\\x1b[2Jb\""),
		    json_string_value(json_array_get(w, 0)));
	json_decref(w);
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_control_bytes_are_escaped),
		UNIT_TEST(test_in_dev_not_ingress_is_warned),
		UNIT_TEST(test_ingress_del_under_a_rule_is_warned),
		UNIT_TEST(test_many_rules_are_counted),
		UNIT_TEST(test_cni_removal_on_purpose_is_not_warned),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
