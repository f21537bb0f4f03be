/* SPDX-License-Identifier: MIT */
/*
 * Small spinlock for the interrupt injection path.  Critical sections under it
 * are a handful of loads and stores, so spinning beats a futex round trip; after
 * a short spin we yield so that an oversubscribed host (more threads than cores)
 * still makes progress.  Built on C11 atomics so ThreadSanitizer understands it.
 */
#ifndef VGIC_COMMON_LOCK_H
#define VGIC_COMMON_LOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct {
	atomic_bool locked;
} vgic_spinlock_t;

#define VGIC_SPIN_BEFORE_YIELD 64

static inline void spin_init(vgic_spinlock_t *l)
{
	atomic_init(&l->locked, false);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static inline void spin_lock(vgic_spinlock_t *l)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&l->locked, true, memory_order_acquire)) {
		while (atomic_load_explicit(&l->locked, memory_order_relaxed)) {
			if (++spins < VGIC_SPIN_BEFORE_YIELD)
				cpu_relax();
			else
				sched_yield();
		}
	}
}

static inline bool spin_trylock(vgic_spinlock_t *l)
{
	return !atomic_exchange_explicit(&l->locked, true, memory_order_acquire);
}

static inline void spin_unlock(vgic_spinlock_t *l)
{
	atomic_store_explicit(&l->locked, false, memory_order_release);
}

/* For assertions documenting "must be called with X held". */
static inline bool spin_is_locked(vgic_spinlock_t *l)
{
	return atomic_load_explicit(&l->locked, memory_order_relaxed);
}

#endif
