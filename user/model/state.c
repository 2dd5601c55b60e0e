// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The empty document and the sections a hand-written one may leave out. */
#include <jansson.h>

#include "model.h"
#include "state.h"

json_t *sfc_state_empty(void)
{
	return json_pack("{s:i,s:[],s:[],s:[],s:[]}", "version", 1, "ingress", "sfs",
			 "chains", "rules");
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

