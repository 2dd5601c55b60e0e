#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tap.sh with the interfaces steered in XDP (sfcd --steer xdp): XDP hands a
# packet with a tap to tc, which makes the copy (bpf_clone_redirect).
STEER=xdp exec "$(dirname "$0")/tap.sh"
