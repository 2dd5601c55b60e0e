// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Link events while sfc_apply writes the maps (apply_live.c): a yield
 * hook stands in for sfcd's, changes SF e's link at chosen yield points
 * of the writes and hands each event to sfc_apply_link_event, as sfcd
 * does. The datapath is looked at from inside the hook (the apply still
 * under way) and after the apply.
 */
#include "unit.h"
#include "link_index.h"
#include "yield.h"

#define IN0 ifx[IF_IN0]

/* Chains x (SF a) and y (SF e); a rule to y and n filler rules whose
 * destinations start at base (a new base: a new rule set to install, so
 * the apply has many yield points while it writes). */
static char *doc_with_rules(int n, int base)
{
	size_t cap = 512 + (size_t)n * 96;
	char *doc = malloc(cap), *o;

	if (!doc)
		return NULL;
	o = doc + sprintf(doc,
		"{'ingress':[{'dev':'in0'}],"
		" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
		"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'}],"
		" 'chains':[{'name':'x','spi':10,'hops':['a']},"
		"           {'name':'y','spi':20,'hops':['e'],'on-failure':'drop'}],"
		" 'rules':[{'pref':10,'dst':'198.18.80.0/24','chain':'y'}");
	for (int i = 0; i < n; i++)
		o += sprintf(o, ",{'pref':%d,'dst':'198.19.%d.%d/32','proto':'udp','chain':'x'}",
			     100 + i, (base + i) / 256 % 256, (base + i) % 256);
	sprintf(o, "]}");
	return doc;
}

/* What the hook does at the yield points of the writes, and saw. */
struct live_hook {
	const char *steps[3];      /* "ip link set ..." commands, each followed
				    * by an event for sfe; NULL ends */
	int at[3];                 /* step i at the at[i]-th yield point of the
				    * writes (0: the first, in chains_apply
				    * before any chain; later ones: the rules) */
	int calls;
	bool ran;                  /* every step ran */
	int err[3], sys[3];
	struct sfc_link_result res[3];
	int early_err;             /* of an event for an interface no document names */
	bool sf_up;                /* e's entry, after the events */
	int verdict;               /* XDP verdict of the probe packet then */
	__u64 hop_down;            /* hop-down-drop counted for it */
};

static bool sf_entry_up(const char *name)
{
	__u32 id = sf_id(name);
	struct sfc_sf v;

	return id && !bpf_map_lookup_elem(dp->maps.sfs, &id, &v) && (v.flags & SFC_SF_UP);
}

static struct pkt_spec probe_pkt(void)
{
	return TCP4("198.18.0.1", 11, "198.18.80.11", 11);
}

static void hook(void *arg)
{
	struct live_hook *h = arg;
	struct sfc_link_result res;
	struct pkt_spec s = probe_pkt();
	struct pkt p;
	struct run r;
	__u64 r0;

	if (h->ran || !sfc_apply_writing())
		return;
	for (int i = 0; i < 3 && h->steps[i]; i++)
		if (h->at[i] == h->calls) {
			h->sys[i] = system(h->steps[i]);
			h->err[i] = sfc_apply_link_event("sfe", 0, &h->res[i]);
			h->ran = i == 2 || !h->steps[i + 1];
		}
	h->calls++;
	if (!h->ran)
		return;
	h->early_err = sfc_apply_link_event("nosuch0", 0, &res);
	h->sf_up = sf_entry_up("e");
	r0 = reason_count(SFC_R_HOP_DOWN);
	pkt_build(&p, &s);
	h->verdict = xdp_run(IN0, &p, &r) ? -1 : (int)r.ret;
	h->hop_down = reason_count(SFC_R_HOP_DOWN) - r0;
}

/* Apply doc_with_rules(n, base) with the hook; 0 or the apply's error. */
static int apply_hooked(struct live_hook *h, int n, int base)
{
	char *doc = doc_with_rules(n, base);
	int err;

	if (!doc)
		return -ENOMEM;
	sfc_yield_set(hook, h, 0);
	err = unit_apply(doc);
	sfc_yield_set(NULL, NULL, 0);
	free(doc);
	return err;
}

/* Apply doc_with_rules(n, base) without a hook. */
static int apply_plain(int n, int base)
{
	char *doc = doc_with_rules(n, base);
	int err;

	if (!doc)
		return -ENOMEM;
	err = unit_apply(doc);
	free(doc);
	return err;
}

