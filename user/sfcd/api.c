// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The API's requests (headers/sfc_api.h), dispatched by name through one
 * table: a request line in, a reply object out. Over ~600 lines on
 * purpose: one handler per request beside the table that names them and
 * says which are read-only (answered during a long request); split, the
 * table and its handlers would drift apart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "model.h"
#include "path_pool.h"
#include "record.h"
#include "sfc_api.h"
#include "observe.h"
#include "sfcd.h"
#include "stats.h"
#include "jsonl.h"
#include "text.h"

json_t *sfcd_error_reply(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a long message is cut at 1023 bytes, maybe inside a character */
	sfc_utf8_fix(msg);
	return json_pack("{s:b,s:s}", SFC_KEY_OK, 0, SFC_KEY_ERROR, msg);
}

static json_t *health(struct sfcd *d)
{
	struct sfc_config cfg = {};
	__u32 zero = 0;
	json_t *r;

	bpf_map_lookup_elem(d->dp->maps.config, &zero, &cfg);
	r = json_pack("{s:b,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:I}", SFC_KEY_OK, 1,
		      SFC_KEY_PID, (int)getpid(),
		      SFC_KEY_GENERATION, (json_int_t)cfg.generation,
		      SFC_KEY_LINK_UPDATES, (json_int_t)d->link_updates,
		      SFC_KEY_LINK_UPDATES_APPLYING, (json_int_t)d->link_updates_early,
		      SFC_KEY_RECONCILES, (json_int_t)d->reconciles,
		      SFC_KEY_NETLINK_EVENTS, (json_int_t)d->nl_events,
		      SFC_KEY_NETLINK_OVERRUNS, (json_int_t)d->nl_overruns,
		      SFC_KEY_PIN_DIR, d->pin_dir, SFC_KEY_STATE_FILE, d->state_path,
		      SFC_KEY_CLIENTS, (json_int_t)sfcd_server_clients(),
		      SFC_KEY_CLIENTS_DROPPED, (json_int_t)d->clients_dropped);
	{
		const struct sfc_path_gc_stats *st = sfc_path_gc_stats(d->dp);
		unsigned int live, retired;

		sfc_path_count(d->dp, &live, &retired);
		json_object_set_new(r, SFC_KEY_PATHS, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
				    SFC_KEY_FLOW_IDLE_S, (json_int_t)(sfc_path_flow_idle_ms(d->dp) / 1000),
				    SFC_KEY_LIVE, (json_int_t)live,
				    SFC_KEY_RETIRED, (json_int_t)retired,
				    SFC_KEY_GC_PASSES, (json_int_t)st->passes,
				    SFC_KEY_FLOWS_AGED, (json_int_t)st->flows_aged,
				    SFC_KEY_FLOWS_ENDED, (json_int_t)st->flows_ended,
				    SFC_KEY_FLOWS_MIGRATED, (json_int_t)st->flows_migrated,
				    SFC_KEY_VERSIONS_FREED, (json_int_t)st->versions_freed));
	}
	{
		struct sfc_obs obs;

		sfc_obs_read(d->dp, &obs);
		json_object_set_new(r, SFC_KEY_MONITORS, json_integer(sfcd_trace_monitors()));
		json_object_set_new(r, SFC_KEY_SF_LATENCY,
				    json_boolean(obs.flags & SFC_OBS_LATENCY));
	}
	{
		unsigned int n[3];

		sfcd_probe_count(d, n);
		json_object_set_new(r, SFC_KEY_PROBES, json_pack("{s:I,s:I,s:I}",
				    "pending", (json_int_t)n[0], "up", (json_int_t)n[1],
				    "down", (json_int_t)n[2]));
	}
	/* a SIGHUP that could not load the state file, until a load or commit works */
	if (d->reload_error[0]) {
		char when[32];

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&d->reload_error_time));
		json_object_set_new(r, SFC_KEY_RELOAD_ERROR, json_pack("{s:s,s:s,s:I}",
				    SFC_KEY_ERROR, d->reload_error, SFC_KEY_TIME, when,
				    SFC_KEY_UNIX_TIME, (json_int_t)d->reload_error_time));
	}
	return r;
}

