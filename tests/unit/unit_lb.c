// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Hops of several instances (user/lib/lb_table.c, bpf/sff.h): sfcd writes
 * a weighted table per hop, and every flow goes to the instance its hash's
 * slot names; an edit that adds an instance keeps the other instances'
 * slots, and flows already running keep their instance; an instance that
 * goes down hands its flows to another one, which keeps them when it
 * comes back; a weight change is a new version of the chain.
 */
#include "unit.h"
#include "apply_plan.h"
#include "lb_table.h"
#include <time.h>

#define IN0 ifx[IF_IN0]
#define FLOWS 64

/* Chain x: one hop of the instances HOP, whose weights the SFs carry. */
#define DOC_LB(WA, WB, WE, HOP)                                                \
	"{'ingress':[{'dev':'in0'}],"                                          \
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'" WA "},"    \
	"        {'name':'b','dev':'sfb','out-dev':'sfbr','mac':'02:00:00:00:5f:0b'" WB "},"  \
	"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'" WE "}],"   \
	" 'chains':[{'name':'x','spi':10,'hops':[" HOP "]}],"                  \
	" 'rules':[{'pref':10,'dst':'198.18.90.0/24','chain':'x'}]}"

static const char *const DOC_A3_E1 = DOC_LB(",'weight':3", "", "", "['a','e']");
static const char *const DOC_AE = DOC_LB("", "", "", "['a','e']");
static const char *const DOC_AEB = DOC_LB("", "", "", "['a','e','b']");
static const char *const DOC_A1_E3 = DOC_LB("", "", ",'weight':3", "['a','e']");

/* Flow i of a test: TCP from 198.18.0.1 to 198.18.90.<i>, port base + i. */
static struct pkt_spec lb_flow(int base, int i)
{
	static char dst[FLOWS][32];

	snprintf(dst[i % FLOWS], sizeof(dst[0]), "198.18.90.%d", 1 + i % 250);
	return TCP4("198.18.0.1", base + i, dst[i % FLOWS], 5201);
}

/* x's hop key and table in its current version; 0 or -errno. */
static int x_table(struct sfc_hop_key *k, struct sfc_hop *hop, struct sfc_lb *t)
{
	__u32 cid = chain_id("x");
	struct sfc_chain head = {};

	if (bpf_map_lookup_elem(dp->maps.chains, &cid, &head))
		return -errno;
	*k = (struct sfc_hop_key){ .path_id = head.path_id, .si = 1 };
	if (bpf_map_lookup_elem(dp->maps.hops, k, hop) || bpf_map_lookup_elem(dp->maps.lb, k, t))
		return -errno;
	return 0;
}

/* The SF a frame was sent to, by its destination MAC: 'a', 'b', 'e', '?'. */
static char sent_to(const struct run *r)
{
	if (r->ret != XDP_REDIRECT)
		return '?';
	return !memcmp(r->frame, MAC_SF_A, 6) ? 'a' : !memcmp(r->frame, MAC_SF_B, 6) ? 'b' :
	       !memcmp(r->frame, MAC_SF_E, 6) ? 'e' : '?';
}

/* SF ids of a, b and e, read once per document (sf_id reads every name) */
static __u32 id_a, id_b, id_e;

static void ids_read(void)
{
	id_a = sf_id("a");
	id_b = sf_id("b");
	id_e = sf_id("e");
}

static char sf_letter(__u32 id)
{
	return id == id_a ? 'a' : id == id_b ? 'b' : id == id_e ? 'e' : '?';
}

/* Send flow s on in0: where it went. */
static char send_flow(const struct pkt_spec *s)
{
	struct pkt p;
	struct run r = {};

	pkt_build(&p, s);
	if (xdp_run(IN0, &p, &r))
		return '!';
	return sent_to(&r);
}


