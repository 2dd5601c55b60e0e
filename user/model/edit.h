/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Typed edits of a document: each takes an indexed document (a copy of
 * the current one), checks what it can name (the object exists, is not in
 * use), changes it and re-indexes it. The caller validates the result
 * whole before committing it. 0 or -errno (-EEXIST, -ENOENT, -EBUSY,
 * -EINVAL, -ENOMEM) with err naming the object.
 */
#ifndef SFC_MODEL_EDIT_H
#define SFC_MODEL_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct sfc_doc;
struct sfc_cni_key;
struct sfc_sf_cfg;
struct sfc_chain_cfg;
struct sfc_rule_cfg;
struct json_t;

int sfc_edit_ingress_add(struct sfc_doc *d, const char *dev, char *err, size_t errlen);
int sfc_edit_ingress_del(struct sfc_doc *d, const char *dev, char *err, size_t errlen);
int sfc_edit_group_add(struct sfc_doc *d, const char *name, char *err, size_t errlen);
/* Refused while an SF or a chain names the group. */
int sfc_edit_group_del(struct sfc_doc *d, const char *name, char *err, size_t errlen);
int sfc_edit_sf_add(struct sfc_doc *d, const struct sfc_sf_cfg *sf, char *err, size_t errlen);
/* Replace the SF of the same name (sf-set: its weight). */
int sfc_edit_sf_set(struct sfc_doc *d, const struct sfc_sf_cfg *sf, char *err, size_t errlen);
/* Refused while a chain names the SF. */
int sfc_edit_sf_del(struct sfc_doc *d, const char *name, char *err, size_t errlen);
/* A chain without an SPI (0) gets one from the validator. */
int sfc_edit_chain_add(struct sfc_doc *d, const struct sfc_chain_cfg *c, char *err,
		       size_t errlen);
/* Replace the chain of the same name. */
int sfc_edit_chain_set(struct sfc_doc *d, const struct sfc_chain_cfg *c, char *err,
		       size_t errlen);
/* Refused while a rule names the chain. */
int sfc_edit_chain_del(struct sfc_doc *d, const char *name, char *err, size_t errlen);
/* Without a pref (auto_pref), like ip rule: 10 after the highest; r->pref
 * is set to the pref given. label names the rule in errors. */
int sfc_edit_rule_add(struct sfc_doc *d, struct sfc_rule_cfg *r, bool auto_pref,
		      const char *label, char *err, size_t errlen);
int sfc_edit_rule_del(struct sfc_doc *d, __u32 pref, char *err, size_t errlen);

/*
 * CNI attachments, keyed by (network, container, ifname) and kept on the
 * ingress point or SF they made. attach: role "ingress" adds an ingress
 * point on dev; role "sf" adds an SF on dev to group sf (declared if new).
 * A repeated key replaces.
 */
struct sfc_cni_attach {
	const char *network, *container, *ifname, *role, *dev;
	const char *sf;    /* role "sf": the group */
	const char *mac;   /* role "sf", optional */
};
int sfc_edit_cni_attach(struct sfc_doc *d, const struct sfc_cni_attach *a, char *err,
			size_t errlen);
/* Remove one attachment (container and ifname non-NULL) or all of a
 * network's; returns how many objects went, or -ENOMEM. */
int sfc_edit_cni_detach(struct sfc_doc *d, const char *network, const char *container,
			const char *ifname);
/* Remove a network's attachments not listed in valid (nvalid keys, only
 * container and ifname used); returns how many went, or -ENOMEM. */
int sfc_edit_cni_gc(struct sfc_doc *d, const char *network, const struct sfc_cni_key *valid,
		    int nvalid);
/* What an attachment made: an ingress point or an SF (of a group) on dev. */
struct sfc_attachment {
	const char *role;        /* "ingress" or "sf" */
	const char *dev;
	const char *group;       /* the SF's group, "" for none or an ingress point */
};
/* The attachment (network, container, ifname): 0, or -ENOENT. */
int sfc_doc_attachment(const struct sfc_doc *d, const char *network, const char *container,
		       const char *ifname, struct sfc_attachment *out);

/*
 * What a change from old to new_doc may not have meant, as messages for
 * the reply (all from here, user/model/warnings.c): rules whose in-dev is
 * not an ingress point of new_doc (they can never match), and, with
 * cni_removed, the CNI-made objects of old that new_doc lacks (an edit
 * other than detach/gc removed them). A JSON array of strings, or NULL if
 * there is nothing to say.
 */
struct json_t *sfc_doc_warnings(const struct sfc_doc *old, const struct sfc_doc *new_doc,
				bool cni_removed);

#endif
