// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfc-cni: the CNI protocol. The runtime runs it with CNI_COMMAND and the
 * other CNI_* variables set and the request configuration on stdin; it
 * answers on stdout with a result, or with an error object and exit status
 * 1. Logs go to stderr only. cni_run() is all of it but the process: main.c
 * gives it the environment, stdin and stdout.
 *
 *	ADD      prevResult unchanged, after sfcd attached the pod's host end
 *	         and says the datapath is in place
 *	DEL      sfcd detaches; needs neither the netns nor the veth
 *	CHECK    the host end is still the pod's peer, and sfcd holds the
 *	         attachment this configuration asks for, in place
 *	GC       sfcd drops this network's attachments not listed as valid
 *	STATUS   sfcd answers health (50: unreachable, 51: unhealthy)
 *	VERSION  the spec versions supported
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sfc_cni.h"
#include "text.h"

#define VERIFY_TRIES    10
#define VERIFY_PAUSE_NS 150000000L   /* 10 x 150 ms: at most 1.5 s */

struct command {
	const char *name;
	const char *required[4];    /* environment variables besides CNI_COMMAND */
	const char *min_version;    /* the first spec version that has it */
	int (*fn)(const struct cni_env *env, struct cni_conf *c, FILE *out, struct cni_error *e);
};

static int print_json(FILE *out, json_t *j, struct cni_error *e)
{
	char *s = json_dumps(j, JSON_INDENT(4));

	if (!s)
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "cannot encode the result");
	if (fprintf(out, "%s\n", s) < 0 || fflush(out)) {
		free(s);
		return cni_fail(e, CNI_ERR_IO, "writing the result: %s", strerror(errno));
	}
	free(s);
	return 0;
}

static json_t *attach_key(const char *cmd, const struct cni_env *env, const struct cni_conf *c)
{
	return json_pack("{s:s,s:s,s:s,s:s}", SFC_KEY_CMD, cmd, SFC_KEY_NETWORK, c->name,
			 SFC_KEY_CONTAINER, env->containerid, SFC_KEY_IFNAME, env->ifname);
}

/* cmd "attach" or "check" for this pod's role (and SF group) on host
 * interface dev (NULL for role none). sfcd's check compares all of them
 * with the attachment it holds. */
static json_t *attach_req(const char *cmd, const struct cni_env *env, const struct cni_conf *c,
			  const char *dev)
{
	json_t *req = attach_key(cmd, env, c);

	if (!req)
		return NULL;
	json_object_set_new(req, SFC_KEY_ROLE, json_string(role_name(c->role)));
	if (c->role == ROLE_SF)
		json_object_set_new(req, SFC_KEY_SF, json_string(c->sf));
	if (dev)
		json_object_set_new(req, SFC_KEY_DEV, json_string(dev));
	return req;
}

/* sfcd's answer to req, which is consumed: 0, or sfcd_call()'s SFCD_*
 * code (-1 for no memory) with e filled. */
static int ask_sfcd(const struct cni_conf *c, json_t *req, struct cni_error *e)
{
	json_t *reply;
	int ret;

	if (!req)
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "out of memory");
	ret = sfcd_call(c, req, &reply, e);
	json_decref(req);
	json_decref(reply);
	return ret;
}

static int need_prev_result(const struct cni_conf *c, const char *cmd, struct cni_error *e)
{
	if (c->prev_result)
		return 0;
	cni_fail(e, CNI_ERR_CONFIG, "sfc-cni is a chained plugin: %s needs prevResult", cmd);
	cni_details(e, "list sfc-cni after the plugin that makes the pod's veth (bridge, ptp, "
		    "...) in a network configuration list");
	return -1;
}

/*
 * sfcd holds this pod's attachment, with its role, group and host
 * interface dev, and its datapath is in place on dev. ADD succeeds only
 * when CHECK would: sfcd refuses an attach it cannot carry out, but the
 * interface can still vanish or be taken between its reply and now, and
 * CHECK may come right after ADD. So a refusal is asked again, allowing
 * sfcd a moment to converge; a mismatch (102) is not: it does not heal.
 */
