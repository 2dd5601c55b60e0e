// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Id allocation of the loader (user/lib/ids.c): a name keeps the id it
 * has, new names take the lowest free ids, id 0 is never given, a full id
 * space is -ENOSPC, nothing to allocate needs no arrays. No root, no maps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ids.h"

#define MAX 8

/* The objects being allocated: their names, in document order. */
struct names {
	const char *const *v;
	int n;
};

static int index_of(const void *ctx, const char *name)
{
	const struct names *d = ctx;

	for (int i = 0; i < d->n; i++)
		if (!strncmp(d->v[i], name, SFC_NAME_LEN))
			return i;
	return -1;
}

/* The id space after an earlier allocation: id -> name ("" free). */
static void held(sfc_id_name *t, const char *const *by_id)
{
	memset(t, 0, sizeof(sfc_id_name) * MAX);
	for (int id = 0; id < MAX; id++)
		if (by_id[id])
			strncpy(t[id], by_id[id], SFC_NAME_LEN);
}

static void names_keep_their_ids(void)
{
	static const char *const by_id[MAX] = { NULL, "a", NULL, "b", "c" };
	static const char *const doc[] = { "c", "x", "a", "y" };
	struct names d = { doc, 4 };
	sfc_id_name t[MAX];
	__u32 ids[4];
	bool fresh[4];

	held(t, by_id);
	ASSERT_OK(sfc_ids_alloc(t, NULL, MAX, index_of, &d, d.n, ids, fresh), "alloc");
	ASSERT_EQ(ids[0], 4, "c keeps id 4");
	ASSERT_EQ(ids[2], 1, "a keeps id 1");
	ASSERT_TRUE(!fresh[0] && !fresh[2], "kept ids are not new");
	/* b (id 3) is still held while the document drops it: not reused yet */
	ASSERT_EQ(ids[1], 2, "x takes the lowest free id");
	ASSERT_EQ(ids[3], 5, "y takes the next one, skipping b's");
	ASSERT_TRUE(fresh[1] && fresh[3], "x and y are new");
}

static void id_zero_is_never_given(void)
{
	static const char *const by_id[MAX] = { "zero" };
	static const char *const doc[] = { "zero", "one" };
	struct names d = { doc, 2 };
	sfc_id_name t[MAX];
	__u32 ids[2];
	bool fresh[2];

	held(t, by_id);
	ASSERT_OK(sfc_ids_alloc(t, NULL, MAX, index_of, &d, d.n, ids, fresh), "alloc");
	ASSERT_EQ(ids[0], 1, "a name found at id 0 gets a real id");
	ASSERT_EQ(ids[1], 2, "the next name the next id");
	ASSERT_TRUE(fresh[0], "and counts as new");
}

static void full_space_is_enospc(void)
{
	static const char *const by_id[MAX] = { NULL, "a", "b", "c", "d", "e", "f" };
	static const char *const doc[] = { "a", "new1", "new2" };
	struct names d = { doc, 3 };
	sfc_id_name t[MAX];
	__u32 ids[3];
	bool fresh[3];

	held(t, by_id);
	ASSERT_EQ(sfc_ids_alloc(t, NULL, MAX, index_of, &d, d.n, ids, fresh), -ENOSPC,
		  "8 ids, 6 held, 2 new names: one too many");
	d.n = 2;
	ASSERT_OK(sfc_ids_alloc(t, NULL, MAX, index_of, &d, d.n, ids, fresh), "one new name fits");
	ASSERT_EQ(ids[1], 7, "the last free id");
}

static void nothing_to_allocate(void)
{
	sfc_id_name t[MAX] = { "", "gone" };
	struct names d = { NULL, 0 };

	ASSERT_OK(sfc_ids_alloc(t, NULL, MAX, index_of, &d, 0, NULL, NULL), "no objects, no arrays");
}

static void full_length_names_match(void)
{
	/* SFC_NAME_LEN bytes and no NUL in the table */
	static const char *const doc[] = { "abcdefghijklmnopqrstuvwxyz012345" };
	struct names d = { doc, 1 };
	sfc_id_name t[MAX] = {};
	__u32 ids[1];
	bool fresh[1];

	memcpy(t[6], doc[0], SFC_NAME_LEN);
	ASSERT_OK(sfc_ids_alloc(t, NULL, MAX, index_of, &d, d.n, ids, fresh), "alloc");
	ASSERT_EQ(ids[0], 6, "a 32-byte name keeps its id");
}

static void reserved_ids_are_not_given(void)
{
	static const char *const doc[] = { "new1", "new2" };
	struct names d = { doc, 2 };
	sfc_id_name t[MAX] = { "", "", "kept" };
	__u8 reserved[MAX] = { [1] = 1, [3] = 1 };
	__u32 ids[2];
	bool fresh[2];

	ASSERT_OK(sfc_ids_alloc(t, reserved, MAX, index_of, &d, d.n, ids, fresh), "alloc");
	ASSERT_EQ(ids[0], 4, "first new name: past the reserved 1 and 3 and the used 2");
	ASSERT_EQ(ids[1], 5, "second new name");
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(names_keep_their_ids),
		UNIT_TEST(id_zero_is_never_given),
		UNIT_TEST(full_space_is_enospc),
		UNIT_TEST(nothing_to_allocate),
		UNIT_TEST(full_length_names_match),
		UNIT_TEST(reserved_ids_are_not_given),
	};

	return unit_run(tests, ARRAY_SIZE(tests), argc, argv);
}
