// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The API socket: one JSON request per line, one JSON reply per line.
 * Peers are checked with SO_PEERCRED: root, or members of group "sfc".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "model.h"
#include "sfcd.h"
#include "state.h"
#include "stats.h"

#define SFC_GROUP "sfc"
#define SFCD_SEND_TIMEOUT_MS 5000

struct client {
	int fd;
	char *buf;
	size_t len, cap;
	bool overflow;
};

static struct client clients[SFCD_MAX_CLIENTS];

static int mkdir_parent(const char *path)
{
	char dir[256], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int sfcd_server_open(struct sfcd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct group *g;
	int fd, err;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path)) {
		pr_warn("socket path %s is too long\n", d->socket_path);
		return -ENAMETOOLONG;
	}
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
		clients[i].fd = -1;
	mkdir_parent(d->socket_path);
	strcpy(sa.sun_path, d->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A stale socket from a killed sfcd: nobody answers on it. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		pr_warn("another sfcd is serving %s\n", d->socket_path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(d->socket_path);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128)) {
		err = -errno;
		pr_warn("%s: %s\n", d->socket_path, strerror(-err));
		close(fd);
		return err;
	}
	g = getgrnam(SFC_GROUP);
	if (g && chown(d->socket_path, 0, g->gr_gid))
		pr_warn("%s: chown to group %s: %s\n", d->socket_path, SFC_GROUP, strerror(errno));
	chmod(d->socket_path, 0660);
	d->listen_fd = fd;
	ev.data.fd = fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

static void client_close(struct sfcd *d, struct client *c)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void sfcd_server_close(struct sfcd *d)
{
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(d, &clients[i]);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->socket_path);
	}
}

static struct client *client_of(int fd)
{
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
		if (clients[i].fd == fd)
			return &clients[i];
	return NULL;
}

bool sfcd_server_owns(struct sfcd *d, int fd)
{
	return fd == d->listen_fd || client_of(fd);
}

/*
 * Send one reply line whole. Client sockets are non-blocking (the daemon
 * serves everyone from one loop), so wait for room with poll(); a client
 * that reads nothing for SFCD_SEND_TIMEOUT_MS loses its connection.
 * Returns 0, or -1 when the client is to be dropped.
 */
static int send_line(int fd, json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT);
	size_t len, off = 0;
	int ret = 0;

	if (!s)
		return -1;
	len = strlen(s);
	s[len] = '\n'; /* over the terminating NUL: sent as the line's end */
	while (off < len + 1) {
		ssize_t n = send(fd, s + off, len + 1 - off, MSG_NOSIGNAL);

		if (n >= 0) {
			off += n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, SFCD_SEND_TIMEOUT_MS) > 0)
				continue;
			pr_info("dropping a client that does not read its reply\n");
		}
		ret = -1;
		break;
	}
	free(s);
	return ret;
}

static json_t *error_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *error_reply(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

/* Is the peer root or in group sfc? */
static bool peer_allowed(int fd, char *why, size_t len)
{
	struct ucred cred;
	socklen_t sl = sizeof(cred);
	gid_t groups[256];
	struct group *g;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl)) {
		snprintf(why, len, "cannot identify the peer: %s", strerror(errno));
		return false;
	}
	if (cred.uid == 0)
		return true;
	g = getgrnam(SFC_GROUP);
	if (g) {
		if (cred.gid == g->gr_gid)
			return true;
		sl = sizeof(groups);
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &sl))
			for (size_t i = 0; i < sl / sizeof(gid_t); i++)
				if (groups[i] == g->gr_gid)
					return true;
	}
	snprintf(why, len, "permission denied: uid %u is neither root nor in group %s",
		 cred.uid, SFC_GROUP);
	return false;
}

