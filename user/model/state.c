// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/types.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "state.h"

static int fail(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return ret;
}

json_t *sfc_state_empty(void)
{
	return json_pack("{s:i,s:[],s:[],s:[],s:[]}", "version", 1, "ingress", "sfs",
			 "chains", "rules");
}

json_t *sfc_state_load(const char *path, int *missing, char *err, size_t errlen)
{
	struct sfc_doc doc;
	json_error_t je;
	char inner[512];
	json_t *root;

	*missing = 0;
	if (access(path, F_OK) && errno == ENOENT) {
		*missing = 1;
		snprintf(err, errlen, "%s: no such file", path);
		return NULL;
	}
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "%s: line %d, column %d: %s", path, je.line, je.column,
			 je.text);
		return NULL;
	}
	if (sfc_doc_from_json(root, &doc, inner, sizeof(inner))) {
		snprintf(err, errlen, "%s: %s", path, inner);
		json_decref(root);
		return NULL;
	}
	sfc_doc_free(&doc);
	sfc_state_fill_defaults(root);
	return root;
}

void sfc_state_fill_defaults(json_t *doc)
{
	static const char *const sections[] = { "ingress", "sfs", "chains", "rules" };

	if (!json_object_get(doc, "version"))
		json_object_set_new(doc, "version", json_integer(1));
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!json_object_get(doc, sections[i]))
			json_object_set_new(doc, sections[i], json_array());
}

int sfc_state_save(const char *path, json_t *doc, char *err, size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, dfd, ret;
	char *text;
	size_t len;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()) >= (int)sizeof(tmp))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long", path);
	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return fail(err, errlen, -ENOMEM, "%s: cannot serialize", path);
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		ret = -errno;
		free(text);
		return fail(err, errlen, ret, "%s: %s", tmp, strerror(-ret));
	}
	ret = 0;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		off += n;
	}
	if (!ret && write(fd, "\n", 1) != 1)
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	free(text);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return fail(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	/* The rename itself is durable only once the directory is synced. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
