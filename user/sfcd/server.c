// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The API socket: one JSON request per line, one JSON reply per line.
 * Peers are checked with SO_PEERCRED: root, or members of group "sfc".
 *
 * The loop never waits for one client: sockets are non-blocking, replies
 * are queued per client and written as the socket takes them (EPOLLOUT).
 * What a client may hold is bounded: connections per process and per
 * non-root user (with slots only root may use), request bytes per client
 * and for all of them, unsent replies per client; and a connection that
 * neither completes a request nor reads a byte of its replies for
 * --client-timeout seconds is closed.
 *
 * A request that takes seconds (a large apply) does not stop the others:
 * at its yield points (sfcd_server_yield) connections are accepted and
 * timed out, replies written, and requests that only read answered
 * against the document committed before it; the others wait, read and
 * kept, and are answered in turn after it (sfcd_server_resume). The
 * connection whose request runs is left alone until it is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "sfcd.h"

static struct sfcd_client clients[SFCD_MAX_CLIENTS];
static bool opened;
static unsigned int nclients;
/* the connection whose request runs (a reconcile or reload: none) */
static struct sfcd_client *running;
static bool early;            /* in sfcd_server_yield */

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

int sfcd_server_check_path(const char *path, char *err, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, len, "socket path %s is too long (at most %zu bytes)", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, len, "socket path %s: %s", path, strerror(errno));
		return -errno;
	}
	/* Only ever a socket is removed: never the state file given to -s. */
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, len, "socket path %s exists and is not a socket (%s); not removing it",
			 path, S_ISREG(st.st_mode) ? "a regular file" :
			 S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISLNK(st.st_mode) ? "a symbolic link" : "a special file");
		return -EEXIST;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return -errno;
	}
	/* A stale socket from a killed sfcd: nobody answers on it. */
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? 0 : -EADDRINUSE;
	if (ret) {
		struct ucred cred = {};
		socklen_t sl = sizeof(cred);

		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl);
		snprintf(err, len, "socket %s is in use by pid %d: another sfcd serves it", path,
			 cred.pid);
	}
	close(fd);
	return ret;
}

int sfcd_server_open(struct sfcd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	char why[PATH_MAX + 128];
	struct group *g;
	int fd, err;

	for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
		clients[i].fd = -1;
	opened = true;
	mkdir_parent(d->socket_path);
	err = sfcd_server_check_path(d->socket_path, why, sizeof(why));
	if (err) {
		pr_warn("%s\n", why);
		return err;
	}
	unlink(d->socket_path); /* a stale socket, or nothing */
	strcpy(sa.sun_path, d->socket_path);
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
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timer_fd < 0)
		return -errno;
	ev.data.fd = d->timer_fd;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->timer_fd, &ev);
	return 0;
}

/* The sweep runs once a second while there are clients. */
static void timer_arm(struct sfcd *d, bool on)
{
	struct itimerspec its = {};

	if (on) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
	}
	timerfd_settime(d->timer_fd, 0, &its, NULL);
}

void sfcd_client_close(struct sfcd *d, struct sfcd_client *c, const char *why)
{
	if (why) {
		pr_info("closing the API connection of pid %d (uid %u): %s\n", c->pid, c->uid, why);
		d->clients_dropped++;
	}
	sfcd_trace_stop(d, c);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	sfcd_client_release(c);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!--nclients)
		timer_arm(d, false);
}

void sfcd_server_close(struct sfcd *d)
{
	if (!opened)
		return;
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			sfcd_client_close(d, &clients[i], NULL);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->socket_path);
	}
	if (d->timer_fd >= 0)
		close(d->timer_fd);
}

static struct sfcd_client *client_of(int fd)
{
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
		if (clients[i].fd == fd)
			return &clients[i];
	return NULL;
}

bool sfcd_server_owns(struct sfcd *d, int fd)
{
	return fd == d->listen_fd || fd == d->timer_fd || (opened && client_of(fd));
}

unsigned int sfcd_server_clients(void)
{
	return nclients;
}

/* Is the peer root or in group sfc? */
static bool peer_allowed(int fd, const struct ucred *cred, char *why, size_t len)
{
	socklen_t sl;
	gid_t groups[256];
	struct group *g;

	if (cred->uid == 0)
		return true;
	g = getgrnam(SFC_API_GROUP);
	if (g) {
		if (cred->gid == g->gr_gid)
			return true;
		sl = sizeof(groups);
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &sl))
			for (size_t i = 0; i < sl / sizeof(gid_t); i++)
				if (groups[i] == g->gr_gid)
					return true;
	}
	snprintf(why, len, "permission denied: uid %u is neither root nor in group %s",
		 cred->uid, SFC_API_GROUP);
	return false;
}

/* Room for one more connection of this peer? */
static bool peer_has_room(const struct ucred *cred, char *why, size_t len)
{
	unsigned int same_pid = 0, same_uid = 0, nonroot = 0;

	for (int i = 0; i < SFCD_MAX_CLIENTS; i++) {
		if (clients[i].fd < 0)
			continue;
		same_pid += clients[i].pid == cred->pid;
		same_uid += clients[i].uid == cred->uid;
		nonroot += clients[i].uid != 0;
	}
	if (nclients >= SFCD_MAX_CLIENTS)
		snprintf(why, len, "too many clients (%d); try again", SFCD_MAX_CLIENTS);
	else if (same_pid >= SFCD_MAX_PER_PID)
		snprintf(why, len, "too many connections from pid %d (%d); close some",
			 cred->pid, SFCD_MAX_PER_PID);
	else if (cred->uid && same_uid >= SFCD_MAX_PER_UID)
		snprintf(why, len, "too many connections from uid %u (%d); close some",
			 cred->uid, SFCD_MAX_PER_UID);
	else if (cred->uid && nonroot >= SFCD_MAX_CLIENTS - SFCD_ROOT_RESERVE)
		snprintf(why, len, "too many clients (the last %d connections are root's); "
			 "try again", SFCD_ROOT_RESERVE);
	else
		return true;
	return false;
}