/* checks that a hop of a (weight 3) and e (weight 1) is a table holding three slots of a for one of e, and that every flow goes to the instance of its hash's slot */
static void test_flows_take_their_slot_by_weight(void)
{
	struct sfc_lb *t = malloc(sizeof(*t));
	struct sfc_hop_key k;
	struct sfc_hop hop;
	int slots_a = 0, na = 0, ne = 0;

	APPLY_OK(DOC_A3_E1);
	ids_read();
	ASSERT_OK(t ? x_table(&k, &hop, t) : -ENOMEM, "x's hop and its table");
	if (unit_failed) {
		free(t);
		return;
	}
	ASSERT_TRUE(hop.flags & SFC_HOP_TABLE, "the hop is a table");
	ASSERT_EQ(t->size, SFC_LB_SLOTS, "table size");
	ASSERT_EQ(t->ninst, 2, "instances");
	ASSERT_EQ(hop.tab_digest, lb_table_digest(t), "the hop's digest is its table's");
	for (int j = 0; j < t->size; j++)
		slots_a += t->slot[j] == id_a;
	ASSERT_TRUE(slots_a == 3070 || slots_a == 3069, "a holds 3/4 of 4093 slots");
	for (int i = 0; i < FLOWS && !unit_failed; i++) {
		struct pkt_spec s = lb_flow(41000, i);
		struct sfc_flow f = {};
		char got, want, label[96];

		flow_del(&s);
		got = send_flow(&s);
		ASSERT_OK(flow_get(&s, &f), "flow entry");
		want = sf_letter(t->slot[lb_table_slot(t, f.hash)]);
		snprintf(label, sizeof(label), "flow %d goes to its slot's instance (%c, got %c)", i,
			 want, got);
		ASSERT_TRUE(got == want, label);
		na += got == 'a';
		ne += got == 'e';
	}
	ASSERT_EQ(na + ne, FLOWS, "every flow to a or e");
	ASSERT_TRUE(na > ne, "a, of weight 3, takes more flows than e");
	free(t);
}

/* checks that adding b to a hop of a and e keeps every slot a and e keep, gives b a third, keeps the running flows where they were, and sends new flows to b */
static void test_added_instance_moves_only_new_flows(void)
{
	struct sfc_lb *t1 = malloc(sizeof(*t1)), *t2 = malloc(sizeof(*t2));
	char before[FLOWS];
	struct sfc_hop_key k1, k2;
	struct sfc_hop h1, h2;
	int kept = 0, to_b = 0, same = 0, new_b = 0;

	APPLY_OK(DOC_AE);
	ids_read();
	ASSERT_OK(t1 && t2 ? x_table(&k1, &h1, t1) : -ENOMEM, "table of a and e");
	for (int i = 0; i < FLOWS && !unit_failed; i++) {
		struct pkt_spec s = lb_flow(42000, i);

		flow_del(&s);
		before[i] = send_flow(&s);
	}
	APPLY_OK(DOC_AEB);
	ids_read();
	ASSERT_EQ(unit_rep.chains_switched, 1, "x switched to a new version");
	ASSERT_OK(x_table(&k2, &h2, t2), "table of a, e and b");
	if (unit_failed)
		goto out;
	ASSERT_NE(k2.path_id, k1.path_id, "a new version");
	for (int j = 0; j < t2->size; j++) {
		to_b += t2->slot[j] == id_b;
		kept += t2->slot[j] == t1->slot[j];
	}
	ASSERT_TRUE(to_b == 1364 || to_b == 1365, "b holds a third of the slots");
	ASSERT_EQ(kept + to_b, t2->size, "every slot not b's kept its instance");
	for (int i = 0; i < FLOWS; i++) {
		struct pkt_spec s = lb_flow(42000, i);

		same += send_flow(&s) == before[i];
		flow_del(&s);
		new_b += send_flow(&s) == 'b';
	}
	ASSERT_EQ(same, FLOWS, "running flows kept their instance");
	ASSERT_TRUE(new_b > 0, "new flows reach b");
out:
	free(t1);
	free(t2);
}

