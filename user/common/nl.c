// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nl.h"

struct nl_req {
	struct mnl_socket *nl;
	unsigned int seq, portid;
};

static int nl_open(struct nl_req *r)
{
	int one = 1;

	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl)
		return -errno;
	/* Ask for the kernel's reason along with an error code. */
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(r->nl);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = time(NULL);
	return 0;
}

/* Print the extended ack message of an NLMSG_ERROR, if there is one. */
static void log_extack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	mnl_attr_for_each_payload((const void *)((const char *)err + off),
				  nlh->nlmsg_len - NLMSG_HDRLEN - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			pr_warn("kernel says: %s\n", mnl_attr_get_str(attr));
	}
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (err->error)
		log_extack(nlh);
	return err->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

static int nl_talk(struct nl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb };
	int ret;

	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(buf, ret, nlh->nlmsg_seq, r->portid, cb, data,
				  ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct sfc_link *l = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0) {
		strncpy(l->kind, mnl_attr_get_str(attr), sizeof(l->kind) - 1);
	}
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
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
			strncpy(l->name, mnl_attr_get_str(attr), sizeof(l->name) - 1);
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
		mnl_attr_parse_nested(attr, linkinfo_cb, l);
		break;
	case IFLA_XDP:
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
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, l);
	return MNL_CB_OK;
}

int sfc_nl_get_link(int ifindex, int nsid, struct sfc_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nl_req r = {};
	int err;

	memset(out, 0, sizeof(*out));
	out->peer_nsid = -1;
	err = nl_open(&r);
	if (err)
		return err;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	/* The ack ends the exchange after the one RTM_NEWLINK reply. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, nsid);
	err = nl_talk(&r, nlh, link_cb, out);
	mnl_socket_close(r.nl);
	return err;
}
