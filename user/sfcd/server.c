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
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

#include "log.h"
#include "sfcd.h"

#define SFC_API_GROUP "sfc"
#define CHUNK         65536
/* one request of the largest size, its newline, and a chunk of the next */
#define IN_MAX        ((size_t)SFC_API_MAX_REQUEST + 1 + CHUNK)

struct client {
	int fd;
	pid_t pid;
	uid_t uid;
	char *in;                 /* what came and is not a whole request yet */
	size_t in_len, in_cap, in_scanned;
	char refuse[160];         /* set: discard up to the newline, reply this */
	char *out;                /* replies the socket has not taken yet */
	size_t out_off, out_len, out_cap;
	unsigned long long deadline_ms;
	unsigned int events;      /* what epoll watches for */
	bool eof;                 /* the client shut down its side */
};

static struct client clients[SFCD_MAX_CLIENTS];
static bool opened;
static unsigned int nclients;
static size_t in_total;       /* sum of in_cap over clients */

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

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

static void in_free(struct client *c)
{
	in_total -= c->in_cap;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = c->in_scanned = 0;
}

static void client_close(struct sfcd *d, struct client *c, const char *why)
{
	if (why) {
		pr_info("closing the API connection of pid %d (uid %u): %s\n", c->pid, c->uid, why);
		d->clients_dropped++;
	}
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	in_free(c);
	free(c->out);
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
			client_close(d, &clients[i], NULL);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->socket_path);
	}
	if (d->timer_fd >= 0)
		close(d->timer_fd);
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
	return fd == d->listen_fd || fd == d->timer_fd || (opened && client_of(fd));
}

unsigned int sfcd_server_clients(void)
{
	return nclients;
}

static void progress(struct sfcd *d, struct client *c)
{
	c->deadline_ms = now_ms() + d->client_timeout_s * 1000ull;
}

/* Watch for what the client can do next: send (unless it shut down its
 * side) and, while replies wait, take them. */
static void watch(struct sfcd *d, struct client *c)
{
	struct epoll_event ev = { .data.fd = c->fd };

	ev.events = (c->eof ? 0 : EPOLLIN) | (c->out_len > c->out_off ? EPOLLOUT : 0);
	if (ev.events != c->events)
		epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = ev.events;
}

/* Write what the socket takes. 0, or -1 when the client was closed. */
static int flush_out(struct sfcd *d, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			client_close(d, c, errno == EPIPE || errno == ECONNRESET ? NULL :
				     strerror(errno));
			return -1;
		}
		c->out_off += n;
		progress(d, c);
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->out_cap > CHUNK) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
		if (c->eof) {
			client_close(d, c, NULL);
			return -1;
		}
	}
	watch(d, c);
	return 0;
}

/* Queue one reply line and write what can be. 0, or -1 when the client
 * was closed: its unsent replies would exceed SFCD_OUT_MAX (one reply
 * alone may be larger: it is what the client asked for). */
static int queue_reply(struct sfcd *d, struct client *c, json_t *reply)
{
	size_t pending = c->out_len - c->out_off, len, need;
	char *s = json_dumps(reply, JSON_COMPACT);
	char why[128];

	json_decref(reply);
	if (!s) {
		client_close(d, c, "cannot serialize a reply");
		return -1;
	}
	len = strlen(s);
	if (pending && pending + len + 1 > SFCD_OUT_MAX) {
		free(s);
		snprintf(why, sizeof(why), "it reads no replies (%zu bytes unsent, limit %u)",
			 pending, SFCD_OUT_MAX);
		client_close(d, c, why);
		return -1;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	need = c->out_len + len + 1;
	if (need > c->out_cap) {
		size_t cap = need > 2 * c->out_cap ? need : 2 * c->out_cap;
		char *b = realloc(c->out, cap);

		if (!b) {
			free(s);
			client_close(d, c, "out of memory for its replies");
			return -1;
		}
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	free(s);
	return flush_out(d, c);
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
	struct client *c;
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
		progress(d, c);
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd,
			  &(struct epoll_event){ .events = EPOLLIN, .data.fd = fd });
		if (!nclients++)
			timer_arm(d, true);
	}
}

/* Stop buffering this request: its bytes are discarded up to its newline,
 * which gets error why as its reply. */
static void start_refusing(struct client *c, const char *why)
{
	snprintf(c->refuse, sizeof(c->refuse), "%s", why);
	in_free(c);
}

/* Room for CHUNK more bytes of request, or as much as the limits allow.
 * false when the request cannot be held (start_refusing was called). */
