// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The document's validation: refusals phrased with names, names and MACs
 * checked the same way wherever they come from. No root. */
#include "model_util.h"

/* expect doc text to be refused with exactly msg */
#define REFUSED(text, msg)                                                     \
	do {                                                                   \
		struct sfc_doc __d;                                            \
		char __err[512] = "";                                          \
		int __r = doc_from((text), NULL, &__d, __err, sizeof(__err));  \
		if (!__r)                                                      \
			sfc_doc_free(&__d);                                    \
		ASSERT_EQ(__r, -EINVAL, "refused");                            \
		ASSERT_STREQ(__err, (msg), "message");                         \
	} while (0)

/* checks that an unknown SF in a hop is named by chain and hop, not by JSON path */
static void test_unknown_sf_names_chain_and_hop(void)
{
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\",[\"ids9\"]]}]}",
		"chain \"web\": hop 2: no SF named \"ids9\"");
}

/* checks that an unknown key names its object */
static void test_unknown_key_names_the_object(void)
{
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hop\":1,\"hops\":[\"fw\"]}]}",
		"chain \"web\": unknown key \"hop\"");
	REFUSED("{\"ingres\":[]}", "document: unknown key \"ingres\"");
}

/* checks that a rule's errors name its pref and field */
static void test_rule_errors_name_the_pref(void)
{
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}],"
		"\"rules\":[{\"pref\":99,\"dport\":80,\"chain\":\"web\"}]}",
		"rule pref 99: dport: ports need proto tcp, udp or sctp");
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}],"
		"\"rules\":[{\"pref\":7,\"chain\":\"nochain\"}]}",
		"rule pref 7: chain: no chain named \"nochain\"");
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\"]}],"
		"\"rules\":[{\"pref\":7,\"chain\":\"web\"},{\"pref\":7,\"chain\":\"web\"}]}",
		"rule pref 7 defined twice");
	REFUSED("{\"rules\":[{\"chain\":\"web\"}]}", "rule #1: missing \"pref\"");
}

/* checks that a taken SPI names both chains */
static void test_spi_taken_names_both_chains(void)
{
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"spi\":1,\"hops\":[\"fw\"]},"
		"{\"name\":\"x\",\"spi\":1,\"hops\":[\"ids\"]}]}",
		"chain \"x\": spi 1 already used by chain \"web\"");
}

/* checks that one SF at two positions of a chain is refused with both hops */
static void test_sf_twice_in_chain_names_both_hops(void)
{
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"aba\",\"hops\":[\"fw\",\"ids\",\"fw\"]}]}",
		"chain \"aba\": hop 3: SF \"fw\" is already in hop 1 of this chain; an SF can "
		"serve only one position of a chain");
}

/* checks that an SF named in one hop and reachable through its group in another is refused, either way round */
static void test_sf_and_its_group_in_two_hops_are_refused(void)
{
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"loop\",\"hops\":[\"p1\",\"fw\",\"pool\"]}]}",
		"chain \"loop\": hop 3: group \"pool\" includes SF \"p1\", which is already in hop 1 "
		"of this chain; an SF can serve only one position of a chain");
	REFUSED("{" BASE_SFS ",\"chains\":[{\"name\":\"loop\",\"hops\":[[\"pool\"],[\"ids\",\"p1\"]]}]}",
		"chain \"loop\": hop 2: SF \"p1\" is already in hop 1 of this chain through its "
		"group \"pool\"; an SF can serve only one position of a chain");
}

/* checks that a group at two hops is refused even with no SF in it: an SF (a pod the CNI plugin adds) would be at both */
static void test_group_in_two_hops_is_refused_even_empty(void)
{
	REFUSED("{\"groups\":[{\"name\":\"g\"}],\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
		"\"chains\":[{\"name\":\"gg\",\"hops\":[\"g\",\"fw\",\"g\"]}]}",
		"chain \"gg\": hop 3: group \"g\" is already in hop 1 of this chain; an SF can "
		"serve only one position of a chain");
}