/*
 * next, validated here if it is not yet, becomes the desired state unless
 * it changes nothing (*committed says which). reply gets its warnings;
 * with warn, they list the CNI-made objects next drops too (a detach or
 * gc drops them on purpose).
 * Takes next over.
 */
/* The last commit's interfaces that sfc could not attach to, and those
 * missing, as reply keys. */
static void add_attach_results(const struct sfcd *d, json_t *reply)
{
	const struct sfc_apply_report *rep = &d->last_report;
	json_t *failed = json_array(), *missing = json_array();

	for (int i = 0; i < rep->nifaces; i++) {
		const struct sfc_iface_result *r = &rep->ifaces[i];

		if (r->outcome == SFC_IFACE_FAILED)
			json_array_append_new(failed, json_pack("{s:s,s:s}", SFC_KEY_DEV, r->dev,
								SFC_KEY_ERROR, r->error));
		else if (r->outcome == SFC_IFACE_MISSING)
			json_array_append_new(missing, json_string(r->dev));
	}
	if (json_array_size(failed))
		json_object_set(reply, SFC_KEY_ATTACH_FAILED, failed);
	if (json_array_size(missing))
		json_object_set(reply, SFC_KEY_ATTACH_MISSING, missing);
	json_decref(failed);
	json_decref(missing);
}

static json_t *commit_reply(struct sfcd *d, struct sfc_doc *next, json_t *reply, bool warn,
			    bool *committed)
{
	json_t *warnings = NULL, *diff;
	char err[1024];
	bool same;

	if (committed)
		*committed = false;

	if (!next->validated && sfc_doc_validate(next, &d->doc, err, sizeof(err)))
		goto refuse;
	diff = sfc_doc_diff(&d->doc, next);
	same = diff && sfc_doc_diff_empty(diff);
	json_decref(diff);
	if (same) {
		sfc_doc_free(next);
		return reply;
	}
	warnings = sfc_doc_warnings(&d->doc, next, warn);
	if (sfcd_commit(d, next, err, sizeof(err))) {
		json_decref(warnings);
		json_decref(reply);
		return sfcd_error_reply("%s", err);
	}
	if (warnings)
		json_object_set_new(reply, SFC_KEY_WARNINGS, warnings);
	add_attach_results(d, reply);
	if (committed)
		*committed = true;
	return reply;
refuse:
	sfc_doc_free(next);
	json_decref(reply);
	return sfcd_error_reply("%s", err);
}

static json_t *do_apply(struct sfcd *d, const char *cmd, json_t *req)
{
	json_t *doc = json_object_get(req, SFC_KEY_DOC), *diff, *reply, *warnings;
	bool dry = json_is_true(json_object_get(req, SFC_KEY_DRY_RUN)), applied;
	struct sfc_doc next;
	char err[1024];

	if (!doc)
		return sfcd_error_reply("apply needs \"doc\"");
	if (sfc_doc_parse(doc, &next, err, sizeof(err)))
		return sfcd_error_reply("%s", err);
	if (sfc_doc_validate(&next, &d->doc, err, sizeof(err))) {
		sfc_doc_free(&next);
		return sfcd_error_reply("%s", err);
	}
	diff = sfc_doc_diff(&d->doc, &next);
	if (!diff) {
		sfc_doc_free(&next);
		return sfcd_error_reply("apply: out of memory");
	}
	warnings = sfc_doc_warnings(&d->doc, &next, true);
	applied = !dry && !sfc_doc_diff_empty(diff);
	if (applied && sfcd_commit(d, &next, err, sizeof(err))) {
		json_decref(diff);
		json_decref(warnings);
		return sfcd_error_reply("%s", err);
	}
	sfc_doc_free(&next);
	reply = json_pack("{s:b,s:o,s:b}", SFC_KEY_OK, 1, SFC_KEY_DIFF, diff, SFC_KEY_APPLIED,
			  applied);
	if (warnings)
		json_object_set_new(reply, SFC_KEY_WARNINGS, warnings);
	if (applied)
		add_attach_results(d, reply);
	return reply;
}

