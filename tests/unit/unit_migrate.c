// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Upgrades of sfc_flows from map ABI 4 (sfc at 20e9155 and before): an
 * sfc_flows keyed by the 40-byte struct sfc_flow_key, with 36-byte values,
 * is pinned before the datapath is loaded, holding one IPv4 and one IPv6
 * flow in the middle of chain "ab". Loading converts it into the map of
 * 16-byte keys and 104-byte values: each entry keeps its values, gains the
 * flow's addresses, and is found where the datapath looks for it (an IPv6
 * flow's addresses folded with the pinned sfc_meta_key). A packet of each
 * flow back from SF a then goes on to SF b (a serves two chains: a packet
 * no entry knows would be dropped). tests/daemon/upgrade_abi4.sh
 * does the same upgrade from the old sfcd, under traffic, with IPv4 only.
 */
#include "unit.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b'}],"
	" 'chains':[{'name':'ab','spi':100,'hops':['a','b']},"
	"           {'name':'ba','spi':200,'hops':['b','a']}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'ab'},"
	"          {'pref':2,'dst':'2001:db8:1::/64','chain':'ab'}]}";

#define V4_SIZE 36 /* sfc_flow of ABI 4: up to steps_path */

static struct pkt_spec flow4(void)
{
	return UDP4("198.18.0.1", 40001, "198.18.1.9", 5201);
}

static struct pkt_spec flow6(void)
{
	return UDP6("2001:db8::9", 40002, "2001:db8:1::9", 5201);
}

/* the values the old sfc wrote (in_ifindex is set once the topology is up) */
static struct sfc_flow old_value(__u32 hash)
{
	struct sfc_flow v = { .generation = 7, .path_id = 4242, .hash = hash,
			      .flags = SFC_FLOW_CHAINED };

	v.in_ifindex = ifx[IF_IN0];
	memcpy(v.orig_dst, MAC_PKT_DST, 6);
	memcpy(v.orig_src, MAC_PKT_SRC, 6);
	return v;
}

/* What sfc at ABI 4 left pinned: its sfc_flows, with the two flows. */
static void pin_abi4_flows(const char *pin_dir)
{
	struct pkt_spec specs[2] = { flow4(), flow6() };
	char path[PATH_MAX];
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "sfc_flows", sizeof(struct sfc_flow_key),
			    V4_SIZE, SFC_FLOW_ENTRIES, NULL);
	if (fd < 0)
		unit_setup_fail("creating an ABI 4 sfc_flows: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		struct sfc_flow v = old_value(0x1000 + i);
		struct sfc_flow_key k;

		pkt_key(&specs[i], &k);
		if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
			unit_setup_fail("an ABI 4 flow entry: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/sfc_flows", pin_dir);
	if (bpf_obj_pin(fd, path))
		unit_setup_fail("pinning %s: %s", path, strerror(errno));
	close(fd);
}

static void converted(struct pkt_spec s, __u32 hash)
{
	struct sfc_flow want = old_value(hash), f;
	struct sfc_flow_key k;
	__u8 addrs[32];

	pkt_key(&s, &k);
	memcpy(addrs, k.src, 16);
	memcpy(addrs + 16, k.dst, 16);
	ASSERT_OK(flow_get(&s, &f), "the flow's entry, under its new key");
	ASSERT_MEM_EQ(&f, &want, V4_SIZE, "the old values");
	ASSERT_EQ(f.flags, SFC_FLOW_CHAINED, "chained, in the new map");
	ASSERT_EQ(f.steps_path, 0, "no resolved steps (its next packets resolve them)");
	ASSERT_MEM_EQ(f.addr6, addrs, 32, "the flow's addresses, as the datapath writes them");
}

/* checks that an IPv4 flow's entry of ABI 4 is converted under the IPv4 5-tuple key */
static void test_ipv4_flow_converted(void)
{
	converted(flow4(), 0x1000);
}

/* checks that an IPv6 flow's entry of ABI 4 is converted under its folded key, with its addresses */
static void test_ipv6_flow_converted(void)
{
	converted(flow6(), 0x1001);
}

/* Put the flow on chain ab's current version (the old path id was the
 * old sfc's), send its packet back from SF a: SF b is next. */
static void continues(struct pkt_spec s)
{
	__u32 cid = chain_id("ab");
	struct sfc_chain head = {};
	struct sfc_flow f;
	struct pkt rp;
	struct run r;
	__u8 to[6];

	bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
	ASSERT_TRUE(head.path_id != 0, "chain ab's current version");
	ASSERT_OK(flow_get(&s, &f), "the converted entry");
	f.path_id = head.path_id;
	ASSERT_OK(flow_set(&s, &f), "the entry on ab's current version");
	unit_if_mac(IF_SFA, to);
	s.dmac = to;
	s.smac = MAC_SF_A;
	pkt_build(&rp, &s);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &rp, &r), "bpf_prog_test_run(sfc_xdp) on SF a's return");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_MEM_EQ(r.frame, MAC_SF_B, 6, "to SF b, the next hop");
	ASSERT_OK(flow_get(&s, &f), "the entry after the packet");
	ASSERT_EQ(f.generation, 7, "the converted entry, not one made for the packet");
}

/* checks that a packet back from SF a of a converted IPv4 flow goes on to SF b */
static void test_ipv4_converted_flow_continues(void)
{
	continues(flow4());
}

/* checks that a packet back from SF a of a converted IPv6 flow goes on to SF b */
static void test_ipv6_converted_flow_continues(void)
{
	continues(flow6());
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_ipv4_flow_converted),
		UNIT_TEST(test_ipv6_flow_converted),
		UNIT_TEST(test_ipv4_converted_flow_continues),
		UNIT_TEST(test_ipv6_converted_flow_continues),
	};

	unit_pre_load = pin_abi4_flows;
	return unit_main_with_doc(DOC, tests, ARRAY_SIZE(tests), argc, argv);
}
