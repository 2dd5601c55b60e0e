#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The upgrade test (upgrade.sh) from the last release of map ABI 3
# (dec5466): the direct-mapped fronts of sfc_ifaces, sfc_hops and
# sfc_sf_pos are created and filled from the hash maps before the new
# programs replace the old ones, and traffic is not interrupted.
UPGRADE_FROM=dec5466 exec "$(dirname "$0")/upgrade.sh"
