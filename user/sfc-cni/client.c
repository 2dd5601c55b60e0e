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

#include "jsonl.h"
#include "sfc_api.h"
#include "sfc_cni.h"

#define REPLY_MAX      (1u << 20)
#define BUSY_RETRIES   5        /* "too many clients": sfcd serves 256 at a time */

static int connect_sfcd(const struct cni_conf *c, struct cni_error *e)
{
	int fd = sfc_jsonl_connect(c->socket, c->timeout_s);   /* length checked in conf_load */

	if (fd >= 0)
		return fd;
	if (fd == -EACCES || fd == -EPERM) {
		cni_fail(e, SFC_CNI_ERR_SFCD, "%s: permission denied", c->socket);
		cni_details(e, "sfcd serves root and members of group \"" SFC_API_GROUP "\"");
		return SFCD_REFUSED;
	}
	cni_fail(e, CNI_ERR_TRY_AGAIN, "cannot reach sfcd at %s: %s", c->socket, strerror(-fd));
	cni_details(e, "is sfcd running? The plugin's \"socket\" key names its API "
		    "socket (default %s)", SFC_API_DEFAULT_SOCKET);
	return SFCD_UNREACHABLE;
}

static int call_once(const struct cni_conf *c, json_t *req, json_t **reply,
		     struct cni_error *e)
{
	struct sfc_jsonl_reader rd = { .max = REPLY_MAX };
	json_error_t je;
	json_t *r = NULL, *ok;
	ssize_t len = 0;
	int fd, err;

	*reply = NULL;
	fd = connect_sfcd(c, e);
	if (fd < 0)
		return fd;
	err = sfc_jsonl_send(fd, req);
	/* A refused peer gets one line, then a closed socket: read it even
	 * when the send failed. */
	if (!err || err == -EPIPE || err == -ECONNRESET) {
		len = sfc_jsonl_read_line(fd, &rd);
		err = len < 0 ? (int)len : 0;
	}
	close(fd);
	if (!err)
		r = json_loadb(rd.buf, len, 0, &je);
	sfc_jsonl_reader_free(&rd);
	if (err == -EAGAIN) {
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
	ok = json_object_get(r, SFC_KEY_OK);
	if (!json_is_object(r) || !json_is_boolean(ok)) {
		json_decref(r);
		return cni_fail(e, SFC_CNI_ERR_SFCD, "sfcd at %s sent a malformed reply", c->socket);
	}
	if (json_is_false(ok)) {
		const char *msg = json_string_value(json_object_get(r, SFC_KEY_ERROR));

		cni_fail(e, SFC_CNI_ERR_SFCD, "sfcd: %s", msg ? msg : "request refused, no reason");
		if (msg && !strncmp(msg, "too many clients", 16))
			e->code = CNI_ERR_TRY_AGAIN;
		if (json_is_true(json_object_get(r, SFC_KEY_MISMATCH))) {
			e->code = SFC_CNI_ERR_MISMATCH;
			cni_details(e, "sfcd holds what the last ADD asked for; the configuration, or "
				    "a per-pod source of the role (CNI_ARGS, args.cni, the pod's "
				    "annotations), or the pod's veth changed since. DEL and ADD the "
				    "pod again to attach it as configured.");
		}
		json_decref(r);
		return SFCD_REFUSED;
	}
	*reply = r;
	return SFCD_OK;
}

/*
 * Returns SFCD_OK with *reply set, SFCD_UNREACHABLE (e: code 11) when sfcd
 * could not be asked or did not answer in time, SFCD_REFUSED (e: code 100,
 * 11 when it is only busy, 102 when a check found the attachment differing)
 * when it answered ok:false.
 */
int sfcd_call(const struct cni_conf *c, json_t *req, json_t **reply, struct cni_error *e)
{
	int ret;

	*reply = NULL;
	for (int attempt = 1;; attempt++) {
		ret = call_once(c, req, reply, e);
		if (ret != SFCD_REFUSED || e->code != CNI_ERR_TRY_AGAIN || attempt == BUSY_RETRIES)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 100000000L * attempt }, NULL);
	}
	return ret;
}
