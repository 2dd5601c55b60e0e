// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Health probes: every SF whose health is "probe" is sent an ICMP echo
 * request or a TCP SYN from the fabric, out of its dev, every interval.
 * An SF that leaves probe-fail probes in a row unanswered (or refuses a
 * TCP probe) is down: its datapath entry loses SFC_SF_UP (sfc_sf_value
 * asks dp->sf_failing), so the datapath moves its flows to the other
 * instances of their hops and gives it no new ones; probe-recover
 * answers in a row bring it back. A change is logged and rewrites the SF's
 * entry through the link update path (sfcd_monitor_touch), as if its
 * link had gone down or come up.
 *
 * The probes leave from SFC_PROBE_MAC and the address probe-from, and
 * sfcd answers ARP and neighbour solicitations for that address on the
 * SF's interfaces; the datapath hands the SF's answers, which are
 * addressed to SFC_PROBE_MAC, to the stack (bpf/sff.h, sfc_adopt), where
 * packet sockets of sfcd's read them. The sockets are bound to ARP, IPv4
 * or IPv6 on the SF's interfaces only: they see what the stack receives
 * there (after the datapath, so no chained packet), never what is sent,
 * and a socket filter keeps only frames to SFC_PROBE_MAC or to a group.
 *
 * A probe starts "pending" (up); one whose SF the datapath already has
 * down when sfcd starts (a restart while it was failing) starts down.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "path_pool.h"
#include "probe_pkt.h"
#include "record.h"
#include "sfcd.h"

#define PROBE_TICK_MS 50
#define PROBE_MAX_FDS 4  /* two interfaces, ARP and IPv4 on each */
/* frames read per wakeup of one socket: a broadcast storm on an SF's
 * link must not hold the event loop (the rest waits for the next one) */
#define PROBE_READ_BUDGET 64

enum { ST_PENDING, ST_UP, ST_DOWN };
static const char *const st_names[] = { "pending", "up", "down" };

static const __u8 probe_mac[6] = SFC_PROBE_MAC;

struct probe {
	char name[SFC_NAME_LEN];
	char dev[IFNAMSIZ], ret_dev[IFNAMSIZ];
	struct sfc_probe_cfg cfg;
	bool has_mac;                 /* the SF's MAC is configured */
	__u8 sf_mac[6];
	char what[96];                /* "icmp 198.18.3.1", for the log */

	int ifindex[2];               /* dev, ret_dev (0: the same) when opened */
	int fd[PROBE_MAX_FDS], nfd;
	struct sfc_probe_ends ends;   /* src: probe-from, dst: the address */
	bool mac_known;

	int state;
	double since;                 /* wall clock of the last change */
	unsigned int fails, oks;      /* in a row */
	unsigned long sent, answered;
	bool waiting, resolving;      /* a round is open; it waits for the MAC */
	__u16 id, seq, sport;
	__u32 iss;
	__u64 next_ms;
	const char *why;              /* the last failure */
};

struct sfcd_probes {
	struct probe *p;
	int n;
	int timer_fd;
	bool armed;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct probe *find(struct sfcd_probes *ps, const char *name)
{
	for (int i = 0; ps && i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

static bool failing(void *ctx, const char *name)
{
	struct probe *p = find(ctx, name);

	return p && p->state == ST_DOWN;
}

static void close_fds(struct sfcd *d, struct probe *p)
{
	for (int i = 0; i < p->nfd; i++) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, p->fd[i], NULL);
		close(p->fd[i]);
	}
	p->nfd = 0;
	p->ifindex[0] = p->ifindex[1] = 0;
}

/* Frames to SFC_PROBE_MAC, or to a group (ARP requests, solicitations). */
static int attach_filter(int fd)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 4, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 (__u32)probe_mac[0] << 24 | probe_mac[1] << 16 | probe_mac[2] << 8 |
			 probe_mac[3], 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)probe_mac[4] << 8 | probe_mac[5], 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static int open_one(struct sfcd *d, struct probe *p, int ifindex, __u16 proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto),
				   .sll_ifindex = ifindex };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(proto));

	if (fd < 0)
		return -errno;
	if (attach_filter(fd) || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int err = -errno;

		close(fd);
		return err;
	}
	ev.data.fd = fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	p->fd[p->nfd++] = fd;
	return 0;
}

