// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtnetlink events. A change to a link the document names (it appears,
 * goes down or up, comes back with a new ifindex, vanishes) or to a link
 * the datapath uses is applied incrementally: only the objects naming
 * that interface are rewritten (link_update.h). An overrun (ENOBUFS)
 * means events were lost: reconcile from scratch rather than trust a
 * partial view; so does a link update that fails, or an attached
 * interface renamed away from the name the document gives it.
 *
 * Events are read in the event loop and at the yield points of long
 * requests (sfcd_monitor_yield) and applied against the document the
 * maps hold: d->doc, or a commit's new document from the moment it is in
 * the maps (while it is saved). While an apply writes the maps, each one
 * is applied at once against the document being written (apply_live.c)
 * and stays queued, to run again as an ordinary link update once the
 * apply is done (nothing to do then, unless the apply could not take it:
 * a new or vanished ifindex). While an apply that failed halfway is
 * rolled back (links_held) they only wait in the queue.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "link_update.h"
#include "log.h"
#include "sfcd.h"

int sfcd_monitor_open(struct sfcd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int rcvbuf = 4 << 20;

	d->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!d->nl)
		return -errno;
	/* links only: neighbour and address changes (every ARP entry that
	 * ages on a busy host) would wake sfcd for nothing, and fill the
	 * buffer towards an overrun, which costs a full reconcile */
	if (mnl_socket_bind(d->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(d->nl);
		d->nl = NULL;
		return err;
	}
	setsockopt(mnl_socket_get_fd(d->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	d->nl_fd = mnl_socket_get_fd(d->nl);
	ev.data.fd = d->nl_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->nl_fd, &ev);
	return 0;
}

void sfcd_monitor_close(struct sfcd *d)
{
	if (d->nl)
		mnl_socket_close(d->nl);
	d->nl = NULL;
}

struct link_ev {
	const char *name;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct link_ev *le = data;

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == IFLA_IFNAME &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
		le->name = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* Hold dev's event for the queue run; a full queue means reconcile. */
static void queue_event(struct sfcd *d, const char *dev, __u32 gone_ifindex)
{
	struct sfcd_link_event *q;

	for (int i = 0; i < d->nlink_queue; i++) {
		q = &d->link_queue[i];
		if (strcmp(q->dev, dev))
			continue;
		q->early = false;	/* changed again: look again */
		if (!gone_ifindex || q->gone_ifindex == gone_ifindex)
			return;
		if (!q->gone_ifindex) {
			q->gone_ifindex = gone_ifindex;
			return;
		}
	}
	if (d->nlink_queue == SFCD_LINK_QUEUE) {
		pr_info("more than %d link events at once: reconciling everything\n",
			SFCD_LINK_QUEUE);
		d->reconcile_pending = true;
		d->nlink_queue = 0;
		return;
	}
	q = &d->link_queue[d->nlink_queue++];
	snprintf(q->dev, sizeof(q->dev), "%s", dev);
	q->gone_ifindex = gone_ifindex;
	q->early = false;
}

/* Does the document name this interface, or the datapath use it? */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sfcd *d = data;
	struct ifinfomsg *ifm;
	struct link_ev le = {};
	__u32 ifindex;
	struct sfc_iface v;
	bool named, used, gone;

	d->nl_events++;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	ifm = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, &le);
	ifindex = ifm->ifi_index;
	gone = nlh->nlmsg_type == RTM_DELLINK;
	named = le.name && (d->links ? sfc_link_index_names(d->links, le.name) :
			    sfc_doc_names_dev(&d->doc, le.name));
	/* an interface only the document being applied names */
	named = named || (le.name && sfc_apply_names(le.name));
	used = !bpf_map_lookup_elem(d->dp->maps.ifaces, &ifindex, &v);
	if (!named && !used)
		return MNL_CB_OK;
	pr_debug("link %s (%u) %s\n", le.name ? le.name : "?", ifindex, gone ? "deleted" : "changed");
	if (!d->links || !le.name || (!named && !gone)) {
		/* no index, or one of ours renamed: only a full pass knows */
		d->reconcile_pending = true;
		return MNL_CB_OK;
	}
	queue_event(d, le.name, gone ? ifindex : 0);
	return MNL_CB_OK;
}

