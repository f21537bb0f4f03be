/* SPDX-License-Identifier: MIT */
/* Shared by the table save (abi.c) and restore (abi_restore.c) of ABI revision 0. */
#ifndef VGIC_ITS_ABI_H
#define VGIC_ITS_ABI_H

#include "its/its.h"

/* An ITE may point at a collection with no target: KVM saves those too. */
#define CTE_NOT_MAPPED		0xffffffffu
#define DTE_ITT_SHIFT		8	/* DTE.ITT_addr holds ITT_addr[52:8] */
#define L1E_SIZE		8	/* level-1 entry of a two-level table */

/* Bytes of the table GITS_BASER value @baser describes (level 1 if two-level). */
static inline uint64_t its_table_bytes(uint64_t baser)
{
	return (FIELD_GET(GITS_BASER, SIZE, baser) + 1) * its_baser_page_size(baser);
}

/* The guest address of the level-2 page a level-1 entry @l1e names. */
static inline uint64_t its_l2_page(uint64_t l1e, uint64_t page_size)
{
	return FIELD_GET(ITS_L1E, PA, l1e) << ITS_L1E_PA_SHIFT & ~(page_size - 1);
}

/* ABI revision 0, its->lock held: 0 or a negative errno (see attr.h). */
int its_save_v0(struct vgic_its *its);
int its_restore_v0(struct vgic_its *its);

#endif
