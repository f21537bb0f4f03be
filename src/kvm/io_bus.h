/* SPDX-License-Identifier: MIT */
/*
 * The VM's MMIO bus (KVM's kvm_io_bus): devices other than the GIC frames
 * (ITS frames, ioeventfds) register address ranges here.  Several devices
 * may cover one range (ioeventfds with different datamatch); an access goes to
 * each in registration order until one claims it.  As in KVM, a device of
 * length 0 is offered only accesses that start at its base (of any width);
 * others only accesses that lie wholly inside them.
 */
#ifndef VGIC_KVM_IO_BUS_H
#define VGIC_KVM_IO_BUS_H

#include <pthread.h>
#include <stdint.h>

struct io_dev_ops {
	/* 0 if handled, -EOPNOTSUPP if the device declines this access. */
	int (*read)(void *opaque, unsigned int vcpu, uint64_t addr, unsigned int len,
		    uint64_t *val);
	int (*write)(void *opaque, unsigned int vcpu, uint64_t addr, unsigned int len,
		     uint64_t val);
};

struct io_dev {
	uint64_t base;
	uint64_t len;
	const struct io_dev_ops *ops;
	void *opaque;
};

#define IO_BUS_MAX_DEVS 1000	/* KVM's NR_IOBUS_DEVS */

struct io_bus {
	pthread_rwlock_t lock;	/* readers: accesses; writers: (un)registration */
	struct io_dev *devs;
	unsigned int nr;
};

void io_bus_init(struct io_bus *bus);
void io_bus_destroy(struct io_bus *bus);
/* -ENOSPC when full, -ENOMEM. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    const struct io_dev_ops *ops, void *opaque);
/* Remove the device registered with @ops/@opaque; -ENOENT if absent. */
int io_bus_unregister(struct io_bus *bus, const struct io_dev_ops *ops, void *opaque);
/* True if a device other than those using @skip overlaps [base, base+len)
 * (a length of 0 counts as one byte, on either side). */
bool io_bus_overlaps(struct io_bus *bus, uint64_t base, uint64_t len,
		     const struct io_dev_ops *skip);
/* VGIC_MMIO_HANDLED or VGIC_MMIO_NOT_MINE. */
int io_bus_access(struct io_bus *bus, unsigned int vcpu, uint64_t addr, unsigned int len,
		  bool is_write, uint64_t *val);

#endif
