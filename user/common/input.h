/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Files given where a file is expected (sfcctl apply -f FILE, sfcctl -b
 * FILE, sfcd -f FILE): a directory is told as one ("PATH: is a directory,
 * not a state file") instead of a parse error or a bare errno.
 */
#ifndef SFC_INPUT_H
#define SFC_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* fd, opened from path, is something to read WHAT ("a state file") from:
 * not a directory and, with regular_only, a regular file. 0, or -EISDIR /
 * -EINVAL / -errno with err set. */
int sfc_input_check_fd(int fd, const char *path, const char *what, bool regular_only,
		       char *err, size_t errlen);
/* fopen(path, "r") ("-": stdin) and sfc_input_check_fd (pipes and
 * devices are fine). NULL with err set ("PATH: is a directory, not ..."). */
FILE *sfc_input_open(const char *path, const char *what, char *err, size_t errlen);

#endif
