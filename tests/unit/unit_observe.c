// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the datapath observes beyond its counters (bpf/observe.h): drops by
 * chain, hop and reason (sfc_hop_drops); SF latency (sfc_sf_stamp,
 * sfc_sf_lat): a packet sent to an SF is timed when none is out, and the
 * packet back with its identity ends the measure; trace events into
 * sfc_events while the monitor bit is set: one per decision, in chain
 * order with each hop's SI, filtered by chain, SF and drops, and a full
 * ring buffer loses events (counted), never packets.
 */
#include <bpf/libbpf.h>

#include "unit.h"
#include "observe.h"

static const char *const DOC =
	"{'ingress':[{'dev':'in0'}],"
	" 'sfs':[{'name':'a','dev':'sfa','mac':'02:00:00:00:5f:0a'},"
	"        {'name':'e','dev':'sfe','mac':'02:00:00:00:5f:0e'},"
	"        {'name':'d','dev':'sfd'}],"
	" 'chains':[{'name':'ae','spi':100,'hops':['a','e']},"
	"           {'name':'down','spi':300,'hops':['d','a'],'on-failure':'drop'}],"
	" 'rules':[{'pref':1,'dst':'198.18.1.0/24','chain':'ae'},"
	"          {'pref':3,'dst':'198.18.3.0/24','chain':'down'}]}";

#define IN0 ifx[IF_IN0]

static struct pkt_spec flow(int net, int host)
{
	static char dst[64][32];
	static int n;
	char *d = dst[n++ % 64];

	snprintf(d, sizeof(dst[0]), "198.18.%d.%d", net, host);
	return TCP4("198.18.0.1", 41000 + host, d, 5201);
}

/* The TCP sequence number of a built packet */
static void set_seq(struct pkt *p, __u32 seq)
{
	__u32 be = htonl(seq);

	memcpy(p->d + p->l4 + 4, &be, 4);
}

/* The packet of p as SF i's interface returns it (from the SF's MAC) */
static void as_return(struct pkt *p, int i)
{
	unit_if_mac(i, p->d);
	memcpy(p->d + 6, MAC_SF_A, 6);
}

static void obs_set(__u32 flags, __u32 sample, __u32 chain, __u32 sf)
{
	struct sfc_obs o = { .flags = flags, .sample = sample, .chain_id = chain, .sf_id = sf };

	ASSERT_OK(sfc_obs_write(dp, &o), "write sfc_obs");
}

static __u64 lat_samples(const char *sf)
{
	__u64 b[SFC_LAT_BUCKETS];

	if (sfc_sf_latency(dp, sf_id(sf), b))
		return ~0ull;
	return sfc_lat_count(b);
}

static struct sfc_sf_stamp stamp_of(const char *sf)
{
	struct sfc_sf_stamp st = {};
	__u32 id = sf_id(sf);

	bpf_map_lookup_elem(dp->maps.sf_stamp, &id, &st);
	return st;
}

static __u64 hop_drops_of(const char *chain, int hop, __u32 reason)
{
	struct sfc_drop_entry *d;
	__u32 cid = chain_id(chain), slot = 0;
	struct sfc_chain head;
	struct sfc_path path;
	__u64 n = 0;
	int cnt;

	if (hop && !bpf_map_lookup_elem(dp->maps.chains, &cid, &head) &&
	    !bpf_map_lookup_elem(dp->maps.paths, &head.path_id, &path)) {
		struct sfc_hop_key hk = { .path_id = head.path_id, .si = path.nhops - hop + 1 };
		struct sfc_hop hv;

		if (!bpf_map_lookup_elem(dp->maps.hops, &hk, &hv))
			slot = hv.stats_idx;
	}
	cnt = sfc_hop_drops_read(dp, &d);
	for (int i = 0; i < cnt; i++)
		if (d[i].chain_id == cid && d[i].slot == slot && d[i].reason == reason)
			n = d[i].count;
	free(d);
	return n;
}

/* ---- trace events */

static struct sfc_event events[16];
static int nevents;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len == sizeof(struct sfc_event) && nevents < 16)
		memcpy(&events[nevents], data, len);
	nevents++;
	return 0;
}

static struct ring_buffer *rb;

static int drain(void)
{
	nevents = 0;
	if (rb)
		ring_buffer__consume(rb);
	return nevents;
}