static int verify_attached(const struct cni_env *env, const struct cni_conf *c, const char *dev,
			   struct cni_error *e)
{
	int ret;

	for (int attempt = 1;; attempt++) {
		ret = ask_sfcd(c, attach_req(SFC_REQ_CHECK, env, c, dev), e);
		if (ret != SFCD_REFUSED || e->code != SFC_CNI_ERR_SFCD || attempt == VERIFY_TRIES)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = VERIFY_PAUSE_NS }, NULL);
	}
	if (ret == SFCD_REFUSED && e->code == SFC_CNI_ERR_SFCD && !e->details[0])
		cni_details(e, "sfcd does not have the attachment in place (see sfcd's log); "
			    "the runtime's DEL removes what is left of it");
	return ret ? -1 : 0;
}

static int cmd_add(const struct cni_env *env, struct cni_conf *c, FILE *out,
		    struct cni_error *e)
{
	struct host_end h;
	json_t *result;
	int ret = -1;

	if (conf_resolve_role(c, env->args, e) || need_prev_result(c, "ADD", e))
		return -1;
	result = result_for_version(c->prev_result, c->version, e);
	if (!result)
		return -1;
	if (c->role != ROLE_NONE) {
		if (find_host_end(env->netns, env->ifname, &h, e) ||
		    check_prev_result(c->prev_result, &h, env->ifname, e) || check_qdiscs(&h, e))
			goto out;
		if (ask_sfcd(c, attach_req(SFC_REQ_ATTACH, env, c, h.name), e) ||
		    verify_attached(env, c, h.name, e))
			goto out;
	}
	ret = print_json(out, result, e);
out:
	json_decref(result);
	return ret;
}

/*
 * DEL needs only the attachment's key: no netns, no veth, no prevResult,
 * so it works after the pod is gone and when repeated (sfcd answers ok
 * when there is nothing to detach). An unreachable sfcd is "try again
 * later": the attachment is still there, and a DEL that lied would leave
 * it to the next GC. Unless this pod's role is "none": then there is
 * nothing sfc-cni could have attached.
 */
static int cmd_del(const struct cni_env *env, struct cni_conf *c, FILE *out,
		    struct cni_error *e)
{
	struct cni_error ignored;
	bool none = !conf_resolve_role(c, env->args, &ignored) && c->role == ROLE_NONE;
	int ret = ask_sfcd(c, attach_key(SFC_REQ_DETACH, env, c), e);

	if (ret == SFCD_UNREACHABLE && none)
		return 0;
	return ret ? -1 : 0;
}

/*
 * CHECK: prevResult is required (the spec has the runtime pass the final
 * result of ADD). The pod's CNI_IFNAME must still be a veth whose host
 * end prevResult lists, and sfcd must hold the attachment ADD would make
 * from this configuration: same role, same SF group, on that host end,
 * with its datapath in place. With role "none" sfcd must hold nothing
 * for the pod; if sfcd cannot be reached, nothing was expected of it.
 */
static int cmd_check(const struct cni_env *env, struct cni_conf *c, FILE *out,
		      struct cni_error *e)
{
	struct host_end h;
	int ret;

	if (conf_resolve_role(c, env->args, e) || need_prev_result(c, "CHECK", e))
		return -1;
	if (c->role == ROLE_NONE) {
		ret = ask_sfcd(c, attach_req(SFC_REQ_CHECK, env, c, NULL), e);
		if (ret == SFCD_UNREACHABLE && e->code == CNI_ERR_TRY_AGAIN)
			return 0;
		return ret ? -1 : 0;
	}
	if (find_host_end(env->netns, env->ifname, &h, e) ||
	    check_prev_result(c->prev_result, &h, env->ifname, e))
		return -1;
	return verify_attached(env, c, h.name, e);
}

static int cmd_gc(const struct cni_env *env, struct cni_conf *c, FILE *out,
		   struct cni_error *e)
{
	const char *key = "cni.dev/valid-attachments";
	json_t *list = json_object_get(c->root, key), *valid, *a, *req;
	size_t i;

