#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# symmetric_two_arm.sh with the interfaces steered in XDP (sfcd --steer xdp).
STEER=xdp exec "$(dirname "$0")/symmetric_two_arm.sh"
