// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Files given where a file is expected: a directory is called one. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "errmsg.h"
#include "input.h"

int sfc_input_check_fd(int fd, const char *path, const char *what, bool regular_only,
		       char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st))
		return sfc_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return sfc_errf(err, errlen, -EISDIR, "%s: is a directory, not %s", path, what);
	if (regular_only && !S_ISREG(st.st_mode))
		return sfc_errf(err, errlen, -EINVAL, "%s: is not a regular file", path);
	return 0;
}

FILE *sfc_input_open(const char *path, const char *what, char *err, size_t errlen)
{
	FILE *f;

	if (!strcmp(path, "-"))
		return stdin;
	f = fopen(path, "r");
	if (!f) {
		sfc_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (sfc_input_check_fd(fileno(f), path, what, false, err, errlen)) {
		fclose(f);
		return NULL;
	}
	return f;
}
