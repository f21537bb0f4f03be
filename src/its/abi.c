/* SPDX-License-Identifier: MIT */
/*
 * ITS save and restore with KVM's userspace ABI (arm-vgic-its.rst): register
 * access for the VMM, and the Device, ITT and Collection tables written into
 * and read back from guest memory in the layouts of ABI revision 0 (its.h).
 *
 * The format is versioned: GITS_IIDR.Revision names the ABI, and a table of
 * {entry sizes, save, restore} operations is indexed by it, as in Linux's
 * vgic-its.c.  Only revision 0 exists; restoring GITS_IIDR with another
 * revision is refused.
 *
 * Restore is two-phase.  Every entry is read and checked into a staging
 * list first (IDs in range, offsets inside their table, ITTs in RAM, no
 * duplicates, collections that exist); only a table set that passes as a
 * whole is applied.  So a corrupt snapshot leaves the ITS exactly as it was
 * (KVM instead frees every mapping it had restored so far).  The apply phase
 * can still fail for lack of memory or an LPI property table outside RAM;
 * it then unwinds what it added.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "its/its.h"

/* An ITE may point at a collection with no target: KVM saves those too. */
#define CTE_NOT_MAPPED		0xffffffffu
#define DTE_NEXT_MAX		((1u << DTE_NEXT_WIDTH) - 1)
#define ITE_NEXT_MAX		((1u << ITE_NEXT_WIDTH) - 1)
#define DTE_ITT_SHIFT		8	/* DTE.ITT_addr holds ITT_addr[52:8] */
#define L1E_SIZE		8

/* ---- register access (KVM_DEV_ARM_VGIC_GRP_ITS_REGS) ---- */

static uint64_t queue_size(uint64_t cbaser)
{
	return (FIELD_GET(GITS_CBASER, SIZE, cbaser) + 1) * ITS_QUEUE_PAGE;
}

