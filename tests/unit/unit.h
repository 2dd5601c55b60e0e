/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tiny framework for sfc's BPF unit tests: the real datapath loaded in a
 * private network namespace, packets built by hand and run through
 * BPF_PROG_TEST_RUN, asserts on verdicts, output bytes and counters.
 *
 * Each test binary prints one line per test, "ok NAME" or
 * "not ok NAME: label: expected X, got Y" (the first failed assert), and
 * exits 1 if any test failed. Arguments, if any, select tests by name.
 *
 * Everything here is static inline so that each unit_*.c takes what it
 * uses; the state is one global environment per binary.
 */
#ifndef SFC_UNIT_H
#define SFC_UNIT_H

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "apply.h"
#include "datapath.h"
#include "log.h"
#include "model.h"
#include "sfc_abi.h"
#include "sfc_reasons.h"
#include "stats.h"

#include "check.h"

static inline const char *unit_xdp_name(long long v)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
					  "XDP_TX", "XDP_REDIRECT" };
	return v >= 0 && v < (long long)ARRAY_SIZE(n) ? n[v] : "XDP_?";
}

static inline const char *unit_tc_name(long long v)
{
	switch (v) {
	case TC_ACT_UNSPEC: return "TC_ACT_UNSPEC";
	case TC_ACT_OK: return "TC_ACT_OK";
	case TC_ACT_SHOT: return "TC_ACT_SHOT";
	case TC_ACT_REDIRECT: return "TC_ACT_REDIRECT";
	}
	return "TC_ACT_?";
}

#define ASSERT_XDP(actual, expected)                                           \
	do {                                                                   \
		long long __a = (long long)(actual), __e = (long long)(expected); \
		if (__a != __e)                                                \
			FAIL("xdp verdict: expected %s, got %s",               \
			     unit_xdp_name(__e), unit_xdp_name(__a));          \
	} while (0)

#define ASSERT_TC(actual, expected)                                            \
	do {                                                                   \
		long long __a = (long long)(actual), __e = (long long)(expected); \
		if (__a != __e)                                                \
			FAIL("tc verdict: expected %s, got %s",                \
			     unit_tc_name(__e), unit_tc_name(__a));            \
	} while (0)

/* ------------------------------------------------------------------ */
/* Environment: private netns, interfaces, the loaded datapath        */

static struct sfc_dp *dp UNIT_UNUSED;
static char unit_pin_dir[PATH_MAX] UNIT_UNUSED;

static inline void unit_cleanup(void)
{
	if (dp) {
		sfc_dp_close(dp);
		dp = NULL;
	}
	if (unit_pin_dir[0]) {
		sfc_dp_unpin(unit_pin_dir);
		unit_pin_dir[0] = '\0';
	}
}

