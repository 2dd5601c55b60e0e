// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where the pod's interface ends on our side. Inside CNI_NETNS, CNI_IFNAME
 * must be a veth whose IFLA_LINK is the ifindex of its peer in another
 * namespace; back in ours, that ifindex must be a veth pointing back at it,
 * in the pod's namespace (IFLA_LINK_NETNSID = the pod's nsid here). Only
 * then is its name the host end, which prevResult must agree with
 * (check_prev_result, conf.c).
 * rtnetlink through the common helper (nl.h); nothing here changes a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "nl.h"
#include "sfc_cni.h"
#include "text.h"

#define NL_REQ_SIZE 1024      /* our requests: a header and a few attributes */

int netns_open(const char *path, struct cni_error *e)
{
	struct stat a, b;
	int fd, type;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS=%s: %s", path, strerror(errno));
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS=%s is not a network namespace", path);
	}
	if (!fstat(fd, &a) && !stat("/proc/self/ns/net", &b) && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		close(fd);
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS=%s is the plugin's own network "
				"namespace, not the pod's", path);
	}
	return fd;
}

static int link_fail(struct cni_error *e, const char *fmt, const char *a, const char *b)
	__attribute__((format(printf, 2, 0)));
static int link_fail(struct cni_error *e, const char *fmt, const char *a, const char *b)
{
	cni_fail(e, SFC_CNI_ERR_LINK, fmt, a, b);
	cni_details(e, "sfc-cni needs a veth pair with one end in the pod and the other in "
		    "the plugin's network namespace, as the bridge and ptp plugins make; list "
		    "sfc-cni after such a plugin");
	return -1;
}

/* Look up ifname inside the pod's netns; the caller's netns is restored. */
static int pod_link(int self_fd, int pod_fd, const char *netns, const char *ifname,
		    struct sfc_link *pl, struct cni_error *e)
{
	struct sfc_nl nl = {};
	int err;

	if (setns(pod_fd, CLONE_NEWNET))
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "entering %s: %s", netns, strerror(errno));
	/* a netlink socket belongs to the netns it was opened in */
	err = sfc_nl_open(&nl);
	if (!err) {
		err = sfc_nl_link(&nl, 0, ifname, -1, pl);
		sfc_nl_close(&nl);
	}
	if (setns(self_fd, CLONE_NEWNET)) {
		/* Nothing sent from here could be trusted: the caller stops. */
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "cannot return to the plugin's network "
				"namespace: %s", strerror(errno));
	}
	if (err == -ENODEV)
		return cni_fail(e, SFC_CNI_ERR_LINK, "%s: no interface %s in the pod (CNI_IFNAME)",
				netns, ifname);
	if (err)
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "%s: reading link %s: %s%s%s", netns,
				ifname, strerror(-err), nl.kmsg[0] ? ": " : "", nl.kmsg);
	return 0;
}

int find_host_end(const char *netns, const char *ifname, struct host_end *h,
		  struct cni_error *e)
{
	struct sfc_link pl, hl;
	int self_fd, pod_fd, nsid, ret = -1, err;
	struct sfc_nl nl = {};

