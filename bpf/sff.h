/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Service Function Forwarder: given a flow's path and SI, decide where the
 * packet goes next. Shared by the XDP and tc entries; the entries turn the
 * decision into a redirect with their own helpers.
 */
#ifndef SFC_SFF_H
#define SFC_SFF_H

#include "classify.h"

enum sfc_act {
	SFC_ACT_PASS,   /* not ours: continue normally */
	SFC_ACT_DROP,   /* reason already counted */
	SFC_ACT_TO_SF,  /* send to SF d->i.sf_id */
	SFC_ACT_END,    /* chain done: deliver as if never chained */
};

/* Where a decision was made (struct sfc_decision.o): from sfc_sff_run's answer */
struct sfc_sff_out {
	__u16 slot;         /* the hop's sfc_hop_stats slot; 0: none */
	__u8  si;           /* the hop it sent to or dropped at */
	__u8  reason;       /* a drop's reason */
};

/*
 * A decision's scalars, apart from the flow pointer: the observers take a
 * pointer to them (a global function may write what it is given: the
 * verifier forgets what such memory held, which must not be a pointer
 * the entry still uses). Small fields: the entries' stack must leave the
 * SFF's calls room. act and chain_id share an 8-byte stack slot with
 * nothing narrower, or the verifier would forget act's value.
 */
struct sfc_dec_info {
	__u32 act;             /* SFC_ACT_* */
	__u32 chain_id;        /* 0 until the packet's chain is known */
	__u8  returned;        /* the packet came back from an SF */
	__u8  end;             /* END: the path's SFC_END_* */
	__u16 sf_id;           /* TO_SF: the SF's id (its entry: sfc_sf_of) */
	__u16 from_sf;         /* returned: the SF it came back from */
	__u16 tap_sf;          /* TO_SF, END: a tap SF that gets a copy first */
	/* o.si: TO_SF: the hop's SI; DROP: the SI it was at. o.slot: TO_SF,
	 * DROP at a hop: the hop's sfc_hop_stats slot. o.reason: DROP. */
	struct sfc_sff_out o;
	__u32 path_id;         /* the flow's version, once known */
};

struct sfc_decision {
	struct sfc_dec_info i;
	/* TO_SF, END: the flow's entry; for a flow classified by this
	 * packet, sfc_decide's own copy of it (see sfc_classify), which is
	 * never read after sfc_decide: such a packet has not returned */
	struct sfc_flow *flow;
};
_Static_assert(SFC_R_MAX <= 256 && SFC_MAX_HOPS < 256 && SFC_MAX_CHAINS <= 65536,
	       "struct sfc_decision fields");

static __always_inline void sfc_drop(struct sfc_decision *d, __u32 reason)
{
	count_reason(reason);
	d->i.act = SFC_ACT_DROP;
	d->i.o.reason = reason;
}

/* What the SFF needs of one hop for one flow, as sfc_hop_pick packs it:
 * the flow's instance, the hop's counter slot and its SFC_HOP_* flags
 * (an id or slot beyond 16 bits, which no valid entry has, becomes 0). */
#define SFC_PICK_SF(v)    ((__u32)(v) & 0xffff)
#define SFC_PICK_SLOT(v)  ((__u32)((v) >> 16) & 0xffff)
#define SFC_PICK_FLAGS(v) ((__u32)((v) >> 32) & 0xffff)

static __always_inline __s64 sfc_pick_pack(__u32 sf_id, __u32 slot, __u32 flags)
{
	if (sf_id > 0xffff)
		sf_id = 0;
	if (slot > 0xffff)
		slot = 0;
	return (__s64)(sf_id | slot << 16 | (__u64)(flags & 0xffff) << 32);
}

/* The bucket of a flow of this hash in hop: its instance. sfcd fills
 * SFC_HOP_BUCKETS of them, a power of two: a mask, not a division (a
 * division by a value from a map costs tens of cycles); other counts,
 * from pins of older versions, take the division. */
