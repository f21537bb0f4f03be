/* SPDX-License-Identifier: MIT */
/*
 * A small chained hash map with 64-bit keys and intrusive nodes, for the ITS's
 * device, event and collection mappings.  Not thread-safe: the ITS lock
 * guards it.  It doubles its bucket array as it fills, so lookups stay O(1)
 * however many mappings a guest makes (the caller bounds their number).
 */
#ifndef VGIC_ITS_HMAP_H
#define VGIC_ITS_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint64_t key;
};

struct hmap {
	struct hnode **bucket;
	size_t nr_buckets;	/* a power of two, or 0 before the first insert */
	size_t nr;
};

void hmap_init(struct hmap *m);
/* Free the bucket array; the nodes belong to the caller. */
void hmap_destroy(struct hmap *m);
/* Add @n under @key (keys are unique: the caller checks first); -ENOMEM. */
int hmap_insert(struct hmap *m, struct hnode *n, uint64_t key);
struct hnode *hmap_find(const struct hmap *m, uint64_t key);
void hmap_remove(struct hmap *m, struct hnode *n);

/* Visit every node; @fn may remove the node it is given. */
void hmap_for_each(struct hmap *m, void (*fn)(struct hnode *n, void *opaque), void *opaque);

#endif
