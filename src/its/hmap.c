/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "its/hmap.h"

#define HMAP_MIN_BUCKETS 64

static size_t slot(const struct hmap *m, uint64_t key)
{
	/* Fibonacci hashing spreads consecutive DeviceIDs and EventIDs. */
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (m->nr_buckets - 1);
}

void hmap_init(struct hmap *m)
{
	*m = (struct hmap){ 0 };
}

void hmap_destroy(struct hmap *m)
{
	free(m->bucket);
	hmap_init(m);
}

static int grow(struct hmap *m)
{
	size_t nb = m->nr_buckets ? m->nr_buckets * 2 : HMAP_MIN_BUCKETS;
	struct hnode **b = calloc(nb, sizeof(*b));
	struct hmap n = { .bucket = b, .nr_buckets = nb, .nr = m->nr };

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < m->nr_buckets; i++) {
		struct hnode *e = m->bucket[i], *next;

		for (; e; e = next) {
			size_t s = slot(&n, e->key);

			next = e->next;
			e->next = b[s];
			b[s] = e;
		}
	}
	free(m->bucket);
	*m = n;
	return 0;
}

int hmap_insert(struct hmap *m, struct hnode *n, uint64_t key)
{
	size_t s;

	/* Keep the load factor at most 1; a failed grow still leaves a usable map. */
	if (m->nr >= m->nr_buckets && grow(m) && !m->nr_buckets)
		return -ENOMEM;
	s = slot(m, key);
	n->key = key;
	n->next = m->bucket[s];
	m->bucket[s] = n;
	m->nr++;
	return 0;
}

struct hnode *hmap_find(const struct hmap *m, uint64_t key)
{
	if (!m->nr_buckets)
		return NULL;
	for (struct hnode *e = m->bucket[slot(m, key)]; e; e = e->next)
		if (e->key == key)
			return e;
	return NULL;
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
	struct hnode **p = &m->bucket[slot(m, n->key)];

	for (; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			m->nr--;
			return;
		}
	}
}

void hmap_for_each(struct hmap *m, void (*fn)(struct hnode *n, void *opaque), void *opaque)
{
	for (size_t i = 0; i < m->nr_buckets; i++) {
		struct hnode *e = m->bucket[i], *next;

		for (; e; e = next) {
			next = e->next;
			fn(e, opaque);
		}
	}
}
