// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "quota.h"

struct quota_entry *quota_find(struct quota *q, uid_t uid)
{
	for (size_t i = 0; i < q->count; i++)
		if (q->entries[i].uid == uid)
			return &q->entries[i];
	return NULL;
}

struct quota_entry *quota_get(struct quota *q, uid_t uid)
{
	struct quota_entry *e = quota_find(q, uid);

	if (e)
		return e;
	if (q->count == q->capacity) {
		size_t cap = q->capacity ? 2 * q->capacity : 16;
		struct quota_entry *grown = realloc(q->entries, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		q->entries = grown;
		q->capacity = cap;
	}
	e = &q->entries[q->count++];
	*e = (struct quota_entry){ .uid = uid };
	return e;
}

void quota_tidy(struct quota *q, uid_t uid)
{
	struct quota_entry *e = quota_find(q, uid);

	if (e && !e->pending && !e->running && !e->closing)
		*e = q->entries[--q->count];
}

void quota_free(struct quota *q)
{
	free(q->entries);
	*q = (struct quota){ 0 };
}