/* checks that a drop at a hop is counted by its chain, hop slot and reason */
static void test_drop_counted_by_chain_hop_and_reason(void)
{
	struct pkt_spec s = flow(3, 1);
	__u64 h1 = hop_drops_of("down", 1, SFC_R_HOP_DOWN), h2 = hop_drops_of("down", 2, SFC_R_HOP_DOWN);
	__u64 c0 = hop_drops_of("down", 0, SFC_R_HOP_DOWN);
	struct run r;

	flow_del(&s);
	XDP_RUN(IN0, &s, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	XDP_RUN(IN0, &s, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	ASSERT_EQ(hop_drops_of("down", 1, SFC_R_HOP_DOWN) - h1, 2, "hop 1: hop-down-drop");
	ASSERT_EQ(hop_drops_of("down", 2, SFC_R_HOP_DOWN) - h2, 0, "hop 2: none");
	ASSERT_EQ(hop_drops_of("down", 0, SFC_R_HOP_DOWN) - c0, 0, "the chain, not at a hop: none");
}

/* checks that a packet sent to an SF is timed and its return ends the measure; another packet of the flow does not */
static void test_latency_times_the_packet_back(void)
{
	struct pkt_spec s = flow(1, 2);
	__u64 n0 = lat_samples("a");
	struct pkt p, q;
	struct run r;

	obs_set(SFC_OBS_LATENCY, 0, 0, 0);
	flow_del(&s);
	bpf_map_update_elem(dp->maps.sf_stamp, &(__u32){ sf_id("a") },
			    &(struct sfc_sf_stamp){}, BPF_ANY);
	pkt_build(&p, &s);
	set_seq(&p, 1000);
	ASSERT_OK(xdp_run(IN0, &p, &r), "send");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_TRUE(stamp_of("a").word != 0, "a's stamp is set by the send");
	/* another packet of the flow comes back first: not the timed one */
	q = p;
	set_seq(&q, 2000);
	as_return(&q, IF_SFA);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &q, &r), "return of another packet");
	ASSERT_EQ(lat_samples("a") - n0, 0, "no sample for another packet");
	ASSERT_TRUE(stamp_of("a").word != 0, "the stamp waits for its packet");
	/* the timed packet comes back */
	as_return(&p, IF_SFA);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &p, &r), "return of the timed packet");
	ASSERT_XDP(r.ret, XDP_REDIRECT);
	ASSERT_EQ(lat_samples("a") - n0, 1, "one sample");
	ASSERT_EQ(stamp_of("a").word, 0, "the stamp is free again");
	ASSERT_OK(xdp_run(ifx[IF_SFA], &p, &r), "the same packet again");
	ASSERT_EQ(lat_samples("a") - n0, 1, "no second sample without a send");
	obs_set(0, 0, 0, 0);
}

/* checks that with latency off nothing is stamped nor timed */
static void test_latency_off_records_nothing(void)
{
	struct pkt_spec s = flow(1, 3);
	__u64 n0 = lat_samples("a");
	struct pkt p;
	struct run r;

	obs_set(0, 0, 0, 0);
	bpf_map_update_elem(dp->maps.sf_stamp, &(__u32){ sf_id("a") },
			    &(struct sfc_sf_stamp){}, BPF_ANY);
	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "send");
	ASSERT_EQ(stamp_of("a").word, 0, "no stamp");
	as_return(&p, IF_SFA);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &p, &r), "return");
	ASSERT_EQ(lat_samples("a") - n0, 0, "no sample");
}

/* checks that the monitor gets one event per decision, in chain order, with each hop's SI, SF and the packet */
static void test_monitor_events_in_chain_order(void)
{
	struct pkt_spec s = flow(1, 4);
	__u32 a = sf_id("a"), e = sf_id("e"), cid = chain_id("ae");
	struct pkt p;
	struct run r;

	flow_del(&s);
	pkt_build(&p, &s);
	drain();
	obs_set(SFC_OBS_MONITOR, 0, 0, 0);
	ASSERT_OK(xdp_run(IN0, &p, &r), "at the ingress point");
	as_return(&p, IF_SFA);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &p, &r), "back from a");
	as_return(&p, IF_SFE);
	ASSERT_OK(xdp_run(ifx[IF_SFE], &p, &r), "back from e");
	obs_set(0, 0, 0, 0);
	ASSERT_EQ(drain(), 3, "three events");
	ASSERT_EQ(events[0].verdict, SFC_EV_TO_SF, "1: to an SF");
	ASSERT_EQ(events[0].sf_id, a, "1: SF a");
	ASSERT_EQ(events[0].si, 2, "1: SI 2");
	ASSERT_EQ(events[0].from_sf, 0, "1: classified here");
	ASSERT_EQ(events[0].ifindex, (__u32)IN0, "1: received on in0");
	ASSERT_EQ(events[0].chain_id, cid, "1: chain ae");
	ASSERT_EQ(events[0].hook, SFC_HOOK_XDP, "1: the XDP entry");
	ASSERT_EQ(events[0].pkt_len, p.len, "1: the packet's length");
	ASSERT_EQ(events[0].cap_len, p.len < SFC_EV_CAP ? p.len : SFC_EV_CAP, "1: bytes captured");
	ASSERT_MEM_EQ(events[0].data + 12, p.d + 12, events[0].cap_len - 12,
		      "1: the packet's bytes after the MACs");
	ASSERT_EQ(events[1].verdict, SFC_EV_TO_SF, "2: to an SF");
	ASSERT_EQ(events[1].sf_id, e, "2: SF e");
	ASSERT_EQ(events[1].si, 1, "2: SI 1");
	ASSERT_EQ(events[1].from_sf, a, "2: back from a");
	ASSERT_EQ(events[2].verdict, SFC_EV_END, "3: the end");
	ASSERT_EQ(events[2].si, 0, "3: SI 0");
	ASSERT_EQ(events[2].from_sf, e, "3: back from e");
	ASSERT_TRUE(events[0].ts_ns <= events[1].ts_ns && events[1].ts_ns <= events[2].ts_ns,
		    "times in order");
}

