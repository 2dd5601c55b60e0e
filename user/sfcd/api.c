// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The API's requests (headers/sfc_api.h), dispatched by name through one
 * table: a request line in, a reply object out.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "model.h"
#include "sfc_api.h"
#include "sfcd.h"
#include "state.h"
#include "stats.h"

json_t *sfcd_error_reply(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s}", SFC_KEY_OK, 0, SFC_KEY_ERROR, msg);
}

static json_t *health(struct sfcd *d)
{
	struct sfc_config cfg = {};
	__u32 zero = 0;
	json_t *r;

	bpf_map_lookup_elem(d->dp->maps.config, &zero, &cfg);
	r = json_pack("{s:b,s:i,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:I}", "ok", 1, "pid", (int)getpid(),
		      "generation", (json_int_t)cfg.generation,
		      "reconciles", (json_int_t)d->reconciles,
		      "netlink_events", (json_int_t)d->nl_events,
		      "netlink_overruns", (json_int_t)d->nl_overruns,
		      "pin_dir", d->pin_dir, "state_file", d->state_path,
		      "clients", (json_int_t)sfcd_server_clients(),
		      "clients_dropped", (json_int_t)d->clients_dropped);
	/* a SIGHUP that could not load the state file, until a load or commit works */
	if (d->reload_error[0]) {
		char when[32];

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&d->reload_error_time));
		json_object_set_new(r, "reload_error", json_pack("{s:s,s:s,s:I}", "error",
				    d->reload_error, "time", when,
				    "unix_time", (json_int_t)d->reload_error_time));
	}
	return r;
}

static json_t *do_apply(struct sfcd *d, const char *cmd, json_t *req)
{
	json_t *doc = json_object_get(req, "doc"), *diff;
	int dry = json_is_true(json_object_get(req, "dry-run"));
	struct sfc_doc parsed;
	char err[1024];

	if (!doc)
		return sfcd_error_reply("apply needs \"doc\"");
	doc = json_deep_copy(doc);
	sfc_state_fill_defaults(doc);
	diff = sfc_state_diff(d->doc, doc);
	if (dry || sfc_state_diff_empty(diff)) {
		/* Nothing is committed, so validate here; a commit does it. */
		int bad = sfc_doc_from_json(doc, &parsed, err, sizeof(err));

		json_decref(doc);
		if (bad) {
			json_decref(diff);
			return sfcd_error_reply("%s", err);
		}
		sfc_doc_free(&parsed);
		return json_pack("{s:b,s:o,s:b}", "ok", 1, "diff", diff, "applied", 0);
	}
	if (sfcd_commit(d, doc, err, sizeof(err))) {
		json_decref(diff);
		return sfcd_error_reply("%s", err);
	}
	return json_pack("{s:b,s:o,s:b}", "ok", 1, "diff", diff, "applied", 1);
}

static json_t *do_edit(struct sfcd *d, const char *op, json_t *req)
{
	json_t *doc = json_deep_copy(d->doc), *reply, *rules;
	char err[1024];

	if (sfc_state_edit(doc, op, req, err, sizeof(err))) {
		json_decref(doc);
		return sfcd_error_reply("%s", err);
	}
	rules = json_object_get(doc, "rules");
	reply = json_pack("{s:b}", "ok", 1);
	/* Tell the client which pref a rule added without one got. */
	if (!strcmp(op, "rule-add") && json_array_size(rules))
		json_object_set(reply, "pref", json_object_get(
			json_array_get(rules, json_array_size(rules) - 1), "pref"));
	if (sfcd_commit(d, doc, err, sizeof(err))) {
		json_decref(reply);
		return sfcd_error_reply("%s", err);
	}
	return reply;
}

