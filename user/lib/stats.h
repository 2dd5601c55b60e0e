/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Counters read from the maps: per chain, per hop, per SF, per reason. */
#ifndef SFC_STATS_H
#define SFC_STATS_H

#include <stdio.h>
#include <jansson.h>

#include "datapath.h"

/* {"chains":[...],"sfs":[...],"reasons":[...]}; NULL with errno set. */
json_t *sfc_stats_json(const struct sfc_dp *dp);
/* The same document as aligned text. */
void sfc_stats_print_text(FILE *f, json_t *stats);
const char *sfc_reason_name(unsigned int reason);
/* Zero counters: of one chain (and its hops), of one SF, or (both NULL)
 * everything. -ENOENT when the name is unknown. */
int sfc_stats_reset(const struct sfc_dp *dp, const char *chain, const char *sf);

#endif
