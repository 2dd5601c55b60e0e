// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state file on disk: read and validated whole; written through a
 * temporary with an unpredictable name created beside it (O_EXCL and
 * O_NOFOLLOW: a symlink planted in the directory is never followed), then
 * fsync, rename over the file, fsync of the directory. Writing megabytes
 * has yield points (yield.h) every 256 KiB; the fsyncs and the rename,
 * which frees the old file's blocks, wait on a thread of their own with
 * yield points meanwhile (sfc_yield_while).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "input.h"
#include "model.h"
#include "state.h"
#include "jsonl.h"
#include "yield.h"

/* Temporaries are ".NAME" SFC_STATE_TMP_TAG "XXXXXX" beside the file NAME. */
#define SFC_STATE_TMP_TAG ".sfcd-tmp."

/* dir and base of path (dirname/basename on copies) */
static int split_path(const char *path, char *dir, char *base, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a))
		return -ENAMETOOLONG;
	memcpy(b, a, sizeof(a));
	if (snprintf(dir, len, "%s", dirname(a)) >= (int)len ||
	    snprintf(base, len, "%s", basename(b)) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static int read_fd(int fd, const char *path, json_t **out, char *err, size_t errlen)
{
	json_error_t je;

	*out = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	if (*out)
		return 0;
	if (je.line < 1)
		return sfc_errf(err, errlen, -EIO, "%s: %s", path, je.text);
	return sfc_errf(err, errlen, -EINVAL, "%s: line %d, column %d: %s", path, je.line, je.column,
		    je.text);
}

json_t *sfc_state_load(const char *path, int *missing, char *err, size_t errlen)
{
	struct sfc_doc doc;
	char inner[512];
	json_t *root;
	int fd, ret;

	*missing = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			*missing = 1;
		sfc_errf(err, errlen, -errno, "%s: %s", path,
		     errno == ENOENT ? "no such file" : strerror(errno));
		return NULL;
	}
	if (sfc_input_check_fd(fd, path, "a state file", true, err, errlen)) {
		close(fd);
		return NULL;
	}
	ret = read_fd(fd, path, &root, err, errlen);
	close(fd);
	if (ret)
		return NULL;
	if (sfc_doc_from_json(root, &doc, inner, sizeof(inner))) {
		snprintf(err, errlen, "%s: %s", path, inner);
		json_decref(root);
		return NULL;
	}
	sfc_doc_free(&doc);
	sfc_state_fill_defaults(root);
	return root;
}

/* A write into the page cache of a slow VM took 3 ms per MiB. */
#define WRITE_CHUNK (256u << 10)

static int write_all(int fd, const char *s, size_t len)
{
	for (size_t off = 0; off < len;) {
		/* a chunk at a time, a yield point between */
		ssize_t n = write(fd, s + off, len - off < WRITE_CHUNK ? len - off : WRITE_CHUNK);

		sfc_yield_check();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += n;
	}
	return 0;
}

/* The temporary written: made durable under the file's name. */
struct commit_file {
	int fd;
	const char *tmp, *path, *dir;
};

static int commit_file(void *arg)
{
	const struct commit_file *c = arg;
	int ret = fsync(c->fd) ? -errno : 0, dfd;

	close(c->fd);
	if (!ret && rename(c->tmp, c->path))
		ret = -errno;
	if (ret)
		return ret;
	/* The rename itself is durable only once the directory is synced. */
	dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int sfc_state_save(const char *path, json_t *doc, char *err, size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX], base[NAME_MAX + 1];
	struct commit_file c = { .tmp = tmp, .path = path, .dir = dir };
	struct stat st;
	int fd, ret;
	char *text;

	if (split_path(path, dir, base, sizeof(base)) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s" SFC_STATE_TMP_TAG "XXXXXX", dir, base) >=
	    (int)sizeof(tmp))
		return sfc_errf(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return sfc_errf(err, errlen, -EISDIR, "%s: is a directory, not a state file", path);
	text = sfc_json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return sfc_errf(err, errlen, -ENOMEM, "%s: cannot serialize", path);
	/* mkostemp opens with O_CREAT|O_EXCL; O_NOFOLLOW on top of that */
	fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		free(text);
		return sfc_errf(err, errlen, ret, "%s: creating a temporary in %s: %s", path, dir,
			    strerror(-ret));
	}
	ret = fchmod(fd, 0640) ? -errno : 0;
	if (!ret)
		ret = write_all(fd, text, strlen(text));
	if (!ret)
		ret = write_all(fd, "\n", 1);
	free(text);
	if (ret) {
		close(fd);
	} else {
		c.fd = fd;
		ret = sfc_yield_while(commit_file, &c);
	}
	if (ret) {
		unlink(tmp);
		return sfc_errf(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}

int sfc_state_clean_temps(const char *path)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], prefix[NAME_MAX + 32];
	struct dirent *de;
	int n = 0, dfd;
	DIR *dp;

	if (split_path(path, dir, base, sizeof(base)))
		return -ENAMETOOLONG;
	snprintf(prefix, sizeof(prefix), ".%s" SFC_STATE_TMP_TAG, base);
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? 0 : -errno;
	dfd = dirfd(dp);
	while ((de = readdir(dp))) {
		struct stat st;

		/* ours: the prefix, six more characters, a regular file we own */
		if (strncmp(de->d_name, prefix, strlen(prefix)) ||
		    strlen(de->d_name) != strlen(prefix) + 6 ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (!unlinkat(dfd, de->d_name, 0))
			n++;
	}
	closedir(dp);
	return n;
}
