/* SPDX-License-Identifier: MIT */
/*
 * The machine and its run loop: all vCPUs on this thread in time slices,
 * round robin among those that can run, sleeping on a condition variable
 * when all of them wait for an interrupt.  A ticker thread ends slices at a
 * deadline (the next timer expiry, the round-robin quantum, --timeout) by
 * asking the running vCPU to stop before its next instruction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define QUANTUM_NS	2000000ULL	/* round robin when several vCPUs run */
#define NS_PER_SEC	1000000000ULL
#define INSN_WFI	0xd503207fu

uint64_t vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ .tv_sec = ns / NS_PER_SEC, .tv_nsec = ns % NS_PER_SEC };
}

void vmm_request_exit(struct vmm *vmm, enum vmm_exit why, const char *fmt, ...)
{
	int expected = VMM_RUNNING;
	va_list ap;

	if (!atomic_compare_exchange_strong(&vmm->exit, &expected, why))
		return;
	va_start(ap, fmt);
	vsnprintf(vmm->exit_msg, sizeof(vmm->exit_msg), fmt, ap);
	va_end(ap);
	vmm_wake(vmm);
}

void vmm_wake(struct vmm *vmm)
{
	pthread_mutex_lock(&vmm->lock);
	__atomic_add_fetch(&vmm->wakeups, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&vmm->wake);
	pthread_mutex_unlock(&vmm->lock);
}

/* The library's kick: stop the vCPU at its next instruction, wake the loop. */
static void vmm_kick(void *opaque, unsigned int idx)
{
	struct vmm *vmm = opaque;

	struct vcpu *running = atomic_load(&vmm->running);

	if (idx < vmm->nr_vcpus)
		vcpu_request_stop(&vmm->vcpus[idx]);
	/* Another vCPU may have become runnable: let the scheduler look again. */
	if (running)
		vcpu_request_stop(running);
	vmm_wake(vmm);
}

/* --- slice ticker --- */

static void *ticker_main(void *opaque)
{
	struct vmm *vmm = opaque;

	pthread_mutex_lock(&vmm->tick_lock);
	while (!vmm->tick_quit) {
		uint64_t now = vmm_now_ns();

		if (vmm->tick_target && vmm->tick_at <= now) {
			vcpu_request_stop(vmm->tick_target);
			vmm->tick_target = NULL;
		} else if (vmm->tick_target) {
			struct timespec ts = ts_of(vmm->tick_at);

			vmm->tick_sleeps_until = vmm->tick_at;
			pthread_cond_timedwait(&vmm->tick_cond, &vmm->tick_lock, &ts);
		} else {
			vmm->tick_sleeps_until = NEVER;
			pthread_cond_wait(&vmm->tick_cond, &vmm->tick_lock);
		}
	}
	pthread_mutex_unlock(&vmm->tick_lock);
	return NULL;
}

/*
 * The ticker holds tick_lock whenever it is awake, so here it is waiting,
 * until tick_sleeps_until.  It needs waking only for an earlier deadline:
 * waking at the old one, it goes back to sleep until the new one.  Slices
 * mostly share their deadline (the quantum, the next timer, --timeout), so
 * this saves a futex wake, 1.5 us or more here, on nearly every slice.
 */
static void ticker_arm(struct vmm *vmm, struct vcpu *v, uint64_t deadline)
{
	pthread_mutex_lock(&vmm->tick_lock);
	vmm->tick_target = deadline == NEVER ? NULL : v;
	vmm->tick_at = deadline;
	if (deadline < vmm->tick_sleeps_until)
		pthread_cond_signal(&vmm->tick_cond);
	pthread_mutex_unlock(&vmm->tick_lock);
}

/* --- scheduling --- */

static uint64_t timeout_deadline(struct vmm *vmm)
{
	if (vmm->cfg.timeout_s <= 0)
		return NEVER;
	return vmm->start_ns + (uint64_t)(vmm->cfg.timeout_s * NS_PER_SEC);
}

