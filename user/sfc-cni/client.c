// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One request to sfcd and its reply: a JSON object per line each way on
 * the unix socket. The plugin keeps no state of its own, so concurrent
 * calls for different pods only meet in sfcd, which serves one request at
 * a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "sfc_cni.h"

#define REPLY_MAX      (1u << 20)
#define BUSY_RETRIES   5        /* "too many clients": sfcd serves 256 at a time */

static int connect_sfcd(const struct cni_conf *c, struct cni_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = c->timeout_s };
	int fd, err;

	strcpy(sa.sun_path, c->socket);     /* length checked in conf_load */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		if (err == EACCES || err == EPERM) {
			cni_fail(e, SFC_CNI_ERR_SFCD, "%s: permission denied", c->socket);
			cni_details(e, "sfcd serves root and members of group \"sfc\"");
			return SFCD_REFUSED;
		}
		cni_fail(e, CNI_ERR_TRY_AGAIN, "cannot reach sfcd at %s: %s", c->socket,
			 strerror(err));
		cni_details(e, "is sfcd running? The plugin's \"socket\" key names its API "
			    "socket (default %s)", SFC_CNI_DEFAULT_SOCKET);
		return SFCD_UNREACHABLE;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= n;
	}
	return 0;
}

/* One line from fd, without its '\n'; *line is malloc'd. */
static int read_line(int fd, char **line)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nl;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - len < 1024) {
			char *b = cap >= REPLY_MAX ? NULL : realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				return -EMSGSIZE;
			}
			buf = b;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n ? -errno : -EPIPE;

			free(buf);
			return err;
		}
		len += n;
		buf[len] = '\0';
		nl = memchr(buf, '\n', len);
		if (nl) {
			*nl = '\0';
			*line = buf;
			return 0;
		}
	}
}

static int call_once(const struct cni_conf *c, const char *req, json_t **reply,
		     struct cni_error *e)
{
	json_error_t je;
	char *line = NULL;
	json_t *r, *ok;
	int fd, err;

	*reply = NULL;
	fd = connect_sfcd(c, e);
	if (fd < 0)
		return fd;
	err = send_all(fd, req, strlen(req));
	/* A refused peer gets one line, then a closed socket: read it even
	 * when the send failed. */
	if (!err || err == -EPIPE || err == -ECONNRESET)
		err = read_line(fd, &line);
	close(fd);
	if (err == -EAGAIN || err == -EWOULDBLOCK) {
		cni_fail(e, CNI_ERR_TRY_AGAIN, "no answer from sfcd at %s within %d s", c->socket,
			 c->timeout_s);
		return SFCD_UNREACHABLE;
	}
	if (err) {
		cni_fail(e, CNI_ERR_TRY_AGAIN, "talking to sfcd at %s: %s", c->socket,
			 err == -EPIPE ? "it closed the connection without answering" :
					 strerror(-err));
		return SFCD_UNREACHABLE;
	}
	r = json_loads(line, 0, &je);
	free(line);
	ok = json_object_get(r, "ok");
	if (!json_is_object(r) || !json_is_boolean(ok)) {
		json_decref(r);
		return cni_fail(e, SFC_CNI_ERR_SFCD, "sfcd at %s sent a malformed reply", c->socket);
	}
	if (json_is_false(ok)) {
		const char *msg = json_string_value(json_object_get(r, "error"));

		cni_fail(e, SFC_CNI_ERR_SFCD, "sfcd: %s", msg ? msg : "request refused, no reason");
		if (msg && !strncmp(msg, "too many clients", 16))
			e->code = CNI_ERR_TRY_AGAIN;
		json_decref(r);
		return SFCD_REFUSED;
	}
	*reply = r;
	return SFCD_OK;
}

/*
 * Returns SFCD_OK with *reply set, SFCD_UNREACHABLE (e: code 11) when sfcd
 * could not be asked or did not answer in time, SFCD_REFUSED (e: code 100,
 * or 11 when it is only busy) when it answered ok:false.
 */
int sfcd_call(const struct cni_conf *c, json_t *req, json_t **reply, struct cni_error *e)
{
	char *s = json_dumps(req, JSON_COMPACT), *line;
	size_t len;
	int ret;

	*reply = NULL;
	if (!s)
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "cannot encode the request");
	len = strlen(s);
	line = realloc(s, len + 2);
	if (!line) {
		free(s);
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "out of memory");
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	for (int attempt = 1;; attempt++) {
		ret = call_once(c, line, reply, e);
		if (ret != SFCD_REFUSED || e->code != CNI_ERR_TRY_AGAIN || attempt == BUSY_RETRIES)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 100000000L * attempt }, NULL);
	}
	free(line);
	return ret;
}
