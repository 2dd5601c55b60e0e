// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtnetlink events. Any change to a link the document names (it appears,
 * goes down, comes back with a new ifindex, vanishes) or to a link the
 * datapath uses triggers a reconcile, which re-reads the links it needs
 * and rewrites what changed. An overrun (ENOBUFS) means events were lost:
 * reconcile from scratch rather than trust a partial view.
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

#include "log.h"
#include "sfcd.h"

int sfcd_monitor_open(struct sfcd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int rcvbuf = 4 << 20;

	d->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!d->nl)
		return -errno;
	if (mnl_socket_bind(d->nl, RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
			    RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
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

/* Does the document name this interface? */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sfcd *d = data;
	struct ifinfomsg *ifm;
	struct link_ev le = {};
	__u32 ifindex;
	struct sfc_iface v;

	d->nl_events++;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	ifm = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, &le);
	ifindex = ifm->ifi_index;
	if ((le.name && sfc_doc_names_dev(&d->doc, le.name)) ||
	    !bpf_map_lookup_elem(d->dp->maps.ifaces, &ifindex, &v)) {
		pr_debug("link %s (%u) %s\n", le.name ? le.name : "?", ifindex,
			 nlh->nlmsg_type == RTM_NEWLINK ? "changed" : "deleted");
		d->reconcile_pending = true;
	}
	return MNL_CB_OK;
}

void sfcd_monitor_event(struct sfcd *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	int n;

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
}