	if (!list) {
		key = "cni.dev/attachments";
		list = json_object_get(c->root, key);
	}
	if (!json_is_array(list))
		return cni_fail(e, CNI_ERR_CONFIG, "GC needs \"cni.dev/valid-attachments\": "
				"[{\"containerID\": ..., \"ifname\": ...}, ...]");
	valid = json_array();
	json_array_foreach(list, i, a) {
		json_t *cid = json_object_get(a, "containerID"), *ifn = json_object_get(a, "ifname");

		if (!json_is_string(cid) || !json_is_string(ifn)) {
			json_decref(valid);
			return cni_fail(e, CNI_ERR_CONFIG, "%s[%zu]: expected {\"containerID\": "
					"STRING, \"ifname\": STRING}", key, i);
		}
		json_array_append_new(valid, json_pack("{s:O,s:O}", SFC_KEY_CONTAINER, cid,
						       SFC_KEY_IFNAME, ifn));
	}
	req = json_pack("{s:s,s:s,s:o}", SFC_KEY_CMD, SFC_REQ_GC, SFC_KEY_NETWORK, c->name,
			SFC_KEY_VALID, valid);
	return ask_sfcd(c, req, e) ? -1 : 0;
}

static int cmd_status(const struct cni_env *env, struct cni_conf *c, FILE *out,
		       struct cni_error *e)
{
	int ret = ask_sfcd(c, json_pack("{s:s}", SFC_KEY_CMD, SFC_REQ_HEALTH), e);

	if (ret == SFCD_OK)
		return 0;
	/* Unreachable, busy or not allowed: no ADD can be served, but the
	 * datapath runs on from its pinned maps. sfcd that answers but says
	 * it is unwell may also be failing the pods it serves. */
	if (ret == SFCD_UNREACHABLE || e->code != SFC_CNI_ERR_SFCD ||
	    strstr(e->msg, "permission denied"))
		e->code = CNI_ERR_UNAVAILABLE;
	else
		e->code = CNI_ERR_LIMITED;
	return -1;
}

static const struct command commands[] = {
	{ "ADD", { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME" }, NULL, cmd_add },
	{ "DEL", { "CNI_CONTAINERID", "CNI_IFNAME" }, NULL, cmd_del },
	{ "CHECK", { "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME" }, "0.4.0", cmd_check },
	{ "GC", { "CNI_PATH" }, "1.1.0", cmd_gc },
	{ "STATUS", {}, "1.1.0", cmd_status },
	{ "VERSION", {}, NULL, NULL },
};

/* Container ids and interface names as the spec and the kernel allow. */
static int check_env_values(const struct command *cmd, const struct cni_env *env,
			    struct cni_error *e)
{
	const char *s;
	char why[96];

	for (const char *const *r = cmd->required; *r; r++) {
		if (!strcmp(*r, "CNI_CONTAINERID")) {
			s = env->containerid;
			if (!isalnum((unsigned char)*s))
				goto bad_id;
			for (s++; *s; s++)
				if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
					goto bad_id;
		} else if (!strcmp(*r, "CNI_IFNAME")) {
			if (sfc_ifname_check(env->ifname, why, sizeof(why)))
				return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME \"%s\": %s",
						env->ifname, why);
			/* sfcd's API is JSON: it could not be named there */
			if (!sfc_utf8_valid(env->ifname))
				return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME: interface name is "
						"not valid UTF-8");
		}
	}
	return 0;
bad_id:
	cni_fail(e, CNI_ERR_ENV, "CNI_CONTAINERID: invalid characters in container id");
	cni_details(e, "%s", env->containerid);
	return -1;
}

static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 65536;
	char *b = malloc(cap);

	*len = 0;
	if (!b)
		return -ENOMEM;
	for (;;) {
		size_t n = fread(b + *len, 1, cap - *len, f);

		*len += n;
		if (n == 0) {
			if (ferror(f)) {
				free(b);
				return -EIO;
			}
			break;
		}
		if (*len == cap) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
	}
	*buf = b;
	return 0;
}

/* The error object, always: bytes of the environment or of a message cut
 * to its buffer that are not UTF-8 would make it no JSON at all. */
