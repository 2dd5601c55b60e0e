// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * micro: ns per packet of sfc's XDP entry, through BPF_PROG_TEST_RUN (no
 * live frames: the verdict is returned, not acted on), in a private
 * network namespace with one ingress point (in0) and a chain of two SFs
 * (sf1, sf2; their veth peers get sfc's pass-through program).
 *
 *	micro [-r REPEAT] [-n RUNS] [-P PIN_DIR] [-c CPU] DOC...
 *
 * Each DOC (from gendoc.py) is applied in turn; per document it measures
 *  - hit:  a packet of a cached flow on the ingress point: flow-cache hit
 *          and the SFF step to the first SF (XDP_REDIRECT)
 *  - sff:  the packet back from sf1: proxy lookup and SFF step to sf2
 *  - end:  the packet back from sf2, the last SF: MACs restored, metadata
 *          for tc, XDP_PASS (through the wrapper, which resets metadata)
 *  - miss: a new flow each packet: rule search and flow-cache insert
 * and, with --flows F after the document that has --flows-doc rules, the
 * same with F flows cached. Baselines: an empty XDP program, and the
 * wrapper tail-calling an empty program. One JSON document on stdout.
 */
#include <getopt.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <arpa/inet.h>

#include "apply.h"
#include "datapath.h"
#include "log.h"
#include "model.h"
#include "observe.h"
#include "bench.h"
#include "micro.skel.h"

#define PKT_LEN 64

static struct sfc_dp *dp;
static struct micro_bpf *mk;
static int repeat = 1000000, runs = 5;
static int if_in0, if_sf1, if_sf2;
static __u8 pkt[PKT_LEN];
static char pin_dir[256];

static int run_once(int fd, int ifindex, __u32 *retval, double *ns)
{
	struct xdp_md ctx = { .data_end = PKT_LEN, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = PKT_LEN,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*retval = o.retval;
	*ns = o.duration;
	return 0;
}

static void wrap(int target_fd, __u32 vary, __u32 reset_meta, __u32 seq)
{
	__u32 zero = 0;

	bpf_map_update_elem(bpf_map__fd(mk->maps.micro_target), &zero, &target_fd, BPF_ANY);
	mk->bss->vary_mod = vary;
	mk->bss->reset_meta = reset_meta;
	mk->bss->seq = seq;
}

static void clear_flows(void)
{
	static struct sfc_flow_cache_key keys[8192];
	static struct sfc_flow vals[8192];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 out = 0, count;
	void *in = NULL;
	int fd = dp->maps.flows;

	for (int i = 0; i < 100000; i++) {
		count = 8192;
		if (bpf_map_lookup_and_delete_batch(fd, in, &out, keys, vals, &count, &opts)) {
			if (errno == ENOENT || errno == EFAULT)
				break;
			if (errno == EINVAL && in) { /* restart from the top */
				in = NULL;
				continue;
			}
			break;
		}
		in = &out;
	}
	/* Whatever the batch missed (a concurrent bucket change): one by one. */
	{
		struct sfc_flow_cache_key k;

		for (int i = 0; i < 2000000 && !bpf_map_get_next_key(fd, NULL, &k); i++)
			bpf_map_delete_elem(fd, &k);
	}
}

static long count_flows(void)
{
	static struct sfc_flow_cache_key keys[8192];
	static struct sfc_flow vals[8192];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 out = 0, count;
	void *in = NULL;
	long n = 0;

	for (int i = 0; i < 100000; i++) {
		count = 8192;
		int err = bpf_map_lookup_batch(dp->maps.flows, in, &out, keys, vals, &count, &opts);

		n += count;
		if (err)
			break;
		in = &out;
	}
	return n;
}

/* One program run: which program, on which interface, expecting which
 * verdict, with what prepared before each run. */
struct probe {
	const char *what;
	int fd, ifindex;
	__u32 want;
	void (*prep)(int run, void *arg);
	void *arg;
};

struct result {
	double raw;  /* median ns of the probe */
	double base; /* median ns of its baseline */
	double net;  /* median of the per-run differences */
};

static int run_probe(const struct probe *p, int r, double *ns)
{
	__u32 ret;
	int err;

	if (p->prep)
		p->prep(r, p->arg);
	err = run_once(p->fd, p->ifindex, &ret, ns);
	if (err) {
		fprintf(stderr, "micro: %s: test_run: %s\n", p->what, strerror(-err));
		return err;
	}
	if (ret != p->want) {
		fprintf(stderr, "micro: %s: verdict %u, expected %u\n", p->what, ret, p->want);
		return -EINVAL;
	}
	return 0;
}

/*
 * `runs` runs of `repeat` repetitions each, the probe and its baseline in
 * turns, so that a neighbour's load on this shared machine weighs on both:
 * the difference is taken within each pair. -1 everywhere on failure.
 */
static struct result measure(const struct probe *p, const struct probe *base)
{
	struct result res = { -1, -1, -1 };
	double v[64], b[64], d[64];
	int n = 0;

	for (int r = 0; r < runs && r < 64; r++, n++) {
		if ((base && run_probe(base, r, &b[n])) || run_probe(p, r, &v[n]))
			return res;
		d[n] = base ? v[n] - b[n] : v[n];
	}
	res.raw = bench_median(v, n);
	res.base = base ? bench_median(b, n) : 0;
	res.net = bench_median(d, n);
	return res;
}

/* measure(), the observation switched to on before each run of p and to
 * off before each run of base */
static struct result measure_switched(const struct probe *p, const struct probe *base,
				      const struct sfc_obs *on, const struct sfc_obs *off)
{
	struct result res = { -1, -1, -1 };
	double v[64], b[64], d[64];
	int n = 0;

	for (int r = 0; r < runs && r < 64; r++, n++) {
		sfc_obs_write(dp, off);
		if (run_probe(base, r, &b[n]))
			return res;
		sfc_obs_write(dp, on);
		if (run_probe(p, r, &v[n]))
			return res;
		d[n] = v[n] - b[n];
	}
	sfc_obs_write(dp, off);
	res.raw = bench_median(v, n);
	res.base = bench_median(b, n);
	res.net = bench_median(d, n);
	return res;
}

struct vary_arg {
	int target_fd;
	__u32 vary, reset_meta, seq0, step;
	bool clear;
};

static void prep_wrap(int run, void *arg)
{
	struct vary_arg *a = arg;

	if (a->clear)
		clear_flows();
	wrap(a->target_fd, a->vary, a->reset_meta, a->seq0 + run * a->step);
}

static int empty_fd, wrap_fd;

/* Classify the test packet's flow once: the hit probes find it cached. */
static void prime(void)
{
	__u32 ret;
	double ns;
	int save = repeat;

	repeat = 1;
	run_once(dp->xdp_fd, if_in0, &ret, &ns);
	repeat = save;
}
static struct probe empty_probe;

static void json_result(const char *key, struct result r, bool comma)
{
	printf("%s\"%s\":{\"ns\":%.1f,\"base_ns\":%.1f,\"net_ns\":%.1f}", comma ? "," : "",
	       key, r.raw, r.base, r.net);
}

static char parts_json[1024];
static char obs_json[2048];
static struct ring_buffer *events_rb;

static int drop_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

/* before each monitored run: an empty ring buffer, as a reader keeps it */
static void prep_drain(int run, void *arg)
{
	(void)run;
	(void)arg;
	if (events_rb)
		ring_buffer__consume(events_rb);
}

/*
 * What observation costs on the hit and SF-return paths, each against the
 * same probe with nothing observed, in turns: SF latency on (the hit finds
 * its SF's packet being timed; the return from sf1 is timed every time,
 * the same packet being sent again and again), and the monitor with every
 * decision an event (4,000 repetitions a run: what the ring buffer holds,
 * drained before each run) and with one in 64. Needs the flow cached.
 */
static void measure_observe(struct probe *hit_p, struct probe *sff_p)
{
	struct { const char *name; struct sfc_obs o; int rep; } modes[] = {
		{ "latency", { .flags = SFC_OBS_LATENCY }, 0 },
		{ "monitor_all", { .flags = SFC_OBS_MONITOR }, 4000 },
		{ "monitor_1_in_64", { .flags = SFC_OBS_MONITOR, .sample = 64 }, 0 },
	};
	struct sfc_obs off = {};
	int save = repeat, off_n = 0;

	events_rb = ring_buffer__new(dp->maps.events, drop_event, NULL, NULL);
	off_n += snprintf(obs_json + off_n, sizeof(obs_json) - off_n, "{");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct probe h_on = *hit_p, s_on = *sff_p, h_off = *hit_p, s_off = *sff_p;
		struct result rh, rs;

		h_on.prep = s_on.prep = h_off.prep = s_off.prep = prep_drain;
		if (modes[i].rep)
			repeat = modes[i].rep;
		/* the probe with the mode on, its baseline with nothing observed:
		 * the mode is switched between the two runs of each pair */
		sfc_obs_write(dp, &off);
		rh = measure_switched(&h_on, &h_off, &modes[i].o, &off);
		rs = measure_switched(&s_on, &s_off, &modes[i].o, &off);
		sfc_obs_write(dp, &off);
		repeat = save;
		off_n += snprintf(obs_json + off_n, sizeof(obs_json) - off_n,
				  "%s\"%s\":{\"repeat\":%d,\"hit\":{\"ns\":%.1f,\"base_ns\":%.1f,"
				  "\"net_ns\":%.1f},\"sff\":{\"ns\":%.1f,\"base_ns\":%.1f,"
				  "\"net_ns\":%.1f}}", i ? "," : "", modes[i].name,
				  modes[i].rep ? modes[i].rep : save, rh.raw, rh.base, rh.net, rs.raw,
				  rs.base, rs.net);
	}
	snprintf(obs_json + off_n, sizeof(obs_json) - off_n, "}");
	ring_buffer__free(events_rb);
	events_rb = NULL;
}

/* What each map operation of the hit path costs alone; the flow must be
 * cached, the chain applied. */
static void measure_parts(void)
{
	static const char *const names[] = { "iface", "flow", "hop", "redirect", "counters",
					     "iface_front", "hop_front", "flow40" };
	struct bpf_program *progs[] = { mk->progs.micro_part_iface, mk->progs.micro_part_flow,
					mk->progs.micro_part_hop, mk->progs.micro_part_redirect,
					mk->progs.micro_part_counters, mk->progs.micro_part_iface_front,
					mk->progs.micro_part_hop_front, mk->progs.micro_part_flow40 };
	struct sfc_flow_cache_key fk;
	struct sfc_flow fv;
	struct sfc_hop_key hk;
	int off = 0;

	if (bpf_map_get_next_key(dp->maps.hops, NULL, &hk))
		return;
	/* the cached (IPv4) flow, under the 40-byte key of micro_part_flow40 */
	if (!bpf_map_get_next_key(dp->maps.flows, NULL, &fk) &&
	    !bpf_map_lookup_elem(dp->maps.flows, &fk, &fv)) {
		struct sfc_flow_key k40 = { .sport = fk.sport, .dport = fk.dport,
					    .proto = fk.proto, .family = fk.family,
					    .vlan = fk.vlan };

		memcpy(k40.src, &fk.a, 4);
		memcpy(k40.dst, &fk.b, 4);
		bpf_map_update_elem(bpf_map__fd(mk->maps.micro_flows40), &k40, &fv, BPF_ANY);
	}
	mk->bss->part_hop = hk;
	mk->bss->part_port = if_sf1;
	off += snprintf(parts_json + off, sizeof(parts_json) - off, "{");
	for (int i = 0; i < 8; i++) {
		struct probe p = { .what = names[i], .fd = bpf_program__fd(progs[i]),
				   .ifindex = if_in0, .want = i == 3 ? XDP_REDIRECT : XDP_PASS };
		struct result r = measure(&p, &empty_probe);

		off += snprintf(parts_json + off, sizeof(parts_json) - off,
				"%s\"%s\":{\"ns\":%.1f,\"net_ns\":%.1f}", i ? "," : "", names[i],
				r.raw, r.net);
	}
	snprintf(parts_json + off, sizeof(parts_json) - off, "}");
}

static int apply_doc(const char *path, double *parse_s, double *apply_s, int *tuples,
		     int *rules)
{
	struct sfc_apply_report rep;
	char err[512];
	struct sfc_doc doc;
	double t0, t1, t2;
	int ret;

	t0 = bench_now();
	ret = sfc_doc_from_file(path, &doc, err, sizeof(err));
	t1 = bench_now();
	if (ret) {
		fprintf(stderr, "micro: %s: %s\n", path, err);
		return ret;
	}
	ret = sfc_apply(dp, &doc, &rep, err, sizeof(err));
	t2 = bench_now();
	*rules = doc.nrules;
	sfc_doc_free(&doc);
	if (ret) {
		fprintf(stderr, "micro: applying %s: %s\n", path, err);
		return ret;
	}
	*parse_s = t1 - t0;
	*apply_s = t2 - t1;
	*tuples = rep.tuples;
	return 0;
}

static void build_packet(void)
{
	struct ethhdr *eth = (void *)pkt;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	static const __u8 src[6] = { 0x02, 0x00, 0x5f, 0xc0, 0x00, 0x01 };
	char path[64];
	FILE *f;

	/* To the ingress point's own MAC, as a routed packet would be. */
	snprintf(path, sizeof(path), "/sys/class/net/in0/address");
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &eth->h_dest[0], &eth->h_dest[1],
			   &eth->h_dest[2], &eth->h_dest[3], &eth->h_dest[4], &eth->h_dest[5]) != 6)
			memset(eth->h_dest, 0xff, 6);
		fclose(f);
	}
	memcpy(eth->h_source, src, 6);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(PKT_LEN - sizeof(*eth));
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(0xc6120a01); /* 198.18.10.1 */
	ip->daddr = htonl(0xc6120201); /* 198.18.2.1 */
	udp->source = htons(1024);
	udp->dest = htons(5001);
	udp->len = htons(PKT_LEN - sizeof(*eth) - sizeof(*ip));
}

