/* SPDX-License-Identifier: MIT */
/*
 * Translation cache: (DeviceID, EventID) -> LPI for one ITS, read with no
 * lock on the injection path.
 *
 * A hash table of singly linked chains, published with release stores and
 * walked under an RCU read-side section.  Writers (the miss path filling it,
 * commands and register writes emptying it) are serialised by its->lock.
 * An unlinked entry is freed after a grace period, so a reader still walking
 * a chain never touches freed memory.  Entries hold no LPI reference: a
 * reader takes one with gic_lpi_tryget(), which fails if the LPI is being
 * freed (LPIs are themselves freed after a grace period), and then treats
 * the lookup as a miss.
 *
 * The bucket array doubles when the entries outnumber its buckets, so chains
 * stay short from one device to thousands while an idle ITS costs 512 bytes.
 * Growing relinks the entries into the new array before publishing it: a
 * reader still on the old array may follow a relinked entry into a new chain
 * and miss.  A miss only costs the slow path, which is authoritative, so
 * the cache can be wrong only by being absent, never by answering wrongly.
 *
 * The cache never holds more entries than there are mapped events (every
 * unmap forgets its entry), and ITS_MAX_EVENTS bounds those.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/rcu.h"
#include "its/its.h"

#define CACHE_MIN_BITS	6
#define CACHE_MAX_BITS	18	/* 2^18 = ITS_MAX_EVENTS: load factor stays <= 1 */

struct its_cache_entry {
	struct its_cache_entry *_Atomic next;
	uint64_t key;
	struct its_translation tr;	/* read-only once published */
	struct rcu_head rcu;
};

struct its_cache_table {
	unsigned int bits;
	struct rcu_head rcu;
	struct its_cache_entry *_Atomic bucket[];
};

static uint32_t bucket_of(const struct its_cache_table *t, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - t->bits));
}

static struct its_cache_table *table_new(unsigned int bits)
{
	struct its_cache_table *t =
		calloc(1, sizeof(*t) + ((size_t)1 << bits) * sizeof(t->bucket[0]));

	if (t)
		t->bits = bits;
	return t;
}

int its_cache_init(struct its_cache *c)
{
	struct its_cache_table *t = table_new(CACHE_MIN_BITS);

	atomic_init(&c->tbl, t);
	c->nr = 0;
	c->evict = 0;
	return t ? 0 : -ENOMEM;
}

void its_cache_destroy(struct its_cache *c)
{
	struct its_cache_table *t = atomic_load(&c->tbl);

	for (uint32_t b = 0; t && b < (1u << t->bits); b++) {
		struct its_cache_entry *e = atomic_load(&t->bucket[b]), *next;

		for (; e; e = next) {
			next = atomic_load(&e->next);
			free(e);
		}
	}
	free(t);
	atomic_store(&c->tbl, NULL);
}

const struct its_translation *its_cache_find(struct vgic_its *its, uint32_t devid,
					    uint32_t eventid)
{
	uint64_t key = ITS_EVENT_KEY(devid, eventid);
	struct its_cache_table *t = vrcu_deref(its->cache.tbl);
	struct its_cache_entry *e;

	for (e = vrcu_deref(t->bucket[bucket_of(t, key)]); e; e = vrcu_deref(e->next))
		if (e->key == key)
			return &e->tr;
	return NULL;
}

static void entry_free_rcu(struct rcu_head *head)
{
	rcu_tsan_acquire();
	free(container_of(head, struct its_cache_entry, rcu));
}

static void table_free_rcu(struct rcu_head *head)
{
	rcu_tsan_acquire();
	free(container_of(head, struct its_cache_table, rcu));
}

/* Unlink the entry *@link points to.  its->lock held. */
static void unlink_entry(struct vgic_its *its, struct its_cache_entry *_Atomic *link)
{
	struct its_cache_entry *e = atomic_load(link);

	vrcu_assign(*link, atomic_load(&e->next));
	its->cache.nr--;
	its_count(its, cache_invalidations);
	gic_call_rcu(&e->rcu, entry_free_rcu);
}

/* Make room by dropping the head of the next non-empty bucket. */
static void evict_one(struct vgic_its *its, struct its_cache_table *t)
{
	struct its_cache *c = &its->cache;

	for (uint32_t i = 0; i < (1u << t->bits); i++) {
		uint32_t b = c->evict++ & ((1u << t->bits) - 1);

		if (atomic_load(&t->bucket[b])) {
			unlink_entry(its, &t->bucket[b]);
			return;
		}
	}
}

/* Double the bucket array (see the theory above); on failure keep the old one. */
static struct its_cache_table *grow(struct its_cache *c, struct its_cache_table *old)
{
	struct its_cache_table *t = table_new(old->bits + 1);

	if (!t)
		return old;
	for (uint32_t b = 0; b < (1u << old->bits); b++) {
		struct its_cache_entry *e = atomic_load(&old->bucket[b]), *next;

		for (; e; e = next) {
			uint32_t nb = bucket_of(t, e->key);

			next = atomic_load(&e->next);
			vrcu_assign(e->next, atomic_load(&t->bucket[nb]));
			atomic_store(&t->bucket[nb], e);
		}
	}
	vrcu_assign(c->tbl, t);
	gic_call_rcu(&old->rcu, table_free_rcu);
	return t;
}

void its_cache_insert(struct vgic_its *its, uint32_t devid, uint32_t eventid,
		      const struct its_translation *tr)
{
	uint64_t key = ITS_EVENT_KEY(devid, eventid);
	struct its_cache_table *t = atomic_load(&its->cache.tbl);
	struct its_cache_entry *_Atomic *head;
	struct its_cache_entry *e;

	for (e = atomic_load(&t->bucket[bucket_of(t, key)]); e; e = atomic_load(&e->next))
		if (e->key == key)
			return;
	if (its->cache.nr >= ITS_MAX_EVENTS)
		evict_one(its, t);
	else if (its->cache.nr >= (1u << t->bits) && t->bits < CACHE_MAX_BITS)
		t = grow(&its->cache, t);
	e = malloc(sizeof(*e));
	if (!e)
		return;		/* the cache is an optimisation: run uncached */
	e->key = key;
	e->tr = *tr;
	head = &t->bucket[bucket_of(t, key)];
	atomic_init(&e->next, atomic_load(head));
	vrcu_assign(*head, e);
	its->cache.nr++;
}

void its_cache_forget(struct vgic_its *its, uint32_t devid, uint32_t eventid)
{
	uint64_t key = ITS_EVENT_KEY(devid, eventid);
	struct its_cache_table *t = atomic_load(&its->cache.tbl);
	struct its_cache_entry *_Atomic *link = &t->bucket[bucket_of(t, key)];
	struct its_cache_entry *e;

	for (; (e = atomic_load(link)); link = &e->next) {
		if (e->key == key) {
			unlink_entry(its, link);
			return;
		}
	}
}

uint64_t its_cache_bytes(const struct its_cache *c)
{
	const struct its_cache_table *t = atomic_load(&((struct its_cache *)c)->tbl);

	return sizeof(*t) + ((uint64_t)1 << t->bits) * sizeof(t->bucket[0]) +
	       (uint64_t)c->nr * sizeof(struct its_cache_entry);
}

void its_cache_forget_all(struct vgic_its *its)
{
	struct its_cache_table *t = atomic_load(&its->cache.tbl);

	for (uint32_t b = 0; its->cache.nr && b < (1u << t->bits); b++)
		while (atomic_load(&t->bucket[b]))
			unlink_entry(its, &t->bucket[b]);
}