static __always_inline __u32 sfc_hop_bucket(const struct sfc_hop *hop, __u32 hash)
{
	__u32 n = hop->nbuckets;

	if (n == SFC_HOP_BUCKETS)
		return hash & (SFC_HOP_BUCKETS - 1);
	return n > 1 ? hash % n : 0;
}

/*
 * The index of SI si in struct sfc_flow.step_*, or SFC_FLOW_STEPS when
 * the flow keeps no step for it. The mask is done in assembly, after the
 * test: clang would otherwise compute the address from the unbounded SI
 * before the test, and the verifier refuse it.
 */
static __always_inline __u32 sfc_step_idx(__u32 si)
{
	__u32 i = si - 1;

	/* the test on i, not on si: a test clang rewrote into one on si
	 * would split the SFF loop's states by SI on 6.1 */
	asm volatile("" : "+r"(i));
	if (i >= SFC_FLOW_STEPS)
		return SFC_FLOW_STEPS;
	asm volatile("%0 &= 7" : "+r"(i));
	return i;
}
_Static_assert(SFC_FLOW_STEPS == 8, "sfc_step_idx mask");

/* The flow's resolved step at SI si on version path_id, as
 * SF id | counter slot << 16; 0 for none. */
static __always_inline __u32 sfc_step_get(const struct sfc_flow *flow, __u32 path_id, __u32 si)
{
	__u32 i = sfc_step_idx(si);

	if (i >= SFC_FLOW_STEPS || flow->steps_path != path_id)
		return 0;
	return flow->step_sf[i] ? flow->step_sf[i] | (__u32)flow->step_slot[i] << 16 : 0;
}

/*
 * Remember the flow's instance of the hop at SI si (its hash's, or the
 * one it failed over to) and the hop's counter slot. The steps of
 * another version go first.
 */
static __always_inline void sfc_step_put(struct sfc_flow *flow, __u32 path_id, __u32 si,
					 __u32 sf_id, __u32 slot)
{
	__u32 i = sfc_step_idx(si);

	if (i >= SFC_FLOW_STEPS)
		return;
	if (flow->steps_path != path_id) {
		__builtin_memset(flow->step_sf, 0, sizeof(flow->step_sf));
		flow->steps_path = path_id;
	}
	flow->step_slot[i] = slot;
	flow->step_sf[i] = sf_id;
}

/* The weighted table of the hop at (path_id, si), or NULL. */
static __always_inline struct sfc_lb *sfc_lb_get(__u32 path_id, __u32 si)
{
	struct sfc_hop_key hk = { .path_id = path_id, .si = si };

	return bpf_map_lookup_elem(&sfc_lb, &hk);
}

/* A table's instance for a flow of this hash: a multiply and a shift
 * onto its size (a prime: a division would cost tens of cycles). */
static __always_inline __u32 sfc_lb_slot(const struct sfc_lb *t, __u32 hash)
{
	__u64 i = ((__u64)hash * t->size) >> 32;

	/* a bound the verifier sees: 6.1 keeps none through the multiply */
	asm volatile("" : "+r"(i));
	if (i >= SFC_LB_SLOTS)
		return 0;
	return t->slot[i];
}

/*
 * The instance that takes a flow whose own is down: the first instance
 * that is up after the one its hash names, round the hop (the buckets,
 * or a table's instance list); 0 when none is. A hop may name instances
 * that are down: sfcd does not rewrite the hops of a path version flows
 * still use, and fills a hop whose instances are all down with all of
 * them. The datapath steps over the failed ones, so a flow keeps the
 * healthy instances of its version. A global function (see
 * sfc_hop_has_sf): the probe loop is verified once, and only a flow
 * whose instance is down runs it.
 */
