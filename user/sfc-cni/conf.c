// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The request configuration on stdin: versions, the keys sfc-cni reads,
 * the per-pod role, and prevResult: in the version the caller asked for,
 * and agreeing with the host end found.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "log.h"
#include "sfc_cni.h"

const char *const cni_supported_versions[] = { "0.4.0", "1.0.0", "1.1.0", NULL };

int cni_fail(struct cni_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->details[0] = '\0';
	return -1;
}

void cni_details(struct cni_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
}

bool cni_version_supported(const char *v)
{
	for (const char *const *s = cni_supported_versions; *s; s++)
		if (!strcmp(*s, v))
			return true;
	return false;
}

static int parse_semver(const char *v, int out[3])
{
	char tail;

	return sscanf(v, "%d.%d.%d%c", &out[0], &out[1], &out[2], &tail) == 3 ? 0 : -1;
}

/* <0, 0, >0 like strcmp; unparsable versions sort first. */
int cni_version_cmp(const char *a, const char *b)
{
	int va[3], vb[3];

	if (parse_semver(a, va))
		return parse_semver(b, vb) ? 0 : -1;
	if (parse_semver(b, vb))
		return 1;
	for (int i = 0; i < 3; i++)
		if (va[i] != vb[i])
			return va[i] < vb[i] ? -1 : 1;
	return 0;
}

static void supported_list(char *buf, size_t len)
{
	size_t off = 0;

	for (const char *const *s = cni_supported_versions; *s && off < len; s++)
		off += snprintf(buf + off, len - off, "%s\"%s\"", off ? ", " : "", *s);
}

/* A name the spec allows for networks and container ids. */
static bool cni_name_ok(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

int conf_load(const char *buf, size_t len, struct cni_conf *c, struct cni_error *e)
{
	json_t *v;
	json_error_t je;

	memset(c, 0, sizeof(*c));
	c->root = json_loadb(buf, len, 0, &je);
	if (!c->root)
		return cni_fail(e, CNI_ERR_DECODE, "error decoding network config: line %d "
				"column %d: %s", je.line, je.column, je.text);
	if (!json_is_object(c->root))
		return cni_fail(e, CNI_ERR_DECODE, "error decoding network config: "
				"expected a JSON object");

	/* The spec makes cniVersion mandatory; a configuration from before
	 * it existed is 0.1.0, which is what the reference library assumes. */
	v = json_object_get(c->root, "cniVersion");
	if (v && !json_is_string(v))
		return cni_fail(e, CNI_ERR_DECODE, "error decoding network config: "
				"\"cniVersion\" must be a string");
	c->version = v ? json_string_value(v) : "0.1.0";

	v = json_object_get(c->root, "name");
	if (v && !json_is_string(v))
		return cni_fail(e, CNI_ERR_DECODE, "error decoding network config: "
				"\"name\" must be a string");
	c->name = v ? json_string_value(v) : "";
	if (!c->name[0])
		return cni_fail(e, CNI_ERR_CONFIG, "missing network name");
	if (!cni_name_ok(c->name)) {
		cni_fail(e, CNI_ERR_CONFIG, "invalid characters found in network name");
		cni_details(e, "%s", c->name);
		return -1;
	}

	v = json_object_get(c->root, "socket");
	if (v && (!json_is_string(v) || json_string_value(v)[0] != '/'))
		return cni_fail(e, CNI_ERR_CONFIG, "\"socket\" must be an absolute path "
				"(default %s)", SFC_API_DEFAULT_SOCKET);
	c->socket = v ? json_string_value(v) : SFC_API_DEFAULT_SOCKET;
	if (strlen(c->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return cni_fail(e, CNI_ERR_CONFIG, "\"socket\": %s is longer than %zu characters",
				c->socket, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);

	v = json_object_get(c->root, "timeout");
	c->timeout_s = SFC_CNI_DEFAULT_TIMEOUT;
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 3600)
			return cni_fail(e, CNI_ERR_CONFIG, "\"timeout\" must be a number of "
					"seconds from 1 to 3600 (default %d)",
					SFC_CNI_DEFAULT_TIMEOUT);
		c->timeout_s = (int)json_integer_value(v);
	}

	v = json_object_get(c->root, "prevResult");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v))
			return cni_fail(e, CNI_ERR_DECODE, "error decoding network config: "
					"\"prevResult\" must be an object");
		c->prev_result = v;
	}
	return 0;
}