/* --- object edits: one function per request, on a copy of the document */

typedef int (*edit_fn)(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		       char *err, size_t errlen);

/* A string argument of the request, or NULL with err set. */
static const char *arg_str(const char *cmd, json_t *req, const char *key, char *err,
			   size_t errlen)
{
	const char *v = json_string_value(json_object_get(req, key));

	if (!v)
		snprintf(err, errlen, "%s needs \"%s\" (a string)", cmd, key);
	return v;
}

static json_t *arg_obj(const char *cmd, json_t *req, const char *key, char *err,
		       size_t errlen)
{
	json_t *v = json_object_get(req, key);

	if (!json_is_object(v)) {
		snprintf(err, errlen, "%s needs \"%s\" (an object)", cmd, key);
		return NULL;
	}
	return v;
}

static int edit_ingress(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
			char *err, size_t errlen)
{
	const char *dev = arg_str(cmd, req, SFC_KEY_DEV, err, errlen);

	if (!dev)
		return -EINVAL;
	if (!strcmp(cmd, SFC_REQ_INGRESS_ADD))
		return sfc_edit_ingress_add(next, dev, err, errlen);
	return sfc_edit_ingress_del(next, dev, err, errlen);
}

static int edit_group(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		      char *err, size_t errlen)
{
	const char *name = arg_str(cmd, req, SFC_KEY_NAME, err, errlen);

	if (!name)
		return -EINVAL;
	if (!strcmp(cmd, SFC_REQ_GROUP_ADD))
		return sfc_edit_group_add(next, name, err, errlen);
	return sfc_edit_group_del(next, name, err, errlen);
}

static int edit_sf_add(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		       char *err, size_t errlen)
{
	json_t *v = arg_obj(cmd, req, SFC_KEY_SF, err, errlen);
	struct sfc_sf_cfg sf;

	if (!v || sfc_sf_from_json(v, &sf, err, errlen))
		return -EINVAL;
	return sfc_edit_sf_add(next, &sf, err, errlen);
}

/* sf-set: the keys given replace (only "weight" may be), the others stay */
static int edit_sf_set(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		       char *err, size_t errlen)
{
	json_t *v = arg_obj(cmd, req, SFC_KEY_SF, err, errlen);
	const struct sfc_sf_cfg *old;
	struct sfc_sf_cfg sf;
	const char *name;

	if (!v)
		return -EINVAL;
	name = json_string_value(json_object_get(v, SFC_KEY_NAME));
	if (!name) {
		snprintf(err, errlen, "%s needs \"%s\" with \"%s\" (a string)", cmd, SFC_KEY_SF,
			 SFC_KEY_NAME);
		return -EINVAL;
	}
	old = sfc_doc_sf(next, name);
	if (!old) {
		snprintf(err, errlen, "no SF named \"%s\"", name);
		return -ENOENT;
	}
	sf = *old;
	if (sfc_sf_set_from_json(v, &sf, err, errlen))
		return -EINVAL;
	return sfc_edit_sf_set(next, &sf, err, errlen);
}

static int edit_del(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		    char *err, size_t errlen)
{
	const char *name = arg_str(cmd, req, SFC_KEY_NAME, err, errlen);

	if (!name)
		return -EINVAL;
	if (!strcmp(cmd, SFC_REQ_SF_DEL))
		return sfc_edit_sf_del(next, name, err, errlen);
	return sfc_edit_chain_del(next, name, err, errlen);
}

