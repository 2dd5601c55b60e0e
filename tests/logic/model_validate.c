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

#define TWO_POSITIONS "; an SF with a MAC of its own (an L3 SF, which rewrites the Ethernet " \
	"addresses) can serve only one position of a chain: the fabric could not tell at " \
	"which one its packets come back (an SF without one, such as a bridge, can serve several)"
/* SFs with a MAC of their own (L3): fw, and p1 in group pool */
#define MAC_SFS                                                                \
	"\"groups\":[{\"name\":\"pool\"}],"                                    \
	"\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"02:00:00:00:00:01\"}," \
	"{\"name\":\"ids\",\"dev\":\"s1\"},"                                   \
	"{\"name\":\"p1\",\"dev\":\"s2\",\"group\":\"pool\",\"mac\":\"02:00:00:00:00:03\"}]"

/* checks that one SF with a MAC of its own at two positions of a chain is refused with both hops, and one without (a bridge) accepted */
static void test_sf_twice_in_chain_names_both_hops(void)
{
	struct sfc_doc d;
	char err[512] = "";

	REFUSED("{" MAC_SFS ",\"chains\":[{\"name\":\"aba\",\"hops\":[\"fw\",\"ids\",\"fw\"]}]}",
		"chain \"aba\": hop 3: SF \"fw\" is already in hop 1 of this chain" TWO_POSITIONS);
	REFUSED("{" MAC_SFS ",\"chains\":[{\"name\":\"aa\",\"hops\":[[\"ids\",\"ids\"]]}]}",
		"chain \"aa\": hop 1: SF \"ids\" is named twice in this hop");
	ASSERT_OK(doc_from("{" MAC_SFS ",\"chains\":[{\"name\":\"bab\",\"hops\":[\"ids\",\"fw\","
			   "\"ids\"]}]}", NULL, &d, err, sizeof(err)), err);
	sfc_doc_free(&d);
}

/* checks that an SF named in one hop and reachable through its group in another is refused, either way round */
static void test_sf_and_its_group_in_two_hops_are_refused(void)
{
	REFUSED("{" MAC_SFS ",\"chains\":[{\"name\":\"loop\",\"hops\":[\"p1\",\"fw\",\"pool\"]}]}",
		"chain \"loop\": hop 3: group \"pool\" includes SF \"p1\", which is already in hop 1 "
		"of this chain" TWO_POSITIONS);
	REFUSED("{" MAC_SFS ",\"chains\":[{\"name\":\"loop\",\"hops\":[[\"pool\"],[\"ids\",\"p1\"]]}]}",
		"chain \"loop\": hop 2: SF \"p1\" is already in hop 1 of this chain through its "
		"group \"pool\"" TWO_POSITIONS);
}

/* checks that a group at two hops is accepted while no member has a MAC of its own (empty, or bridges), and refused once one has: an SF the CNI plugin adds with a MAC is refused then */
static void test_group_in_two_hops_is_refused_even_empty(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{\"groups\":[{\"name\":\"g\"}],\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"}],"
			   "\"chains\":[{\"name\":\"gg\",\"hops\":[\"g\",\"fw\",\"g\"]}]}", NULL, &d,
			   err, sizeof(err)), err);
	sfc_doc_free(&d);
	REFUSED("{\"groups\":[{\"name\":\"g\"}],\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"},"
		"{\"name\":\"m\",\"dev\":\"s1\",\"group\":\"g\",\"mac\":\"02:00:00:00:00:09\"}],"
		"\"chains\":[{\"name\":\"gg\",\"hops\":[\"g\",\"fw\",\"g\"]}]}",
		"chain \"gg\": hop 3: group \"g\" is already in hop 1 of this chain" TWO_POSITIONS);
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

/* an SF fw on s0 with the health keys KEYS (JSON members, leading comma) */
#define HSF(keys) "{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"" keys "}]}"

/* checks that health defaults to link, or to probe when a probe is given, and probes are read into their typed form */
static void test_sf_health_defaults_and_forms(void)
{
	static const __u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	struct sfc_doc d;
	char err[512] = "";
	const struct sfc_sf_cfg *sf;

	ASSERT_OK(doc_from("{\"sfs\":[{\"name\":\"a\",\"dev\":\"s0\"},"
			   "{\"name\":\"b\",\"dev\":\"s1\",\"health\":\"none\"},"
			   "{\"name\":\"c\",\"dev\":\"s2\",\"probe\":\"icmp 2001:db8::5\"},"
			   "{\"name\":\"e\",\"dev\":\"s3\",\"health\":\"probe\","
			   "\"probe\":\"tcp 198.18.3.1:80\",\"probe-from\":\"198.18.3.250\","
			   "\"probe-interval\":250,\"probe-fail\":5,\"probe-recover\":1},"
			   "{\"name\":\"f\",\"dev\":\"s4\",\"probe\":\"tcp [2001:db8::5]:443\","
			   "\"probe-from\":\"fe80::9\"},"
			   "{\"name\":\"g\",\"dev\":\"s5\",\"health\":\"link\"}]}", NULL, &d, err,
			   sizeof(err)), err);
	sf = sfc_doc_sf(&d, "a");
	ASSERT_EQ(sf->health, SFC_HEALTH_LINK, "a: no health is link");
	ASSERT_EQ(sf->probe.type, SFC_PROBE_OFF, "a: no probe");
	ASSERT_EQ(sfc_doc_sf(&d, "b")->health, SFC_HEALTH_NONE, "b: none");
	ASSERT_EQ(sfc_doc_sf(&d, "g")->health, SFC_HEALTH_LINK, "g: link written out");
	sf = sfc_doc_sf(&d, "c");
	ASSERT_EQ(sf->health, SFC_HEALTH_PROBE, "c: a probe given means health probe");
	ASSERT_EQ(sf->probe.type, SFC_PROBE_ICMP, "c: icmp");
	ASSERT_EQ(sf->probe.family, 6, "c: IPv6");
	ASSERT_TRUE(!memcmp(sf->probe.addr, v6, 16), "c: the address");
	ASSERT_TRUE(!sf->probe.has_from, "c: IPv6 needs no probe-from");
	ASSERT_EQ(sfc_probe_interval(&sf->probe), SFC_PROBE_INTERVAL_MS, "c: default interval");
	ASSERT_EQ(sfc_probe_fail(&sf->probe), SFC_PROBE_FAIL, "c: default fail");
	ASSERT_EQ(sfc_probe_recover(&sf->probe), SFC_PROBE_RECOVER, "c: default recover");
	sf = sfc_doc_sf(&d, "e");
	ASSERT_EQ(sf->health, SFC_HEALTH_PROBE, "e: probe");
	ASSERT_EQ(sf->probe.type, SFC_PROBE_TCP, "e: tcp");
	ASSERT_EQ(sf->probe.family, 4, "e: IPv4");
	ASSERT_EQ(sf->probe.port, 80, "e: port");
	ASSERT_TRUE(!memcmp(sf->probe.addr, "\xc6\x12\x03\x01", 4), "e: the address");
	ASSERT_TRUE(sf->probe.has_from, "e: probe-from");
	ASSERT_TRUE(!memcmp(sf->probe.from, "\xc6\x12\x03\xfa", 4), "e: probe-from's address");
	ASSERT_EQ(sf->probe.interval_ms, 250, "e: interval");
	ASSERT_EQ(sf->probe.fail, 5, "e: fail");
	ASSERT_EQ(sf->probe.recover, 1, "e: recover");
	sf = sfc_doc_sf(&d, "f");
	ASSERT_EQ(sf->probe.port, 443, "f: port after brackets");
	ASSERT_TRUE(!memcmp(sf->probe.addr, v6, 16), "f: the address in brackets");
	ASSERT_EQ(sf->probe.from[0], 0xfe, "f: a link-local probe-from");
	sfc_doc_free(&d);
}

