// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sfc-cni's process: the CNI_* environment, stdin and stdout to cni_run(). */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "sfc_cni.h"

static const char *env_get(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

int main(void)
{
	struct cni_env env = {
		.command = env_get("CNI_COMMAND"), .containerid = env_get("CNI_CONTAINERID"),
		.netns = env_get("CNI_NETNS"), .ifname = env_get("CNI_IFNAME"),
		.args = env_get("CNI_ARGS"), .path = env_get("CNI_PATH"),
	};

	sfc_log_set_prefix("sfc-cni");
	return cni_run(&env, stdin, stdout);
}