/* Drive every timer line; the earliest future event (timer or timeout). */
static uint64_t update_timers(struct vmm *vmm)
{
	uint64_t next = timeout_deadline(vmm);

	for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
		if (vmm->vcpus[i].power == VCPU_ON)
			next = MIN(next, timer_update(&vmm->vcpus[i]));
	return next;
}

static bool vcpu_runnable(struct vmm *vmm, struct vcpu *v)
{
	if (v->power != VCPU_ON)
		return false;
	if (v->idle && vgic_vcpu_pending(vmm->vm, v->idx) > 0)
		v->idle = false;
	return !v->idle;
}

/* Next runnable vCPU after @last, round robin; NULL if none. */
static struct vcpu *pick(struct vmm *vmm, unsigned int last, unsigned int *nr_runnable)
{
	struct vcpu *found = NULL;

	*nr_runnable = 0;
	for (unsigned int n = 1; n <= vmm->nr_vcpus; n++) {
		struct vcpu *v = &vmm->vcpus[(last + n) % vmm->nr_vcpus];

		if (!vcpu_runnable(vmm, v))
			continue;
		(*nr_runnable)++;
		if (!found)
			found = v;
	}
	return found;
}

static bool any_on(struct vmm *vmm)
{
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
		if (vmm->vcpus[i].power == VCPU_ON)
			return true;
	return false;
}

