/* SPDX-License-Identifier: MIT */
/*
 * A second RCU domain, for read-side sections that never block (they take no
 * lock and call nothing that can wait).
 *
 * The injection path's RCU (rcu.h, liburcu-bp) has readers that block: an
 * irqfd holds a read-side section across a translation-cache miss, which
 * takes its->lock.  So nobody may wait for a bp grace period under its->lock.
 * The LPI pending bitmap (gic/lpi_pend.c) needs exactly that: an ITS command
 * must wait, under its->lock, for MSIs that may still be setting bits.  Those
 * MSIs run in this domain's sections, which hold nothing, so waiting for
 * them cannot deadlock.  It is liburcu's "memb" flavour; threads register on
 * their first section and unregister when they exit.
 */
#ifndef VGIC_COMMON_GRACE_H
#define VGIC_COMMON_GRACE_H

/* Enter a read-side section.  Must not block until vgrace_read_unlock(). */
void vgrace_read_lock(void);
void vgrace_read_unlock(void);
/* Wait until every section that began before this call has ended. */
void vgrace_synchronize(void);

#endif