/* The version check of every command but VERSION; min is the first spec
 * version that has the command (CHECK 0.4.0, GC and STATUS 1.1.0). */
int conf_check_version(const struct cni_conf *c, const char *min, const char *cmd,
		       struct cni_error *e)
{
	char list[128];

	supported_list(list, sizeof(list));
	if (!cni_version_supported(c->version)) {
		cni_fail(e, CNI_ERR_VERSION, "incompatible CNI versions");
		cni_details(e, "config is \"%s\", plugin supports [%s]", c->version, list);
		return -1;
	}
	if (min && cni_version_cmp(c->version, min) < 0) {
		cni_fail(e, CNI_ERR_VERSION, "config version does not allow %s", cmd);
		cni_details(e, "%s needs cniVersion %s or later; config is \"%s\"", cmd, min,
			    c->version);
		return -1;
	}
	return 0;
}

const char *role_name(enum sfc_role r)
{
	switch (r) {
	case ROLE_NONE:
		return SFC_ROLE_NONE;
	case ROLE_SF:
		return SFC_ROLE_SF;
	case ROLE_INGRESS:
		return SFC_ROLE_INGRESS;
	default:
		return "unset";
	}
}

/* One source of per-pod values: role and sf, either may be NULL. */
static int take_role(struct cni_conf *c, const char *from, const char *role, const char *sf,
		     struct cni_error *e)
{
	if (role) {
		if (!strcmp(role, SFC_ROLE_SF))
			c->role = ROLE_SF;
		else if (!strcmp(role, SFC_ROLE_INGRESS))
			c->role = ROLE_INGRESS;
		else if (!strcmp(role, SFC_ROLE_NONE))
			c->role = ROLE_NONE;
		else
			return cni_fail(e, CNI_ERR_CONFIG, "%s: unknown role \"%s\" (expected "
					"\"sf\", \"ingress\" or \"none\")", from, role);
		snprintf(c->role_from, sizeof(c->role_from), "%s", from);
	}
	if (sf) {
		if (strlen(sf) >= sizeof(c->sf))
			return cni_fail(e, CNI_ERR_CONFIG, "%s: SF group \"%.40s...\" is too long",
					from, sf);
		strcpy(c->sf, sf);
	}
	return 0;
}

/* Strings under keys rk and sk of obj (absent: NULL; anything else: error). */
static int obj_strings(json_t *obj, const char *from, const char *rk, const char *sk,
		       const char **role, const char **sf, struct cni_error *e)
{
	json_t *r = json_object_get(obj, rk), *s = json_object_get(obj, sk);

	*role = *sf = NULL;
	if ((r && !json_is_string(r)) || (s && !json_is_string(s)))
		return cni_fail(e, CNI_ERR_CONFIG, "%s: \"%s\" and \"%s\" must be strings", from,
				rk, sk);
	*role = json_string_value(r);
	*sf = json_string_value(s);
	return 0;
}

static bool bool_arg(const char *v, bool *out)
{
	if (!strcasecmp(v, "1") || !strcasecmp(v, "true"))
		*out = true;
	else if (!strcasecmp(v, "0") || !strcasecmp(v, "false"))
		*out = false;
	else
		return false;
	return true;
}

/*
 * CNI_ARGS: "K=V;K=V". sfc-cni reads SFC_ROLE and SFC_SF, knows the keys
 * Kubernetes runtimes send, and refuses others unless IgnoreUnknown is 1
 * or true, as the reference library does.
 */
