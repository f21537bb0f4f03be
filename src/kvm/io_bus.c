/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vgic/mmio.h>

#include "kvm/io_bus.h"

void io_bus_init(struct io_bus *bus)
{
	pthread_rwlock_init(&bus->lock, NULL);
	bus->devs = NULL;
	bus->nr = 0;
}

void io_bus_destroy(struct io_bus *bus)
{
	free(bus->devs);
	bus->devs = NULL;
	bus->nr = 0;
	pthread_rwlock_destroy(&bus->lock);
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    const struct io_dev_ops *ops, void *opaque)
{
	struct io_dev *n;
	int ret = 0;

	pthread_rwlock_wrlock(&bus->lock);
	if (bus->nr >= IO_BUS_MAX_DEVS) {
		ret = -ENOSPC;
		goto out;
	}
	n = realloc(bus->devs, (bus->nr + 1) * sizeof(*n));
	if (!n) {
		ret = -ENOMEM;
		goto out;
	}
	bus->devs = n;
	bus->devs[bus->nr++] = (struct io_dev){ base, len, ops, opaque };
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_unregister(struct io_bus *bus, const struct io_dev_ops *ops, void *opaque)
{
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	for (unsigned int i = 0; i < bus->nr; i++) {
		if (bus->devs[i].ops != ops || bus->devs[i].opaque != opaque)
			continue;
		for (unsigned int j = i + 1; j < bus->nr; j++)
			bus->devs[j - 1] = bus->devs[j];
		bus->nr--;
		ret = 0;
		break;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

/* Inclusive ends, so that a range reaching the top of the address space works. */
static bool dev_overlaps(const struct io_dev *d, uint64_t base, uint64_t len)
{
	uint64_t dlast = d->base + (d->len ? d->len : 1) - 1;
	uint64_t last = base + (len ? len : 1) - 1;

	return base <= dlast && d->base <= last;
}

/* KVM's kvm_io_bus_cmp: a length-0 device matches its exact address only. */
static bool dev_claims(const struct io_dev *d, uint64_t addr, unsigned int len)
{
	if (!d->len)
		return addr == d->base;
	return addr >= d->base && addr - d->base < d->len && len <= d->len - (addr - d->base);
}

bool io_bus_overlaps(struct io_bus *bus, uint64_t base, uint64_t len,
		     const struct io_dev_ops *skip)
{
	bool hit = false;

	pthread_rwlock_rdlock(&bus->lock);
	for (unsigned int i = 0; i < bus->nr && !hit; i++)
		hit = bus->devs[i].ops != skip && dev_overlaps(&bus->devs[i], base, len);
	pthread_rwlock_unlock(&bus->lock);
	return hit;
}

int io_bus_access(struct io_bus *bus, unsigned int vcpu, uint64_t addr, unsigned int len,
		  bool is_write, uint64_t *val)
{
	int ret = VGIC_MMIO_NOT_MINE;

	pthread_rwlock_rdlock(&bus->lock);
	for (unsigned int i = 0; i < bus->nr; i++) {
		const struct io_dev *d = &bus->devs[i];

		if (!dev_claims(d, addr, len))
			continue;
		if ((is_write ? d->ops->write(d->opaque, vcpu, addr, len, *val)
			      : d->ops->read(d->opaque, vcpu, addr, len, val)) == 0) {
			ret = VGIC_MMIO_HANDLED;
			break;
		}
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}
