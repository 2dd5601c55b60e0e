// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lat_hist.h"

__u64 sfc_lat_count(const __u64 b[SFC_LAT_BUCKETS])
{
	__u64 n = 0;

	for (int i = 0; i < SFC_LAT_BUCKETS; i++)
		n += b[i];
	return n;
}

double sfc_lat_quantile(const __u64 b[SFC_LAT_BUCKETS], double q)
{
	__u64 n = sfc_lat_count(b);
	double rank, seen = 0;

	if (!n)
		return 0;
	rank = q * (double)n;
	for (int i = 0; i < SFC_LAT_BUCKETS; i++) {
		double lo = i ? (double)(1ull << i) : 0, hi = (double)(1ull << (i + 1));

		if (!b[i])
			continue;
		if (seen + (double)b[i] >= rank)
			return lo + (hi - lo) * (rank - seen) / (double)b[i];
		seen += (double)b[i];
	}
	return (double)(1ull << SFC_LAT_BUCKETS);
}
