/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SFC_META_KEY_H
#define SFC_META_KEY_H

/*
 * The key sfc_xdp puts in its handoffs to tc (struct sfc_meta.key): 64
 * random bits from getrandom(), written once into the pinned map
 * sfc_meta_key (fd) when it holds none. A key already there is kept: the
 * programs of a restarted or upgraded sfcd and packets in flight agree
 * with it. 0 or a negative errno.
 */
int sfc_meta_key_init(int fd);

#endif
