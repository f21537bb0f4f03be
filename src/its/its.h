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

/* ---- Control frame (first 64 KiB) ---- */
#define GITS_CTLR		0x0000
#define GITS_IIDR		0x0004
#define GITS_TYPER		0x0008
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_BASER		0x0100		/* eight 64-bit registers */
#define GITS_NR_BASER		8
#define GITS_IDREGS		0xffd0
#define GITS_PIDR4		0xffd0
#define GITS_PIDR0		0xffe0
#define GITS_PIDR1		0xffe4
#define GITS_PIDR2		0xffe8
#define GITS_CIDR0		0xfff0
#define GITS_CIDR1		0xfff4
#define GITS_CIDR2		0xfff8
#define GITS_CIDR3		0xfffc
/* ---- Translation frame (second 64 KiB) ---- */
#define GITS_TRANSLATER		VGIC_ITS_TRANSLATER

FIELD(GITS_CTLR, ENABLED, 0, 1);
FIELD(GITS_CTLR, QUIESCENT, 31, 1);

FIELD(GITS_TYPER, PHYSICAL, 0, 1);
FIELD(GITS_TYPER, ITT_ENTRY_SIZE, 4, 4);
FIELD(GITS_TYPER, IDBITS, 8, 5);
FIELD(GITS_TYPER, DEVBITS, 13, 5);
FIELD(GITS_TYPER, SEIS, 18, 1);
FIELD(GITS_TYPER, PTA, 19, 1);
FIELD(GITS_TYPER, HCC, 24, 8);
FIELD(GITS_TYPER, CIDBITS, 32, 4);
FIELD(GITS_TYPER, CIL, 36, 1);

FIELD(GITS_CBASER, SIZE, 0, 8);		/* 4 KiB pages, minus one */
FIELD(GITS_CBASER, SHAREABILITY, 10, 2);
FIELD(GITS_CBASER, PA, 12, 40);
FIELD(GITS_CBASER, PA_64K_RES0, 12, 4);	/* KVM keeps the queue 64 KiB aligned */
FIELD(GITS_CBASER, OUTER_CACHE, 53, 3);
FIELD(GITS_CBASER, INNER_CACHE, 59, 3);
FIELD(GITS_CBASER, VALID, 63, 1);

FIELD(GITS_CWRITER, RETRY, 0, 1);
FIELD(GITS_CWRITER, OFFSET, 5, 15);
FIELD(GITS_CREADR, STALLED, 0, 1);
FIELD(GITS_CREADR, OFFSET, 5, 15);

FIELD(GITS_BASER, SIZE, 0, 8);		/* pages, minus one */
FIELD(GITS_BASER, PAGE_SIZE, 8, 2);
FIELD(GITS_BASER, SHAREABILITY, 10, 2);
FIELD(GITS_BASER, PA, 12, 36);		/* PA[47:12] */
FIELD(GITS_BASER, PA_HI, 12, 4);		/* 64 KiB pages: PA[51:48] */
FIELD(GITS_BASER, ENTRY_SIZE, 48, 5);	/* bytes, minus one */
FIELD(GITS_BASER, OUTER_CACHE, 53, 3);
FIELD(GITS_BASER, TYPE, 56, 3);
FIELD(GITS_BASER, INNER_CACHE, 59, 3);
FIELD(GITS_BASER, INDIRECT, 62, 1);
FIELD(GITS_BASER, VALID, 63, 1);

#define GITS_BASER_TYPE_NONE		0
#define GITS_BASER_TYPE_DEVICE		1
#define GITS_BASER_TYPE_COLLECTION	4
#define GITS_BASER_PAGE_4K		0
#define GITS_BASER_PAGE_16K		1
#define GITS_BASER_PAGE_64K		2

/* Level-1 entry of a two-level table: Valid and the level-2 page address. */
FIELD(ITS_L1E, PA, 12, 40);
FIELD(ITS_L1E, VALID, 63, 1);

/* Shareability and cacheability encodings shared with GICR_*BASER. */
#define GIC_BASER_SH_INNER		1
#define GIC_BASER_SH_OUTER		2
#define GIC_BASER_CACHE_NCNB		0
#define GIC_BASER_CACHE_NC		1
#define GIC_BASER_CACHE_RAWB		7
#define GIC_BASER_CACHE_SAME_AS_INNER	0

/* What KVM implements: 16 DeviceID and EventID bits, 8-byte entries (ABI 0). */
#define ITS_DEVBITS		16
#define ITS_EVENTBITS		16
#define ITS_CID_BITS		16	/* CIL = 0: 16-bit collection IDs */
#define ITS_ENTRY_SIZE		8
#define ITS_ABI_REV		0
#define ITS_CMD_SIZE		32
#define ITS_QUEUE_PAGE		0x1000