/* checks that the health keys' rules refuse, naming the SF: health probe without probe, probe keys with link or none or without probe */
static void test_health_rules_are_enforced(void)
{
	REFUSED(HSF(",\"health\":\"probe\""),
		"SF \"fw\": health probe needs \"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\"");
	REFUSED(HSF(",\"health\":\"probe\",\"probe-interval\":500"),
		"SF \"fw\": health probe needs \"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\"");
	REFUSED(HSF(",\"health\":\"link\",\"probe\":\"icmp 2001:db8::1\""),
		"SF \"fw\": \"probe\" with health link: the probe would never be used (only "
		"health probe probes)");
	REFUSED(HSF(",\"health\":\"none\",\"probe\":\"icmp 2001:db8::1\""),
		"SF \"fw\": \"probe\" with health none: the probe would never be used (only "
		"health probe probes)");
	REFUSED(HSF(",\"health\":\"none\",\"probe-interval\":500"),
		"SF \"fw\": \"probe-interval\" with health none: the probe would never be used "
		"(only health probe probes)");
	REFUSED(HSF(",\"health\":\"link\",\"probe-from\":\"198.18.3.9\""),
		"SF \"fw\": \"probe-from\" with health link: the probe would never be used (only "
		"health probe probes)");
	REFUSED(HSF(",\"probe-interval\":500"),
		"SF \"fw\": \"probe-interval\" without \"probe\": nothing to probe (expected "
		"\"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\")");
	REFUSED(HSF(",\"probe-fail\":2"),
		"SF \"fw\": \"probe-fail\" without \"probe\": nothing to probe (expected "
		"\"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\")");
	REFUSED(HSF(",\"probe-recover\":2"),
		"SF \"fw\": \"probe-recover\" without \"probe\": nothing to probe (expected "
		"\"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\")");
	REFUSED(HSF(",\"probe-from\":\"2001:db8::9\""),
		"SF \"fw\": \"probe-from\" without \"probe\": nothing to probe (expected "
		"\"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\")");
	REFUSED(HSF(",\"health\":\"probes\""),
		"SF \"fw\": health: \"probes\": expected \"none\", \"link\" or \"probe\"");
	REFUSED(HSF(",\"health\":1"), "SF \"fw\": health: expected a string");
	REFUSED(HSF(",\"probe\":5"), "SF \"fw\": probe: expected a string");
	REFUSED(HSF(",\"probe-from\":[1]"), "SF \"fw\": probe-from: expected a string");
	REFUSED(HSF(",\"probe\":\"icmp 2001:db8::1\",\"probe-timeout\":2"),
		"SF \"fw\": unknown key \"probe-timeout\"");
}

/* checks that a probe's string is read in its forms only, with the form expected in the message */
static void test_bad_probe_forms_are_refused(void)
{
	REFUSED(HSF(",\"probe\":\"ping 198.18.3.1\""),
		"SF \"fw\": probe: \"ping 198.18.3.1\": expected \"icmp ADDRESS\" or \"tcp "
		"ADDRESS:PORT\"");
	REFUSED(HSF(",\"probe\":\"icmp\""),
		"SF \"fw\": probe: \"icmp\": expected \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\"");
	REFUSED(HSF(",\"probe\":\"icmp \""),
		"SF \"fw\": probe: \"icmp \": missing ADDRESS (expected \"icmp ADDRESS\" or \"tcp "
		"ADDRESS:PORT\")");
	REFUSED(HSF(",\"probe\":\"icmp fw.example\""),
		"SF \"fw\": probe: \"icmp fw.example\": \"fw.example\" is not an IPv4 or IPv6 "
		"address");
	REFUSED(HSF(",\"probe\":\"icmp 198.18.3.1:80\""),
		"SF \"fw\": probe: \"icmp 198.18.3.1:80\": an icmp probe takes no port (expected "
		"\"icmp ADDRESS\")");
	REFUSED(HSF(",\"probe\":\"icmp [2001:db8::1]\""),
		"SF \"fw\": probe: \"icmp [2001:db8::1]\": expected \"icmp ADDRESS\" (brackets go "
		"only with a tcp probe's port)");
	REFUSED(HSF(",\"probe\":\"tcp 198.18.3.1\",\"probe-from\":\"198.18.3.9\""),
		"SF \"fw\": probe: \"tcp 198.18.3.1\": a tcp probe needs a port (expected \"tcp "
		"ADDRESS:PORT\", \"tcp [ADDRESS]:PORT\" for IPv6)");
	REFUSED(HSF(",\"probe\":\"tcp 2001:db8::1\""),
		"SF \"fw\": probe: \"tcp 2001:db8::1\": a tcp probe needs a port (expected \"tcp "
		"ADDRESS:PORT\", \"tcp [ADDRESS]:PORT\" for IPv6)");
	REFUSED(HSF(",\"probe\":\"tcp [198.18.3.1]:80\""),
		"SF \"fw\": probe: \"tcp [198.18.3.1]:80\": \"198.18.3.1\" is not an IPv6 address "
		"(only IPv6 is written in brackets)");
	REFUSED(HSF(",\"probe\":\"tcp [2001:db8::1]80\""),
		"SF \"fw\": probe: \"tcp [2001:db8::1]80\": \"[2001:db8::1]80\": expected "
		"[ADDRESS]:PORT");
	REFUSED(HSF(",\"probe\":\"tcp 198.18.3.1:0\""),
		"SF \"fw\": probe: \"tcp 198.18.3.1:0\": port \"0\": expected an integer from 1 "
		"to 65535");
	REFUSED(HSF(",\"probe\":\"tcp 198.18.3.1:65536\""),
		"SF \"fw\": probe: \"tcp 198.18.3.1:65536\": port \"65536\": expected an integer "
		"from 1 to 65535");
	REFUSED(HSF(",\"probe\":\"tcp [2001:db8::1]:http\""),
		"SF \"fw\": probe: \"tcp [2001:db8::1]:http\": port \"http\": expected an integer "
		"from 1 to 65535");
	REFUSED(HSF(",\"probe\":\"tcp 198.18.3.1:\""),
		"SF \"fw\": probe: \"tcp 198.18.3.1:\": port \"\": expected an integer from 1 to "
		"65535");
	REFUSED(HSF(",\"probe\":\"tcp 198.18.3.1:+80\""),
		"SF \"fw\": probe: \"tcp 198.18.3.1:+80\": port \"+80\": expected an integer from "
		"1 to 65535");
}

