/* SPDX-License-Identifier: MIT */
/* Guest entry, secondary entry, exception vectors, EL0 trampoline. */
#define STACK_SHIFT	14		/* 16 KiB per CPU */
#define FRAME_SIZE	272		/* x0..x30, ELR, SPSR, padding */
#define CPACR_FPEN	(3 << 20)
#define SPSR_EL0T_MASKED 0x3c0

	.section .text.boot, "ax"
	.globl _start
_start:
	mov	x19, x0			/* device tree */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	cpu_setup
	mov	x0, x19
	bl	main
	bl	psci_system_off
	b	.

	/* PSCI CPU_ON entry: x0 = CPU index. */
	.globl secondary_entry
secondary_entry:
	mov	x19, x0
	bl	cpu_setup
	mov	x0, x19
	bl	secondary_main
	b	.

/* Stack, vectors and FP for CPU x0; x0 preserved. */
cpu_setup:
	ldr	x1, =stacks
	add	x2, x0, #1
	lsl	x2, x2, #STACK_SHIFT
	add	sp, x1, x2
	adr	x1, vectors
	msr	vbar_el1, x1
	mov	x1, #CPACR_FPEN
	msr	cpacr_el1, x1
	isb
	ret

	.macro	ventry kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exc_common
	.endm

	.balign	0x800
	.globl	vectors
vectors:
	ventry	0	/* current EL, SP0: sync */
	ventry	1
	ventry	2
	ventry	3
	ventry	4	/* current EL, SPx: sync */
	ventry	5	/* IRQ */
	ventry	6	/* FIQ */
	ventry	7	/* SError */
	ventry	8	/* lower EL, AArch64: sync */
	ventry	9	/* IRQ */
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x30, x1, [sp, #240]
	str	x2, [sp, #256]
	mov	x1, sp
	bl	exc_handler
	ldp	x30, x1, [sp, #240]
	ldr	x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret

	/* run_el0(fn, sp): run fn at EL0t until it makes the SVC that exc.c
	 * turns into a return to el0_return. */
	.globl	run_el0
run_el0:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	msr	sp_el0, x1
	msr	elr_el1, x0
	mov	x2, #SPSR_EL0T_MASKED
	msr	spsr_el1, x2
	eret
	.globl	el0_return
el0_return:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

	.bss
	.balign	16
	.globl	stacks
stacks:
	.space	(8 << STACK_SHIFT)
