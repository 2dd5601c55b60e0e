/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Running the datapath's programs on test packets (BPF_PROG_TEST_RUN) and
 * reading what they left in the maps: counters, flows, chain and SF ids.
 * Part of unit.h (include that): it uses the environment's dp.
 */
#ifndef SFC_UNIT_RUN_H
#define SFC_UNIT_RUN_H

/* ------------------------------------------------------------------ */
/* Running the programs                                               */

struct run {
	__u32 ret;               /* the program's verdict */
	__u8 out[4096];          /* data_out: sfc_meta (meta_len bytes), then the frame */
	__u32 out_len;
	__u32 meta_len;          /* XDP metadata the program left in front */
	const __u8 *frame;       /* out + meta_len */
};

/*
 * sfc_xdp on a frame received on ifindex. meta_len bytes of data are
 * handed in as metadata in front of the frame, which is how a frame
 * shorter than an Ethernet header (the kernel's minimum for data_in) is
 * made.
 */
static inline int xdp_run_raw(int ifindex, const void *data, __u32 len, __u32 meta_len,
			      struct run *r)
{
	struct xdp_md ctx = { .data = meta_len, .data_end = len,
			      .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx), .repeat = 1);
	int err;

	memset(r, 0, sizeof(*r));
	r->frame = r->out;
	err = bpf_prog_test_run_opts(dp->xdp_fd, &o);
	if (err)
		return -errno;
	r->ret = o.retval;
	r->out_len = o.data_size_out;
	r->meta_len = ctx.data;
	r->frame = r->out + (r->meta_len < sizeof(r->out) ? r->meta_len : 0);
	return 0;
}

static inline int xdp_run(int ifindex, const struct pkt *p, struct run *r)
{
	return xdp_run_raw(ifindex, p->d, p->len, 0, r);
}

/*
 * A tc program (sfc_tc_egress or sfc_tc_ingress) on a packet of ifindex;
 * iif is the interface it was received on (skb_iif), 0 for a packet this
 * host sends.
 */
/* tc_run with skb->mark set to *mark before, and read into it after */
static inline int tc_run_mark(int prog_fd, int ifindex, int iif, const void *data, __u32 len,
			      struct run *r, __u32 *mark)
{
	struct __sk_buff ctx = { .ifindex = ifindex, .ingress_ifindex = iif, .mark = *mark };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx), .repeat = 1);

	memset(r, 0, sizeof(*r));
	r->frame = r->out;
	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	r->ret = o.retval;
	r->out_len = o.data_size_out;
	*mark = ctx.mark;
	return 0;
}

static inline int tc_run(int prog_fd, int ifindex, int iif, const void *data, __u32 len,
			 struct run *r)
{
	struct __sk_buff ctx = { .ifindex = ifindex, .ingress_ifindex = iif };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx), .repeat = 1);
	int err;

	memset(r, 0, sizeof(*r));
	r->frame = r->out;
	err = bpf_prog_test_run_opts(prog_fd, &o);
	if (err)
		return -errno;
	r->ret = o.retval;
	r->out_len = o.data_size_out;
	return 0;
}

/* Build from a spec and run sfc_xdp, failing the test if the run fails. */
#define XDP_RUN(ifindex, spec, r)                                              \
	do {                                                                   \
		struct pkt __p;                                                \
		pkt_build(&__p, (spec));                                       \
		ASSERT_OK(xdp_run((ifindex), &__p, (r)), "bpf_prog_test_run(sfc_xdp)"); \
	} while (0)

/* Run sfc_tc_egress on a locally sent packet of spec leaving by ifindex. */
#define TC_EGRESS_RUN(ifindex, spec, r)                                        \
	do {                                                                   \
		struct pkt __p;                                                \
		pkt_build(&__p, (spec));                                       \
		ASSERT_OK(tc_run(dp->tc_egress_fd, (ifindex), 0, __p.d, __p.len, (r)), \
			  "bpf_prog_test_run(sfc_tc_egress)");                  \
	} while (0)

/* ------------------------------------------------------------------ */
/* Reading the maps                                                   */

/* Sum over CPUs of a per-CPU value made of nfields u64s. */
static inline int percpu_sum(int fd, __u32 key, __u64 *sum, int nfields)
{
	__u64 *vals = calloc(dp->ncpus, nfields * sizeof(__u64));
	int err = 0;

	memset(sum, 0, nfields * sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, vals))
		err = -errno;
	for (int c = 0; !err && c < dp->ncpus; c++)
		for (int f = 0; f < nfields; f++)
			sum[f] += vals[c * nfields + f];
	free(vals);
	return err;
}

static inline __u64 reason_count(__u32 reason)
{
	__u64 n = 0;

	percpu_sum(dp->maps.reasons, reason, &n, 1);
	return n;
}

/* Id of the chain or SF with this name in sfcd's record, 0 if none. */
static inline __u32 id_in(sfc_id_name *names, __u32 max, const char *name)
{
	__u32 id = 0;

	for (__u32 i = 1; names && i < max && !id; i++)
		if (names[i][0] && !strncmp(names[i], name, SFC_NAME_LEN))
			id = i;
	free(names);
	return id;
}

