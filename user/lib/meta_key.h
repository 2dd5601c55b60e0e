/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SFC_META_KEY_H
#define SFC_META_KEY_H

#include <stdbool.h>

/*
 * The key sfc_xdp puts in its handoffs to tc (struct sfc_meta.key): 64
 * random bits from getrandom(), written once into the pinned map
 * sfc_meta_key (fd) when it holds none. A key already there is kept: the
 * programs of a restarted or upgraded sfcd and packets in flight agree
 * with it. older_xdp: an sfc_xdp from before the key is attached and about
 * to be replaced: tc takes its keyless handoffs for SFC_META_LEGACY_NS
 * more (packets in flight during the upgrade). 0 or a negative errno.
 */
int sfc_meta_key_init(int fd, bool older_xdp);

#endif