__attribute__((noinline)) int sfc_hop_fallback(__u32 path_id, __u32 si, __u32 hash)
{
	struct sfc_hop *hop = sfc_hop_get(path_id, si);
	struct sfc_lb *t = NULL;
	__u32 b, n, i;

	if (!hop)
		return 0;
	if (hop->flags & SFC_HOP_TABLE) {
		t = sfc_lb_get(path_id, si);
		if (!t)
			return 0;
		n = t->ninst;
		if (n > SFC_LB_MAX_INST)
			n = SFC_LB_MAX_INST;
		b = n ? hash % n : 0;
	} else {
		n = hop->nbuckets;
		if (n > SFC_HOP_BUCKETS)
			n = SFC_HOP_BUCKETS;
		b = sfc_hop_bucket(hop, hash);
	}
	for (i = 1; i <= n && i <= SFC_LB_MAX_INST; i++) {
		__u32 sf_id = t ? t->inst[(b + i) % n & (SFC_LB_MAX_INST - 1)] :
				  hop->sf[(b + i) % n & (SFC_HOP_BUCKETS - 1)];
		__u32 base = sfc_sf_base(sf_id);
		struct sfc_sf *sf = bpf_map_lookup_elem(&sfc_sfs, &base);

		if (sf && sf_id && (sf->flags & SFC_SF_UP))
			return sf_id;
	}
	return 0;
}
_Static_assert((SFC_LB_MAX_INST & (SFC_LB_MAX_INST - 1)) == 0, "sfc_hop_fallback mask");

/*
 * The flow's instance of the hop at (path_id, si) is down: another one
 * of the hop that is up (*sf_id, counted, the flow's from now on), or
 * NULL when none is.
 */
static __always_inline struct sfc_sf *sfc_sff_fallback(struct sfc_flow *flow, __u32 path_id,
						       __u32 si, __u32 slot, __u32 *sf_id)
{
	struct sfc_sf *sf;
	__u32 base;

	*sf_id = sfc_hop_fallback(path_id, si, flow->hash);
	if (!*sf_id)
		return NULL;
	base = sfc_sf_base(*sf_id);
	sf = bpf_map_lookup_elem(&sfc_sfs, &base);
	if (!sf)
		return NULL;
	count_reason(SFC_R_HOP_INSTANCE_FALLBACK);
	/* the flow stays on the instance it failed over to, even once its
	 * own is back: a stateful SF keeps the connections it took over */
	if (slot < SFC_HOP_STATS_ENTRIES)
		sfc_step_put(flow, path_id, si, *sf_id, slot);
	return sf;
}

/*
 * The hop at (path_id, si) for this flow, into *out: 0, or -1 when there
 * is no such hop. The flow's resolved step for the SI when it has one;
 * else the hop's bucket for the flow's hash, which the flow then keeps
 * (not a hop marked down: its path's policy applies every time; nor ids
 * beyond the step's 16 bits). A global function (see sfc_iface_read):
 * the caller goes on from one state whichever answered (inlined, the two
 * answers split the SFF loop's states on 6.1, twice per hop).
 */
__attribute__((noinline)) __s64 sfc_hop_pick(struct sfc_flow *flow, __u32 path_id, __u32 si)
{
	struct sfc_hop *hop;
	__u32 step, b, sf_id, slot, flags;

	if (!flow)
		return -1;
	step = sfc_step_get(flow, path_id, si);
	if (step)
		return sfc_pick_pack(step & 0xffff, step >> 16, 0);
	hop = sfc_hop_get(path_id, si);
	if (!hop)
		return -1;
	flags = hop->flags;
	slot = hop->stats_idx;
	if (flags & SFC_HOP_TABLE) {
		struct sfc_lb *t = sfc_lb_get(path_id, si);

		sf_id = t ? sfc_lb_slot(t, flow->hash) : 0;
	} else {
		b = sfc_hop_bucket(hop, flow->hash);
		sf_id = hop->sf[b & (SFC_HOP_BUCKETS - 1)];
	}
	if (!(flags & (SFC_HOP_DOWN | SFC_HOP_TAP)) && sf_id && sfc_sf_base(sf_id) < SFC_MAX_SFS &&
	    slot < SFC_HOP_STATS_ENTRIES)
		sfc_step_put(flow, path_id, si, sf_id, slot);
	return sfc_pick_pack(sf_id, slot, flags);
}

