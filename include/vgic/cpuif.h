/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 CPU interface, reached through its system registers (ICC_*), so
 * that any CPU backend that traps MRS/MSR can wire it.  Registers are named by
 * their (op0, op1, CRn, CRm, op2) encoding.
 */
#ifndef VGIC_CPUIF_H
#define VGIC_CPUIF_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_SYSREG(op0, op1, crn, crm, op2) \
	((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))

#define VGIC_SYSREG_OP0(enc)	(((enc) >> 14) & 0x3)
#define VGIC_SYSREG_OP1(enc)	(((enc) >> 11) & 0x7)
#define VGIC_SYSREG_CRN(enc)	(((enc) >> 7) & 0xf)
#define VGIC_SYSREG_CRM(enc)	(((enc) >> 3) & 0xf)
#define VGIC_SYSREG_OP2(enc)	((enc) & 0x7)

#define ICC_PMR_EL1	VGIC_SYSREG(3, 0, 4, 6, 0)
#define ICC_IAR0_EL1	VGIC_SYSREG(3, 0, 12, 8, 0)
#define ICC_EOIR0_EL1	VGIC_SYSREG(3, 0, 12, 8, 1)
#define ICC_HPPIR0_EL1	VGIC_SYSREG(3, 0, 12, 8, 2)
#define ICC_BPR0_EL1	VGIC_SYSREG(3, 0, 12, 8, 3)
#define ICC_AP0R0_EL1	VGIC_SYSREG(3, 0, 12, 8, 4)
#define ICC_AP0R1_EL1	VGIC_SYSREG(3, 0, 12, 8, 5)
#define ICC_AP0R2_EL1	VGIC_SYSREG(3, 0, 12, 8, 6)
#define ICC_AP0R3_EL1	VGIC_SYSREG(3, 0, 12, 8, 7)
#define ICC_AP1R0_EL1	VGIC_SYSREG(3, 0, 12, 9, 0)
#define ICC_AP1R1_EL1	VGIC_SYSREG(3, 0, 12, 9, 1)
#define ICC_AP1R2_EL1	VGIC_SYSREG(3, 0, 12, 9, 2)
#define ICC_AP1R3_EL1	VGIC_SYSREG(3, 0, 12, 9, 3)
#define ICC_DIR_EL1	VGIC_SYSREG(3, 0, 12, 11, 1)
#define ICC_RPR_EL1	VGIC_SYSREG(3, 0, 12, 11, 3)
#define ICC_SGI1R_EL1	VGIC_SYSREG(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1	VGIC_SYSREG(3, 0, 12, 11, 6)
#define ICC_SGI0R_EL1	VGIC_SYSREG(3, 0, 12, 11, 7)
#define ICC_IAR1_EL1	VGIC_SYSREG(3, 0, 12, 12, 0)
#define ICC_EOIR1_EL1	VGIC_SYSREG(3, 0, 12, 12, 1)
#define ICC_HPPIR1_EL1	VGIC_SYSREG(3, 0, 12, 12, 2)
#define ICC_BPR1_EL1	VGIC_SYSREG(3, 0, 12, 12, 3)
#define ICC_CTLR_EL1	VGIC_SYSREG(3, 0, 12, 12, 4)
#define ICC_SRE_EL1	VGIC_SYSREG(3, 0, 12, 12, 5)
#define ICC_IGRPEN0_EL1	VGIC_SYSREG(3, 0, 12, 12, 6)
#define ICC_IGRPEN1_EL1	VGIC_SYSREG(3, 0, 12, 12, 7)

#define VGIC_INTID_SPURIOUS	1023

/*
 * MRS of ICC register @enc on vCPU @vcpu.  0 with *@val set; -ENOENT if @enc
 * is not a GIC CPU-interface register (the VMM decides: usually UNDEF);
 * -EPERM for a write-only register (counted); -EINVAL bad vCPU; -EBUSY before
 * init; -ENODEV dead handle or no GIC.
 */
VGIC_API int vgic_sysreg_read(struct vgic_vm *vm, unsigned int vcpu, uint32_t enc,
			      uint64_t *val);

/* MSR of ICC register @enc; errors as vgic_sysreg_read, -EPERM for read-only ones. */
VGIC_API int vgic_sysreg_write(struct vgic_vm *vm, unsigned int vcpu, uint32_t enc,
			       uint64_t val);

#ifdef __cplusplus
}
#endif

#endif
