// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabric: load the benchmark's programs once and wire them into the
 * namespaces of one system under test, from a script on stdin:
 *
 *	ns NAME                  enter /run/netns/NAME for what follows
 *	xdp IF PROG              attach PROG (sink, bounce, pass, floor, fib_end)
 *	fwd FROM TO              floor: frames received on FROM leave on TO
 *	tcfwd FROM TO ingress|egress
 *	                         tc ingress of FROM redirects to TO
 *	fib FROM ORIG            fib_end: frames received on FROM are routed as
 *	                         if received on ORIG (bpf_fib_lookup), then sent
 *	pin-rx PATH              pin the sink's counters (read by traffic --rx)
 *
 * Attachments live on after this program exits (netlink-attached XDP and
 * tc filters hold their programs, the programs their maps); deleting the
 * namespaces removes everything.
 */
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

#include "bench.h"
#include "bench.skel.h"

static struct bpf_program *prog_by_name(struct bench_bpf *skel, const char *name)
{
	static const struct { const char *name; size_t off; } progs[] = {
		{ "sink", offsetof(struct bench_bpf, progs.bench_sink) },
		{ "bounce", offsetof(struct bench_bpf, progs.bench_bounce) },
		{ "pass", offsetof(struct bench_bpf, progs.bench_pass) },
		{ "floor", offsetof(struct bench_bpf, progs.bench_floor) },
		{ "fib_end", offsetof(struct bench_bpf, progs.bench_fib_end) },
	};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (!strcmp(progs[i].name, name))
			return *(struct bpf_program **)((char *)skel + progs[i].off);
	return NULL;
}

static int ifindex_of(const char *name, int line)
{
	int idx = if_nametoindex(name);

	if (!idx)
		fprintf(stderr, "fabric: line %d: no interface %s here\n", line, name);
	return idx;
}

static int tc_redirect(struct bench_bpf *skel, int from, int to, int ingress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = from, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1, .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(skel->progs.bench_tc_redirect));
	struct { __u32 ifindex, flags; } t = { to, ingress ? BPF_F_INGRESS : 0 };
	__u32 key = from;
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.bench_tc_fwd), &key, &t, BPF_ANY))
		return -errno;
	return bpf_tc_attach(&hook, &opts);
}

int main(void)
{
	char buf[512], a[64], b[64], c[256];
	struct bench_bpf *skel;
	int lineno = 0, err;

	skel = bench_bpf__open();
	if (!skel) {
		fprintf(stderr, "fabric: opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(skel->progs.bench_gen, false);
	err = bench_bpf__load(skel);
	if (err) {
		fprintf(stderr, "fabric: loading the BPF object: %s\n", strerror(-err));
		return 1;
	}
	while (fgets(buf, sizeof(buf), stdin)) {
		int n, from, to;

		lineno++;
		buf[strcspn(buf, "#\n")] = '\0';
		n = sscanf(buf, "%63s %63s %255s", a, b, c);
		if (n <= 0)
			continue;
		err = 0;
		if (!strcmp(a, "ns") && n == 2) {
			err = bench_setns(b);
		} else if (!strcmp(a, "xdp") && n == 3) {
			struct bpf_program *p = prog_by_name(skel, c);

			if (!p) {
				fprintf(stderr, "fabric: line %d: no program %s\n", lineno, c);
				return 1;
			}
			if (!(from = ifindex_of(b, lineno)))
				return 1;
			err = bpf_xdp_attach(from, bpf_program__fd(p), XDP_FLAGS_DRV_MODE, NULL);
		} else if (!strcmp(a, "fwd") && n == 3) {
			if (!(from = ifindex_of(b, lineno)) || !(to = ifindex_of(c, lineno)))
				return 1;
			if (bpf_map_update_elem(bpf_map__fd(skel->maps.bench_fwd), &from, &to,
						BPF_ANY))
				err = -errno;
		} else if (!strcmp(a, "fib") && n == 3) {
			if (!(from = ifindex_of(b, lineno)) || !(to = ifindex_of(c, lineno)))
				return 1;
			if (bpf_map_update_elem(bpf_map__fd(skel->maps.bench_fib_in), &from, &to,
						BPF_ANY))
				err = -errno;
		} else if (!strcmp(a, "tcfwd") && n == 3) {
			char to_if[64], dir[64];

			if (sscanf(buf, "%*s %*s %63s %63s", to_if, dir) != 2 ||
			    (strcmp(dir, "ingress") && strcmp(dir, "egress"))) {
				fprintf(stderr, "fabric: line %d: tcfwd FROM TO ingress|egress\n",
					lineno);
				return 1;
			}
			if (!(from = ifindex_of(b, lineno)) || !(to = ifindex_of(to_if, lineno)))
				return 1;
			err = tc_redirect(skel, from, to, !strcmp(dir, "ingress"));
		} else if (!strcmp(a, "pin-rx") && n == 2) {
			err = bpf_map__pin(skel->maps.bench_rx, b);
		} else {
			fprintf(stderr, "fabric: line %d: cannot parse \"%s\"\n", lineno, buf);
			return 1;
		}
		if (err) {
			fprintf(stderr, "fabric: line %d: \"%s\": %s\n", lineno, buf, strerror(-err));
			return 1;
		}
	}
	bench_bpf__destroy(skel);
	return 0;
}
