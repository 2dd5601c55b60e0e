// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The connection to sfcd: one JSON request per line, one JSON reply per
 * line, on a unix stream socket kept open for a whole batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "jsonl.h"
#include "sfcctl.h"

#define REPLY_TIMEOUT_S 60

static int sfcd_connect(struct ctx *c)
{
	int fd;

	if (c->fd >= 0)
		return 0;
	fd = sfc_jsonl_connect(c->sock_path, REPLY_TIMEOUT_S);
	switch (fd) {
	case -ENAMETOOLONG:
		return errf(c, "%s: socket path too long for a unix socket", c->sock_path);
	case -EACCES:
	case -EPERM:
		return errf(c, "%s: permission denied (sfcd serves root and members of "
			    "group \"" SFC_API_GROUP "\")", c->sock_path);
	case -ENOENT:
	case -ECONNREFUSED:
	case -ENOTDIR:
		return errf(c, "cannot reach sfcd at %s: %s (is sfcd running? try -s "
			    "SOCKET)", c->sock_path, strerror(-fd));
	default:
		if (fd < 0)
			return errf(c, "cannot reach sfcd at %s: %s", c->sock_path, strerror(-fd));
	}
	c->fd = fd;
	c->rd.len = 0;
	return 0;
}

void sfcd_close(struct ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	sfc_jsonl_reader_free(&c->rd);
}

/*
 * Send req and read the reply. Returns 0 with *reply set (ok:true), -1 when
 * sfcd could not be asked (c->err says why), -2 when sfcd refused the
 * request (c->err is its message).
 */
int sfcd_request(struct ctx *c, json_t *req, json_t **reply)
{
	json_error_t je;
	ssize_t len;
	json_t *r;
	int err;

	*reply = NULL;
	if (sfcd_connect(c))
		return -1;
	err = sfc_jsonl_send(c->fd, req);
	/* A refused peer gets one line of explanation, then a closed socket:
	 * read it even if the send failed. */
	len = sfc_jsonl_read_line(c->fd, &c->rd);
	if (len < 0) {
		int rerr = (int)-len;

		sfcd_close(c);
		if (rerr == EAGAIN)
			return errf(c, "no answer from sfcd at %s within %d s", c->sock_path,
				    REPLY_TIMEOUT_S);
		if (err)
			return errf(c, "sending to sfcd at %s: %s", c->sock_path, strerror(-err));
		if (rerr == EPIPE || rerr == ECONNRESET)
			return errf(c, "sfcd at %s closed the connection without answering",
				    c->sock_path);
		return errf(c, "reading from sfcd at %s: %s", c->sock_path, strerror(rerr));
	}
	r = json_loadb(c->rd.buf, len, 0, &je);
	sfc_jsonl_consume(&c->rd, len);
	if (!json_is_object(r)) {
		json_decref(r);
		sfcd_close(c);
		return errf(c, "sfcd at %s sent a malformed reply", c->sock_path);
	}
	if (!json_is_true(json_object_get(r, SFC_KEY_OK))) {
		const char *msg = json_string_value(json_object_get(r, SFC_KEY_ERROR));
		/* sfcd closes the connection after refusing a peer */
		bool refused_peer = msg && !strncmp(msg, "permission denied", 17);

		errf(c, "%s", msg ? msg : "request failed (sfcd gave no reason)");
		json_decref(r);   /* msg is r's */
		if (refused_peer)
			sfcd_close(c);
		return -2;
	}
	*reply = r;
	return 0;
}

int sfcd_get_doc(struct ctx *c, json_t **doc)
{
	json_t *req = json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_GET), *reply;
	int ret;

	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	if (ret)
		return -1;
	*doc = json_incref(json_object_get(reply, SFC_KEY_DOC));
	json_decref(reply);
	if (!json_is_object(*doc)) {
		json_decref(*doc);
		return errf(c, "sfcd sent no document");
	}
	return 0;
}

/* An object edit: sfcd phrases its refusals with names; print them as they are. */
int sfcd_edit(struct ctx *c, const char *op, const char *key, json_t *val)
{
	json_t *req = json_pack("{s:s,s:O}", SFC_KEY_CMD, op, key, val), *reply;
	int ret;

	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	print_warnings(reply);
	json_decref(reply);
	return ret ? -1 : 0;
}

/* Objects made by sfc-cni that an edit removed, interfaces sfcd could not
 * attach to: the daemon says which. */
void print_warnings(json_t *reply)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(reply, SFC_KEY_WARNINGS), i, w)
		fprintf(stderr, "sfcctl: warning: %s\n", json_string_value(w));
	/* the change is stored; these interfaces do not carry it (the
	 * error names the interface) */
	json_array_foreach(json_object_get(reply, SFC_KEY_ATTACH_FAILED), i, w)
		fprintf(stderr, "sfcctl: warning: not attached: %s\n",
			json_string_value(json_object_get(w, SFC_KEY_ERROR)));
}
