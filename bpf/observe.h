/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the datapath records of a decision beyond its counters: drops by
 * reason per chain and hop (always), SF latency and trace events (as
 * sfc_obs says). An entry calls sfc_observe_* after sfc_decide, before it
 * changes the packet: an event shows the packet as it arrived.
 */
#ifndef SFC_OBSERVE_H
#define SFC_OBSERVE_H

#include "sff.h"

/* What the observers need of one decision */
struct sfc_obs_in {
	__u32 flags;        /* sfc_obs.flags left by sfc_obs_wanted */
	__u32 act;          /* SFC_ACT_* */
	__u32 ifindex;
	__u32 hook;         /* SFC_HOOK_* */
	__u32 chain_id;
	__u32 path_id;
	__u32 sf_id;
	__u32 from_sf;
	__u32 si;
	__u32 reason;
	__u32 len;
	__u32 ident;        /* struct sfc_pkt.ident */
};

/* From the decision, the packet and a (flags | hook << 8 | ifindex << 32) */
static __always_inline void sfc_obs_in_fill(struct sfc_obs_in *in, const struct sfc_dec_info *di,
					    const struct sfc_pkt *p, __u64 a)
{
	in->flags = a & 0xff;
	in->hook = (a >> 8) & 0xff;
	in->ifindex = a >> 32;
	in->act = di->act;
	in->chain_id = di->chain_id;
	in->path_id = di->path_id;
	in->sf_id = sfc_sf_base(di->sf_id); /* a two-arm SF's other side: the SF */
	in->from_sf = di->from_sf;
	in->si = di->o.si;
	in->reason = di->o.reason;
	in->len = p->len;
	in->ident = p->ident;
}

/*
 * Count a drop of chain chain_id at the hop of counter slot slot (0: not
 * at a hop) for reason. A global function: only drops pay for it.
 */
__attribute__((noinline)) int sfc_hop_drop_count(__u32 chain_id, __u32 slot, __u32 reason)
{
	struct sfc_drop_key k = {};
	__u64 one = 1, *v;

	if (!chain_id || reason >= SFC_R_MAX || slot >= SFC_HOP_STATS_ENTRIES)
		return 0;
	k.chain_id = chain_id;
	k.slot = slot;
	k.reason = reason;
	v = bpf_map_lookup_elem(&sfc_hop_drops, &k);
	if (v) {
		__sync_fetch_and_add(v, 1);
		return 0;
	}
	if (!bpf_map_update_elem(&sfc_hop_drops, &k, &one, BPF_NOEXIST))
		return 0;
	/* another CPU made it first, or the map is full */
	v = bpf_map_lookup_elem(&sfc_hop_drops, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

/* sfc_obs, and whether anything is observed: flags 0 unless it is */
static __always_inline struct sfc_obs *sfc_obs_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sfc_obs, &zero);
}

/* The log2 bucket of a latency of ns nanoseconds. */
static __always_inline __u32 sfc_lat_bucket(__u64 ns)
{
	__u32 b = 0;

	if (ns >> 16) { ns >>= 16; b += 16; }
	if (ns >> 8) { ns >>= 8; b += 8; }
	if (ns >> 4) { ns >>= 4; b += 4; }
	if (ns >> 2) { ns >>= 2; b += 2; }
	if (ns >> 1) b += 1;
	return b < SFC_LAT_BUCKETS ? b : SFC_LAT_BUCKETS - 1;
}

/*
 * SF latency (see struct sfc_sf_stamp): time the packet sent to an SF
 * when no other packet of that SF is being timed; the packet back from
 * an SF with the identity of the one being timed ends the measure.
 */
