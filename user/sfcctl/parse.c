// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Keyword tables: parsing, validation and the help text made from them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <arpa/inet.h>

#include "model.h"      /* the probe's forms: sfc_probe_parse() */
#include "text.h"
#include "sfc_abi.h"
#include "sfcctl.h"

static const struct kw *kw_find(const struct kw *kws, const char *name)
{
	for (; kws && kws->name; kws++)
		if (!strcmp(kws->name, name))
			return kws;
	return NULL;
}

/* "pref, in-dev, src" */
static void kw_list(const struct kw *kws, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; kws && kws->name && off < len; kws++)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", kws->name);
}

/* "drop|bypass", or the placeholder; "MAC|none" with KW_NONE */
static const char *kw_meta(const struct kw *k, char *buf, size_t len)
{
	size_t off = 0;

	if (k->type == KW_BOOL)
		return "on|off";
	if (k->flags & KW_NONE) {
		snprintf(buf, len, "%s|none", k->meta ? k->meta : "VALUE");
		return buf;
	}
	if (k->type != KW_CHOICE)
		return k->meta ? k->meta : "VALUE";
	buf[0] = '\0';
	for (const char *const *ch = k->choices; *ch && off < len; ch++)
		off += snprintf(buf + off, len - off, "%s%s", off ? "|" : "", *ch);
	return buf;
}

/* "drop", "drop or bypass", "a, b or c" */
static void choice_list(const char *const *ch, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; ch[i] && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", !i ? "" : ch[i + 1] ? ", " : " or ",
				ch[i]);
}

int check_name(struct ctx *c, const char *what, const char *label, const char *s)
{
	char why[160];

	if (sfc_name_check(s, why, sizeof(why)))
		return errf(c, "%s: %s \"%s\": %s", what, label, s, why);
	return 0;
}

/* One value: a JSON value or an error naming the token. */
static json_t *kw_value(struct ctx *c, const char *what, const struct kw *k, const char *v)
{
	struct sfc_prefix pfx;
	__u8 mac[6];
	char buf[128];
	int err;

	switch (k->type) {
	case KW_FLAG:
		return json_true();
	case KW_NAME:
		if (check_name(c, what, k->name, v))
			return NULL;
		return json_string(v);
	case KW_IFNAME:
		if (sfc_ifname_check(v, buf, sizeof(buf))) {
			errf(c, "%s: %s \"%s\": %s", what, k->name, v, buf);
			return NULL;
		}
		return json_string(v);
	case KW_UINT: {
		unsigned long long n;
		char *end;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno || end == v || *end || !isdigit((unsigned char)v[0]) ||
		    (long long)n < k->min || (long long)n > k->max) {
			errf(c, "%s: %s \"%s\": expected an integer from %lld to %lld", what,
			     k->name, v, k->min, k->max);
			return NULL;
		}
		return json_integer(n);
	}
	case KW_CHOICE:
		for (const char *const *ch = k->choices; *ch; ch++)
			if (!strcmp(*ch, v))
				return json_string(v);
		choice_list(k->choices, buf, sizeof(buf));
		errf(c, "%s: %s \"%s\": expected %s", what, k->name, v, buf);
		return NULL;
	case KW_PREFIX:
		err = sfc_parse_prefix(v, &pfx);
		if (err == -ERANGE) {
			errf(c, "%s: %s \"%s\": host bits are set beyond the prefix length", what,
			     k->name, v);
			return NULL;
		}
		if (err) {
			errf(c, "%s: %s \"%s\": expected an IPv4 or IPv6 prefix "
			     "(198.18.0.0/24, 2001:db8::/64)", what, k->name, v);
			return NULL;
		}
		return json_string(v);
	case KW_PROTO:
		if (sfc_parse_proto(v) < 0) {
			errf(c, "%s: %s \"%s\": expected tcp, udp, sctp, icmp, icmpv6 or 0-255",
			     what, k->name, v);
			return NULL;
		}
		return json_string(v);
	case KW_PORTS: {
		__u16 lo, hi;

		if (sfc_parse_ports(v, &lo, &hi, buf, sizeof(buf))) {
			errf(c, "%s: %s \"%s\": %s", what, k->name, v, buf);
			return NULL;
		}
		return json_string(v);
	}
	case KW_MAC:
		if (sfc_parse_mac(v, mac)) {
			errf(c, "%s: %s \"%s\": expected a MAC address (aa:bb:cc:dd:ee:ff)", what,
			     k->name, v);
			return NULL;
		}
		if (sfc_mac_check_unicast(mac, buf, sizeof(buf))) {
			errf(c, "%s: %s \"%s\": %s", what, k->name, v, buf);
			return NULL;
		}
		return json_string(v);
	case KW_ADDR: {
		__u8 a[16];
		int family;

		if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1) {
			errf(c, "%s: %s \"%s\": expected an IPv4 or IPv6 address", what, k->name, v);
			return NULL;
		}
		/* the document's check: unicast */
		if (sfc_probe_addr_parse(v, &family, a, buf, sizeof(buf))) {
			errf(c, "%s: %s \"%s\": %s", what, k->name, v, buf);
			return NULL;
		}
		return json_string(v);
	}
	case KW_BOOL:
		if (!strcmp(v, "on") || !strcmp(v, "off"))
			return json_boolean(!strcmp(v, "on"));
		errf(c, "%s: %s \"%s\": expected on or off", what, k->name, v);
		return NULL;
	case KW_PATH:
		if (!v[0]) {
			errf(c, "%s: %s: expected a file name", what, k->name);
			return NULL;
		}
		return json_string(v);
	case KW_HOP:
	case KW_TAP:
	case KW_PROBE:
		break;
	}
	return NULL;
}