/* checks the monitor's filters: chain, SF, drops only (with the drop's reason) */
static void test_monitor_filters(void)
{
	struct pkt_spec s = flow(1, 5), t = flow(3, 5);
	__u32 e = sf_id("e");
	struct pkt p;
	struct run r;

	flow_del(&s);
	flow_del(&t);
	pkt_build(&p, &s);
	drain();
	obs_set(SFC_OBS_MONITOR, 0, chain_id("down"), 0);
	ASSERT_OK(xdp_run(IN0, &p, &r), "ae at the ingress point");
	ASSERT_EQ(drain(), 0, "chain down only: no event of ae");
	obs_set(SFC_OBS_MONITOR, 0, 0, e);
	ASSERT_OK(xdp_run(IN0, &p, &r), "ae to a");
	ASSERT_EQ(drain(), 0, "SF e only: no event of a hop to a");
	as_return(&p, IF_SFA);
	ASSERT_OK(xdp_run(ifx[IF_SFA], &p, &r), "back from a, to e");
	ASSERT_EQ(drain(), 1, "SF e only: the hop to e");
	obs_set(SFC_OBS_MONITOR | SFC_OBS_DROPS_ONLY, 0, 0, 0);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "ae again");
	XDP_RUN(IN0, &t, &r);
	ASSERT_XDP(r.ret, XDP_DROP);
	obs_set(0, 0, 0, 0);
	ASSERT_EQ(drain(), 1, "drops only: one event");
	ASSERT_EQ(events[0].verdict, SFC_EV_DROP, "a drop");
	ASSERT_EQ(events[0].reason, SFC_R_HOP_DOWN, "its reason");
	ASSERT_EQ(events[0].si, 2, "at SI 2");
	ASSERT_EQ(events[0].chain_id, chain_id("down"), "of chain down");
}

/* checks that a full ring buffer loses events, counted, and never a packet */
static void test_monitor_full_ring_loses_events_not_packets(void)
{
	struct pkt_spec s = flow(1, 6);
	__u64 l0 = reason_count(SFC_R_MONITOR_LOST);
	struct xdp_md ctx;
	struct pkt p;
	struct run r;
	int n = SFC_EVENTS_BYTES / (sizeof(struct sfc_event) + 8) + 1000;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(IN0, &p, &r), "first packet");
	drain();
	obs_set(SFC_OBS_MONITOR, 0, 0, 0);
	ctx = (struct xdp_md){ .data_end = p.len, .ingress_ifindex = IN0 };
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.d, .data_size_in = p.len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = n);

		ASSERT_OK(bpf_prog_test_run_opts(dp->xdp_fd, &o) ? -errno : 0, "many runs");
		ASSERT_XDP(o.retval, XDP_REDIRECT);
	}
	obs_set(0, 0, 0, 0);
	ASSERT_TRUE(reason_count(SFC_R_MONITOR_LOST) - l0 >= 1000,
		    "at least 1,000 events counted lost");
	ASSERT_TRUE(drain() > 1000, "the ring buffer's events are there to read");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_drop_counted_by_chain_hop_and_reason),
		UNIT_TEST(test_latency_times_the_packet_back),
		UNIT_TEST(test_latency_off_records_nothing),
		UNIT_TEST(test_monitor_events_in_chain_order),
		UNIT_TEST(test_monitor_filters),
		UNIT_TEST(test_monitor_full_ring_loses_events_not_packets),
	};

	unit_env_init();
	if (unit_apply(DOC))
		unit_setup_fail("apply: %s", unit_err);
	rb = ring_buffer__new(dp->maps.events, on_event, NULL, NULL);
	if (!rb)
		unit_setup_fail("ring_buffer__new(sfc_events): %s", strerror(errno));
	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
