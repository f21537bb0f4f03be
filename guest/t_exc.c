/* SPDX-License-Identifier: MIT */
/*
 * Synchronous exceptions and PSCI, using only virt features (run on QEMU
 * too): SVC, undefined instruction and data abort on an unassigned address,
 * from EL1 and from EL0 (lower-EL vectors: ESR, FAR, ELR, SPSR), many EL0 <->
 * EL1 round trips on both vCPUs at once, an IRQ taken at EL0; PSCI VERSION,
 * FEATURES, CPU_ON, AFFINITY_INFO, MIGRATE_INFO_TYPE.  Needs 2 vCPUs.
 */
#include "gic.h"

#define HOLE		0x0b000000UL	/* nothing at this address on virt */
#define EC_UNKNOWN	0x00
#define EC_SVC64	0x15
#define EC_DABT_LOW	0x24
#define EC_DABT_CUR	0x25
#define SVC_EXIT_EL0	0xff
#define SVC_COUNT	0x01	/* counted per CPU, nothing else */
#define SVC_UNMASK	0x10	/* return to EL0 with DAIF clear */
#define SPSR_M		0xf	/* M[3:0]: 0 is EL0t */
#define SPSR_EL0T	0x0
#define ROUND_TRIPS	1000
#define SGI_EL0		3
/* How long another vCPU may take to answer (a bound, not a timing check:
 * both vCPUs share one host thread, which a loaded host may preempt). */
#define CPU_WAIT_US	2000000

static volatile struct {
	uint64_t esr, far, elr, spsr;
	unsigned int kind, n;
} last;

static volatile unsigned int svc_count[MAX_CPUS];

static void on_sync(unsigned int kind, struct frame *f)
{
	uint64_t esr = sysreg_read(esr_el1);
	unsigned int ec = esr >> 26;

	if (kind == VEC_SYNC_EL0 && ec == EC_SVC64) {
		switch (esr & 0xffff) {
		case SVC_EXIT_EL0:
			f->elr = (uint64_t)el0_return;
			f->spsr = 0x3c5;	/* EL1h, DAIF masked */
			return;
		case SVC_COUNT:
			svc_count[cpu_index() % MAX_CPUS]++;
			return;
		case SVC_UNMASK:
			f->spsr = SPSR_EL0T;
			return;
		}
	}
	last.esr = esr;
	last.far = sysreg_read(far_el1);
	last.elr = f->elr;
	last.spsr = f->spsr;
	last.kind = kind;
	last.n++;
	if (ec != EC_SVC64)
		f->elr += 4;	/* skip the faulting instruction */
}

static uint64_t ec_of(uint64_t esr) { return esr >> 26; }

extern char svc_insn[], udf_insn[], ldr_insn[], str_insn[];

static void el1_checks(void)
{
	last.n = 0;
	__asm__ volatile("svc_insn: svc #0x42" ::: "memory");
	check("svc-el1", last.n == 1 && ec_of(last.esr) == EC_SVC64 && (last.esr & 0xffff) == 0x42 &&
	      last.elr == (uint64_t)svc_insn + 4 && (last.esr >> 25 & 1) && last.kind == VEC_SYNC_SPX,
	      "n=%u esr=0x%lx elr=0x%lx", last.n, last.esr, last.elr);

	last.n = 0;
	__asm__ volatile("udf_insn: .word 0x00000000" ::: "memory");
	check("undef-el1", last.n == 1 && ec_of(last.esr) == EC_UNKNOWN &&
	      last.elr == (uint64_t)udf_insn, "n=%u esr=0x%lx elr=0x%lx", last.n, last.esr, last.elr);

	last.n = 0;
	__asm__ volatile("mov x1, %0\nldr_insn: ldr w2, [x1]" :: "r"(HOLE) : "x1", "x2", "memory");
	check("dabt-read-el1", last.n == 1 && ec_of(last.esr) == EC_DABT_CUR &&
	      (last.esr & 0x3f) == 0x10 && !(last.esr & (1 << 6)) && last.far == HOLE &&
	      last.elr == (uint64_t)ldr_insn, "n=%u esr=0x%lx far=0x%lx", last.n, last.esr, last.far);

	last.n = 0;
	__asm__ volatile("mov x1, %0\nstr_insn: str w2, [x1, #8]" :: "r"(HOLE) : "x1", "x2", "memory");
	check("dabt-write-el1", last.n == 1 && ec_of(last.esr) == EC_DABT_CUR &&
	      (last.esr & 0x3f) == 0x10 && (last.esr & (1 << 6)) && last.far == HOLE + 8 &&
	      last.elr == (uint64_t)str_insn, "n=%u esr=0x%lx far=0x%lx", last.n, last.esr, last.far);
}