/* The sockets on the SF's interfaces as they are now: 0, or -errno. */
static int ensure_fds(struct sfcd *d, struct probe *p)
{
	int out = if_nametoindex(p->dev);
	int ret = p->ret_dev[0] ? (int)if_nametoindex(p->ret_dev) : 0;
	int err = 0;

	if (out && p->nfd && out == p->ifindex[0] && ret == p->ifindex[1])
		return 0;
	close_fds(d, p);
	if (!out || (p->ret_dev[0] && !ret))
		return -ENODEV;
	for (int k = 0; k < 2 && !err; k++) {
		int ix = k ? ret : out;

		if (!ix)
			continue;
		if (p->cfg.family == 4) {
			err = open_one(d, p, ix, ETH_P_ARP);
			if (!err)
				err = open_one(d, p, ix, ETH_P_IP);
		} else {
			err = open_one(d, p, ix, ETH_P_IPV6);
		}
	}
	if (err) {
		close_fds(d, p);
		return err;
	}
	p->ifindex[0] = out;
	p->ifindex[1] = ret;
	return 0;
}

/* Send frame out of fd's interface. */
static int send_on(int fd, const __u8 *frame, size_t len)
{
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);

	if (getsockname(fd, (struct sockaddr *)&sll, &sl))
		return -errno;
	/* the frame's own type (the socket may be bound to ARP's) */
	memcpy(&sll.sll_protocol, frame + 12, 2);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

static void set_state(struct sfcd *d, struct probe *p, int st)
{
	bool was_down = p->state == ST_DOWN;

	p->state = st;
	p->since = wall_now();
	if (st == ST_DOWN)
		pr_warn("SF %s: probe %s failed %u times in a row (%s): down, its flows "
			"move to the other instances of their hops\n", p->name, p->what, p->fails,
			p->why ? p->why : "no answer");
	else
		pr_info("SF %s: probe %s answered %u time%s in a row: up\n", p->name, p->what,
			p->oks, p->oks == 1 ? "" : "s");
	if (was_down != (st == ST_DOWN))
		sfcd_monitor_touch(d, p->dev);
}

static void result(struct sfcd *d, struct probe *p, bool ok, const char *why)
{
	p->waiting = p->resolving = false;
	if (ok) {
		p->answered++;
		p->oks++;
		p->fails = 0;
		if (p->state == ST_PENDING ||
		    (p->state == ST_DOWN && p->oks >= sfc_probe_recover(&p->cfg)))
			set_state(d, p, ST_UP);
		return;
	}
	p->fails++;
	p->oks = 0;
	p->why = why;
	/* the SF may have a new MAC: ask again */
	if (!p->has_mac)
		p->mac_known = false;
	pr_debug("SF %s: probe %s: %s (%u in a row)\n", p->name, p->what, why, p->fails);
	if (p->state != ST_DOWN && p->fails >= sfc_probe_fail(&p->cfg))
		set_state(d, p, ST_DOWN);
}

/* The probe itself, to the SF's MAC. */
static void send_probe(struct probe *p)
{
	__u8 frame[SFC_PROBE_FRAME_MAX];
	size_t len;

	if (p->cfg.type == SFC_PROBE_ICMP) {
		len = sfc_probe_echo(frame, &p->ends, p->id, ++p->seq);
	} else {
		p->sport = 32768 + (__u16)(random() % 28000);
		p->iss = (__u32)random();
		len = sfc_probe_tcp(frame, &p->ends, p->sport, p->cfg.port, p->iss, 0, 0x02);
	}
	if (!send_on(p->fd[0], frame, len))
		p->sent++;
}

static void start_round(struct sfcd *d, struct probe *p)
{
	__u8 frame[SFC_PROBE_FRAME_MAX];
	int err = ensure_fds(d, p);

	p->waiting = true;
	if (err) {
		/* no interface to send on: the round fails at its end */
		p->why = "interface missing";
		return;
	}
	if (p->mac_known) {
		send_probe(p);
		return;
	}
	p->resolving = true;
	send_on(p->fd[0], frame, sfc_probe_solicit(frame, &p->ends));
}

static size_t alen(const struct probe *p)
{
	return p->cfg.family == 4 ? 4 : 16;
}

static void answer_solicit(struct probe *p, int fd, const struct sfc_probe_rx *rx)
{
	struct sfc_probe_ends to = p->ends;
	__u8 frame[SFC_PROBE_FRAME_MAX], zero[16] = {};

	/* a duplicate address check asks from no address: it is told
	 * nothing (an SF choosing the probe's address is misconfigured) */
	if (!memcmp(rx->src, zero, alen(p)))
		return;
	memcpy(to.dst, rx->src, 16);
	memcpy(to.dst_mac, rx->mac, 6);
	send_on(fd, frame, sfc_probe_advert(frame, &to));
}

