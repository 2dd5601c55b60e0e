// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl: the benchmark's control-plane measurements against a running sfcd.
 *
 *	ctl apply -S SOCKET -f DOC
 *		send {"cmd":"apply","doc":DOC} on the API socket; print the
 *		time until the reply (the document is in the maps by then)
 *	ctl netlink -n NETNS -P PIN_DIR -i IF [-c COUNT]
 *		set IF (a one-arm SF's interface) down and up in turns
 *		(SIOCSIFFLAGS, what `ip link set` does), and time each change
 *		until sfcd has written the SF's new state into the pinned
 *		sfc_sfs map ("up", "down": no chain version depends on
 *		it, so that is all an up or down changes); "up_ioctl",
 *		"down_ioctl": how long the
 *		SIOCSIFFLAGS itself took (the kernel's share, before any
 *		event); "lookup_ns" calibrates: one map lookup syscall
 *
 * Each prints one JSON line.
 */
#include <getopt.h>
#include <pthread.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>

#include "bench.h"
#include "record.h"
#include "sfc_abi.h"

static int do_apply(const char *sock_path, const char *doc_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_error_t je;
	json_t *doc, *req, *rep;
	char *line, *buf = NULL;
	size_t len, cap = 0, got = 0;
	double t0, t1;
	int fd;

	doc = json_load_file(doc_path, 0, &je);
	if (!doc) {
		fprintf(stderr, "ctl: %s: %s\n", doc_path, je.text);
		return 1;
	}
	req = json_pack("{s:s,s:o}", "cmd", "apply", "doc", doc);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!line)
		return 1;
	len = strlen(line);
	line = realloc(line, len + 2);
	line[len++] = '\n';

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "ctl: %s: %s\n", sock_path, strerror(errno));
		return 1;
	}
	t0 = bench_now();
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ctl: send: %s\n", strerror(errno));
			return 1;
		}
		off += n;
	}
	for (;;) {
		ssize_t n;

		if (cap - got < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				return 1;
		}
		n = recv(fd, buf + got, cap - got - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "ctl: no reply from sfcd\n");
			return 1;
		}
		got += n;
		if (memchr(buf + got - n, '\n', n))
			break;
	}
	t1 = bench_now();
	buf[got] = '\0';
	rep = json_loads(buf, 0, &je);
	if (!rep || !json_is_true(json_object_get(rep, "ok"))) {
		fprintf(stderr, "ctl: apply failed: %.300s\n", buf);
		return 1;
	}
	printf("{\"seconds\":%.4f,\"request_bytes\":%zu,\"reply_bytes\":%zu,\"applied\":%s}\n",
	       t1 - t0, len, got,
	       json_is_true(json_object_get(rep, "applied")) ? "true" : "false");
	json_decref(rep);
	free(line);
	free(buf);
	close(fd);
	return 0;
}

static int set_up(int s, const char *ifname, int up)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		return -errno;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ioctl(s, SIOCSIFFLAGS, &ifr) ? -errno : 0;
}

static void summary(const char *name, double *v, int n, int timeouts)
{
	double p99;

	if (!n) {
		printf("\"%s\":{\"samples\":0,\"timeouts\":%d}", name, timeouts);
		return;
	}
	bench_median(v, n); /* sorts */
	p99 = v[(int)(0.99 * (n - 1) + 0.5)];
	printf("\"%s\":{\"samples\":%d,\"timeouts\":%d,\"median_ms\":%.3f,\"p99_ms\":%.3f,"
	       "\"min_ms\":%.3f,\"max_ms\":%.3f}", name, n, timeouts,
	       (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) * 1e3, p99 * 1e3,
	       v[0] * 1e3, v[n - 1] * 1e3);
}

static int pinned(const char *pin, const char *map)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin, map);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "ctl: %s: %s\n", path, strerror(errno));
	return fd;
}

