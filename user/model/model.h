/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The desired state: ingress points, SFs, chains and classifier rules, as
 * the operator wrote them (names, not ids). One document, kept in the
 * state file, taken by `sfcctl apply` and printed by `sfcctl dump`.
 */
#ifndef SFC_MODEL_H
#define SFC_MODEL_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

#include "sfc_abi.h"
#include "text.h"

#define SFC_ERR_LEN 256
/* An SF's "weight": its share of the new flows of a hop it serves with
 * other instances, 1 to this. */
#define SFC_WEIGHT_MAX 1000

enum sfc_sf_kind { SFC_KIND_IFACE = SFC_SF_IFACE };

/*
 * An SF's "health": what takes it out of its hops. link (the default):
 * its interfaces are down or missing; none: only missing interfaces (a
 * link that is down still gets its flows); probe: link, or sfcd's probe
 * from the fabric (struct sfc_probe_cfg) failing "probe-fail" times in a
 * row, until it answers "probe-recover" times in a row.
 */
enum sfc_health_mode { SFC_HEALTH_LINK = 0, SFC_HEALTH_NONE, SFC_HEALTH_PROBE };
enum sfc_probe_type { SFC_PROBE_OFF = 0, SFC_PROBE_ICMP, SFC_PROBE_TCP };

#define SFC_PROBE_INTERVAL_MS     1000  /* "probe-interval" default, ms */
#define SFC_PROBE_INTERVAL_MIN_MS 100
#define SFC_PROBE_INTERVAL_MAX_MS 60000
#define SFC_PROBE_FAIL            3     /* "probe-fail" default */
#define SFC_PROBE_RECOVER         2     /* "probe-recover" default */
#define SFC_PROBE_COUNT_MAX       100   /* either threshold's limit */

/*
 * "probe": "icmp ADDRESS" (echo request, answered by an echo reply) or
 * "tcp ADDRESS:PORT" ("tcp [ADDRESS]:PORT" for IPv6; a SYN answered by a
 * SYN-ACK, then reset). sfcd sends it out of the SF's dev from the source
 * "probe-from" (required for IPv4: an address of the SF's subnet that
 * nothing else uses; IPv6 defaults to a link-local address) and the MAC
 * SFC_PROBE_MAC, and answers ARP and neighbour solicitations for it.
 */
struct sfc_probe_cfg {
	__u8 type;               /* SFC_PROBE_*; OFF: no probe */
	__u8 family;             /* 4 or 6 */
	__u8 fail, recover;      /* 0: unset (the defaults above) */
	__u16 port;              /* TCP */
	bool has_from;
	__u32 interval_ms;       /* 0: unset */
	__u8 addr[16];           /* family's bytes first */
	__u8 from[16];
};

static inline unsigned sfc_probe_interval(const struct sfc_probe_cfg *p)
{
	return p->interval_ms ? p->interval_ms : SFC_PROBE_INTERVAL_MS;
}

static inline unsigned sfc_probe_fail(const struct sfc_probe_cfg *p)
{
	return p->fail ? p->fail : SFC_PROBE_FAIL;
}

static inline unsigned sfc_probe_recover(const struct sfc_probe_cfg *p)
{
	return p->recover ? p->recover : SFC_PROBE_RECOVER;
}

/* probe.c: the health settings' forms and rules. Each check returns 0 or
 * -EINVAL with why set (without the "SF \"NAME\": " its caller adds). */
const char *sfc_health_name(int mode);          /* "link", "none", "probe" */
int sfc_health_parse(const char *name);         /* SFC_HEALTH_* or -EINVAL */
/* "icmp ADDRESS", "tcp ADDRESS:PORT", "tcp [ADDRESS]:PORT" -> p's type,
 * family, addr and port (the rest untouched); the address unicast. */
int sfc_probe_parse(const char *s, struct sfc_probe_cfg *p, char *why, size_t len);
/* The canonical spelling of p's probe (inet_ntop's addresses). */
const char *sfc_probe_format(const struct sfc_probe_cfg *p, char *buf, size_t len);
/* Do two probes mean the same (a default written or left out alike)? */
bool sfc_probe_eq(const struct sfc_probe_cfg *a, const struct sfc_probe_cfg *b);
/* An IPv4 or IPv6 address in *family (4, 6) and addr, unicast. */
int sfc_probe_addr_parse(const char *s, int *family, __u8 addr[16], char *why, size_t len);
/* Refuses unspecified, loopback, multicast, broadcast, IPv4-mapped. */
int sfc_probe_addr_check(int family, const __u8 *addr, char *why, size_t len);
const char *sfc_probe_addr_format(int family, const __u8 *addr, char *buf, size_t len);
/* probe-from's family (from_family) must be the probe's. */
int sfc_probe_from_mismatch(const struct sfc_probe_cfg *p, int from_family,
			    const __u8 *from, char *why, size_t len);