/* The probe's verdict now, and the hop-down-drop reasons it counted. */
static int probe_verdict(__u64 *hop_down)
{
	struct pkt_spec s = probe_pkt();
	__u64 r0 = reason_count(SFC_R_HOP_DOWN);
	struct pkt p;
	struct run r;
	int ret;

	pkt_build(&p, &s);
	ret = xdp_run(IN0, &p, &r) ? -1 : (int)r.ret;
	*hop_down = reason_count(SFC_R_HOP_DOWN) - r0;
	return ret;
}

/* checks that an SF link going down during an apply, before it wrote any
 * chain, is in the SF's entry before the apply ends (its chain, on-failure
 * drop, drops) and that the apply builds the chain from it; an event when
 * no apply is under way, or for an interface the document does not name,
 * is left for later (-EAGAIN) */
static void test_link_down_during_apply_is_in_the_maps_before_it_ends(void)
{
	struct live_hook h = { .steps = { "ip link set sfep down" } };
	struct sfc_link_result res;
	__u64 drops;
	int err, verdict;

	system("ip link set sfep up");
	ASSERT_OK(apply_plain(0, 0), "apply with e up");
	ASSERT_EQ(probe_verdict(&drops), XDP_REDIRECT, "verdict with e up");
	ASSERT_EQ(sfc_apply_link_event("sfe", 0, &res), -EAGAIN, "no apply under way: -EAGAIN");

	err = apply_hooked(&h, 300, 1000);
	verdict = probe_verdict(&drops);
	system("ip link set sfep up");
	ASSERT_OK(err, "apply with a link event during its writes");
	ASSERT_EQ(h.ran, true, "the hook ran while the apply wrote");
	ASSERT_OK(h.sys[0], "ip link set sfep down");
	ASSERT_OK(h.err[0], "event during the apply");
	ASSERT_EQ(h.res[0].sfs_rewritten, 1, "SFs rewritten during the apply");
	ASSERT_EQ(h.res[0].chains_switched, 0, "chains switched by the event (none written yet)");
	ASSERT_EQ(h.early_err, -EAGAIN, "an interface the document does not name: -EAGAIN");
	ASSERT_EQ(h.sf_up, false, "e's entry during the apply");
	ASSERT_EQ(h.verdict, XDP_DROP, "verdict during the apply");
	ASSERT_EQ(h.hop_down, 1, "hop-down-drop during the apply");
	ASSERT_EQ(unit_rep.link_events, 1, "report: link events during the apply");
	ASSERT_EQ(verdict, XDP_DROP, "verdict after the apply");
	ASSERT_EQ(drops, 1, "hop-down-drop after the apply");

	ASSERT_OK(apply_plain(0, 0), "apply with e up again");
	ASSERT_EQ(probe_verdict(&drops), XDP_REDIRECT, "verdict with e up again");
}

/* checks that an SF link coming up during an apply, after it wrote its
 * chains, reaches the SF's chain (the only instance of its hop was down)
 * before the apply ends, through the SF's entry alone: no chain version
 * depends on which instances are up */
static void test_link_up_late_in_apply_reaches_its_chain(void)
{
	struct live_hook h = { .steps = { "ip link set sfep up" }, .at = { 6 } };
	__u64 drops;
	int err, verdict;

	ASSERT_OK(system("ip link set sfep down"), "ip link set sfep down");
	err = apply_plain(0, 0);
	verdict = probe_verdict(&drops);
	ASSERT_OK(err, "apply with e down");
	ASSERT_EQ(verdict, XDP_DROP, "verdict with e down");

	err = apply_hooked(&h, 300, 4000);
	verdict = probe_verdict(&drops);
	system("ip link set sfep up");
	ASSERT_OK(err, "apply with a link event late in its writes");
	ASSERT_EQ(h.ran, true, "the hook ran while the apply wrote its rules");
	ASSERT_OK(h.err[0], "event during the apply");
	ASSERT_EQ(h.res[0].sfs_rewritten, 1, "SFs rewritten during the apply");
	ASSERT_EQ(h.res[0].chains_switched, 0, "chains switched during the apply");
	ASSERT_EQ(h.sf_up, true, "e's entry during the apply");
	ASSERT_EQ(h.verdict, XDP_REDIRECT, "verdict during the apply");
	ASSERT_EQ(verdict, XDP_REDIRECT, "verdict after the apply");
}

/* checks that the end of an apply follows the link's last state when it
 * flaps during the apply: down-up-down ends down, up-down-up ends up */
