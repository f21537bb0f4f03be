/* SPDX-License-Identifier: MIT */
/*
 * The VMM: a `virt`-like AArch64 machine on Unicorn with libvgic as its
 * interrupt controller.  This layer is the only code that includes Unicorn.
 *
 * Theory of operation
 * -------------------
 * One Unicorn engine per vCPU, all driven by one host thread in time slices
 * (vmm.c): LDXR/STXR are not atomic across engines running in parallel, and a
 * single thread makes scheduling deterministic, as QEMU's single-threaded TCG.
 *
 * Unicorn 2.0.1 reports a stop requested from another thread (or from a
 * memory callback) with the PC of the translation block's start even when
 * part of the block already ran, so resuming would re-execute instructions.
 * The only precise stop point is an instruction hook: every engine carries a
 * UC_HOOK_CODE callback that stops *before* the next instruction when
 * vcpu->stop_wanted is set.  Kicks, the slice ticker, MMIO handlers and
 * sysreg handlers only ever set that flag (vcpu.c).
 *
 * MSR DAIFClr is not trapped, so while an interrupt is pending and PSTATE.I
 * is set the same hook also reads PSTATE before each instruction and stops as
 * soon as the guest unmasks: the interrupt is taken one instruction later.
 */
#ifndef VGIC_VMM_VMM_H
#define VGIC_VMM_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicorn/unicorn.h>
#include <vgic/vgic.h>

#include "vmm/virt.h"

struct vmm;

struct vmm_config {
	unsigned int nr_vcpus;
	uint64_t ram_mib;
	const char *bootargs;
	const char *image;
	double timeout_s;	/* 0: none */
	bool its;
	bool verbose;
	bool pause_at_prompt;	/* vmm_run returns VMM_PAUSED at the migrate prompt */
};

/* What the guest prints when it is ready to be migrated (then waits for a key). */
#define VMM_MIGRATE_PROMPT	"Now migrate the VM, then press a key to continue..."


/* Why the machine stopped; exit status of `vgic run` follows from it. */
enum vmm_exit {
	VMM_RUNNING = 0,
	VMM_EXIT_POWEROFF,	/* PSCI SYSTEM_OFF: status 0 */
	VMM_EXIT_RESET,		/* PSCI SYSTEM_RESET: status 0, reported */
	VMM_EXIT_TIMEOUT,	/* --timeout elapsed */
	VMM_EXIT_RUNAWAY,	/* fetch from non-RAM, exception loop, all vCPUs off */
	VMM_EXIT_ERROR,		/* the VMM itself failed */
	VMM_PAUSED,		/* at the migrate prompt (cfg.pause_at_prompt): not an exit */
};

enum vcpu_power { VCPU_OFF = 0, VCPU_ON };

/* Emulated generic timer (one of CNTV, CNTP). */
struct gtimer {
	uint32_t ctl;		/* ENABLE | IMASK; ISTATUS computed */
	uint64_t cval;
	bool level;		/* output last driven into the GIC */
	unsigned int ppi;
};

/* An EL1 engine context for entering EL1 from EL0 (el1ctx.c). */
struct el1ctx {
	uc_context *ctx;
	bool valid;			/* captured, and still exact for EL1 */
};

struct vcpu {
	struct vmm *vmm;
	unsigned int idx;
	uint64_t mpidr;
	uc_engine *uc;
	enum vcpu_power power;
	bool idle;			/* in WFI */
	bool ran;			/* powered on at least once (engine needs reset) */
	atomic_int stop_wanted;		/* stop before the next instruction */
	uint32_t watch_mask;		/* PSTATE.I/F bits masking a pending IRQ/FIQ */
	bool stopped_by_hook;
	bool undef_pending;		/* a trapped MRS/MSR must UNDEF at undef_pc */
	uint64_t undef_pc;
	struct gtimer vtimer, ptimer;
	/* Exception-loop detection: identical synchronous exceptions in a row. */
	uint64_t last_exc_elr, last_exc_esr;
	unsigned int same_exc;
	/* Fault recorded by the unmapped-memory hook. */
	uint64_t fault_addr;
	int fault_type;			/* uc_mem_type, 0 if none */
	void *mmio_ctx;			/* per-engine MMIO callback contexts */
	uint64_t irqs_taken;
	struct el1ctx el1;
};

struct pl011;
struct testdev;
struct backend;

/* A VMM device on the MMIO path after the library declined an access. */
struct mmio_dev {
	uint64_t base, size;
	void *opaque;
	uint64_t (*read)(void *opaque, struct vcpu *v, uint64_t off, unsigned int len);
	void (*write)(void *opaque, struct vcpu *v, uint64_t off, unsigned int len, uint64_t val);
};

struct vmm {
	struct vmm_config cfg;
	struct vgic_vm *vm;
	uint8_t *ram;
	uint64_t ram_size;
	unsigned int nr_vcpus;
	struct vcpu *vcpus;
	struct vcpu *_Atomic running;	/* the vCPU in uc_emu_start, or NULL */
	bool has_its;
	uint64_t entry;
	uint64_t dtb_addr;
	uint64_t t0_ns;			/* counter epoch: CNTVCT = 0 at boot */
	uint64_t start_ns;		/* when this VMM started: --timeout counts from it */
	atomic_bool prompt_seen;	/* the UART printed VMM_MIGRATE_PROMPT */
	_Atomic int exit;		/* enum vmm_exit */
	char exit_msg[256];