/* "icmp" "198.18.3.1" -> "icmp 198.18.3.1", checked as the document checks
 * it. argv[0] is the type, argv[1] (if argc > 1) the target. */
static json_t *probe_value(struct ctx *c, const char *what, const struct kw *k, int argc,
			   char **argv)
{
	bool tcp = !strcmp(argv[0], "tcp");
	struct sfc_probe_cfg p = {};
	char buf[128], why[160];

	if (!tcp && strcmp(argv[0], "icmp")) {
		errf(c, "%s: %s \"%s\": expected icmp ADDRESS or tcp ADDRESS:PORT", what, k->name,
		     argv[0]);
		return NULL;
	}
	if (argc < 2) {
		errf(c, "%s: \"%s %s\" needs %s", what, k->name, argv[0],
		     tcp ? "ADDRESS:PORT ([ADDRESS]:PORT for IPv6)" : "an ADDRESS");
		return NULL;
	}
	snprintf(buf, sizeof(buf), "%s %s", argv[0], argv[1]);
	if (sfc_probe_parse(buf, &p, why, sizeof(why))) {
		errf(c, "%s: %s \"%s\": %s", what, k->name, buf, why);
		return NULL;
	}
	return json_string(buf);
}

/* "fw,fw2" -> ["fw","fw2"] (KW_TAP: {"tap":["fw","fw2"]}); nth counts hops
 * from 1 for messages. */
static json_t *hop_value(struct ctx *c, const char *what, const struct kw *k, const char *v,
			 size_t nth)
{
	json_t *hop = json_array();
	const char *p = v;
	char label[32];

	snprintf(label, sizeof(label), "%s %zu", k->name, nth);
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[SFC_NAME_LEN + 1];

		if (n == 0) {
			errf(c, "%s: %s \"%s\": empty SF name (expected SF[,SF...])", what, label, v);
			goto fail;
		}
		if (n >= sizeof(name)) {
			errf(c, "%s: %s \"%s\": SF name longer than %d characters", what, label,
			     v, SFC_NAME_LEN - 1);
			goto fail;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (check_name(c, what, label, name))
			goto fail;
		json_array_append_new(hop, json_string(name));
		if (!comma)
			break;
		p = comma + 1;
	}
	if (json_array_size(hop) > SFC_HOP_BUCKETS) {
		errf(c, "%s: %s \"%s\": %zu SFs, a hop has at most %d", what, label, v,
		     json_array_size(hop), SFC_HOP_BUCKETS);
		goto fail;
	}
	if (k->type == KW_TAP)
		return json_pack("{s:o}", "tap", hop);
	return hop;
fail:
	json_decref(hop);
	return NULL;
}

/* Is keyword argv[i] given without a value (KW_FLAG, or KW_OPTVAL left out)? */
static bool kw_bare(const struct cmd *cmd, const struct kw *k, int argc, char **argv, int i)
{
	if (k->type == KW_FLAG)
		return true;
	if (!(k->flags & KW_OPTVAL))
		return false;
	if (i + 1 >= argc)
		return true;
	if (k->type == KW_BOOL)
		return kw_find(cmd->kws, argv[i + 1]) != NULL;
	return !isdigit((unsigned char)argv[i + 1][0]);
}