/* checks that a probe's addresses are unicast: unspecified, loopback, multicast, broadcast and IPv4-mapped are refused by name */
static void test_non_unicast_probe_addresses_are_refused(void)
{
	REFUSED(HSF(",\"probe\":\"icmp 0.0.0.0\""),
		"SF \"fw\": probe: \"icmp 0.0.0.0\": 0.0.0.0 is the unspecified address, not the "
		"unicast address of one host");
	REFUSED(HSF(",\"probe\":\"icmp 127.0.0.1\""),
		"SF \"fw\": probe: \"icmp 127.0.0.1\": 127.0.0.1 is a loopback address, not the "
		"unicast address of one host");
	REFUSED(HSF(",\"probe\":\"icmp 224.0.0.5\""),
		"SF \"fw\": probe: \"icmp 224.0.0.5\": 224.0.0.5 is a multicast address, not the "
		"unicast address of one host");
	REFUSED(HSF(",\"probe\":\"tcp 255.255.255.255:80\""),
		"SF \"fw\": probe: \"tcp 255.255.255.255:80\": 255.255.255.255 is the broadcast "
		"address, not the unicast address of one host");
	REFUSED(HSF(",\"probe\":\"icmp ::\""),
		"SF \"fw\": probe: \"icmp ::\": :: is the unspecified address, not the unicast "
		"address of one host");
	REFUSED(HSF(",\"probe\":\"icmp ::1\""),
		"SF \"fw\": probe: \"icmp ::1\": ::1 is the loopback address, not the unicast "
		"address of one host");
	REFUSED(HSF(",\"probe\":\"tcp [ff02::1]:80\""),
		"SF \"fw\": probe: \"tcp [ff02::1]:80\": ff02::1 is a multicast address, not the "
		"unicast address of one host");
	REFUSED(HSF(",\"probe\":\"icmp ::ffff:198.18.3.1\""),
		"SF \"fw\": probe: \"icmp ::ffff:198.18.3.1\": ::ffff:198.18.3.1 is an IPv4-mapped "
		"address (write the IPv4 address), not the unicast address of one host");
	REFUSED(HSF(",\"probe\":\"icmp 2001:db8::1\",\"probe-from\":\"ff02::2\""),
		"SF \"fw\": probe-from: ff02::2 is a multicast address, not the unicast address "
		"of one host");
	REFUSED(HSF(",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"255.255.255.255\""),
		"SF \"fw\": probe-from: 255.255.255.255 is the broadcast address, not the unicast "
		"address of one host");
	REFUSED(HSF(",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"fw-probe\""),
		"SF \"fw\": probe-from: \"fw-probe\" is not an IPv4 or IPv6 address");
}

/* checks probe-from: required for IPv4 (saying what it must be), of the probe's family, not the probe's own address */
static void test_probe_from_rules(void)
{
	REFUSED(HSF(",\"probe\":\"icmp 198.18.3.1\""),
		"SF \"fw\": probe 198.18.3.1 is IPv4 and needs \"probe-from\": an address of the "
		"SF's subnet that nothing else uses (sfcd sends from it and answers ARP for it)");
	REFUSED(HSF(",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"2001:db8::9\""),
		"SF \"fw\": probe-from 2001:db8::9 is IPv6 and the probe's address 198.18.3.1 IPv4: "
		"they must be of one family");
	REFUSED(HSF(",\"probe\":\"tcp [2001:db8::1]:22\",\"probe-from\":\"198.18.3.9\""),
		"SF \"fw\": probe-from 198.18.3.9 is IPv4 and the probe's address 2001:db8::1 IPv6: "
		"they must be of one family");
	REFUSED(HSF(",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.1\""),
		"SF \"fw\": probe-from 198.18.3.1 is the probe's own address (expected an address "
		"of the SF's subnet that nothing else uses)");
}

