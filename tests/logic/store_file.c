// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state file on disk (user/model/store_file.c): save and load agree,
 * nothing is left beside the file, a directory is called one, stale
 * temporaries of ours (and only ours) are removed. In a temporary
 * directory; no root needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "state.h"

static char dir[PATH_MAX];

static void path_of(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

static void touch(const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	path_of(p, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool exists(const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(p, name);
	return !lstat(p, &st);
}

/* entries of dir, "." and ".." aside */
static int entries(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void empty_dir(void)
{
	struct dirent *de;
	char p[PATH_MAX];
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path_of(p, de->d_name);
		if (unlink(p))
			rmdir(p);
	}
	if (d)
		closedir(d);
}

static void save_then_load(void)
{
	char p[PATH_MAX], err[512];
	json_t *doc = sfc_state_empty(), *back;
	struct stat st;
	int missing;

	empty_dir();
	path_of(p, "state.json");
	json_array_append_new(json_object_get(doc, "sfs"),
			      json_pack("{s:s,s:s,s:s}", "name", "s1", "kind", "iface", "dev", "f1a"));
	ASSERT_OK(sfc_state_save(p, doc, err, sizeof(err)), "save");
	back = sfc_state_load(p, &missing, err, sizeof(err));
	ASSERT_TRUE(back != NULL, "load what was saved");
	ASSERT_TRUE(json_equal(back, doc), "the same document");
	ASSERT_EQ(entries(), 1, "nothing but the file in the directory");
	ASSERT_OK(stat(p, &st), "stat");
	ASSERT_EQ(st.st_mode & 0777, 0640, "mode 0640");
	/* a second save replaces it */
	ASSERT_OK(sfc_state_save(p, back, err, sizeof(err)), "save again");
	ASSERT_EQ(entries(), 1, "still nothing beside it");
	json_decref(back);
	json_decref(doc);
}

static void missing_file(void)
{
	char p[PATH_MAX], err[512];
	int missing = 0;

	empty_dir();
	path_of(p, "none.json");
	ASSERT_TRUE(!sfc_state_load(p, &missing, err, sizeof(err)), "no document");
	ASSERT_EQ(missing, 1, "missing set");
}

static void directory_is_said(void)
{
	char p[PATH_MAX], err[512], want[PATH_MAX + 64];
	json_t *doc = sfc_state_empty();
	int missing = 0;

	empty_dir();
	path_of(p, "state.json");
	mkdir(p, 0700);
	ASSERT_TRUE(!sfc_state_load(p, &missing, err, sizeof(err)), "load refuses a directory");
	ASSERT_EQ(missing, 0, "not missing");
	snprintf(want, sizeof(want), "%s: is a directory, not a state file", p);
	ASSERT_STREQ(err, want, "load's message");
	ASSERT_EQ(sfc_state_save(p, doc, err, sizeof(err)), -EISDIR, "save refuses a directory");
	ASSERT_STREQ(err, want, "save's message");
	ASSERT_EQ(entries(), 1, "no temporary left");
	json_decref(doc);
}

static void syntax_error_has_line(void)
{
	char p[PATH_MAX], err[512];
	int missing;

	empty_dir();
	touch("state.json", "{\n  \"version\": 1,\n  \"sfs\": [\n");
	path_of(p, "state.json");
	ASSERT_TRUE(!sfc_state_load(p, &missing, err, sizeof(err)), "truncated file refused");
	ASSERT_TRUE(strstr(err, "state.json: line 4, column ") != NULL, "line and column");
}

static void stale_temporaries(void)
{
	char p[PATH_MAX], t[PATH_MAX];

	empty_dir();
	touch(".state.json.sfcd-tmp.Ab12Cd", "{");
	touch(".state.json.sfcd-tmp.toolong7", "{");
	touch(".other.json.sfcd-tmp.Ab12Cd", "{");
	touch("state.json.tmp.123", "{");
	touch("target", "x");
	path_of(t, "target");
	path_of(p, ".state.json.sfcd-tmp.Sym123");
	ASSERT_OK(symlink(t, p), "symlink");
	path_of(p, "state.json");
	ASSERT_EQ(sfc_state_clean_temps(p), 1, "one temporary removed");
	ASSERT_TRUE(!exists(".state.json.sfcd-tmp.Ab12Cd"), "ours is gone");
	ASSERT_TRUE(exists(".state.json.sfcd-tmp.toolong7"), "another length stays");
	ASSERT_TRUE(exists(".other.json.sfcd-tmp.Ab12Cd"), "another file's stays");
	ASSERT_TRUE(exists("state.json.tmp.123"), "other names stay");
	ASSERT_TRUE(exists(".state.json.sfcd-tmp.Sym123"), "a symlink stays");
	ASSERT_TRUE(exists("target"), "its target stays");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(save_then_load),
		UNIT_TEST(missing_file),
		UNIT_TEST(directory_is_said),
		UNIT_TEST(syntax_error_has_line),
		UNIT_TEST(stale_temporaries),
	};
	int ret;

	snprintf(dir, sizeof(dir), "/tmp/sfc-logic-store-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	ret = unit_run(tests, ARRAY_SIZE(tests), argc, argv);
	empty_dir();
	rmdir(dir);
	return ret;
}