/*
 * The SI of the resolved step whose SF is sf_id, or 0, among the steps
 * step_sf[0..3] (lo) and step_sf[4..7] (hi) of a flow. The lowest such
 * SI: were an SF ever at two positions, a return must never lead back up
 * the chain. A global function, given scalars: its caller goes on from
 * one state whatever the SI (inlined, each of the eight answers was a
 * constant the verifier followed through the rest of the SFF on its own).
 */
__attribute__((noinline)) int sfc_step_si(__u64 lo, __u64 hi, __u32 sf_id)
{
	int i;

	if (!sf_id)
		return 0;
	for (i = 0; i < 4; i++)
		if (((lo >> (16 * i)) & 0xffff) == sf_id)
			return i + 1;
	for (i = 0; i < 4; i++)
		if (((hi >> (16 * i)) & 0xffff) == sf_id)
			return i + 5;
	return 0;
}
_Static_assert(SFC_FLOW_STEPS == 8, "sfc_step_si: two words of four steps");

/* The SI of the flow's resolved step whose SF is sf_id (the SF a packet
 * came back from), or 0. */
static __always_inline __u32 sfc_step_find(const struct sfc_flow *flow, __u32 sf_id)
{
	const __u64 *w = (const __u64 *)flow->step_sf;

	if (flow->steps_path != flow->path_id)
		return 0;
	return sfc_step_si(w[0], w[1], sf_id);
}

/* sfc_sff_run's answers: sent to SF sf_id, the hop at SI si with counter
 * slot slot (SF 0: the end of the chain); or dropped (negative) there, for
 * reason */
#define SFC_SFF_TO(sf_id, si, slot) \
	((__s64)((sf_id) & 0xffff) | (__s64)((si) & 0xff) << 16 | (__s64)((slot) & 0xffff) << 24)
#define SFC_SFF_DROP(si, slot, reason) \
	((__s64)(1ull << 63 | ((__u64)(si) & 0xff) << 16 | ((__u64)(slot) & 0xffff) << 24 | \
		 ((__u64)(reason) & 0xff) << 40))
/* with a tap's SF id (a copy goes there first) for TO and the end */
#define SFC_SFF_WITH_TAP(v, tap) ((v) | (__s64)((tap) & 0xffff) << 40)
#define SFC_SFF_SF(v)     ((__u32)(v) & 0xffff)
#define SFC_SFF_TAP(v)    ((__u32)((v) >> 40) & 0xffff)
#define SFC_SFF_SI(v)     ((__u32)((v) >> 16) & 0xff)
#define SFC_SFF_SLOT(v)   ((__u32)((v) >> 24) & 0xffff)
#define SFC_SFF_REASON(v) ((__u32)((v) >> 40) & 0xff)

/* What the fabric sent to instance sf_id (its SF's counter). */
static __always_inline void sfc_count_sf_tx(__u32 sf_id, __u32 len)
{
	__u32 base = sfc_sf_base(sf_id);
	struct sfc_sf_counter *sc = bpf_map_lookup_elem(&sfc_sf_stats, &base);

	if (sc)
		count_add(&sc->tx, len);
}

/*
 * The SFF: from SI si of the flow's path, the next hop's SF or the end. A
 * hop whose instances are all down (or marked SFC_HOP_DOWN) is skipped
 * (bypass) or ends the packet (drop), as the path's on_failure says. SI 0
 * is the end of the chain. A tap hop (SFC_HOP_TAP) is passed over, its
 * instance named in the answer (one tap per answer: the first one up).
 * len_fail: the packet's length | the path's on_failure << 32 (one
 * argument: a spill less, for stack room). One scalar back (SFC_SFF_*):
 * the SF's id with its hop's SI and counter slot, SF 0 for the end of the
 * chain, either with the tap's SF, or a drop with its reason (counted) and
 * where it happened (no out argument: a spill less). A global
 * function: the verifier checks it once, whatever its callers (a
 * flow entry or a first packet's own copy, on the way in or back from an
 * SF), instead of once for each of them.
 */
