/* SPDX-License-Identifier: MIT */
#include "common/rcu.h"

#ifdef VGIC_TSAN
/* Only its address matters: the synchronisation object for the annotations. */
char rcu_tsan_sync;
#endif
