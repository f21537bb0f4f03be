/* SPDX-License-Identifier: MIT */
/*
 * Register field helpers.  Every field is declared once as NAME_SHIFT and
 * NAME_WIDTH (see FIELD()), then read and written with FIELD_GET/FIELD_SET so
 * that no logic carries a hand-written shift or mask.
 */
#ifndef VGIC_COMMON_BITS_H
#define VGIC_COMMON_BITS_H

#include <stdint.h>

#define BIT(n)		(1ULL << (n))
#define GENMASK(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGNED(x, a)	(((x) & ((uint64_t)(a) - 1)) == 0)
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/* FIELD(REG, NAME, shift, width) declares REG_NAME_SHIFT / REG_NAME_WIDTH. */
#define FIELD(reg, name, shift, width) \
	enum { reg##_##name##_SHIFT = (shift), reg##_##name##_WIDTH = (width) }

/* Each macro pastes its own tokens (no forwarding), so REG may also be the
 * name of an offset macro without being expanded first. */
#define FIELD_MASK(reg, name) \
	(GENMASK(reg##_##name##_SHIFT + reg##_##name##_WIDTH - 1, reg##_##name##_SHIFT))

#define FIELD_GET(reg, name, val)                                                      \
	(((uint64_t)(val) &                                                             \
	  GENMASK(reg##_##name##_SHIFT + reg##_##name##_WIDTH - 1, reg##_##name##_SHIFT)) >> \
	 reg##_##name##_SHIFT)

#define FIELD_SET(reg, name, val, fv)                                                  \
	(((uint64_t)(val) &                                                             \
	  ~GENMASK(reg##_##name##_SHIFT + reg##_##name##_WIDTH - 1, reg##_##name##_SHIFT)) | \
	 (((uint64_t)(fv) << reg##_##name##_SHIFT) &                                    \
	  GENMASK(reg##_##name##_SHIFT + reg##_##name##_WIDTH - 1, reg##_##name##_SHIFT)))

#define FIELD_DP(reg, name, fv)                          \
	(((uint64_t)(fv) << reg##_##name##_SHIFT) &      \
	 GENMASK(reg##_##name##_SHIFT + reg##_##name##_WIDTH - 1, reg##_##name##_SHIFT))

/* Read @len bytes at byte offset @off of a register value @reg. */
static inline uint64_t extract_bytes(uint64_t reg, unsigned int off, unsigned int len)
{
	uint64_t v = reg >> (off * 8);

	return len >= 8 ? v : v & GENMASK(len * 8 - 1, 0);
}

/* Replace @len bytes at byte offset @off of @reg with the low bytes of @val. */
static inline uint64_t deposit_bytes(uint64_t reg, unsigned int off, unsigned int len,
				     uint64_t val)
{
	uint64_t mask = (len >= 8 ? ~0ULL : GENMASK(len * 8 - 1, 0)) << (off * 8);

	return (reg & ~mask) | ((val << (off * 8)) & mask);
}

#endif
