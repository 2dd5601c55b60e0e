#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The upgrade test (upgrade.sh) from the release before the map ABI was
# recorded in the pins (eef0b55, ABI 2: 32 drop reasons): the reasons map
# grows to 64 entries with its counts, version 3 is recorded, and traffic
# is not interrupted.
UPGRADE_FROM=eef0b55 exec "$(dirname "$0")/upgrade.sh"