int kw_parse(struct ctx *c, const char *what, const struct cmd *cmd, int argc,
	     char **argv, json_t *args)
{
	char list[512], meta[128];
	const struct kw *k;
	int i = 0;

	if (cmd->name_arg != NAME_NONE) {
		const char *meta_name = cmd->name_meta ? cmd->name_meta : "NAME";

		if (argc > 0 && !kw_find(cmd->kws, argv[0])) {
			if (check_name(c, what, meta_name, argv[0]))
				return -1;
			json_object_set_new(args, "name", json_string(argv[0]));
			i = 1;
		} else if (cmd->name_arg == NAME_REQUIRED) {
			if (argc > 0)
				return errf(c, "%s: expected %s before \"%s\"", what, meta_name,
					    argv[0]);
			return errf(c, "%s: missing %s", what, meta_name);
		}
	}
	for (; i < argc; i++) {
		json_t *val, *old;

		k = kw_find(cmd->kws, argv[i]);
		if (!k) {
			kw_list(cmd->kws, list, sizeof(list));
			if (!list[0])
				return errf(c, "%s: unexpected argument \"%s\"", what, argv[i]);
			return errf(c, "%s: unknown keyword \"%s\" (expected %s)", what, argv[i],
				    list);
		}
		old = json_object_get(args, k->key);
		if (old && !(k->flags & KW_REPEAT))
			return errf(c, "%s: \"%s\" given twice", what, k->name);
		if (kw_bare(cmd, k, argc, argv, i)) {
			json_object_set_new(args, k->key, json_true());
			continue;
		}
		if (i + 1 >= argc)
			return errf(c, "%s: \"%s\" needs a value (%s)", what, k->name,
				    kw_meta(k, meta, sizeof(meta)));
		i++;
		/* hop and tap fill one array, in the order given */
		if (k->type == KW_HOP || k->type == KW_TAP) {
			if (!old) {
				old = json_array();
				json_object_set_new(args, k->key, old);
			}
			val = hop_value(c, what, k, argv[i], json_array_size(old) + 1);
			if (!val)
				return -1;
			json_array_append_new(old, val);
			continue;
		}
		if (k->type == KW_PROBE) {
			val = probe_value(c, what, k, argc - i, argv + i);
			if (!val)
				return -1;
			json_object_set_new(args, k->key, val);
			i++;
			continue;
		}
		if ((k->flags & KW_NONE) && !strcmp(argv[i], "none"))
			val = json_null();
		else
			val = kw_value(c, what, k, argv[i]);
		if (!val)
			return -1;
		json_object_set_new(args, k->key, val);
	}
	for (k = cmd->kws; k && k->name; k++)
		if ((k->flags & KW_REQUIRED) && !json_object_get(args, k->key))
			return errf(c, "%s: missing \"%s %s\"", what, k->name,
				    kw_meta(k, meta, sizeof(meta)));
	return cmd->check ? cmd->check(c, what, args) : 0;
}

/* Indented text, folded at word boundaries before column 78. */
static void wrap(FILE *f, const char *text)
{
	const char *p = text;
	int col = 0;

	while (p && *p) {
		size_t n = strcspn(p, " ");

		if (col && col + 1 + (int)n > 78) {
			fputc('\n', f);
			col = 0;
		}
		col += fprintf(f, col ? " %.*s" : "      %.*s", (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
	if (col)
		fputc('\n', f);
}

/* "sfcctl chain add NAME hop SF[,SF...] [hop SF[,SF...]]... [spi N] ..." */
void cmd_usage(FILE *f, const char *object, const struct cmd *cmd)
{
	char meta[128], word[256];
	int col;

	col = fprintf(f, "  sfcctl %s%s%s", object, cmd->name ? " " : "",
		      cmd->name ? cmd->name : "");
	if (cmd->name_arg != NAME_NONE)
		col += fprintf(f, cmd->name_arg == NAME_REQUIRED ? " %s" : " [%s]",
			       cmd->name_meta ? cmd->name_meta : "NAME");
	for (const struct kw *k = cmd->kws; k && k->name; k++) {
		const char *m = kw_meta(k, meta, sizeof(meta));
		bool req = k->flags & KW_REQUIRED;
		int n;

		if (k->type == KW_FLAG)
			n = snprintf(word, sizeof(word), req ? "%s" : "[%s]", k->name);
		else if (k->flags & KW_OPTVAL)
			n = snprintf(word, sizeof(word), "[%s [%s]]", k->name, m);
		else if (k->flags & KW_REPEAT)
			n = snprintf(word, sizeof(word), req ? "%s %s [%s %s]..." : "[%s %s]...",
				     k->name, m, k->name, m);
		else
			n = snprintf(word, sizeof(word), req ? "%s %s" : "[%s %s]", k->name, m);
		if (col + 1 + n > 78) {
			fprintf(f, "\n       ");
			col = 7;
		}
		col += fprintf(f, " %s", word);
	}
	fprintf(f, "\n");
	wrap(f, cmd->summary);
	wrap(f, cmd->note);
}
