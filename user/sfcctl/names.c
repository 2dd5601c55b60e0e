// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names and unicast MACs: what the CLI refuses before sending. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sfc_abi.h"
#include "names.h"

/*
 * A name is 1 to SFC_NAME_LEN - 1 printable ASCII characters without
 * commas (they separate a hop's SFs) or spaces (they separate words), that
 * does not start with "-" (it would read as an option) and is not "help"
 * (it would ask for help).
 */
int sfc_name_check(const char *name, char *why, size_t len)
{
	const char *p;

	if (!name[0] || strlen(name) >= SFC_NAME_LEN) {
		snprintf(why, len, "expected a name of 1 to %d characters", SFC_NAME_LEN - 1);
		return -EINVAL;
	}
	if (name[0] == '-') {
		snprintf(why, len, "a name cannot start with \"-\" (it would read as an option)");
		return -EINVAL;
	}
	if (!strcmp(name, "help")) {
		snprintf(why, len, "\"help\" cannot be a name (it asks for help)");
		return -EINVAL;
	}
	for (p = name; *p; p++) {
		unsigned char ch = *p;

		if (ch == ',') {
			snprintf(why, len, "a name cannot contain a comma (commas separate a "
				 "hop's SFs)");
			return -EINVAL;
		}
		if (ch == ' ' || ch == '\t') {
			snprintf(why, len, "a name cannot contain spaces");
			return -EINVAL;
		}
		if (ch < 0x20 || ch == 0x7f) {
			snprintf(why, len, "a name cannot contain control characters (byte 0x%02x "
				 "at position %zu)", ch, (size_t)(p - name) + 1);
			return -EINVAL;
		}
		if (ch > 0x7f) {
			snprintf(why, len, "a name is ASCII (byte 0x%02x at position %zu)", ch,
				 (size_t)(p - name) + 1);
			return -EINVAL;
		}
	}
	return 0;
}

int sfc_unicast_mac_check(const uint8_t mac[6], char *why, size_t len)
{
	static const uint8_t zero[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!memcmp(mac, zero, 6)) {
		snprintf(why, len, "the zero address is not a unicast MAC address");
		return -EINVAL;
	}
	if (!memcmp(mac, bcast, 6)) {
		snprintf(why, len, "the broadcast address is not a unicast MAC address");
		return -EINVAL;
	}
	if (mac[0] & 1) {
		snprintf(why, len, "a multicast address (first byte odd) is not a unicast MAC "
			 "address");
		return -EINVAL;
	}
	return 0;
}
