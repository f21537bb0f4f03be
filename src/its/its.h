/* SPDX-License-Identifier: MIT */
/*
 * ITS emulation: registers, command queue, mappings, translation cache.
 *
 * Theory of operation
 * -------------------
 * As in KVM, the mappings the commands create (devices, events, collections)
 * are kept in host structures, not in the guest's tables: the Device and
 * Collection tables described by GITS_BASER<n> only bound which IDs a guest
 * may map (and, for a two-level Device table, which of them have a level-2
 * page), and an ITT address is recorded for the day tables are saved.  Every
 * guest table access goes through the bounds-checked gmem accessors.
 *
 * Translation (DeviceID, EventID) -> LPI has a slow path under its->lock and
 * a translation cache read under RCU only (cache.c).  Commands and register
 * writes that can change a translation remove the entries they affect before
 * they drop the LPI references of the mappings; removed entries are freed
 * after a grace period, and a reader takes its own LPI reference with
 * increment-if-not-zero, so injection racing with commands never touches
 * freed memory.
 *
 * Lock order (outer first):
 *   vm->config_lock
 *   its->lock          (registers, queue, mappings, cache writers)
 *   lpi_table.lock     (LPI creation)
 *   gic_cpu->ap_lock, vgic_irq->lock   (see gic.h)
 * The injection fast path takes none of the first three.
 */
#ifndef VGIC_ITS_ITS_H
#define VGIC_ITS_ITS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <vgic/its.h>

#include "common/bits.h"
#include "common/gmem.h"
#include "common/list.h"
#include "gic/gic.h"
#include "its/hmap.h"
#include "its/regs.h"

/* Host memory a guest may make us hold: mapped events per ITS. */
#define ITS_MAX_EVENTS		(1u << 18)
/*
 * Work one register access may do on the queue, in commands plus the events
 * or LPIs they touch: a few milliseconds at most, however hostile the queue.
 */
#define ITS_WORK_BUDGET		(1u << 16)

/* ---- Host-side mappings (guarded by its->lock) ---- */
struct its_device {
	struct hnode node;		/* its->devices, key DeviceID */
	struct list_node events;	/* its_event.dev_link */
	uint64_t itt_addr;
	uint32_t id;
	uint8_t event_bits;
};

struct its_event {
	struct hnode node;		/* its->events, key ITS_EVENT_KEY() */
	struct list_node dev_link;
	struct its_device *dev;
	struct vgic_irq *irq;		/* holds one LPI reference */
	uint32_t eventid;
	uint16_t icid;
};

#define ITS_EVENT_KEY(dev, ev)	((uint64_t)(dev) << 32 | (ev))

struct its_collection {
	struct hnode node;		/* its->collections, key ICID */
	uint32_t target;		/* vCPU index */
};

/* ---- Translation cache (cache.c) ---- */
struct its_cache_table;

/*
 * A cached translation: the LPI, and its INTID and target as they were when
 * cached (commands that change a target forget the entry), so that the MSI
 * fast path reads only this, never the LPI that its vCPU keeps writing.
 */
struct its_translation {
	struct vgic_irq *irq;
	struct gic_cpu *target;
	uint32_t intid;
};

struct its_cache {
	struct its_cache_table *_Atomic tbl;	/* RCU; replaced when it grows */
	uint32_t nr;			/* entries; writers hold its->lock */
	uint32_t evict;			/* next bucket to evict from when full */
};

struct its_counters {
	atomic_uint_fast64_t cmds, cmd_errors, cmd_unknown, cmd_stalls, table_errors;
	/* msis is not counted on its own: hits + misses + refused while disabled, so
	 * that a cache hit touches one shared counter, not two. */
	atomic_uint_fast64_t mmio_bad_access, msis_disabled, msis_blocked;
	atomic_uint_fast64_t cache_hits, cache_misses, cache_invalidations;
};

#define its_count(its, field) \
	atomic_fetch_add_explicit(&(its)->stats.field, 1, memory_order_relaxed)

struct vgic_its {
	struct gic *gic;		/* NULL until the VM's GIC is initialised */
	struct gmem *mem;
	uint64_t base;
	pthread_mutex_t lock;
	atomic_bool enabled;		/* GITS_CTLR.Enabled, read lock-free by injection */
	uint64_t cbaser;
	uint64_t cwriter;		/* offset only */
	uint64_t creadr;		/* offset only */
	bool stalled;			/* GITS_CREADR.Stalled */
	uint64_t work;			/* units spent by the current queue run */
	bool quiesced;			/* this queue run shut the LPI bitmaps */
	uint64_t baser[2];		/* [0] Device table, [1] Collection table */
	struct hmap devices, events, collections;
	struct its_cache cache;
	struct its_counters stats;
};

/* ---- its.c: lifecycle ---- */
struct vgic_its *its_new(struct gmem *mem);
void its_free(struct vgic_its *its);
/* The GIC is up: from now on the ITS may reach it. */
void its_attach(struct vgic_its *its, struct gic *gic);
void its_get_stats(struct vgic_its *its, struct vgic_its_stats *st);