/* checks that the flows of an instance that goes down move to the other, come back from it through the fabric, and stay on it once their own is up again */
static void test_failed_over_flows_stay(void)
{
	char before[FLOWS];
	__u64 f0;
	int na = 0, on_e = 0, stayed = 0, back = 0;

	APPLY_OK(DOC_AE);
	ids_read();
	for (int i = 0; i < FLOWS; i++) {
		struct pkt_spec s = lb_flow(43000, i);

		flow_del(&s);
		before[i] = send_flow(&s);
		na += before[i] == 'a';
	}
	ASSERT_TRUE(na > 0 && na < FLOWS, "flows on a and on e");
	sf_set_up("a", false);
	f0 = reason_count(SFC_R_HOP_INSTANCE_FALLBACK);
	for (int i = 0; i < FLOWS; i++) {
		struct pkt_spec s = lb_flow(43000, i);
		char got = send_flow(&s);

		on_e += got == 'e';
		if (before[i] == 'a' && !back) {
			/* back from e, it ends its chain */
			__u8 to[6];
			struct pkt p;
			struct run r = {};

			unit_if_mac(IF_SFE, to);
			s.dmac = to;
			s.smac = MAC_SF_E;
			pkt_build(&p, &s);
			back = !xdp_run(ifx[IF_SFE], &p, &r) && r.ret == XDP_PASS &&
			       r.meta_len == sizeof(struct sfc_meta);
		}
	}
	ASSERT_EQ(reason_count(SFC_R_HOP_INSTANCE_FALLBACK) - f0, na, "fallbacks: a's flows");
	ASSERT_EQ(on_e, FLOWS, "every flow on e while a is down");
	ASSERT_TRUE(back, "a moved flow's packet back from e ends the chain");
	sf_set_up("a", true);
	for (int i = 0; i < FLOWS; i++) {
		struct pkt_spec s = lb_flow(43000, i);

		stayed += send_flow(&s) == 'e';
	}
	ASSERT_EQ(stayed, FLOWS, "flows stay on e once a is back");
	ASSERT_EQ(reason_count(SFC_R_HOP_INSTANCE_FALLBACK) - f0, na, "no fallback with a up");
	for (int i = 0; i < FLOWS; i++) {
		struct pkt_spec s = lb_flow(43000, i);

		flow_del(&s);
		if (before[i] == 'a') {
			ASSERT_TRUE(send_flow(&s) == 'a', "a new flow of a's slot goes to a again");
			break;
		}
	}
}

/* checks that a weight changed in the document is a new version whose table follows the weights */
static void test_weight_change_is_a_new_version(void)
{
	struct sfc_lb *t = malloc(sizeof(*t));
	struct sfc_hop_key k;
	struct sfc_hop hop;
	int slots_e = 0;

	APPLY_OK(DOC_AE);
	ids_read();
	APPLY_OK(DOC_A1_E3);
	ids_read();
	ASSERT_EQ(unit_rep.chains_switched, 1, "x switched to a new version");
	ASSERT_OK(t ? x_table(&k, &hop, t) : -ENOMEM, "x's table");
	for (int j = 0; !unit_failed && j < t->size; j++)
		slots_e += t->slot[j] == id_e;
	ASSERT_TRUE(slots_e == 3070 || slots_e == 3069, "e holds 3/4 of the slots");
	APPLY_OK(DOC_A1_E3);
	ids_read();
	ASSERT_EQ(unit_rep.chains_switched, 0, "the same document again: no new version");
	free(t);
}