static int edit_chain(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		      char *err, size_t errlen)
{
	json_t *v = arg_obj(cmd, req, SFC_KEY_CHAIN, err, errlen);
	const struct sfc_chain_cfg *old;
	struct sfc_chain_cfg c = {};
	const char *name;

	if (!v)
		return -EINVAL;
	if (!strcmp(cmd, SFC_REQ_CHAIN_ADD)) {
		if (sfc_chain_from_json(v, &c, false, err, errlen))
			return -EINVAL;
		return sfc_edit_chain_add(next, &c, err, errlen);
	}
	/* chain-set: the keys given replace, the others stay */
	name = json_string_value(json_object_get(v, SFC_KEY_NAME));
	old = name ? sfc_doc_chain(next, name) : NULL;
	if (!old) {
		snprintf(err, errlen, "no chain named \"%s\"", name ? name : "");
		return -ENOENT;
	}
	c = *old;
	if (sfc_chain_from_json(v, &c, true, err, errlen))
		return -EINVAL;
	return sfc_edit_chain_set(next, &c, err, errlen);
}

static int edit_rule(struct sfc_doc *next, const char *cmd, json_t *req, json_t *reply,
		     char *err, size_t errlen)
{
	json_t *v, *pref;
	struct sfc_rule_cfg r;
	char label[32];
	bool has_pref;
	int ret;

	if (!strcmp(cmd, SFC_REQ_RULE_DEL)) {
		pref = json_object_get(req, SFC_KEY_PREF);
		if (!json_is_integer(pref) || json_integer_value(pref) < 0 ||
		    json_integer_value(pref) > 0xffffffffLL) {
			snprintf(err, errlen, "%s needs \"pref\" (an integer)", cmd);
			return -EINVAL;
		}
		return sfc_edit_rule_del(next, json_integer_value(pref), err, errlen);
	}
	v = arg_obj(cmd, req, SFC_KEY_RULE, err, errlen);
	if (!v || sfc_rule_from_json(v, &r, "rule add", &has_pref, err, errlen))
		return -EINVAL;
	snprintf(label, sizeof(label), "rule pref %u", r.pref);
	ret = sfc_edit_rule_add(next, &r, !has_pref, has_pref ? label : "rule add", err, errlen);
	/* tell the client which pref a rule added without one got */
	if (!ret)
		json_object_set_new(reply, SFC_KEY_PREF, json_integer(r.pref));
	return ret;
}

static json_t *do_edit(struct sfcd *d, const char *cmd, json_t *req, edit_fn edit)
{
	json_t *reply = json_pack("{s:b}", SFC_KEY_OK, 1);
	struct sfc_doc next;
	char err[1024];

	if (!reply || sfc_doc_copy(&next, &d->doc)) {
		json_decref(reply);
		return sfcd_error_reply("%s: out of memory", cmd);
	}
	if (edit(&next, cmd, req, reply, err, sizeof(err))) {
		sfc_doc_free(&next);
		json_decref(reply);
		return sfcd_error_reply("%s", err);
	}
	return commit_reply(d, &next, reply, true, NULL);
}

static json_t *do_stats(struct sfcd *d, const char *cmd, json_t *req)
{
	json_t *st;

	if (json_is_true(json_object_get(req, SFC_KEY_RESET))) {
		const char *chain = json_string_value(json_object_get(req, SFC_KEY_CHAIN));
		const char *sf = json_string_value(json_object_get(req, SFC_KEY_SF));
		int err = sfc_stats_reset(d->dp, chain, sf);

		if (err == -ENOENT)
			return sfcd_error_reply("no %s named \"%s\"", chain ? "chain" : "SF",
					   chain ? chain : sf);
		if (err)
			return sfcd_error_reply("reset failed: %s", strerror(-err));
		return json_pack("{s:b}", SFC_KEY_OK, 1);
	}
	st = sfc_stats_json(d->dp);
	if (!st)
		return sfcd_error_reply("reading statistics: %s", strerror(errno));
	/* each probed SF's health as sfcd's probe sees it */
	{
		json_t *sfs = json_object_get(st, "sfs"), *row;
		size_t i;

		json_array_foreach(sfs, i, row) {
			json_t *pr = sfcd_probe_json(d, json_string_value(json_object_get(row,
									     "name")) ?: "");

			if (pr)
				json_object_set_new(row, "probe", pr);
		}
	}
	return json_pack("{s:b,s:o}", SFC_KEY_OK, 1, SFC_KEY_STATS, st);
}

