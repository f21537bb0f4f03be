/* SPDX-License-Identifier: MIT */
/*
 * PL011 UART: transmit goes to stdout at once (the FIFO never fills), receive
 * comes from stdin through a reader thread into a 16-byte FIFO.  The
 * interrupt (SPI 1) is level-sensitive: (RIS & IMSC) != 0.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define UART_DR		0x000
#define UART_RSR	0x004
#define UART_FR		0x018
#define UART_IBRD	0x024
#define UART_FBRD	0x028
#define UART_LCR_H	0x02c
#define UART_CR		0x030
#define UART_IFLS	0x034
#define UART_IMSC	0x038
#define UART_RIS	0x03c
#define UART_MIS	0x040
#define UART_ICR	0x044
#define UART_DMACR	0x048
#define UART_ID_BASE	0xfe0

#define FR_RXFE		BIT(4)
#define FR_TXFF		BIT(5)
#define FR_RXFF		BIT(6)
#define FR_TXFE		BIT(7)
#define INT_RX		BIT(4)
#define INT_TX		BIT(5)
#define INT_ALL		GENMASK(10, 0)

#define RX_FIFO		16
#define RX_POLL_MS	100

/* PeriphID0..3, PCellID0..3 of an ARM PL011 r1p5. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	struct vmm *vmm;
	pthread_mutex_t lock;		/* RX FIFO and interrupt state */
	uint8_t rx[RX_FIFO];
	unsigned int rx_head, rx_count;
	uint32_t ris, imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr;
	bool level;
	unsigned int prompt_at;		/* bytes of VMM_MIGRATE_PROMPT matched */
	bool line_start;		/* the prompt counts only at a line's start */
	pthread_t reader;
	bool has_reader;
	atomic_bool quit;
};

/* Called with u->lock held. */
static void pl011_update(struct pl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level == u->level)
		return;
	u->level = level;
	vgic_irq_line(u->vmm->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0,
						     VIRT_SPI_INTID(VIRT_UART_SPI)), level);
}

/* Called with u->lock held. */
static void rx_push(struct pl011 *u, uint8_t c)
{
	if (u->rx_count == RX_FIFO)
		return;
	u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = c;
	u->rx_count++;
	u->ris |= INT_RX;
	pl011_update(u);
}

static uint64_t rx_pop(struct pl011 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	if (!--u->rx_count)
		u->ris &= ~INT_RX;
	return c;
}

static uint64_t reg_read(struct pl011 *u, uint64_t off)
{
	if (off >= UART_ID_BASE && off < UART_ID_BASE + sizeof(pl011_id) * 4)
		return pl011_id[(off - UART_ID_BASE) / 4];
	switch (off) {
	case UART_DR:	return rx_pop(u);
	case UART_FR:
		return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count == RX_FIFO ? FR_RXFF : 0);
	case UART_IBRD:	return u->ibrd;
	case UART_FBRD:	return u->fbrd;
	case UART_LCR_H: return u->lcr_h;
	case UART_CR:	return u->cr;
	case UART_IFLS:	return u->ifls;
	case UART_IMSC:	return u->imsc;
	case UART_RIS:	return u->ris;
	case UART_MIS:	return u->ris & u->imsc;
	case UART_DMACR: return u->dmacr;
	default:	return 0;
	}
}

/* Watch the output for the migrate prompt; stop the vCPU right after it. */
static void prompt_watch(struct pl011 *u, struct vcpu *v, char c)
{
	static const char prompt[] = VMM_MIGRATE_PROMPT;

	if (u->prompt_at < sizeof(prompt) - 1 && c == prompt[u->prompt_at] &&
	    (u->prompt_at || u->line_start))
		u->prompt_at++;
	else
		u->prompt_at = 0;
	u->line_start = c == '\n';
	if (u->prompt_at == sizeof(prompt) - 1) {
		u->prompt_at = 0;
		fflush(stdout);
		atomic_store(&u->vmm->prompt_seen, true);
		if (v)
			vcpu_request_stop(v);
	}
}

static void reg_write(struct pl011 *u, struct vcpu *v, uint64_t off, uint32_t val)
{
	switch (off) {
	case UART_DR:
		fputc((int)(val & 0xff), stdout);
		if ((val & 0xff) == '\n')
			fflush(stdout);
		prompt_watch(u, v, (char)(val & 0xff));
		/* The byte left at once: the TX FIFO is below its level again. */
		u->ris |= INT_TX;
		break;
	case UART_IBRD:	u->ibrd = val; break;
	case UART_FBRD:	u->fbrd = val; break;
	case UART_LCR_H: u->lcr_h = val; break;
	case UART_CR:	u->cr = val; break;
	case UART_IFLS:	u->ifls = val; break;
	case UART_IMSC:	u->imsc = val & INT_ALL; break;
	case UART_ICR:	u->ris &= ~val; break;
	case UART_DMACR: u->dmacr = val; break;
	default:	break;
	}
}

