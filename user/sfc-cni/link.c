// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where the pod's interface ends on our side. Inside CNI_NETNS, CNI_IFNAME
 * must be a veth whose IFLA_LINK is the ifindex of its peer in another
 * namespace; back in ours, that ifindex must be a veth pointing back at it,
 * in the pod's namespace (IFLA_LINK_NETNSID = the pod's nsid here). Only
 * then is its name the host end, which prevResult must agree with.
 * rtnetlink through libmnl only; nothing here changes a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "sfc_cni.h"

#define NL_REQ_SIZE  1024     /* our requests: a header and a few attributes */
#define NL_RECV_SIZE 32768    /* a dump part is at most 32 KiB */

struct nl_link {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[32];
	int link;              /* IFLA_LINK: the peer's ifindex, 0 = none */
	bool has_nsid;
	int link_nsid;         /* IFLA_LINK_NETNSID: the peer's netns, as seen here */
};

struct nl_req {
	struct mnl_socket *nl;
	unsigned int seq, portid;
	char kmsg[256];        /* the kernel's extended ack message */
	int error;
};

static int nl_open(struct nl_req *r)
{
	int one = 1;

	memset(r, 0, sizeof(*r));
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID)) {
		int err = -errno;

		mnl_socket_close(r->nl);
		return err;
	}
	/* best effort: older kernels just give no message */
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	return 0;
}

static void nl_close(struct nl_req *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

/* One exchange: the request's state and the caller's callback. */
struct nl_call {
	struct nl_req *r;
	mnl_cb_t cb;
	void *data;
};

static int extack_cb(const struct nlattr *a, void *data)
{
	struct nl_req *r = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		snprintf(r->kmsg, sizeof(r->kmsg), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: keep the errno and the kernel's message, if any. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_req *r = ((struct nl_call *)data)->r;
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (!err->error)
		return MNL_CB_STOP;
	r->error = err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) < nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, extack_cb, r);
	}
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_call *c = data;

	return c->cb ? c->cb(nlh, c->data) : MNL_CB_OK;
}

/* Send nlh and run cb on every reply until the answer is complete. */
static int nl_talk(struct nl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	/* with a control array, libmnl's defaults no longer apply */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb,
	};
	struct nl_call call = { .r = r, .cb = cb, .data = data };
	char buf[NL_RECV_SIZE];
	unsigned int seq = ++r->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	r->error = 0;
	r->kmsg[0] = '\0';
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, seq, r->portid, data_cb, &call, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return r->error ? r->error : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int linkinfo_cb(const struct nlattr *a, void *data)
{
	struct nl_link *l = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND && !mnl_attr_validate(a, MNL_TYPE_STRING))
		snprintf(l->kind, sizeof(l->kind), "%.*s", (int)mnl_attr_get_payload_len(a),
			 mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_link *l = data;

	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;   /* newer than our headers: skip */
	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_LINK:
		if (!mnl_attr_validate(a, MNL_TYPE_U32))
			l->link = (int)mnl_attr_get_u32(a);
		break;
	case IFLA_LINK_NETNSID:
		if (!mnl_attr_validate(a, MNL_TYPE_U32)) {
			l->has_nsid = true;
			l->link_nsid = (int)mnl_attr_get_u32(a);
		}
		break;
	case IFLA_LINKINFO:
		if (!mnl_attr_validate(a, MNL_TYPE_NESTED))
			mnl_attr_parse_nested(a, linkinfo_cb, l);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nl_link *l = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->ifindex = ifi->ifi_index;
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, l);
}

/* RTM_GETLINK by name (ifindex 0) or by ifindex, in the current netns. */
static int nl_get_link(struct nl_req *r, const char *name, int ifindex, struct nl_link *l)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_talk(r, nlh, link_cb, l);
}

static int nsid_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NETNSA_NSID && !mnl_attr_validate(a, MNL_TYPE_U32))
		*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr_cb, data);
}

/* The id the current netns gives the netns open as fd (-1: none). */
static int nl_get_nsid(struct nl_req *r, int fd, int *nsid)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	*nsid = -1;
	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, fd);
	return nl_talk(r, nlh, nsid_cb, nsid);
}

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
		    struct nl_link *pl, struct cni_error *e)
{
	struct nl_req r;
	int err;