/* checks that an SF and its group in one hop, and one SF in two chains, are accepted */
static void test_one_position_per_chain_is_accepted(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{" BASE_SFS ",\"chains\":[{\"name\":\"a\",\"hops\":[[\"p1\",\"pool\"],\"fw\"]},"
			   "{\"name\":\"b\",\"hops\":[\"fw\",\"pool\"]}]}", NULL, &d, err,
			   sizeof(err)), err);
	sfc_doc_free(&d);
}

/* checks that a pod the CNI plugin adds to a group used in a chain joins that one position, and the document stays valid */
static void test_cni_pod_joins_the_group_position(void)
{
	struct sfc_cni_attach a = { .network = "net", .container = "c1", .ifname = "eth0",
				    .role = "sf", .dev = "veth1", .sf = "pool" };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{" BASE_SFS ",\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\",\"pool\"]}]}",
			   NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_EQ(d.nsfs, 4, "SFs after the attach");
	ASSERT_STREQ(d.sfs[3].group, "pool", "the pod's group");
	sfc_doc_free(&d);
}

/* checks that names with spaces, commas, control characters, a leading '-' or "help" are refused */
static void test_bad_names_are_refused(void)
{
	REFUSED("{\"sfs\":[{\"name\":\"a b\",\"dev\":\"s0\"}]}",
		"SF \"a b\": a name cannot hold spaces");
	REFUSED("{\"sfs\":[{\"name\":\"a,b\",\"dev\":\"s0\"}]}",
		"SF \"a,b\": a name cannot hold ',' (it separates SFs in a hop)");
	REFUSED("{\"groups\":[{\"name\":\"-g\"}]}",
		"group \"-g\": a name cannot start with '-' (it would read as an option)");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
		"\"chains\":[{\"name\":\"help\",\"hops\":[\"fw\"]}]}",
		"chain \"help\": \"help\" is a keyword, not a name");
	REFUSED("{\"sfs\":[{\"name\":\"a\\u0001\",\"dev\":\"s0\"}]}",
		"SF \"a\\x01\": a name cannot hold control characters (byte 0x01)");
}

/* checks that zero, broadcast and multicast MACs are refused for an SF */
static void test_non_unicast_macs_are_refused(void)
{
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"00:00:00:00:00:00\"}]}",
		"SF \"fw\": mac: the all-zero MAC is not an address");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"ff:ff:ff:ff:ff:ff\"}]}",
		"SF \"fw\": mac: a broadcast MAC cannot address one SF");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"01:00:5e:00:00:01\"}]}",
		"SF \"fw\": mac: a multicast MAC (first octet odd) cannot address one SF");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"zz\"}]}",
		"SF \"fw\": mac: \"zz\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
}

/* checks that an SF naming an undeclared group, and an SF named like a group, are refused */
static void test_group_references_are_checked(void)
{
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"group\":\"nog\"}]}",
		"SF \"fw\": no group named \"nog\" (declare it in groups)");
	REFUSED("{\"groups\":[{\"name\":\"fw\"}],\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}]}",
		"SF \"fw\": \"fw\" is already the name of a group");
}

/* checks that an SF's weight is read (1 to 1000), and one left out is 1 */
static void test_sf_weight_absent_is_one(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{\"groups\":[{\"name\":\"pool\"}],"
			   "\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\",\"group\":\"pool\",\"weight\":3},"
			   "{\"name\":\"b\",\"dev\":\"s1\",\"group\":\"pool\"},"
			   "{\"name\":\"c\",\"dev\":\"s2\",\"weight\":1000},"
			   "{\"name\":\"d\",\"dev\":\"s3\",\"weight\":1}]}", NULL, &d, err,
			   sizeof(err)), err);
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, "a")), 3, "weight 3");
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, "b")), 1, "weight left out");
	ASSERT_EQ(sfc_doc_sf(&d, "b")->weight, 0, "weight left out is unset");
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, "c")), SFC_WEIGHT_MAX, "weight 1000");
	ASSERT_EQ(sfc_sf_weight(sfc_doc_sf(&d, "d")), 1, "weight 1 written out");
	sfc_doc_free(&d);
}