	/* Wakeups for the run loop when every vCPU is idle. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t wakeups;

	/* Slice ticker: stops the running vCPU at a deadline. */
	pthread_t ticker;
	bool has_ticker;
	pthread_mutex_t tick_lock;
	pthread_cond_t tick_cond;
	uint64_t tick_at;		/* CLOCK_MONOTONIC ns; UINT64_MAX: none */
	struct vcpu *tick_target;
	uint64_t tick_sleeps_until;	/* the ticker's current wait; NEVER: untimed */
	bool tick_quit;

	struct mmio_dev devs[4];
	unsigned int nr_devs;
	struct pl011 *uart;
	struct testdev *testdev;
	struct backend *backend;
	struct vmm_stats {
		uint64_t slices, exits_wfi, mmio_exits, unclaimed_mmio, sysreg_traps;
		uint64_t irq_entries, sync_entries, unmask_stops, el0_entries;
	} stats;
};

#define NEVER UINT64_MAX

/* --- vmm.c: machine and run loop --- */
/* Build the machine for @cfg; 0 or a negative errno (message on stderr).
 * Without cfg->image every vCPU stays off: a snapshot is applied next. */
int vmm_create(const struct vmm_config *cfg, struct vmm **vmmp);
/* Run until the guest powers off or the VMM gives up; returns enum vmm_exit. */
enum vmm_exit vmm_run(struct vmm *vmm);
void vmm_destroy(struct vmm *vmm);
/* End the run with @why; the first reason wins.  Any thread. */
void vmm_request_exit(struct vmm *vmm, enum vmm_exit why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Wake the run loop if it sleeps waiting for an interrupt.  Any thread. */
void vmm_wake(struct vmm *vmm);
uint64_t vmm_now_ns(void);

/* --- loader.c --- */
/* Load @path (ELF by its headers, else flat at RAM + 0x80000); sets entry,
 * returns the image's highest loaded address + 1 in *@end and whether it was
 * an ELF.  -ENOENT, -EINVAL (bad ELF / does not fit), -EIO. */
int loader_load(struct vmm *vmm, const char *path, uint64_t *lo, uint64_t *end, bool *is_elf);

/* --- fdt.c --- */
/* Build the device tree into guest RAM at vmm->dtb_addr; -ENOSPC, -EINVAL. */
int fdt_build(struct vmm *vmm, uint64_t limit);

/* --- vcpu.c --- */
int vcpu_init(struct vcpu *v);
void vcpu_fini(struct vcpu *v);
/* Fresh architectural state for a vCPU being powered on at @entry. */
int vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t x0);
/* Run until a stop; returns the uc_err of uc_emu_start. */
uc_err vcpu_run_slice(struct vcpu *v);
void vcpu_request_stop(struct vcpu *v);
uint64_t vcpu_reg(struct vcpu *v, int reg);
void vcpu_set_reg(struct vcpu *v, int reg, uint64_t val);
uint64_t vcpu_sysreg(struct vcpu *v, int op0, int op1, int crn, int crm, int op2);
void vcpu_set_sysreg(struct vcpu *v, int op0, int op1, int crn, int crm, int op2, uint64_t val);
/* The 32-bit instruction word at guest address @pc (VA == PA, see vcpu.c);
 * false if it is unaligned or not in RAM. */
bool vcpu_fetch(struct vcpu *v, uint64_t pc, uint32_t *insn);

/* --- exc.c --- */
enum exc_kind { EXC_SYNC = 0, EXC_IRQ = 1, EXC_FIQ = 2, EXC_SERROR = 3 };
/* Enter the guest's vector for @kind at EL1 as the architecture does. */
void exc_enter(struct vcpu *v, enum exc_kind kind, uint64_t elr, uint64_t esr, uint64_t far);
/* Take a pending IRQ/FIQ if the vCPU's PSTATE allows it, returning to @ret_pc.
 * Returns true if an exception was entered. */
bool exc_deliver_pending(struct vcpu *v, uint64_t ret_pc);
/* Make the instruction at @pc UNDEFINED for the guest. */
void exc_undef(struct vcpu *v, uint64_t pc);
/* The same from an MRS/MSR hook, where the PC cannot be redirected: the
 * exception is entered once the slice stops before the next instruction. */
void exc_undef_later(struct vcpu *v, uint64_t pc);
/* A synchronous exception Unicorn reported through UC_HOOK_INTR. */
void exc_from_intr(struct vcpu *v, uint32_t intno);
/* An access to unmapped memory stopped the slice: abort or give up. */
void exc_from_fault(struct vcpu *v);

