// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One sfcd per pin directory and per state file, decided before anything
 * is touched. The pin directory is flock'ed itself (bpffs directories can
 * be); the state file through a lock file in SFCD_RUN_DIR named after its
 * path (the state file is replaced on every save, so its own inode cannot
 * carry the lock). A refusal names the holder, found in /proc/locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "errmsg.h"
#include "hash.h"
#include "sfcd.h"

/* The pid holding a flock on fd's inode, from /proc/locks; 0 if unknown. */
static pid_t lock_holder(int fd)
{
	unsigned int maj, min;
	unsigned long ino;
	struct stat st;
	char line[256];
	pid_t pid = 0;
	FILE *f;

	if (fstat(fd, &st))
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char kind[16];
		int p;

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:27:84028 0 EOF" */
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", kind, &p, &maj, &min, &ino) == 5 &&
		    !strcmp(kind, "FLOCK") && maj == major(st.st_dev) && min == minor(st.st_dev) &&
		    ino == st.st_ino) {
			pid = p;
			break;
		}
	}
	fclose(f);
	return pid;
}

/* "pid 1234 (sfcd)", or "another process" */
static void describe(pid_t pid, char *buf, size_t len)
{
	char path[64], comm[64] = "";
	FILE *f;

	if (!pid) {
		snprintf(buf, len, "another process");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(buf, len, "pid %d%s%s%s", pid, comm[0] ? " (" : "", comm, comm[0] ? ")" : "");
}

static int try_flock(int fd, const char *what, const char *path, char *err, size_t len)
{
	char who[96];

	if (!flock(fd, LOCK_EX | LOCK_NB))
		return 0;
	if (errno != EWOULDBLOCK)
		return sfc_errf(err, len, -errno, "locking %s %s: %s", what, path, strerror(errno));
	describe(lock_holder(fd), who, sizeof(who));
	return sfc_errf(err, len, -EBUSY, "%s %s is in use by %s: another sfcd owns it", what, path,
		    who);
}

int sfcd_lock_pin_dir(const char *pin_dir, int *out, char *err, size_t len)
{
	int fd, ret;

	fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sfc_errf(err, len, -errno, "pin directory %s: %s", pin_dir, strerror(errno));
	ret = try_flock(fd, "pin directory", pin_dir, err, len);
	if (ret) {
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

/*
 * SFCD_RUN_DIR/state-PATH.lock, PATH the state file's absolute path with
 * every byte but [A-Za-z0-9._-] as %XX (a hash when that is too long).
 */
static int state_lock_path(const char *state, char *out, size_t len)
{
	char abs[PATH_MAX], a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX], name[NAME_MAX + 1];
	size_t n = 0;

	snprintf(a, sizeof(a), "%s", state);
	snprintf(b, sizeof(b), "%s", state);
	if (realpath(dirname(a), dir)) {
		if (snprintf(abs, sizeof(abs), "%s/%s", strcmp(dir, "/") ? dir : "",
			     basename(b)) >= (int)sizeof(abs))
			return -ENAMETOOLONG;
	} else if (errno == ENOENT) {
		/* not there yet (a first start): the path as given, made absolute */
		if (state[0] != '/' && !getcwd(dir, sizeof(dir)))
			return -errno;
		if (snprintf(abs, sizeof(abs), "%s%s%s", state[0] == '/' ? "" : dir,
			     state[0] == '/' ? "" : "/", state) >= (int)sizeof(abs))
			return -ENAMETOOLONG;
	} else {
		return -errno;
	}
	for (const unsigned char *p = (const unsigned char *)abs; *p && n < 200; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-", *p))
			name[n++] = *p;
		else
			n += snprintf(name + n, sizeof(name) - n, "%%%02x", *p);
	}
	name[n] = '\0';
	if (n >= 200)
		snprintf(name, sizeof(name), "hash-%08x", sfc_hash_str(SFC_FNV_SEED, abs));
	if (snprintf(out, len, "%s/state-%s.lock", SFCD_RUN_DIR, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int sfcd_lock_state(const char *state, struct sfcd_state_lock *l, char *err, size_t len)
{
	struct stat a, b;
	int fd, ret;

	ret = state_lock_path(state, l->path, sizeof(l->path));
	if (ret)
		return sfc_errf(err, len, ret, "state file %s: %s", state, strerror(-ret));
	if (mkdir(SFCD_RUN_DIR, 0755) && errno != EEXIST)
		return sfc_errf(err, len, -errno, "%s: %s", SFCD_RUN_DIR, strerror(errno));
	/* The file is removed at exit; one that was removed between our open
	 * and our flock is not the lock any more: open again. */
	for (int tries = 0; tries < 10; tries++) {
		fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return sfc_errf(err, len, -errno, "lock file %s: %s", l->path, strerror(errno));
		ret = try_flock(fd, "state file", state, err, len);
		if (ret) {
			close(fd);
			return ret;
		}
		if (!fstat(fd, &a) && !stat(l->path, &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			l->fd = fd;
			return 0;
		}
		close(fd);
	}
	return sfc_errf(err, len, -EAGAIN, "lock file %s keeps being replaced", l->path);
}

void sfcd_unlock_state(struct sfcd_state_lock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path);
	close(l->fd);
	l->fd = -1;
}
