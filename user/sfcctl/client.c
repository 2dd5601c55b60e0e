// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The connection to sfcd: one JSON request per line, one JSON reply per
 * line, on a unix stream socket kept open for a whole batch.
 */
#include <ctype.h>
#include <errno.h>
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

		errf(c, "%s", msg ? msg : "request failed (sfcd gave no reason)");
		json_decref(r);
		/* sfcd closes the connection after refusing a peer */
		if (msg && !strncmp(msg, "permission denied", 17))
			sfcd_close(c);
		return -2;
	}
	*reply = r;
	return 0;
}

int sfcd_get_doc(struct ctx *c, json_t **doc)
{
	json_t *req = json_pack("{s:s}", "cmd", "get"), *reply;
	int ret;

	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	if (ret)
		return -1;
	*doc = json_incref(json_object_get(reply, "doc"));
	json_decref(reply);
	if (!json_is_object(*doc)) {
		json_decref(*doc);
		return errf(c, "sfcd sent no document");
	}
	return 0;
}

/* Which document section an edit request touches. */
static const struct {
	const char *prefix, *section;
} edit_sections[] = {
	{ "ingress-", "ingress" }, { "sf-", "sfs" }, { "chain-", "chains" }, { "rule-", "rules" },
};

/*
 * The daemon validates the document it would get after the edit and names
 * the culprit by its JSON path ($.chains[3].hops[1][0]). Rebuild that
 * candidate document so the path can be told as chain "web": hop 2.
 */
static void edit_candidate(json_t *doc, const char *op, const char *key, json_t *val)
{
	const char *section = NULL;
	json_t *arr, *obj;
	size_t i;

	for (size_t s = 0; s < sizeof(edit_sections) / sizeof(edit_sections[0]); s++)
		if (!strncmp(op, edit_sections[s].prefix, strlen(edit_sections[s].prefix)))
			section = edit_sections[s].section;
	arr = section ? json_object_get(doc, section) : NULL;
	if (!json_is_array(arr))
		return;
	obj = json_is_object(val) ? json_deep_copy(val) : json_pack("{s:O}", key, val);
	if (strstr(op, "-add")) {
		json_object_set_new(obj, "$pending", json_true());
		json_array_append(arr, obj);
	} else if (strstr(op, "-set")) {
		json_t *name = json_object_get(obj, "name"), *v;

		json_array_foreach(arr, i, v)
			if (name && json_equal(json_object_get(v, "name"), name))
				json_object_update(v, obj);
	}
	json_decref(obj);
}

int sfcd_edit(struct ctx *c, const char *op, const char *key, json_t *val)
{
	json_t *req = json_pack("{s:s,s:O}", "cmd", op, key, val), *reply, *doc;
	char msg[SFCCTL_ERR_LEN], what[32];
	int ret;

	ret = sfcd_request(c, req, &reply);
	json_decref(req);
	json_decref(reply);
	if (ret != -2)
		return ret ? -1 : 0;
	if (c->err[0] != '$')
		return -1;
	snprintf(msg, sizeof(msg), "%s", c->err);
	if (sfcd_get_doc(c, &doc)) {
		errf(c, "%s", msg);
		return -1;
	}
	edit_candidate(doc, op, key, val);
	snprintf(what, sizeof(what), "%s", op);
	if (strchr(what, '-'))
		*strchr(what, '-') = ' ';
	translate_error(msg, doc, what, c->err, sizeof(c->err));
	json_decref(doc);
	return -1;
}

/* How to call an element of a document section in a message. */
static void label_item(const char *section, json_t *item, size_t idx, char *buf, size_t len,
		       const char *pending)
{
	const char *name = json_string_value(json_object_get(item, "name"));
	json_t *pref = json_object_get(item, "pref");

	if (!strcmp(section, "ingress")) {
		const char *dev = json_string_value(json_object_get(item, "dev"));

		if (dev)
			snprintf(buf, len, "ingress \"%s\"", dev);
		else
			snprintf(buf, len, "ingress #%zu", idx + 1);
	} else if (!strcmp(section, "rules")) {
		if (json_is_integer(pref))
			snprintf(buf, len, "rule pref %lld", (long long)json_integer_value(pref));
		else if (pending && json_object_get(item, "$pending"))
			/* "rule add" without pref: sfcd picks one */
			snprintf(buf, len, "%s", pending);
		else
			snprintf(buf, len, "rule #%zu", idx + 1);
	} else {
		const char *what = !strcmp(section, "sfs") ? "SF" :
				   !strcmp(section, "chains") ? "chain" : section;

		if (name)
			snprintf(buf, len, "%s \"%s\"", what, name);
		else
			snprintf(buf, len, "%s #%zu", what, idx + 1);
	}
}

static bool read_index(const char **p, size_t *idx)
{
	char *end;

	if (**p != '[' || !isdigit((unsigned char)(*p)[1]))
		return false;
	*idx = strtoul(*p + 1, &end, 10);
	if (*end != ']')
		return false;
	*p = end + 1;
	return true;
}

/*
 * "$.chains[0].hops[1][0]: no SF named \"ids9\"" ->
 * "chain \"web\": hop 2: no SF named \"ids9\"", looking the names up in doc.
 * A message without a path, or one this does not understand, is copied.
 */
void translate_error(const char *msg, json_t *doc, const char *pending, char *out, size_t len)
{
	const char *p = msg + 1, *section = NULL;
	char parts[512] = "", piece[160];
	size_t off = 0, idx;

	if (msg[0] != '$')
		goto verbatim;
	while (*p == '.' || *p == '[') {
		if (*p == '[') {
			if (!read_index(&p, &idx))
				goto verbatim;
			snprintf(piece, sizeof(piece), "[%zu]", idx);
		} else {
			const char *k = ++p;
			char key[64];

			while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
				p++;
			if (p == k || (size_t)(p - k) >= sizeof(key))
				goto verbatim;
			memcpy(key, k, p - k);
			key[p - k] = '\0';
			if (!section && read_index(&p, &idx)) {
				section = k;
				label_item(key, json_array_get(json_object_get(doc, key), idx), idx,
					   piece, sizeof(piece), pending);
			} else if (section && !strcmp(key, "hops") && read_index(&p, &idx)) {
				snprintf(piece, sizeof(piece), "hop %zu", idx + 1);
				/* the SF within the hop: the message names it */
				while (read_index(&p, &idx))
					;
			} else {
				snprintf(piece, sizeof(piece), "%s", key);
			}
		}
		off += snprintf(parts + off, sizeof(parts) - off, "%s%s", off ? ": " : "", piece);
		if (off >= sizeof(parts))
			goto verbatim;
	}
	if (strncmp(p, ": ", 2))
		goto verbatim;
	snprintf(out, len, "%s%s", off ? parts : "document", p);
	return;
verbatim:
	if (out != msg)
		snprintf(out, len, "%s", msg);
}
