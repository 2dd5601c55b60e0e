/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a name (SF, group, chain) and an SF's MAC may be. One validator, so
 * the CLI refuses before sending exactly what the daemon would refuse.
 */
#ifndef SFC_NAMES_H
#define SFC_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -EINVAL with why set: "a name cannot start with \"-\"". */
int sfc_name_check(const char *name, char *why, size_t len);

/* 0 for a unicast address; -EINVAL with why set for the zero address, the
 * broadcast address and multicast addresses. */
int sfc_unicast_mac_check(const uint8_t mac[6], char *why, size_t len);

#endif