/* While an apply writes the maps: each new event against its document,
 * all of them kept for after it (apply_live.c). */
static void run_early(struct sfcd *d)
{
	struct sfc_link_result res;

	for (int i = 0; i < d->nlink_queue; i++) {
		struct sfcd_link_event *q = &d->link_queue[i];
		int err;

		if (q->early)
			continue;
		q->early = true;
		err = sfc_apply_link_event(q->dev, q->gone_ifindex, &res);
		if (err == -EAGAIN)
			continue;
		if (err) {
			pr_warn("link %s: update during the apply failed (%s): "
				"again after it\n", q->dev, strerror(-err));
			continue;
		}
		d->link_updates_early++;
		if (res.sfs_rewritten)
			pr_info("link %s during the apply: %d SFs and %d chains rewritten\n",
				q->dev, res.sfs_rewritten, res.chains_switched);
	}
}

/* Apply the queued link events to the datapath, unless a commit holds them. */
static void run_queue(struct sfcd *d)
{
	struct sfc_link_result res;

	if (d->links_held)
		return;
	if (sfc_apply_writing()) {
		run_early(d);
		return;
	}
	if (d->reconcile_pending || !d->links) {
		d->nlink_queue = 0;
		return;
	}
	for (int i = 0; i < d->nlink_queue; i++) {
		const struct sfcd_link_event *q = &d->link_queue[i];
		int err = sfc_link_update(d->dp, d->links_doc, d->links, q->dev, q->gone_ifindex,
					  &res);

		if (err) {
			pr_warn("link %s: incremental update failed (%s): reconciling everything\n",
				q->dev, strerror(-err));
			d->reconcile_pending = true;
			break;
		}
		d->link_updates++;
		if (res.forgotten || res.attached || res.sfs_rewritten || res.rules_installed)
			pr_info("link %s: %s%s%d SFs and %d chains rewritten%s\n", q->dev,
				res.forgotten ? "old ifindex forgotten, " : "",
				res.attached ? "attached, " : "", res.sfs_rewritten,
				res.chains_switched, res.rules_installed ? ", rules compiled again" : "");
	}
	d->nlink_queue = 0;
}

void sfcd_monitor_event(struct sfcd *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	int n;

	d->in_monitor = true;
	for (;;) {
		n = mnl_socket_recvfrom(d->nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* Lost events: the next reconcile re-reads every link. */
				d->nl_overruns++;
				d->reconcile_pending = true;
				pr_info("netlink overrun: reconciling everything\n");
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				pr_warn("netlink: %s\n", strerror(errno));
			break;
		}
		mnl_cb_run(buf, n, 0, 0, event_cb, d);
	}
	run_queue(d);
	d->in_monitor = false;
}

void sfcd_monitor_reindex(struct sfcd *d, const struct sfc_doc *doc,
			  struct sfc_link_index *links)
{
	sfc_link_index_free(d->links);
	d->links = links;
	if (!links) {
		/* link events reconcile until an apply works, and so do those
		 * that waited */
		if (d->nlink_queue)
			d->reconcile_pending = true;
		d->nlink_queue = 0;
		return;
	}
	d->links_doc = doc;
	d->in_monitor = true;
	run_queue(d);
	d->in_monitor = false;
}

void sfcd_monitor_touch(struct sfcd *d, const char *dev)
{
	if (!d->links) {
		d->reconcile_pending = true;
		return;
	}
	queue_event(d, dev, 0);
	if (d->in_monitor)
		return;
	d->in_monitor = true;
	run_queue(d);
	d->in_monitor = false;
}

void sfcd_monitor_yield(struct sfcd *d)
{
	/* not from inside a link update (rules compiled again yield too) */
	if (d->nl && !d->in_monitor)
		sfcd_monitor_event(d);
}