static int uw_mmio(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_wi(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_iidr(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_cwriter(struct vgic_its *its, uint32_t off, uint64_t val);
static int uw_creadr(struct vgic_its *its, uint32_t off, uint64_t val);

struct its_ureg {
	uint32_t offset;
	uint32_t len;		/* bytes the register (array) covers */
	uint8_t width;		/* the one access size the ABI allows */
	int (*write)(struct vgic_its *its, uint32_t off, uint64_t val);
};

/* 64-bit registers take 64-bit accesses only, the rest 32-bit (KVM's ABI). */
static const struct its_ureg its_uregs[] = {
	{ GITS_CTLR, 4, 4, uw_mmio },
	{ GITS_IIDR, 4, 4, uw_iidr },
	{ GITS_TYPER, 8, 8, uw_wi },
	{ GITS_CBASER, 8, 8, uw_mmio },
	{ GITS_CWRITER, 8, 8, uw_cwriter },
	{ GITS_CREADR, 8, 8, uw_creadr },
	{ GITS_BASER, 8 * GITS_NR_BASER, 8, uw_mmio },
	{ GITS_IDREGS, 0x30, 4, uw_wi },
};

static int uw_mmio(struct vgic_its *its, uint32_t off, uint64_t val)
{
	its_mmio_write(its, off, off == GITS_CTLR ? 4 : 8, val);
	return 0;
}

static int uw_wi(struct vgic_its *its, uint32_t off, uint64_t val)
{
	(void)its, (void)off, (void)val;
	return 0;
}

/* The revision picks the table ABI; the other fields are not checked (KVM). */
static int uw_iidr(struct vgic_its *its, uint32_t off, uint64_t val)
{
	(void)its, (void)off;
	return FIELD_GET(GIC_IIDR, REVISION, val) == ITS_ABI_REV ? 0 : -EINVAL;
}

/* Restored without running commands: GITS_CTLR, restored last, does that. */
static int uw_cwriter(struct vgic_its *its, uint32_t off, uint64_t val)
{
	uint64_t offset = FIELD_GET(GITS_CWRITER, OFFSET, val) << GITS_CWRITER_OFFSET_SHIFT;
	int ret = 0;

	(void)off;
	pthread_mutex_lock(&its->lock);
	if (offset >= queue_size(its->cbaser))
		ret = -EINVAL;
	else
		its->cwriter = offset;
	pthread_mutex_unlock(&its->lock);
	return ret;
}

static int uw_creadr(struct vgic_its *its, uint32_t off, uint64_t val)
{
	uint64_t offset = FIELD_GET(GITS_CREADR, OFFSET, val) << GITS_CREADR_OFFSET_SHIFT;
	int ret = 0;

	(void)off;
	pthread_mutex_lock(&its->lock);
	if (atomic_load(&its->enabled))
		ret = -EBUSY;
	else if (offset >= queue_size(its->cbaser))
		ret = -EINVAL;
	else
		its->creadr = offset;
	pthread_mutex_unlock(&its->lock);
	return ret;
}

int its_uaccess(struct vgic_its *its, uint32_t off, bool is_write, uint64_t *val)
{
	const struct its_ureg *r = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(its_uregs); i++)
		if (off >= its_uregs[i].offset && off < its_uregs[i].offset + its_uregs[i].len)
			r = &its_uregs[i];
	if (!r)
		return -ENXIO;
	if (!ALIGNED(off, r->width))
		return -EINVAL;
	if (is_write)
		return r->write(its, off, *val);
	*val = its_mmio_read(its, off, r->width);
	return 0;
}

/* KVM_DEV_ARM_ITS_CTRL_RESET: tables invalid (their ABI fields kept), queue and mappings gone. */
void its_reset(struct vgic_its *its)
{
	pthread_mutex_lock(&its->lock);
	atomic_store(&its->enabled, false);
	its->baser[0] = FIELD_SET(GITS_BASER, VALID, its->baser[0], 0);
	its->baser[1] = FIELD_SET(GITS_BASER, VALID, its->baser[1], 0);
	its->cbaser = 0;
	its->creadr = 0;
	its->cwriter = 0;
	its->stalled = false;
	its_free_devices(its);
	its_free_collections(its);
	pthread_mutex_unlock(&its->lock);
}

/* ---- tables in guest memory ---- */

static uint64_t table_bytes(uint64_t baser)
{
	return (FIELD_GET(GITS_BASER, SIZE, baser) + 1) * its_baser_page_size(baser);
}

/* Guest address of entry @id of table @baser (flat or two-level): 0 or -EINVAL. */
static int table_entry(struct vgic_its *its, uint64_t baser, uint32_t id, uint64_t *gpa)
{
	uint64_t esz = FIELD_GET(GITS_BASER, ENTRY_SIZE, baser) + 1, psz = its_baser_page_size(baser);
	uint64_t per_page = psz / esz, l1;

	if (!FIELD_GET(GITS_BASER, INDIRECT, baser)) {
		if ((uint64_t)id * esz >= table_bytes(baser))
			return -EINVAL;
		*gpa = its_baser_addr(baser) + id * esz;
		return 0;
	}
	if (id / per_page * L1E_SIZE >= table_bytes(baser))
		return -EINVAL;
	if (gmem_read(its->mem, its_baser_addr(baser) + id / per_page * L1E_SIZE, &l1, sizeof(l1)))
		return -EFAULT;
	l1 = le64toh(l1);
	if (!FIELD_GET(ITS_L1E, VALID, l1))
		return -EINVAL;
	*gpa = (FIELD_GET(ITS_L1E, PA, l1) << ITS_L1E_PA_SHIFT & ~(psz - 1)) + id % per_page * esz;
	return 0;
}

/* Zero [@gpa, @gpa + @len) of guest memory: 0 or -EFAULT. */
static int clear_range(struct vgic_its *its, uint64_t gpa, uint64_t len)
{
	static const uint8_t zero[4096];

	for (uint64_t done = 0; done < len; done += sizeof(zero))
		if (gmem_write(its->mem, gpa + done, zero, MIN(sizeof(zero), len - done)))
			return -EFAULT;
	return 0;
}

static int write_entry(struct vgic_its *its, uint64_t gpa, uint64_t e)
{
	e = htole64(e);
	return gmem_write(its->mem, gpa, &e, sizeof(e)) ? -EFAULT : 0;
}

/* Items of an hmap in an array sorted by key (saved tables are in ID order). */
struct sorted {
	struct hnode **n;
	size_t nr;
};

static void collect(struct hnode *n, void *opaque)
{
	struct sorted *s = opaque;

	s->n[s->nr++] = n;
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t ka = (*(struct hnode *const *)a)->key, kb = (*(struct hnode *const *)b)->key;

	return ka < kb ? -1 : ka > kb;
}

static int sort_map(struct hmap *m, struct sorted *s)
{
	s->nr = 0;
	s->n = malloc((m->nr ? m->nr : 1) * sizeof(*s->n));
	if (!s->n)
		return -ENOMEM;
	hmap_for_each(m, collect, s);
	qsort(s->n, s->nr, sizeof(*s->n), cmp_key);
	return 0;
}

/* ---- save, ABI revision 0 ---- */

static uint64_t ite_v0(const struct its_event *ev, uint32_t next)
{
	return FIELD_DP(ITE, NEXT, next) | FIELD_DP(ITE, PINTID, ev->irq->intid) |
	       FIELD_DP(ITE, ICID, ev->icid);
}

static uint64_t dte_v0(const struct its_device *dev, uint32_t next)
{
	return FIELD_DP(DTE, VALID, 1) | FIELD_DP(DTE, NEXT, next) |
	       FIELD_DP(DTE, ITT_ADDR, dev->itt_addr >> DTE_ITT_SHIFT) |
	       FIELD_DP(DTE, SIZE, dev->event_bits - 1);
}

static uint64_t cte_v0(uint16_t icid, uint32_t target)
{
	return FIELD_DP(CTE, VALID, 1) | FIELD_DP(CTE, RDBASE, target) | FIELD_DP(CTE, ICID, icid);
}

static int cmp_event(const void *a, const void *b)
{
	uint32_t ea = (*(struct its_event *const *)a)->eventid;
	uint32_t eb = (*(struct its_event *const *)b)->eventid;

	return ea < eb ? -1 : ea > eb;
}

/* Each ITE at its EventID; "next" is the distance to the following one, 0 for the last. */
static int save_itt_v0(struct vgic_its *its, struct its_device *dev)
{
	struct its_event **evs;
	struct list_node *n, *t;
	size_t nr = 0;
	int ret = 0;

	list_for_each_safe(n, t, &dev->events)
		nr++;
	evs = malloc((nr ? nr : 1) * sizeof(*evs));
	if (!evs)
		return -ENOMEM;
	nr = 0;
	list_for_each_safe(n, t, &dev->events)
		evs[nr++] = container_of(n, struct its_event, dev_link);
	qsort(evs, nr, sizeof(*evs), cmp_event);
	for (size_t i = 0; i < nr && !ret; i++) {
		uint32_t next = i + 1 < nr ? MIN(evs[i + 1]->eventid - evs[i]->eventid, ITE_NEXT_MAX) : 0;

		ret = write_entry(its, dev->itt_addr + (uint64_t)evs[i]->eventid * ITS_ENTRY_SIZE,
				  ite_v0(evs[i], next));
	}
	free(evs);
	return ret;
}

/*
 * The Device table (each level-2 page of a two-level one) and every ITT are
 * cleared before they are written.  Entries of devices unmapped or events
 * discarded since an earlier save would otherwise come back on restore;
 * KVM clears them when MAPD and DISCARD run, here the save itself makes the
 * tables exact, whatever commands ran in between.  The tables belong to the
 * ITS: the guest gave them away when it programmed GITS_BASER.
 */
static int clear_device_table(struct vgic_its *its, uint64_t baser)
{
	uint64_t base = its_baser_addr(baser), size = table_bytes(baser);
	uint64_t psz = its_baser_page_size(baser), l1;
	int ret = 0;

	if (!FIELD_GET(GITS_BASER, INDIRECT, baser))
		return clear_range(its, base, size);
	for (uint64_t i = 0; i < size / L1E_SIZE && !ret; i++) {
		if (gmem_read(its->mem, base + i * L1E_SIZE, &l1, sizeof(l1)))
			return -EFAULT;
		l1 = le64toh(l1);
		if (FIELD_GET(ITS_L1E, VALID, l1))
			ret = clear_range(its, FIELD_GET(ITS_L1E, PA, l1) << ITS_L1E_PA_SHIFT & ~(psz - 1),
					  psz);
	}
	return ret;
}

static int save_devices_v0(struct vgic_its *its)
{
	uint64_t baser = its->baser[0], gpa;
	struct sorted s;
	int ret;

	if (!FIELD_GET(GITS_BASER, VALID, baser))
		return 0;
	ret = clear_device_table(its, baser);
	if (ret)
		return ret;
	ret = sort_map(&its->devices, &s);
	/* All ITTs first: overlapping ITTs (a guest error) must not erase saved entries. */
	for (size_t i = 0; i < s.nr && !ret; i++) {
		struct its_device *dev = container_of(s.n[i], struct its_device, node);

		ret = clear_range(its, dev->itt_addr, (uint64_t)ITS_ENTRY_SIZE << dev->event_bits);
	}
	for (size_t i = 0; i < s.nr && !ret; i++) {
		struct its_device *dev = container_of(s.n[i], struct its_device, node);
		uint32_t next = 0;

		if (i + 1 < s.nr)
			next = (uint32_t)MIN(s.n[i + 1]->key - dev->id, DTE_NEXT_MAX);
		ret = save_itt_v0(its, dev);
		if (!ret)
			ret = table_entry(its, baser, dev->id, &gpa);
		if (!ret)
			ret = write_entry(its, gpa, dte_v0(dev, next));
	}
	free(s.n);
	return ret;
}

struct icid_set {
	uint16_t *ids;
	size_t nr;
};

/* Every ICID an event uses; those no collection maps are saved with no target. */
static void unmapped_icid(struct hnode *n, void *opaque)
{
	struct its_event *ev = container_of(n, struct its_event, node);
	struct icid_set *set = opaque;

	set->ids[set->nr++] = ev->icid;
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/*
 * Collections are packed from the start of the table, not placed by ICID,
 * and a zero entry ends the list when there is room (KVM's layout).
 */
static int save_collections_v0(struct vgic_its *its)
{
	uint64_t baser = its->baser[1], gpa = its_baser_addr(baser), end;
	struct icid_set set = { 0 };
	struct sorted s;
	int ret;

	if (!FIELD_GET(GITS_BASER, VALID, baser))
		return 0;
	end = gpa + table_bytes(baser);
	ret = sort_map(&its->collections, &s);
	if (!ret && !(set.ids = malloc((its->events.nr + 1) * sizeof(*set.ids))))
		ret = -ENOMEM;
	if (!ret)
		hmap_for_each(&its->events, unmapped_icid, &set);
	qsort(set.ids, set.nr, sizeof(*set.ids), cmp_u16);
	for (size_t i = 0; i < s.nr && !ret; i++, gpa += ITS_ENTRY_SIZE) {
		struct its_collection *c = container_of(s.n[i], struct its_collection, node);

		ret = gpa < end ? write_entry(its, gpa, cte_v0((uint16_t)c->node.key, c->target))
				: -EINVAL;
	}
	for (size_t i = 0; i < set.nr && !ret; i++) {
		if ((i && set.ids[i] == set.ids[i - 1]) || its_find_collection(its, set.ids[i]))
			continue;
		ret = gpa < end ? write_entry(its, gpa, cte_v0(set.ids[i], CTE_NOT_MAPPED)) : -EINVAL;
		gpa += ITS_ENTRY_SIZE;
	}
	if (!ret && gpa < end)
		ret = write_entry(its, gpa, 0);
	free(set.ids);
	free(s.n);
	return ret;
}

static int save_v0(struct vgic_its *its)
{
	int ret = save_devices_v0(its);

	return ret ? ret : save_collections_v0(its);
}

/* ---- restore, ABI revision 0: stage ---- */

struct stage_coll {
	uint16_t icid;
	uint32_t target;	/* CTE_NOT_MAPPED: known ICID, no collection */
};

struct stage_dev {
	uint32_t id;
	uint8_t bits;
	uint64_t itt;
};

struct stage_ev {
	uint32_t dev, ev, pintid;
	uint16_t icid;
	bool created;		/* apply made the LPI (no other event had it) */
};

struct stage {
	struct stage_coll *colls;
	struct stage_dev *devs;
	struct stage_ev *evs;
	size_t nr_colls, nr_devs, nr_evs, cap_colls, cap_devs, cap_evs;
	uint32_t cur_dev;	/* the device whose ITT is being read */
	uint64_t reads;		/* entries read so far, against ITS_RESTORE_MAX_READS */
};

/*
 * Entries one restore may read.  Empty slots are read one by one until the
 * first valid entry of a table, so a guest could lay out tables that take
 * 2^32 reads (65536 devices with empty 16-bit ITTs); a restore must end in
 * bounded time, and a table set that needs more is refused with -E2BIG.
 * Tables a guest driver lays out (events from 0, dense IDs) need far fewer.
 */
#define ITS_RESTORE_MAX_READS	(1ULL << 26)

/* Append one element to a staging array (grows by doubling): 0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t nr, size_t esz)
{
	void *n;

	if (nr < *cap)
		return 0;
	if (nr >= ITS_MAX_EVENTS * 2)
		return -ENOMEM;		/* more entries than an ITS may ever hold */
	n = realloc(*arr, (*cap ? *cap * 2 : 64) * esz);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

static const struct stage_coll *staged_coll(const struct stage *st, uint16_t icid)
{
	for (size_t i = 0; i < st->nr_colls; i++)
		if (st->colls[i].icid == icid)
			return &st->colls[i];
	return NULL;
}

/*
 * One entry handler per table: the next entry is @ret entries on, 0 ends the
 * table, a negative errno fails the restore.  Invalid entries are skipped.
 */
typedef int (*entry_fn)(struct vgic_its *its, struct stage *st, uint32_t id, uint64_t e);

/*
 * Walk the entries of [@gpa, @gpa + @size) from ID @id.  Offsets only move
 * forward, so the walk ends; one that leaves the region is corrupt, except
 * in a level-2 page (@may_leave) where it points into a later page.
 */
static int scan_table(struct vgic_its *its, struct stage *st, uint64_t gpa, uint64_t size,
		      uint32_t id, bool may_leave, entry_fn fn)
{
	uint64_t pos = 0;

	while (pos < size) {
		uint64_t e;
		int next;

		if (++st->reads > ITS_RESTORE_MAX_READS)
			return -E2BIG;
		if (gmem_read(its->mem, gpa + pos, &e, sizeof(e)))
			return -EFAULT;
		next = fn(its, st, id, le64toh(e));
		if (next <= 0)
			return next;
		pos += (uint64_t)next * ITS_ENTRY_SIZE;
		id += (uint32_t)next;
	}
	return may_leave || pos == size ? 0 : -EINVAL;
}

static int restore_ite(struct vgic_its *its, struct stage *st, uint32_t ev, uint64_t e)
{
	uint32_t pintid = (uint32_t)FIELD_GET(ITE, PINTID, e);
	uint16_t icid = (uint16_t)FIELD_GET(ITE, ICID, e);
	const struct stage_coll *c = staged_coll(st, icid);
	struct gic_cpu *target = NULL;
	struct stage_ev *s;

	if (!pintid)
		return 1;		/* no mapping here */
	if (!c && !its_find_collection(its, icid))
		return -EINVAL;		/* KVM: an ITE's collection must exist */
	if (c && c->target != CTE_NOT_MAPPED)
		target = &its->gic->cpus[c->target];
	else if (!c)
		target = its_collection_cpu(its, icid);
	if (pintid < GIC_LPI_BASE || pintid >= gic_lpi_limit(its->gic, target))
		return -EINVAL;
	if (its_find_event(its, st->cur_dev, ev))
		return -EINVAL;
	if (grow((void **)&st->evs, &st->cap_evs, st->nr_evs, sizeof(*st->evs)))
		return -ENOMEM;
	s = &st->evs[st->nr_evs++];
	*s = (struct stage_ev){ .dev = st->cur_dev, .ev = ev, .pintid = pintid, .icid = icid };
	return (int)FIELD_GET(ITE, NEXT, e);
}

static int restore_dte(struct vgic_its *its, struct stage *st, uint32_t id, uint64_t e)
{
	unsigned int bits = (unsigned int)FIELD_GET(DTE, SIZE, e) + 1;
	uint64_t itt = FIELD_GET(DTE, ITT_ADDR, e) << DTE_ITT_SHIFT;
	int ret;

	if (!FIELD_GET(DTE, VALID, e))
		return 1;
	if (bits > ITS_EVENTBITS || !its_table_id_ok(its, 0, id))
		return -EINVAL;
	if (its_find_device(its, id))
		return -EEXIST;
	if (!gmem_ptr(its->mem, itt, (size_t)ITS_ENTRY_SIZE << bits))
		return -EFAULT;
	if (grow((void **)&st->devs, &st->cap_devs, st->nr_devs, sizeof(*st->devs)))
		return -ENOMEM;
	st->devs[st->nr_devs++] = (struct stage_dev){ .id = id, .bits = (uint8_t)bits, .itt = itt };
	st->cur_dev = id;
	ret = scan_table(its, st, itt, (uint64_t)ITS_ENTRY_SIZE << bits, 0, false, restore_ite);
	return ret < 0 ? ret : (int)FIELD_GET(DTE, NEXT, e);
}

static int restore_devices_v0(struct vgic_its *its, struct stage *st)
{
	uint64_t baser = its->baser[0], base = its_baser_addr(baser), size = table_bytes(baser);
	uint64_t psz = its_baser_page_size(baser);
	uint32_t per_page = (uint32_t)(psz / ITS_ENTRY_SIZE);

	if (!FIELD_GET(GITS_BASER, VALID, baser))
		return 0;
	if (!FIELD_GET(GITS_BASER, INDIRECT, baser))
		return scan_table(its, st, base, size, 0, false, restore_dte);
	for (uint64_t i = 0; i < size / L1E_SIZE; i++) {
		uint64_t l1;
		int ret;

		if (++st->reads > ITS_RESTORE_MAX_READS)
			return -E2BIG;
		if (gmem_read(its->mem, base + i * L1E_SIZE, &l1, sizeof(l1)))
			return -EFAULT;
		l1 = le64toh(l1);
		if (!FIELD_GET(ITS_L1E, VALID, l1))
			continue;
		if (i * per_page >= 1u << ITS_DEVBITS)
			return -EINVAL;
		ret = scan_table(its, st, FIELD_GET(ITS_L1E, PA, l1) << ITS_L1E_PA_SHIFT & ~(psz - 1),
				 psz, (uint32_t)(i * per_page), true, restore_dte);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The collection table is a packed list ended by the first invalid entry. */
static int restore_collections_v0(struct vgic_its *its, struct stage *st)
{
	uint64_t baser = its->baser[1], base = its_baser_addr(baser), size = table_bytes(baser);

	if (!FIELD_GET(GITS_BASER, VALID, baser))
		return 0;
	for (uint64_t pos = 0; pos < size; pos += ITS_ENTRY_SIZE) {
		uint64_t e;
		uint32_t target;
		uint16_t icid;

		if (++st->reads > ITS_RESTORE_MAX_READS)
			return -E2BIG;
		if (gmem_read(its->mem, base + pos, &e, sizeof(e)))
			return -EFAULT;
		e = le64toh(e);
		if (!FIELD_GET(CTE, VALID, e))
			return 0;
		/* KVM reads RDbase as a 32-bit processor number. */
		target = (uint32_t)FIELD_GET(CTE, RDBASE, e);
		icid = (uint16_t)FIELD_GET(CTE, ICID, e);
		if (target != CTE_NOT_MAPPED && target >= its->gic->nr_vcpus)
			return -EINVAL;
		if (its_find_collection(its, icid) || staged_coll(st, icid))
			return -EEXIST;
		if (!its_table_id_ok(its, 1, icid))
			return -EINVAL;
		if (grow((void **)&st->colls, &st->cap_colls, st->nr_colls, sizeof(*st->colls)))
			return -ENOMEM;
		st->colls[st->nr_colls++] = (struct stage_coll){ .icid = icid, .target = target };
	}
	return 0;
}

/* ---- restore: apply ---- */

static void unwind(struct vgic_its *its, struct stage *st, size_t nr_colls, size_t nr_devs,
		   size_t nr_evs)
{
	for (size_t i = nr_evs; i--;) {
		struct its_event *ev = its_find_event(its, st->evs[i].dev, st->evs[i].ev);

		its_cache_forget(its, ev->dev->id, ev->eventid);
		hmap_remove(&its->events, &ev->node);
		list_del(&ev->dev_link);
		/* An LPI this restore created took its pending bit out of the table: put it back. */
		if (st->evs[i].created)
			gic_lpi_store_pending(its->gic, ev->irq);
		gic_lpi_put(its->gic, ev->irq);
		free(ev);
	}
	for (size_t i = nr_devs; i--;) {
		struct its_device *dev = its_find_device(its, st->devs[i].id);

		hmap_remove(&its->devices, &dev->node);
		free(dev);
	}
	for (size_t i = nr_colls; i--;) {
		struct its_collection *c = its_find_collection(its, st->colls[i].icid);

		if (c) {
			hmap_remove(&its->collections, &c->node);
			free(c);
		}
	}
}

static int apply_event(struct vgic_its *its, struct stage_ev *s)
{
	struct its_device *dev = its_find_device(its, s->dev);
	struct its_event *ev = calloc(1, sizeof(*ev));
	struct vgic_irq *old = gic_lpi_get(its->gic, s->pintid);
	int err = -ENOMEM;

	if (old)
		gic_lpi_put(its->gic, old);
	s->created = !old;
	if (!ev)
		return -ENOMEM;
	ev->irq = gic_lpi_create(its->gic, s->pintid, its_collection_cpu(its, s->icid), &err);
	if (!ev->irq || hmap_insert(&its->events, &ev->node, ITS_EVENT_KEY(s->dev, s->ev))) {
		if (ev->irq) {
			if (s->created)
				gic_lpi_store_pending(its->gic, ev->irq);
			gic_lpi_put(its->gic, ev->irq);
		}
		free(ev);
		return err ? err : -ENOMEM;
	}
	ev->dev = dev;
	ev->eventid = s->ev;
	ev->icid = s->icid;
	list_add_tail(&ev->dev_link, &dev->events);
	return 0;
}

static int apply(struct vgic_its *its, struct stage *st)
{
	size_t c = 0, d = 0, e = 0;
	int ret = 0;

	if (its->events.nr + st->nr_evs > ITS_MAX_EVENTS)
		return -ENOMEM;		/* our bound on host memory, as for MAPTI */
	for (; c < st->nr_colls && !ret; c++) {
		struct its_collection *col;

		if (st->colls[c].target == CTE_NOT_MAPPED)
			continue;
		col = calloc(1, sizeof(*col));
		if (!col || hmap_insert(&its->collections, &col->node, st->colls[c].icid)) {
			free(col);
			ret = -ENOMEM;
			break;
		}
		col->target = st->colls[c].target;
	}
	for (; d < st->nr_devs && !ret; d++) {
		struct its_device *dev = calloc(1, sizeof(*dev));

		if (!dev || hmap_insert(&its->devices, &dev->node, st->devs[d].id)) {
			free(dev);
			ret = -ENOMEM;
			break;
		}
		dev->id = st->devs[d].id;
		dev->itt_addr = st->devs[d].itt;
		dev->event_bits = st->devs[d].bits;
		list_init(&dev->events);
	}
	for (; e < st->nr_evs && !ret; e++)
		if ((ret = apply_event(its, &st->evs[e])))
			break;
	if (ret)
		unwind(its, st, c, d, e);
	return ret;
}

static int restore_v0(struct vgic_its *its)
{
	struct stage st = { 0 };
	int ret = restore_collections_v0(its, &st);

	if (!ret)
		ret = restore_devices_v0(its, &st);
	if (!ret)
		ret = apply(its, &st);
	free(st.colls);
	free(st.devs);
	free(st.evs);
	return ret;
}

/* ---- the ABI table ---- */

struct its_abi {
	uint8_t cte_esz, dte_esz, ite_esz;
	int (*save)(struct vgic_its *its);
	int (*restore)(struct vgic_its *its);
};

static const struct its_abi its_abis[] = {
	[0] = { .cte_esz = 8, .dte_esz = 8, .ite_esz = 8, .save = save_v0, .restore = restore_v0 },
};

_Static_assert(ITS_ABI_REV < ARRAY_SIZE(its_abis), "the advertised ABI must exist");

int its_save_tables(struct vgic_its *its)
{
	int ret;

	pthread_mutex_lock(&its->lock);
	ret = its_abis[ITS_ABI_REV].save(its);
	pthread_mutex_unlock(&its->lock);
	return ret;
}

int its_restore_tables(struct vgic_its *its)
{
	int ret;

	pthread_mutex_lock(&its->lock);
	ret = its_abis[ITS_ABI_REV].restore(its);
	pthread_mutex_unlock(&its->lock);
	return ret;
}