/* --- el1ctx.c: entering EL1 from EL0 (Unicorn caches the EL, see there) --- */
/* With the engine: -ENOMEM. */
int el1ctx_open(struct vcpu *v);
void el1ctx_close(struct vcpu *v);
/* Capture the EL1 context if it is stale and the vCPU is at EL1. */
void el1ctx_capture(struct vcpu *v);
/* The guest executes a native MSR to @enc (VGIC_SYSREG encoding). */
void el1ctx_note_msr(struct vcpu *v, uint32_t enc);
/* Give the engine EL1 translation state, keeping the live architectural
 * state; PSTATE still says EL0.  -ENOENT (no exact EL1 context captured),
 * -EIO (Unicorn refused the restore). */
int el1ctx_enter(struct vcpu *v);
const char *el1ctx_strerror(int err);

/* --- sysreg.c --- */
uint32_t sysreg_mrs_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque);
uint32_t sysreg_msr_hook(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque);

/* --- timer.c --- */
uint64_t timer_counter(struct vmm *vmm);
/* Drive the timer PPIs of @v from the counter; returns the next deadline (ns). */
uint64_t timer_update(struct vcpu *v);
/* MRS/MSR of a CNT* register; false if @enc is not a timer register. */
bool timer_sysreg_read(struct vcpu *v, uint32_t enc, uint64_t *val);
bool timer_sysreg_write(struct vcpu *v, uint32_t enc, uint64_t val);
void timer_reset(struct vcpu *v);
/* Make the counter read @cnt now (a restored VM's time goes on from there). */
void timer_set_counter(struct vmm *vmm, uint64_t cnt);

/* --- psci.c --- */
/* Handle a PSCI call (function in x0) from @v; writes the result to x0. */
void psci_call(struct vcpu *v);

/* --- mmio.c --- */
/* Map the device regions into @v's engine. */
int mmio_map(struct vcpu *v);
void mmio_unmap(struct vcpu *v);


/* --- pl011.c, virtio_mmio.c, testdev.c --- */
int pl011_create(struct vmm *vmm, struct mmio_dev *dev);
void pl011_destroy(struct vmm *vmm);
/* The UART's registers and RX FIFO, for snapshots. */
struct pl011_state {
	uint8_t rx[16];
	uint32_t rx_head, rx_count, ris, imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr, level;
};
void pl011_get_state(struct vmm *vmm, struct pl011_state *st);
/* Load @st; the GIC already holds the line level it implies. */
void pl011_set_state(struct vmm *vmm, const struct pl011_state *st);
/* A key typed on the console: into the RX FIFO (dropped if it is full). */
void pl011_type(struct vmm *vmm, uint8_t c);
/* Stop reading stdin (a VM being migrated away hands its console over). */
void pl011_stop_input(struct vmm *vmm);
void virtio_mmio_dev(struct vmm *vmm, struct mmio_dev *dev);
int testdev_create(struct vmm *vmm, struct mmio_dev *dev);
void testdev_destroy(struct vmm *vmm);
/* The test device's doorbell register: an ioeventfd the backend listens on. */
#define TESTDEV_DOORBELL	0x30

/* --- backend.c: host side of the irqfd/ioeventfd round trips --- */
int backend_create(struct vmm *vmm);
/* Start @count MSI round trips (DeviceID @devid, EventID @event); -EINVAL, -ENOMEM. */
int backend_start(struct vmm *vmm, uint32_t devid, uint32_t event, uint32_t count);
/* Raise SPI @intid once through an irqfd (edge: eventfd semantics). */
int backend_raise_spi(struct vmm *vmm, uint32_t intid);
uint32_t backend_done(struct vmm *vmm);
/* Stop the backend and print delivered count, rate and latency percentiles. */
void backend_report(struct vmm *vmm);
void backend_destroy(struct vmm *vmm);

/* --- snapshot.c: the whole VM as one checked byte string --- */
struct snap;
/* Save @vmm (stopped between slices) into a malloc'ed *@bufp; @at_prompt is
 * recorded so a restore types the key the guest waits for.  -ENOMEM and the
 * errors of vgic_vm_save_state(). */
int snapshot_save(struct vmm *vmm, bool at_prompt, void **bufp, size_t *lenp);
/* Check a whole snapshot (magic, version, CRC, every section in range)
 * without touching any VM; -EINVAL, -EOPNOTSUPP (version), -ENOMEM.  The
 * parsed view points into @buf, which must outlive it. */
int snapshot_parse(const void *buf, size_t len, struct snap **sp);
void snapshot_free(struct snap *s);
/* The machine shape (vCPUs, RAM, ITS) the snapshot needs, into @cfg. */
void snapshot_shape(const struct snap *s, struct vmm_config *cfg);
bool snapshot_at_prompt(const struct snap *s);
/* Load a parsed snapshot into a VM just built from snapshot_shape() without
 * an image (its RAM still all zero); -EINVAL on another shape (nothing
 * changed), else vgic_vm_restore_state()'s. */
int snapshot_apply(struct vmm *vmm, const struct snap *s);
int snapshot_write_file(const char *path, const void *buf, size_t len);
int snapshot_read_file(const char *path, void **bufp, size_t *lenp);

#endif