__attribute__((noinline)) __s64 sfc_sff_run(struct sfc_flow *flow, __u32 si, __u64 len_fail)
{
	__u32 path_id;
	int i;

	/* the tap found so far rides in len_fail's bits 40-55 (no register
	 * of its own: one more would take stack the 6.1 budget does not have) */
	len_fail &= 0xffffffffffull;

	if (!flow)
		return SFC_SFF_DROP(0, 0, SFC_R_NO_PATH);
	path_id = flow->path_id;
	/* One iteration per hop at most; bypassed hops continue the loop. */
	for (i = 0; i < SFC_MAX_HOPS; i++) {
		struct sfc_hop_counter *hs;
		struct sfc_sf *sf;
		__u32 sf_id, sidx, base;
		int down;
		__s64 hp;

		if (si == 0)
			return SFC_SFF_WITH_TAP(0, len_fail >> 40);
		/* a resolved step skips the hop: the SF's entry validates it */
		hp = sfc_hop_pick(flow, path_id, si);
		if (hp < 0) {
			count_reason(SFC_R_NO_HOP);
			return SFC_SFF_DROP(si, 0, SFC_R_NO_HOP);
		}
		sidx = SFC_PICK_SLOT(hp);
		hs = bpf_map_lookup_elem(&sfc_hop_stats, &sidx);
		if (SFC_PICK_FLAGS(hp) & SFC_HOP_TAP) {
			sf_id = SFC_PICK_SF(hp);
			sf = bpf_map_lookup_elem(&sfc_sfs, &sf_id);
			if (sf && sf_id && (sf->flags & SFC_SF_UP) && !(len_fail >> 40)) {
				len_fail |= (__u64)(sf_id & 0xffff) << 40;
				if (hs)
					count_add(&hs->fwd, (__u32)len_fail);
				sfc_count_sf_tx(sf_id, (__u32)len_fail);
			} else {
				count_reason(SFC_R_TAP_SKIPPED);
			}
			si--;
			continue;
		}

		sf = NULL;
		down = SFC_PICK_FLAGS(hp) & SFC_HOP_DOWN;
		if (!down) {
			sf_id = SFC_PICK_SF(hp);
			base = sfc_sf_base(sf_id); /* an instance's state is its SF's */
			sf = bpf_map_lookup_elem(&sfc_sfs, &base);
			if (!sf || !sf_id) {
				count_reason(SFC_R_NO_SF);
				return SFC_SFF_DROP(si, sidx, SFC_R_NO_SF);
			}
			if (!(sf->flags & SFC_SF_UP))
				sf = sfc_sff_fallback(flow, path_id, si, sidx, &sf_id);
			down = !sf;
		}
		if (down) {
			if (((len_fail >> 32) & 0xff) == SFC_FAIL_BYPASS) {
				if (hs)
					hs->bypassed++;
				count_reason(SFC_R_HOP_BYPASSED);
				si--;
				continue;
			}
			if (hs)
				hs->drops++;
			count_reason(SFC_R_HOP_DOWN);
			return SFC_SFF_DROP(si, sidx, SFC_R_HOP_DOWN);
		}

		if (hs)
			count_add(&hs->fwd, (__u32)len_fail);
		sfc_count_sf_tx(sf_id, (__u32)len_fail);
		return SFC_SFF_WITH_TAP(SFC_SFF_TO(sf_id, si, sidx), len_fail >> 40);
	}
	count_reason(SFC_R_TOO_MANY_HOPS);
	return SFC_SFF_DROP(0, 0, SFC_R_TOO_MANY_HOPS);
}

/* sfc_sff_run's answer into d. A global function returns no pointer: the
 * SF's entry is read again here (an array slot, one inlined access). */