static inline __u32 chain_id(const char *name)
{
	return id_in(sfc_record_chain_names(dp), SFC_MAX_CHAINS, name);
}

static inline __u32 sf_id(const char *name)
{
	return id_in(sfc_record_sf_names(dp), SFC_MAX_SFS, name);
}

/* Field f (u64 index) summed over CPUs and over all n entries of a
 * per-CPU array whose values are nfields u64s. */
static inline __u64 percpu_total(int fd, __u32 n, int nfields, int f)
{
	size_t vsz = (size_t)dp->ncpus * nfields * sizeof(__u64);
	__u64 *v = sfc_map_read_array(fd, n, vsz), total = 0;

	for (size_t i = 0; v && i < (size_t)n * dp->ncpus; i++)
		total += v[i * nfields + f];
	free(v);
	return total;
}

/* Packets counted for one chain. */
static inline __u64 chain_packets(const char *name)
{
	__u64 c[2] = {};
	__u32 id = chain_id(name);

	if (id)
		percpu_sum(dp->maps.chain_stats, id, c, 2);
	return c[0];
}

/* Packets counted for every chain together. */
static inline __u64 all_chain_packets(void)
{
	return percpu_total(dp->maps.chain_stats, SFC_MAX_CHAINS, 2, 0);
}

/* Packets the fabric sent to (tx) or got back from (rx) an SF. */
static inline __u64 sf_tx(const char *name)
{
	__u64 c[4] = {};
	__u32 id = sf_id(name);

	if (id)
		percpu_sum(dp->maps.sf_stats, id, c, 4);
	return c[0];
}

static inline __u64 sf_rx(const char *name)
{
	__u64 c[4] = {};
	__u32 id = sf_id(name);

	if (id)
		percpu_sum(dp->maps.sf_stats, id, c, 4);
	return c[2];
}

static inline __u64 all_sf_tx(void)
{
	return percpu_total(dp->maps.sf_stats, SFC_MAX_SFS, 4, 0);
}

/* SF name's entry up or down, as a link event would write it. */
static inline void sf_set_up(const char *name, bool up)
{
	__u32 id = sf_id(name);
	struct sfc_sf v = {};

	bpf_map_lookup_elem(dp->maps.sfs, &id, &v);
	v.flags = up ? v.flags | SFC_SF_UP : v.flags & ~SFC_SF_UP;
	bpf_map_update_elem(dp->maps.sfs, &id, &v, BPF_ANY);
}

/* The source MAC the fabric writes to an SFC_SF_POS_MAC SF for the
 * position (path, si). */
static inline void pos_mac_of(__u32 path, __u32 si, __u8 mac[6])
{
	mac[0] = SFC_POS_MAC_TAG;
	mac[1] = path >> 24;
	mac[2] = path >> 16;
	mac[3] = path >> 8;
	mac[4] = path;
	mac[5] = si;
}

/* Hop counters of a chain's hop (1 = first) on its current path: fwd
 * packets, drops, bypassed. The hop's stats slot is in its sfc_hops entry. */
struct hop_stat {
	__u64 fwd, drops, bypassed;
};

static inline struct hop_stat hop_stat(const char *chain, int hop)
{
	struct hop_stat h = {};
	struct sfc_chain head;
	struct sfc_path path;
	struct sfc_hop hv;
	__u64 c[4] = {};
	__u32 id = chain_id(chain);

	if (!id || bpf_map_lookup_elem(dp->maps.chains, &id, &head) ||
	    bpf_map_lookup_elem(dp->maps.paths, &head.path_id, &path))
		return h;
	{
		struct sfc_hop_key hk = { .path_id = head.path_id, .si = path.nhops - hop + 1 };

		if (bpf_map_lookup_elem(dp->maps.hops, &hk, &hv))
			return h;
	}
	if (!percpu_sum(dp->maps.hop_stats, hv.stats_idx, c, 4))
		h = (struct hop_stat){ .fwd = c[0], .drops = c[2], .bypassed = c[3] };
	return h;
}

/* sfc_flows_neg ("no rule matched"), pinned beside the other maps */
static inline int flows_neg_fd(void)
{
	static int fd = -1;
	char path[PATH_MAX];

	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/sfc_flows_neg", unit_pin_dir);
		fd = bpf_obj_get(path);
	}
	return fd;
}

/* The flow's key in sfc_flows, as the datapath builds it: an IPv6 flow's
 * addresses folded with the seed in the pinned sfc_meta_key. */
static inline void flow_cache_key(const struct pkt_spec *s, struct sfc_flow_cache_key *ck)
{
	static int fd = -1;
	char path[PATH_MAX];
	struct sfc_flow_key k;
	__u64 seed = 0;
	__u32 zero = 0;

	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/sfc_meta_key", unit_pin_dir);
		fd = bpf_obj_get(path);
	}
	if (fd >= 0)
		bpf_map_lookup_elem(fd, &zero, &seed);
	pkt_key(s, &k);
	sfc_flow_cache_key_of(&k, seed, ck);
}

