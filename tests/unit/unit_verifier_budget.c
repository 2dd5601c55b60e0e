// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The verifier budget: how many instructions the kernel's verifier walked
 * for each BPF program sfc loads (bpf_prog_info.verified_insns, 5.16+),
 * printed on every run so the trend shows, and a failure above a
 * threshold. The kernel refuses a program at 1,000,000
 * (BPF_COMPLEXITY_LIMIT_INSNS); the threshold is half of that, so that
 * the datapath keeps room for NSH and BPF SFs, and a kernel whose
 * verifier explores more states (older or newer) does not tip it over.
 *
 * sfc's programs are loaded exactly as sfcd loads them (sfc_dp_load: the
 * same skeleton, the same open and load path) in a private netns; any
 * other build/NAME.bpf.o is loaded as it is, with libbpf defaults. make
 * test runs this on the host's kernel, make vmtest on 6.1.
 *
 * Environment: SFC_VERIFIER_BUDGET=N sets the threshold (default 500000).
 */
#include <glob.h>

#include "unit.h"
#include "sfc.skel.h"

#define KERNEL_LIMIT 1000000
#define DEFAULT_BUDGET 500000

static long budget = DEFAULT_BUDGET;

struct prog_count {
	char name[64];
	const char *type;
	__u32 insns;
	int err;
};

static int count_prog(struct bpf_program *prog, struct prog_count *c)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	snprintf(c->name, sizeof(c->name), "%s", bpf_program__name(prog));
	c->type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
	if (fd < 0)
		return c->err = -EBADF;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return c->err = -errno;
	c->insns = info.verified_insns;
	return 0;
}

/* Print each program's count; fail on the first one over the budget or
 * without a count (a kernel that reports none cannot be checked). */
static void check_object(struct bpf_object *obj, const char *what)
{
	struct prog_count c[32];
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog) || n == (int)ARRAY_SIZE(c))
			continue;
		memset(&c[n], 0, sizeof(c[n]));
		count_prog(prog, &c[n]);
		printf("# verifier budget: %s %s (%s): %u verified instructions, "
		       "%.1f %% of the threshold %ld (kernel limit %d)\n", what, c[n].name,
		       c[n].type ? c[n].type : "?", c[n].insns, 100.0 * c[n].insns / budget, budget,
		       KERNEL_LIMIT);
		n++;
	}
	ASSERT_GE(n, 1, "programs in the object");
	for (int i = 0; i < n; i++) {
		char label[128];

		snprintf(label, sizeof(label), "%s: bpf_obj_get_info_by_fd", c[i].name);
		ASSERT_OK(c[i].err, label);
		snprintf(label, sizeof(label), "%s: the kernel reports a verified count", c[i].name);
		ASSERT_TRUE(c[i].insns > 0, label);
		if (c[i].insns > budget)
			FAIL("%s: verified instructions: expected <= %ld, got %u (%.2fx the threshold)",
			     c[i].name, budget, c[i].insns, (double)c[i].insns / budget);
	}
}

/* checks that every program of sfc's datapath, loaded as sfcd loads it,
 * verifies within the budget */
static void test_sfc_programs_verify_within_budget(void)
{
	check_object(dp->skel->obj, "sfc.bpf.o");
}

/* checks that every program of any other build/NAME.bpf.o verifies within
 * the budget (no result line when there is none) */
static int check_other_objects(void)
{
	glob_t g;
	int nfail = 0;

	if (glob("build/*.bpf.o", 0, NULL, &g))
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i], *base = strrchr(path, '/') + 1;
		char name[128];
		struct bpf_object *obj;
		int err;

		if (!strcmp(base, "sfc.bpf.o"))
			continue;
		snprintf(name, sizeof(name), "%.*s_programs_verify_within_budget",
			 (int)(strlen(base) - strlen(".bpf.o")), base);
		unit_failed = false;
		unit_msg[0] = '\0';
		obj = bpf_object__open_file(path, NULL);
		err = obj ? bpf_object__load(obj) : -errno;
		if (err)
			unit_fail("%s: open and load: %s", path, strerror(-err));
		else
			check_object(obj, base);
		bpf_object__close(obj);
		if (unit_failed) {
			printf("not ok %s: %s\n", name, unit_msg);
			nfail++;
		} else {
			printf("ok %s\n", name);
		}
	}
	globfree(&g);
	return nfail;
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_sfc_programs_verify_within_budget),
	};
	const char *env = getenv("SFC_VERIFIER_BUDGET");
	int rc;

	if (env && *env) {
		char *end;

		budget = strtol(env, &end, 10);
		if (*end || budget <= 0) {
			printf("not ok setup: SFC_VERIFIER_BUDGET=%s: not a positive number\n", env);
			return 1;
		}
	}
	unit_env_init();
	rc = unit_run(tests, ARRAY_SIZE(tests), argc, argv);
	if (argc <= 1 && check_other_objects())
		rc = 1;
	return rc;
}
