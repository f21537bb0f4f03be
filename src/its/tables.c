/* SPDX-License-Identifier: MIT */
/*
 * The guest's Device and Collection tables (GITS_BASER0/1).  Mappings live in
 * host structures (see its.h), so the tables only decide which IDs a guest
 * may map: an ID must fit in the table, and for a two-level Device table its
 * level-1 entry must be valid.  Like KVM's vgic_its_check_id(), the entry
 * the ID would occupy must also be guest RAM; a table outside RAM makes the
 * mapping command fail and is counted.
 */
#include <endian.h>

#include "its/its.h"

#define SZ_4K		0x1000ULL
#define SZ_16K		0x4000ULL
#define SZ_64K		0x10000ULL
#define PA_HI_SHIFT	48	/* where GITS_BASER.PA_HI lands in the address */

uint64_t its_baser_page_size(uint64_t baser)
{
	switch (FIELD_GET(GITS_BASER, PAGE_SIZE, baser)) {
	case GITS_BASER_PAGE_4K:
		return SZ_4K;
	case GITS_BASER_PAGE_16K:
		return SZ_16K;
	default:
		return SZ_64K;
	}
}

/* With 64 KiB pages bits [15:12] of the field hold PA[51:48]. */
uint64_t its_baser_addr(uint64_t baser)
{
	uint64_t psz = its_baser_page_size(baser);
	uint64_t pa = FIELD_GET(GITS_BASER, PA, baser) << GITS_BASER_PA_SHIFT;

	if (psz == SZ_64K)
		return (pa & ~(psz - 1)) | FIELD_GET(GITS_BASER, PA_HI, baser) << PA_HI_SHIFT;
	return pa & ~(psz - 1);
}

static uint32_t id_limit(unsigned int idx)
{
	return idx == 0 ? 1u << ITS_DEVBITS : 1u << ITS_CID_BITS;
}

/* Guest address of the level-2 entry for @id, or 0 with *@ok false. */
static uint64_t l2_entry(struct vgic_its *its, uint64_t baser, uint32_t id, bool *ok)
{
	uint64_t psz = its_baser_page_size(baser), esz = FIELD_GET(GITS_BASER, ENTRY_SIZE, baser) + 1;
	uint64_t tsize = (FIELD_GET(GITS_BASER, SIZE, baser) + 1) * psz;
	uint64_t per_page = psz / esz, l1 = id / per_page, e;

	*ok = false;
	if (l1 >= tsize / sizeof(e))
		return 0;
	if (gmem_read(its->mem, its_baser_addr(baser) + l1 * sizeof(e), &e, sizeof(e))) {
		its_count(its, table_errors);
		return 0;
	}
	e = le64toh(e);
	if (!FIELD_GET(ITS_L1E, VALID, e))
		return 0;
	*ok = true;
	return (FIELD_GET(ITS_L1E, PA, e) << ITS_L1E_PA_SHIFT & ~(psz - 1)) + (id % per_page) * esz;
}

bool its_table_id_ok(struct vgic_its *its, unsigned int idx, uint32_t id)
{
	uint64_t baser = its->baser[idx];
	uint64_t esz = FIELD_GET(GITS_BASER, ENTRY_SIZE, baser) + 1;
	uint64_t gpa;
	bool ok = true;

	if (!FIELD_GET(GITS_BASER, VALID, baser) || id >= id_limit(idx))
		return false;
	if (FIELD_GET(GITS_BASER, INDIRECT, baser)) {
		gpa = l2_entry(its, baser, id, &ok);
		if (!ok)
			return false;
	} else {
		uint64_t tsize = (FIELD_GET(GITS_BASER, SIZE, baser) + 1) * its_baser_page_size(baser);

		if (id >= tsize / esz)
			return false;
		gpa = its_baser_addr(baser) + id * esz;
	}
	if (!gmem_ptr(its->mem, gpa, esz)) {
		its_count(its, table_errors);
		return false;
	}
	return true;
}
