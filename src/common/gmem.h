/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory accessor: the one way the library touches guest RAM.
 * Regions are added before vCPUs run and never removed, so lookups are
 * lock-free reads of an array published with release semantics.
 */
#ifndef VGIC_COMMON_GMEM_H
#define VGIC_COMMON_GMEM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <vgic/memory.h>

struct gmem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct gmem {
	struct gmem_region regions[VGIC_MAX_RAM_REGIONS];
	atomic_uint nr;
};

int gmem_add(struct gmem *m, uint64_t gpa, uint64_t size, void *host);
/* -EFAULT unless [gpa, gpa+len) lies inside one region. */
int gmem_read(const struct gmem *m, uint64_t gpa, void *buf, size_t len);
int gmem_write(struct gmem *m, uint64_t gpa, const void *buf, size_t len);
/* Host pointer for [gpa, gpa+len) inside one region, or NULL. */
void *gmem_ptr(const struct gmem *m, uint64_t gpa, size_t len);

#endif
