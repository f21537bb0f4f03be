/* SPDX-License-Identifier: MIT */
/*
 * KVM_DEV_ARM_ITS_RESTORE_TABLES for ABI revision 0, in two phases.  Every
 * entry is read and checked into a staging list first (IDs in range, offsets
 * inside their table, ITTs in RAM, no duplicates, collections that exist);
 * only a table set that passes as a whole is applied.  So a corrupt snapshot
 * leaves the ITS exactly as it was (KVM instead frees every mapping it had
 * restored so far).  The apply phase can still fail for lack of memory or an
 * LPI property table outside RAM; it then unwinds what it added.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "its/abi.h"

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
	uint64_t baser = its->baser[0], base = its_baser_addr(baser), size = its_table_bytes(baser);
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
		ret = scan_table(its, st, its_l2_page(l1, psz), psz, (uint32_t)(i * per_page), true,
				 restore_dte);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The collection table is a packed list ended by the first invalid entry. */
static int restore_collections_v0(struct vgic_its *its, struct stage *st)
{
	uint64_t baser = its->baser[1], base = its_baser_addr(baser), size = its_table_bytes(baser);

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

int its_restore_v0(struct vgic_its *its)
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
