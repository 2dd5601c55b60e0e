#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The upgrade test (upgrade.sh) from the last release of map ABI 4
# (20e9155): its flow entries (36 bytes, no resolved steps) are copied into
# the new sfc_flows before the new programs replace the old ones, and the
# stream in the middle of its chain is not interrupted.
UPGRADE_FROM=20e9155 exec "$(dirname "$0")/upgrade.sh"