/* checks the limits of probe-interval, probe-fail and probe-recover, naming the value */
static void test_probe_limits_are_refused(void)
{
#define P4 ",\"probe\":\"icmp 198.18.3.1\",\"probe-from\":\"198.18.3.9\""
	REFUSED(HSF(P4 ",\"probe-interval\":99"),
		"SF \"fw\": probe-interval: expected an integer from 100 to 60000 (ms), got 99");
	REFUSED(HSF(P4 ",\"probe-interval\":60001"),
		"SF \"fw\": probe-interval: expected an integer from 100 to 60000 (ms), got 60001");
	REFUSED(HSF(P4 ",\"probe-interval\":\"1000\""),
		"SF \"fw\": probe-interval: expected an integer from 100 to 60000 (ms), got \"1000\"");
	REFUSED(HSF(P4 ",\"probe-interval\":1000.5"),
		"SF \"fw\": probe-interval: expected an integer from 100 to 60000 (ms), got 1000.5");
	REFUSED(HSF(P4 ",\"probe-fail\":0"),
		"SF \"fw\": probe-fail: expected an integer from 1 to 100, got 0");
	REFUSED(HSF(P4 ",\"probe-fail\":101"),
		"SF \"fw\": probe-fail: expected an integer from 1 to 100, got 101");
	REFUSED(HSF(P4 ",\"probe-recover\":0"),
		"SF \"fw\": probe-recover: expected an integer from 1 to 100, got 0");
	REFUSED(HSF(P4 ",\"probe-recover\":-3"),
		"SF \"fw\": probe-recover: expected an integer from 1 to 100, got -3");
	REFUSED(HSF(P4 ",\"probe-recover\":null"),
		"SF \"fw\": probe-recover: expected an integer from 1 to 100, got null");
#undef P4
}

/* checks that the validator holds typed SFs (CNI, edits) to the same health rules */
static void test_validator_refuses_typed_health_settings(void)
{
	static const struct {
		struct sfc_sf_cfg sf;
		const char *msg;
	} cases[] = {
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_PROBE },
		  "SF \"t\": health probe needs \"probe\": \"icmp ADDRESS\" or \"tcp ADDRESS:PORT\"" },
		{ { .name = "t", .dev = "s9", .health = 7 },
		  "SF \"t\": health: unknown mode 7 (expected none, link or probe)" },
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_NONE,
		    .probe = { .type = SFC_PROBE_ICMP, .family = 6, .addr = { 0x20, 1, [15] = 1 } } },
		  "SF \"t\": \"probe\" with health none: the probe would never be used (only "
		  "health probe probes)" },
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_PROBE,
		    .probe = { .type = SFC_PROBE_TCP, .family = 6, .addr = { 0x20, 1, [15] = 1 } } },
		  "SF \"t\": probe: a tcp probe needs a port (expected \"tcp ADDRESS:PORT\")" },
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_PROBE,
		    .probe = { .type = SFC_PROBE_ICMP, .family = 4, .addr = { 198, 18, 3, 1 } } },
		  "SF \"t\": probe 198.18.3.1 is IPv4 and needs \"probe-from\": an address of the "
		  "SF's subnet that nothing else uses (sfcd sends from it and answers ARP for it)" },
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_PROBE,
		    .probe = { .type = SFC_PROBE_ICMP, .family = 6, .addr = { 0x20, 1, [15] = 1 },
			       .interval_ms = 50 } },
		  "SF \"t\": probe-interval: expected an integer from 100 to 60000 (ms), got 50" },
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_PROBE,
		    .probe = { .type = SFC_PROBE_ICMP, .family = 6, .addr = { 0x20, 1, [15] = 1 },
			       .fail = 200 } },
		  "SF \"t\": probe-fail: expected an integer from 1 to 100, got 200" },
		{ { .name = "t", .dev = "s9", .health = SFC_HEALTH_PROBE,
		    .probe = { .type = SFC_PROBE_ICMP, .family = 5, .addr = { 1 } } },
		  "SF \"t\": probe: address family 5 (expected 4 or 6)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sfc_doc d;
		char err[512] = "";

		ASSERT_OK(doc_from("{" BASE_SFS "}", NULL, &d, err, sizeof(err)), err);
		ASSERT_OK(sfc_edit_sf_add(&d, &cases[i].sf, err, sizeof(err)), err);
		ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, cases[i].msg);
		sfc_doc_free(&d);
		ASSERT_STREQ(err, cases[i].msg, "message");
	}
}

/* SFs and groups of the tap tests: pool (p1) and caps (c1), empty group g */
#define TAP_SFS                                                                \
	"\"groups\":[{\"name\":\"pool\"},{\"name\":\"caps\"},{\"name\":\"g\"}],"      \
	"\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"},{\"name\":\"ids\",\"dev\":\"s1\"}," \
	"{\"name\":\"p1\",\"dev\":\"s2\",\"group\":\"pool\"},{\"name\":\"nat\",\"dev\":\"s3\"}," \
	"{\"name\":\"c1\",\"dev\":\"s4\",\"group\":\"caps\"}]"
/* a document of TAP_SFS and the chains CHAINS (JSON array members) */
#define TAPDOC(chains) "{" TAP_SFS ",\"chains\":[" chains "]}"
#define TAP_WHY ": a tap never sends packets back, an SF of a hop must"

/* checks that {"tap": [...]} is read as a tap hop of those names, beside plain hops, and a chain of one tap is valid */
static void test_tap_hops_are_read(void)
{
	const struct sfc_chain_cfg *c;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from(TAPDOC("{\"name\":\"web\",\"hops\":[[\"fw\"],{\"tap\":[\"ids\",\"caps\"]},"
				  "\"nat\"]},{\"name\":\"t\",\"hops\":[{\"tap\":[\"ids\"]}]}"),
			   NULL, &d, err, sizeof(err)), err);
	c = sfc_doc_chain(&d, "web");
	ASSERT_EQ(c->nhops, 3, "web: hops");
	ASSERT_TRUE(!c->hops[0].tap, "web: hop 1 is no tap");
	ASSERT_TRUE(c->hops[1].tap, "web: hop 2 is a tap");
	ASSERT_EQ(c->hops[1].nsf, 2, "web: hop 2's names");
	ASSERT_STREQ(c->hops[1].sf[0], "ids", "web: hop 2, first");
	ASSERT_STREQ(c->hops[1].sf[1], "caps", "web: hop 2, second");
	ASSERT_TRUE(!c->hops[2].tap, "web: hop 3 is no tap");
	c = sfc_doc_chain(&d, "t");
	ASSERT_EQ(c->nhops, 1, "t: a chain of one tap");
	ASSERT_TRUE(c->hops[0].tap, "t: hop 1 is a tap");
	sfc_doc_free(&d);
}