/* Host memory a guest may make us hold: mapped events per ITS. */
#define ITS_MAX_EVENTS		(1u << 18)
/*
 * Work one register access may do on the queue, in commands plus the events
 * or LPIs they touch: a few milliseconds at most, however hostile the queue.
 */
#define ITS_WORK_BUDGET		(1u << 16)

/* ---- Commands: 32 bytes, four 64-bit words; fields named WORD_NAME ---- */
enum its_opcode {
	ITS_CMD_MOVI = 0x01,
	ITS_CMD_INT = 0x03,
	ITS_CMD_CLEAR = 0x04,
	ITS_CMD_SYNC = 0x05,
	ITS_CMD_MAPD = 0x08,
	ITS_CMD_MAPC = 0x09,
	ITS_CMD_MAPTI = 0x0a,
	ITS_CMD_MAPI = 0x0b,
	ITS_CMD_INV = 0x0c,
	ITS_CMD_INVALL = 0x0d,
	ITS_CMD_MOVALL = 0x0e,
	ITS_CMD_DISCARD = 0x0f,
};

/*
 *        63            32 31           8 7      0
 * word 0 [   DeviceID    |      RES0     | opcode ]
 * word 1 [ pINTID (MAPTI)|      EventID           ]   MAPD: Size [4:0]
 * word 2 [V|RES0|ITT_addr[51:8] (MAPD) | RDbase [47:16] (MAPC) | ICID [15:0]]
 * word 3 [           RDbase2 [47:16] (MOVALL)     ]
 */
FIELD(CMD_0, OPCODE, 0, 8);
FIELD(CMD_0, DEVICEID, 32, 32);
FIELD(CMD_1, EVENTID, 0, 32);
FIELD(MAPTI_1, PINTID, 32, 32);
FIELD(MAPD_1, SIZE, 0, 5);
FIELD(MAPD_2, ITT_ADDR, 8, 44);
FIELD(MAPD_2, VALID, 63, 1);
FIELD(CMD_2, ICID, 0, 16);
FIELD(MAPC_2, RDBASE, 16, 32);	/* PTA = 0: a processor number */
FIELD(MAPC_2, VALID, 63, 1);
FIELD(MOVALL_2, RDBASE1, 16, 32);
FIELD(MOVALL_3, RDBASE2, 16, 32);

/*
 * Table entries of KVM's save/restore ABI revision 0 (8 bytes each), the
 * format GITS_BASER<n>.Entry_Size and GITS_TYPER.ITT_entry_size announce:
 *
 *  DTE  63  62        49 48              5 4      0
 *      [V | next DevID  |  ITT_addr[52:8]  | Size   ]
 *  ITE  63        48 47           16 15          0
 *      [ next EvID  |    pINTID     |    ICID     ]
 *  CTE  63  62  52 51            16 15           0
 *      [V | RES0   |   RDbase      |    ICID     ]
 */
FIELD(DTE, SIZE, 0, 5);
FIELD(DTE, ITT_ADDR, 5, 44);
FIELD(DTE, NEXT, 49, 14);
FIELD(DTE, VALID, 63, 1);
FIELD(ITE, ICID, 0, 16);
FIELD(ITE, PINTID, 16, 32);
FIELD(ITE, NEXT, 48, 16);
FIELD(CTE, ICID, 0, 16);
FIELD(CTE, RDBASE, 16, 36);
FIELD(CTE, VALID, 63, 1);

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
/* GITS_BASER0/1.Valid cleared: drop every device (with its events) or collection. */
void its_free_devices(struct vgic_its *its);
void its_free_collections(struct vgic_its *its);

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
/* The cached LPI for (@devid, @eventid) with a reference, or NULL.  Any thread. */
struct vgic_irq *its_cache_lookup(struct vgic_its *its, uint32_t devid, uint32_t eventid);
/* Remember a translation.  its->lock held. */
void its_cache_insert(struct vgic_its *its, uint32_t devid, uint32_t eventid,
		      struct vgic_irq *irq);
/* Forget one translation / all of this ITS.  its->lock held. */
void its_cache_forget(struct vgic_its *its, uint32_t devid, uint32_t eventid);
void its_cache_forget_all(struct vgic_its *its);
/* Host bytes the cache holds.  its->lock held. */
uint64_t its_cache_bytes(const struct its_cache *c);

/* ---- translate.c ---- */
/*
 * Translate and inject (@devid, @eventid): 1 delivered, 0 blocked by the
 * guest's configuration (counted), -EBUSY when the ITS is disabled.  Takes
 * the cache fast path unless @locked (caller holds its->lock: INT command).
 */
int its_translate(struct vgic_its *its, uint32_t devid, uint32_t eventid, bool locked);

#endif