/* Machine calibration: ns per bpf_map_lookup_elem syscall (median of 1000). */
static double lookup_ns(int fd, __u32 id)
{
	double v[1000];
	struct sfc_sf sf;

	for (int i = 0; i < 1000; i++) {
		double t0 = bench_now();

		bpf_map_lookup_elem(fd, &id, &sf);
		v[i] = (bench_now() - t0) * 1e9;
	}
	return bench_median(v, 1000);
}

static double realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Watches one SF's up flag while the main thread changes the link. */
struct flip_watch {
	int fd;
	__u32 id;
	int want;
	double t_real;          /* CLOCK_REALTIME when the flag was seen, or -1 */
};

static void *watch_flip(void *arg)
{
	struct flip_watch *w = arg;
	double end = bench_now() + 2.0;
	struct sfc_sf v;

	w->t_real = -1;
	while (bench_now() < end) {
		if (!bpf_map_lookup_elem(w->fd, &w->id, &v) && !!(v.flags & SFC_SF_UP) == w->want) {
			w->t_real = realtime_now();
			break;
		}
		bench_sleep(50e-6);
	}
	return NULL;
}

/* A netlink socket for link events (blocking: a thread waits on it). */
static int link_events_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Read and drop what is queued on fd. */
static void link_events_drain(int fd)
{
	char buf[16384];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Waits for the first RTM_NEWLINK of one interface (2 s at most). */
struct event_watch {
	int fd, ifindex;
	double t_real;          /* CLOCK_REALTIME when it was received, or -1 */
};

static void *watch_event(void *arg)
{
	struct event_watch *w = arg;
	double end = bench_now() + 2.0;
	char buf[16384];

	w->t_real = -1;
	while (w->t_real < 0 && bench_now() < end) {
		ssize_t n = recv(w->fd, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifm = NLMSG_DATA(h);

			if (h->nlmsg_type == RTM_NEWLINK && ifm->ifi_index == w->ifindex) {
				w->t_real = realtime_now();
				break;
			}
		}
	}
	return NULL;
}

/*
 * Each flap is timed from just before the SIOCSIFFLAGS until the SF's
 * entry has the new up flag.
 */
static int do_netlink(const char *ns, const char *pin, const char *ifname, int count)
{
	double *up = calloc(count, sizeof(double)), *down = calloc(count, sizeof(double));
	double *up_set = calloc(count, sizeof(double)), *down_set = calloc(count, sizeof(double));
	/* from the call's return (the kernel sent the event inside it) */
	double *up_ret = calloc(count, sizeof(double)), *down_ret = calloc(count, sizeof(double));
	/* from the kernel's RTM_NEWLINK (as a listener got it) to the SF's entry
	 * changing, seen by a second thread polling during the call */
	double *up_ev = calloc(count, sizeof(double)), *down_ev = calloc(count, sizeof(double));
	int nup_ev = 0, ndown_ev = 0, ev_fd;
	int nup = 0, ndown = 0, tup = 0, tdown = 0, s, err;
	int sfs_fd, ifaces_fd;
	struct sfc_iface iv;
	__u32 id, ifindex;

	sfs_fd = pinned(pin, "sfc_sfs");
	ifaces_fd = pinned(pin, "sfc_ifaces");
	if (sfs_fd < 0 || ifaces_fd < 0 || !up || !down ||
	    !up_set || !down_set || !up_ret || !down_ret || !up_ev || !down_ev)
		return 1;
	err = bench_setns(ns);
	if (err) {
		fprintf(stderr, "ctl: netns %s: %s\n", ns, strerror(-err));
		return 1;
	}
	/* the SF by its interface, not by a name in a map value */
	ifindex = if_nametoindex(ifname);
	if (!ifindex || bpf_map_lookup_elem(ifaces_fd, &ifindex, &iv) || !iv.sf_id) {
		fprintf(stderr, "ctl: %s is not an SF's return interface in %s\n", ifname, pin);
		return 1;
	}
	id = iv.sf_id;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ev_fd = link_events_open();
	if (ev_fd < 0) {
		fprintf(stderr, "ctl: rtnetlink listener: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < count; i++) {
		int want = i % 2; /* down first, then up */
		struct sfc_sf v;
		double t0, t_set, dt = -1;

		struct flip_watch w = { .fd = sfs_fd, .id = id, .want = want };
		struct event_watch ew = { .fd = ev_fd, .ifindex = ifindex };
		pthread_t th, eth;

		link_events_drain(ev_fd);        /* what came before */
		if (pthread_create(&eth, NULL, watch_event, &ew) ||
		    pthread_create(&th, NULL, watch_flip, &w)) {
			fprintf(stderr, "ctl: thread: %s\n", strerror(errno));
			return 1;
		}
		t0 = bench_now();
		err = set_up(s, ifname, want);
		if (err) {
			fprintf(stderr, "ctl: %s: %s\n", ifname, strerror(-err));
			return 1;
		}
		/* the kernel's own share: a link going down waits for RCU */
		t_set = bench_now() - t0;
		pthread_join(th, NULL);
		pthread_join(eth, NULL);
		if (ew.t_real > 0 && w.t_real > 0) {
			double d = w.t_real > ew.t_real ? w.t_real - ew.t_real : 0;

			if (want)
				up_ev[nup_ev++] = d;
			else
				down_ev[ndown_ev++] = d;
		}
		if (want)
			up_set[i / 2] = t_set;
		else
			down_set[i / 2] = t_set;
		/* Poll the maps every 100 us (light: sfcd needs the CPU more than we
		 * need the resolution), 2 s at most. */
		for (int j = 0; j < 20000 && dt < 0; j++) {
			if (dt < 0 && !bpf_map_lookup_elem(sfs_fd, &id, &v) &&
			    !!(v.flags & SFC_SF_UP) == want)
				dt = bench_now() - t0;
			if (bench_now() - t0 > 2.0)
				break;
			if (dt < 0)
				bench_sleep(100e-6);
		}
		if (dt < 0) {
			if (want)
				tup++;
			else
				tdown++;
		} else if (want) {
			up_ret[nup] = dt > t_set ? dt - t_set : 0;
			up[nup++] = dt;
		} else {
			down_ret[ndown] = dt > t_set ? dt - t_set : 0;
			down[ndown++] = dt;
		}
		/* Let sfcd finish with the event before the next one. */
		bench_sleep(0.02);
	}
	set_up(s, ifname, 1);
	close(ev_fd);
	printf("{\"lookup_ns\":%.0f,", lookup_ns(sfs_fd, id));
	summary("up", up, nup, tup);
	printf(",");
	summary("down", down, ndown, tdown);
	printf(",");
	summary("up_ioctl", up_set, count / 2, 0);
	printf(",");
	summary("down_ioctl", down_set, (count + 1) / 2, 0);
	printf(",");
	summary("up_after_call", up_ret, nup, tup);
	printf(",");
	summary("down_after_call", down_ret, ndown, tdown);
	printf(",");
	summary("up_from_event", up_ev, nup_ev, count / 2 - nup_ev);
	printf(",");
	summary("down_from_event", down_ev, ndown_ev, (count + 1) / 2 - ndown_ev);
	printf("}\n");
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: ctl apply -S SOCKET -f DOC\n"
		   "       ctl netlink -n NETNS -P PIN_DIR -i IF [-c COUNT]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "file", required_argument, NULL, 'f' },
		{ "netns", required_argument, NULL, 'n' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "dev", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *sock = NULL, *file = NULL, *ns = NULL, *pin = NULL, *dev = NULL;
	int count = 100, c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "S:f:n:P:i:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': sock = optarg; break;
		case 'f': file = optarg; break;
		case 'n': ns = optarg; break;
		case 'P': pin = optarg; break;
		case 'i': dev = optarg; break;
		case 'c': count = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!strcmp(argv[1], "apply") && sock && file)
		return do_apply(sock, file);
	if (!strcmp(argv[1], "netlink") && pin && dev && count > 0)
		return do_netlink(ns, pin, dev, count);
	usage(stderr);
	return 2;
}