static __always_inline void sfc_latency(const struct sfc_obs_in *in)
{
	struct sfc_sf_stamp *st;
	__u32 sf_id;
	__u64 now, w;

	if (in->from_sf) {
		sf_id = in->from_sf;
		st = bpf_map_lookup_elem(&sfc_sf_stamp, &sf_id);
		if (st) {
			w = st->word;
			if (w && (__u32)(w >> 32) == in->ident) {
				struct sfc_lat_hist *h = bpf_map_lookup_elem(&sfc_sf_lat, &sf_id);
				__u32 dt;

				now = bpf_ktime_get_ns();
				dt = (__u32)now - (__u32)w;
				st->word = 0;
				if (h && dt < SFC_LAT_STALE_NS)
					h->bucket[sfc_lat_bucket(dt) & (SFC_LAT_BUCKETS - 1)]++;
			}
		}
	}
	if (in->act != SFC_ACT_TO_SF)
		return;
	sf_id = in->sf_id;
	st = bpf_map_lookup_elem(&sfc_sf_stamp, &sf_id);
	if (!st)
		return;
	/* sfc_obs_wanted let through only a send that finds no packet
	 * timed, or every 64th, which looks whether that one was lost */
	w = st->word;
	now = bpf_ktime_get_ns();
	if (w && (__u32)now - (__u32)w < SFC_LAT_STALE_NS)
		return;
	st->word = (__u64)in->ident << 32 | ((__u32)now | 1);
}

/* Monitor: does this decision make an event? */
static __always_inline int sfc_monitor_wants(const struct sfc_obs_in *in)
{
	__u32 zero = 0;
	struct sfc_obs *o = bpf_map_lookup_elem(&sfc_obs, &zero);

	if (!o || !(in->flags & SFC_OBS_MONITOR))
		return 0;
	if ((o->flags & SFC_OBS_DROPS_ONLY) && in->act != SFC_ACT_DROP)
		return 0;
	if (o->chain_id && o->chain_id != in->chain_id)
		return 0;
	if (o->sf_id && o->sf_id != in->sf_id && o->sf_id != in->from_sf)
		return 0;
	return 1; /* sampled in by sfc_obs_wanted */
}

/* A trace event for the decision, without the packet's bytes; NULL when
 * the ring buffer is full (counted). */
