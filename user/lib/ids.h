/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Id allocation for named objects (SFs, chains): a name keeps the id it
 * already has; new names take the lowest free ids. Pure: no maps touched.
 */
#ifndef SFC_IDS_H
#define SFC_IDS_H

#include <stdbool.h>
#include <linux/types.h>

#include "sfc_abi.h"

/* The name held by each id 0..max-1 ("" = free; id 0 is never given). */
typedef char sfc_id_name[SFC_NAME_LEN];

/*
 * ids[i] and is_new[i] for the n objects whose names index_of(ctx, name)
 * finds (it returns the object's index, or -1). 0, or -ENOSPC when fewer
 * than the new names' count of ids are free. reserved (NULL: none):
 * reserved[id] set, id is given to no new name.
 */
int sfc_ids_alloc(const sfc_id_name *names, const __u8 *reserved, __u32 max,
		  int (*index_of)(const void *ctx, const char *name), const void *ctx,
		  int n, __u32 *ids, bool *is_new);

#endif
