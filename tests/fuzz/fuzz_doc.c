// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The document's JSON parser, validator and canonical form: any input is
 * refused with a message or accepted; an accepted document dumps to JSON
 * that parses again, means the same (diff empty) and dumps identically.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static char *dump(const struct sfc_doc *d)
{
	json_t *j = sfc_doc_to_json(d);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return s;
}

static void die(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_doc: %s\n  first:  %s\n  second: %s\n", what, a, b ? b : "");
	abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sfc_doc d, again, copy;
	char err[SFC_ERR_LEN], *s1, *s2;
	json_t *diff;

	if (sfc_doc_from_json_text((const char *)data, size, &d, err, sizeof(err))) {
		if (!err[0])
			die("refused without a message", "", NULL);
		return 0;
	}
	s1 = dump(&d);
	if (!s1)
		die("an accepted document does not dump", "", NULL);
	if (sfc_doc_from_json_text(s1, strlen(s1), &again, err, sizeof(err)))
		die("the canonical dump is refused", s1, err);
	s2 = dump(&again);
	if (!s2 || strcmp(s1, s2))
		die("the dump of the dump differs", s1, s2);
	diff = sfc_doc_diff(&d, &again);
	if (!diff || !sfc_doc_diff_empty(diff))
		die("a document and its dump differ", s1, s2);
	json_decref(diff);
	if (!sfc_doc_copy(&copy, &d)) {
		free(s2);
		s2 = dump(&copy);
		if (!s2 || strcmp(s1, s2))
			die("a copy dumps differently", s1, s2);
		sfc_doc_free(&copy);
	}
	free(s1);
	free(s2);
	sfc_doc_free(&again);
	sfc_doc_free(&d);
	return 0;
}
