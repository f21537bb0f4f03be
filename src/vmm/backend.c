/* SPDX-License-Identifier: MIT */
/*
 * A host device backend of the test device: the device side of a virtio-like
 * round trip, done the way a real VMM's backend thread does it on KVM.  It
 * raises MSIs through an irqfd whose GSI is routed to the ITS doorbell with a
 * DeviceID, and learns of the guest's acknowledgement through an ioeventfd on
 * the test device's doorbell register, which the library consumes on its MMIO
 * bus: neither direction goes through the vCPU loop.  It also raises SPIs
 * through an irqfd routed to an irqchip pin.
 *
 * Routing table (owned here): GSI 0 = MSI to the ITS, GSI 1 = SPI pin.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define GSI_MSI		0
#define GSI_SPI		1
#define ACK_TIMEOUT_MS	2000
#define MAX_ROUND_TRIPS	1000000

struct backend {
	struct vmm *vmm;
	int msi_fd, spi_fd, door_fd;
	uint32_t devid, spi_intid;
	uint32_t count;
	pthread_t thread;
	bool started;
	atomic_uint done;
	atomic_bool quit;
	uint64_t *lat_ns;
	uint64_t t_start, t_end;
};

static int routes_set(struct backend *b, uint32_t event)
{
	struct vgic_irq_route r[2] = {
		{ .gsi = GSI_MSI, .type = VGIC_IRQ_ROUTING_MSI, .flags = VGIC_ROUTE_MSI_VALID_DEVID,
		  .u.msi = { .address_lo = (uint32_t)(VIRT_GIC_ITS + VGIC_ITS_TRANSLATER),
			     .address_hi = (uint32_t)((VIRT_GIC_ITS + VGIC_ITS_TRANSLATER) >> 32),
			     .data = event, .devid = b->devid } },
		{ .gsi = GSI_SPI, .type = VGIC_IRQ_ROUTING_IRQCHIP,
		  .u.irqchip = { .irqchip = 0, .pin = b->spi_intid - 32 } },
	};

	return vgic_set_gsi_routing(b->vmm->vm, r, ARRAY_SIZE(r));
}

int backend_create(struct vmm *vmm)
{
	struct backend *b = calloc(1, sizeof(*b));
	struct vgic_ioeventfd io = { .addr = VIRT_TESTDEV + TESTDEV_DOORBELL, .len = 4 };
	int ret;

	if (!b)
		return -ENOMEM;
	vmm->backend = b;
	b->vmm = vmm;
	b->spi_intid = VIRT_SPI_INTID(0);
	b->msi_fd = eventfd(0, EFD_CLOEXEC);
	b->spi_fd = eventfd(0, EFD_CLOEXEC);
	b->door_fd = eventfd(0, EFD_CLOEXEC);
	if (b->msi_fd < 0 || b->spi_fd < 0 || b->door_fd < 0)
		return -errno;
	io.fd = b->door_fd;
	ret = routes_set(b, 0);
	if (!ret)
		ret = vgic_irqfd(vmm->vm, &(struct vgic_irqfd){ .fd = b->msi_fd, .gsi = GSI_MSI,
							       .resamplefd = -1 });
	if (!ret)
		ret = vgic_irqfd(vmm->vm, &(struct vgic_irqfd){ .fd = b->spi_fd, .gsi = GSI_SPI,
							       .resamplefd = -1 });
	if (!ret)
		ret = vgic_ioeventfd(vmm->vm, &io);
	if (ret)
		fprintf(stderr, "vgic run: backend: %s\n", vgic_strerror(ret));
	return ret;
}

static void signal_fd(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		perror("vgic run: backend: eventfd write");
}

/* Wait for the guest's doorbell write; false on timeout or quit. */
static bool wait_ack(struct backend *b)
{
	struct pollfd pfd = { .fd = b->door_fd, .events = POLLIN };
	uint64_t n;

	for (int waited = 0; waited < ACK_TIMEOUT_MS && !atomic_load(&b->quit); waited += 100) {
		if (poll(&pfd, 1, 100) > 0)
			return read(b->door_fd, &n, sizeof(n)) == sizeof(n);
	}
	return false;
}

static void *backend_main(void *opaque)
{
	struct backend *b = opaque;

	b->t_start = vmm_now_ns();
	for (uint32_t i = 0; i < b->count && !atomic_load(&b->quit); i++) {
		uint64_t t0 = vmm_now_ns();

		signal_fd(b->msi_fd);
		if (!wait_ack(b)) {
			fprintf(stderr, "vgic run: backend: no acknowledgement for MSI %u\n", i);
			break;
		}
		b->lat_ns[i] = vmm_now_ns() - t0;
		atomic_store(&b->done, i + 1);
	}
	b->t_end = vmm_now_ns();
	return NULL;
}

int backend_start(struct vmm *vmm, uint32_t devid, uint32_t event, uint32_t count)
{
	struct backend *b = vmm->backend;
	int ret;

	if (!b || b->started || !count || count > MAX_ROUND_TRIPS)
		return -EINVAL;
	b->devid = devid;
	ret = routes_set(b, event);
	if (ret)
		return ret;
	b->lat_ns = calloc(count, sizeof(*b->lat_ns));
	if (!b->lat_ns)
		return -ENOMEM;
	b->count = count;
	if (pthread_create(&b->thread, NULL, backend_main, b))
		return -EAGAIN;
	b->started = true;
	return 0;
}

int backend_raise_spi(struct vmm *vmm, uint32_t intid)
{
	struct backend *b = vmm->backend;

	if (!b || intid < 32 || intid >= VIRT_NR_IRQS)
		return -EINVAL;
	if (intid != b->spi_intid) {
		uint32_t old = b->spi_intid;
		int ret;

		b->spi_intid = intid;
		ret = routes_set(b, 0);
		if (ret) {
			b->spi_intid = old;
			return ret;
		}
	}
	signal_fd(b->spi_fd);
	return 0;
}

uint32_t backend_done(struct vmm *vmm)
{
	return vmm->backend ? atomic_load(&vmm->backend->done) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void backend_report(struct vmm *vmm)
{
	struct backend *b = vmm->backend;
	uint32_t n;
	double secs;

	if (!b || !b->started)
		return;
	atomic_store(&b->quit, true);
	pthread_join(b->thread, NULL);
	b->started = false;
	n = atomic_load(&b->done);
	if (!n)
		return;
	secs = (double)(b->t_end - b->t_start) / 1e9;
	qsort(b->lat_ns, n, sizeof(*b->lat_ns), cmp_u64);
	printf("msi backend: %u MSIs through irqfd -> ITS -> guest, acknowledged through an "
	       "ioeventfd: %.0f/s, round-trip latency p50 %.1f us, p99 %.1f us\n", n,
	       secs > 0 ? n / secs : 0.0, b->lat_ns[n / 2] / 1e3,
	       b->lat_ns[(uint64_t)n * 99 / 100] / 1e3);
	fflush(stdout);
}

void backend_destroy(struct vmm *vmm)
{
	struct backend *b = vmm->backend;

	if (!b)
		return;
	if (b->started) {
		atomic_store(&b->quit, true);
		pthread_join(b->thread, NULL);
	}
	/* Closing the irqfd's eventfd is enough: vgic_vm_destroy tears down the rest. */
	if (b->msi_fd >= 0)
		close(b->msi_fd);
	if (b->spi_fd >= 0)
		close(b->spi_fd);
	if (b->door_fd >= 0)
		close(b->door_fd);
	free(b->lat_ns);
	free(b);
	vmm->backend = NULL;
}
