/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The desired-state document as JSON: the state file (read and validated
 * whole, written atomically), object edits, and the difference between two
 * documents. sfcd keeps this JSON as the source of truth; struct sfc_doc
 * is what it compiles into.
 */
#ifndef SFC_STATE_H
#define SFC_STATE_H

#include <stddef.h>
#include <jansson.h>

/* An empty document: {"version":1,"ingress":[],"sfs":[],"chains":[],"rules":[]} */
json_t *sfc_state_empty(void);
/* store_file.c: read and validate a state file. NULL with err set; *missing set when the
 * file does not exist (not an error for a first start). */
json_t *sfc_state_load(const char *path, int *missing, char *err, size_t errlen);
/* Add the sections a hand-written document may leave out (empty) and
 * the version. */
void sfc_state_fill_defaults(json_t *doc);
/* Write atomically: temporary file, fsync, rename, fsync of the directory. */
int sfc_state_save(const char *path, json_t *doc, char *err, size_t errlen);
/* Remove temporaries a killed writer left beside path; how many went. */
int sfc_state_clean_temps(const char *path);

/*
 * Apply one edit to doc in place: op is "ingress-add", "ingress-del",
 * "sf-add", "sf-del", "chain-add", "chain-set", "chain-del", "rule-add",
 * "rule-del"; arg the request. Checks what the validator cannot (names
 * that exist, objects in use); the caller validates the result whole.
 */
int sfc_state_edit(json_t *doc, const char *op, json_t *arg, char *err, size_t errlen);
/* {"added":{...},"removed":{...},"changed":{...}} by object kind, names only. */
json_t *sfc_state_diff(json_t *old, json_t *new_doc);
/* True when the diff lists nothing. */
int sfc_state_diff_empty(json_t *diff);

/*
 * CNI attachments, keyed by (network, container, ifname) and kept in the
 * document itself (a "cni" object on the ingress point or SF they made).
 * attach: role "ingress" adds an ingress point on "dev"; role "sf" adds an
 * SF on "dev" to group "sf" (declared if new). A repeated key replaces.
 */
int sfc_state_attach(json_t *doc, json_t *req, char *err, size_t errlen);
/* Remove one attachment (container and ifname non-NULL) or all of a
 * network's; returns how many objects went. */
int sfc_state_detach(json_t *doc, const char *network, const char *container,
		     const char *ifname);
/* Remove a network's attachments not in valid ([{container, ifname}]). */
int sfc_state_gc(json_t *doc, const char *network, json_t *valid);
/* The ingress point or SF an attachment made, or NULL. */
json_t *sfc_state_find_attachment(json_t *doc, const char *network, const char *container,
				  const char *ifname);

#endif