static void receive(struct sfcd *d, struct probe *p, int fd)
{
	__u8 buf[2048];
	struct sfc_probe_rx rx;
	int budget = PROBE_READ_BUDGET;
	ssize_t n;

	while (budget-- > 0 && (n = recv(fd, buf, sizeof(buf), MSG_TRUNC)) > 0) {
		if ((size_t)n > sizeof(buf) || sfc_probe_frame_parse(buf, n, &rx) ||
		    rx.family != p->cfg.family)
			continue;
		switch (rx.kind) {
		case SFC_PROBE_RX_SOLICIT:
			if (!memcmp(rx.target, p->ends.src, alen(p)))
				answer_solicit(p, fd, &rx);
			break;
		case SFC_PROBE_RX_ADVERT:
			if (p->has_mac || memcmp(rx.target, p->ends.dst, alen(p)))
				break;
			memcpy(p->ends.dst_mac, rx.target_mac, 6);
			p->mac_known = true;
			if (p->resolving) {
				p->resolving = false;
				send_probe(p);
			}
			break;
		case SFC_PROBE_RX_ECHO_REPLY:
			if (p->cfg.type == SFC_PROBE_ICMP && p->waiting && !p->resolving &&
			    rx.id == p->id && rx.seq == p->seq &&
			    !memcmp(rx.src, p->ends.dst, alen(p)) &&
			    !memcmp(rx.dst, p->ends.src, alen(p)))
				result(d, p, true, NULL);
			break;
		case SFC_PROBE_RX_TCP:
			if (p->cfg.type != SFC_PROBE_TCP || !p->waiting || p->resolving ||
			    rx.sport != p->cfg.port || rx.dport != p->sport ||
			    memcmp(rx.src, p->ends.dst, alen(p)) ||
			    memcmp(rx.dst, p->ends.src, alen(p)))
				break;
			if ((rx.tcp_flags & 0x12) == 0x12 && rx.tcp_ack == p->iss + 1) {
				__u8 frame[SFC_PROBE_FRAME_MAX];

				/* the SF keeps no half-open connection of ours */
				send_on(fd, frame, sfc_probe_tcp(frame, &p->ends, p->sport,
								 p->cfg.port, p->iss + 1, 0, 0x04));
				result(d, p, true, NULL);
			} else if (rx.tcp_flags & 0x04) {
				result(d, p, false, "connection refused");
			}
			break;
		}
	}
}

static void tick(struct sfcd *d)
{
	struct sfcd_probes *ps = d->probes;
	__u64 now = sfc_now_ms();

	for (int i = 0; i < ps->n; i++) {
		struct probe *p = &ps->p[i];

		if (now < p->next_ms)
			continue;
		if (p->waiting)
			result(d, p, false, p->why && !p->nfd ? p->why :
			       p->resolving ? "address not resolved" : "no answer");
		p->next_ms = now + sfc_probe_interval(&p->cfg);
		start_round(d, p);
	}
}

static void arm(struct sfcd_probes *ps)
{
	struct itimerspec its = {};
	bool on = ps->n > 0;

	if (on == ps->armed)
		return;
	if (on) {
		its.it_interval.tv_nsec = PROBE_TICK_MS * 1000000L;
		its.it_value.tv_nsec = PROBE_TICK_MS * 1000000L;
	}
	timerfd_settime(ps->timer_fd, 0, &its, NULL);
	ps->armed = on;
}

/* Is SF name down in the datapath now (a restart while it failed)? */
static bool down_in_datapath(struct sfcd *d, const char *name, sfc_id_name *names)
{
	for (__u32 id = 1; names && id < SFC_MAX_SFS; id++) {
		struct sfc_sf v;

		if (strcmp(names[id], name))
			continue;
		return !bpf_map_lookup_elem(d->dp->maps.sfs, &id, &v) && v.ifindex &&
		       !(v.flags & SFC_SF_UP);
	}
	return false;
}

static void init_probe(struct sfcd *d, struct probe *p, const struct sfc_sf_cfg *sf,
		       sfc_id_name **names, bool *names_read)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", sf->name);
	snprintf(p->dev, sizeof(p->dev), "%s", sf->dev);
	snprintf(p->ret_dev, sizeof(p->ret_dev), "%s", sf->out_dev);
	p->cfg = sf->probe;
	p->has_mac = sf->has_mac;
	memcpy(p->sf_mac, sf->mac, 6);
	sfc_probe_format(&p->cfg, p->what, sizeof(p->what));
	p->ends.family = p->cfg.family;
	memcpy(p->ends.src_mac, probe_mac, 6);
	memcpy(p->ends.dst, p->cfg.addr, 16);
	if (p->cfg.has_from)
		memcpy(p->ends.src, p->cfg.from, 16);
	else
		sfc_probe_link_local(probe_mac, p->ends.src);
	if (p->has_mac) {
		memcpy(p->ends.dst_mac, p->sf_mac, 6);
		p->mac_known = true;
	}
	p->id = (__u16)random();
	p->since = wall_now();
	if (!*names_read) {
		*names = sfc_record_sf_names(d->dp);
		*names_read = true;
	}
	p->state = down_in_datapath(d, sf->name, *names) ? ST_DOWN : ST_PENDING;
	if (p->state == ST_DOWN)
		pr_info("SF %s: down in the datapath: probe %s must answer %u times to bring "
			"it up\n", p->name, p->what, sfc_probe_recover(&p->cfg));
}

