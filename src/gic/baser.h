/* SPDX-License-Identifier: MIT */
/*
 * Memory attributes of the LPI tables and the ITS queue: the Shareability,
 * InnerCache and OuterCache encodings of GICR_PROPBASER, GICR_PENDBASER,
 * GITS_BASER<n> and GITS_CBASER (GIC architecture spec, IHI 0069), and how
 * KVM rewrites the ones it cannot honour (vgic_sanitise_*): Outer Shareable
 * becomes Inner Shareable, a Device or non-cacheable inner policy becomes
 * Read-allocate Write-back, and an outer policy other than SameAsInner or
 * non-cacheable becomes SameAsInner.
 */
#ifndef VGIC_GIC_BASER_H
#define VGIC_GIC_BASER_H

#include <stdint.h>

#define GIC_BASER_SH_INNER		1
#define GIC_BASER_SH_OUTER		2
#define GIC_BASER_CACHE_NCNB		0	/* inner: Device-nGnRnE */
#define GIC_BASER_CACHE_SAME_AS_INNER	0	/* outer */
#define GIC_BASER_CACHE_NC		1
#define GIC_BASER_CACHE_RAWB		3	/* Normal, Read-allocate, Write-back */

static inline uint64_t gic_baser_sanitise_sh(uint64_t sh)
{
	return sh == GIC_BASER_SH_OUTER ? GIC_BASER_SH_INNER : sh;
}

static inline uint64_t gic_baser_sanitise_inner(uint64_t c)
{
	return c == GIC_BASER_CACHE_NCNB || c == GIC_BASER_CACHE_NC ? GIC_BASER_CACHE_RAWB : c;
}

static inline uint64_t gic_baser_sanitise_outer(uint64_t c)
{
	return c == GIC_BASER_CACHE_NC ? c : GIC_BASER_CACHE_SAME_AS_INNER;
}

#endif