static __always_inline void sfc_sff(struct sfc_flow *flow, const struct sfc_path *path,
				    __u32 si, __u32 len, struct sfc_decision *d)
{
	__s64 r = sfc_sff_run(flow, si, len | (__u64)path->on_failure << 32);
	__u32 sf_id = SFC_SFF_SF(r);

	d->flow = flow;
	d->i.chain_id = path->chain_id;
	d->i.path_id = flow->path_id;
	d->i.o.si = SFC_SFF_SI(r);
	d->i.o.slot = SFC_SFF_SLOT(r);
	if (r < 0) {
		d->i.act = SFC_ACT_DROP;
		d->i.o.reason = SFC_SFF_REASON(r);
		return;
	}
	d->i.tap_sf = SFC_SFF_TAP(r);
	if (!sf_id) {
		d->i.act = SFC_ACT_END;
		d->i.end = path->end;
		return;
	}
	/* sfc_sff_run answers an SF only after finding its entry */
	d->i.sf_id = sf_id;
	d->i.act = SFC_ACT_TO_SF;
}

/* Where to send to instance sf_id: the target of a TO_SF decision (an
 * array slot, one inlined access; the decision keeps no pointer, for
 * stack room). A two-arm SF's other side (SFC_SF_ID_BACK): sfc_sf_back. */
static __always_inline struct sfc_sf *sfc_sf_of(__u32 sf_id)
{
	__u32 base = sfc_sf_base(sf_id);

	if (sf_id & SFC_SF_ID_BACK)
		return bpf_map_lookup_elem(&sfc_sf_back, &base);
	return bpf_map_lookup_elem(&sfc_sfs, &base);
}

/*
 * Is SF sf_id one of the instances of the hop at (path, SI)? The position
 * of a returning packet comes from its interface alone; the next hop is
 * then looked for below it. Were an interface's position ever higher than
 * the one its SF serves (an SF reachable at two positions, a stale or
 * corrupted entry), packets would climb back up the chain and cycle
 * through its SFs for ever. Checking that the SF really serves the
 * position the entry names makes the SI strictly decrease on every
 * return. A global function: the verifier checks it once, on its own,
 * and its caller sees one scalar, instead of walking the rest of the SFF
 * once for every bucket the unrolled loop could return from.
 */
__attribute__((noinline)) int sfc_hop_has_sf(__u32 path_id, __u32 si, __u32 sf_id)
{
	struct sfc_hop *hop = sfc_hop_get(path_id, si);
	int i;

	if (!hop || !sf_id)
		return 0;
	if (hop->flags & SFC_HOP_TABLE) {
		struct sfc_lb *t = sfc_lb_get(path_id, si);
		__u32 n;

		if (!t)
			return 0;
		n = t->ninst;
		for (i = 0; i < SFC_LB_MAX_INST && i < n; i++)
			if (t->inst[i] == sf_id)
				return 1;
		return 0;
	}
#pragma unroll
	for (i = 0; i < SFC_HOP_BUCKETS; i++)
		if (hop->sf[i] == sf_id)
			return 1;
	return 0;
}

/* Is the frame addressed to SFC_PROBE_MAC (eth: its Ethernet header)? */
static __always_inline int sfc_to_probe_mac(const __u8 *eth)
{
	static const __u8 probe[6] = SFC_PROBE_MAC;

	return eth[0] == probe[0] && eth[1] == probe[1] && eth[2] == probe[2] &&
	       eth[3] == probe[3] && eth[4] == probe[4] && eth[5] == probe[5];
}

/*
 * A packet back from an SF that no flow entry knows (not an ingress point:
 * there it is classified). An answer to sfcd's health probe goes to the
 * stack, where sfcd reads it (SFC_PROBE_MAC). A position its source MAC
 * named (pos_path, checked) says where it enters. An SF that serves one
 * chain is recognised by its interface alone: the packet becomes a flow of that chain entering
 * at this SF, so a NAT-ing SF's output goes through the rest of the chain
 * and ends here, where the SF sent it. Otherwise the chains' policy: a
 * counted drop when one of them says on-failure drop, else the stack.
 * The new entry, or NULL (d says what happened).
 */
