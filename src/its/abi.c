/* SPDX-License-Identifier: MIT */
/*
 * ITS tables in guest memory with KVM's userspace ABI (arm-vgic-its.rst):
 * the Device, ITT and Collection tables written in the layouts of ABI
 * revision 0 (its.h) by KVM_DEV_ARM_ITS_SAVE_TABLES, and read back by
 * KVM_DEV_ARM_ITS_RESTORE_TABLES (abi_restore.c).
 *
 * The format is versioned: GITS_IIDR.Revision names the ABI, and a table of
 * {entry sizes, save, restore} operations is indexed by it, as in Linux's
 * vgic-its.c.  Only revision 0 exists; restoring GITS_IIDR with another
 * revision is refused (uaccess.c).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "its/abi.h"

#define DTE_NEXT_MAX		((1u << DTE_NEXT_WIDTH) - 1)
#define ITE_NEXT_MAX		((1u << ITE_NEXT_WIDTH) - 1)

/* ---- tables in guest memory ---- */

/* Guest address of entry @id of table @baser (flat or two-level): 0 or -EINVAL. */
static int table_entry(struct vgic_its *its, uint64_t baser, uint32_t id, uint64_t *gpa)
{
	uint64_t esz = FIELD_GET(GITS_BASER, ENTRY_SIZE, baser) + 1, psz = its_baser_page_size(baser);
	uint64_t per_page = psz / esz, l1;

	if (!FIELD_GET(GITS_BASER, INDIRECT, baser)) {
		if ((uint64_t)id * esz >= its_table_bytes(baser))
			return -EINVAL;
		*gpa = its_baser_addr(baser) + id * esz;
		return 0;
	}
	if (id / per_page * L1E_SIZE >= its_table_bytes(baser))
		return -EINVAL;
	if (gmem_read(its->mem, its_baser_addr(baser) + id / per_page * L1E_SIZE, &l1, sizeof(l1)))
		return -EFAULT;
	l1 = le64toh(l1);
	if (!FIELD_GET(ITS_L1E, VALID, l1))
		return -EINVAL;
	*gpa = its_l2_page(l1, psz) + id % per_page * esz;
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
	uint64_t base = its_baser_addr(baser), size = its_table_bytes(baser);
	uint64_t psz = its_baser_page_size(baser), l1;
	int ret = 0;

	if (!FIELD_GET(GITS_BASER, INDIRECT, baser))
		return clear_range(its, base, size);
	for (uint64_t i = 0; i < size / L1E_SIZE && !ret; i++) {
		if (gmem_read(its->mem, base + i * L1E_SIZE, &l1, sizeof(l1)))
			return -EFAULT;
		l1 = le64toh(l1);
		if (FIELD_GET(ITS_L1E, VALID, l1))
			ret = clear_range(its, its_l2_page(l1, psz), psz);
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
	end = gpa + its_table_bytes(baser);
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

int its_save_v0(struct vgic_its *its)
{
	int ret = save_devices_v0(its);

	return ret ? ret : save_collections_v0(its);
}

/* ---- the ABI table ---- */

struct its_abi {
	uint8_t cte_esz, dte_esz, ite_esz;
	int (*save)(struct vgic_its *its);
	int (*restore)(struct vgic_its *its);
};

static const struct its_abi its_abis[] = {
	[0] = { .cte_esz = ITS_ENTRY_SIZE, .dte_esz = ITS_ENTRY_SIZE, .ite_esz = ITS_ENTRY_SIZE,
		.save = its_save_v0, .restore = its_restore_v0 },
};

_Static_assert(ITS_ABI_REV < ARRAY_SIZE(its_abis), "the advertised ABI must exist");
/* GITS_BASER<n>.Entry_Size and GITS_TYPER.ITT_entry_size announce the current ABI's sizes. */
_Static_assert(ITS_ENTRY_SIZE == 8, "ABI revision 0 has 8-byte DTE, ITE and CTE");

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