/* Why the last commit could not attach to dev, or NULL if it could. */
static const char *attach_failure(const struct sfcd *d, const char *dev)
{
	const struct sfc_iface_result *r = sfc_apply_report_iface(&d->last_report, dev);

	return r && r->outcome == SFC_IFACE_FAILED ? r->error : NULL;
}

/* gc's valid list, [{container, ifname}], as keys; -EINVAL with err set */
static int cni_gc(struct sfc_doc *next, const char *net, json_t *valid, char *err,
		  size_t errlen)
{
	struct sfc_cni_key *keys;
	size_t i, n = 0;
	json_t *v;
	int ret;

	if (!json_is_array(valid)) {
		snprintf(err, errlen, "gc needs \"valid\": [{\"container\":..., \"ifname\":...}]");
		return -EINVAL;
	}
	keys = calloc(json_array_size(valid) + 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	json_array_foreach(valid, i, v) {
		const char *c = json_string_value(json_object_get(v, SFC_KEY_CONTAINER));
		const char *f = json_string_value(json_object_get(v, SFC_KEY_IFNAME));

		/* a key longer than any stored one matches nothing */
		if (!c || !f || strlen(c) >= sizeof(keys->container) || strlen(f) >= sizeof(keys->ifname))
			continue;
		strcpy(keys[n].container, c);
		strcpy(keys[n].ifname, f);
		n++;
	}
	ret = sfc_edit_cni_gc(next, net, keys, n);
	free(keys);
	return ret;
}

static json_t *cni_attach(struct sfcd *d, struct sfc_doc *next, json_t *req)
{
	const struct sfc_cni_attach a = {
		.network = json_string_value(json_object_get(req, SFC_KEY_NETWORK)),
		.container = json_string_value(json_object_get(req, SFC_KEY_CONTAINER)),
		.ifname = json_string_value(json_object_get(req, SFC_KEY_IFNAME)),
		.role = json_string_value(json_object_get(req, SFC_KEY_ROLE)),
		.dev = json_string_value(json_object_get(req, SFC_KEY_DEV)),
		.sf = json_string_value(json_object_get(req, SFC_KEY_SF)),
		.mac = json_string_value(json_object_get(req, SFC_KEY_MAC)),
	};
	char err[1024] = "", why[160];
	bool committed;
	json_t *reply;

	if (sfc_edit_cni_attach(next, &a, err, sizeof(err))) {
		sfc_doc_free(next);
		return sfcd_error_reply("%s", err);
	}
	reply = commit_reply(d, next, json_pack("{s:b}", SFC_KEY_OK, 1), true, &committed);
	if (!committed || !attach_failure(d, a.dev))
		return reply;
	/* an attach that could not reach its interface is refused whole */
	json_decref(reply);
	snprintf(why, sizeof(why), "%s", attach_failure(d, a.dev));
	if (sfc_doc_copy(next, &d->doc) ||
	    sfc_edit_cni_detach(next, a.network, a.container, a.ifname) < 0 ||
	    sfcd_commit(d, next, err, sizeof(err)))
		pr_warn("rolling back attach of %s: %s\n", a.dev, err);
	return sfcd_error_reply("%s", why);
}

/* Is sfc's tc filter, with its own program, on ifindex's ingress or egress? */
static bool tc_attached(const struct sfcd *d, int ifindex, bool egress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = SFC_TC_HANDLE, .priority = SFC_TC_PRIO);

	return !bpf_tc_query(&hook, &q) && q.prog_id == d->dp->prog_ids[egress ? 3 : 2];
}

/* Append one "what is X in sfcd, Y in the request" to buf. */
static void add_difference(char *buf, size_t len, const char *what, const char *held,
			   const char *asked, const char *where)
{
	size_t off = strlen(buf);

	snprintf(buf + off, len - off, "%s%s is \"%s\" in sfcd, \"%s\" %s", off ? "; " : "",
		 what, held, asked, where);
}

