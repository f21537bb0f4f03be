/* SPDX-License-Identifier: MIT */
/*
 * irqfd (virt/kvm/eventfd.c) on user-space threads.
 *
 * Theory of operation
 * -------------------
 * A VM owns IRQFD_NR_WORKERS threads, started with its first irqfd, each
 * sleeping in epoll_wait() on its own epoll set (level-triggered EPOLLIN on
 * the library's dup of every eventfd it serves, plus a stop eventfd).  When
 * an eventfd fires the worker drains its counter and injects through the
 * GSI's current route inside an RCU read-side section, so a routing update
 * never waits for, nor is waited for by, an injection beyond a grace period.
 *
 * epoll hands back a 64-bit cookie, not a reference, so an irqfd is named in
 * epoll by (slot, generation) in its worker's slot table.  The worker looks
 * the cookie up and fires the irqfd under worker->lock; unbinding takes the
 * same lock, removes the epoll registration and empties the slot, so once it
 * drops the lock no worker holds the irqfd and a stale cookie resolves to
 * nothing.
 *
 * Resampling (KVM's irqfd resampler): resample irqfds are published, as an
 * RCU snapshot of (GSI, resamplefd) pairs, to the GIC's deactivation hook.
 * When the guest deactivates a level SPI, the hook maps the pin back to its
 * GSI through the routing table, lowers the line and then signals every
 * resamplefd of that GSI.  Arming the hook sets notify_deactivate on every
 * SPI (KVM asks for an EOI maintenance interrupt on all level interrupts),
 * so routing updates need not re-arm anything; the hook filters.
 *
 * Closing: workers read the library's own dup of each eventfd, so a caller
 * that closes its descriptor, or reuses the number for another file, can
 * never make a worker read someone else's file.  KVM hears of the eventfd's
 * release through EPOLLHUP on the eventfd's wait queue; user space has no
 * such hook, so every bind and unbind (and vgic_irqfd_reap()) asks kcmp()
 * whether the caller's number still names the bound eventfd, and unbinds
 * those it no longer does.  Eventfds are compared the same way (KVM compares
 * eventfd contexts), so a dup()ed number is still the same eventfd.
 *
 * Lock order: irqfds->lock (bind/unbind) > worker->lock > vrcu read side >
 * the GIC's locks.  The deactivation hook runs on a vCPU thread with no GIC
 * lock held and takes only the vrcu read side.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <vgic/irqfd.h>

#include "common/rcu.h"
#include "kvm/eventfd.h"
#include "kvm/irqfd.h"
#include "kvm/routing.h"
#include "kvm/vm.h"

#define IRQFD_NR_WORKERS	2
#define IRQFD_BATCH		64
#define IRQFD_STOP_COOKIE	0	/* generations start at 1, so no irqfd has it */

struct irqfd_worker;

struct irqfd {
	struct list_node link;		/* irqfds->list, or a list being torn down */
	struct irqfd_worker *w;
	uint32_t slot;
	uint32_t gsi;
	int fd;				/* the library's dup of the eventfd */
	int user_fd;			/* the caller's number, to notice its close */
	int resamplefd;			/* the library's dup, or -1 */
};

struct irqfd_slot {
	struct irqfd *irqfd;		/* NULL when free */
	uint32_t gen;
};

struct irqfd_worker {
	struct vgic_vm *vm;
	pthread_t thread;
	int epfd;
	int stopfd;
	pthread_mutex_t lock;		/* slots; held while one of them fires */
	struct irqfd_slot *slots;
	uint32_t nr_slots;
	unsigned int load;		/* irqfds served; irqfds->lock */
};

struct resample_ent {
	uint32_t gsi;
	int fd;
};

/* Immutable once published. */
struct resample_set {
	unsigned int nr;
	struct resample_ent ent[];
};

struct irqfds {
	struct vgic_vm *vm;
	pthread_mutex_t lock;		/* list, workers' start, resample set */
	struct list_node list;
	bool started;
	bool resample_armed;
	struct irqfd_worker workers[IRQFD_NR_WORKERS];
	struct resample_set *_Atomic resamplers;
	atomic_uint_fast64_t signals, injected, dropped, resamples;
};

#define irqfd_count(s, field) atomic_fetch_add_explicit(&(s)->field, 1, memory_order_relaxed)

/* --- workers --- */

