/* SPDX-License-Identifier: MIT */
/*
 * Translation cache: (DeviceID, EventID) -> LPI for one ITS, read with no
 * lock on the injection path.
 *
 * A fixed array of hash buckets, each a singly linked chain published with
 * release stores and walked under an RCU read-side section.  Writers (the
 * miss path filling it, commands and register writes emptying it) are
 * serialised by its->lock.  An unlinked entry is freed after a grace period,
 * so a reader still walking the chain never touches freed memory.  Entries
 * hold no LPI reference: a reader takes one with gic_lpi_tryget(), which
 * fails if the LPI is being freed (LPIs are themselves freed after a grace
 * period), and then treats the lookup as a miss.
 *
 * The cache never holds more entries than there are mapped events (every
 * unmap forgets its entry), and ITS_MAX_EVENTS bounds those.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/rcu.h"
#include "its/its.h"

#define ITS_CACHE_BUCKET_BITS	14
#define ITS_CACHE_BUCKETS	(1u << ITS_CACHE_BUCKET_BITS)

struct its_cache_entry {
	struct its_cache_entry *_Atomic next;
	uint64_t key;
	struct vgic_irq *irq;
	struct rcu_head rcu;
};

static uint32_t bucket_of(uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - ITS_CACHE_BUCKET_BITS));
}

int its_cache_init(struct its_cache *c)
{
	c->bucket = calloc(ITS_CACHE_BUCKETS, sizeof(*c->bucket));
	c->nr = 0;
	c->evict = 0;
	return c->bucket ? 0 : -ENOMEM;
}

void its_cache_destroy(struct its_cache *c)
{
	for (uint32_t b = 0; c->bucket && b < ITS_CACHE_BUCKETS; b++) {
		struct its_cache_entry *e = atomic_load(&c->bucket[b]), *next;

		for (; e; e = next) {
			next = atomic_load(&e->next);
			free(e);
		}
	}
	free(c->bucket);
	c->bucket = NULL;
}

struct vgic_irq *its_cache_lookup(struct vgic_its *its, uint32_t devid, uint32_t eventid)
{
	uint64_t key = ITS_EVENT_KEY(devid, eventid);
	struct vgic_irq *irq = NULL;
	struct its_cache_entry *e;

	vrcu_read_lock();
	for (e = vrcu_deref(its->cache.bucket[bucket_of(key)]); e; e = vrcu_deref(e->next)) {
		if (e->key == key) {
			if (gic_lpi_tryget(e->irq))
				irq = e->irq;
			break;
		}
	}
	vrcu_read_unlock();
	if (irq)
		its_count(its, cache_hits);
	else
		its_count(its, cache_misses);
	return irq;
}

static void entry_free_rcu(struct rcu_head *head)
{
	rcu_tsan_acquire();
	free(container_of(head, struct its_cache_entry, rcu));
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
static void evict_one(struct vgic_its *its)
{
	struct its_cache *c = &its->cache;

	for (uint32_t i = 0; i < ITS_CACHE_BUCKETS; i++) {
		uint32_t b = c->evict++ & (ITS_CACHE_BUCKETS - 1);

		if (atomic_load(&c->bucket[b])) {
			unlink_entry(its, &c->bucket[b]);
			return;
		}
	}
}

void its_cache_insert(struct vgic_its *its, uint32_t devid, uint32_t eventid,
		      struct vgic_irq *irq)
{
	uint64_t key = ITS_EVENT_KEY(devid, eventid);
	struct its_cache_entry *_Atomic *head = &its->cache.bucket[bucket_of(key)];
	struct its_cache_entry *e;

	for (e = atomic_load(head); e; e = atomic_load(&e->next))
		if (e->key == key)
			return;
	if (its->cache.nr >= ITS_MAX_EVENTS)
		evict_one(its);
	e = malloc(sizeof(*e));
	if (!e)
		return;		/* the cache is an optimisation: run uncached */
	e->key = key;
	e->irq = irq;
	atomic_init(&e->next, atomic_load(head));
	vrcu_assign(*head, e);
	its->cache.nr++;
}

void its_cache_forget(struct vgic_its *its, uint32_t devid, uint32_t eventid)
{
	uint64_t key = ITS_EVENT_KEY(devid, eventid);
	struct its_cache_entry *_Atomic *link = &its->cache.bucket[bucket_of(key)];
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
	return ITS_CACHE_BUCKETS * sizeof(*c->bucket) + (uint64_t)c->nr * sizeof(struct its_cache_entry);
}

void its_cache_forget_all(struct vgic_its *its)
{
	for (uint32_t b = 0; its->cache.nr && b < ITS_CACHE_BUCKETS; b++)
		while (atomic_load(&its->cache.bucket[b]))
			unlink_entry(its, &its->cache.bucket[b]);
}