static void print_error(FILE *out, struct cni_error *e, const char *version)
{
	json_t *j;

	sfc_utf8_fix(e->msg);
	sfc_utf8_fix(e->details);
	j = json_pack("{s:s,s:i,s:s}", "cniVersion", version, "code", e->code, "msg", e->msg);
	if (j && e->details[0])
		json_object_set_new(j, "details", json_string(e->details));
	if (j)
		print_json(out, j, &(struct cni_error){});
	json_decref(j);
	fprintf(stderr, "sfc-cni: %s%s%s\n", e->msg, e->details[0] ? ": " : "", e->details);
}

/* VERSION: whatever else is set (runtimes set dummies) does not matter. */
static int cmd_version(FILE *in, FILE *out, struct cni_error *e)
{
	json_t *conf = NULL, *v_out, *list = json_array();
	const char *v = SFC_CNI_LATEST;
	char *buf;
	size_t len;
	int ret;

	if (!isatty(fileno(in)) && !read_all(in, &buf, &len)) {
		conf = json_loadb(buf, len, 0, NULL);
		free(buf);
		if (json_is_string(json_object_get(conf, "cniVersion")))
			v = json_string_value(json_object_get(conf, "cniVersion"));
	}
	for (const char *const *s = cni_supported_versions; *s; s++)
		json_array_append_new(list, json_string(*s));
	v_out = json_pack("{s:s,s:o}", "cniVersion", v, "supportedVersions", list);
	ret = v_out ? print_json(out, v_out, e) : cni_fail(e, SFC_CNI_ERR_INTERNAL, "out of memory");
	json_decref(v_out);
	json_decref(conf);
	return ret;
}

/* The value of a CNI_* variable a command requires ("" when unset). */
static const char *env_value(const struct cni_env *env, const char *name)
{
	if (!strcmp(name, "CNI_CONTAINERID"))
		return env->containerid;
	if (!strcmp(name, "CNI_NETNS"))
		return env->netns;
	if (!strcmp(name, "CNI_IFNAME"))
		return env->ifname;
	if (!strcmp(name, "CNI_PATH"))
		return env->path;
	return "";
}

int cni_run(const struct cni_env *env, FILE *in, FILE *out)
{
	const struct command *cmd = NULL;
	struct cni_conf c = {};
	struct cni_error e = {};
	const char *version = SFC_CNI_LATEST;
	char missing[128] = "", *buf = NULL;
	size_t inlen, off = 0;
	int err;

	if (!env->command[0]) {
		fprintf(stderr, "sfc-cni: CNI plugin that makes a pod an SF instance or an ingress "
			"point of sfc (chained after bridge, ptp, ...)\n"
			"CNI protocol versions supported: 0.4.0, 1.0.0, 1.1.0\n");
		cni_fail(&e, CNI_ERR_ENV, "required env variables [CNI_COMMAND] missing");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, env->command))
			cmd = &commands[i];
	if (!cmd) {
		cni_fail(&e, CNI_ERR_ENV, "unknown CNI_COMMAND: %s", env->command);
		cni_details(&e, "expected ADD, DEL, CHECK, GC, STATUS or VERSION");
		goto fail;
	}
	if (!cmd->fn)
		return cmd_version(in, out, &e) ? 1 : 0;

	for (const char *const *r = cmd->required; *r; r++)
		if (!env_value(env, *r)[0])
			off += snprintf(missing + off, sizeof(missing) - off, "%s%s",
					off ? "," : "", *r);
	if (missing[0]) {
		cni_fail(&e, CNI_ERR_ENV, "required env variables [%s] missing", missing);
		goto fail;
	}
	if (check_env_values(cmd, env, &e))
		goto fail;

	err = read_all(in, &buf, &inlen);
	if (err) {
		cni_fail(&e, CNI_ERR_IO, "error reading from stdin: %s", strerror(-err));
		goto fail;
	}
	err = conf_load(buf, inlen, &c, &e);
	if (c.version && cni_version_supported(c.version))
		version = c.version;
	if (err || conf_check_version(&c, cmd->min_version, cmd->name, &e) ||
	    cmd->fn(env, &c, out, &e))
		goto fail;
	json_decref(c.root);
	free(buf);
	return 0;
fail:
	print_error(out, &e, version);
	json_decref(c.root);
	free(buf);
	return 1;
}