static __always_inline struct sfc_event *sfc_event_start(const struct sfc_obs_in *in)
{
	struct sfc_event *e = bpf_ringbuf_reserve(&sfc_events, sizeof(*e), 0);

	if (!e) {
		count_reason(SFC_R_MONITOR_LOST);
		return NULL;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->ifindex = in->ifindex;
	e->chain_id = in->chain_id;
	e->path_id = in->path_id;
	e->pkt_len = in->len;
	e->sf_id = in->act == SFC_ACT_TO_SF ? in->sf_id : 0;
	e->from_sf = in->from_sf;
	e->si = in->si;
	e->verdict = in->act == SFC_ACT_TO_SF ? SFC_EV_TO_SF :
		     in->act == SFC_ACT_END ? SFC_EV_END : SFC_EV_DROP;
	e->hook = in->hook;
	e->pad = 0;
	e->reason = in->act == SFC_ACT_DROP ? in->reason : 0;
	e->cap_len = 0;
	e->pad2 = 0;
	return e;
}

/* The bytes an event carries of a packet of len (>= 1) bytes: 1..SFC_EV_CAP,
 * in a form whose bounds the verifier sees whatever clang makes of it */
static __always_inline __u32 sfc_event_cap(__u32 len)
{
	__u32 m = len < SFC_EV_CAP ? len : SFC_EV_CAP;

	return ((m - 1) & (SFC_EV_CAP - 1)) + 1;
}
_Static_assert((SFC_EV_CAP & (SFC_EV_CAP - 1)) == 0, "sfc_event_cap mask");

/*
 * What both observers do before the packet's bytes: SF latency, the
 * monitor's filters, and the event reserved (NULL: no event, or no room).
 */
static __always_inline struct sfc_event *sfc_observe_begin(const struct sfc_dec_info *di,
							   const struct sfc_pkt *p, __u64 a)
{
	struct sfc_obs_in in;

	sfc_obs_in_fill(&in, di, p, a);
	if (in.flags & SFC_OBS_LATENCY)
		sfc_latency(&in);
	if (!sfc_monitor_wants(&in))
		return NULL;
	return sfc_event_start(&in);
}

/* The observers of a decision on the XDP path. */
__attribute__((noinline)) int sfc_observe_xdp(struct xdp_md *ctx, const struct sfc_dec_info *di,
					      const struct sfc_pkt *p, __u64 a)
{
	struct sfc_event *e;
	__u32 cap;

	if (!ctx || !di || !p)
		return 0;
	e = sfc_observe_begin(di, p, a);
	if (!e)
		return 0;
	cap = sfc_event_cap(ctx->data_end - ctx->data);
	if (!bpf_xdp_load_bytes(ctx, 0, e->data, cap))
		e->cap_len = cap;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The observers of a decision on the skb path. */
__attribute__((noinline)) int sfc_observe_skb(struct __sk_buff *skb, const struct sfc_dec_info *di,
					      const struct sfc_pkt *p, __u64 a)
{
	struct sfc_event *e;
	__u32 cap;

	if (!skb || !di || !p)
		return 0;
	e = sfc_observe_begin(di, p, a);
	if (!e)
		return 0;
	cap = sfc_event_cap(skb->len);
	if (!bpf_skb_load_bytes(skb, 0, e->data, cap))
		e->cap_len = cap;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * What a decision needs observed, inline, so that most decisions never
 * pay for sfc_observe_*'s call: the monitor's sampling is drawn here
 * (SFC_OBS_MONITOR stays only for a decision sampled in), and SF latency
 * has nothing to do for a send while the SF's timed packet is out (but
 * every 64th, which looks for a stale stamp) nor for a return that is not
 * the timed packet. The flags left, 0 for none.
 */
static __always_inline __u32 sfc_obs_wanted(const struct sfc_obs *o,
					    const struct sfc_decision *d,
					    const struct sfc_pkt *p)
{
	__u32 f = o->flags, id;
	struct sfc_sf_stamp *st;

	if ((f & SFC_OBS_MONITOR) && o->sample > 1 && bpf_get_prandom_u32() % o->sample)
		f &= ~(SFC_OBS_MONITOR | SFC_OBS_DROPS_ONLY);
	if (!(f & SFC_OBS_LATENCY))
		return f;
	if (d->i.from_sf) {
		id = d->i.from_sf;
		st = bpf_map_lookup_elem(&sfc_sf_stamp, &id);
		if (st && st->word && (__u32)(st->word >> 32) == p->ident)
			return f;
	}
	if (d->i.act == SFC_ACT_TO_SF) {
		id = sfc_sf_base(d->i.sf_id);
		st = bpf_map_lookup_elem(&sfc_sf_stamp, &id);
		if (st && !st->word)
			return f;
		if (st && !(++st->busy & 63))
			return f;
	}
	return f & ~SFC_OBS_LATENCY;
}

/*
 * After sfc_decide, before the entry changes the packet: one load and one
 * test when nothing is observed. (A drop's count by chain and hop is the
 * entry's, where it returns the drop: sfc_count_drop.)
 */
#define SFC_OBSERVE(fn, ctx, hook, ifindex, p, d)                                   \
	do {                                                                        \
		struct sfc_obs *__o = sfc_obs_get();                                \
		__u64 __f;                                                          \
		if (__builtin_expect(!__o || !__o->flags, 1) ||                     \
		    (d)->i.act == SFC_ACT_PASS)                                     \
			break;                                                      \
		__f = sfc_obs_wanted(__o, d, p);                                    \
		if (__f)                                                            \
			fn(ctx, &(d)->i, p, __f | (hook) << 8 | (__u64)(ifindex) << 32); \
	} while (0)

/* A dropped decision, counted by chain and hop with its reason */
static __always_inline void sfc_count_drop(const struct sfc_decision *d)
{
	sfc_hop_drop_count(d->i.chain_id, d->i.o.slot, d->i.o.reason);
}

#endif
