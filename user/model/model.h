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

enum sfc_sf_kind { SFC_KIND_IFACE = SFC_SF_IFACE };

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
	char group[SFC_NAME_LEN];/* "" = none */
	struct sfc_cni_key cni;
};

struct sfc_hop_cfg {
	int nsf;
	char sf[SFC_HOP_BUCKETS][SFC_NAME_LEN];  /* SF or group names */
};

struct sfc_chain_cfg {
	char name[SFC_NAME_LEN];
	__u32 spi;
	int on_failure;          /* SFC_FAIL_* */
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

struct sfc_name_index;

struct sfc_doc {
	int ningress, ngroups, nsfs, nchains, nrules;
	struct sfc_name_index *names;  /* SF, group and chain names -> objects */
	struct sfc_ingress_cfg *ingress;
	struct sfc_group_cfg *groups;
	struct sfc_sf_cfg *sfs;
	struct sfc_chain_cfg *chains;
	struct sfc_rule_cfg *rules;
};

void sfc_doc_free(struct sfc_doc *doc);
const struct sfc_sf_cfg *sfc_doc_sf(const struct sfc_doc *doc, const char *name);
const struct sfc_chain_cfg *sfc_doc_chain(const struct sfc_doc *doc, const char *name);
const struct sfc_group_cfg *sfc_doc_group(const struct sfc_doc *doc, const char *name);

/*
 * Parse and validate a whole document. On error returns -EINVAL (or
 * -ENOMEM) and writes "JSON path: reason" into err; *doc is untouched.
 */
struct json_t;
int sfc_doc_from_json(struct json_t *root, struct sfc_doc *doc, char *err, size_t errlen);
int sfc_doc_from_json_text(const char *text, size_t len, struct sfc_doc *doc,
			   char *err, size_t errlen);
int sfc_doc_from_file(const char *path, struct sfc_doc *doc, char *err, size_t errlen);

#endif
