// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sfc-cni's protocol: cni_run() (user/sfc-cni/run.c) with an environment,
 * a stdin and sfcd's reply taken from the input, which is
 *
 *	CNI_COMMAND=ADD            one NAME=VALUE per line: CNI_* variables,
 *	CNI_IFNAME=eth0            and SFCD_REPLY, the line sfcd answers
 *	SFCD_REPLY={"ok":true}     (absent: sfcd cannot be reached)
 *	                           an empty line, then stdin
 *	{"cniVersion":"1.1.0", ...}
 *
 * Whatever comes, sfc-cni prints one JSON object: on success a result (ADD,
 * VERSION; DEL, CHECK, GC and STATUS print nothing), on failure an error
 * with cniVersion, msg and a code the spec (1-7, 11, 50, 51) or this
 * plugin (100-102) defines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "sfc_cni.h"

extern const char *fuzz_cni_reply;

static void die(const char *what, const char *out)
{
	fprintf(stderr, "fuzz_cni: %s\n  stdout: %s\n", what, out ? out : "(none)");
	abort();
}

static bool code_defined(json_int_t code)
{
	return (code >= 1 && code <= 7) || code == 11 || code == 50 || code == 51 ||
	       (code >= 100 && code <= 102);
}

static void check_output(const char *cmd, int ret, const char *out, size_t len)
{
	json_t *j, *code;

	if (!ret && !len && strcmp(cmd, "ADD") && strcmp(cmd, "VERSION"))
		return;
	j = json_loadb(out, len, 0, NULL);
	if (!json_is_object(j))
		die("stdout is not one JSON object", out);
	if (ret) {
		code = json_object_get(j, "code");
		if (!json_is_integer(code) || !code_defined(json_integer_value(code)))
			die("an error without a defined code", out);
		if (!json_is_string(json_object_get(j, "msg")) ||
		    !json_is_string(json_object_get(j, "cniVersion")))
			die("an error without msg or cniVersion", out);
	}
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct cni_env env = { "", "", "", "", "", "" };
	char *text, *line, *next, *body = NULL, *out = NULL;
	size_t outlen = 0, bodylen;
	FILE *in, *o;
	int ret;

	if (size > 16384)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_cni_reply = NULL;
	for (line = text; line && !body; line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line) {
			body = next ? next : line;
			break;
		}
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "CNI_COMMAND"))
			env.command = eq;
		else if (!strcmp(line, "CNI_CONTAINERID"))
			env.containerid = eq;
		else if (!strcmp(line, "CNI_NETNS"))
			env.netns = eq;
		else if (!strcmp(line, "CNI_IFNAME"))
			env.ifname = eq;
		else if (!strcmp(line, "CNI_ARGS"))
			env.args = eq;
		else if (!strcmp(line, "CNI_PATH"))
			env.path = eq;
		else if (!strcmp(line, "SFCD_REPLY"))
			fuzz_cni_reply = eq;
	}
	if (!body)
		body = text + size;
	/* stdin may hold NULs: take the bytes after the blank line as they came */
	bodylen = size - (body - text);
	memcpy(body, data + (body - text), bodylen);
	in = fmemopen(body, bodylen, "r");
	o = open_memstream(&out, &outlen);
	if (!in || !o)
		abort();
	ret = cni_run(&env, in, o);
	fclose(in);
	fclose(o);
	check_output(env.command, ret, out, outlen);
	free(out);
	free(text);
	return 0;
}
