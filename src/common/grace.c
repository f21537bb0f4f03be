/* SPDX-License-Identifier: MIT */
/*
 * Kept apart from rcu.c: liburcu's flavour headers each map the generic
 * rcu_* names onto their own flavour, so bp and memb cannot share a file.
 */
#include <pthread.h>
#include <stdbool.h>
#include <urcu/urcu-memb.h>

#include "common/grace.h"
#include "common/tsan.h"

static pthread_key_t grace_key;
static pthread_once_t grace_once = PTHREAD_ONCE_INIT;
static __thread bool grace_registered;

/* Thread exit: leave the registry, or synchronize would read a dead thread's state. */
static void grace_thread_exit(void *unused)
{
	(void)unused;
	urcu_memb_unregister_thread();
}

static void grace_key_init(void)
{
	pthread_key_create(&grace_key, grace_thread_exit);
}

static void grace_register(void)
{
	pthread_once(&grace_once, grace_key_init);
	urcu_memb_register_thread();
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(grace_key, &grace_registered);
	grace_registered = true;
}

void vgrace_read_lock(void)
{
	if (__builtin_expect(!grace_registered, 0))
		grace_register();
	urcu_memb_read_lock();
}

void vgrace_read_unlock(void)
{
	rcu_tsan_release();
	urcu_memb_read_unlock();
}

void vgrace_synchronize(void)
{
	urcu_memb_synchronize_rcu();
	rcu_tsan_acquire();
}