static uint64_t cookie(uint32_t slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

/* worker->lock held. */
static struct irqfd *slot_lookup(struct irqfd_worker *w, uint64_t c)
{
	uint32_t slot = (uint32_t)c, gen = (uint32_t)(c >> 32);

	if (slot >= w->nr_slots || w->slots[slot].gen != gen)
		return NULL;
	return w->slots[slot].irqfd;
}

/* KVM's irqfd_inject: a plain irqfd pulses the line (an edge); a resample
 * irqfd leaves it high until the guest deactivates the interrupt. */
static void irqfd_fire(struct vgic_vm *vm, struct irqfd *irqfd)
{
	const struct route_table *t;

	if (!efd_drain(irqfd->fd))
		return;
	irqfd_count(vm->irqfds, signals);
	vrcu_read_lock();
	t = routing_current(vm);
	if (routing_inject(vm, t, irqfd->gsi, true) > 0)
		irqfd_count(vm->irqfds, injected);
	else
		irqfd_count(vm->irqfds, dropped);
	if (irqfd->resamplefd < 0)
		routing_inject(vm, t, irqfd->gsi, false);
	vrcu_read_unlock();
}

static bool batch_has_stop(const struct epoll_event *ev, int n)
{
	for (int i = 0; i < n; i++)
		if (ev[i].data.u64 == IRQFD_STOP_COOKIE)
			return true;
	return false;
}

static void *worker_main(void *arg)
{
	struct irqfd_worker *w = arg;
	struct epoll_event ev[IRQFD_BATCH];

	for (;;) {
		int n = epoll_wait(w->epfd, ev, IRQFD_BATCH, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || batch_has_stop(ev, n))
			return NULL;
		pthread_mutex_lock(&w->lock);
		for (int i = 0; i < n; i++) {
			struct irqfd *irqfd = slot_lookup(w, ev[i].data.u64);

			if (irqfd)
				irqfd_fire(w->vm, irqfd);
		}
		pthread_mutex_unlock(&w->lock);
	}
}

static void worker_close(struct irqfd_worker *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->stopfd >= 0)
		close(w->stopfd);
	w->epfd = w->stopfd = -1;
}

/* Application signals belong to the application's threads, not ours. */
static int worker_start(struct irqfd_worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = IRQFD_STOP_COOKIE };
	sigset_t all, old;
	int ret;

	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->stopfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->stopfd, &ev)) {
		ret = errno == ENOMEM ? -ENOMEM : -EMFILE;
		worker_close(w);
		return ret;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		worker_close(w);
		return ret == -EAGAIN ? -ENOMEM : ret;
	}
	return 0;
}

static void worker_stop(struct irqfd_worker *w)
{
	efd_signal(w->stopfd);
	pthread_join(w->thread, NULL);
	worker_close(w);
}

/* irqfds->lock held. */
static int workers_start(struct irqfds *s)
{
	unsigned int i;
	int ret = 0;

	if (s->started)
		return 0;
	for (i = 0; i < IRQFD_NR_WORKERS && !ret; i++)
		ret = worker_start(&s->workers[i]);
	if (ret) {
		for (i--; i-- > 0;)
			worker_stop(&s->workers[i]);
		return ret;
	}
	s->started = true;
	return 0;
}

static struct irqfd_worker *least_loaded(struct irqfds *s)
{
	struct irqfd_worker *best = &s->workers[0];

	for (unsigned int i = 1; i < IRQFD_NR_WORKERS; i++)
		if (s->workers[i].load < best->load)
			best = &s->workers[i];
	return best;
}

/* worker->lock held.  A free slot, growing the table if none is left. */
static int slot_alloc(struct irqfd_worker *w, uint32_t *slot)
{
	struct irqfd_slot *n;
	uint32_t nr;

	for (uint32_t i = 0; i < w->nr_slots; i++) {
		if (!w->slots[i].irqfd) {
			*slot = i;
			return 0;
		}
	}
	nr = w->nr_slots ? w->nr_slots * 2 : 8;
	n = realloc(w->slots, nr * sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (uint32_t i = w->nr_slots; i < nr; i++)
		n[i] = (struct irqfd_slot){ NULL, 1 };
	*slot = w->nr_slots;
	w->slots = n;
	w->nr_slots = nr;
	return 0;
}

/* Hand @irqfd to a worker; from here on it may fire.  irqfds->lock held. */
static int worker_attach(struct irqfds *s, struct irqfd *irqfd)
{
	struct irqfd_worker *w = least_loaded(s);
	struct epoll_event ev = { .events = EPOLLIN };
	uint32_t slot;
	int ret;

	pthread_mutex_lock(&w->lock);
	ret = slot_alloc(w, &slot);
	if (!ret) {
		w->slots[slot].irqfd = irqfd;
		ev.data.u64 = cookie(slot, w->slots[slot].gen);
		/* ENOSPC (max_user_watches) is a memory limit too. */
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, irqfd->fd, &ev)) {
			ret = -ENOMEM;
			w->slots[slot].irqfd = NULL;
		}
	}
	pthread_mutex_unlock(&w->lock);
	if (ret)
		return ret;
	irqfd->w = w;
	irqfd->slot = slot;
	w->load++;
	return 0;
}