static __always_inline struct sfc_flow *
sfc_adopt(const struct sfc_pkt *p, const struct sfc_flow_cache_key *ck, __u32 ifindex,
	  const struct sfc_iface *ifc, const __u8 *eth, struct sfc_decision *d, __u32 pos_path)
{
	__u32 sf_id = sfc_sf_base(ifc->sf_id), zero = 0, cid, path_id;
	struct sfc_flow nf = {};
	struct sfc_config *cfg;
	struct sfc_chain *chain;
	struct sfc_sf *sf;

	if (sfc_to_probe_mac(eth)) {
		count_reason(SFC_R_HEALTH_PROBE_REPLY);
		return NULL;
	}
	sf = bpf_map_lookup_elem(&sfc_sfs, &sf_id);
	if (!sf || !sf_id)
		goto policy;
	/* its source MAC named the position, checked (SFC_SF_POS_MAC) */
	path_id = pos_path;
	if (!path_id) {
		if (!(sf->flags & SFC_SF_SOLE))
			goto policy;
		cid = sf->chain_id;
		chain = bpf_map_lookup_elem(&sfc_chains, &cid);
		if (!chain || !chain->path_id)
			goto policy;
		path_id = chain->path_id;
		/* back on a two-arm SF's dev: a reply, on the reply version */
		if (ifc->sf_id & SFC_SF_ID_BACK)
			path_id = sfc_path_rev_of(path_id);
		/* not on the chain's current version (an edit took it out) */
		if (sfc_pos_si(ifindex, path_id) < 0)
			goto policy;
	}
	cfg = bpf_map_lookup_elem(&sfc_config, &zero);
	if (!cfg)
		goto policy;
	nf.generation = cfg->generation;
	nf.in_ifindex = ifindex;
	nf.path_id = path_id;
	nf.flags = SFC_FLOW_CHAINED | SFC_FLOW_ADOPTED;
	nf.hash = sfc_flow_hash(&p->key);
	__builtin_memcpy(nf.orig_dst, eth, 6);
	__builtin_memcpy(nf.orig_src, eth + 6, 6);
	sfc_flow_set_addrs(&nf, p);
	if (bpf_map_update_elem(&sfc_flows, ck, &nf, BPF_ANY)) {
		count_reason(SFC_R_FLOW_CACHE_FULL);
		goto policy;
	}
	count_flow_entry(1); /* adopted: the flow had no entry */
	count_reason(SFC_R_PROXY_ADOPTED);
	return bpf_map_lookup_elem(&sfc_flows, ck);
policy:
	if (sf && (sf->flags & SFC_SF_MISS_DROP)) {
		sfc_drop(d, SFC_R_PROXY_MISS_DROP);
		return NULL;
	}
	count_reason(SFC_R_PROXY_MISS);
	return NULL;
}

/*
 * The decision for one parsed packet received (or, with egress set, sent)
 * on ifindex, whose role is ifc.
 */