/* checks that a hop that is neither a list nor {"tap": [names]} is refused, naming the chain, the hop and the form expected */
static void test_bad_tap_hops_are_refused(void)
{
	char names[1024] = "", text[2048];
	size_t off = 0;

	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":\"ids\"}]}"),
		"chain \"web\": hop 2: tap: a tap hop is a list of 1 to 16 SF names");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[]}]}"),
		"chain \"web\": hop 2: tap: a tap hop is a list of 1 to 16 SF names");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":{\"ids\":1}}]}"),
		"chain \"web\": hop 2: tap: a tap hop is a list of 1 to 16 SF names");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[\"ids\"],\"mirror\":true},\"fw\"]}"),
		"chain \"web\": hop 1: unknown key \"mirror\" (a tap hop is {\"tap\": [SF names]})");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"taps\":[\"ids\"]}]}"),
		"chain \"web\": hop 2: unknown key \"taps\" (a tap hop is {\"tap\": [SF names]})");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{}]}"),
		"chain \"web\": hop 2: missing \"tap\" (a tap hop is {\"tap\": [SF names]})");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",\"ids\",5]}"),
		"chain \"web\": hop 3: a hop is a list of 1 to 16 SF names, or {\"tap\": [SF names]} "
		"for a tap");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[null]}"),
		"chain \"web\": hop 1: a hop is a list of 1 to 16 SF names, or {\"tap\": [SF names]} "
		"for a tap");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"ids\",5]}]}"),
		"chain \"web\": hop 2: tap: expected an SF name");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[[\"ids\"]]}]}"),
		"chain \"web\": hop 2: tap: expected an SF name");
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"\"]}]}"),
		"chain \"web\": hop 2: tap: expected an SF name");
	/* c: the names of a tap are checked like any hop's */
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"ids9\"]}]}"),
		"chain \"web\": hop 2: no SF named \"ids9\"");
	for (int i = 0; i <= SFC_HOP_BUCKETS; i++)
		off += snprintf(names + off, sizeof(names) - off, "%s\"t%d\"", i ? "," : "", i);
	snprintf(text, sizeof(text), TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[%s]},\"fw\"]}"),
		 names);
	REFUSED(text, "chain \"web\": hop 1: tap: a tap hop is a list of 1 to 16 SF names");
}

/* checks that an SF at a tap hop and at a plain hop, in any two chains, directly or through its group, is refused naming both */
static void test_tap_sf_serving_a_hop_is_refused(void)
{
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"ids\"]},\"nat\"]},"
		       "{\"name\":\"mail\",\"hops\":[\"ids\"]}"),
		"SF \"ids\" is a tap in chain \"web\" (hop 2) and serves hop 1 of chain \"mail\"" TAP_WHY);
	/* the chain that serves first in the document: the same two named */
	REFUSED(TAPDOC("{\"name\":\"mail\",\"hops\":[\"fw\",\"ids\"]},"
		       "{\"name\":\"web\",\"hops\":[\"nat\",{\"tap\":[\"ids\"]}]}"),
		"SF \"ids\" is a tap in chain \"web\" (hop 2) and serves hop 2 of chain \"mail\"" TAP_WHY);
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"ids\",\"pool\"]}]},"
		       "{\"name\":\"mail\",\"hops\":[\"nat\",\"p1\"]}"),
		"SF \"p1\" is a tap in chain \"web\" (hop 2, through its group \"pool\") and serves "
		"hop 2 of chain \"mail\"" TAP_WHY);
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[\"p1\"]},\"fw\"]},"
		       "{\"name\":\"mail\",\"hops\":[\"pool\"]}"),
		"SF \"p1\" is a tap in chain \"web\" (hop 1) and serves hop 1 of chain \"mail\" "
		"through its group \"pool\"" TAP_WHY);
	/* an empty group too: an SF that joins it would be both */
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[\"g\"]},\"fw\"]},"
		       "{\"name\":\"mail\",\"hops\":[\"nat\",\"g\"]}"),
		"group \"g\" is a tap in chain \"web\" (hop 1) and serves hop 2 of chain \"mail\"" TAP_WHY);
	/* c: in one chain too */
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"ids\",{\"tap\":[\"ids\"]}]}"),
		"SF \"ids\" is a tap in chain \"web\" (hop 2) and serves hop 1 of chain \"web\""
		TAP_WHY);
	/* a tap without a MAC of its own at two positions: two copies */
	{
		struct sfc_doc d;
		char err[512] = "";

		ASSERT_OK(doc_from(TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[\"pool\"]},\"fw\","
					  "{\"tap\":[\"p1\"]}]}"), NULL, &d, err, sizeof(err)), err);
		sfc_doc_free(&d);
	}
}

/* checks that two adjacent tap hops are refused, naming both, at the start, the middle and the end */
static void test_adjacent_taps_are_refused(void)
{
#define ADJ(a, b) "chain \"web\": hops " #a " and " #b " are both taps: the fabric copies a " \
	"packet to one tap between two SFs; put an SF between them or make them one tap hop"
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"ids\"]},{\"tap\":[\"caps\"]},"
		       "\"nat\"]}"), ADJ(2, 3));
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[\"ids\"]},{\"tap\":[\"caps\"]}]}"),
		ADJ(1, 2));
	REFUSED(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"ids\"]},{\"tap\":[\"caps\"]}]}"),
		ADJ(2, 3));
#undef ADJ
}

/* checks what taps may do: one SF tapped in several chains, a tap first and last, taps with an SF between, a group tapped and its SF tapped elsewhere */
static void test_taps_that_are_accepted(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from(TAPDOC("{\"name\":\"web\",\"hops\":[{\"tap\":[\"ids\"]},\"fw\","
				  "{\"tap\":[\"caps\"]},\"nat\",{\"tap\":[\"g\"]}]},"
				  "{\"name\":\"mail\",\"hops\":[\"fw\",{\"tap\":[\"ids\",\"c1\"]}]},"
				  "{\"name\":\"only\",\"hops\":[{\"tap\":[\"pool\"]}]},"
				  "{\"name\":\"more\",\"hops\":[[\"nat\"],{\"tap\":[\"p1\"]}]}"),
			   NULL, &d, err, sizeof(err)), err);
	ASSERT_TRUE(d.validated, "validated");
	sfc_doc_free(&d);
}