/* Who made an object through sfc-cni: the CNI attachment key. */
struct sfc_cni_key {
	bool set;
	char network[128];
	char container[128];
	char ifname[IFNAMSIZ];
};

struct sfc_ingress_cfg {
	char dev[IFNAMSIZ];
	struct sfc_cni_key cni;
};

/* A named set of equivalent SFs (a function scaled by starting instances):
 * a hop that names a group is served by every SF of that group. */
struct sfc_group_cfg {
	char name[SFC_NAME_LEN];
};

struct sfc_sf_cfg {
	char name[SFC_NAME_LEN];
	int kind;
	char dev[IFNAMSIZ];      /* the fabric sends to the SF here */
	char out_dev[IFNAMSIZ];  /* the SF sends back here; "" = dev (one-arm) */
	bool has_mac;
	__u8 mac[6];
	/* "out-mac", two-arm only: the SF's MAC on its out-dev side, where the
	 * fabric sends it a symmetric chain's replies */
	bool has_out_mac;
	__u8 out_mac[6];
	char group[SFC_NAME_LEN];/* "" = none */
	__u16 weight;            /* 1..SFC_WEIGHT_MAX; 0 = unset, which is 1 */
	__u8 health;             /* enum sfc_health_mode */
	struct sfc_probe_cfg probe;
	struct sfc_cni_key cni;
};

/*
 * An SF's health settings together: health probe has a probe, a probe and
 * its keys go with health probe only, the probe's addresses unicast, an
 * IPv4 probe has a "probe-from", the limits. health_given: the document
 * said "health" (else probe keys without "probe" are named as that).
 */
int sfc_sf_health_check(const struct sfc_sf_cfg *sf, bool health_given, char *why,
			size_t len);

/* An SF's weight, unset (0) read as 1: what a hop balances by. */
static inline unsigned sfc_sf_weight(const struct sfc_sf_cfg *sf)
{
	return sf->weight ? sf->weight : 1;
}

/* A hop: its SFs or groups (instances). A tap hop (JSON {"tap": [...]})
 * gets a copy of every packet, which never comes back; the packet goes on
 * to the next hop. */
struct sfc_hop_cfg {
	int nsf;
	bool tap;
	char sf[SFC_HOP_BUCKETS][SFC_NAME_LEN];  /* SF or group names */
};

/*
 * A symmetric chain also carries the reply direction of each of its flows
 * (the reversed 5-tuple, wherever it enters the fabric: at an ingress
 * point) through the same SF instances in reverse order, whatever rules
 * the replies match, so a stateful SF sees both directions of each
 * connection. A reply enters a two-arm SF from its out-dev side (the
 * fabric sends it out of out-dev and takes it back on dev), so a two-arm
 * SF with a "mac" needs an "out-mac" to be reached by one.
 */
struct sfc_chain_cfg {
	char name[SFC_NAME_LEN];
	__u32 spi;
	int on_failure;          /* SFC_FAIL_* */
	int end;                 /* SFC_END_* */
	bool symmetric;          /* JSON "symmetric", written only when true */
	int nhops;
	struct sfc_hop_cfg hops[SFC_MAX_HOPS];
};

struct sfc_port_range {
	bool set;
	__u16 lo, hi;
};

struct sfc_rule_cfg {
	__u32 pref;
	char in_dev[IFNAMSIZ];   /* "" = any */
	struct sfc_prefix src, dst;
	int proto;               /* -1 = any */
	struct sfc_port_range sport, dport;
	char chain[SFC_NAME_LEN];
};

struct sfc_doc_index;

/*
 * The typed document, the one authority sfcd keeps in memory. JSON exists
 * only at the edges: sfc_doc_parse() on the way in, sfc_doc_to_json() for
 * get, dump and the state file. A parsed or edited document is validated
 * (sfc_doc_validate) once before it is committed.
 */
struct sfc_doc {
	int ningress, ngroups, nsfs, nchains, nrules;
	struct sfc_doc_index *ix;      /* by dev, name, pref; rebuilt after edits */
	bool validated;                /* sfc_doc_validate() passed, no edit since */
	struct sfc_ingress_cfg *ingress;
	struct sfc_group_cfg *groups;
	struct sfc_sf_cfg *sfs;
	struct sfc_chain_cfg *chains;
	struct sfc_rule_cfg *rules;
};

void sfc_doc_free(struct sfc_doc *doc);
/* The same with yield points (yield.h), for a document no yield hook can
 * reach any more: 10k chains are 160 MiB, whose unmapping took
 * milliseconds in one call. */