static __always_inline void sfc_decide(const struct sfc_pkt *p, __u32 ifindex,
				       const struct sfc_iface *ifc, __u32 egress,
				       const __u8 *eth, struct sfc_decision *d)
{
	struct sfc_flow_cache_key ck;
	struct sfc_counter *cs;
	struct sfc_flow *flow, nf;
	struct sfc_path *path;
	__u32 cid, path_id;

	d->i.act = SFC_ACT_PASS;
	if (!(ifc->flags & (SFC_IF_SF_RETURN | SFC_IF_INGRESS)))
		return;
	sfc_pkt_cache_key(p, &ck);

	/* Back from an SF: the flow entry says which path, the interface
	 * which position (an SF serves at most one SI of a path). */
	if (!egress && (ifc->flags & SFC_IF_SF_RETURN)) {
		__u32 pos_path = 0, pos_si = 0;

		/* An SF of several positions or chains: the position its
		 * source MAC names, if the SF serves that hop; for several
		 * positions nothing else tells (SFC_SF_POS_MAC). Not an
		 * answer to sfcd's probe. */
		if ((ifc->flags & SFC_IF_POS_MAC) && !p->link_control && !sfc_to_probe_mac(eth)) {
			if (eth[6] == SFC_POS_MAC_TAG) {
				pos_path = (__u32)eth[7] << 24 | (__u32)eth[8] << 16 |
					   (__u32)eth[9] << 8 | eth[10];
				pos_si = eth[11];
			}
			if (!pos_si || !sfc_hop_has_sf(pos_path, pos_si, ifc->sf_id)) {
				if (ifc->flags & SFC_IF_POS_MAC_ONLY)
					return sfc_drop(d, SFC_R_POS_MAC_MISSING);
				pos_path = pos_si = 0;
			}
		}
		flow = sfc_flow_find(p, &ck);
		if ((!flow || !(flow->flags & SFC_FLOW_CHAINED)) &&
		    !(ifc->flags & SFC_IF_INGRESS) && !p->link_control)
			flow = sfc_adopt(p, &ck, ifindex, ifc, eth, d, pos_path);
		if (flow && (flow->flags & SFC_FLOW_CHAINED)) {
			__u32 sf_id = ifc->sf_id, si, stepped;
			struct sfc_sf_counter *sc;
			int pos;

			/* an adopted flow's packets are never classified */
			sfc_flow_seen(flow);
			/* The position from the source MAC, the packet's own;
			 * else the SF is the flow's resolved step at SI si: that
			 * is where it was, and the hop holds it. Otherwise the
			 * interface's position on the flow's version. */
			if (pos_si) {
				/* a rewritten packet that met another flow's
				 * entry: the entry follows the packet */
				if (flow->path_id != pos_path)
					flow->path_id = pos_path;
				si = pos_si & 0xff;
			} else {
				si = sfc_step_find(flow, sf_id) & 0xff; /* one range with pos & 0xff below */
			}
			stepped = si != 0;
			if (!stepped) {
				pos = sfc_pos_si(ifindex, flow->path_id);
				if (pos < 0) {
					/* the SF's interface is newer than the flow's
					 * version: the flow moves to the current one */
					pos = sfc_pos_current(ifindex, flow->path_id);
					if (pos < 0)
						return sfc_drop(d, SFC_R_NO_POSITION);
					flow->path_id = (__u32)pos >> 8;
					pos &= 0xff;
					count_reason(SFC_R_POS_MOVED);
				}
				si = pos & 0xff;
			}
			/* counted and named as its SF (a two-arm SF's other
			 * side too: SFC_SF_ID_BACK) */
			sf_id = sfc_sf_base(sf_id);
			sc = bpf_map_lookup_elem(&sfc_sf_stats, &sf_id);
			if (sc)
				count_add(&sc->rx, p->len);
			d->i.returned = 1;
			d->i.from_sf = sf_id;
			d->i.o.si = si;
			path_id = flow->path_id;
			path = bpf_map_lookup_elem(&sfc_paths, &path_id);
			if (path)
				d->i.chain_id = path->chain_id;
			if (si == 0 || !path)
				return sfc_drop(d, si ? SFC_R_NO_PATH : SFC_R_NO_POSITION);
			if (!stepped && !sfc_hop_has_sf(path_id, si, ifc->sf_id))
				return sfc_drop(d, SFC_R_POS_MISMATCH);
			return sfc_sff(flow, path, si - 1, p->len, d);
		}
		/* not chained: sfc_adopt said what happens to it */
		if (!(ifc->flags & SFC_IF_INGRESS))
			return;
	}

	if (!(ifc->flags & SFC_IF_INGRESS))
		return;
	if (p->link_control) {
		count_reason(SFC_R_LINK_CONTROL);
		return;
	}
	flow = sfc_classify(p, &ck, ifindex, egress ? SFC_FLOW_EGRESS : 0, eth, &nf);
	if (!flow)
		return;

	path_id = flow->path_id;
	path = bpf_map_lookup_elem(&sfc_paths, &path_id);
	if (!path || !path->nhops)
		return sfc_drop(d, SFC_R_NO_PATH);
	cid = path->chain_id;
	d->i.chain_id = cid;
	cs = bpf_map_lookup_elem(&sfc_chain_stats, &cid);
	if (cs)
		count_add(cs, p->len);
	sfc_sff(flow, path, path->nhops, p->len, d);
}

#endif