/*
 * CNI CHECK: the attachment sfcd holds for (network, container, ifname)
 * must be what the request describes, when it says: "role" (sf, ingress,
 * or none for no attachment at all), "sf" (the SF group) and "dev" (the
 * host end of the pod's veth, as the plugin found it). A difference is
 * a refusal with "mismatch": true, phrased with both values; then the
 * datapath must be on dev.
 */
static json_t *cni_check(struct sfcd *d, const char *net, const char *cid, const char *ifn,
			 json_t *req)
{
	const char *role = json_string_value(json_object_get(req, SFC_KEY_ROLE));
	const char *group = json_string_value(json_object_get(req, SFC_KEY_SF));
	const char *want_dev = json_string_value(json_object_get(req, SFC_KEY_DEV));
	const char *held_role, *held_group, *dev;
	struct sfc_attachment att;
	struct sfc_iface v;
	__u32 ifindex, id = 0;
	char diff[768] = "";
	json_t *reply;

	if (role && strcmp(role, SFC_ROLE_SF) && strcmp(role, SFC_ROLE_INGRESS) && strcmp(role, SFC_ROLE_NONE))
		return sfcd_error_reply("check: unknown role \"%s\" (expected \"sf\", "
					"\"ingress\" or \"none\")", role);
	if (sfc_doc_attachment(&d->doc, net, cid, ifn, &att)) {
		if (role && !strcmp(role, SFC_ROLE_NONE))
			return json_pack("{s:b}", SFC_KEY_OK, 1);
		return sfcd_error_reply("no attachment for network \"%s\", container \"%s\", "
					"interface \"%s\"", net, cid, ifn);
	}
	held_role = att.role;
	held_group = att.group[0] ? att.group : NULL;
	dev = att.dev;
	if (role && strcmp(role, held_role))
		add_difference(diff, sizeof(diff), "role", held_role, role, "in the configuration");
	else if (role && !strcmp(role, SFC_ROLE_SF) && group &&
		 (!held_group || strcmp(group, held_group)))
		add_difference(diff, sizeof(diff), "SF group", held_group ? held_group : "",
			       group, "in the configuration");
	if (want_dev && dev && strcmp(want_dev, dev) && !(role && !strcmp(role, SFC_ROLE_NONE)))
		add_difference(diff, sizeof(diff), "host interface", dev, want_dev,
			       "on the host (the peer of the pod's interface)");
	if (diff[0]) {
		reply = sfcd_error_reply("the attachment of container \"%s\", interface \"%s\" "
					 "to network \"%s\" differs: %s", cid, ifn, net, diff);
		json_object_set_new(reply, SFC_KEY_MISMATCH, json_true());
		return reply;
	}
	ifindex = dev ? if_nametoindex(dev) : 0;
	if (!ifindex)
		return sfcd_error_reply("interface %s of the attachment does not exist",
					dev ? dev : "(none)");
	/* steered at tc (a pod's veth, as a rule): no XDP program there */
	if (bpf_map_lookup_elem(d->dp->maps.ifaces, &ifindex, &v) ||
	    (!(v.flags & SFC_IF_TC_STEER) &&
	     (bpf_xdp_query_id(ifindex, 0, &id) || id != d->dp->prog_ids[0])))
		return sfcd_error_reply("sfc is not attached to %s", dev);
	/* Packets from a pod arrive as skbs: they are steered at tc, which
	 * no link event reports the loss of (a clsact qdisc deleted). */
	if (!tc_attached(d, ifindex, false))
		return sfcd_error_reply("sfc's tc program is not attached to %s (ingress)", dev);
	if (!strcmp(held_role, SFC_ROLE_INGRESS) && !tc_attached(d, ifindex, true))
		return sfcd_error_reply("sfc's tc program is not attached to %s (egress)", dev);
	return json_pack("{s:b}", SFC_KEY_OK, 1);
}