/* checks that with sfc_lb full a hop of several instances is written as buckets, its flows still go to its instances, and the next edit after room is made gets a table again */
static void test_full_table_map_falls_back_to_buckets(void)
{
	struct sfc_lb *fill = calloc(1, sizeof(*fill));
	struct sfc_hop_key k;
	struct sfc_hop hop;
	int n = 0, sent = 0, full_err = 0;
	char got;

	APPLY_OK(DOC_AE);
	ids_read();
	/* fill the map with tables of path ids no version uses here */
	for (__u32 p = SFC_MAX_PATHS - 1; fill && p > SFC_MAX_PATHS / 2; p--) {
		for (__u32 si = 1; si <= SFC_MAX_HOPS; si++) {
			k = (struct sfc_hop_key){ .path_id = p, .si = si };
			if (bpf_map_update_elem(dp->maps.lb, &k, fill, BPF_NOEXIST)) {
				full_err = errno;
				goto full;
			}
			n++;
		}
	}
full:
	printf("# %d tables fill sfc_lb\n", n);
	ASSERT_EQ(full_err, E2BIG, "the map refused a table: full");
	APPLY_OK(DOC_AEB);
	ids_read();
	ASSERT_EQ(unit_rep.chains_switched, 1, "x switched to a new version");
	{
		__u32 cid = chain_id("x");
		struct sfc_chain head = {};

		bpf_map_lookup_elem(dp->maps.chains, &cid, &head);
		k = (struct sfc_hop_key){ .path_id = head.path_id, .si = 1 };
		ASSERT_OK(bpf_map_lookup_elem(dp->maps.hops, &k, &hop) ? -errno : 0, "x's hop");
	}
	ASSERT_EQ(hop.flags & SFC_HOP_TABLE, 0, "the hop is not a table");
	ASSERT_EQ(hop.nbuckets, SFC_HOP_BUCKETS, "the hop has its buckets");
	for (int i = 0; i < FLOWS; i++) {
		struct pkt_spec s = lb_flow(44000, i);

		flow_del(&s);
		got = send_flow(&s);
		sent += got == 'a' || got == 'b' || got == 'e';
	}
	ASSERT_EQ(sent, FLOWS, "every flow to an instance of the hop");
	/* room again: the next edit writes a table */
	for (__u32 p = SFC_MAX_PATHS - 1; p > SFC_MAX_PATHS / 2; p--)
		for (__u32 si = 1; si <= SFC_MAX_HOPS; si++) {
			k = (struct sfc_hop_key){ .path_id = p, .si = si };
			bpf_map_delete_elem(dp->maps.lb, &k);
		}
	APPLY_OK(DOC_AE);
	ids_read();
	{
		struct sfc_lb *t = malloc(sizeof(*t));

		ASSERT_OK(t ? x_table(&k, &hop, t) : -ENOMEM, "a table again once there is room");
		free(t);
	}
	free(fill);
}

/* checks that an SF a hop names and also reaches through a group it names is one instance of the hop's table, with one share */
static void test_sf_named_and_in_group_is_one_instance(void)
{
	static const char *const doc =
		"{'ingress':[{'dev':'in0'}],'groups':[{'name':'g'}],"
		" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a','group':'g'},"
		"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e','group':'g'}],"
		" 'chains':[{'name':'x','spi':10,'hops':[['a','g']]}],"
		" 'rules':[{'pref':10,'dst':'198.18.90.0/24','chain':'x'}]}";
	struct sfc_lb *t = malloc(sizeof(*t));
	struct sfc_hop_key k;
	struct sfc_hop hop;
	int slots_a = 0;

	APPLY_OK(doc);
	ids_read();
	ASSERT_OK(t ? x_table(&k, &hop, t) : -ENOMEM, "x's hop and its table");
	if (!unit_failed) {
		ASSERT_EQ(t->ninst, 2, "instances: a once, e");
		for (int j = 0; j < t->size; j++)
			slots_a += t->slot[j] == id_a;
		ASSERT_TRUE(slots_a == 2046 || slots_a == 2047, "a holds half the slots");
	}
	free(t);
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_flows_take_their_slot_by_weight),
		UNIT_TEST(test_added_instance_moves_only_new_flows),
		UNIT_TEST(test_failed_over_flows_stay),
		UNIT_TEST(test_weight_change_is_a_new_version),
		UNIT_TEST(test_full_table_map_falls_back_to_buckets),
		UNIT_TEST(test_sf_named_and_in_group_is_one_instance),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
