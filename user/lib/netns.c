// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "netns.h"

static int nsid_cb_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NETNSA_NSID &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		*(int *)data = (int)mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_cb_attr, data);
	return MNL_CB_OK;
}

/* The id our netns gives the netns behind fd, or -1. */
static int nsid_of_fd(struct mnl_socket *nl, int fd, unsigned int seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	int nsid = -1, ret;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, fd);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret <= 0)
		return -1;
	mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), nsid_cb, &nsid);
	return nsid;
}

static int scan_dir(struct mnl_socket *nl, const char *dir, const char *suffix,
		    int nsid, unsigned int *seq)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = -ENOENT;

	if (!d)
		return -ENOENT;
	while (found < 0 && (de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, suffix);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (nsid_of_fd(nl, fd, ++*seq) == nsid)
			found = fd;
		else
			close(fd);
	}
	closedir(d);
	return found;
}

int sfc_netns_open_by_nsid(int nsid)
{
	unsigned int seq = time(NULL);
	struct mnl_socket *nl;
	int fd;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fd = -errno;
		goto out;
	}
	/* Named namespaces first (ip netns, CNI runtimes), then processes'. */
	fd = scan_dir(nl, "/run/netns", "", nsid, &seq);
	if (fd < 0)
		fd = scan_dir(nl, "/proc", "/ns/net", nsid, &seq);
out:
	mnl_socket_close(nl);
	return fd;
}

int sfc_netns_set_xdp(int nsid, int ifindex, int prog_fd)
{
	int self = -1, target = -1, err;

	if (nsid >= 0) {
		target = sfc_netns_open_by_nsid(nsid);
		if (target < 0)
			return target;
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0) {
			err = -errno;
			close(target);
			return err;
		}
		/* setns() moves this thread only; it comes straight back. */
		if (setns(target, CLONE_NEWNET)) {
			err = -errno;
			goto out;
		}
	}
	if (prog_fd >= 0)
		err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	else
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (nsid >= 0 && setns(self, CLONE_NEWNET)) {
		pr_warn("cannot return to our network namespace: %s\n", strerror(errno));
		err = err ? err : -errno;
	}
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return err;
}

__u64 sfc_netns_self_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : st.st_ino;
}

static bool dir_has_netns(const char *dir, const char *suffix, __u64 ino)
{
	char path[512];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, suffix);
		found = !stat(path, &st) && st.st_ino == ino;
	}
	closedir(d);
	return found;
}

bool sfc_netns_live(__u64 ino)
{
	return ino && (dir_has_netns("/run/netns", "", ino) ||
		       dir_has_netns("/proc", "/ns/net", ino));
}
