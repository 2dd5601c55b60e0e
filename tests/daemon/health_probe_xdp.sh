#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# health_probe.sh with the SFs' interfaces steered in XDP (sfcd --steer
# xdp): the probes' answers reach sfcd past the XDP program as they do
# past the tc one.
STEER=xdp exec "$(dirname "$0")/health_probe.sh"