/* checks that a pod the CNI plugin adds to a tapped group is a tap like its group, and the document stays valid */
static void test_cni_pod_joins_a_tapped_group(void)
{
	struct sfc_cni_attach a = { .network = "net", .container = "c1", .ifname = "eth0",
				    .role = "sf", .dev = "veth1", .sf = "caps" };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from(TAPDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"caps\"]}]}"),
			   NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_cni_attach(&d, &a, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	ASSERT_EQ(d.nsfs, 6, "SFs after the attach");
	sfc_doc_free(&d);
}

/* checks that the validator holds typed chains (edits) to the tap rules: adjacent taps, a tap SF that serves, an empty tap */
static void test_validator_refuses_typed_taps(void)
{
	struct sfc_chain_cfg web = { .name = "web", .nhops = 3,
				     .hops = { { .nsf = 1, .sf = { "fw" } },
					       { .nsf = 1, .tap = true, .sf = { "ids" } },
					       { .nsf = 1, .tap = true, .sf = { "caps" } } } };
	struct sfc_chain_cfg mail = { .name = "mail", .nhops = 1,
				      .hops = { { .nsf = 1, .sf = { "c1" } } } };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{" TAP_SFS "}", NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_add(&d, &web, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "adjacent taps");
	ASSERT_STREQ(err, "chain \"web\": hops 2 and 3 are both taps: the fabric copies a packet "
		     "to one tap between two SFs; put an SF between them or make them one tap hop",
		     "adjacent taps, message");
	web.hops[1].tap = false;
	ASSERT_OK(sfc_edit_chain_set(&d, &web, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_add(&d, &mail, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "a tap SF that serves");
	ASSERT_STREQ(err, "SF \"c1\" is a tap in chain \"web\" (hop 3, through its group \"caps\") "
		     "and serves hop 1 of chain \"mail\"" TAP_WHY, "a tap SF that serves, message");
	mail.hops[0].tap = true;
	ASSERT_OK(sfc_edit_chain_set(&d, &mail, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	web.hops[2].nsf = 0;
	ASSERT_OK(sfc_edit_chain_set(&d, &web, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "an empty tap");
	ASSERT_STREQ(err, "chain \"web\": hop 3: a hop is a list of 1 to 16 SF names",
		     "an empty tap, message");
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

/* SFs of the symmetric tests: fw one-arm, fw1 one-arm written with out-dev = dev, nat
 * two-arm with a mac and no out-mac, br two-arm without a mac, rt two-arm with a mac
 * and an out-mac; group pool of one-arm p1 and two-arm p2 (mac, no out-mac), group
 * arms of two-arm a1 (no mac) and a2 (mac and out-mac), group caps of one-arm c1 */
#define SYM_SFS                                                                \
	"\"groups\":[{\"name\":\"pool\"},{\"name\":\"arms\"},{\"name\":\"caps\"}]," \
	"\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"},"                           \
	"{\"name\":\"fw1\",\"dev\":\"s1\",\"out-dev\":\"s1\"},"                 \
	"{\"name\":\"nat\",\"dev\":\"s2\",\"out-dev\":\"s3\",\"mac\":\"02:00:00:00:00:02\"}," \
	"{\"name\":\"br\",\"dev\":\"s10\",\"out-dev\":\"s11\"},"                \
	"{\"name\":\"rt\",\"dev\":\"s12\",\"out-dev\":\"s13\",\"mac\":\"02:00:00:00:00:12\"," \
	"\"out-mac\":\"02:00:00:00:00:13\"},"                                  \
	"{\"name\":\"p1\",\"dev\":\"s4\",\"group\":\"pool\"},"                  \
	"{\"name\":\"p2\",\"dev\":\"s5\",\"out-dev\":\"s6\",\"group\":\"pool\"," \
	"\"mac\":\"02:00:00:00:00:05\"},"                                      \
	"{\"name\":\"a1\",\"dev\":\"s14\",\"out-dev\":\"s15\",\"group\":\"arms\"}," \
	"{\"name\":\"a2\",\"dev\":\"s16\",\"out-dev\":\"s17\",\"group\":\"arms\"," \
	"\"mac\":\"02:00:00:00:00:16\",\"out-mac\":\"02:00:00:00:00:17\"},"     \
	"{\"name\":\"c1\",\"dev\":\"s7\",\"group\":\"caps\"}]"
#define SYMDOC(chains) "{" SYM_SFS ",\"chains\":[" chains "]}"
#define SYM_WHY " and has a mac but no out-mac, and the chain is symmetric: its replies " \
	"enter the SF from its out-dev side, where the fabric must address them to the SF's " \
	"MAC on that side: set \"out-mac\""

/* checks that "symmetric" is a JSON boolean, absent false, and anything else is refused naming the chain and the value */
static void test_symmetric_is_a_boolean(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from(SYMDOC("{\"name\":\"a\",\"hops\":[\"fw\"],\"symmetric\":true},"
				  "{\"name\":\"b\",\"hops\":[\"fw\"],\"symmetric\":false},"
				  "{\"name\":\"c\",\"hops\":[\"fw\"]}"), NULL, &d, err, sizeof(err)),
		  err);
	ASSERT_TRUE(sfc_doc_chain(&d, "a")->symmetric, "true: symmetric");
	ASSERT_TRUE(!sfc_doc_chain(&d, "b")->symmetric, "false: not symmetric");
	ASSERT_TRUE(!sfc_doc_chain(&d, "c")->symmetric, "absent: not symmetric");
	sfc_doc_free(&d);
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\"],\"symmetric\":\"yes\"}"),
		"chain \"web\": symmetric: expected true or false, got \"yes\"");
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\"],\"symmetric\":1}"),
		"chain \"web\": symmetric: expected true or false, got 1");
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\"],\"symmetric\":null}"),
		"chain \"web\": symmetric: expected true or false, got null");
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\"],\"symmetric\":[true]}"),
		"chain \"web\": symmetric: expected true or false, got an array");
}

