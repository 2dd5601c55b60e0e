/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers of the model's logic tests: documents from JSON text. */
#ifndef SFC_TEST_MODEL_UTIL_H
#define SFC_TEST_MODEL_UTIL_H

#include <errno.h>
#include <jansson.h>

#include "check.h"
#include "model.h"

/* The SFs, group and chain most tests start from. */
#define BASE_SFS                                                               \
	"\"groups\":[{\"name\":\"pool\"}],"                                    \
	"\"sfs\":[{\"name\":\"fw\",\"dev\":\"s0\"},{\"name\":\"ids\",\"dev\":\"s1\"}," \
	"{\"name\":\"p1\",\"dev\":\"s2\",\"group\":\"pool\"}]"

/* Parse and validate text (against prev, may be NULL); err gets the message. */
static inline int doc_from(const char *text, const struct sfc_doc *prev, struct sfc_doc *d,
			   char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	int ret;

	if (!root) {
		snprintf(err, errlen, "test JSON: %s", je.text);
		return -EBADMSG;
	}
	ret = sfc_doc_parse(root, d, err, errlen);
	json_decref(root);
	if (ret)
		return ret;
	ret = sfc_doc_validate(d, prev, err, errlen);
	if (ret)
		sfc_doc_free(d);
	return ret;
}

#endif