static bool in_room(struct client *c)
{
	size_t cap;
	char *b, why[160];

	if (c->in_cap - c->in_len >= CHUNK || c->in_cap >= IN_MAX)
		return true;
	cap = c->in_cap ? 2 * c->in_cap : 2 * CHUNK;
	if (cap > IN_MAX)
		cap = IN_MAX;
	/* the total counts against large requests only: a small one (sfcctl's,
	 * sfc-cni's) is never refused because others hold memory */
	if (cap > SFCD_IN_SMALL && in_total - c->in_cap + cap > SFCD_IN_TOTAL_MAX) {
		snprintf(why, sizeof(why), "request refused: sfcd holds %zu MiB of requests "
			 "(limit %u MiB); try again", in_total >> 20, SFCD_IN_TOTAL_MAX >> 20);
		start_refusing(c, why);
		return false;
	}
	b = realloc(c->in, cap);
	if (!b) {
		start_refusing(c, "request refused: sfcd is out of memory");
		return false;
	}
	in_total += cap - c->in_cap;
	c->in = b;
	c->in_cap = cap;
	return true;
}

/* Answer every whole request buffered. 0, or -1 when the client was closed. */
static int serve_lines(struct sfcd *d, struct client *c)
{
	size_t off = 0;
	char *nl;

	if (!c->in_len)
		return 0;
	while ((nl = memchr(c->in + off + c->in_scanned, '\n',
			    c->in_len - off - c->in_scanned))) {
		size_t line = nl - (c->in + off);
		json_t *reply;

		c->in_scanned = 0;
		progress(d, c);
		if (line > SFC_API_MAX_REQUEST)
			reply = sfcd_error_reply("request larger than %u bytes", SFC_API_MAX_REQUEST);
		else
			reply = sfcd_api_handle(d, c->in + off, line);
		off += line + 1;
		if (queue_reply(d, c, reply))
			return -1;
	}
	c->in_scanned = c->in_len - off;
	if (off == c->in_len) {
		in_free(c); /* nothing held between requests */
	} else if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	/* Too long without a newline: drop what came, answer at the end. */
	if (c->in_len > SFC_API_MAX_REQUEST) {
		char why[64];

		snprintf(why, sizeof(why), "request larger than %u bytes", SFC_API_MAX_REQUEST);
		start_refusing(c, why);
	}
	return 0;
}

static void client_read(struct sfcd *d, struct client *c)
{
	static char scratch[CHUNK];

	/* a bounded share of the loop per event; epoll comes back for more */
	for (int round = 0; round < 16; round++) {
		bool keep = !c->refuse[0] && in_room(c);
		char *dst = keep ? c->in + c->in_len : scratch;
		size_t room = keep ? c->in_cap - c->in_len : sizeof(scratch);
		ssize_t n = recv(c->fd, dst, room, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			client_close(d, c, strerror(errno));
			return;
		}
		if (n == 0) {
			/* the client is done sending: close once it has its replies */
			c->eof = true;
			flush_out(d, c);
			return;
		}
		if (keep) {
			c->in_len += n;
		} else {
			char *nl = memchr(scratch, '\n', n);
			size_t rest;

			if (!nl)
				continue;
			/* the refused request ends here; what follows is kept */
			if (queue_reply(d, c, sfcd_error_reply("%s", c->refuse)))
				return;
			c->refuse[0] = '\0';
			rest = n - (nl + 1 - scratch);
			while (rest && c->in_cap - c->in_len < rest)
				if (!in_room(c))
					break;
			if (c->refuse[0])
				continue;
			memcpy(c->in + c->in_len, nl + 1, rest);
			c->in_len += rest;
		}
		if (serve_lines(d, c))
			return;
	}
}

/* Close connections that made no progress within the timeout. */
static void sweep(struct sfcd *d)
{
	unsigned long long now = now_ms();
	unsigned long long ticks;
	char why[128];

	if (read(d->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		pr_debug("timerfd: %s\n", strerror(errno));
	for (int i = 0; i < SFCD_MAX_CLIENTS; i++) {
		struct client *c = &clients[i];

		if (c->fd < 0 || now < c->deadline_ms)
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
		client_close(d, c, why);
	}
}

void sfcd_server_event(struct sfcd *d, int fd, unsigned int events)
{
	struct client *c;

	if (fd == d->listen_fd) {
		accept_client(d);
		return;
	}
	if (fd == d->timer_fd) {
		sweep(d);
		return;
	}
	c = client_of(fd);
	if (!c)
		return;
	if (events & EPOLLERR) {
		client_close(d, c, NULL);
		return;
	}
	if ((events & EPOLLOUT) && flush_out(d, c))
		return;
	if (events & EPOLLIN)
		client_read(d, c);
	else if (events & EPOLLHUP)
		client_close(d, c, NULL);
}
