// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The API socket: one JSON request per line, one JSON reply per line.
 * Peers are checked with SO_PEERCRED: root, or members of group "sfc".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

#include "log.h"
#include "sfcd.h"

#define SFC_API_GROUP "sfc"
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
	g = getgrnam(SFC_API_GROUP);
	if (g && chown(d->socket_path, 0, g->gr_gid))
		pr_warn("%s: chown to group %s: %s\n", d->socket_path, SFC_API_GROUP, strerror(errno));
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
	g = getgrnam(SFC_API_GROUP);
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
		 cred.uid, SFC_API_GROUP);
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
			json_t *r = sfcd_error_reply("too many clients (%d); try again", SFCD_MAX_CLIENTS);

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

			if (c->overflow || line > SFC_API_MAX_REQUEST) {
				reply = sfcd_error_reply("request larger than %u bytes", SFC_API_MAX_REQUEST);
				c->overflow = false;
			} else {
				reply = sfcd_api_handle(d, c->buf, line);
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
		if (c->len > SFC_API_MAX_REQUEST) {
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