static volatile uint64_t el0_stack[512] __attribute__((aligned(16)));

#define EL0_EXIT() __asm__ volatile("svc #0xff" ::: "memory")

extern char el0_svc_insn[], el0_udf_insn[], el0_ldr_insn[], el0_hvc_insn[];

static void el0_svc(void) { __asm__ volatile("el0_svc_insn: svc #0x7"); EL0_EXIT(); }
static void el0_udf(void) { __asm__ volatile("el0_udf_insn: .word 0x00000000"); EL0_EXIT(); }
/* PSCI is not for EL0: HVC there is UNDEFINED, x0 (SYSTEM_OFF) ignored. */
static void el0_hvc(void)
{
	__asm__ volatile("mov x0, %0\nel0_hvc_insn: hvc #0" :: "r"(0x84000008UL) : "x0", "memory");
	EL0_EXIT();
}

static void el0_dabt(void)
{
	__asm__ volatile("mov x1, %0\nel0_ldr_insn: ldr w2, [x1]" :: "r"(HOLE) : "x1", "x2", "memory");
	EL0_EXIT();
}

/*
 * ROUND_TRIPS SVCs from EL0, each handled at EL1 (which reads ESR_EL1) and
 * returned from with ERET; a sum in a register, a value on the EL0 stack and
 * one in a SIMD register must come through intact.
 */
static volatile uint64_t el0_sum[MAX_CPUS];
static volatile bool el0_intact[MAX_CPUS];

static inline void el0_round_trips(unsigned int cpu)
{
	volatile uint64_t on_stack = 0x5eed0000 + cpu;
	uint64_t sum = 0, simd = 0x0123456789abcdefULL + cpu, back;

	__asm__ volatile("fmov d8, %0" :: "r"(simd));
	for (unsigned int i = 0; i < ROUND_TRIPS; i++) {
		sum += i;
		__asm__ volatile("svc #0x1" : "+r"(sum) :: "memory");
	}
	__asm__ volatile("fmov %0, d8" : "=r"(back));
	el0_sum[cpu] = sum;
	el0_intact[cpu] = on_stack == 0x5eed0000 + cpu && back == simd;
	EL0_EXIT();
}

static void el0_round_trips0(void) { el0_round_trips(0); }
static void el0_round_trips1(void) { el0_round_trips(1); }

/* Unmask IRQs (through an SVC: EL0 may not), then wait for the SGI. */
static volatile unsigned int irq_el0_n;
static volatile uint64_t irq_el0_spsr, irq_el0_elr;

static void el0_wait_irq(void)
{
	__asm__ volatile("svc #0x10" ::: "memory");
	for (unsigned int i = 0; i < 100000000 && !irq_el0_n; i++)
		;
	EL0_EXIT();
}

static void on_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	if (id == INTID_SPURIOUS)
		return;
	if (id == SGI_EL0) {
		irq_el0_spsr = f->spsr;
		irq_el0_elr = f->elr;
		irq_el0_n++;
	}
	gic_eoi(id);
}

/*
 * rt's vectors behind one more table that counts entries through offset
 * 0x480 (lower EL, AArch64, IRQ): the IRQ must come in there.
 */