void sfc_doc_free_yielding(struct sfc_doc *doc);
/* A deep copy, indexed; 0 or -ENOMEM. */
int sfc_doc_copy(struct sfc_doc *dst, const struct sfc_doc *src);
/* Rebuild the lookups after the arrays changed; 0 or -ENOMEM. */
int sfc_doc_reindex(struct sfc_doc *doc);
const struct sfc_sf_cfg *sfc_doc_sf(const struct sfc_doc *doc, const char *name);
const struct sfc_chain_cfg *sfc_doc_chain(const struct sfc_doc *doc, const char *name);
const struct sfc_group_cfg *sfc_doc_group(const struct sfc_doc *doc, const char *name);
const struct sfc_rule_cfg *sfc_doc_rule(const struct sfc_doc *doc, __u32 pref);
const struct sfc_ingress_cfg *sfc_doc_ingress(const struct sfc_doc *doc, const char *dev);
/* Does the document name interface dev (ingress, SF, rule in-dev)? */
bool sfc_doc_names_dev(const struct sfc_doc *doc, const char *dev);

/*
 * Check a whole document: names (sfc_name_check), MACs (unicast), every
 * reference, duplicates, limits; number chains without an SPI (the SPI
 * the chain has in prev if free, else the lowest free one). Errors name
 * the object: chain "web": hop 2: no SF named "ids9". 0 or -EINVAL.
 */
int sfc_doc_validate(struct sfc_doc *doc, const struct sfc_doc *prev, char *err,
		     size_t errlen);
/* A chain's end mode by name: SFC_END_* or -EINVAL; and back. */
int sfc_end_parse(const char *name);
const char *sfc_end_name(int end);
/* name as a message may quote it: control bytes, '"' and '\\' escaped */
const char *sfc_quote_name(const char *name, char *buf, size_t len);

/*
 * JSON -> typed, each object checked on its own (types, keys, forms),
 * normalised (prefixes, protocols, ports, defaults), not cross-checked:
 * sfc_doc_parse() leaves that to sfc_doc_validate(). sfc_doc_from_json()
 * and friends do both. On error -EINVAL (or -ENOMEM), a message naming
 * the object in err, and *doc untouched.
 */
struct json_t;
int sfc_doc_parse(struct json_t *root, struct sfc_doc *doc, char *err, size_t errlen);
int sfc_doc_from_json(struct json_t *root, struct sfc_doc *doc, char *err, size_t errlen);
int sfc_doc_from_json_text(const char *text, size_t len, struct sfc_doc *doc,
			   char *err, size_t errlen);
int sfc_doc_from_file(const char *path, struct sfc_doc *doc, char *err, size_t errlen);
/* One object of a request. An SF or a chain; for chain-set (partial) only
 * the keys present overwrite *c. A rule without "pref" is labelled
 * no_pref_label in errors and *has_pref is false. */
int sfc_sf_from_json(struct json_t *v, struct sfc_sf_cfg *sf, char *err, size_t errlen);
/* sf-set: the SF's "name" and what changes: "weight", "out-mac" (a MAC,
 * or null for none), "health", "probe", "probe-from", "probe-interval",
 * "probe-fail", "probe-recover" (another key is refused by name). The
 * keys present overwrite *sf, the SF of that name as it is; "health"
 * link or none clears the probe settings, and "probe" without "health"
 * means health probe. The SF's health settings are checked whole
 * (sfc_sf_health_check); *sf is written only if they pass. */
int sfc_sf_set_from_json(struct json_t *v, struct sfc_sf_cfg *sf, char *err, size_t errlen);
int sfc_chain_from_json(struct json_t *v, struct sfc_chain_cfg *c, bool partial,
			char *err, size_t errlen);
int sfc_rule_from_json(struct json_t *v, struct sfc_rule_cfg *r, const char *no_pref_label,
		       bool *has_pref, char *err, size_t errlen);

/* The canonical JSON form: every default written (but a chain's "end"
 * only when it is not "stack" and its "symmetric" only when true, an SF's
 * "weight" only when it is not 1 and its "health" only when it is not the
 * one implied: link, or probe when a "probe" is given; so a document that
 * uses none of them still reads in an sfc from before they existed),
 * prefixes, protocols, ports and probes in one spelling. NULL on ENOMEM. */
struct json_t *sfc_doc_to_json(const struct sfc_doc *doc);

/* {"added":{SECTION:[keys]},"removed":{...},"changed":{...}} between two
 * validated documents, compared typed (so canonical); sections ingress,
 * groups, sfs, chains, rules. */
struct json_t *sfc_doc_diff(const struct sfc_doc *old, const struct sfc_doc *new_doc);
bool sfc_doc_diff_empty(struct json_t *diff);

#include "edit.h"

#endif
