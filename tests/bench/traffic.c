// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * traffic: the benchmark's generator and reader.
 *
 * The generator injects UDP/IPv4 frames with BPF_PROG_TEST_RUN and
 * BPF_F_TEST_XDP_LIVE_FRAMES (Linux >= 5.18): the bench_gen program
 * re-writes the headers of every frame and returns XDP_TX, which sends it
 * out of the -i interface. No socket, no stack on the sending side; the
 * veth NAPIs downstream run on the injecting CPU, so a figure is a
 * one-core figure.
 *
 * The reader samples the sink's per-CPU counters (pinned by `fabric
 * pin-rx`) after a warm-up and again after a fixed window, and prints one
 * JSON line: packets sent and received, and the received rate in Mpps.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "bench.h"
#include "bench.skel.h"

#define BENCH_HDR_LEN 42

struct gen {
	int prog_fd;
	int ifindex;
	int cpu;
	__u32 batch;
	__u8 frame[2048];
	__u32 size;
	__u64 count;              /* 0: until stopped */
	atomic_ullong sent;
	atomic_int stop;
	int err;
};

static __u16 ip_csum(const void *p, int len)
{
	const __u16 *w = p;
	__u32 s = 0;

	for (int i = 0; i < len / 2; i++)
		s += w[i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static void on_sigusr1(int sig)
{
	(void)sig; /* only interrupts test_run */
}

/*
 * One test_run call for the whole run: every call registers a page pool
 * and updates the XDP dispatcher (text poke, RCU wait), some 10-30 ms
 * during which nothing is sent. A timed run is ended by a signal, which
 * test_run checks between batches (-EINTR).
 */
static void *gen_thread(void *arg)
{
	struct gen *g = arg;
	struct xdp_md ctx = { .data_end = g->size, .ingress_ifindex = g->ifindex };

	bench_pin_cpu(g->cpu);
	while (!atomic_load(&g->stop)) {
		__u64 left = g->count ? g->count - atomic_load(&g->sent) : 0x7fffffff;
		int repeat = left > 0x7fffffff ? 0x7fffffff : (int)left;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame, .data_size_in = g->size,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = g->batch,
			    .repeat = repeat);

		if (!repeat)
			break;
		if (bpf_prog_test_run_opts(g->prog_fd, &opts)) {
			if (errno != EINTR)
				g->err = -errno;
			break;
		}
		atomic_fetch_add(&g->sent, repeat);
	}
	return NULL;
}

static int parse_mac(const char *s, __u8 *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -EINVAL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: traffic -n NS -i IF --dst-mac MAC --src-mac MAC --src-ip A --dst-ip A\n"
		"               [--size BYTES] [--flows N | --churn K] [--sport P] [--dport P]\n"
		"               [--count N | --duration S] [--warmup S] [--window S]\n"
		"               [--rx PINNED_COUNTERS] [--cpu N] [--batch N] [--drop]\n"
		"\n"
		"  --size      frame length without FCS (default 64; 60..1514)\n"
		"  --flows     distinct UDP source ports, from --sport (default 1)\n"
		"  --churn K   a new flow every K frames instead (source port and address)\n"
		"  --first-flow N  with --churn: start at flow N, not 0 (runs that must not\n"
		"              meet each other's flows)\n"
		"  --count     send exactly N frames, then report (default: timed run)\n"
		"  --duration  stop after S seconds (timed run: warm-up + window)\n"
		"  --warmup    seconds before the reader's window opens (default 0.2)\n"
		"  --window    seconds the reader counts (default 1)\n"
		"  --rx        the sink's counter map, pinned by `fabric pin-rx`\n"
		"  --cpu       CPU of the generator (default: the last one)\n"
		"  --drop      the generator drops its frames: its own cost alone\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "dev", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'D' },
		{ "src-mac", required_argument, NULL, 'S' },
		{ "src-ip", required_argument, NULL, 's' },
		{ "dst-ip", required_argument, NULL, 'd' },
		{ "sport", required_argument, NULL, 'p' },
		{ "dport", required_argument, NULL, 'P' },
		{ "size", required_argument, NULL, 'z' },
		{ "flows", required_argument, NULL, 'f' },
		{ "churn", required_argument, NULL, 'K' },
		{ "first-flow", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "window", required_argument, NULL, 'W' },
		{ "rx", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "batch", required_argument, NULL, 'b' },
		{ "drop", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *ns = NULL, *dev = NULL, *rx_pin = NULL;
	__u8 dmac[6], smac[6];
	struct in_addr sip = {}, dip = {};
	unsigned sport = 1024, dport = 5001, flows = 1, churn = 0;
	unsigned long long first_flow = 0;
	double duration = 0, warmup = 0.2, window = 1.0;
	int have = 0, rx_fd = -1, ncpu, c, err, drop = 0;
	struct gen *g;
	struct bench_bpf *skel;
	pthread_t th;

	g = calloc(1, sizeof(*g));
	if (!g)
		return 1;
	g->size = 64;
	g->batch = 64;
	ncpu = libbpf_num_possible_cpus();
	g->cpu = ncpu > 1 ? ncpu - 1 : 0;
	while ((c = getopt_long(argc, argv, "n:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': ns = optarg; break;
		case 'i': dev = optarg; break;
		case 'D': have |= !parse_mac(optarg, dmac); break;
		case 'S': have |= !parse_mac(optarg, smac) << 1; break;
		case 's': have |= (inet_pton(AF_INET, optarg, &sip) == 1) << 2; break;
		case 'd': have |= (inet_pton(AF_INET, optarg, &dip) == 1) << 3; break;
		case 'p': sport = strtoul(optarg, NULL, 0); break;
		case 'P': dport = strtoul(optarg, NULL, 0); break;
		case 'z': g->size = strtoul(optarg, NULL, 0); break;
		case 'f': flows = strtoul(optarg, NULL, 0); break;
		case 'K': churn = strtoul(optarg, NULL, 0); break;
		case 'F': first_flow = strtoull(optarg, NULL, 0); break;
		case 'c': g->count = strtoull(optarg, NULL, 0); break;
		case 't': duration = strtod(optarg, NULL); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'W': window = strtod(optarg, NULL); break;
		case 'r': rx_pin = optarg; break;
		case 'C': g->cpu = atoi(optarg); break;
		case 'b': g->batch = strtoul(optarg, NULL, 0); break;
		case 'x': drop = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dev || have != 0xf || g->size < 60 || g->size > 1514 || !flows ||
	    sport + flows > 65536) {
		usage(stderr);
		return 2;
	}

	/* The frame: Ethernet, IPv4 (TTL 64, no options), UDP without checksum. */
	{
		struct ethhdr *eth = (void *)g->frame;
		struct iphdr *ip = (void *)(eth + 1);
		struct udphdr *udp = (void *)(ip + 1);

		memcpy(eth->h_dest, dmac, 6);
		memcpy(eth->h_source, smac, 6);
		eth->h_proto = htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(g->size - sizeof(*eth));
		ip->id = 0;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = sip.s_addr;
		ip->daddr = dip.s_addr;
		ip->check = ip_csum(ip, sizeof(*ip));
		udp->source = htons(sport);
		udp->dest = htons(dport);
		udp->len = htons(g->size - sizeof(*eth) - sizeof(*ip));
		for (__u32 i = BENCH_HDR_LEN; i < g->size; i++)
			g->frame[i] = (__u8)i;
	}

	skel = bench_bpf__open();
	if (!skel) {
		fprintf(stderr, "traffic: opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	memcpy(skel->bss->gen_hdr, g->frame, BENCH_HDR_LEN);
	skel->bss->gen_seq = first_flow * churn;
	skel->rodata->gen_flows = flows;
	skel->rodata->gen_churn = churn;
	skel->rodata->gen_sport = sport;
	skel->rodata->gen_action = drop ? XDP_DROP : XDP_TX;
	bpf_program__set_autoload(skel->progs.bench_sink, false);
	bpf_program__set_autoload(skel->progs.bench_bounce, false);
	bpf_program__set_autoload(skel->progs.bench_pass, false);
	bpf_program__set_autoload(skel->progs.bench_floor, false);
	bpf_program__set_autoload(skel->progs.bench_fib_end, false);
	bpf_program__set_autoload(skel->progs.bench_tc_redirect, false);
	err = bench_bpf__load(skel);
	if (err) {
		fprintf(stderr, "traffic: loading the generator: %s\n", strerror(-err));
		return 1;
	}
	g->prog_fd = bpf_program__fd(skel->progs.bench_gen);

	if (rx_pin) {
		rx_fd = bpf_obj_get(rx_pin);
		if (rx_fd < 0) {
			fprintf(stderr, "traffic: %s: %s\n", rx_pin, strerror(errno));
			return 1;
		}
	}
	err = bench_setns(ns);
	if (err) {
		fprintf(stderr, "traffic: netns %s: %s\n", ns, strerror(-err));
		return 1;
	}
	g->ifindex = if_nametoindex(dev);
	if (!g->ifindex) {
		fprintf(stderr, "traffic: no interface %s in netns %s\n", dev, ns ? ns : "-");
		return 1;
	}
	/* The reader stays off the generator's CPU. */
	bench_pin_cpu(g->cpu == 0 && ncpu > 1 ? 1 : 0);

	if (g->count) {
		__u64 rx0 = 0, rx1 = 0, prev = ~0ull;
		double t0, t1;

		if (rx_fd >= 0)
			bench_percpu_sum(rx_fd, 0, 16, &rx0);
		t0 = bench_now();
		pthread_create(&th, NULL, gen_thread, g);
		pthread_join(th, NULL);
		t1 = bench_now();
		/* Let the last frames drain: settle when the count stops moving. */
		for (int i = 0; i < 50 && rx_fd >= 0; i++) {
			bench_sleep(0.01);
			bench_percpu_sum(rx_fd, 0, 16, &rx1);
			if (rx1 == prev)
				break;
			prev = rx1;
		}
		if (g->err)
			fprintf(stderr, "traffic: test_run: %s\n", strerror(-g->err));
		printf("{\"mode\":\"count\",\"size\":%u,\"flows\":%u,\"tx\":%llu,\"rx\":%llu,"
		       "\"seconds\":%.6f,\"tx_mpps\":%.4f}\n", g->size, flows,
		       (unsigned long long)atomic_load(&g->sent), (unsigned long long)(rx1 - rx0),
		       t1 - t0, atomic_load(&g->sent) / (t1 - t0) / 1e6);
		return g->err ? 1 : 0;
	}

	{
		__u64 rx0 = 0, rx1 = 0, tx0, tx1;
		double t0, t1, end = duration > 0 ? duration : warmup + window;
		struct sigaction sa = { .sa_handler = on_sigusr1 };

		sigaction(SIGUSR1, &sa, NULL);
		pthread_create(&th, NULL, gen_thread, g);
		bench_sleep(warmup);
		tx0 = skel->bss->gen_seq;
		if (rx_fd >= 0)
			bench_percpu_sum(rx_fd, 0, 16, &rx0);
		t0 = bench_now();
		bench_sleep(end - warmup > window ? window : end - warmup);
		if (rx_fd >= 0)
			bench_percpu_sum(rx_fd, 0, 16, &rx1);
		tx1 = skel->bss->gen_seq;
		t1 = bench_now();
		if (end > warmup + window)
			bench_sleep(end - warmup - window);
		atomic_store(&g->stop, 1);
		/* Bounded: test_run checks for signals between batches. */
		for (int i = 0; i < 1000 && pthread_tryjoin_np(th, NULL); i++) {
			pthread_kill(th, SIGUSR1);
			bench_sleep(0.005);
		}
		if (g->err) {
			fprintf(stderr, "traffic: test_run: %s\n", strerror(-g->err));
			return 1;
		}
		if (tx1 == tx0) {
			fprintf(stderr, "traffic: the generator sent nothing in the window\n");
			return 1;
		}
		printf("{\"mode\":\"window\",\"size\":%u,\"flows\":%u,\"tx\":%llu,\"rx\":%llu,"
		       "\"seconds\":%.6f,\"mpps\":%.4f,\"tx_mpps\":%.4f}\n", g->size, flows,
		       (unsigned long long)(tx1 - tx0), (unsigned long long)(rx1 - rx0), t1 - t0,
		       (rx1 - rx0) / (t1 - t0) / 1e6, (tx1 - tx0) / (t1 - t0) / 1e6);
	}
	return 0;
}