static json_t *do_stats(struct sfcd *d, const char *cmd, json_t *req)
{
	json_t *st;

	if (json_is_true(json_object_get(req, "reset"))) {
		const char *chain = json_string_value(json_object_get(req, "chain"));
		const char *sf = json_string_value(json_object_get(req, "sf"));
		int err = sfc_stats_reset(d->dp, chain, sf);

		if (err == -ENOENT)
			return sfcd_error_reply("no %s named \"%s\"", chain ? "chain" : "SF",
					   chain ? chain : sf);
		if (err)
			return sfcd_error_reply("reset failed: %s", strerror(-err));
		return json_pack("{s:b}", "ok", 1);
	}
	st = sfc_stats_json(d->dp);
	if (!st)
		return sfcd_error_reply("reading statistics: %s", strerror(errno));
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
		return sfcd_error_reply("%s needs \"network\"", cmd);
	if (strcmp(cmd, "gc") && (!cid || !ifn))
		return sfcd_error_reply("%s needs \"container\" and \"ifname\"", cmd);
	if (!strcmp(cmd, "check")) {
		struct sfc_iface v;
		const char *dev;
		__u32 ifindex, id = 0;

		found = sfc_state_find_attachment(d->doc, net, cid, ifn);
		if (!found)
			return sfcd_error_reply("no attachment for network \"%s\", container \"%s\", "
					   "interface \"%s\"", net, cid, ifn);
		dev = json_string_value(json_object_get(found, "dev"));
		ifindex = if_nametoindex(dev);
		if (!ifindex)
			return sfcd_error_reply("interface %s of the attachment does not exist", dev);
		if (bpf_map_lookup_elem(d->dp->maps.ifaces, &ifindex, &v) ||
		    bpf_xdp_query_id(ifindex, 0, &id) || id != d->dp->prog_ids[0])
			return sfcd_error_reply("sfc is not attached to %s", dev);
		return json_pack("{s:b}", "ok", 1);
	}
	doc = json_deep_copy(d->doc);
	if (!strcmp(cmd, "attach")) {
		if (sfc_state_attach(doc, req, err, sizeof(err))) {
			json_decref(doc);
			return sfcd_error_reply("%s", err);
		}
	} else if (!strcmp(cmd, "detach")) {
		n = sfc_state_detach(doc, net, cid, ifn);
		if (!n) {
			json_decref(doc);
			return json_pack("{s:b,s:i}", "ok", 1, "removed", 0);
		}
		if (sfcd_commit(d, doc, err, sizeof(err)))
			return sfcd_error_reply("%s", err);
		return json_pack("{s:b,s:i}", "ok", 1, "removed", n);
	} else {
		json_t *valid = json_object_get(req, "valid");

		if (!json_is_array(valid)) {
			json_decref(doc);
			return sfcd_error_reply("gc needs \"valid\": [{\"container\":..., \"ifname\":...}]");
		}
		sfc_state_gc(doc, net, valid);
	}
	if (json_equal(doc, d->doc)) {
		json_decref(doc);
		return json_pack("{s:b}", "ok", 1);
	}
	if (sfcd_commit(d, doc, err, sizeof(err)))
		return sfcd_error_reply("%s", err);
	/* An attach that could not reach its interface is refused whole. */
	if (!strcmp(cmd, "attach") && attach_failed_on(d, json_string_value(json_object_get(req, "dev")))) {
		char why[160];

		snprintf(why, sizeof(why), "%s", d->last_attach_error);
		doc = json_deep_copy(d->doc);
		sfc_state_detach(doc, net, cid, ifn);
		if (sfcd_commit(d, doc, err, sizeof(err)))
			pr_warn("rolling back attach: %s\n", err);
		return sfcd_error_reply("%s", why);
	}
	return json_pack("{s:b}", "ok", 1);
}

typedef json_t *(*api_fn)(struct sfcd *d, const char *cmd, json_t *req);

static json_t *do_get(struct sfcd *d, const char *cmd, json_t *req)
{
	return json_pack("{s:b,s:O}", SFC_KEY_OK, 1, SFC_KEY_DOC, d->doc);
}

static json_t *do_health(struct sfcd *d, const char *cmd, json_t *req)
{
	return health(d);
}

static const struct {
	const char *name;
	api_fn fn;
} api[] = {
	{ SFC_REQ_GET, do_get },
	{ SFC_REQ_APPLY, do_apply },
	{ SFC_REQ_HEALTH, do_health },
	{ SFC_REQ_STATS, do_stats },
	{ SFC_REQ_INGRESS_ADD, do_edit },
	{ SFC_REQ_INGRESS_DEL, do_edit },
	{ SFC_REQ_SF_ADD, do_edit },
	{ SFC_REQ_SF_DEL, do_edit },
	{ SFC_REQ_CHAIN_ADD, do_edit },
	{ SFC_REQ_CHAIN_SET, do_edit },
	{ SFC_REQ_CHAIN_DEL, do_edit },
	{ SFC_REQ_RULE_ADD, do_edit },
	{ SFC_REQ_RULE_DEL, do_edit },
	{ SFC_REQ_ATTACH, do_cni },
	{ SFC_REQ_DETACH, do_cni },
	{ SFC_REQ_CHECK, do_cni },
	{ SFC_REQ_GC, do_cni },
};

json_t *sfcd_api_handle(struct sfcd *d, const char *line, size_t len)
{
	json_error_t je;
	json_t *req, *reply = NULL;
	const char *cmd;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!req)
		return sfcd_error_reply("malformed request: column %d: %s", je.column, je.text);
	cmd = json_string_value(json_object_get(req, SFC_KEY_CMD));
	if (!json_is_object(req) || !cmd) {
		json_decref(req);
		return sfcd_error_reply("a request is a JSON object with a string \"cmd\"");
	}
	for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++)
		if (!strcmp(cmd, api[i].name)) {
			reply = api[i].fn(d, cmd, req);
			break;
		}
	if (!reply)
		reply = sfcd_error_reply("unknown request \"%s\"", cmd);
	json_decref(req);
	return reply;
}
