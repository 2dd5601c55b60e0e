// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The shared text parsers (user/common/text.c) and the messages they give:
 * ports and port ranges, interface names. The document, the API and the
 * CLI all use these, so what is refused here is refused everywhere. No
 * root needed.
 */
#include <errno.h>

#include "check.h"
#include "model.h"
#include "text.h"

static void test_ports_single_and_range(void)
{
	__u16 lo = 1, hi = 1;
	char why[128];

	ASSERT_OK(sfc_parse_ports("80", &lo, &hi, why, sizeof(why)), "80");
	ASSERT_EQ(lo, 80, "80 lo");
	ASSERT_EQ(hi, 80, "80 hi");
	ASSERT_OK(sfc_parse_ports("0-65535", &lo, &hi, why, sizeof(why)), "0-65535");
	ASSERT_EQ(lo, 0, "full lo");
	ASSERT_EQ(hi, 65535, "full hi");
	ASSERT_OK(sfc_parse_ports("20-20", &lo, &hi, why, sizeof(why)), "20-20");
}

static void test_ports_reversed_range_says_reversed(void)
{
	__u16 lo, hi;
	char why[128] = "";

	ASSERT_EQ(sfc_parse_ports("80-20", &lo, &hi, why, sizeof(why)), -EINVAL, "80-20");
	ASSERT_TRUE(strstr(why, "reversed"), why);
	ASSERT_TRUE(strstr(why, "80-20"), why);
}

static void test_ports_refuse_signs_spaces_hex_and_overflow(void)
{
	static const char *const bad[] = { "+80", " 80", "80 ", "0x50", "-80", "80-", "-",
					   "", "65536", "1-65536", "80-+90", "80- 90", "8 0",
					   "99999999999999999999", "1--2", "1-2-3", "80\n" };
	__u16 lo, hi;
	char why[128];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		if (sfc_parse_ports(bad[i], &lo, &hi, why, sizeof(why)) != -EINVAL)
			FAIL("\"%s\" accepted", bad[i]);
		if (!strstr(why, "expected a port"))
			FAIL("\"%s\": message \"%s\"", bad[i], why);
	}
}

static void test_ifname_kernel_rules(void)
{
	static const char *const good[] = { "eth0", "a", "veth-1.2_x", "123456789012345",
					    "br@x", "..a" };
	static const struct {
		const char *name, *why;
	} bad[] = {
		{ "", "empty" }, { "1234567890123456", "longer than 15" },
		{ ".", "reserved" }, { "..", "reserved" }, { "a/b", "'/'" }, { "a:1", "':'" },
		{ "a b", "white space" }, { "a\tb", "white space" }, { " eth0", "white space" },
		{ "eth0\n", "white space" },
	};
	char why[128];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (sfc_ifname_check(good[i], why, sizeof(why)))
			FAIL("\"%s\" refused: %s", good[i], why);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		if (sfc_ifname_check(bad[i].name, why, sizeof(why)) != -EINVAL)
			FAIL("\"%s\" accepted", bad[i].name);
		if (!strstr(why, "not a valid interface name") || !strstr(why, bad[i].why))
			FAIL("\"%s\": message \"%s\", expected one with \"%s\"", bad[i].name, why,
			     bad[i].why);
	}
}

/* The document takes the same parsers: its messages say the same. */
static void expect_doc_error(const char *text, const char *want)
{
	struct sfc_doc d;
	char err[SFC_ERR_LEN] = "";

	if (!sfc_doc_from_json_text(text, strlen(text), &d, err, sizeof(err))) {
		sfc_doc_free(&d);
		FAIL("accepted: %s", text);
	}
	if (!strstr(err, want))
		FAIL("%s: error \"%s\", expected \"%s\"", text, err, want);
}

static void test_document_reversed_range_and_bad_ifnames(void)
{
	expect_doc_error("{\"chains\":[{\"name\":\"c\",\"hops\":[\"s\"]}],"
			 "\"sfs\":[{\"name\":\"s\",\"dev\":\"s0\"}],"
			 "\"rules\":[{\"pref\":1,\"chain\":\"c\",\"proto\":\"tcp\","
			 "\"dport\":\"80-20\"}]}", "rule pref 1: dport: \"80-20\": range 80-20 "
			 "is reversed");
	if (unit_failed)
		return;
	expect_doc_error("{\"rules\":[{\"pref\":1,\"chain\":\"c\",\"proto\":\"tcp\","
			 "\"sport\":\"+80\"}]}", "sport: \"+80\": expected a port");
	if (unit_failed)
		return;
	expect_doc_error("{\"ingress\":[{\"dev\":\"up 0\"}]}",
			 "ingress \"up 0\": dev: \"up 0\": not a valid interface name (it holds "
			 "white space)");
	if (unit_failed)
		return;
	expect_doc_error("{\"sfs\":[{\"name\":\"s\",\"dev\":\"s0\",\"out-dev\":\"a:b\"}]}",
			 "SF \"s\": out-dev: \"a:b\": not a valid interface name (it holds ':')");
	if (unit_failed)
		return;
	expect_doc_error("{\"rules\":[{\"pref\":2,\"chain\":\"c\",\"in-dev\":\"..\"}]}",
			 "rule pref 2: in-dev: \"..\": not a valid interface name");
}

static void test_typed_ingress_add_refuses_bad_name(void)
{
	struct sfc_doc d = {};
	char err[SFC_ERR_LEN] = "";

	ASSERT_OK(sfc_doc_reindex(&d), "empty document");
	ASSERT_EQ(sfc_edit_ingress_add(&d, "a b", err, sizeof(err)), -EINVAL, "ingress add");
	ASSERT_TRUE(strstr(err, "not a valid interface name"), err);
	ASSERT_EQ(d.ningress, 0, "nothing added");
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_ports_single_and_range),
		UNIT_TEST(test_ports_reversed_range_says_reversed),
		UNIT_TEST(test_ports_refuse_signs_spaces_hex_and_overflow),
		UNIT_TEST(test_ifname_kernel_rules),
		UNIT_TEST(test_document_reversed_range_and_bad_ifnames),
		UNIT_TEST(test_typed_ingress_add_refuses_bad_name),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
