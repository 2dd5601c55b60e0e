// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nl.h"

#define NL_REQ_SIZE  1024     /* our requests: a header and a few attributes */
#define NL_RECV_SIZE 32768    /* a dump part is at most 32 KiB */

int sfc_nl_open(struct sfc_nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	/* Ask for the kernel's reason along with an error code, without the
	 * request echoed back. Best effort: older kernels just give no message. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void sfc_nl_close(struct sfc_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* One exchange: the socket's state, the kernel's errno, the caller's callback. */
struct nl_call {
	struct sfc_nl *nl;
	int error;
	mnl_cb_t cb;
	void *data;
};

static int extack_cb(const struct nlattr *a, void *data)
{
	struct sfc_nl *nl = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		snprintf(nl->kmsg, sizeof(nl->kmsg), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ack (0) ends the exchange; an error keeps its errno and
 * the kernel's message, if any. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_call *c = data;
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (!err->error)
		return MNL_CB_STOP;
	c->error = err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) < nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, extack_cb, c->nl);
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

int sfc_nl_talk(struct sfc_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	/* with a control array, libmnl's defaults no longer apply */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb,
	};
	struct nl_call call = { .nl = nl, .cb = cb, .data = data };
	char buf[NL_RECV_SIZE];
	unsigned int seq = ++nl->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	nl->kmsg[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, seq, nl->portid, data_cb, &call, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return call.error ? call.error : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct sfc_link *l = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
		snprintf(l->kind, sizeof(l->kind), "%.*s", (int)mnl_attr_get_payload_len(attr),
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int xdp_cb(const struct nlattr *attr, void *data)
{
	struct sfc_link *l = data;

	if (mnl_attr_get_type(attr) == IFLA_XDP_PROG_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		l->xdp_prog_id = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct sfc_link *l = data;
	int type = mnl_attr_get_type(attr);

	/* Skip attributes newer than our headers. */
	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == 6)
			memcpy(l->mac, mnl_attr_get_payload(attr), 6);
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			l->peer_ifindex = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			l->peer_nsid = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, linkinfo_cb, l);
		break;
	case IFLA_XDP:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, xdp_cb, l);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sfc_link *l = data;
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->ifindex = ifm->ifi_index;
	l->up = (ifm->ifi_flags & IFF_UP) && (ifm->ifi_flags & IFF_LOWER_UP);
	return mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, l);
}

int sfc_nl_link(struct sfc_nl *nl, int ifindex, const char *name, int nsid,
		struct sfc_link *out)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	memset(out, 0, sizeof(*out));
	out->peer_nsid = -1;
	nlh->nlmsg_type = RTM_GETLINK;
	/* The ack ends the exchange after the one RTM_NEWLINK reply. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (!ifindex && name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, nsid);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return sfc_nl_talk(nl, nlh, link_cb, out);
}

/*
 * One socket for every call, opened on first use: a link event asks for
 * a few links, and a socket and its bind each time cost more than the
 * question. After an error it is opened afresh, so a reply left over from
 * an exchange that failed half-way can never answer the next one, and so
 * it is when the thread is in another network namespace than the socket.
 * (Our programs are single-threaded.)
 */
int sfc_nl_get_link(int ifindex, int nsid, struct sfc_link *out)
{
	static struct sfc_nl nl;
	static ino_t nl_netns;
	struct stat st;
	int err = 0;

	/* a netlink socket answers for the netns it was opened in */
	if (stat("/proc/thread-self/ns/net", &st))
		st.st_ino = 0;
	if (nl.sock && st.st_ino != nl_netns)
		sfc_nl_close(&nl);
	if (!nl.sock) {
		err = sfc_nl_open(&nl);
		nl_netns = st.st_ino;
	}
	if (err) {
		memset(out, 0, sizeof(*out));
		out->peer_nsid = -1;
		return err;
	}
	nl.kmsg[0] = '\0';
	err = sfc_nl_link(&nl, ifindex, NULL, nsid, out);
	if (err && nl.kmsg[0])
		pr_warn("kernel says: %s\n", nl.kmsg);
	if (err)
		sfc_nl_close(&nl);
	return err;
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

int sfc_nl_nsid(struct sfc_nl *nl, int fd, int *nsid)
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
	return sfc_nl_talk(nl, nlh, nsid_cb, nsid);
}