	memset(h, 0, sizeof(*h));
	pod_fd = netns_open(netns, e);
	if (pod_fd < 0)
		return -1;
	self_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_fd < 0) {
		cni_fail(e, SFC_CNI_ERR_INTERNAL, "/proc/self/ns/net: %s", strerror(errno));
		goto close_pod;
	}
	if (pod_link(self_fd, pod_fd, netns, ifname, &pl, e))
		goto close_self;
	if (strcmp(pl.kind, "veth")) {
		link_fail(e, "%s in the pod is %s, not a veth", ifname,
			  pl.kind[0] ? pl.kind : "a device without a kind");
		goto close_self;
	}
	if (pl.peer_ifindex <= 0 || pl.peer_nsid < 0) {
		link_fail(e, "%s in the pod is a veth whose peer %s", ifname,
			  pl.peer_ifindex <= 0 ? "is gone" : "is in the pod too");
		goto close_self;
	}

	err = sfc_nl_open(&nl);
	if (!err)
		err = sfc_nl_link(&nl, pl.peer_ifindex, NULL, -1, &hl);
	if (err == -ENODEV) {
		char idx[16];

		snprintf(idx, sizeof(idx), "%d", pl.peer_ifindex);
		link_fail(e, "the peer of %s (ifindex %s) is not in the plugin's network namespace",
			  ifname, idx);
		goto close_nl;
	}
	if (!err)
		err = sfc_nl_nsid(&nl, pod_fd, &nsid);
	if (err) {
		cni_fail(e, SFC_CNI_ERR_INTERNAL, "rtnetlink: %s%s%s", strerror(-err),
			 nl.kmsg[0] ? ": " : "", nl.kmsg);
		goto close_nl;
	}
	/* An ifindex is only unique within a netns: the link found here must
	 * point back at ifname, in the pod's netns. */
	if (strcmp(hl.kind, "veth") || hl.peer_ifindex != pl.ifindex || hl.peer_nsid < 0 ||
	    hl.peer_nsid != nsid) {
		link_fail(e, "%s here is not the peer of %s in the pod", hl.name, ifname);
		goto close_nl;
	}
	/* sfcd's API is JSON: it could not be told which interface */
	if (!sfc_utf8_valid(hl.name)) {
		link_fail(e, "the host end of %s has a name that is not valid UTF-8 (%s)", ifname,
			  hl.name);
		goto close_nl;
	}
	snprintf(h->name, sizeof(h->name), "%s", hl.name);
	h->ifindex = hl.ifindex;
	h->pod_ifindex = pl.ifindex;
	ret = 0;
close_nl:
	sfc_nl_close(&nl);
close_self:
	close(self_fd);
close_pod:
	close(pod_fd);
	return ret;
}

struct qdisc_scan {
	int ifindex;
	bool ingress;
};

static int qdisc_attr_cb(const struct nlattr *a, void *data)
{
	struct qdisc_scan *s = data;

	if (mnl_attr_get_type(a) == TCA_KIND && !mnl_attr_validate(a, MNL_TYPE_NUL_STRING) &&
	    !strcmp(mnl_attr_get_str(a), "ingress"))
		s->ingress = true;
	return MNL_CB_OK;
}

static int qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct qdisc_scan *s = data;

	if (nlh->nlmsg_type != RTM_NEWQDISC || tcm->tcm_ifindex != s->ifindex)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(*tcm), qdisc_attr_cb, s);
}

/*
 * sfcd hangs its tc programs on a clsact qdisc. The "ingress" qdisc takes
 * the same place, and the kernel keeps one of the two: the bandwidth
 * plugin adds one (with a u32 filter to an ifb) for egressRate. Say so
 * here rather than leave sfcd to fail on an attach it cannot make.
 */
int check_qdiscs(const struct host_end *h, struct cni_error *e)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct qdisc_scan s = { .ifindex = h->ifindex };
	struct sfc_nl nl = {};
	struct tcmsg *tcm;
	int err;

	nlh->nlmsg_type = RTM_GETQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = h->ifindex;
	err = sfc_nl_open(&nl);
	if (!err)
		err = sfc_nl_talk(&nl, nlh, qdisc_cb, &s);
	sfc_nl_close(&nl);
	if (err) {
		/* not worth failing ADD for: sfcd reports what it cannot do */
		pr_warn("listing the qdiscs of %s: %s\n", h->name, strerror(-err));
		return 0;
	}
	if (!s.ingress)
		return 0;
	cni_fail(e, CNI_ERR_CONFIG, "%s has an \"ingress\" qdisc, which leaves no room for the "
		 "clsact qdisc sfc needs there; is the bandwidth plugin with egressRate listed "
		 "before sfc-cni?", h->name);
	cni_details(e, "The kernel allows either an \"ingress\" or a \"clsact\" qdisc on an "
		    "interface. The bandwidth plugin adds \"ingress\" for egressRate/egressBurst "
		    "and a root tbf qdisc for ingressRate/ingressBurst. List \"bandwidth\" after "
		    "\"sfc-cni\" and give it only ingressRate/ingressBurst; egress limits on the "
		    "same interface cannot be combined with sfc.");
	return -1;
}