static void test_link_flapping_during_apply_ends_in_its_last_state(void)
{
	struct live_hook down = { .steps = { "ip link set sfep down", "ip link set sfep up",
					     "ip link set sfep down" }, .at = { 0, 4, 8 } };
	struct live_hook up = { .steps = { "ip link set sfep up", "ip link set sfep down",
					   "ip link set sfep up" }, .at = { 0, 4, 8 } };
	__u64 drops;
	int err, verdict;

	system("ip link set sfep up");
	ASSERT_OK(apply_plain(0, 0), "apply with e up");
	err = apply_hooked(&down, 300, 2000);
	verdict = probe_verdict(&drops);
	ASSERT_OK(err, "apply during down-up-down");
	ASSERT_EQ(down.ran, true, "every step ran (down-up-down)");
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(down.sys[i], "ip link set (down-up-down)");
		ASSERT_OK(down.err[i], "event during the apply (down-up-down)");
	}
	ASSERT_EQ(down.sf_up, false, "e's entry after down-up-down, during the apply");
	ASSERT_EQ(sf_entry_up("e"), false, "e's entry after the apply (down-up-down)");
	ASSERT_EQ(verdict, XDP_DROP, "verdict after the apply (down-up-down)");

	err = apply_hooked(&up, 300, 3000);
	verdict = probe_verdict(&drops);
	system("ip link set sfep up");
	ASSERT_OK(err, "apply during up-down-up");
	ASSERT_EQ(up.ran, true, "every step ran (up-down-up)");
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(up.sys[i], "ip link set (up-down-up)");
		ASSERT_OK(up.err[i], "event during the apply (up-down-up)");
	}
	ASSERT_EQ(up.sf_up, true, "e's entry after up-down-up, during the apply");
	ASSERT_EQ(up.verdict, XDP_REDIRECT, "verdict after up-down-up, during the apply");
	ASSERT_EQ(sf_entry_up("e"), true, "e's entry after the apply (up-down-up)");
	ASSERT_EQ(verdict, XDP_REDIRECT, "verdict after the apply (up-down-up)");
}

/* A hook that flips sfep at every yield point of the writes, each flip
 * handed to the apply. */
static int flips, flip_errs;

static void flip_hook(void *arg)
{
	struct sfc_link_result res;
	int err;

	(void)arg;
	if (!sfc_apply_writing())
		return;
	system(flips % 2 ? "ip link set sfep up" : "ip link set sfep down");
	err = sfc_apply_link_event("sfe", 0, &res);
	flip_errs += err != 0;
	flips++;
}

/* checks that the link index an apply builds (want_links) while link
 * events flip an SF at every yield point serves the link events after the
 * apply: the SF going down there drops its chain's packets (on-failure
 * drop), coming up again forwards them */
static void test_link_index_built_during_events_serves_later_events(void)
{
	struct sfc_apply_report rep = { .want_links = true };
	struct sfc_link_result res;
	struct sfc_doc doc = {};
	char *text = doc_with_rules(300, 5000), err[256];
	__u64 drops;
	int ret;

	system("ip link set sfep up");
	ASSERT_OK(apply_plain(0, 0), "apply with e up");
	ASSERT_OK(text ? unit_parse(text, &doc) : -ENOMEM, "parse");
	free(text);
	flips = flip_errs = 0;
	sfc_yield_set(flip_hook, NULL, 0);
	ret = sfc_apply(dp, &doc, &rep, err, sizeof(err));
	sfc_yield_set(NULL, NULL, 0);
	ASSERT_OK(ret, "apply with flips");
	ASSERT_GE(flips, 9, "flips during the apply");
	ASSERT_EQ(flip_errs, 0, "flips the apply could not take");
	ASSERT_EQ(!!rep.links, 1, "link index built");
	if (rep.links) {
		system("ip link set sfep down");
		ASSERT_OK(sfc_link_update(dp, &doc, rep.links, "sfe", 0, &res), "event: e down");
		ASSERT_EQ(probe_verdict(&drops), XDP_DROP, "verdict with e down");
		ASSERT_EQ(drops, 1, "hop-down-drop with e down");
		system("ip link set sfep up");
		ASSERT_OK(sfc_link_update(dp, &doc, rep.links, "sfe", 0, &res), "event: e up");
		ASSERT_EQ(probe_verdict(&drops), XDP_REDIRECT, "verdict with e up");
	}
	system("ip link set sfep up");
	sfc_link_index_free(rep.links);
	sfc_apply_report_free(&rep);
	sfc_doc_free(&doc);
	ASSERT_OK(apply_plain(0, 0), "apply with e up again");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_link_down_during_apply_is_in_the_maps_before_it_ends),
		UNIT_TEST(test_link_up_late_in_apply_reaches_its_chain),
		UNIT_TEST(test_link_flapping_during_apply_ends_in_its_last_state),
		UNIT_TEST(test_link_index_built_during_events_serves_later_events),
	};

	unit_env_init();
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
