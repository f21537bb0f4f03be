/* SPDX-License-Identifier: MIT */
/*
 * `vgic demo`: a guest-less tour of the API.  Plays the guest's part through
 * MMIO and ICC_* accesses on a 2-vCPU VM: enables the GIC, raises an SPI, a
 * PPI and an SGI, and prints what each CPU interface acknowledges.
 */
#include <stdio.h>

#include <vgic/vgic.h>

#define DEMO_DIST	0x08000000ULL
#define DEMO_REDIST	0x080a0000ULL
#define GICD_CTLR_OFF	0x0
#define GICD_ISENABLER	0x100
#define GICD_IPRIORITYR	0x400
#define GICD_IROUTER	0x6000
#define GICR_SGI_ISENABLER0 (0x10000 + 0x100)

#define CHECK(expr)                                                         \
	do {                                                                \
		int r_ = (expr);                                            \
		if (r_ < 0) {                                               \
			fprintf(stderr, "demo: %s: %s\n", #expr, vgic_strerror(r_)); \
			goto out;                                           \
		}                                                           \
	} while (0)

static unsigned int kicks[2];

static void on_kick(void *opaque, unsigned int vcpu)
{
	(void)opaque;
	kicks[vcpu]++;
}

#define DEMO_PPI 23

/*
 * Take every interrupt the vCPU would see, as a guest's handler loop does.
 * The PPI is level-sensitive, so its "device" lowers the line before the EOI,
 * otherwise it would fire again.  Bounded in case of a bug.
 */
static int ack_all(struct vgic_vm *vm, unsigned int vcpu)
{
	int n = 0;

	while (n < 16 && (vgic_vcpu_pending(vm, vcpu) & VGIC_PENDING_IRQ)) {
		uint64_t intid;

		vgic_sysreg_read(vm, vcpu, ICC_IAR1_EL1, &intid);
		printf("vcpu%u: acknowledged INTID %3llu\n", vcpu, (unsigned long long)intid);
		if (intid == DEMO_PPI)
			vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, vcpu, DEMO_PPI), false);
		vgic_sysreg_write(vm, vcpu, ICC_EOIR1_EL1, intid);
		n++;
	}
	return n;
}

int cmd_demo(int argc, char **argv)
{
	struct vgic_vm *vm = NULL;
	int acked = 0, ret = 1;

	(void)argc, (void)argv;
	CHECK(vgic_vm_create(2, 0, &vm));
	CHECK(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, DEMO_DIST));
	CHECK(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, DEMO_REDIST));
	CHECK(vgic_vm_init(vm));
	for (unsigned int v = 0; v < 2; v++) {
		CHECK(vgic_vcpu_set_kick(vm, v, on_kick, NULL));
		CHECK(vgic_sysreg_write(vm, v, ICC_PMR_EL1, 0xff));
		CHECK(vgic_sysreg_write(vm, v, ICC_IGRPEN1_EL1, 1));
		/* Enable SGI 1 and PPI 23 in this vCPU's redistributor. */
		CHECK(vgic_mmio_write(vm, v, DEMO_REDIST + v * VGIC_REDIST_SIZE + GICR_SGI_ISENABLER0,
				      4, (1u << 1) | (1u << DEMO_PPI)));
	}
	/* Guest side: enable group 1, enable SPI 40, route it to vCPU 1. */
	CHECK(vgic_mmio_write(vm, 0, DEMO_DIST + GICD_CTLR_OFF, 4, 0x2));
	CHECK(vgic_mmio_write(vm, 0, DEMO_DIST + GICD_ISENABLER + 4, 4, 1u << (40 - 32)));
	CHECK(vgic_mmio_write(vm, 0, DEMO_DIST + GICD_IROUTER + 40 * 8, 8, vgic_vcpu_mpidr(vm, 1)));

	/* Host side: raise SPI 40 and PPI 23 of vCPU 0 through the IRQ line. */
	CHECK(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, 40), true));
	CHECK(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, 0, DEMO_PPI), true));
	/* vCPU 1 sends SGI 1 to vCPU 0 (TargetList bit 0, Aff1..3 = 0). */
	CHECK(vgic_sysreg_write(vm, 1, ICC_SGI1R_EL1, (1ull << 24) | 1));

	acked += ack_all(vm, 0);
	acked += ack_all(vm, 1);
	printf("kicks: vcpu0=%u vcpu1=%u; acknowledged %d interrupts\n", kicks[0], kicks[1], acked);
	ret = acked == 3 ? 0 : 1;
out:
	vgic_vm_destroy(vm);
	return ret;
}