static int parse_cni_args(const char *args, char *role, char *sf, size_t len,
			  struct cni_error *e)
{
	static const char *const known[] = {
		"IgnoreUnknown", "SFC_ROLE", "SFC_SF", "K8S_POD_NAMESPACE", "K8S_POD_NAME",
		"K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID", NULL,
	};
	char *copy = strdup(args), *save = NULL, *pair, unknown[256] = "";
	bool ignore = false;
	int ret = 0;

	if (!copy)
		return cni_fail(e, SFC_CNI_ERR_INTERNAL, "out of memory");
	for (pair = strtok_r(copy, ";", &save); pair; pair = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(pair, '=');
		const char *const *k;

		if (!eq || eq == pair || strchr(eq + 1, '=')) {
			ret = cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: invalid pair \"%s\" (expected "
				       "KEY=VALUE;KEY=VALUE...)", pair);
			goto out;
		}
		*eq = '\0';
		for (k = known; *k && strcmp(*k, pair); k++)
			;
		if (!*k) {
			size_t n = strlen(unknown);

			snprintf(unknown + n, sizeof(unknown) - n, "%s\"%s\"", n ? ", " : "", pair);
		} else if (!strcmp(pair, "IgnoreUnknown")) {
			if (!bool_arg(eq + 1, &ignore)) {
				ret = cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: IgnoreUnknown=%s: expected "
					       "1, true, 0 or false", eq + 1);
				goto out;
			}
		} else if (!strcmp(pair, "SFC_ROLE")) {
			snprintf(role, len, "%s", eq + 1);
		} else if (!strcmp(pair, "SFC_SF")) {
			snprintf(sf, len, "%s", eq + 1);
		}
	}
	if (unknown[0] && !ignore)
		ret = cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: unknown keys %s (add IgnoreUnknown=1 to "
			       "pass keys meant for other plugins)", unknown);
out:
	free(copy);
	return ret;
}

static bool group_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 31 || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

/*
 * The role and SF group of this pod. Later sources win: the plugin's
 * configuration, CNI_ARGS (SFC_ROLE, SFC_SF), "args": {"cni": {"role",
 * "sf"}} (Multus' cni-args), then the pod's annotations sfc/role and sfc/sf
 * in runtimeConfig (containerd's io.kubernetes.cri.pod-annotations).
 */
int conf_resolve_role(struct cni_conf *c, const char *cni_args, struct cni_error *e)
{
	json_t *annot = json_object_get(json_object_get(c->root, "runtimeConfig"),
					SFC_CNI_ANNOTATIONS);
	json_t *args = json_object_get(json_object_get(c->root, "args"), "cni");
	char arole[64] = "", asf[64] = "";
	const char *role, *sf;

	c->role = ROLE_UNSET;
	c->sf[0] = '\0';
	if (obj_strings(c->root, "config", "role", "sf", &role, &sf, e) ||
	    take_role(c, "config", role, sf, e))
		return -1;
	if (cni_args && cni_args[0]) {
		if (parse_cni_args(cni_args, arole, asf, sizeof(arole), e) ||
		    take_role(c, "CNI_ARGS", arole[0] ? arole : NULL, asf[0] ? asf : NULL, e))
			return -1;
	}
	if (json_is_object(args) &&
	    (obj_strings(args, "args.cni", "role", "sf", &role, &sf, e) ||
	     take_role(c, "args.cni", role, sf, e)))
		return -1;
	if (json_is_object(annot) &&
	    (obj_strings(annot, "pod annotations", SFC_CNI_ANNOT_ROLE, SFC_CNI_ANNOT_SF, &role,
			 &sf, e) ||
	     take_role(c, "pod annotation " SFC_CNI_ANNOT_ROLE, role, sf, e)))
		return -1;

	if (c->role == ROLE_UNSET) {
		cni_fail(e, CNI_ERR_CONFIG, "no role for this pod");
		cni_details(e, "set \"role\" (\"sf\", \"ingress\" or \"none\") in the plugin's "
			    "configuration, in args.cni, in CNI_ARGS as SFC_ROLE, or in the pod "
			    "annotation %s", SFC_CNI_ANNOT_ROLE);
		return -1;
	}
	if (c->role == ROLE_SF && !c->sf[0]) {
		cni_fail(e, CNI_ERR_CONFIG, "role \"sf\" (from %s) needs the name of the SF group",
			 c->role_from);
		cni_details(e, "set \"sf\" in the plugin's configuration, in args.cni, in "
			    "CNI_ARGS as SFC_SF, or in the pod annotation %s", SFC_CNI_ANNOT_SF);
		return -1;
	}
	if (c->role == ROLE_SF && !group_name_ok(c->sf))
		return cni_fail(e, CNI_ERR_CONFIG, "SF group \"%s\": expected 1 to 31 letters, "
				"digits, '.', '_' or '-', starting with a letter or digit", c->sf);
	return 0;
}