/* A refusal: one line into the socket's empty buffer, then close. */
static void refuse(int fd, const char *why)
{
	json_t *r = sfcd_error_reply("%s", why);
	char *s = json_dumps(r, JSON_COMPACT);

	if (s) {
		size_t len = strlen(s);

		s[len] = '\n';
		if (send(fd, s, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			pr_debug("refusal not delivered: %s\n", strerror(errno));
		free(s);
	}
	json_decref(r);
	close(fd);
}

static void accept_client(struct sfcd *d)
{
	struct ucred cred;
	socklen_t sl;
	struct sfcd_client *c;
	char why[160];
	int fd;

	while ((fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		sl = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl)) {
			snprintf(why, sizeof(why), "cannot identify the peer: %s", strerror(errno));
			refuse(fd, why);
			continue;
		}
		if (!peer_allowed(fd, &cred, why, sizeof(why)) ||
		    !peer_has_room(&cred, why, sizeof(why))) {
			pr_info("refused a client, pid %d (uid %u): %s\n", cred.pid, cred.uid, why);
			refuse(fd, why);
			continue;
		}
		c = client_of(-1);
		if (!c) { /* peer_has_room counted nclients: not reached */
			refuse(fd, "too many clients");
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->pid = cred.pid;
		c->uid = cred.uid;
		c->events = EPOLLIN;
		sfcd_client_progress(d, c);
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd,
			  &(struct epoll_event){ .events = EPOLLIN, .data.fd = fd });
		if (!nclients++)
			timer_arm(d, true);
	}
}

/* Close connections that made no progress within the timeout. */
static void sweep(struct sfcd *d)
{
	unsigned long long now = sfcd_now_ms();
	unsigned long long ticks;
	char why[128];

	if (read(d->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		pr_debug("timerfd: %s\n", strerror(errno));
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++) {
		struct sfcd_client *c = &clients[i];

		/* not a connection waiting for sfcd: it is not idle; a monitor
		 * loses events rather than hold sfcd */
		if (c->fd < 0 || c == running || c->turn || (c->mon && !c->eof) || now < c->deadline_ms)
			continue;
		snprintf(why, sizeof(why), "%s for %u s",
			 c->out_len > c->out_off ? "it read none of its replies" :
			 c->in_len || c->refuse[0] ? "its request did not complete" :
			 "idle", d->client_timeout_s);
		/* tell it why, if its socket has room */
		if (c->out_len == c->out_off) {
			char *s;
			json_t *r = sfcd_error_reply("closing the connection: %s", why);

			s = json_dumps(r, JSON_COMPACT);
			json_decref(r);
			if (s) {
				size_t len = strlen(s);

				s[len] = '\n';
				if (send(c->fd, s, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
					pr_debug("timeout notice not delivered: %s\n", strerror(errno));
				free(s);
			}
		}
		sfcd_client_close(d, c, why);
	}
}

/* A yield point may close a connection in the middle of the main loop's
 * batch of events and give its number to a new one: a hangup or an error
 * from the batch is checked again. */
static unsigned int still(int fd, unsigned int events)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (!(events & (EPOLLHUP | EPOLLERR)) || poll(&p, 1, 0) < 0)
		return events;
	return (events & ~(EPOLLHUP | EPOLLERR)) | (p.revents & POLLHUP ? EPOLLHUP : 0) |
	       (p.revents & POLLERR ? EPOLLERR : 0);
}

static void client_event(struct sfcd *d, struct sfcd_client *c, unsigned int events)
{
	events = still(c->fd, events);
	if (events & EPOLLERR) {
		sfcd_client_close(d, c, NULL);
		return;
	}
	if ((events & EPOLLOUT) && sfcd_client_flush(d, c))
		return;
	if (events & EPOLLIN)
		sfcd_client_read(d, c, early);
	/* one that waits its turn is not read: it is served, then closed */
	else if ((events & EPOLLHUP) && !c->turn)
		sfcd_client_close(d, c, NULL);
}

void sfcd_server_event(struct sfcd *d, int fd, unsigned int events)
{
	struct sfcd_client *c;

	if (fd == d->listen_fd) {
		accept_client(d);
		return;
	}
	if (fd == d->timer_fd) {
		sweep(d);
		sfcd_trace_tick(d);
		return;
	}
	c = client_of(fd);
	/* the connection whose request runs: its request line is in its buffer */
	if (!c || c == running)
		return;
	if (early) {
		client_event(d, c, events);
		return;
	}
	running = c;
	client_event(d, c, events);
	running = NULL;
}

void sfcd_server_yield(struct sfcd *d)
{
	struct epoll_event evs[32];
	int n;

	if (!opened || d->listen_fd < 0)
		return;
	n = epoll_wait(d->epfd, evs, 32, 0);
	early = true;
	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;

		/* link events are the monitor's, signals wait for the loop */
		if (fd != d->nl_fd && fd != d->sig_fd && sfcd_server_owns(d, fd))
			sfcd_server_event(d, fd, evs[i].events);
	}
	early = false;
}

void sfcd_server_resume(struct sfcd *d)
{
	for (;;) {
		struct sfcd_client *c = NULL;

		for (int i = 0; i < SFCD_MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && clients[i].turn &&
			    (!c || clients[i].turn < c->turn))
				c = &clients[i];
		if (!c)
			return;
		running = c;
		sfcd_client_resume(d, c);
		running = NULL;
	}
}