extern char counting_vectors[], vectors[];
__attribute__((used)) static volatile uint64_t lower_irq_entries;
__asm__(".balign 2048\ncounting_vectors:\n"
	".irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8\n.balign 0x80\nb vectors + \\i * 0x80\n.endr\n"
	".balign 0x80\n"
	"stp x0, x1, [sp, #-16]!\n"
	"adrp x0, lower_irq_entries\n"
	"add x0, x0, :lo12:lower_irq_entries\n"
	"ldr x1, [x0]\n"
	"add x1, x1, #1\n"
	"str x1, [x0]\n"
	"ldp x0, x1, [sp], #16\n"
	"b vectors + 9 * 0x80\n"
	".irp i, 10, 11, 12, 13, 14, 15\n.balign 0x80\nb vectors + \\i * 0x80\n.endr\n");

static bool in_fn(uint64_t pc, void (*fn)(void))
{
	return pc >= (uint64_t)fn && pc < (uint64_t)fn + 256;
}

static void el0_irq_check(void *sp)
{
	gic_dist_init();
	gic_cpu_init();
	irq_hook = on_irq;
	gic_enable(SGI_EL0);
	gic_send_sgi(SGI_EL0, 1u << 0);	/* pending while EL1 and EL0 mask it */
	sysreg_write(vbar_el1, (uint64_t)counting_vectors);
	isb();
	run_el0(el0_wait_irq, sp);
	sysreg_write(vbar_el1, (uint64_t)vectors);
	isb();
	check("irq-el0", irq_el0_n == 1 && lower_irq_entries == 1 &&
	      (irq_el0_spsr & SPSR_M) == SPSR_EL0T && in_fn(irq_el0_elr, el0_wait_irq),
	      "n=%u at 0x480: %lu spsr=0x%lx elr=0x%lx", irq_el0_n, lower_irq_entries,
	      irq_el0_spsr, irq_el0_elr);
	gic_disable(SGI_EL0);
}

static void el0_checks(void)
{
	void *sp = (void *)&el0_stack[512];

	last.n = 0;
	run_el0(el0_svc, sp);
	check("svc-el0", last.n == 1 && ec_of(last.esr) == EC_SVC64 && (last.esr & 0xffff) == 7 &&
	      (last.esr >> 25 & 1) && last.elr == (uint64_t)el0_svc_insn + 4 &&
	      (last.spsr & SPSR_M) == SPSR_EL0T && last.kind == VEC_SYNC_EL0,
	      "n=%u esr=0x%lx elr=0x%lx spsr=0x%lx kind=%u", last.n, last.esr, last.elr,
	      last.spsr, last.kind);
	last.n = 0;
	run_el0(el0_udf, sp);
	check("undef-el0", last.n == 1 && ec_of(last.esr) == EC_UNKNOWN &&
	      last.elr == (uint64_t)el0_udf_insn && (last.spsr & SPSR_M) == SPSR_EL0T &&
	      last.kind == VEC_SYNC_EL0, "n=%u esr=0x%lx elr=0x%lx kind=%u", last.n, last.esr,
	      last.elr, last.kind);
	last.n = 0;
	run_el0(el0_hvc, sp);
	check("hvc-el0", last.n == 1 && ec_of(last.esr) == EC_UNKNOWN &&
	      last.elr == (uint64_t)el0_hvc_insn && last.kind == VEC_SYNC_EL0,
	      "n=%u esr=0x%lx elr=0x%lx kind=%u", last.n, last.esr, last.elr, last.kind);
	last.n = 0;
	run_el0(el0_dabt, sp);
	check("dabt-el0", last.n == 1 && ec_of(last.esr) == EC_DABT_LOW && last.far == HOLE &&
	      (last.esr & 0x3f) == 0x10 && !(last.esr & (1 << 6)) &&
	      last.elr == (uint64_t)el0_ldr_insn && (last.spsr & SPSR_M) == SPSR_EL0T &&
	      last.kind == VEC_SYNC_EL0, "n=%u esr=0x%lx far=0x%lx elr=0x%lx", last.n, last.esr,
	      last.far, last.elr);

	svc_count[0] = 0;
	run_el0(el0_round_trips0, sp);
	check("el0-round-trips", svc_count[0] == ROUND_TRIPS &&
	      el0_sum[0] == ROUND_TRIPS * (ROUND_TRIPS - 1) / 2 && el0_intact[0],
	      "svc=%u sum=%lu intact=%u", svc_count[0], el0_sum[0], el0_intact[0]);
	el0_irq_check(sp);
}