static int sh(const char *cmd)
{
	int r = system(cmd);

	if (r) {
		fprintf(stderr, "micro: \"%s\" failed\n", cmd);
		return -1;
	}
	return 0;
}

static void cleanup(void)
{
	if (dp)
		sfc_dp_close(dp);
	dp = NULL;
	if (pin_dir[0])
		sfc_dp_unpin(pin_dir);
	pin_dir[0] = '\0';
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: micro [-r REPEAT] [-n RUNS] [-P PIN_DIR] [-c CPU]\n"
		   "             [--flows F --flows-doc RULES] DOC...\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "flows", required_argument, NULL, 'f' },
		{ "flows-doc", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int cpu = libbpf_num_possible_cpus() - 1, flows = 0, flows_doc = 1000, c;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/sfcb-micro-%d", getpid());
	while ((c = getopt_long(argc, argv, "r:n:P:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': repeat = atoi(optarg); break;
		case 'n': runs = atoi(optarg); break;
		case 'P': snprintf(pin_dir, sizeof(pin_dir), "%s", optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'f': flows = atoi(optarg); break;
		case 'F': flows_doc = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || repeat < 1 || runs < 1) {
		usage(stderr);
		return 2;
	}
	sfc_log_set_prefix("micro");
	sfc_log_set_level(SFC_LOG_WARN);
	sfc_log_hook_libbpf();
	bench_pin_cpu(cpu);

	/* A private namespace: nothing here outlives the process. */
	if (unshare(CLONE_NEWNET)) {
		perror("micro: unshare");
		return 1;
	}
	if (sh("ip link set lo up && "
	       "ip link add in0 type veth peer name in0p && "
	       "ip link add sf1 type veth peer name sf1p && "
	       "ip link add sf2 type veth peer name sf2p && "
	       "for i in in0 in0p sf1 sf1p sf2 sf2p; do ip link set $i up || exit 1; done"))
		return 1;
	if_in0 = if_nametoindex("in0");
	if_sf1 = if_nametoindex("sf1");
	if_sf2 = if_nametoindex("sf2");
	build_packet();

	atexit(cleanup);
	if (sfc_dp_load(pin_dir, &dp)) {
		fprintf(stderr, "micro: loading sfc failed\n");
		return 1;
	}
	mk = micro_bpf__open();
	if (!mk || bpf_map__reuse_fd(mk->maps.sfc_ifaces, dp->maps.ifaces) ||
	    bpf_map__reuse_fd(mk->maps.sfc_flows, dp->maps.flows) ||
	    bpf_map__reuse_fd(mk->maps.sfc_hops, dp->maps.hops) ||
	    bpf_map__reuse_fd(mk->maps.sfc_if_front, dp->maps.if_front) ||
	    bpf_map__reuse_fd(mk->maps.sfc_hop_front, dp->maps.hop_front) ||
	    bpf_map__reuse_fd(mk->maps.sfc_tx_ports, dp->maps.tx_ports) ||
	    micro_bpf__load(mk)) {
		fprintf(stderr, "micro: loading micro.bpf.o: %s\n", strerror(errno));
		return 1;
	}
	empty_fd = bpf_program__fd(mk->progs.micro_empty);
	wrap_fd = bpf_program__fd(mk->progs.micro_wrap);
	empty_probe = (struct probe){ .what = "empty", .fd = empty_fd, .ifindex = if_in0,
				      .want = XDP_PASS };

	printf("{\"repeat\":%d,\"runs\":%d,\"docs\":[", repeat, runs);
	for (int d = optind; d < argc; d++) {
		/* Baselines: the wrapper tail-calling an empty program, set
		 * up as each wrapped probe is. */
		struct vary_arg w_vary = { .target_fd = empty_fd, .vary = 0x7fffffff };
		struct vary_arg w_meta = { .target_fd = empty_fd, .reset_meta = 1 };
		struct probe b_vary = { "wrapper+vary", wrap_fd, if_in0, XDP_PASS, prep_wrap, &w_vary };
		struct probe b_meta = { "wrapper+meta", wrap_fd, if_in0, XDP_PASS, prep_wrap, &w_meta };
		struct vary_arg a_end = { .target_fd = dp->xdp_fd, .reset_meta = 1 };
		struct vary_arg a_miss = { .target_fd = dp->xdp_fd, .vary = 0x7fffffff, .clear = true };
		struct probe hit_p = { .what = "hit", .fd = dp->xdp_fd, .ifindex = if_in0,
				       .want = XDP_REDIRECT };
		struct probe sff_p = { .what = "sff", .fd = dp->xdp_fd, .ifindex = if_sf1,
				       .want = XDP_REDIRECT };
		struct probe end_p = { "end", wrap_fd, if_sf2, XDP_PASS, prep_wrap, &a_end };
		struct probe miss_p = { "miss", wrap_fd, if_in0, XDP_REDIRECT, prep_wrap, &a_miss };
		double parse_s, apply_s;
		int tuples, nrules;

		if (apply_doc(argv[d], &parse_s, &apply_s, &tuples, &nrules))
			return 1;
		clear_flows();
		prime();
		printf("%s{\"doc\":\"%s\",\"rules\":%d,\"tuples\":%d,\"parse_s\":%.4f,"
		       "\"apply_s\":%.4f", d == optind ? "" : ",", argv[d], nrules, tuples, parse_s,
		       apply_s);
		json_result("hit", measure(&hit_p, &empty_probe), true);
		json_result("sff", measure(&sff_p, &empty_probe), true);
		json_result("end", measure(&end_p, &b_meta), true);
		if (d == optind) {
			measure_parts();
			measure_observe(&hit_p, &sff_p);
		}
		json_result("miss", measure(&miss_p, &b_vary), true);

		if (flows > 0 && nrules == flows_doc) {
			struct vary_arg fill = { .target_fd = dp->xdp_fd, .vary = flows };
			struct vary_arg rot = { .target_fd = dp->xdp_fd, .vary = flows };
			struct vary_arg fresh = { .target_fd = dp->xdp_fd, .vary = 0x7fffffff,
						  .seq0 = flows, .step = repeat };
			struct probe fill_p = { "fill", wrap_fd, if_in0, XDP_REDIRECT, prep_wrap, &fill };
			struct probe rot_p = { "hit, rotating", wrap_fd, if_in0, XDP_REDIRECT, prep_wrap,
					       &rot };
			struct probe srot_p = { "sff, rotating", wrap_fd, if_sf1, XDP_REDIRECT,
						prep_wrap, &rot };
			struct probe fresh_p = { "miss, cache full", wrap_fd, if_in0, XDP_REDIRECT,
						 prep_wrap, &fresh };
			struct result fill_r;
			int save = runs;

			clear_flows();
			runs = 1;
			fill_r = measure(&fill_p, NULL);
			/* Three runs are enough here, and each costs seconds. */
			runs = save < 3 ? save : 3;
			printf(",\"flows\":{\"n\":%d,\"cached\":%ld", flows, count_flows());
			json_result("fill", fill_r, true);
			prime();
			json_result("hit", measure(&hit_p, &empty_probe), true);
			json_result("hit_rot", measure(&rot_p, &b_vary), true);
			json_result("sff_rot", measure(&srot_p, &b_vary), true);
			json_result("miss", measure(&fresh_p, &b_vary), true);
			runs = save;
			printf("}");
		}
		printf("}");
		fflush(stdout);
	}
	printf("],\"parts\":%s,\"observe\":%s}\n", parts_json[0] ? parts_json : "null",
	       obs_json[0] ? obs_json : "null");
	return 0;
}