static uint64_t pl011_read(void *opaque, struct vcpu *v, uint64_t off, unsigned int len)
{
	struct pl011 *u = opaque;
	uint64_t val;

	(void)v, (void)len;
	pthread_mutex_lock(&u->lock);
	val = reg_read(u, off);
	pl011_update(u);
	pthread_mutex_unlock(&u->lock);
	return val;
}

static void pl011_write(void *opaque, struct vcpu *v, uint64_t off, unsigned int len, uint64_t val)
{
	struct pl011 *u = opaque;

	(void)len;
	pthread_mutex_lock(&u->lock);
	reg_write(u, v, off, (uint32_t)val);
	pl011_update(u);
	pthread_mutex_unlock(&u->lock);
}

/* Feed stdin into the RX FIFO; bytes that find it full wait in the pipe. */
static void *pl011_reader(void *opaque)
{
	struct pl011 *u = opaque;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	while (!atomic_load(&u->quit)) {
		uint8_t c;
		bool room;

		pthread_mutex_lock(&u->lock);
		room = u->rx_count < RX_FIFO;
		pthread_mutex_unlock(&u->lock);
		if (!room || poll(&pfd, 1, RX_POLL_MS) <= 0) {
			if (!room)
				usleep(RX_POLL_MS * 1000 / 10);
			continue;
		}
		if (read(STDIN_FILENO, &c, 1) != 1)
			break;		/* EOF or error: no more input */
		pthread_mutex_lock(&u->lock);
		rx_push(u, c);
		pthread_mutex_unlock(&u->lock);
	}
	return NULL;
}

void pl011_get_state(struct vmm *vmm, struct pl011_state *st)
{
	struct pl011 *u = vmm->uart;

	pthread_mutex_lock(&u->lock);
	*st = (struct pl011_state){ .rx_head = u->rx_head, .rx_count = u->rx_count,
		.ris = u->ris, .imsc = u->imsc, .cr = u->cr, .lcr_h = u->lcr_h, .ibrd = u->ibrd,
		.fbrd = u->fbrd, .ifls = u->ifls, .dmacr = u->dmacr, .level = u->level };
	memcpy(st->rx, u->rx, sizeof(st->rx));
	pthread_mutex_unlock(&u->lock);
}

void pl011_set_state(struct vmm *vmm, const struct pl011_state *st)
{
	struct pl011 *u = vmm->uart;

	pthread_mutex_lock(&u->lock);
	memcpy(u->rx, st->rx, sizeof(u->rx));
	u->rx_head = st->rx_head % RX_FIFO;
	u->rx_count = MIN(st->rx_count, (uint32_t)RX_FIFO);
	u->ris = st->ris & INT_ALL;
	u->imsc = st->imsc & INT_ALL;
	u->cr = st->cr;
	u->lcr_h = st->lcr_h;
	u->ibrd = st->ibrd;
	u->fbrd = st->fbrd;
	u->ifls = st->ifls;
	u->dmacr = st->dmacr;
	u->level = st->level;
	pl011_update(u);
	pthread_mutex_unlock(&u->lock);
}

void pl011_type(struct vmm *vmm, uint8_t c)
{
	struct pl011 *u = vmm->uart;

	pthread_mutex_lock(&u->lock);
	rx_push(u, c);
	pthread_mutex_unlock(&u->lock);
}

int pl011_create(struct vmm *vmm, struct mmio_dev *dev)
{
	struct pl011 *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->vmm = vmm;
	u->line_start = true;
	pthread_mutex_init(&u->lock, NULL);
	vmm->uart = u;
	u->has_reader = !pthread_create(&u->reader, NULL, pl011_reader, u);
	*dev = (struct mmio_dev){ .base = VIRT_UART, .size = VIRT_UART_SIZE, .opaque = u,
				  .read = pl011_read, .write = pl011_write };
	return 0;
}

void pl011_stop_input(struct vmm *vmm)
{
	struct pl011 *u = vmm->uart;

	if (!u || !u->has_reader)
		return;
	atomic_store(&u->quit, true);
	pthread_join(u->reader, NULL);
	u->has_reader = false;
}

void pl011_destroy(struct vmm *vmm)
{
	struct pl011 *u = vmm->uart;

	if (!u)
		return;
	pl011_stop_input(vmm);
	fflush(stdout);
	pthread_mutex_destroy(&u->lock);
	free(u);
	vmm->uart = NULL;
}