/* ---- regs.c: the two MMIO frames; @off from the ITS base, @len 1..8 ---- */
uint64_t its_mmio_read(struct vgic_its *its, uint64_t off, unsigned int len);
void its_mmio_write(struct vgic_its *its, uint64_t off, unsigned int len, uint64_t val);

/* ---- mappings.c: lookups and teardown, its->lock held ---- */
struct its_device *its_find_device(struct vgic_its *its, uint32_t devid);
struct its_event *its_find_event(struct vgic_its *its, uint32_t devid, uint32_t eventid);
struct its_collection *its_find_collection(struct vgic_its *its, uint16_t icid);
/* The vCPU collection @icid is mapped to, or NULL. */
struct gic_cpu *its_collection_cpu(struct vgic_its *its, uint16_t icid);
/* Unmap @ev: forget its translation, drop its pending state and LPI reference. */
void its_event_free(struct vgic_its *its, struct its_event *ev);
/* Unmap @dev and all its events. */
void its_device_free(struct vgic_its *its, struct its_device *dev);
/* Re-aim every event of collection @icid at @cpu. */
void its_collection_retarget(struct vgic_its *its, uint16_t icid, struct gic_cpu *cpu);

/* ---- cmd.c ---- */
/*
 * Run the commands between CREADR and CWRITER, up to ITS_WORK_BUDGET units
 * of work; what is left runs on the next CWRITER or CTLR write or CREADR or
 * CTLR read, as a guest polling CREADR for completion does.  its->lock held.
 */
void its_process_queue(struct vgic_its *its);
/*
 * GITS_BASER0/1.Valid cleared, or reset: drop every device (with its events)
 * and/or collection, with the LPI bitmaps shut.  its->lock held.
 */
void its_free_mappings(struct vgic_its *its, bool devices, bool collections);

/* ---- tables.c ---- */
/*
 * May @id be mapped in the table GITS_BASER<@idx> describes?  Checks the ID
 * against the table size and, for a two-level table, reads the level-1 entry
 * (its Valid bit and that the level-2 entry lies in guest RAM).  Counts
 * table_errors for tables outside RAM.
 */
bool its_table_id_ok(struct vgic_its *its, unsigned int idx, uint32_t id);
/* Bytes of one page of table GITS_BASER value @baser. */
uint64_t its_baser_page_size(uint64_t baser);
/* Guest address of the table GITS_BASER value @baser describes. */
uint64_t its_baser_addr(uint64_t baser);

/* ---- cache.c ---- */
int its_cache_init(struct its_cache *c);
void its_cache_destroy(struct its_cache *c);
/* The cached LPI for the pair, or NULL; no reference, no count.  Caller in an
 * RCU read-side section, which keeps the LPI's memory alive until it ends. */
const struct its_translation *its_cache_find(struct vgic_its *its, uint32_t devid,
					    uint32_t eventid);
/* Remember a translation.  its->lock held. */
void its_cache_insert(struct vgic_its *its, uint32_t devid, uint32_t eventid,
		      const struct its_translation *tr);
/* Forget one translation / all of this ITS.  its->lock held. */
void its_cache_forget(struct vgic_its *its, uint32_t devid, uint32_t eventid);
void its_cache_forget_all(struct vgic_its *its);
/* Host bytes the cache holds.  its->lock held. */
uint64_t its_cache_bytes(const struct its_cache *c);

/* ---- uaccess.c, abi.c: save/restore for the VMM (KVM's ITS device attributes) ---- */
/* ITS register at @off as KVM_DEV_ARM_VGIC_GRP_ITS_REGS: 0, -ENXIO, -EINVAL, -EBUSY. */
int its_uaccess(struct vgic_its *its, uint32_t off, bool is_write, uint64_t *val);
/* Would its_uaccess() take @off?  0, -ENXIO or -EINVAL, with no access made. */
int its_uaccess_check(uint32_t off);
/* KVM_DEV_ARM_ITS_SAVE_TABLES: 0, -EFAULT (table or ITT outside RAM), -EINVAL, -ENOMEM. */
int its_save_tables(struct vgic_its *its);
/* KVM_DEV_ARM_ITS_RESTORE_TABLES: 0 or an errno with nothing applied. */
int its_restore_tables(struct vgic_its *its);
/* KVM_DEV_ARM_ITS_CTRL_RESET. */
void its_reset(struct vgic_its *its);

/* ---- translate.c ---- */
/*
 * Translate and inject (@devid, @eventid): 1 delivered, 0 blocked by the
 * guest's configuration (counted), -EBUSY when the ITS is disabled.  Takes
 * the cache fast path unless @locked (caller holds its->lock: INT command).
 */
int its_translate(struct vgic_its *its, uint32_t devid, uint32_t eventid, bool locked);

#endif
