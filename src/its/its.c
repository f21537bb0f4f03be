/* SPDX-License-Identifier: MIT */
/* ITS object lifecycle and counters. */
#include <stdlib.h>

#include "its/its.h"

static uint64_t baser_reset(unsigned int type)
{
	return FIELD_DP(GITS_BASER, INNER_CACHE, GIC_BASER_CACHE_RAWB) |
	       FIELD_DP(GITS_BASER, OUTER_CACHE, GIC_BASER_CACHE_SAME_AS_INNER) |
	       FIELD_DP(GITS_BASER, SHAREABILITY, GIC_BASER_SH_INNER) |
	       FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) |
	       FIELD_DP(GITS_BASER, TYPE, type) |
	       FIELD_DP(GITS_BASER, ENTRY_SIZE, ITS_ENTRY_SIZE - 1);
}

struct vgic_its *its_new(struct gmem *mem)
{
	struct vgic_its *its = calloc(1, sizeof(*its));

	if (!its)
		return NULL;
	if (its_cache_init(&its->cache)) {
		free(its);
		return NULL;
	}
	its->mem = mem;
	pthread_mutex_init(&its->lock, NULL);
	atomic_init(&its->enabled, false);
	hmap_init(&its->devices);
	hmap_init(&its->events);
	hmap_init(&its->collections);
	/* KVM's reset values: cacheable, inner shareable, 64 KiB pages, 8-byte entries. */
	its->baser[0] = baser_reset(GITS_BASER_TYPE_DEVICE);
	its->baser[1] = baser_reset(GITS_BASER_TYPE_COLLECTION);
	return its;
}

void its_attach(struct vgic_its *its, struct gic *gic)
{
	pthread_mutex_lock(&its->lock);
	its->gic = gic;
	pthread_mutex_unlock(&its->lock);
}

static void free_node(struct hnode *n, void *opaque)
{
	(void)opaque;
	free(n);	/* every mapping struct starts with its hnode */
}

/*
 * No caller thread is left (vgic_vm_destroy's contract) and the LPI store is
 * freed right after us, so mappings are freed without dropping LPI references.
 */
void its_free(struct vgic_its *its)
{
	if (!its)
		return;
	hmap_for_each(&its->events, free_node, NULL);
	hmap_for_each(&its->devices, free_node, NULL);
	hmap_for_each(&its->collections, free_node, NULL);
	hmap_destroy(&its->events);
	hmap_destroy(&its->devices);
	hmap_destroy(&its->collections);
	its_cache_destroy(&its->cache);
	pthread_mutex_destroy(&its->lock);
	free(its);
}

void its_get_stats(struct vgic_its *its, struct vgic_its_stats *st)
{
	const struct its_counters *c = &its->stats;

	st->cmds = atomic_load(&c->cmds);
	st->cmd_errors = atomic_load(&c->cmd_errors);
	st->cmd_unknown = atomic_load(&c->cmd_unknown);
	st->cmd_stalls = atomic_load(&c->cmd_stalls);
	st->table_errors = atomic_load(&c->table_errors);
	st->mmio_bad_access = atomic_load(&c->mmio_bad_access);
	st->msis = atomic_load(&c->cache_hits) + atomic_load(&c->cache_misses) +
		   atomic_load(&c->msis_disabled);
	st->msis_blocked = atomic_load(&c->msis_blocked);
	st->cache_hits = atomic_load(&c->cache_hits);
	st->cache_misses = atomic_load(&c->cache_misses);
	st->cache_invalidations = atomic_load(&c->cache_invalidations);
	pthread_mutex_lock(&its->lock);
	st->mapped_events = its->events.nr;
	st->host_bytes = sizeof(*its) + its_cache_bytes(&its->cache) +
			 its->events.nr * sizeof(struct its_event) +
			 its->devices.nr * sizeof(struct its_device) +
			 its->collections.nr * sizeof(struct its_collection) +
			 (its->events.nr_buckets + its->devices.nr_buckets +
			  its->collections.nr_buckets) * sizeof(struct hnode *);
	pthread_mutex_unlock(&its->lock);
}