	if (setns(pod_fd, CLONE_NEWNET))
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "entering %s: %s", netns, strerror(errno));
	err = nl_open(&r);
	if (!err) {
		err = nl_get_link(&r, ifname, 0, pl);
		nl_close(&r);
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
				ifname, strerror(-err), r.kmsg[0] ? ": " : "", r.kmsg);
	return 0;
}

int find_host_end(const char *netns, const char *ifname, struct host_end *h,
		  struct cni_error *e)
{
	struct nl_link pl, hl;
	int self_fd, pod_fd, nsid, ret = -1, err;
	struct nl_req r = {};

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
	if (pl.link <= 0 || !pl.has_nsid) {
		link_fail(e, "%s in the pod is a veth whose peer %s", ifname,
			  pl.link <= 0 ? "is gone" : "is in the pod too");
		goto close_self;
	}

	err = nl_open(&r);
	if (!err)
		err = nl_get_link(&r, NULL, pl.link, &hl);
	if (err == -ENODEV) {
		char idx[16];

		snprintf(idx, sizeof(idx), "%d", pl.link);
		link_fail(e, "the peer of %s (ifindex %s) is not in the plugin's network namespace",
			  ifname, idx);
		goto close_nl;
	}
	if (!err)
		err = nl_get_nsid(&r, pod_fd, &nsid);
	if (err) {
		cni_fail(e, SFC_CNI_ERR_INTERNAL, "rtnetlink: %s%s%s", strerror(-err),
			 r.kmsg[0] ? ": " : "", r.kmsg);
		goto close_nl;
	}
	/* An ifindex is only unique within a netns: the link found here must
	 * point back at ifname, in the pod's netns. */
	if (strcmp(hl.kind, "veth") || hl.link != pl.ifindex || !hl.has_nsid ||
	    hl.link_nsid != nsid) {
		link_fail(e, "%s here is not the peer of %s in the pod", hl.name, ifname);
		goto close_nl;
	}
	snprintf(h->name, sizeof(h->name), "%s", hl.name);
	h->ifindex = hl.ifindex;
	h->pod_ifindex = pl.ifindex;
	ret = 0;
close_nl:
	nl_close(&r);
close_self:
	close(self_fd);
close_pod:
	close(pod_fd);
	return ret;
}

/*
 * prevResult lists the host end as an interface without "sandbox" (bridge
 * and ptp do). If it lists host interfaces and none is ours, the kernel and
 * the previous plugin disagree: refuse rather than attach the wrong one.
 */
int check_prev_result(json_t *prev, const struct host_end *h, const char *ifname,
		      struct cni_error *e)
{
	json_t *ifs = json_object_get(prev, "interfaces"), *i;
	char names[256] = "";
	size_t idx, off = 0;
	bool any = false;

	if (ifs && !json_is_array(ifs))
		return cni_fail(e, CNI_ERR_DECODE, "prevResult: \"interfaces\" must be an array");
	json_array_foreach(ifs, idx, i) {
		const char *name = json_string_value(json_object_get(i, "name"));
		const char *sb = json_string_value(json_object_get(i, "sandbox"));

		if (!name || (sb && sb[0]))
			continue;
		if (!strcmp(name, h->name))
			return 0;
		any = true;
		if (off < sizeof(names))
			off += snprintf(names + off, sizeof(names) - off, "%s%s", off ? ", " : "",
					name);
	}
	if (!any) {
		pr_warn("prevResult lists no host interface; using %s, the peer of %s\n", h->name,
			ifname);
		return 0;
	}
	cni_fail(e, SFC_CNI_ERR_LINK, "the peer of %s is %s, which prevResult does not list "
		 "(its host interfaces: %s)", ifname, h->name, names);
	return -1;
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
	struct nl_req r;
	struct tcmsg *tcm;
	int err;

	nlh->nlmsg_type = RTM_GETQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = h->ifindex;
	err = nl_open(&r);
	if (!err)
		err = nl_talk(&r, nlh, qdisc_cb, &s);
	nl_close(&r);
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
