/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Map keys and values shared by the BPF programs and user space.
 * Only fixed-width types, explicit padding and a size assert per struct,
 * so the two sides can never disagree on a layout. A value holds only what
 * a BPF program reads; names and bookkeeping live in sfcd's record
 * (user/lib/record.h).
 *
 * SFC_ABI_VERSION 2: sfc_iface, sfc_sf, sfc_chain and sfc_path lost their
 * names, SPI, MACs and peer fields (version 1: 24, 64, 40 and 16 bytes);
 * sfcd converts version 1 pins in place (user/lib/migrate.c).
 * SFC_ABI_VERSION 3: sfc_reasons has 64 entries (was 32); the version is
 * recorded beside the pins (sfc_record_abi), so a newer datapath is
 * refused instead of misread. Values keep reserved bytes (pad) where a
 * field can be added without a conversion.
 * SFC_ABI_VERSION 4: direct-mapped arrays in front of sfc_ifaces, sfc_hops
 * and sfc_sf_pos (struct sfc_*_front), kept by sfcd beside the hash maps
 * and filled from them when it starts. New maps only: nothing converts.
 * (An sfc of version 3 refuses these pins: it would not keep the arrays.)
 * SFC_ABI_VERSION 5: sfc_flows has a 16-byte key (struct
 * sfc_flow_cache_key; was the 40-byte sfc_flow_key), and its values hold
 * the flow's resolved steps and an IPv6 flow's addresses (104 bytes; was
 * 36); sfcd copies the entries of version 4 pins into the new map before
 * the new programs replace the old ones (user/lib/migrate.c).
 * SFC_ABI_VERSION 6: observation maps (sfc_obs, sfc_events, sfc_hop_drops,
 * sfc_sf_stamp, sfc_sf_lat, sfc_flow_counts): drops by reason per chain
 * and hop, SF latency histograms, trace events, flow-cache inserts. New
 * maps only: nothing converts.
 * SFC_ABI_VERSION 7: hops of several instances may spread flows by a
 * weighted table of their own (SFC_HOP_TABLE, sfc_lb); hops of pins of
 * older versions keep their buckets. New map only: nothing converts.
 * SFC_ABI_VERSION 8: symmetric chains. sfc_path's pad is flags
 * (SFC_PATH_*; 0 in older pins), sfc_path_rev names the reply version of
 * a symmetric chain's version, and sfc_sf_back the other side of a
 * two-arm SF (SFC_SF_ID_BACK). New maps only: nothing converts.
 */
#ifndef SFC_ABI_H
#define SFC_ABI_H

#include <linux/types.h>

#define SFC_MAX_SFS        4096   /* SF ids 1..4095; 0 = none */
#define SFC_MAX_CHAINS     16384  /* chain ids 1..16383 */
#define SFC_MAX_PATHS      (2 * SFC_MAX_CHAINS) /* two versions per chain */
#define SFC_MAX_HOPS       32     /* hops per chain; SI counts down from nhops */
#define SFC_HOP_BUCKETS    16     /* flow-hash buckets per hop (instances) */
#define SFC_MAX_RULES      131072 /* classifier entries after port expansion */
#define SFC_MAX_TUPLES     64     /* distinct rule shapes (mask tuples) per bank */
#define SFC_MAX_IFACES     1024
#define SFC_FLOW_ENTRIES   1048576
#define SFC_NAME_LEN       32
#define SFC_ABI_VERSION    8

/* sfc_config index 0 */
struct sfc_config {
	__u32 generation;   /* bumped on every rule edit: cached flows are classified
			     * again (a flow whose chain stays keeps its version) */
	__u32 ntuples;      /* live entries in sfc_tuples, sorted by best pref */
	__u32 tuple_base;   /* active tuple bank: 0 or SFC_MAX_TUPLES */
	__u32 rules_hash;   /* control plane's digest of the installed rule set */
};
_Static_assert(sizeof(struct sfc_config) == 16, "sfc_config layout");

/* Interface roles, a bit set in sfc_ifaces values */
#define SFC_IF_INGRESS   (1u << 0) /* classify traffic received here */
#define SFC_IF_SF_RETURN (1u << 1) /* SFs send packets back to the fabric here */
#define SFC_IF_SF_OUT    (1u << 2) /* the fabric sends packets to an SF here */
#define SFC_IF_XDP_TX_OK (1u << 3) /* peer takes XDP frames: devmap redirect is safe */
#define SFC_IF_TC_STEER  (1u << 4) /* packets arrive as skbs (a stack behind a veth, no
				    * native XDP): sfc_tc_ingress steers them, no XDP */