static int version_family(const char *v)
{
	int n[3];

	if (parse_semver(v, n))
		return -1;
	if (n[0] == 0 && n[1] >= 3)
		return 0;       /* 0.3.0, 0.3.1, 0.4.0: the same result format */
	if (n[0] == 1)
		return 1;       /* 1.0.0, 1.1.0: no "version" in ips */
	return -1;
}

/*
 * prevResult as the result of this call: unchanged but for cniVersion,
 * which is the caller's, and the one field that differs between 0.x and
 * 1.x results should prevResult come in the other format.
 */
json_t *result_for_version(json_t *prev, const char *version, struct cni_error *e)
{
	json_t *from_v = json_object_get(prev, "cniVersion"), *r, *ips, *ip;
	const char *from = json_is_string(from_v) ? json_string_value(from_v) : version;
	int ff = version_family(from), tf = version_family(version);
	size_t i;

	if (ff < 0 || tf < 0) {
		cni_fail(e, CNI_ERR_VERSION, "cannot convert prevResult from version %s to %s",
			 from, version);
		return NULL;
	}
	r = json_deep_copy(prev);
	if (!r) {
		cni_fail(e, SFC_CNI_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	ips = json_object_get(r, "ips");
	if (ff != tf && json_is_array(ips)) {
		json_array_foreach(ips, i, ip) {
			const char *a = json_string_value(json_object_get(ip, "address"));

			if (!json_is_object(ip))
				continue;
			if (tf == 1)
				json_object_del(ip, "version");
			else if (a)
				json_object_set_new(ip, "version", json_string(strchr(a, ':') ?
									       "6" : "4"));
		}
	}
	json_object_set_new(r, "cniVersion", json_string(version));
	return r;
}

/*
 * prevResult lists the host end as an interface without "sandbox" (bridge
 * and ptp do). If it lists host interfaces and none is ours, the kernel and
 * the previous plugin disagree: refuse rather than attach the wrong one.
 */
int check_prev_result(json_t *prev, const struct host_end *h, const char *ifname,
		      struct cni_error *e)
{
	json_t *ifs = json_object_get(prev, "interfaces"), *i;
	char names[256] = "";
	size_t idx, off = 0;
	bool any = false;

	if (ifs && !json_is_array(ifs))
		return cni_fail(e, CNI_ERR_DECODE, "prevResult: \"interfaces\" must be an array");
	json_array_foreach(ifs, idx, i) {
		const char *name = json_string_value(json_object_get(i, "name"));
		const char *sb = json_string_value(json_object_get(i, "sandbox"));

		if (!name || (sb && sb[0]))
			continue;
		if (!strcmp(name, h->name))
			return 0;
		any = true;
		if (off < sizeof(names))
			off += snprintf(names + off, sizeof(names) - off, "%s%s", off ? ", " : "",
					name);
	}
	if (!any) {
		pr_warn("prevResult lists no host interface; using %s, the peer of %s\n", h->name,
			ifname);
		return 0;
	}
	cni_fail(e, SFC_CNI_ERR_LINK, "the peer of %s is %s, which prevResult does not list "
		 "(its host interfaces: %s)", ifname, h->name, names);
	return -1;
}