/* Once this returns no worker holds @irqfd nor will find it again. */
static void worker_detach(struct irqfd *irqfd)
{
	struct irqfd_worker *w = irqfd->w;
	struct irqfd_slot *sl;

	pthread_mutex_lock(&w->lock);
	sl = &w->slots[irqfd->slot];
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, irqfd->fd, NULL);
	sl->irqfd = NULL;
	if (++sl->gen == 0)
		sl->gen = 1;
	pthread_mutex_unlock(&w->lock);
	w->load--;
}

/* --- resampling --- */

static void irqfd_deactivated(void *opaque, uint32_t intid)
{
	struct vgic_vm *vm = opaque;
	const struct resample_set *rs;
	const struct route_table *t;
	bool lowered = false;
	int gsi;

	if (intid < GIC_NR_PRIVATE)
		return;
	vrcu_read_lock();
	t = routing_current(vm);
	gsi = routing_pin_to_gsi(t, intid - GIC_NR_PRIVATE);
	rs = vrcu_deref(vm->irqfds->resamplers);
	for (unsigned int i = 0; rs && gsi != ROUTE_NO_GSI && i < rs->nr; i++) {
		if (rs->ent[i].gsi != (uint32_t)gsi)
			continue;
		/* Lower first: a device that re-signals on the resamplefd must
		 * find the line low, or its new edge would be lost. */
		if (!lowered)
			routing_inject(vm, t, (uint32_t)gsi, false);
		lowered = true;
		efd_signal(rs->ent[i].fd);
		irqfd_count(vm->irqfds, resamples);
	}
	vrcu_read_unlock();
}

void irqfd_gic_ready(struct vgic_vm *vm)
{
	vm->gic.deactivate_opaque = vm;
	vm->gic.deactivate_notify = irqfd_deactivated;
}

/* irqfds->lock held. */
static void resample_arm(struct vgic_vm *vm)
{
	struct irqfds *s = vm->irqfds;

	if (s->resample_armed)
		return;
	for (uint32_t i = 0; i < vm->gic.nr_spis; i++) {
		struct vgic_irq *irq = &vm->gic.spis[i];

		spin_lock(&irq->lock);
		irq->notify_deactivate = true;
		spin_unlock(&irq->lock);
	}
	s->resample_armed = true;
}

typedef bool (*irqfd_pick_fn)(const struct irqfd *irqfd, const void *arg);

/*
 * The resamplers that remain once the irqfds @pick selects are gone, built
 * before anything changes so that running out of memory changes nothing.
 * irqfds->lock held.
 */
static struct resample_set *resample_build(struct irqfds *s, irqfd_pick_fn pick,
					   const void *arg)
{
	struct list_node *pos, *tmp;
	struct resample_set *rs;
	unsigned int nr = 0;

	list_for_each_safe(pos, tmp, &s->list)
		nr += container_of(pos, struct irqfd, link)->resamplefd >= 0;
	rs = calloc(1, sizeof(*rs) + nr * sizeof(rs->ent[0]));
	if (!rs)
		return NULL;
	list_for_each_safe(pos, tmp, &s->list) {
		struct irqfd *irqfd = container_of(pos, struct irqfd, link);

		if (irqfd->resamplefd >= 0 && !(pick && pick(irqfd, arg)))
			rs->ent[rs->nr++] = (struct resample_ent){ irqfd->gsi, irqfd->resamplefd };
	}
	return rs;
}

/* Publish @rs and return the set it replaces, which no deactivation hook
 * uses any more: resamplefds only it named may be closed.  irqfds->lock held. */
static struct resample_set *resample_publish(struct irqfds *s, struct resample_set *rs)
{
	struct resample_set *old = atomic_load_explicit(&s->resamplers, memory_order_relaxed);

	vrcu_assign(s->resamplers, rs);
	vrcu_synchronize();
	return old;
}

/* --- binding --- */

static void irqfd_free(struct irqfd *irqfd)
{
	close(irqfd->fd);
	if (irqfd->resamplefd >= 0)
		close(irqfd->resamplefd);
	free(irqfd);
}

