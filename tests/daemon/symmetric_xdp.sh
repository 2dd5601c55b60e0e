#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# symmetric.sh with the interfaces steered in XDP (sfcd --steer xdp).
STEER=xdp exec "$(dirname "$0")/symmetric.sh"