static json_t *do_cni(struct sfcd *d, const char *cmd, json_t *req)
{
	const char *net = json_string_value(json_object_get(req, SFC_KEY_NETWORK));
	const char *cid = json_string_value(json_object_get(req, SFC_KEY_CONTAINER));
	const char *ifn = json_string_value(json_object_get(req, SFC_KEY_IFNAME));
	struct sfc_doc next;
	char err[1024];
	int n;

	if (!net || !net[0])
		return sfcd_error_reply("%s needs \"network\"", cmd);
	if (strcmp(cmd, SFC_REQ_GC) && (!cid || !ifn))
		return sfcd_error_reply("%s needs \"container\" and \"ifname\"", cmd);
	if (!strcmp(cmd, SFC_REQ_CHECK))
		return cni_check(d, net, cid, ifn, req);
	if (sfc_doc_copy(&next, &d->doc))
		return sfcd_error_reply("%s: out of memory", cmd);
	if (!strcmp(cmd, SFC_REQ_ATTACH))
		return cni_attach(d, &next, req);
	if (!strcmp(cmd, SFC_REQ_DETACH)) {
		n = sfc_edit_cni_detach(&next, net, cid, ifn);
	} else {
		n = cni_gc(&next, net, json_object_get(req, SFC_KEY_VALID), err, sizeof(err));
		if (n == -EINVAL) {
			sfc_doc_free(&next);
			return sfcd_error_reply("%s", err);
		}
	}
	if (n <= 0) {
		sfc_doc_free(&next);
		if (n < 0)
			return sfcd_error_reply("%s: out of memory", cmd);
		return strcmp(cmd, SFC_REQ_DETACH) ? json_pack("{s:b}", SFC_KEY_OK, 1) :
			json_pack("{s:b,s:i}", SFC_KEY_OK, 1, SFC_KEY_REMOVED, 0);
	}
	return commit_reply(d, &next, strcmp(cmd, SFC_REQ_DETACH) ?
			    json_pack("{s:b}", SFC_KEY_OK, 1) :
			    json_pack("{s:b,s:i}", SFC_KEY_OK, 1, SFC_KEY_REMOVED, n), false, NULL);
}

typedef json_t *(*api_fn)(struct sfcd *d, const char *cmd, json_t *req);

static json_t *do_get(struct sfcd *d, const char *cmd, json_t *req)
{
	json_t *doc = sfc_doc_to_json(&d->doc);

	if (!doc)
		return sfcd_error_reply("get: out of memory");
	return json_pack("{s:b,s:o}", SFC_KEY_OK, 1, SFC_KEY_DOC, doc);
}

static json_t *do_health(struct sfcd *d, const char *cmd, json_t *req)
{
	return health(d);
}

/* The datapath's id of chain name, 0 when it has none. */
static __u32 chain_id_of(struct sfcd *d, const char *name)
{
	sfc_id_name *names = sfc_record_chain_names(d->dp);
	__u32 cid = 0;

	for (__u32 id = 1; names && id < SFC_MAX_CHAINS && !cid; id++)
		if (!strncmp(names[id], name, SFC_NAME_LEN))
			cid = id;
	free(names);
	return cid;
}

/* The flows of one chain's older versions (or of every chain's) move to
 * the current version: classified again at their next packet. */
static json_t *do_migrate(struct sfcd *d, const char *cmd, json_t *req)
{
	json_t *jc = json_object_get(req, SFC_KEY_CHAIN);
	const char *name = json_string_value(jc);
	__u32 cid = 0;
	long n;

	if (jc && !name)
		return sfcd_error_reply("%s: \"%s\" is a chain name (a string)", cmd, SFC_KEY_CHAIN);
	if (name) {
		if (!sfc_doc_chain(&d->doc, name))
			return sfcd_error_reply("%s: no chain \"%s\"", cmd, name);
		cid = chain_id_of(d, name);
		if (!cid)
			return sfcd_error_reply("%s: chain \"%s\" is not in the datapath", cmd, name);
	}
	n = sfc_path_migrate(d->dp, cid);
	if (n < 0)
		return sfcd_error_reply("%s: %s", cmd, strerror((int)-n));
	return json_pack("{s:b,s:I}", SFC_KEY_OK, 1, SFC_KEY_MIGRATED, (json_int_t)n);
}