static volatile bool cpu1_ran, cpu1_el0;
static volatile uint64_t el0_stack1[512] __attribute__((aligned(16)));

void secondary_main(unsigned int idx)
{
	if (cpu1_el0 && idx == 1) {
		run_el0(el0_round_trips1, (void *)&el0_stack1[512]);
		cpu1_el0 = false;
	}
	cpu1_ran = idx == 1;
	dsb();
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

/* Both vCPUs go back and forth between EL0 and EL1 at the same time. */
static void el0_smp_check(void)
{
	int64_t r;

	svc_count[0] = svc_count[1] = 0;
	cpu1_el0 = true;
	cpu1_ran = false;
	dsb();
	r = cpu_start(1);
	run_el0(el0_round_trips0, (void *)&el0_stack[512]);
	wait_until(cpu1_ran, CPU_WAIT_US);
	check("el0-round-trips-2cpu", r == 0 && cpu1_ran && svc_count[0] == ROUND_TRIPS &&
	      svc_count[1] == ROUND_TRIPS && el0_intact[0] && el0_intact[1] &&
	      el0_sum[1] == ROUND_TRIPS * (ROUND_TRIPS - 1) / 2, "ret %ld svc=%u/%u intact=%u/%u",
	      r, svc_count[0], svc_count[1], el0_intact[0], el0_intact[1]);
}

static void psci_checks(void)
{
	int64_t v = psci_call(PSCI_VERSION, 0, 0, 0), r;

	/* QEMU 7.2 reports 1.1, vgic 1.0: both are >= 1.0 with the calls used here. */
	check("psci-version", v >= 0x10000, "0x%lx", v);
	check("psci-features", psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0) == 0 &&
	      psci_call(PSCI_FEATURES, 0x8400ffffu, 0, 0) == -1, "");
	check("psci-migrate-info", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0) == 2, "");
	check("psci-affinity-self", psci_call(PSCI_AFFINITY_INFO, 0, 0, 0) == 0, "");
	check("psci-affinity-off", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0) == 1, "");
	check("psci-cpu-on-bad", psci_call(PSCI_CPU_ON, 0x77, 0x40080000, 0) == -2, "");
	r = cpu_start(1);
	check("psci-cpu-on", r == 0 && wait_until(cpu1_ran, CPU_WAIT_US), "ret %ld", r);
	wait_until(psci_call(PSCI_AFFINITY_INFO, 1, 0, 0) == 1, CPU_WAIT_US);
	check("psci-cpu-off", psci_call(PSCI_AFFINITY_INFO, 1, 0, 0) == 1, "");
	cpu1_ran = false;
	dsb();
	r = cpu_start(1);
	check("psci-cpu-on-again", r == 0 && wait_until(cpu1_ran, CPU_WAIT_US), "ret %ld", r);
}

int main(const void *fdt)
{
	boot_fdt = fdt;
	print("t_exc: exceptions and PSCI\n");
	sync_hook = on_sync;
	check("dtb", fdt_has_compatible(fdt, "arm,gic-v3") && fdt_has_compatible(fdt, "arm,pl011") &&
	      fdt_has_compatible(fdt, "arm,armv8-timer") && fdt_has_compatible(fdt, "virtio,mmio"), "");
	el1_checks();
	el0_checks();
	psci_checks();
	wait_until(psci_call(PSCI_AFFINITY_INFO, 1, 0, 0) == 1, CPU_WAIT_US);
	el0_smp_check();
	return summary();
}