static inline void unit_on_signal(int sig)
{
	/* Not async-signal-safe, but the process is going down anyway and a
	 * leftover pin directory would outlive it. */
	if (unit_pin_dir[0])
		sfc_dp_unpin(unit_pin_dir);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A setup failure is reported as a failed test, so it is counted. */
static inline void unit_setup_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void unit_setup_fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok setup: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* Interfaces of the test topology, all in the test's own netns. */
enum unit_if {
	IF_IN0, IF_IN1,   /* ingress points */
	IF_SFA,           /* SF a, one-arm */
	IF_SFB, IF_SFBR,  /* SF b, two-arm: out, return */
	IF_SFC, IF_SFCR,  /* SF c, two-arm, no mac: out, return */
	IF_SFD,           /* SF d: its veth peer stays down, so d is down */
	IF_SFE,           /* SF e, one-arm */
	IF_TC0,           /* SF t on an ifb: no XDP redirect, tc handoff */
	IF_MAX,
};

static const char *const unit_if_names[IF_MAX] UNIT_UNUSED = {
	"in0", "in1", "sfa", "sfb", "sfbr", "sfc", "sfcr", "sfd", "sfe", "tc0",
};
static int ifx[IF_MAX] UNIT_UNUSED;

/* MAC of interface i of the topology: 02:00:00:00:01:<i+1>. */
static inline void unit_if_mac(int i, __u8 mac[6])
{
	const __u8 m[6] = { 0x02, 0, 0, 0, 0x01, (__u8)(i + 1) };

	memcpy(mac, m, 6);
}

/* SF MACs used by documents that give SFs a "mac". */
static const __u8 MAC_SF_A[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0x5f, 0x0a };
static const __u8 MAC_SF_B[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0x5f, 0x0b };
static const __u8 MAC_SF_E[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0x5f, 0x0e };
/* Ethernet addresses of test packets unless a test sets its own. */
static const __u8 MAC_PKT_DST[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0xee, 0x01 };
static const __u8 MAC_PKT_SRC[6] UNIT_UNUSED = { 0x02, 0, 0, 0, 0xee, 0x02 };

static inline void unit_sysctl(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		unit_setup_fail("%s: %s", path, strerror(errno));
}

static inline void unit_topology(void)
{
	FILE *ip;
	int i;

	/* No IPv6 on the test's interfaces: DAD, router solicitations and
	 * MLD reports would reach the XDP program on its own and move the
	 * counters under the tests' feet. */
	unit_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	unit_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	ip = popen("ip -batch -", "w");
	if (!ip)
		unit_setup_fail("ip -batch: %s", strerror(errno));
	fprintf(ip, "link set lo up\n");
	for (i = 0; i < IF_MAX; i++) {
		__u8 m[6];
		char mac[32];

		unit_if_mac(i, m);
		unit_hex(m, 6, mac, sizeof(mac));
		if (i == IF_TC0)
			fprintf(ip, "link add %s address %s type ifb\n", unit_if_names[i], mac);
		else
			fprintf(ip, "link add %s address %s type veth peer name %sp\n",
				unit_if_names[i], mac, unit_if_names[i]);
		fprintf(ip, "link set %s up\n", unit_if_names[i]);
		if (i != IF_TC0 && i != IF_SFD)
			fprintf(ip, "link set %sp up\n", unit_if_names[i]);
	}
	if (pclose(ip))
		unit_setup_fail("ip -batch: building the topology failed");
	for (i = 0; i < IF_MAX; i++) {
		ifx[i] = if_nametoindex(unit_if_names[i]);
		if (!ifx[i])
			unit_setup_fail("interface %s: %s", unit_if_names[i], strerror(errno));
	}
}

/* Own netns, topology, datapath loaded under a pin dir of our own. */
static inline void unit_env_init(void)
{
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sfc_log_set_level(SFC_LOG_WARN);
	sfc_log_hook_libbpf();
	if (unshare(CLONE_NEWNET))
		unit_setup_fail("unshare(CLONE_NEWNET): %s (run as root)", strerror(errno));
	unit_topology();

	snprintf(unit_pin_dir, sizeof(unit_pin_dir), "/sys/fs/bpf/sfc-unit-%d", getpid());
	atexit(unit_cleanup);
	signal(SIGINT, unit_on_signal);
	signal(SIGTERM, unit_on_signal);
	signal(SIGSEGV, unit_on_signal);
	signal(SIGABRT, unit_on_signal);
	err = sfc_dp_load(unit_pin_dir, &dp);
	if (err)
		unit_setup_fail("sfc_dp_load(%s): %s", unit_pin_dir, strerror(-err));
}

/* ------------------------------------------------------------------ */
/* Documents                                                          */

/* The error text of the last unit_apply/unit_parse that failed. */
static char unit_err[SFC_ERR_LEN] UNIT_UNUSED;
static struct sfc_apply_report unit_rep UNIT_UNUSED;

/* JSON written with single quotes (readable in C), made real JSON. */
static inline char *unit_json(const char *sq)
{
	char *s = strdup(sq);

	for (char *p = s; p && *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

static inline int unit_parse(const char *sq, struct sfc_doc *doc)
{
	char *text = unit_json(sq);
	int err;

	if (!text)
		return -ENOMEM;
	err = sfc_doc_from_json_text(text, strlen(text), doc, unit_err, sizeof(unit_err));
	free(text);
	return err;
}

/* Parse and apply a document; the report lands in unit_rep. */
static inline int unit_apply(const char *sq)
{
	struct sfc_doc doc = {};
	int err;

	unit_err[0] = '\0';
	err = unit_parse(sq, &doc);
	if (err)
		return err;
	sfc_apply_report_free(&unit_rep);
	err = sfc_apply(dp, &doc, &unit_rep, unit_err, sizeof(unit_err));
	sfc_doc_free(&doc);
	return err;
}

#define APPLY_OK(sq)                                                           \
	do {                                                                   \
		int __r = unit_apply(sq);                                      \
		if (__r)                                                       \
			FAIL("apply: expected 0, got %d (%s: %s)", __r,        \
			     strerror(-__r), unit_err);                        \
	} while (0)

/* ------------------------------------------------------------------ */
/* Packets                                                            */

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

struct pkt_spec {
	int family;              /* 4 or 6 */
	const char *src, *dst;   /* addresses, 198.18.0.0/15 or 2001:db8::/32 */
	__u8 proto;              /* IPPROTO_*; no L4 header for others */
	__u16 sport, dport;      /* TCP/UDP/SCTP ports; ICMP echo id is sport */
	__u8 icmp_type, icmp_code;
	__u16 vlan;              /* 802.1Q VID, 0 = untagged */
	__u16 vlan_tpid;         /* 0 = 0x8100 */
	__u8 ip_opts;            /* IPv4 option bytes (multiple of 4, <= 40) */
	__u16 frag_off;          /* IPv4 frag_off field (offset in 8 bytes | MF) */
	int next;                /* IPv6 extension headers, in order: */
	__u8 ext[10];            /* IPPROTO_HOPOPTS, _ROUTING, _DSTOPTS, _MH, _AH, _FRAGMENT */
	__u16 v6_frag_off;       /* offset (8-byte units) of an IPv6 fragment header */
	__u16 payload;           /* bytes after the L4 header */
	const __u8 *dmac, *smac; /* NULL: MAC_PKT_DST, MAC_PKT_SRC */
};

struct pkt {
	__u8 d[2048];
	__u32 len;
	__u32 l3;                /* offset of the IP header */
	__u32 ext;               /* IPv6: offset of the first extension header */
	__u32 l4;                /* offset of the L4 header */
};

static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline bool pkt_later_frag(const struct pkt_spec *s)
{
	if (s->family == 4)
		return s->frag_off & 0x1fff;
	for (int i = 0; i < s->next; i++)
		if (s->ext[i] == IPPROTO_FRAGMENT && s->v6_frag_off)
			return true;
	return false;
}

static inline size_t pkt_l4_len(const struct pkt_spec *s)
{
	if (pkt_later_frag(s))
		return 0;
	switch (s->proto) {
	case IPPROTO_TCP: return 20;
	case IPPROTO_UDP: return 8;
	case IPPROTO_SCTP: return 12;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return 8;
	}
	return 0;
}

static inline bool pkt_echo(const struct pkt_spec *s)
{
	if (s->proto == IPPROTO_ICMP)
		return s->icmp_type == 0 || s->icmp_type == 8;
	return s->icmp_type == 128 || s->icmp_type == 129;
}

static inline __u16 ip_csum(const __u8 *p, size_t n)
{
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static inline void pkt_build(struct pkt *p, const struct pkt_spec *s)
{
	size_t l4len = pkt_l4_len(s), extlen = 0, o;
	__u8 *b = p->d;

	memset(p, 0, sizeof(*p));
	memcpy(b, s->dmac ? s->dmac : MAC_PKT_DST, 6);
	memcpy(b + 6, s->smac ? s->smac : MAC_PKT_SRC, 6);
	o = 12;
	if (s->vlan) {
		put16(b + o, s->vlan_tpid ? s->vlan_tpid : 0x8100);
		put16(b + o + 2, s->vlan);
		o += 4;
	}
	put16(b + o, s->family == 4 ? 0x0800 : 0x86dd);
	o += 2;
	p->l3 = o;

	if (s->family == 4) {
		size_t hl = 20 + s->ip_opts;

		b[o] = 0x40 | hl / 4;
		put16(b + o + 2, hl + l4len + s->payload);
		put16(b + o + 4, 0x5fc);
		put16(b + o + 6, s->frag_off);
		b[o + 8] = 64;
		b[o + 9] = s->proto;
		inet_pton(AF_INET, s->src, b + o + 12);
		inet_pton(AF_INET, s->dst, b + o + 16);
		memset(b + o + 20, 0x01, s->ip_opts); /* NOPs */
		put16(b + o + 10, ip_csum(b + o, hl));
		o += hl;
	} else {
		__u8 *nh = b + o + 6;

		for (int i = 0; i < s->next; i++)
			extlen += s->ext[i] == IPPROTO_AH ? 16 : 8;
		b[o] = 0x60;
		put16(b + o + 4, extlen + l4len + s->payload);
		b[o + 7] = 64;
		inet_pton(AF_INET6, s->src, b + o + 8);
		inet_pton(AF_INET6, s->dst, b + o + 24);
		o += 40;
		p->ext = o;
		for (int i = 0; i < s->next; i++) {
			*nh = s->ext[i];
			nh = b + o;
			switch (s->ext[i]) {
			case IPPROTO_AH:
				b[o + 1] = 2;     /* (2 + 2) * 4 = 16 bytes */
				o += 16;
				break;
			case IPPROTO_FRAGMENT:
				put16(b + o + 2, s->v6_frag_off << 3 | 1);
				b[o + 7] = 0x5f;  /* identification */
				o += 8;
				break;
			default:
				b[o + 1] = 0;     /* 8 bytes */
				b[o + 2] = 1;     /* PadN over the rest */
				b[o + 3] = 4;
				o += 8;
			}
		}
		*nh = s->proto;
	}

	p->l4 = o;
	if (l4len && (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)) {
		b[o] = s->icmp_type;
		b[o + 1] = s->icmp_code;
		put16(b + o + 4, s->sport);
		put16(b + o + 6, 1);
	} else if (l4len) {
		put16(b + o, s->sport);
		put16(b + o + 2, s->dport);
		if (s->proto == IPPROTO_TCP) {
			b[o + 12] = 5 << 4;
			b[o + 13] = 0x02; /* SYN */
			put16(b + o + 14, 65535);
		} else if (s->proto == IPPROTO_UDP) {
			put16(b + o + 4, 8 + s->payload);
		}
	}
	o += l4len;
	memset(b + o, 0xa5, s->payload);
	p->len = o + s->payload;
}

/* Specs for the common cases; tests set other fields on the copy. */
static inline struct pkt_spec l4_spec(int family, __u8 proto, const char *src, __u16 sport,
				      const char *dst, __u16 dport)
{
	return (struct pkt_spec){ .family = family, .proto = proto, .src = src, .dst = dst,
				  .sport = sport, .dport = dport };
}

#define TCP4(src, sport, dst, dport) l4_spec(4, IPPROTO_TCP, src, sport, dst, dport)
#define UDP4(src, sport, dst, dport) l4_spec(4, IPPROTO_UDP, src, sport, dst, dport)
#define TCP6(src, sport, dst, dport) l4_spec(6, IPPROTO_TCP, src, sport, dst, dport)
#define UDP6(src, sport, dst, dport) l4_spec(6, IPPROTO_UDP, src, sport, dst, dport)

/* ICMP (family 4) or ICMPv6 (family 6) of this type; id for echo. */
static inline struct pkt_spec icmp_spec(int family, __u8 type, const char *src,
					const char *dst, __u16 id)
{
	return (struct pkt_spec){ .family = family, .src = src, .dst = dst,
				  .proto = family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
				  .icmp_type = type, .sport = id };
}

/* "tcp 198.18.0.1:1000 > 198.18.1.1:80", for labels. */
static inline const char *pkt_desc(const struct pkt_spec *s)
{
	static char buf[4][160];
	static int n;
	char *b = buf[n++ % 4];
	const char *proto;

	switch (s->proto) {
	case IPPROTO_TCP: proto = "tcp"; break;
	case IPPROTO_UDP: proto = "udp"; break;
	case IPPROTO_SCTP: proto = "sctp"; break;
	case IPPROTO_ICMP: proto = "icmp"; break;
	case IPPROTO_ICMPV6: proto = "icmpv6"; break;
	default: proto = "ip";
	}
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)
		snprintf(b, sizeof(buf[0]), "%s type %u %s > %s", proto, s->icmp_type, s->src, s->dst);
	else if (s->family == 6)
		snprintf(b, sizeof(buf[0]), "%s [%s]:%u > [%s]:%u", proto, s->src, s->sport,
			 s->dst, s->dport);
	else
		snprintf(b, sizeof(buf[0]), "%s %s:%u > %s:%u", proto, s->src, s->sport,
			 s->dst, s->dport);
	if (s->vlan)
		snprintf(b + strlen(b), sizeof(buf[0]) - strlen(b), " vlan %u", s->vlan);
	if (pkt_later_frag(s))
		snprintf(b + strlen(b), sizeof(buf[0]) - strlen(b), " later fragment");
	return b;
}

/*
 * Cut the frame to len bytes. When the IP header (with its options, or
 * the fixed IPv6 header) is still whole, its length field is made to
 * agree, so what is truncated is the layer after it, not the IP packet.
 */
static inline void pkt_cut(struct pkt *p, __u32 len)
{
	__u8 *ip = p->d + p->l3;

	p->len = len;
	if ((ip[0] >> 4) == 4 && len >= p->l3 + (ip[0] & 0xf) * 4u && (ip[0] & 0xf) >= 5) {
		put16(ip + 2, len - p->l3);
		put16(ip + 10, 0);
		put16(ip + 10, ip_csum(ip, (ip[0] & 0xf) * 4));
	} else if ((ip[0] >> 4) == 6 && len >= p->l3 + 40) {
		put16(ip + 4, len - p->l3 - 40);
	}
}

/* The flow cache key the datapath builds for this packet. */
static inline void pkt_key(const struct pkt_spec *s, struct sfc_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = s->family;
	inet_pton(s->family == 4 ? AF_INET : AF_INET6, s->src, k->src);
	inet_pton(s->family == 4 ? AF_INET : AF_INET6, s->dst, k->dst);
	k->proto = s->proto;
	k->vlan = s->vlan & 0x0fff;
	if (pkt_later_frag(s))
		return;
	switch (s->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		k->sport = htons(s->sport);
		k->dport = htons(s->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (pkt_echo(s))
			k->sport = htons(s->sport);
		else
			k->dport = htons(s->icmp_type << 8 | s->icmp_code);
		break;
	}
}

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

static inline int flow_get(const struct pkt_spec *s, struct sfc_flow *f)
{
	struct sfc_flow_key k;

	pkt_key(s, &k);
	if (bpf_map_lookup_elem(dp->maps.flows, &k, f))
		return -errno;
	return 0;
}

static inline void flow_del(const struct pkt_spec *s)
{
	struct sfc_flow_key k;

	pkt_key(s, &k);
	bpf_map_delete_elem(dp->maps.flows, &k);
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

/* Entries in the flow cache. */
static inline long flow_count(void)
{
	struct sfc_flow_key k, next, *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(dp->maps.flows, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
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

#endif