static void accept_client(struct sfcd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct timeval tv = { .tv_sec = 2 };
	struct client *c;
	char why[128];
	int fd;

	while ((fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!peer_allowed(fd, why, sizeof(why))) {
			json_t *r = json_pack("{s:b,s:s}", "ok", 0, "error", why);

			pr_info("refused a client: %s\n", why);
			send_line(fd, r);
			json_decref(r);
			close(fd);
			continue;
		}
		c = client_of(-1);
		if (!c) {
			json_t *r = error_reply("too many clients (%d); try again", SFCD_MAX_CLIENTS);

			send_line(fd, r);
			json_decref(r);
			close(fd);
			continue;
		}
		c->fd = fd;
		ev.data.fd = fd;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

static json_t *health(struct sfcd *d)
{
	struct sfc_config cfg = {};
	__u32 zero = 0;

	bpf_map_lookup_elem(d->dp->maps.config, &zero, &cfg);
	return json_pack("{s:b,s:i,s:I,s:I,s:I,s:I,s:s,s:s}", "ok", 1, "pid", (int)getpid(),
			 "generation", (json_int_t)cfg.generation,
			 "reconciles", (json_int_t)d->reconciles,
			 "netlink_events", (json_int_t)d->nl_events,
			 "netlink_overruns", (json_int_t)d->nl_overruns,
			 "pin_dir", d->pin_dir, "state_file", d->state_path);
}

static json_t *do_apply(struct sfcd *d, json_t *req)
{
	json_t *doc = json_object_get(req, "doc"), *diff;
	int dry = json_is_true(json_object_get(req, "dry-run"));
	struct sfc_doc parsed;
	char err[1024];

	if (!doc)
		return error_reply("apply needs \"doc\"");
	doc = json_deep_copy(doc);
	sfc_state_fill_defaults(doc);
	diff = sfc_state_diff(d->doc, doc);
	if (dry || sfc_state_diff_empty(diff)) {
		/* Nothing is committed, so validate here; a commit does it. */
		int bad = sfc_doc_from_json(doc, &parsed, err, sizeof(err));

		json_decref(doc);
		if (bad) {
			json_decref(diff);
			return error_reply("%s", err);
		}
		sfc_doc_free(&parsed);
		return json_pack("{s:b,s:o,s:b}", "ok", 1, "diff", diff, "applied", 0);
	}
	if (sfcd_commit(d, doc, err, sizeof(err))) {
		json_decref(diff);
		return error_reply("%s", err);
	}
	return json_pack("{s:b,s:o,s:b}", "ok", 1, "diff", diff, "applied", 1);
}

static json_t *do_edit(struct sfcd *d, const char *op, json_t *req)
{
	json_t *doc = json_deep_copy(d->doc), *reply, *rules;
	char err[1024];

	if (sfc_state_edit(doc, op, req, err, sizeof(err))) {
		json_decref(doc);
		return error_reply("%s", err);
	}
	rules = json_object_get(doc, "rules");
	reply = json_pack("{s:b}", "ok", 1);
	/* Tell the client which pref a rule added without one got. */
	if (!strcmp(op, "rule-add") && json_array_size(rules))
		json_object_set(reply, "pref", json_object_get(
			json_array_get(rules, json_array_size(rules) - 1), "pref"));
	if (sfcd_commit(d, doc, err, sizeof(err))) {
		json_decref(reply);
		return error_reply("%s", err);
	}
	return reply;
}

static json_t *do_stats(struct sfcd *d, json_t *req)
{
	json_t *st;

	if (json_is_true(json_object_get(req, "reset"))) {
		const char *chain = json_string_value(json_object_get(req, "chain"));
		const char *sf = json_string_value(json_object_get(req, "sf"));
		int err = sfc_stats_reset(d->dp, chain, sf);

		if (err == -ENOENT)
			return error_reply("no %s named \"%s\"", chain ? "chain" : "SF",
					   chain ? chain : sf);
		if (err)
			return error_reply("reset failed: %s", strerror(-err));
		return json_pack("{s:b}", "ok", 1);
	}
	st = sfc_stats_json(d->dp);
	if (!st)
		return error_reply("reading statistics: %s", strerror(errno));
	return json_pack("{s:b,s:o}", "ok", 1, "stats", st);
}

/* Did the last commit fail to attach to dev? */
static bool attach_failed_on(const struct sfcd *d, const char *dev)
{
	return dev && d->last_attach_error_dev[0] && !strcmp(d->last_attach_error_dev, dev);
}

static json_t *do_cni(struct sfcd *d, const char *cmd, json_t *req)
{
	const char *net = json_string_value(json_object_get(req, "network"));
	const char *cid = json_string_value(json_object_get(req, "container"));
	const char *ifn = json_string_value(json_object_get(req, "ifname"));
	json_t *doc, *found;
	char err[1024];
	int n;

	if (!net || !net[0])
		return error_reply("%s needs \"network\"", cmd);
	if (strcmp(cmd, "gc") && (!cid || !ifn))
		return error_reply("%s needs \"container\" and \"ifname\"", cmd);
	if (!strcmp(cmd, "check")) {
		struct sfc_iface v;
		const char *dev;
		__u32 ifindex, id = 0;

		found = sfc_state_find_attachment(d->doc, net, cid, ifn);
		if (!found)
			return error_reply("no attachment for network \"%s\", container \"%s\", "
					   "interface \"%s\"", net, cid, ifn);
		dev = json_string_value(json_object_get(found, "dev"));
		ifindex = if_nametoindex(dev);
		if (!ifindex)
			return error_reply("interface %s of the attachment does not exist", dev);
		if (bpf_map_lookup_elem(d->dp->maps.ifaces, &ifindex, &v) ||
		    bpf_xdp_query_id(ifindex, 0, &id) || id != d->dp->prog_ids[0])
			return error_reply("sfc is not attached to %s", dev);
		return json_pack("{s:b}", "ok", 1);
	}
	doc = json_deep_copy(d->doc);
	if (!strcmp(cmd, "attach")) {
		if (sfc_state_attach(doc, req, err, sizeof(err))) {
			json_decref(doc);
			return error_reply("%s", err);
		}
	} else if (!strcmp(cmd, "detach")) {
		n = sfc_state_detach(doc, net, cid, ifn);
		if (!n) {
			json_decref(doc);
			return json_pack("{s:b,s:i}", "ok", 1, "removed", 0);
		}
		if (sfcd_commit(d, doc, err, sizeof(err)))
			return error_reply("%s", err);
		return json_pack("{s:b,s:i}", "ok", 1, "removed", n);
	} else {
		json_t *valid = json_object_get(req, "valid");

		if (!json_is_array(valid)) {
			json_decref(doc);
			return error_reply("gc needs \"valid\": [{\"container\":..., \"ifname\":...}]");
		}
		sfc_state_gc(doc, net, valid);
	}
	if (json_equal(doc, d->doc)) {
		json_decref(doc);
		return json_pack("{s:b}", "ok", 1);
	}
	if (sfcd_commit(d, doc, err, sizeof(err)))
		return error_reply("%s", err);
	/* An attach that could not reach its interface is refused whole. */
	if (!strcmp(cmd, "attach") && attach_failed_on(d, json_string_value(json_object_get(req, "dev")))) {
		char why[160];

		snprintf(why, sizeof(why), "%s", d->last_attach_error);
		doc = json_deep_copy(d->doc);
		sfc_state_detach(doc, net, cid, ifn);
		if (sfcd_commit(d, doc, err, sizeof(err)))
			pr_warn("rolling back attach: %s\n", err);
		return error_reply("%s", why);
	}
	return json_pack("{s:b}", "ok", 1);
}

static json_t *handle(struct sfcd *d, const char *line, size_t len)
{
	json_error_t je;
	json_t *req, *reply;
	const char *cmd;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!req)
		return error_reply("malformed request: column %d: %s", je.column, je.text);
	cmd = json_string_value(json_object_get(req, "cmd"));
	if (!json_is_object(req) || !cmd)
		reply = error_reply("a request is a JSON object with a string \"cmd\"");
	else if (!strcmp(cmd, "get"))
		reply = json_pack("{s:b,s:O}", "ok", 1, "doc", d->doc);
	else if (!strcmp(cmd, "apply"))
		reply = do_apply(d, req);
	else if (!strcmp(cmd, "stats"))
		reply = do_stats(d, req);
	else if (!strcmp(cmd, "health"))
		reply = health(d);
	else if (!strcmp(cmd, "attach") || !strcmp(cmd, "detach") ||
		 !strcmp(cmd, "check") || !strcmp(cmd, "gc"))
		reply = do_cni(d, cmd, req);
	else if (!strcmp(cmd, "ingress-add") || !strcmp(cmd, "ingress-del") ||
		 !strcmp(cmd, "sf-add") || !strcmp(cmd, "sf-del") ||
		 !strcmp(cmd, "chain-add") || !strcmp(cmd, "chain-set") ||
		 !strcmp(cmd, "chain-del") || !strcmp(cmd, "rule-add") ||
		 !strcmp(cmd, "rule-del"))
		reply = do_edit(d, cmd, req);
	else
		reply = error_reply("unknown request \"%s\"", cmd);
	json_decref(req);
	return reply;
}

static void client_read(struct sfcd *d, struct client *c)
{
	for (;;) {
		char *nl;
		ssize_t n;

		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 65536 * 2;
			char *b = realloc(c->buf, cap);

			if (!b) {
				client_close(d, c);
				return;
			}
			c->buf = b;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_close(d, c);
			return;
		}
		if (n < 0)
			return;
		c->len += n;
		while ((nl = memchr(c->buf, '\n', c->len))) {
			size_t line = nl - c->buf;
			json_t *reply;
			int sent;

			if (c->overflow || line > SFCD_MAX_REQUEST) {
				reply = error_reply("request larger than %u bytes", SFCD_MAX_REQUEST);
				c->overflow = false;
			} else {
				reply = handle(d, c->buf, line);
			}
			sent = send_line(c->fd, reply);
			json_decref(reply);
			if (sent) {
				client_close(d, c);
				return;
			}
			memmove(c->buf, nl + 1, c->len - line - 1);
			c->len -= line + 1;
		}
		/* Too long without a newline: drop what came, answer at the end. */
		if (c->len > SFCD_MAX_REQUEST) {
			c->overflow = true;
			c->len = 0;
		}
	}
}

void sfcd_server_event(struct sfcd *d, int fd, unsigned int events)
{
	struct client *c;

	if (fd == d->listen_fd) {
		accept_client(d);
		return;
	}
	c = client_of(fd);
	if (!c)
		return;
	if (events & EPOLLIN)
		client_read(d, c);
	else if (events & (EPOLLHUP | EPOLLERR))
		client_close(d, c);
}
