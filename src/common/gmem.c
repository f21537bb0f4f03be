/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "common/gmem.h"

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int gmem_add(struct gmem *m, uint64_t gpa, uint64_t size, void *host)
{
	unsigned int nr = atomic_load_explicit(&m->nr, memory_order_acquire);

	if (!size || !host || gpa + size < gpa)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++)
		if (ranges_overlap(gpa, size, m->regions[i].gpa, m->regions[i].size))
			return -EINVAL;
	if (nr >= VGIC_MAX_RAM_REGIONS)
		return -ENOSPC;
	m->regions[nr] = (struct gmem_region){ .gpa = gpa, .size = size, .host = host };
	atomic_store_explicit(&m->nr, nr + 1, memory_order_release);
	return 0;
}

void *gmem_ptr(const struct gmem *m, uint64_t gpa, size_t len)
{
	unsigned int nr = atomic_load_explicit(&((struct gmem *)m)->nr, memory_order_acquire);

	if (gpa + len < gpa)
		return NULL;
	for (unsigned int i = 0; i < nr; i++) {
		const struct gmem_region *r = &m->regions[i];

		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

int gmem_read(const struct gmem *m, uint64_t gpa, void *buf, size_t len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int gmem_write(struct gmem *m, uint64_t gpa, const void *buf, size_t len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}