/* checks that a weight of 0, over 1000, negative or not an integer is refused, naming the SF and the value */
static void test_bad_sf_weights_are_refused(void)
{
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":0}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got 0");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":1001}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got 1001");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":-1}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got -1");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":\"3\"}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got \"3\"");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":2.5}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got 2.5");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":3.0}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got 3.0");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":true}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got true");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weight\":null}]}",
		"SF \"fw\": weight: expected an integer from 1 to 1000, got null");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"},"
		"{\"name\":\"x\",\"dev\":\"s1\",\"weight\":[2]}]}",
		"SF \"x\": weight: expected an integer from 1 to 1000, got an array");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"weigth\":2}]}",
		"SF \"fw\": unknown key \"weigth\"");
}

/* checks that a typed edit cannot slip a weight over 1000 past the validator */
static void test_validator_refuses_a_typed_weight_over_the_limit(void)
{
	struct sfc_sf_cfg sf = { .name = "big", .dev = "s9", .weight = SFC_WEIGHT_MAX + 1 };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{" BASE_SFS "}", NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_sf_add(&d, &sf, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "validate");
	ASSERT_STREQ(err, "SF \"big\": weight: expected an integer from 1 to 1000, got 1001",
		     "message");
	sfc_doc_free(&d);
}

/* checks that a valid document passes and its objects are found by name and pref */
static void test_valid_document_is_indexed(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{" BASE_SFS ",\"ingress\":[{\"dev\":\"up0\"}],"
			   "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\",[\"pool\"]]}],"
			   "\"rules\":[{\"pref\":10,\"chain\":\"web\"}]}", NULL, &d, err,
			   sizeof(err)), err);
	ASSERT_TRUE(d.validated, "validated");
	ASSERT_TRUE(sfc_doc_sf(&d, "ids") == &d.sfs[1], "SF by name");
	ASSERT_TRUE(sfc_doc_group(&d, "pool") == &d.groups[0], "group by name");
	ASSERT_TRUE(sfc_doc_rule(&d, 10) == &d.rules[0], "rule by pref");
	ASSERT_TRUE(sfc_doc_ingress(&d, "up0") != NULL, "ingress by dev");
	ASSERT_TRUE(sfc_doc_sf(&d, "pool") == NULL, "a group is not an SF");
	ASSERT_TRUE(sfc_doc_names_dev(&d, "s2"), "document names s2");
	ASSERT_TRUE(!sfc_doc_names_dev(&d, "s9"), "document does not name s9");
	sfc_doc_free(&d);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_unknown_sf_names_chain_and_hop),
		UNIT_TEST(test_unknown_key_names_the_object),
		UNIT_TEST(test_rule_errors_name_the_pref),
		UNIT_TEST(test_spi_taken_names_both_chains),
		UNIT_TEST(test_sf_twice_in_chain_names_both_hops),
		UNIT_TEST(test_sf_and_its_group_in_two_hops_are_refused),
		UNIT_TEST(test_group_in_two_hops_is_refused_even_empty),
		UNIT_TEST(test_one_position_per_chain_is_accepted),
		UNIT_TEST(test_cni_pod_joins_the_group_position),
		UNIT_TEST(test_bad_names_are_refused),
		UNIT_TEST(test_non_unicast_macs_are_refused),
		UNIT_TEST(test_group_references_are_checked),
		UNIT_TEST(test_sf_weight_absent_is_one),
		UNIT_TEST(test_bad_sf_weights_are_refused),
		UNIT_TEST(test_validator_refuses_a_typed_weight_over_the_limit),
		UNIT_TEST(test_valid_document_is_indexed),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