/* Does the probe still stand for sf as it is configured? */
static bool same_probe(const struct probe *p, const struct sfc_sf_cfg *sf)
{
	return sfc_probe_eq(&p->cfg, &sf->probe) && !strcmp(p->dev, sf->dev) &&
	       !strcmp(p->ret_dev, sf->out_dev) && p->has_mac == sf->has_mac &&
	       (!p->has_mac || !memcmp(p->sf_mac, sf->mac, 6));
}

void sfcd_probe_sync(struct sfcd *d)
{
	struct sfcd_probes *ps = d->probes;
	struct probe *np;
	sfc_id_name *names = NULL;
	bool names_read = false;
	int n = 0;

	if (!ps)
		return;
	np = calloc(d->doc.nsfs + 1, sizeof(*np));
	if (!np) {
		pr_warn("health probes: out of memory; probes left as they were\n");
		return;
	}
	for (int i = 0; i < d->doc.nsfs; i++) {
		const struct sfc_sf_cfg *sf = &d->doc.sfs[i];
		struct probe *old;

		if (sf->health != SFC_HEALTH_PROBE || sf->probe.type == SFC_PROBE_OFF)
			continue;
		old = find(ps, sf->name);
		if (old && same_probe(old, sf)) {
			np[n++] = *old;
			old->name[0] = '\0';  /* moved: its sockets stay */
			continue;
		}
		init_probe(d, &np[n++], sf, &names, &names_read);
	}
	/* the probes that went (or changed) close; an SF they held down is
	 * written again, now up unless its new probe says otherwise */
	for (int i = 0; i < ps->n; i++) {
		struct probe *p = &ps->p[i];

		if (!p->name[0])
			continue;
		close_fds(d, p);
		if (p->state == ST_DOWN && !failing(&(struct sfcd_probes){ .p = np, .n = n },
						     p->name))
			sfcd_monitor_touch(d, p->dev);
	}
	free(names);
	free(ps->p);
	ps->p = np;
	ps->n = n;
	arm(ps);
}

int sfcd_probe_open(struct sfcd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sfcd_probes *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return -ENOMEM;
	ps->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ps->timer_fd < 0) {
		int err = -errno;

		free(ps);
		return err;
	}
	ev.data.fd = ps->timer_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, ps->timer_fd, &ev);
	srandom((unsigned)(time(NULL) ^ getpid()));
	d->probes = ps;
	d->dp->sf_failing = failing;
	d->dp->sf_failing_ctx = ps;
	return 0;
}

void sfcd_probe_close(struct sfcd *d)
{
	struct sfcd_probes *ps = d->probes;

	if (!ps)
		return;
	for (int i = 0; i < ps->n; i++)
		close_fds(d, &ps->p[i]);
	close(ps->timer_fd);
	free(ps->p);
	free(ps);
	d->probes = NULL;
	if (d->dp)
		d->dp->sf_failing = NULL;
}

bool sfcd_probe_owns(struct sfcd *d, int fd)
{
	struct sfcd_probes *ps = d->probes;

	if (!ps)
		return false;
	if (fd == ps->timer_fd)
		return true;
	for (int i = 0; i < ps->n; i++)
		for (int k = 0; k < ps->p[i].nfd; k++)
			if (ps->p[i].fd[k] == fd)
				return true;
	return false;
}

void sfcd_probe_event(struct sfcd *d, int fd)
{
	struct sfcd_probes *ps = d->probes;
	__u64 ticks;

	if (fd == ps->timer_fd) {
		if (read(fd, &ticks, sizeof(ticks)) > 0)
			tick(d);
		return;
	}
	for (int i = 0; i < ps->n; i++)
		for (int k = 0; k < ps->p[i].nfd; k++)
			if (ps->p[i].fd[k] == fd) {
				receive(d, &ps->p[i], fd);
				return;
			}
}

json_t *sfcd_probe_json(struct sfcd *d, const char *name)
{
	struct probe *p = find(d->probes, name);

	if (!p)
		return NULL;
	return json_pack("{s:s,s:s,s:f,s:I,s:I,s:i}", "state", st_names[p->state],
			 "probe", p->what, "since", p->since, "sent", (json_int_t)p->sent,
			 "answered", (json_int_t)p->answered, "fails", (int)p->fails);
}

void sfcd_probe_count(struct sfcd *d, unsigned int counts[3])
{
	struct sfcd_probes *ps = d->probes;

	counts[0] = counts[1] = counts[2] = 0;
	for (int i = 0; ps && i < ps->n; i++)
		counts[ps->p[i].state]++;
}
