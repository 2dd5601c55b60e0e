/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* SF latency histograms (struct sfc_lat_hist): log2 buckets of ns. */
#ifndef SFC_LAT_HIST_H
#define SFC_LAT_HIST_H

#include <linux/types.h>

#include "sfc_abi.h"

/* Samples in b */
__u64 sfc_lat_count(const __u64 b[SFC_LAT_BUCKETS]);
/* The q-quantile (0 < q < 1) in ns, interpolated within its log2 bucket;
 * 0 without samples. */
double sfc_lat_quantile(const __u64 b[SFC_LAT_BUCKETS], double q);

#endif