/* checks that a symmetric chain through a two-arm SF with a mac and no out-mac is refused, named directly, through its group, or in a tap hop, with the chain, hop, SF and out-dev */
static void test_symmetric_chain_refuses_a_mac_without_out_mac(void)
{
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\",\"nat\"],\"symmetric\":true}"),
		"chain \"web\": hop 2: SF \"nat\" is two-arm (out-dev \"s3\")" SYM_WHY);
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[[\"br\",\"nat\"]],\"symmetric\":true}"),
		"chain \"web\": hop 1: SF \"nat\" is two-arm (out-dev \"s3\")" SYM_WHY);
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\",[\"pool\"]],\"symmetric\":true}"),
		"chain \"web\": hop 2: group \"pool\" includes SF \"p2\", which is two-arm "
		"(out-dev \"s6\")" SYM_WHY);
	REFUSED(SYMDOC("{\"name\":\"web\",\"hops\":[\"fw\",{\"tap\":[\"nat\"]}],"
		       "\"symmetric\":true}"),
		"chain \"web\": hop 2: SF \"nat\" is two-arm (out-dev \"s3\")" SYM_WHY);
	/* the first of two symmetric chains in the document's order */
	REFUSED(SYMDOC("{\"name\":\"ok\",\"hops\":[\"rt\"],\"symmetric\":true},"
		       "{\"name\":\"bad\",\"hops\":[\"fw1\",\"pool\"],\"symmetric\":true}"),
		"chain \"bad\": hop 2: group \"pool\" includes SF \"p2\", which is two-arm "
		"(out-dev \"s6\")" SYM_WHY);
}

/* checks that one-arm SFs (out-dev left out or equal to dev), two-arm SFs without a mac or with a mac and an out-mac, groups of them and taps make a valid symmetric chain, and a two-arm SF with a mac and no out-mac a valid chain that is not symmetric */
static void test_symmetric_chains_that_are_accepted(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from(SYMDOC("{\"name\":\"sym\",\"hops\":[\"fw\",{\"tap\":[\"caps\"]},"
				  "[\"fw1\"],[\"br\",\"rt\"],[\"arms\"]],\"symmetric\":true},"
				  "{\"name\":\"plain\",\"hops\":[\"nat\",\"pool\"]}"),
			   NULL, &d, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_chain(&d, "sym")->symmetric, "sym is symmetric");
	ASSERT_TRUE(!sfc_doc_chain(&d, "plain")->symmetric, "plain is not");
	sfc_doc_free(&d);
}