/* The flow's cache entry: its sfc_flows entry, or one made of its
 * sfc_flows_neg entry (flags without SFC_FLOW_CHAINED). */
static inline int flow_get(const struct pkt_spec *s, struct sfc_flow *f)
{
	struct sfc_flow_cache_key ck;
	struct sfc_flow_key k;
	struct sfc_flow_neg n;

	flow_cache_key(s, &ck);
	if (!bpf_map_lookup_elem(dp->maps.flows, &ck, f))
		return 0;
	pkt_key(s, &k);
	if (bpf_map_lookup_elem(flows_neg_fd(), &k, &n))
		return -errno;
	*f = (struct sfc_flow){ .generation = n.generation, .in_ifindex = n.in_ifindex,
				.flags = n.flags };
	return 0;
}

/* Write the flow's sfc_flows entry, as sfcd does when it marks one. */
static inline int flow_set(const struct pkt_spec *s, const struct sfc_flow *f)
{
	struct sfc_flow_cache_key ck;

	flow_cache_key(s, &ck);
	return bpf_map_update_elem(dp->maps.flows, &ck, f, BPF_ANY) ? -errno : 0;
}

static inline void flow_del(const struct pkt_spec *s)
{
	struct sfc_flow_cache_key ck;
	struct sfc_flow_key k;

	flow_cache_key(s, &ck);
	pkt_key(s, &k);
	bpf_map_delete_elem(dp->maps.flows, &ck);
	bpf_map_delete_elem(flows_neg_fd(), &k);
}

/*
 * What the flow cache says about this packet's flow: "<no entry>",
 * "<not chained>", or the name of the chain its path belongs to.
 */
static inline const char *flow_chain(const struct pkt_spec *s)
{
	static char name[SFC_NAME_LEN + 16];
	struct sfc_flow f;
	struct sfc_path path;
	struct sfc_chain_record c;

	if (flow_get(s, &f))
		return "<no entry>";
	if (!(f.flags & SFC_FLOW_CHAINED))
		return "<not chained>";
	if (bpf_map_lookup_elem(dp->maps.paths, &f.path_id, &path) ||
	    bpf_map_lookup_elem(dp->rec.chains, &path.chain_id, &c)) {
		snprintf(name, sizeof(name), "<path %u?>", f.path_id);
		return name;
	}
	snprintf(name, sizeof(name), "%.*s", SFC_NAME_LEN, c.name);
	return name;
}

static inline long map_count(int fd)
{
	struct sfc_flow_key k, next, *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

/* Entries in the flow cache, chained and not. */
static inline long flow_count(void)
{
	return map_count(dp->maps.flows) + map_count(flows_neg_fd());
}

static inline __u64 all_reasons(void)
{
	__u64 n = 0;

	for (__u32 r = 1; r < SFC_R_MAX; r++)
		n += reason_count(r);
	return n;
}

#define NOT_CHAINED "<not chained>"
#define NO_ENTRY "<no entry>"

/*
 * Send the packet on ifindex as the first of its flow (its cache entry is
 * removed first) and check where sfc_xdp classified it: chain, or
 * NOT_CHAINED. A chained packet must be redirected to its first SF, any
 * other passed.
 */
static inline void expect_chain(int ifindex, struct pkt_spec s, const char *chain)
{
	bool chained = strcmp(chain, NOT_CHAINED) && strcmp(chain, NO_ENTRY);
	__u32 want = chained ? XDP_REDIRECT : XDP_PASS;
	char label[256];
	struct run r;
	struct pkt p;

	flow_del(&s);
	pkt_build(&p, &s);
	ASSERT_OK(xdp_run(ifindex, &p, &r), "bpf_prog_test_run(sfc_xdp)");
	snprintf(label, sizeof(label), "chain of %s", pkt_desc(&s));
	ASSERT_STREQ(flow_chain(&s), chain, label);
	if (r.ret != want)
		FAIL("xdp verdict for %s: expected %s, got %s", pkt_desc(&s),
		     unit_xdp_name(want), unit_xdp_name(r.ret));
}

#define EXPECT_CHAIN(ifindex, spec, chain)                                     \
	do {                                                                   \
		expect_chain((ifindex), (spec), (chain));                      \
		if (unit_failed)                                               \
			return;                                                \
	} while (0)

static inline __u32 config_generation(void)
{
	struct sfc_config cfg = {};
	__u32 zero = 0;

	bpf_map_lookup_elem(dp->maps.config, &zero, &cfg);
	return cfg.generation;
}

/* Bump the classifier generation, as sfcd does after a rule change:
 * every cached flow is classified again at its next packet. */
static inline int config_bump_generation(void)
{
	struct sfc_config cfg = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(dp->maps.config, &zero, &cfg))
		return -errno;
	cfg.generation++;
	return bpf_map_update_elem(dp->maps.config, &zero, &cfg, BPF_EXIST) ? -errno : 0;
}

#endif