/* Whether the caller's descriptor still names the eventfd it bound. */
static bool user_fd_alive(const struct irqfd *irqfd)
{
	int c = efd_cmp(irqfd->fd, irqfd->user_fd);

	if (c >= 0)
		return c == 0;
	/* No kcmp: trust an open eventfd at that number. */
	return c != -EBADF && efd_check(irqfd->user_fd) == 0;
}

/* Whether the eventfd at the caller's @fd is the one @irqfd serves. */
static bool irqfd_matches(const struct irqfd *irqfd, int fd)
{
	int c = efd_cmp(irqfd->fd, fd);

	return c >= 0 ? c == 0 : irqfd->user_fd == fd;
}

static bool resampled(const struct resample_set *rs, uint32_t gsi)
{
	for (unsigned int i = 0; i < rs->nr; i++)
		if (rs->ent[i].gsi == gsi)
			return true;
	return false;
}

/* KVM's irqfd_resampler_shutdown: the last resampler of a GSI leaves its
 * line low, since nobody would lower it any more. */
static void resample_release_line(struct irqfds *s, const struct resample_set *rs,
				  const struct irqfd *gone)
{
	if (gone->resamplefd < 0 || resampled(rs, gone->gsi))
		return;
	vrcu_read_lock();
	routing_inject(s->vm, routing_current(s->vm), gone->gsi, false);
	vrcu_read_unlock();
}

/*
 * Unbind every irqfd @pick selects: off its worker (no injection from it
 * runs past this), off the resamplers (no resample after the grace
 * period), then closed and freed.  Returns how many, or -ENOMEM with
 * nothing changed.  irqfds->lock held.
 */
static int unbind_where(struct irqfds *s, irqfd_pick_fn pick, const void *arg)
{
	struct resample_set *rs = resample_build(s, pick, arg);
	struct list_node dead, *pos, *tmp;
	bool resample = false;
	int n = 0;

	if (!rs)
		return -ENOMEM;
	list_init(&dead);
	list_for_each_safe(pos, tmp, &s->list) {
		struct irqfd *irqfd = container_of(pos, struct irqfd, link);

		if (!pick(irqfd, arg))
			continue;
		worker_detach(irqfd);
		list_del(pos);
		list_add_tail(pos, &dead);
		resample |= irqfd->resamplefd >= 0;
		n++;
	}
	/* Only resamplefds need a grace period: workers hold no irqfd now. */
	if (resample)
		free(resample_publish(s, rs));
	list_for_each_safe(pos, tmp, &dead) {
		struct irqfd *irqfd = container_of(pos, struct irqfd, link);

		resample_release_line(s, rs, irqfd);
		list_del(pos);
		irqfd_free(irqfd);
	}
	if (!resample)
		free(rs);
	return n;
}

static bool pick_closed(const struct irqfd *irqfd, const void *arg)
{
	(void)arg;
	return !user_fd_alive(irqfd);
}

static bool pick_any(const struct irqfd *irqfd, const void *arg)
{
	(void)irqfd;
	(void)arg;
	return true;
}

static bool pick_args(const struct irqfd *irqfd, const void *arg)
{
	const struct vgic_irqfd *a = arg;

	return irqfd->gsi == a->gsi && irqfd_matches(irqfd, a->fd);
}

static bool eventfd_bound(struct irqfds *s, int fd)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &s->list)
		if (irqfd_matches(container_of(pos, struct irqfd, link), fd))
			return true;
	return false;
}

static struct irqfd *irqfd_new(const struct vgic_irqfd *a)
{
	struct irqfd *irqfd = calloc(1, sizeof(*irqfd));

	if (!irqfd)
		return NULL;
	list_init(&irqfd->link);
	irqfd->gsi = a->gsi;
	irqfd->user_fd = a->fd;
	irqfd->resamplefd = -1;
	irqfd->fd = efd_dup(a->fd);
	if (irqfd->fd >= 0 && (a->flags & VGIC_IRQFD_FLAG_RESAMPLE))
		irqfd->resamplefd = efd_dup(a->resamplefd);
	if (irqfd->fd < 0 || ((a->flags & VGIC_IRQFD_FLAG_RESAMPLE) && irqfd->resamplefd < 0)) {
		if (irqfd->fd >= 0)
			close(irqfd->fd);
		free(irqfd);
		return NULL;
	}
	return irqfd;
}