/* checks that the validator refuses a typed document whose symmetric chain reaches a two-arm SF with a mac and no out-mac, whatever edit made it so: an SF joining a group, a chain made symmetric, an out-mac removed */
static void test_validator_refuses_typed_symmetric_mac_without_out_mac(void)
{
	struct sfc_chain_cfg web = { .name = "web", .symmetric = true, .nhops = 1,
				     .hops = { { .nsf = 1, .sf = { "pool" } } } };
	struct sfc_sf_cfg p3 = { .name = "p3", .kind = SFC_KIND_IFACE, .dev = "s8",
				 .out_dev = "s9", .has_mac = true,
				 .mac = { 0x02, 0, 0, 0, 0, 0x08 }, .group = "pool" };
	struct sfc_sf_cfg rt;
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from(SYMDOC(""), NULL, &d, err, sizeof(err)), err);
	/* pool without p2: valid */
	ASSERT_OK(sfc_edit_sf_del(&d, "p2", err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_chain_add(&d, &web, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	/* a two-arm SF with a mac and no out-mac joins the group */
	ASSERT_OK(sfc_edit_sf_add(&d, &p3, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "p3 joins");
	ASSERT_STREQ(err, "chain \"web\": hop 1: group \"pool\" includes SF \"p3\", which is "
		     "two-arm (out-dev \"s9\")" SYM_WHY, "p3 joins, message");
	/* with its out-mac it may */
	p3.has_out_mac = true;
	memcpy(p3.out_mac, (__u8[6]){ 0x02, 0, 0, 0, 0, 0x09 }, 6);
	ASSERT_OK(sfc_edit_sf_set(&d, &p3, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	/* and so may one without a mac */
	p3.has_mac = p3.has_out_mac = false;
	ASSERT_OK(sfc_edit_sf_set(&d, &p3, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	/* a chain made symmetric while it reaches nat */
	web.symmetric = false;
	web.hops[0] = (struct sfc_hop_cfg){ .nsf = 1, .sf = { "nat" } };
	ASSERT_OK(sfc_edit_chain_set(&d, &web, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	web.symmetric = true;
	ASSERT_OK(sfc_edit_chain_set(&d, &web, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "made symmetric");
	ASSERT_STREQ(err, "chain \"web\": hop 1: SF \"nat\" is two-arm (out-dev \"s3\")" SYM_WHY,
		     "made symmetric, message");
	ASSERT_TRUE(!d.validated, "not validated");
	/* rt in a symmetric chain, then its out-mac removed */
	web.hops[0] = (struct sfc_hop_cfg){ .nsf = 1, .sf = { "rt" } };
	ASSERT_OK(sfc_edit_chain_set(&d, &web, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	rt = *sfc_doc_sf(&d, "rt");
	rt.has_out_mac = false;
	ASSERT_OK(sfc_edit_sf_set(&d, &rt, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "out-mac removed");
	ASSERT_STREQ(err, "chain \"web\": hop 1: SF \"rt\" is two-arm (out-dev \"s13\")" SYM_WHY,
		     "out-mac removed, message");
	sfc_doc_free(&d);
}

/* checks that an apply giving an SF with a mac of a symmetric chain an out-dev is refused against the document before it, and taken with an out-mac; an SF without a mac may get an out-dev alone */
static void test_apply_giving_an_out_dev_needs_an_out_mac(void)
{
	struct sfc_doc d, d2;
	char err[512] = "";
	int ret;

	ASSERT_OK(doc_from("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"mac\":\"02:00:00:00:00:01\"},"
			   "{\"name\":\"br\",\"dev\":\"s2\"}],\"chains\":[{\"name\":\"web\","
			   "\"hops\":[\"fw\",\"br\"],\"symmetric\":true}]}", NULL, &d, err,
			   sizeof(err)), err);
	ret = doc_from("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		       "\"mac\":\"02:00:00:00:00:01\"},{\"name\":\"br\",\"dev\":\"s2\"}],"
		       "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\",\"br\"],\"symmetric\":true}]}",
		       &d, &d2, err, sizeof(err));
	if (!ret)
		sfc_doc_free(&d2);
	ASSERT_EQ(ret, -EINVAL, "out-dev given");
	ASSERT_STREQ(err, "chain \"web\": hop 1: SF \"fw\" is two-arm (out-dev \"s1\")" SYM_WHY,
		     "out-dev given, message");
	ASSERT_OK(doc_from("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\","
			   "\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"02:00:00:00:00:02\"},"
			   "{\"name\":\"br\",\"dev\":\"s2\",\"out-dev\":\"s3\"}],"
			   "\"chains\":[{\"name\":\"web\",\"hops\":[\"fw\",\"br\"],"
			   "\"symmetric\":true}]}", &d, &d2, err, sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_sf(&d2, "fw")->has_out_mac, "fw has its out-mac");
	sfc_doc_free(&d2);
	sfc_doc_free(&d);
}

/* checks that "out-mac" is read like "mac" (a MAC string, written only when set), and refused on a one-arm SF (out-dev left out or equal to dev), when it is not a MAC, and when it is not unicast, naming the SF */
static void test_out_mac_forms_and_rules(void)
{
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{\"sfs\":[{\"name\":\"rt\",\"dev\":\"s0\",\"out-dev\":\"s1\","
			   "\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"2:0:0:0:0:A2\"},"
			   "{\"name\":\"br\",\"dev\":\"s2\",\"out-dev\":\"s3\"}]}", NULL, &d, err,
			   sizeof(err)), err);
	ASSERT_TRUE(sfc_doc_sf(&d, "rt")->has_out_mac, "rt: out-mac read");
	ASSERT_TRUE(!memcmp(sfc_doc_sf(&d, "rt")->out_mac, (__u8[6]){ 2, 0, 0, 0, 0, 0xa2 }, 6),
		    "rt: out-mac's bytes");
	ASSERT_TRUE(!memcmp(sfc_doc_sf(&d, "rt")->mac, (__u8[6]){ 2, 0, 0, 0, 0, 1 }, 6),
		    "rt: mac kept apart");
	ASSERT_TRUE(!sfc_doc_sf(&d, "br")->has_out_mac, "br: no out-mac");
	sfc_doc_free(&d);
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-mac\":\"02:00:00:00:00:02\"}]}",
		"SF \"fw\": out-mac: the SF is one-arm (no out-dev other than its dev); out-mac is "
		"its MAC on its out-dev side, which only a two-arm SF has");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s0\","
		"\"mac\":\"02:00:00:00:00:01\",\"out-mac\":\"02:00:00:00:00:02\"}]}",
		"SF \"fw\": out-mac: the SF is one-arm (no out-dev other than its dev); out-mac is "
		"its MAC on its out-dev side, which only a two-arm SF has");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\",\"out-mac\":\"zz\"}]}",
		"SF \"fw\": out-mac: \"zz\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		"\"out-mac\":\"02:00:00:00:00:02:03\"}]}",
		"SF \"fw\": out-mac: \"02:00:00:00:00:02:03\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\",\"out-mac\":2}]}",
		"SF \"fw\": out-mac: expected a string");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\",\"out-mac\":null}]}",
		"SF \"fw\": out-mac: expected a string");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		"\"out-mac\":\"00:00:00:00:00:00\"}]}",
		"SF \"fw\": out-mac: the all-zero MAC is not an address");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		"\"out-mac\":\"ff:ff:ff:ff:ff:ff\"}]}",
		"SF \"fw\": out-mac: a broadcast MAC cannot address one SF");
	REFUSED("{\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\",\"out-dev\":\"s1\","
		"\"out-mac\":\"33:33:00:00:00:01\"}]}",
		"SF \"fw\": out-mac: a multicast MAC (first octet odd) cannot address one SF");
}

/* checks that the validator refuses a typed out-mac on a one-arm SF and a typed out-mac that is not unicast */
static void test_validator_refuses_typed_out_macs(void)
{
	struct sfc_sf_cfg sf = { .name = "x", .kind = SFC_KIND_IFACE, .dev = "s8",
				 .has_out_mac = true, .out_mac = { 0x02, 0, 0, 0, 0, 0x09 } };
	struct sfc_doc d;
	char err[512] = "";

	ASSERT_OK(doc_from("{\"sfs\":[]}", NULL, &d, err, sizeof(err)), err);
	ASSERT_OK(sfc_edit_sf_add(&d, &sf, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "one-arm");
	ASSERT_STREQ(err, "SF \"x\": out-mac: the SF is one-arm (no out-dev other than its dev); "
		     "out-mac is its MAC on its out-dev side, which only a two-arm SF has",
		     "one-arm, message");
	strcpy(sf.out_dev, "s9");
	ASSERT_OK(sfc_edit_sf_set(&d, &sf, err, sizeof(err)), err);
	ASSERT_OK(sfc_doc_validate(&d, NULL, err, sizeof(err)), err);
	sf.out_mac[0] = 0x01;
	ASSERT_OK(sfc_edit_sf_set(&d, &sf, err, sizeof(err)), err);
	ASSERT_EQ(sfc_doc_validate(&d, NULL, err, sizeof(err)), -EINVAL, "multicast");
	ASSERT_STREQ(err, "SF \"x\": out-mac: a multicast MAC (first octet odd) cannot address "
		     "one SF", "multicast, message");
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
		UNIT_TEST(test_sf_health_defaults_and_forms),
		UNIT_TEST(test_health_rules_are_enforced),
		UNIT_TEST(test_bad_probe_forms_are_refused),
		UNIT_TEST(test_non_unicast_probe_addresses_are_refused),
		UNIT_TEST(test_probe_from_rules),
		UNIT_TEST(test_probe_limits_are_refused),
		UNIT_TEST(test_validator_refuses_typed_health_settings),
		UNIT_TEST(test_tap_hops_are_read),
		UNIT_TEST(test_bad_tap_hops_are_refused),
		UNIT_TEST(test_tap_sf_serving_a_hop_is_refused),
		UNIT_TEST(test_adjacent_taps_are_refused),
		UNIT_TEST(test_taps_that_are_accepted),
		UNIT_TEST(test_cni_pod_joins_a_tapped_group),
		UNIT_TEST(test_validator_refuses_typed_taps),
		UNIT_TEST(test_symmetric_is_a_boolean),
		UNIT_TEST(test_symmetric_chain_refuses_a_mac_without_out_mac),
		UNIT_TEST(test_symmetric_chains_that_are_accepted),
		UNIT_TEST(test_validator_refuses_typed_symmetric_mac_without_out_mac),
		UNIT_TEST(test_apply_giving_an_out_dev_needs_an_out_mac),
		UNIT_TEST(test_out_mac_forms_and_rules),
		UNIT_TEST(test_validator_refuses_typed_out_macs),
		UNIT_TEST(test_valid_document_is_indexed),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
