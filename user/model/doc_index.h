/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Inside the model: a document's lookups (see sfc_doc_reindex). */
#ifndef SFC_MODEL_DOC_INDEX_H
#define SFC_MODEL_DOC_INDEX_H

#include "index.h"

struct sfc_doc;

struct sfc_doc_index {
	struct sfc_map ingress;  /* dev -> ingress[] */
	struct sfc_map groups;   /* name -> groups[] */
	struct sfc_map sfs;      /* name -> sfs[] */
	struct sfc_map chains;   /* name -> chains[] */
	struct sfc_map rules;    /* pref -> rules[] */
};

void sfc_doc_index_free(struct sfc_doc *doc);

#endif