/* Every vCPU waits for an interrupt: sleep until a kick or @deadline. */
static void idle_wait(struct vmm *vmm, uint64_t seen, uint64_t deadline)
{
	struct timespec ts = ts_of(deadline);

	pthread_mutex_lock(&vmm->lock);
	while (__atomic_load_n(&vmm->wakeups, __ATOMIC_ACQUIRE) == seen &&
	       atomic_load(&vmm->exit) == VMM_RUNNING) {
		if (deadline == NEVER)
			pthread_cond_wait(&vmm->wake, &vmm->lock);
		else if (pthread_cond_timedwait(&vmm->wake, &vmm->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&vmm->lock);
}

/* Why the slice ended, and what it means for the vCPU. */
static void slice_done(struct vcpu *v, uc_err err)
{
	uint64_t pc;
	uint32_t insn;

	if (v->fault_type) {
		exc_from_fault(v);
		return;
	}
	if (v->undef_pending) {
		v->undef_pending = false;
		exc_undef(v, v->undef_pc);
		return;
	}
	if (err) {
		vmm_request_exit(v->vmm, VMM_EXIT_RUNAWAY, "vcpu%u: unicorn stopped: %s", v->idx,
				 uc_strerror(err));
		return;
	}
	if (v->stopped_by_hook)
		return;
	/* Not our stop: Unicorn returns after WFI with PC past it. */
	pc = vcpu_reg(v, UC_ARM64_REG_PC);
	if (vcpu_fetch(v, pc - 4, &insn) && insn == INSN_WFI) {
		v->vmm->stats.exits_wfi++;
		v->idle = true;
	}
}

static void run_one(struct vmm *vmm, struct vcpu *v, unsigned int nr_runnable, uint64_t next,
		    uint64_t quantum_end)
{
	uint64_t deadline = next;
	uc_err err;

	exc_deliver_pending(v, vcpu_reg(v, UC_ARM64_REG_PC));
	if (nr_runnable > 1)
		deadline = MIN(deadline, quantum_end);
	ticker_arm(vmm, v, deadline);
	vmm->stats.slices++;
	atomic_store(&vmm->running, v);
	err = vcpu_run_slice(v);
	atomic_store(&vmm->running, NULL);
	ticker_arm(vmm, v, NEVER);
	/* Kicks until here are answered by the loop's next look at the vCPUs;
	 * a later one leaves the flag set and stops the next slice at once. */
	atomic_store(&v->stop_wanted, 0);
	slice_done(v, err);
}

enum vmm_exit vmm_run(struct vmm *vmm)
{
	unsigned int last = vmm->nr_vcpus - 1;
	uint64_t quantum_end = 0;

	while (atomic_load(&vmm->exit) == VMM_RUNNING) {
		uint64_t seen = __atomic_load_n(&vmm->wakeups, __ATOMIC_ACQUIRE);
		uint64_t next = update_timers(vmm);
		unsigned int nr_runnable;
		struct vcpu *v;

		if (vmm_now_ns() >= timeout_deadline(vmm)) {
			vmm_request_exit(vmm, VMM_EXIT_TIMEOUT, "timeout after %.1f s",
					 vmm->cfg.timeout_s);
			break;
		}
		if (!any_on(vmm)) {
			vmm_request_exit(vmm, VMM_EXIT_RUNAWAY,
					 "every vCPU is off (PSCI CPU_OFF) and no SYSTEM_OFF came");
			break;
		}
		v = pick(vmm, vmm_now_ns() < quantum_end ? (last + vmm->nr_vcpus - 1) % vmm->nr_vcpus
						      : last, &nr_runnable);
		if (!v) {
			idle_wait(vmm, seen, next);
			continue;
		}
		/* A slice cut short (kick, trap) resumes the same vCPU while its
		 * quantum lasts; round robin moves on once it is used up. */
		if (v->idx != last || vmm_now_ns() >= quantum_end) {
			quantum_end = vmm_now_ns() + QUANTUM_NS;
			last = v->idx;
		}
		run_one(vmm, v, nr_runnable, next, quantum_end);
		/* Between slices every vCPU is at an instruction boundary. */
		if (vmm->cfg.pause_at_prompt && atomic_exchange(&vmm->prompt_seen, false))
			return VMM_PAUSED;
	}
	return atomic_load(&vmm->exit);
}

/* --- construction --- */

static int vgic_setup(struct vmm *vmm)
{
	int ret = vgic_vm_create(vmm->nr_vcpus, 0, &vmm->vm);

	if (!ret)
		ret = vgic_vm_set_nr_irqs(vmm->vm, VIRT_NR_IRQS);
	if (!ret)
		ret = vgic_vm_set_addr(vmm->vm, VGIC_ADDR_TYPE_DIST, VIRT_GIC_DIST);
	if (!ret)
		ret = vgic_vm_set_addr(vmm->vm, VGIC_ADDR_TYPE_REDIST, VIRT_GIC_REDIST);
	if (!ret && vmm->cfg.its) {
		int id = vgic_its_create(vmm->vm);

		ret = id < 0 ? id : vgic_its_set_addr(vmm->vm, id, VIRT_GIC_ITS);
		vmm->has_its = !ret;
	}
	if (!ret)
		ret = vgic_vm_init(vmm->vm);
	if (!ret)
		ret = vgic_vm_add_ram(vmm->vm, VIRT_RAM, vmm->ram_size, vmm->ram);
	for (unsigned int i = 0; !ret && i < vmm->nr_vcpus; i++)
		ret = vgic_vcpu_set_kick(vmm->vm, i, vmm_kick, vmm);
	if (ret)
		fprintf(stderr, "vgic run: GIC setup: %s\n", vgic_strerror(ret));
	return ret;
}

/*
 * Where QEMU puts the device tree: at the bottom of RAM when an ELF image
 * leaves it free, otherwise 2 MiB-aligned above the image, no lower than
 * min(RAM/2, 128 MiB) (where an initrd would go).
 */
static void place_dtb(struct vmm *vmm, uint64_t lo, uint64_t end, bool is_elf, uint64_t *limit)
{
	const uint64_t align = 2ULL << 20;
	uint64_t start = VIRT_RAM + MIN(vmm->ram_size / 2, 128ULL << 20);

	*limit = VIRT_RAM + vmm->ram_size;
	if (is_elf && lo > VIRT_RAM) {
		vmm->dtb_addr = VIRT_RAM;
		*limit = lo;
		return;
	}
	start = MAX(start, end);
	vmm->dtb_addr = (start + align - 1) & ~(align - 1);
}

static int devices_create(struct vmm *vmm)
{
	int ret = pl011_create(vmm, &vmm->devs[vmm->nr_devs++]);

	virtio_mmio_dev(vmm, &vmm->devs[vmm->nr_devs++]);
	if (!ret)
		ret = testdev_create(vmm, &vmm->devs[vmm->nr_devs++]);
	if (!ret)
		ret = backend_create(vmm);
	return ret;
}

static int boot_setup(struct vmm *vmm)
{
	uint64_t lo, end, limit;
	bool is_elf;
	int ret = loader_load(vmm, vmm->cfg.image, &lo, &end, &is_elf);

	if (ret) {
		fprintf(stderr, "vgic run: cannot load %s: %s\n", vmm->cfg.image, strerror(-ret));
		return ret;
	}
	place_dtb(vmm, lo, end, is_elf, &limit);
	ret = fdt_build(vmm, limit);
	if (ret)
		return ret;
	vmm->vcpus[0].power = VCPU_ON;
	return vcpu_reset(&vmm->vcpus[0], vmm->entry, vmm->dtb_addr);
}

int vmm_create(const struct vmm_config *cfg, struct vmm **vmmp)
{
	struct vmm *vmm = calloc(1, sizeof(*vmm));
	pthread_condattr_t ca;
	int ret;

	if (!vmm)
		return -ENOMEM;
	if (!cfg->nr_vcpus || cfg->nr_vcpus > VIRT_MAX_VCPUS || cfg->ram_mib < 16 ||
	    cfg->ram_mib > (1ULL << 18)) {
		fprintf(stderr, "vgic run: --smp 1..%llu, --mem 16..262144 MiB\n",
			(unsigned long long)VIRT_MAX_VCPUS);
		free(vmm);
		return -EINVAL;
	}
	vmm->cfg = *cfg;
	vmm->nr_vcpus = cfg->nr_vcpus;
	vmm->ram_size = cfg->ram_mib << 20;
	vmm->t0_ns = vmm->start_ns = vmm_now_ns();
	pthread_mutex_init(&vmm->lock, NULL);
	pthread_mutex_init(&vmm->tick_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vmm->wake, &ca);
	pthread_cond_init(&vmm->tick_cond, &ca);
	pthread_condattr_destroy(&ca);
	*vmmp = vmm;

	vmm->ram = mmap(NULL, vmm->ram_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vmm->ram == MAP_FAILED) {
		vmm->ram = NULL;
		return -ENOMEM;
	}
	vmm->vcpus = calloc(vmm->nr_vcpus, sizeof(*vmm->vcpus));
	if (!vmm->vcpus)
		return -ENOMEM;
	ret = vgic_setup(vmm);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		vmm->vcpus[i].vmm = vmm;
		vmm->vcpus[i].idx = i;
		ret = vcpu_init(&vmm->vcpus[i]);
		if (ret)
			return ret;
	}
	ret = devices_create(vmm);
	if (!ret && cfg->image)
		ret = boot_setup(vmm);
	if (!ret) {
		vmm->has_ticker = !pthread_create(&vmm->ticker, NULL, ticker_main, vmm);
		if (!vmm->has_ticker)
			ret = -EAGAIN;
	}
	return ret;
}

void vmm_destroy(struct vmm *vmm)
{
	if (!vmm)
		return;
	if (vmm->has_ticker) {
		pthread_mutex_lock(&vmm->tick_lock);
		vmm->tick_quit = true;
		pthread_cond_signal(&vmm->tick_cond);
		pthread_mutex_unlock(&vmm->tick_lock);
		pthread_join(vmm->ticker, NULL);
	}
	backend_destroy(vmm);
	pl011_destroy(vmm);
	testdev_destroy(vmm);
	for (unsigned int i = 0; vmm->vcpus && i < vmm->nr_vcpus; i++)
		vcpu_fini(&vmm->vcpus[i]);
	vgic_vm_destroy(vmm->vm);
	free(vmm->vcpus);
	if (vmm->ram)
		munmap(vmm->ram, vmm->ram_size);
	pthread_cond_destroy(&vmm->wake);
	pthread_cond_destroy(&vmm->tick_cond);
	pthread_mutex_destroy(&vmm->lock);
	pthread_mutex_destroy(&vmm->tick_lock);
	free(vmm);
}
