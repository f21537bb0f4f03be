/* SPDX-License-Identifier: MIT */
/*
 * Read-copy-update for the injection path (routing table, translation cache,
 * LPI lookup), on liburcu's "bulletproof" flavour: callers of the library are
 * arbitrary application threads, and urcu-bp registers them on first use.
 *
 * ThreadSanitizer cannot see liburcu's grace periods (they rely on
 * membarrier and volatile accesses), so under TSan these wrappers add
 * happens-before annotations: the end of every read-side section releases
 * rcu_tsan_sync, and a writer acquires it after synchronize_rcu(); pointer
 * publication is a release store, lookup an acquire load.  Everything in the
 * library uses these wrappers, never liburcu directly.
 */
#ifndef VGIC_COMMON_RCU_H
#define VGIC_COMMON_RCU_H

#include <urcu-bp.h>

#include "common/tsan.h"

static inline void vrcu_read_lock(void)
{
	urcu_bp_read_lock();
}

static inline void vrcu_read_unlock(void)
{
	rcu_tsan_release();
	urcu_bp_read_unlock();
}

/* Wait until every read-side section that might see old data has ended. */
static inline void vrcu_synchronize(void)
{
	urcu_bp_synchronize_rcu();
	rcu_tsan_acquire();
}

/* Publish @v at @p (a pointer declared _Atomic). */
#define vrcu_assign(p, v)	atomic_store_explicit(&(p), (v), memory_order_release)
/* Read the pointer at @p inside a read-side section. */
#define vrcu_deref(p)		atomic_load_explicit(&(p), memory_order_acquire)

#endif
