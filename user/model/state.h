/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The desired-state document's file: read and validated whole, written
 * atomically. JSON here is only the file's form; sfcd keeps the typed
 * struct sfc_doc (model.h) and edits that.
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

#endif