/* The asking connection becomes a stream of trace events (trace.c). */
static json_t *do_monitor(struct sfcd *d, const char *cmd, json_t *req)
{
	char err[256];

	if (sfcd_trace_start(d, d->asking, req, err, sizeof(err)))
		return sfcd_error_reply("%s", err);
	return json_pack("{s:b}", SFC_KEY_OK, 1);
}

/* At a yield point of a long request: a request that only reads, and
 * quickly, is answered from the document committed before it (and the
 * live maps). A dry run reads only too, but is as long as an apply. */
static bool reads(json_t *req)
{
	return true;
}

static bool stats_reads(json_t *req)
{
	return !json_is_true(json_object_get(req, SFC_KEY_RESET));
}

/* Requests: a handler, or an edit of the document (fn NULL); early: may a
 * yield point of a long request answer it (NULL: it waits its turn)? */
static const struct {
	const char *name;
	api_fn fn;
	edit_fn edit;
	bool (*early)(json_t *req);
} api[] = {
	{ SFC_REQ_GET, do_get, NULL, reads },
	{ SFC_REQ_APPLY, do_apply, NULL, NULL },
	{ SFC_REQ_HEALTH, do_health, NULL, reads },
	{ SFC_REQ_STATS, do_stats, NULL, stats_reads },
	{ SFC_REQ_INGRESS_ADD, NULL, edit_ingress, NULL },
	{ SFC_REQ_INGRESS_DEL, NULL, edit_ingress, NULL },
	{ SFC_REQ_GROUP_ADD, NULL, edit_group, NULL },
	{ SFC_REQ_GROUP_DEL, NULL, edit_group, NULL },
	{ SFC_REQ_SF_ADD, NULL, edit_sf_add, NULL },
	{ SFC_REQ_SF_SET, NULL, edit_sf_set, NULL },
	{ SFC_REQ_SF_DEL, NULL, edit_del, NULL },
	{ SFC_REQ_CHAIN_ADD, NULL, edit_chain, NULL },
	{ SFC_REQ_CHAIN_SET, NULL, edit_chain, NULL },
	{ SFC_REQ_CHAIN_DEL, NULL, edit_del, NULL },
	{ SFC_REQ_RULE_ADD, NULL, edit_rule, NULL },
	{ SFC_REQ_RULE_DEL, NULL, edit_rule, NULL },
	{ SFC_REQ_ATTACH, do_cni, NULL, NULL },
	{ SFC_REQ_DETACH, do_cni, NULL, NULL },
	{ SFC_REQ_CHECK, do_cni, NULL, reads },
	{ SFC_REQ_GC, do_cni, NULL, NULL },
	{ SFC_REQ_MIGRATE, do_migrate, NULL, NULL },
	{ SFC_REQ_MONITOR, do_monitor, NULL, NULL },
};

/* early: NULL for a request that must wait its turn */
static json_t *handle(struct sfcd *d, const char *line, size_t len, bool early)
{
	json_error_t je;
	json_t *req, *reply = NULL;
	const char *cmd;

	req = sfc_json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!req)
		return sfcd_error_reply("malformed request: column %d: %s", je.column, je.text);
	cmd = json_string_value(json_object_get(req, SFC_KEY_CMD));
	if (!json_is_object(req) || !cmd) {
		json_decref(req);
		return sfcd_error_reply("a request is a JSON object with a string \"cmd\"");
	}
	for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
		if (strcmp(cmd, api[i].name))
			continue;
		if (early && !(api[i].early && api[i].early(req))) {
			json_decref(req);
			return NULL;
		}
		reply = api[i].fn ? api[i].fn(d, cmd, req) : do_edit(d, cmd, req, api[i].edit);
		break;
	}
	if (!reply)
		reply = sfcd_error_reply("unknown request \"%s\"", cmd);
	json_decref(req);
	return reply;
}

json_t *sfcd_api_handle(struct sfcd *d, const char *line, size_t len)
{
	return handle(d, line, len, false);
}

json_t *sfcd_api_handle_early(struct sfcd *d, const char *line, size_t len)
{
	return handle(d, line, len, true);
}
