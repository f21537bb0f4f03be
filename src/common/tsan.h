/* SPDX-License-Identifier: MIT */
/*
 * ThreadSanitizer annotations for the grace periods it cannot see (liburcu's
 * rely on membarrier and volatile accesses): the end of every read-side
 * section releases rcu_tsan_sync, and a writer acquires it after a grace
 * period.  No-ops in other builds.
 */
#ifndef VGIC_COMMON_TSAN_H
#define VGIC_COMMON_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define VGIC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VGIC_TSAN 1
#endif
#endif

#ifdef VGIC_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char rcu_tsan_sync;
#define rcu_tsan_release() __tsan_release(&rcu_tsan_sync)
#define rcu_tsan_acquire() __tsan_acquire(&rcu_tsan_sync)
#else
#define rcu_tsan_release() do { } while (0)
#define rcu_tsan_acquire() do { } while (0)
#endif

#endif