#define SFC_IF_POS_MAC   (1u << 5) /* SF_RETURN of an SF with SFC_SF_POS_MAC: a packet
				    * back here may say its position in its source MAC */
#define SFC_IF_POS_MAC_ONLY (1u << 6) /* ... and must: the SF serves several
				       * positions of a chain */

/* sfc_ifaces: ifindex -> role of that interface in this fabric */
struct sfc_iface {
	__u32 flags;        /* SFC_IF_* */
	__u32 sf_id;        /* SF whose return interface this is (0 = none) */
};
_Static_assert(sizeof(struct sfc_iface) == 8, "sfc_iface layout");

#define SFC_SF_IFACE 1
#define SFC_SF_UP    (1u << 0)
#define SFC_SF_SETMAC (1u << 1) /* address frames out_mac -> mac[] */
#define SFC_SF_XDP_TX (1u << 2) /* ifindex is in sfc_tx_ports: XDP redirect */
#define SFC_SF_PEER   (1u << 3) /* ifindex is a veth whose peer is in another netns:
				 * tc sends with bpf_redirect_peer (straight into the
				 * SF's stack, GSO and checksum state intact) */
/*
 * A packet back from the SF that matches no flow entry (an SF that
 * rewrote its 5-tuple, NAT; an entry evicted; the SF's own traffic):
 * SFC_SF_SOLE: the SF serves exactly one chain (so one position on it),
 * chain_id: the packet continues that chain after the SF, as a flow of
 * its own that entered the chain at this SF. Otherwise the policy of the
 * chains it serves: SFC_SF_MISS_DROP when one of them says on-failure
 * drop, else the stack has it. Both counted (sfc_reasons).
 */
#define SFC_SF_SOLE      (1u << 4)
#define SFC_SF_MISS_DROP (1u << 5)
/*
 * SFC_SF_POS_MAC: an SF that keeps the fabric's Ethernet addressing (no
 * MAC of its own: a bridge, a netdev forwarder) and serves several chains
 * or several positions of one. The fabric writes the position a packet is
 * sent to it at in the source MAC (SFC_POS_MAC_TAG, the path id in network
 * order, the SI); a packet back from it continues from the position its
 * source MAC names, once the datapath has checked that this SF serves that
 * hop: so a packet it rewrote (NAT) continues the right chain, and one it
 * serves twice continues from the right hop. One back without such a MAC
 * is dropped when the SF serves several positions of a chain (nothing
 * else tells which: SFC_IF_POS_MAC_ONLY), else found as any other.
 */
#define SFC_SF_POS_MAC   (1u << 6)
#define SFC_POS_MAC_TAG  0xfe

/*
 * sfcd's health probes leave the fabric towards an SF from this MAC, and
 * sfcd answers ARP and neighbour solicitations for the probe's source
 * address with it: an SF's answer to a probe comes back addressed to it.
 * Such a packet of no known flow on an SF's interface is neither adopted
 * nor dropped: it goes to the stack (counted), where sfcd reads it.
 */
#define SFC_PROBE_MAC { 0x02, 0x73, 0x66, 0x63, 0x68, 0x63 }

/*
 * The other side of a two-arm SF (one that sends back on another interface
 * than it is sent to on): a symmetric chain's reply version enters it from
 * there. In a reply version's hops and tables, in a reply's resolved steps
 * and in the sfc_ifaces entry of the SF's dev (where replies come back
 * from it), such an instance is its SF id | SFC_SF_ID_BACK, and
 * sfc_sf_back[SF id] says where to send it replies: its out-dev, and the
 * SF's MAC on that side. Its up state, policy flags and counters are the
 * SF's own (sfc_sfs, sfc_sf_stats under the SF id).
 */
#define SFC_SF_ID_BACK 0x8000u
_Static_assert(SFC_MAX_SFS <= SFC_SF_ID_BACK, "SF ids leave SFC_SF_ID_BACK free");

/* The SF of an instance id (SFC_SF_ID_BACK or not). */
static inline __u32 sfc_sf_base(__u32 id)
{
	return id & ~SFC_SF_ID_BACK;
}

/* sfc_sfs: SF id -> where to send packets for that SF instance (and
 * sfc_sf_back: SF id -> where to send it a reply, SFC_SF_ID_BACK) */
struct sfc_sf {
	__u32 ifindex;      /* the fabric sends out here */
	__u16 flags;        /* SFC_SF_* */
	__u16 chain_id;     /* with SFC_SF_SOLE: the one chain it serves
			     * (was pad: 0 in pins of an older sfcd) */
	__u8  mac[6];       /* SF's MAC when SFC_SF_SETMAC */
	__u8  out_mac[6];   /* MAC of ifindex, source MAC towards the SF */
};
_Static_assert(sizeof(struct sfc_sf) == 20, "sfc_sf layout");

#define SFC_FAIL_DROP   0
#define SFC_FAIL_BYPASS 1

/* How a chain's packets leave the fabric at its end (struct sfc_path.end) */
#define SFC_END_STACK 0 /* re-injected on the original ingress, routed by the stack */
#define SFC_END_XDP   1 /* FIB lookup from the original ingress, XDP redirect */
#define SFC_END_AUTO  2 /* XDP for established, un-NATed conntrack flows, else stack */

/* sfc_chains: chain id -> the chain's current path (the chain head) */
struct sfc_chain {
	__u32 path_id;      /* switched in one write: make-before-break */
};
_Static_assert(sizeof(struct sfc_chain) == 4, "sfc_chain layout");

/*
 * A symmetric chain's version P has a reply version P' (sfc_path_rev[P]):
 * P's hops in reverse order, hop for hop the same instances, tables and
 * counter slots. A flow that no rule or cache entry chains, whose
 * reversed 5-tuple is a flow on P, is a reply: it takes P' and the same
 * flow hash (sfc_flow_hash is symmetric), so it meets the instances its
 * forward direction met, last first, and ends where it entered.
 */
#define SFC_PATH_SYMMETRIC (1u << 0) /* a symmetric chain's version: has a reply version */
#define SFC_PATH_REPLY     (1u << 1) /* the reply version of one */

/* sfc_paths: path id -> one version of a chain */
struct sfc_path {
	__u32 chain_id;
	__u8  nhops;        /* first SI; SI 0 is the end of the chain */
	__u8  on_failure;   /* SFC_FAIL_* */
	__u8  end;          /* SFC_END_*; 0 in pins from before it existed */
	__u8  flags;        /* SFC_PATH_*; 0 in pins from before it existed */
};
_Static_assert(sizeof(struct sfc_path) == 8, "sfc_path layout");

/* sfc_path_rev: path id -> the id of its reply version; 0: none (a chain
 * that is not symmetric, or a reply version itself). Written before the
 * chain head names the version, zeroed when the version is freed. */

/* sfc_hops key: a position on a path */
struct sfc_hop_key {
	__u32 path_id;
	__u8  si;
	__u8  pad[3];
};
_Static_assert(sizeof(struct sfc_hop_key) == 8, "sfc_hop_key layout");

#define SFC_HOP_DOWN  (1u << 0) /* no instance up: apply the path's on_failure */
#define SFC_HOP_TABLE (1u << 1) /* instances and weights in sfc_lb[(path, SI)] */
/* A tap: a copy of each packet goes to the hop's instance and never comes
 * back; the packet itself goes on to the next hop. Its instance is never a
 * flow's resolved step, and one that is down gets no copy (the chain goes
 * on whatever its on_failure). */
#define SFC_HOP_TAP   (1u << 2)

/*
 * sfc_hops: (path, SI) -> the SF instances of that hop: as nbuckets hash
 * buckets, or, SFC_HOP_TABLE, as the weighted table sfc_lb holds under
 * the same key (tab_digest: a digest of it, so that two versions with the
 * same table compare equal by their hops alone).
 */
struct sfc_hop {
	__u16 flags;        /* SFC_HOP_* */
	__u8  nbuckets;     /* 1..SFC_HOP_BUCKETS; 0 with SFC_HOP_TABLE */
	__u8  pad;
	__u32 stats_idx;    /* slot in sfc_hop_stats, kept by the hop across edits */
	union {
		__u32 sf[SFC_HOP_BUCKETS];
		__u32 tab_digest;   /* SFC_HOP_TABLE: of the whole sfc_lb value */
	};
};
_Static_assert(sizeof(struct sfc_hop) == 72, "sfc_hop layout");

/*
 * sfc_lb: (path, SI) -> the weighted table of a hop of several instances
 * (SFC_HOP_TABLE), written by sfcd before the hop and removed after it.
 * A flow of hash h takes slot[(h * size) >> 32]: each instance holds a
 * share of the slots in proportion to its weight, and a new table moves
 * as few slots as the change needs (user/lib/lb_table.c). inst[] lists
 * every instance, for the one that takes over from an instance that is
 * down and for recognising a hop's instances.
 */
#define SFC_LB_SLOTS    4093  /* the largest table, a prime */
#define SFC_LB_MIN      251   /* the smallest */
#define SFC_LB_MAX_INST 64    /* instances of one hop */
#define SFC_LB_TABLES   16384 /* hops with a table, over live and retired versions */

struct sfc_lb {
	__u16 size;                    /* slots in use: SFC_LB_MIN..SFC_LB_SLOTS */
	__u16 ninst;                   /* 1..SFC_LB_MAX_INST */
	__u32 pad;
	__u16 inst[SFC_LB_MAX_INST];   /* SF ids */
	__u16 slot[SFC_LB_SLOTS + 1];  /* SF ids; the last is padding */
};
_Static_assert(sizeof(struct sfc_lb) == 8 + 2 * SFC_LB_MAX_INST + 2 * (SFC_LB_SLOTS + 1),
	       "sfc_lb layout");
_Static_assert(SFC_MAX_SFS <= 65536, "sfc_lb holds SF ids in 16 bits");

/* sfc_sf_pos key: which position a packet returning on ifindex was at */
struct sfc_pos_key {
	__u32 ifindex;
	__u32 path_id;
};
_Static_assert(sizeof(struct sfc_pos_key) == 8, "sfc_pos_key layout");

/* sfc_sf_pos value */
struct sfc_pos {
	__u8  si;           /* SI of the hop this interface returns from */
	__u8  pad[3];
};
_Static_assert(sizeof(struct sfc_pos) == 4, "sfc_pos layout");

/*
 * Direct-mapped arrays in front of the hash maps sfc_ifaces, sfc_hops and
 * sfc_sf_pos: the datapath reads the slot a key maps to, one inlined array
 * access, and takes it when the slot holds that key (written at both ends
 * of the slot, so a slot being rewritten is not taken for another key);
 * otherwise it looks the key up in the hash map, which always holds every
 * entry. sfcd writes the hash map first, then the slot; it clears a slot
 * before deleting its key from the hash map. Two keys on one slot: the
 * last written is in the slot, the other served by the hash map.
 */
#define SFC_IF_FRONT_SLOTS  4096
#define SFC_HOP_FRONT_SLOTS 65536
#define SFC_POS_FRONT_SLOTS 16384

static inline __u32 sfc_if_front_idx(__u32 ifindex)
{
	return ifindex & (SFC_IF_FRONT_SLOTS - 1);
}

/* Consecutive SIs of a path on consecutive slots. */
static inline __u32 sfc_hop_front_idx(__u32 path_id, __u32 si)
{
	return (path_id * (SFC_MAX_HOPS + 1) + si) & (SFC_HOP_FRONT_SLOTS - 1);
}

static inline __u32 sfc_pos_front_idx(__u32 ifindex, __u32 path_id)
{
	return ((ifindex * 0x9e3779b1u) ^ (path_id * 0x85ebca6bu)) >> 18; /* 14 bits */
}
_Static_assert(SFC_POS_FRONT_SLOTS == 1u << 14, "sfc_pos_front_idx bits");

/* sfc_if_front: slot -> an sfc_ifaces entry */
struct sfc_if_front {
	__u32 ifindex;      /* 0: empty */
	struct sfc_iface v;
	__u32 check;        /* == ifindex */
};
_Static_assert(sizeof(struct sfc_if_front) == 16, "sfc_if_front layout");

/* sfc_hop_front: slot -> an sfc_hops entry */
struct sfc_hop_front {
	struct sfc_hop_key k; /* path_id 0: empty */
	struct sfc_hop v;
	__u32 check;        /* == k.path_id */
	__u32 pad;
};
_Static_assert(sizeof(struct sfc_hop_front) == 88, "sfc_hop_front layout");

/* sfc_pos_front: slot -> an sfc_sf_pos entry */
struct sfc_pos_front {
	struct sfc_pos_key k; /* ifindex 0: empty */
	struct sfc_pos v;
	__u32 check;        /* == k.path_id */
};
_Static_assert(sizeof(struct sfc_pos_front) == 16, "sfc_pos_front layout");

/*
 * Classifier: tuple-space search. Every rule is expanded by the control
 * plane into entries of one or more mask tuples; each tuple is one hash
 * lookup of the packet's fields ANDed with the tuple's masks.
 */
struct sfc_rule_key {
	__u32 tuple;        /* tuple index */
	__u32 ifindex;      /* ingress interface (0 with a zero mask) */
	__u8  src[16];      /* IPv4 in the first 4 bytes */
	__u8  dst[16];
	__u16 sport;        /* network byte order */
	__u16 dport;
	__u8  proto;
	__u8  family;       /* 4 or 6; 0 with a zero mask */
	__u8  pad[2];
};
_Static_assert(sizeof(struct sfc_rule_key) == 48, "sfc_rule_key layout");

/* sfc_rules value */
struct sfc_rule {
	__u32 pref;         /* lower wins */
	__u32 chain_id;
	__u32 rule_id;      /* for per-rule counters */
	__u32 pad;
};
_Static_assert(sizeof(struct sfc_rule) == 16, "sfc_rule layout");

/* sfc_tuples: index -> the masks of one tuple, sorted by min_pref */
struct sfc_tuple {
	struct sfc_rule_key mask; /* .tuple and .pad are ignored */
	__u32 min_pref;     /* best pref of any rule in this tuple */
	__u32 flags;
#define SFC_TUPLE_PORTS (1u << 0) /* masks ports: skipped for later fragments */
	__u32 nrules;
	__u32 pad;
};
_Static_assert(sizeof(struct sfc_tuple) == 64, "sfc_tuple layout");

/* A packet's 5-tuple (plus VLAN), as parsed: the key of sfc_flows_neg */
struct sfc_flow_key {
	__u8  src[16];
	__u8  dst[16];
	__u16 sport;
	__u16 dport;
	__u8  proto;
	__u8  family;
	__u16 vlan;
};
_Static_assert(sizeof(struct sfc_flow_key) == 40, "sfc_flow_key layout");

/*
 * sfc_flows key: 16 bytes, which the kernel hashes and compares in less
 * time than a 40-byte key, on every packet of every hop (make bench times
 * both). An IPv4 flow's key is its 5-tuple. An IPv6 flow's addresses are
 * folded into a and b with a secret seed (sfc_meta_key[0], the handoff
 * key), and its entry holds them whole (struct sfc_flow.addr6): a lookup
 * whose entry holds other addresses is a miss. Without the seed, two flows
 * whose folds collide could be made to evict each other's entry.
 */
struct sfc_flow_cache_key {
	__u32 a;            /* IPv4: source address; IPv6: fold */
	__u32 b;            /* IPv4: destination address; IPv6: fold */
	__u16 sport;
	__u16 dport;
	__u8  proto;
	__u8  family;
	__u16 vlan;
};
_Static_assert(sizeof(struct sfc_flow_cache_key) == 16, "sfc_flow_cache_key layout");

static inline __u64 sfc_fold_mix(__u64 h, __u64 w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/*
 * 1 when family is 6, else 0, with no branch. In the datapath a branch on
 * the family would split the verifier's states by it (on 6.1 that doubled
 * everything verified after it); the empty asm keeps clang from turning
 * the arithmetic back into one.
 */
static inline __u64 sfc_is6(__u64 family)
{
	__u64 x = family ^ 6;

#ifdef __bpf__
	asm volatile("" : "+r"(x));
#endif
	return ((x | -x) >> 63) ^ 1;
}

/* The cache key of a flow from src to dst (its other fields from k):
 * the fold is computed for every family and kept by mask for IPv6: no
 * branch (see sfc_is6). */
static inline void sfc_flow_cache_key_fill(const struct sfc_flow_key *k, const __u8 *src,
					   const __u8 *dst, __u16 sport, __u16 dport, __u64 seed,
					   struct sfc_flow_cache_key *ck)
{
	const __u64 *s = (const __u64 *)src, *d = (const __u64 *)dst;
	const __u32 *s4 = (const __u32 *)src, *d4 = (const __u32 *)dst;
	__u64 m = -sfc_is6(k->family), h;

	h = sfc_fold_mix(seed ^ 0x5fc0f01d5fc0f01dull, s[0]);
	h = sfc_fold_mix(h, s[1]);
	h = sfc_fold_mix(h, d[0]);
	h = sfc_fold_mix(h, d[1]);
	h = sfc_fold_mix(h, seed);
	ck->a = (__u32)((s4[0] & ~m) | (h & m));
	ck->b = (__u32)((d4[0] & ~m) | ((h >> 32) & m));
	ck->sport = sport;
	ck->dport = dport;
	ck->proto = k->proto;
	ck->family = k->family;
	ck->vlan = k->vlan;
}

/* The cache key of a parsed 5-tuple; seed: sfc_meta_key[0]. */
static inline void sfc_flow_cache_key_of(const struct sfc_flow_key *k, __u64 seed,
					 struct sfc_flow_cache_key *ck)
{
	sfc_flow_cache_key_fill(k, k->src, k->dst, k->sport, k->dport, seed, ck);
}

/* The cache key of the other direction of k's flow: addresses swapped,
 * and the ports where they are ports (has_ports; an ICMP echo's
 * identifier is the same both ways). */
static inline void sfc_flow_cache_key_rev(const struct sfc_flow_key *k, int has_ports,
					  __u64 seed, struct sfc_flow_cache_key *ck)
{
	if (has_ports)
		sfc_flow_cache_key_fill(k, k->dst, k->src, k->dport, k->sport, seed, ck);
	else
		sfc_flow_cache_key_fill(k, k->dst, k->src, k->sport, k->dport, seed, ck);
}

/*
 * The flow hash that picks a flow's instances (struct sfc_flow.hash).
 * Symmetric: both directions of a flow hash alike (each pair of fields
 * enters as its XOR and its sum), so a symmetric chain's replies meet the
 * instances of their flow. The sum keeps apart what XOR alone would not:
 * flows whose ports or addresses rise together (41000 + i to 7000 + i).
 * Addresses in network order, IPv4 in the first word; ports as received.
 */
static inline __u32 sfc_flow_hash_of(const __u32 *s, const __u32 *d, __u16 sport, __u16 dport,
				     __u8 proto)
{
	__u32 h = 0x811c9dc5;
	int i;

#ifdef __bpf__
#pragma unroll
#endif
	for (i = 0; i < 4; i++) {
		h ^= s[i] ^ d[i];
		h *= 0x01000193;
		h ^= s[i] + d[i];
		h *= 0x01000193;
	}
	h ^= (__u32)(sport ^ dport) | (__u32)proto << 16;
	h *= 0x01000193;
	h ^= (__u32)sport + dport;
	h *= 0x01000193;
	/* murmur3 finalizer: spread the low bits a bucket index uses */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

#define SFC_FLOW_CHAINED (1u << 0) /* always set in sfc_flows since sfc_flows_neg */
#define SFC_FLOW_EGRESS  (1u << 1) /* classified on tc egress (locally sent) */
#define SFC_FLOW_ADOPTED (1u << 2) /* entered its chain back from an SF with
				    * SFC_SF_SOLE (in_ifindex: that SF's return
				    * interface, where it ends) */
#define SFC_FLOW_IDLE    (1u << 3) /* set by sfcd on flows of a retired path
				    * version; the flow's next packet clears it.
				    * Still set at sfcd's passes for the flow idle
				    * time: the flow has ended, its entry goes, and
				    * with the last one its version
				    * (user/lib/path_pool.c) */
/* Bits 24..31: the passes of sfcd's collector that found the flow idle
 * since it was marked; sfcd's alone (the datapath keeps them as they are). */
#define SFC_FLOW_IDLE_PASSES_SHIFT 24
#define SFC_FLOW_IDLE_PASSES_MASK  (0xffu << SFC_FLOW_IDLE_PASSES_SHIFT)

/*
 * The first SFC_FLOW_STEPS hops of a flow's path, resolved for that flow
 * (struct sfc_flow.step_*): the SF instance its hash picks at each SI and
 * the hop's counter slot. A path version's hops never change while it
 * lives (an edit writes a new version), so the datapath resolves a hop
 * once per flow, from its sfc_hops entry, and afterwards reads only the
 * SF's entry: its up flag validates the step, its ifindex and MACs are
 * where the packet goes. A packet back from an SF finds its SI among the
 * steps by the SF's id, which also proves that the SF serves that SI.
 */
#define SFC_FLOW_STEPS 8

/* sfc_flows value: classification result and where the flow came from */
struct sfc_flow {
	__u32 generation;   /* sfc_config.generation when classified */
	__u32 in_ifindex;   /* ingress point it was classified on */
	__u32 path_id;
	__u32 hash;         /* symmetric flow hash, picks hop instances */
	__u32 flags;        /* SFC_FLOW_* */
	__u8  pad[4];
	__u8  orig_dst[6];  /* Ethernet addresses as received, restored at the end */
	__u8  orig_src[6];
	__u32 steps_path;   /* the path id step_* were resolved on; 0: none */
	__u16 step_sf[SFC_FLOW_STEPS];   /* SI i + 1: the flow's SF id; 0: not yet */
	__u16 step_slot[SFC_FLOW_STEPS]; /* SI i + 1: the hop's sfc_hop_stats slot */
	__u8  addr6[32];    /* source and destination, 16 bytes each (IPv4: in the
			     * first 4); read for IPv6 only, whose key holds a fold */
};
_Static_assert(sizeof(struct sfc_flow) == 104, "sfc_flow layout");

/*
 * sfc_flows_neg value: a cached "no rule matched". Kept in an LRU of its
 * own so that a flood of new unchained flows evicts only its like, never
 * the state of flows that are mid-chain (sfc_flows).
 */
struct sfc_flow_neg {
	__u32 generation;   /* sfc_config.generation when classified */
	__u32 in_ifindex;   /* where it was classified */
	__u32 flags;        /* SFC_FLOW_EGRESS or 0 */
};
_Static_assert(sizeof(struct sfc_flow_neg) == 12, "sfc_flow_neg layout");

#define SFC_NEG_FLOW_ENTRIES 262144

/* Per-CPU counters */
struct sfc_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct sfc_counter) == 16, "sfc_counter layout");

/* sfc_sf_stats: per SF id */
struct sfc_sf_counter {
	struct sfc_counter tx; /* fabric -> SF */
	struct sfc_counter rx; /* SF -> fabric */
};
_Static_assert(sizeof(struct sfc_sf_counter) == 32, "sfc_sf_counter layout");

/* sfc_hop_stats: per slot, allocated by the control plane to each hop */
struct sfc_hop_counter {
	struct sfc_counter fwd;
	__u64 drops;
	__u64 bypassed;
};
_Static_assert(sizeof(struct sfc_hop_counter) == 32, "sfc_hop_counter layout");

#define SFC_HOP_STATS_ENTRIES 65536 /* hops over all chains; slot 0 unused */
/* SF ids and hop slots fit struct sfc_flow's 16-bit steps */
_Static_assert(SFC_MAX_SFS <= 65536 && SFC_HOP_STATS_ENTRIES <= 65536, "sfc_flow steps");

/*
 * XDP -> tc handoff in the packet's metadata area (bpf_xdp_adjust_meta),
 * for what XDP cannot finish itself: delivering a packet at the end of its
 * chain as if it had just been received, or sending it to an SF whose
 * interface cannot take XDP frames.
 *
 * Anyone who can hand the fabric an XDP frame (an SF's XDP program that
 * bounces frames, a peer redirecting into a veth) chooses its metadata,
 * and a frame converted to an skb keeps it even where sfc_xdp runs in
 * generic mode and cannot see it. So the tc entry acts only on metadata
 * that carries the datapath's key: 64 random bits sfcd writes once into
 * sfc_meta_key (pinned, so it outlives restarts and program upgrades),
 * which no SF can read.
 */
#define SFC_META_MAGIC 0x5fc0
#define SFC_META_TO_INGRESS 1 /* bpf_redirect(ifindex, BPF_F_INGRESS) */
#define SFC_META_TO_EGRESS  2 /* bpf_redirect(ifindex, 0) */
/* action's bits above SFC_META_TAP_SHIFT: the tap SF whose interface gets
 * a copy first (bpf_clone_redirect; XDP cannot copy a frame) */
#define SFC_META_ACTION_MASK 0xf
#define SFC_META_TAP_SHIFT   4
/*
 * skb->mark of a packet that finished its chain on the skb path and is
 * redirected to the ingress of the interface it was classified on: that
 * interface's tc entry lets it through to the stack (mark cleared) instead
 * of classifying it again. At tc ingress a mark is otherwise 0: one set in
 * another netns is scrubbed when the packet crosses into this one.
 */
#define SFC_MARK_END 0x5fc0e2d0u
/*
 * skb->cb[0] and cb[1] of a packet sfc_tc_ingress tail-calls the auto
 * end's conntrack stage with (sfc_end_tc_progs): this magic, and the
 * ifindex the packet was classified on. The stack end is ready (original
 * MACs, SFC_MARK_END) when the stage starts.
 */
#define SFC_END_TC_CB_MAGIC 0x5fc0e2d1u

struct sfc_meta {
	__u16 magic;
	__u16 action;
	__u32 ifindex;
	__u64 key;          /* sfc_meta_key[0]; never 0 */
};
_Static_assert(sizeof(struct sfc_meta) == 16, "sfc_meta layout");

/* The handoff of an sfc_xdp older than the key (8 bytes). While sfcd
 * replaces such a program, tc takes it for a few seconds (sfc_meta_key[1])
 * so that packets in flight during the upgrade are not lost. */
struct sfc_meta_v1 {
	__u16 magic;
	__u16 action;
	__u32 ifindex;
};
_Static_assert(sizeof(struct sfc_meta_v1) == 8, "sfc_meta_v1 layout");
#define SFC_META_LEGACY_NS (10ull * 1000000000ull)

/*
 * Observation (SFC_ABI_VERSION 6). sfc_obs index 0 says what the datapath
 * records beyond its counters; with flags 0 the cost is one load and one
 * test per packet. sfcd writes it: latency as its --sf-latency option
 * says, the monitor bits while an `sfcctl monitor` is connected.
 */
#define SFC_OBS_MONITOR    (1u << 0) /* trace events into sfc_events */
#define SFC_OBS_LATENCY    (1u << 1) /* SF latency into sfc_sf_lat */
#define SFC_OBS_DROPS_ONLY (1u << 2) /* monitor: drop events only */

struct sfc_obs {
	__u32 flags;        /* SFC_OBS_* */
	__u32 sample;       /* monitor: one decision in `sample` (0, 1: every one) */
	__u32 chain_id;     /* monitor: this chain's packets only (0: any) */
	__u32 sf_id;        /* monitor: packets to or from this SF only (0: any) */
};
_Static_assert(sizeof(struct sfc_obs) == 16, "sfc_obs layout");

/* struct sfc_event.verdict: what the fabric decided for the packet */
#define SFC_EV_TO_SF 1      /* sent to SF sf_id, the hop at SI si */
#define SFC_EV_END   2      /* chain done: delivered as if never chained */
#define SFC_EV_DROP  3      /* dropped for reason */

/* struct sfc_event.hook */
#define SFC_HOOK_XDP        1
#define SFC_HOOK_TC_INGRESS 2
#define SFC_HOOK_TC_EGRESS  3

#define SFC_EV_CAP 128      /* bytes of the packet an event carries (L2-L4) */

/* sfc_events (ring buffer): one record per decision while monitoring */
struct sfc_event {
	__u64 ts_ns;        /* CLOCK_MONOTONIC */
	__u32 ifindex;      /* received (tc egress: sent) on */
	__u32 chain_id;     /* 0: unknown (a drop before the chain was known) */
	__u32 path_id;
	__u32 pkt_len;      /* bytes on the wire */
	__u16 sf_id;        /* TO_SF: the SF it goes to */
	__u16 from_sf;      /* the SF it came back from; 0: classified here */
	__u8  si;           /* TO_SF: the hop's SI; END, DROP: the SI it was at */
	__u8  verdict;      /* SFC_EV_* */
	__u8  hook;         /* SFC_HOOK_* */
	__u8  pad;
	__u16 reason;       /* DROP: enum sfc_reason */
	__u16 cap_len;      /* bytes in data */
	__u32 pad2;
	__u8  data[SFC_EV_CAP];
};
_Static_assert(sizeof(struct sfc_event) == 40 + SFC_EV_CAP, "sfc_event layout");

#define SFC_EVENTS_BYTES (1u << 20)

/*
 * sfc_hop_drops: drops by reason per chain and hop. slot: the hop's
 * sfc_hop_stats slot, 0 for a drop of the chain not at one of its hops
 * (a packet back from an SF at no known position, say). Counted with an
 * atomic add (drops are rare; a percpu hash would hand a reused entry's
 * stale values to other CPUs on older kernels). sfcd deletes the entries
 * of a chain or hop slot it frees. A full map: the drop is counted only
 * in sfc_reasons.
 */
struct sfc_drop_key {
	__u32 chain_id;
	__u16 slot;
	__u8  reason;       /* enum sfc_reason */
	__u8  pad;
};
_Static_assert(sizeof(struct sfc_drop_key) == 8, "sfc_drop_key layout");
#define SFC_HOP_DROP_ENTRIES 16384

/*
 * SF latency: the time from the fabric sending a packet to an SF to the
 * packet coming back. One packet per SF is timed at a time: sfc_sf_stamp
 * holds its identity (the TCP sequence number, the first UDP payload word,
 * the ICMP echo identifier and sequence, with the L4 length) and the low
 * 32 bits of the send time, as one 64-bit word (ident << 32 | time), so
 * a reader on another CPU never sees half of one. The packet that comes
 * back from that SF with that identity is timed into the SF's histogram
 * and frees the stamp; a stamp older than SFC_LAT_STALE_NS (the packet
 * was dropped by the SF) is replaced by the next packet sent.
 */
#define SFC_LAT_BUCKETS  32 /* bucket i: [2^i, 2^(i+1)) ns; the last: longer */
#define SFC_LAT_STALE_NS 1000000000u

/* sfc_sf_stamp value */
struct sfc_sf_stamp {
	__u64 word;         /* ident << 32 | send time's low 32 bits (ns, never 0);
			     * 0: no packet of this SF is being timed */
	__u32 busy;         /* sends that found a packet being timed: every
			     * 64th looks at the clock for a stale stamp */
	__u32 pad;
};
_Static_assert(sizeof(struct sfc_sf_stamp) == 16, "sfc_sf_stamp layout");

struct sfc_lat_hist {
	__u64 bucket[SFC_LAT_BUCKETS];
};
_Static_assert(sizeof(struct sfc_lat_hist) == 256, "sfc_lat_hist layout");

/*
 * sfc_flow_counts (per CPU, index 0): what the datapath did to sfc_flows.
 * With sfcd's own removals and a count of the entries, the difference is
 * what the LRU evicted (sfcd --metrics: sfc_flow_cache_evictions_total).
 */
struct sfc_flow_counts {
	__u64 inserted;     /* entries made for flows that had none */
	__u64 removed;      /* entries the datapath deleted (a rule set that no
			     * longer chains the flow) */
};
_Static_assert(sizeof(struct sfc_flow_counts) == 16, "sfc_flow_counts layout");

#endif