/* irqfds->lock held. */
static int irqfd_bind(struct vgic_vm *vm, const struct vgic_irqfd *a)
{
	struct irqfds *s = vm->irqfds;
	struct resample_set *rs = NULL, *old = NULL;
	struct irqfd *irqfd;
	int ret;

	unbind_where(s, pick_closed, NULL);
	if (eventfd_bound(s, a->fd))
		return -EBUSY;
	ret = workers_start(s);
	if (ret)
		return ret;
	irqfd = irqfd_new(a);
	if (!irqfd)
		return errno == EMFILE ? -EMFILE : -ENOMEM;
	list_add_tail(&irqfd->link, &s->list);
	/* Resampler first, so that the first deactivation already finds it. */
	if (irqfd->resamplefd >= 0) {
		rs = resample_build(s, NULL, NULL);
		if (!rs) {
			ret = -ENOMEM;
			goto fail;
		}
		resample_arm(vm);
		old = resample_publish(s, rs);
	}
	ret = worker_attach(s, irqfd);
	if (ret) {
		if (rs)
			free(resample_publish(s, old));
		goto fail;
	}
	free(old);
	return 0;
fail:
	list_del(&irqfd->link);
	irqfd_free(irqfd);
	return ret;
}

static int check_fds(const struct vgic_irqfd *a)
{
	int ret = efd_check(a->fd);

	if (!ret && (a->flags & VGIC_IRQFD_FLAG_RESAMPLE))
		ret = efd_check(a->resamplefd);
	return ret;
}

int vgic_irqfd(struct vgic_vm *vm, const struct vgic_irqfd *args)
{
	struct irqfds *s;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!args || (args->flags & ~(VGIC_IRQFD_FLAG_DEASSIGN | VGIC_IRQFD_FLAG_RESAMPLE)))
		return -EINVAL;
	if (!vm_has_gic(vm))
		return -EINVAL;
	if (!vm_ready(vm))
		return -EAGAIN;
	s = vm->irqfds;
	if (args->flags & VGIC_IRQFD_FLAG_DEASSIGN) {
		ret = efd_check(args->fd);
		if (ret)
			return ret;
		pthread_mutex_lock(&s->lock);
		unbind_where(s, pick_args, args);
		unbind_where(s, pick_closed, NULL);
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	ret = check_fds(args);
	if (ret)
		return ret;
	pthread_mutex_lock(&s->lock);
	ret = irqfd_bind(vm, args);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int vgic_irqfd_reap(struct vgic_vm *vm)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	pthread_mutex_lock(&vm->irqfds->lock);
	ret = unbind_where(vm->irqfds, pick_closed, NULL);
	pthread_mutex_unlock(&vm->irqfds->lock);
	return ret;
}

int vgic_irqfd_get_stats(struct vgic_vm *vm, struct vgic_irqfd_stats *st)
{
	struct irqfds *s;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	s = vm->irqfds;
	*st = (struct vgic_irqfd_stats){
		.signals = atomic_load_explicit(&s->signals, memory_order_relaxed),
		.injected = atomic_load_explicit(&s->injected, memory_order_relaxed),
		.dropped = atomic_load_explicit(&s->dropped, memory_order_relaxed),
		.resamples = atomic_load_explicit(&s->resamples, memory_order_relaxed),
	};
	return 0;
}

/* --- lifecycle --- */

int irqfd_vm_create(struct vgic_vm *vm)
{
	struct irqfds *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	list_init(&s->list);
	atomic_init(&s->resamplers, NULL);
	atomic_init(&s->signals, 0);
	atomic_init(&s->injected, 0);
	atomic_init(&s->dropped, 0);
	atomic_init(&s->resamples, 0);
	for (unsigned int i = 0; i < IRQFD_NR_WORKERS; i++) {
		struct irqfd_worker *w = &s->workers[i];

		w->vm = vm;
		w->epfd = w->stopfd = -1;
		pthread_mutex_init(&w->lock, NULL);
	}
	s->vm = vm;
	vm->irqfds = s;
	return 0;
}

void irqfd_vm_destroy(struct vgic_vm *vm)
{
	struct irqfds *s = vm->irqfds;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (unsigned int i = 0; s->started && i < IRQFD_NR_WORKERS; i++)
		worker_stop(&s->workers[i]);
	s->started = false;
	unbind_where(s, pick_any, NULL);
	pthread_mutex_unlock(&s->lock);
	for (unsigned int i = 0; i < IRQFD_NR_WORKERS; i++) {
		free(s->workers[i].slots);
		pthread_mutex_destroy(&s->workers[i].lock);
	}
	free(atomic_load_explicit(&s->resamplers, memory_order_relaxed));
	pthread_mutex_destroy(&s->lock);
	free(s);
	vm->irqfds = NULL;
}
