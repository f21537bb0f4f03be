/* SPDX-License-Identifier: MIT */
/* Helpers shared by the routing, irqfd and ioeventfd tests. */
#ifndef VGIC_TESTS_KVM_TEST_H
#define VGIC_TESTS_KVM_TEST_H

#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "gic/regs.h"
#include "helpers.h"

/* Liveness bound for asynchronous delivery: a hang fails, speed never does. */
#define WAIT_LIMIT_NS	(20ULL * 1000 * 1000 * 1000)

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Poll @cond until it holds; fail the test if it never does. */
#define wait_until(cond)                                                    \
	do {                                                                \
		uint64_t wu_end_ = now_ns() + WAIT_LIMIT_NS;                \
		while (!(cond)) {                                           \
			assert_true(now_ns() < wu_end_);                    \
			usleep(100);                                        \
		}                                                           \
	} while (0)

static inline bool spi_pending(struct tvm *t, uint32_t intid)
{
	return dist_rd(t, GICD_ISPENDR + (intid / 32) * 4) & (1u << (intid % 32));
}

static inline void spi_clear_pending(struct tvm *t, uint32_t intid)
{
	dist_wr(t, GICD_ICPENDR + (intid / 32) * 4, 1u << (intid % 32));
}

/* GICD_ICFGR: Int_config[1] set is edge, clear is level. */
static inline void spi_set_level_sensitive(struct tvm *t, uint32_t intid)
{
	uint32_t off = GICD_ICFGR + (intid / 16) * 4;

	dist_wr(t, off, dist_rd(t, off) & ~(2u << ((intid % 16) * 2)));
}

/* True while the eventfd holds a count (nobody has read it). */
static inline bool efd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static inline void efd_write(int fd, uint64_t v)
{
	assert_int_equal(write(fd, &v, sizeof(v)), sizeof(v));
}

static inline uint64_t efd_read_nb(int fd)
{
	uint64_t v = 0;

	if (!efd_readable(fd))
		return 0;
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	return v;
}

static inline struct vgic_irq_route route_spi(uint32_t gsi, uint32_t pin)
{
	return (struct vgic_irq_route){ .gsi = gsi, .type = VGIC_IRQ_ROUTING_IRQCHIP,
					.u.irqchip = { .irqchip = 0, .pin = pin } };
}

static inline struct vgic_irq_route route_msi(uint32_t gsi, uint64_t addr, uint32_t data,
					      uint32_t devid)
{
	return (struct vgic_irq_route){ .gsi = gsi, .type = VGIC_IRQ_ROUTING_MSI,
					.flags = VGIC_ROUTE_MSI_VALID_DEVID,
					.u.msi = { (uint32_t)addr, (uint32_t)(addr >> 32), data,
						   devid } };
}

/* Number of threads in this process, from /proc/self/task. */
int thread_count(void);

#endif
