/* SPDX-License-Identifier: MIT */
/*
 * The command queue: one handler per command, all with one signature, in a
 * table indexed by opcode.
 *
 * Each handler returns one of three results.  The architecture lets an ITS
 * that meets a command error either stall (CREADR.Stalled) or ignore the
 * command and go on (IHI 0069, "ITS command error encodings"); like KVM we ignore bad
 * commands, with no effect, and count them, so a guest cannot wedge its queue
 * with one wrong command.  We stall only when the queue itself cannot be read
 * (CBASER outside guest RAM): there is no command to skip then, and going on
 * would spin through unreadable memory.  The guest restarts it with
 * CWRITER.Retry, or by disabling the ITS and rewriting CBASER.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "its/its.h"

enum cmd_result {
	CMD_STALL,		/* stop; CREADR stays on this command, Stalled set */
	CMD_CONTINUE,		/* command error: no effect, counted, next command */
	CMD_CONTINUE_OK,	/* done, next command */
};

typedef enum cmd_result (*cmd_fn)(struct vgic_its *its, const uint64_t *cmd);

static uint32_t cmd_devid(const uint64_t *cmd)
{
	return (uint32_t)FIELD_GET(CMD_0, DEVICEID, cmd[0]);
}

static uint32_t cmd_eventid(const uint64_t *cmd)
{
	return (uint32_t)FIELD_GET(CMD_1, EVENTID, cmd[1]);
}

static uint16_t cmd_icid(const uint64_t *cmd)
{
	return (uint16_t)FIELD_GET(CMD_2, ICID, cmd[2]);
}

/*
 * Before a command moves, clears or unmaps LPIs: shut the LPI pending bitmaps
 * (gic/lpi_pend.c) for the rest of this queue run, so that no MSI still in
 * flight lands a bit at a target or mapping the command is changing.
 */
static void quiesce(struct vgic_its *its)
{
	if (!its->quiesced) {
		gic_lpi_quiesce(its->gic);
		its->quiesced = true;
	}
}

static bool procnum_ok(struct vgic_its *its, uint64_t rd)
{
	return rd < its->gic->nr_vcpus;
}

/*
 * MAPD: map a DeviceID to an ITT of 2^(Size+1) events, or unmap it (V=0).
 * Mapping a mapped device first unmaps it, which is how KVM honours "MAPD
 * invalidates cached data for the device".  Unmapping an unmapped device is
 * not an error (the spec is silent; KVM's choice).  We also require the ITT
 * to lie in guest RAM, where a real ITS would write its entries; KVM does not
 * check this until it saves the tables.
 */
static enum cmd_result cmd_mapd(struct vgic_its *its, const uint64_t *cmd)
{
	uint32_t devid = cmd_devid(cmd);
	unsigned int bits = (unsigned int)FIELD_GET(MAPD_1, SIZE, cmd[1]) + 1;
	uint64_t itt = FIELD_GET(MAPD_2, ITT_ADDR, cmd[2]) << MAPD_2_ITT_ADDR_SHIFT;
	bool valid = FIELD_GET(MAPD_2, VALID, cmd[2]);
	struct its_device *dev;

	if (!its_table_id_ok(its, 0, devid))
		return CMD_CONTINUE;		/* MAPD_DEVICE_OOR */
	if (valid && bits > ITS_EVENTBITS)
		return CMD_CONTINUE;		/* MAPD_ITTSIZE_OOR */
	if (valid && !gmem_ptr(its->mem, itt, (size_t)ITS_ENTRY_SIZE << bits)) {
		its_count(its, table_errors);
		return CMD_CONTINUE;
	}
	dev = its_find_device(its, devid);
	if (dev) {
		if (!list_empty(&dev->events))
			quiesce(its);
		its_device_free(its, dev);
	}
	if (!valid)
		return CMD_CONTINUE_OK;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return CMD_CONTINUE;
	dev->id = devid;
	dev->itt_addr = itt;
	dev->event_bits = (uint8_t)bits;
	list_init(&dev->events);
	if (hmap_insert(&its->devices, &dev->node, devid)) {
		free(dev);
		return CMD_CONTINUE;
	}
	return CMD_CONTINUE_OK;
}

/*
 * MAPC: map a collection to a redistributor (a vCPU number, PTA = 0), or
 * unmap it.  Events keep their ICID: they stop being delivered while the
 * collection is unmapped and follow it when it is mapped again.
 */
static enum cmd_result cmd_mapc(struct vgic_its *its, const uint64_t *cmd)
{
	uint16_t icid = cmd_icid(cmd);
	uint64_t rd = FIELD_GET(MAPC_2, RDBASE, cmd[2]);
	struct its_collection *c = its_find_collection(its, icid);

	if (!procnum_ok(its, rd))
		return CMD_CONTINUE;		/* MAPC_PROCNUM_OOR (checked for V=0 too, as KVM) */
	if (!FIELD_GET(MAPC_2, VALID, cmd[2])) {
		if (c) {
			its_cache_forget_all(its);	/* its events stop translating */
			hmap_remove(&its->collections, &c->node);
			free(c);
		}
		return CMD_CONTINUE_OK;
	}
	if (c && c->target == rd)
		return CMD_CONTINUE_OK;		/* nothing moves: skip the walk over all events */
	if (c) {
		its_cache_forget_all(its);
	} else {
		if (!its_table_id_ok(its, 1, icid))
			return CMD_CONTINUE;	/* MAPC_COLLECTION_OOR */
		c = calloc(1, sizeof(*c));
		if (!c || hmap_insert(&its->collections, &c->node, icid)) {
			free(c);
			return CMD_CONTINUE;
		}
	}
	c->target = (uint32_t)rd;
	quiesce(its);
	its_collection_retarget(its, icid, &its->gic->cpus[rd]);
	return CMD_CONTINUE_OK;
}

/*
 * MAPTI / MAPI: map an event to an LPI and a collection.  Remapping a mapped
 * event is UNPREDICTABLE; like KVM we keep the old mapping, and count it.
 */
static enum cmd_result map_event(struct vgic_its *its, const uint64_t *cmd, uint32_t pintid)
{
	uint32_t devid = cmd_devid(cmd), eventid = cmd_eventid(cmd);
	uint16_t icid = cmd_icid(cmd);
	struct its_device *dev = its_find_device(its, devid);
	struct gic_cpu *target;
	struct its_event *ev;
	int err;

	if (!dev)
		return CMD_CONTINUE;		/* MAPTI_UNMAPPED_DEVICE */
	if (eventid >= (1u << dev->event_bits))
		return CMD_CONTINUE;		/* MAPTI_ID_OOR */
	target = its_collection_cpu(its, icid);
	if (pintid < GIC_LPI_BASE || pintid >= gic_lpi_limit(its->gic, target))
		return CMD_CONTINUE;		/* MAPTI_PHYSICALID_OOR */
	if (its_find_event(its, devid, eventid))
		return CMD_CONTINUE;
	if (!target && !its_table_id_ok(its, 1, icid))
		return CMD_CONTINUE;		/* MAPTI_COLLECTION_OOR */
	if (its->events.nr >= ITS_MAX_EVENTS)
		return CMD_CONTINUE;		/* our bound on host memory */
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return CMD_CONTINUE;
	ev->irq = gic_lpi_create(its->gic, pintid, target, &err);
	if (!ev->irq || hmap_insert(&its->events, &ev->node, ITS_EVENT_KEY(devid, eventid))) {
		if (err == -EFAULT)
			its_count(its, table_errors);
		if (ev->irq)
			gic_lpi_put(its->gic, ev->irq);
		free(ev);
		return CMD_CONTINUE;
	}
	ev->dev = dev;
	ev->eventid = eventid;
	ev->icid = icid;
	list_add_tail(&ev->dev_link, &dev->events);
	return CMD_CONTINUE_OK;
}

static enum cmd_result cmd_mapti(struct vgic_its *its, const uint64_t *cmd)
{
	return map_event(its, cmd, (uint32_t)FIELD_GET(MAPTI_1, PINTID, cmd[1]));
}

static enum cmd_result cmd_mapi(struct vgic_its *its, const uint64_t *cmd)
{
	return map_event(its, cmd, cmd_eventid(cmd));
}

/* The event of @cmd if it is mapped and its collection too (KVM's checks). */
static struct its_event *mapped_event(struct vgic_its *its, const uint64_t *cmd)
{
	struct its_event *ev = its_find_event(its, cmd_devid(cmd), cmd_eventid(cmd));

	return ev && its_collection_cpu(its, ev->icid) ? ev : NULL;
}

/* MOVI: move an event to another collection; a pending LPI moves along. */
static enum cmd_result cmd_movi(struct vgic_its *its, const uint64_t *cmd)
{
	struct its_event *ev = mapped_event(its, cmd);
	struct gic_cpu *cpu = its_collection_cpu(its, cmd_icid(cmd));

	if (!ev || !cpu)
		return CMD_CONTINUE;		/* MOVI_UNMAPPED_INTERRUPT / _COLLECTION */
	quiesce(its);
	its_cache_forget(its, ev->dev->id, ev->eventid);
	ev->icid = cmd_icid(cmd);
	gic_lpi_set_target(its->gic, ev->irq, cpu);
	return CMD_CONTINUE_OK;
}

static enum cmd_result cmd_discard(struct vgic_its *its, const uint64_t *cmd)
{
	struct its_event *ev = mapped_event(its, cmd);

	if (!ev)
		return CMD_CONTINUE;		/* DISCARD_UNMAPPED_INTERRUPT */
	quiesce(its);
	its_event_free(its, ev);
	return CMD_CONTINUE_OK;
}

static enum cmd_result cmd_clear(struct vgic_its *its, const uint64_t *cmd)
{
	struct its_event *ev = its_find_event(its, cmd_devid(cmd), cmd_eventid(cmd));

	if (!ev)
		return CMD_CONTINUE;		/* CLEAR_UNMAPPED_INTERRUPT */
	quiesce(its);
	gic_lpi_clear(its->gic, ev->irq);
	return CMD_CONTINUE_OK;
}

static enum cmd_result cmd_inv(struct vgic_its *its, const uint64_t *cmd)
{
	struct its_event *ev = its_find_event(its, cmd_devid(cmd), cmd_eventid(cmd));

	if (!ev)
		return CMD_CONTINUE;		/* INV_UNMAPPED_INTERRUPT */
	gic_lpi_sync_config(its->gic, ev->irq);
	return CMD_CONTINUE_OK;
}

/* Apply @fn to every LPI of the VM aimed at @cpu (INVALL, MOVALL act VM-wide, as KVM). */
static void for_each_lpi_of(struct vgic_its *its, struct gic_cpu *cpu,
			    void (*fn)(struct gic *gic, struct vgic_irq *irq, void *arg), void *arg)
{
	uint32_t *ids;
	int n = gic_lpi_list(its->gic, cpu, &ids);

	its->work += n > 0 ? (uint64_t)n : 0;
	for (int i = 0; i < n; i++) {
		struct vgic_irq *irq = gic_lpi_get(its->gic, ids[i]);

		if (irq) {
			fn(its->gic, irq, arg);
			gic_lpi_put(its->gic, irq);
		}
	}
	free(ids);
}

static void sync_config(struct gic *gic, struct vgic_irq *irq, void *arg)
{
	(void)arg;
	gic_lpi_sync_config(gic, irq);
}

static enum cmd_result cmd_invall(struct vgic_its *its, const uint64_t *cmd)
{
	struct gic_cpu *cpu = its_collection_cpu(its, cmd_icid(cmd));

	if (!cpu)
		return CMD_CONTINUE;		/* INVALL_UNMAPPED_COLLECTION */
	for_each_lpi_of(its, cpu, sync_config, NULL);
	return CMD_CONTINUE_OK;
}

static void move_to(struct gic *gic, struct vgic_irq *irq, void *arg)
{
	gic_lpi_set_target(gic, irq, arg);
}

/* MOVALL: every LPI aimed at RDbase1 now goes to RDbase2. */
static enum cmd_result cmd_movall(struct vgic_its *its, const uint64_t *cmd)
{
	uint64_t rd1 = FIELD_GET(MOVALL_2, RDBASE1, cmd[2]);
	uint64_t rd2 = FIELD_GET(MOVALL_3, RDBASE2, cmd[3]);

	if (!procnum_ok(its, rd1) || !procnum_ok(its, rd2))
		return CMD_CONTINUE;		/* MOVALL_PROCNUM_OOR */
	if (rd1 == rd2)
		return CMD_CONTINUE_OK;
	quiesce(its);
	its_cache_forget_all(its);
	for_each_lpi_of(its, &its->gic->cpus[rd1], move_to, &its->gic->cpus[rd2]);
	return CMD_CONTINUE_OK;
}

/* INT: as if the device had written EventID to GITS_TRANSLATER. */
static enum cmd_result cmd_int(struct vgic_its *its, const uint64_t *cmd)
{
	return its_translate(its, cmd_devid(cmd), cmd_eventid(cmd), true) > 0 ? CMD_CONTINUE_OK
									      : CMD_CONTINUE;
}

/* SYNC: effects are immediate here, so there is nothing to wait for. */
static enum cmd_result cmd_sync(struct vgic_its *its, const uint64_t *cmd)
{
	(void)its, (void)cmd;
	return CMD_CONTINUE_OK;
}

static const cmd_fn cmd_table[] = {
	[ITS_CMD_MOVI] = cmd_movi,
	[ITS_CMD_INT] = cmd_int,
	[ITS_CMD_CLEAR] = cmd_clear,
	[ITS_CMD_SYNC] = cmd_sync,
	[ITS_CMD_MAPD] = cmd_mapd,
	[ITS_CMD_MAPC] = cmd_mapc,
	[ITS_CMD_MAPTI] = cmd_mapti,
	[ITS_CMD_MAPI] = cmd_mapi,
	[ITS_CMD_INV] = cmd_inv,
	[ITS_CMD_INVALL] = cmd_invall,
	[ITS_CMD_MOVALL] = cmd_movall,
	[ITS_CMD_DISCARD] = cmd_discard,
};

/* Unknown opcodes, and the GICv4 ones this ITS does not have, are skipped. */
static enum cmd_result handle(struct vgic_its *its, const uint64_t *cmd)
{
	uint64_t op = FIELD_GET(CMD_0, OPCODE, cmd[0]);

	if (op >= ARRAY_SIZE(cmd_table) || !cmd_table[op]) {
		its_count(its, cmd_unknown);
		return CMD_CONTINUE;
	}
	return cmd_table[op](its, cmd);
}

static enum cmd_result read_cmd(struct vgic_its *its, uint64_t *cmd)
{
	uint64_t base = FIELD_GET(GITS_CBASER, PA, its->cbaser) << GITS_CBASER_PA_SHIFT;

	if (gmem_read(its->mem, base + its->creadr, cmd, ITS_CMD_SIZE)) {
		its_count(its, table_errors);
		return CMD_STALL;
	}
	for (int i = 0; i < ITS_CMD_SIZE / 8; i++)
		cmd[i] = le64toh(cmd[i]);
	return CMD_CONTINUE_OK;
}

/*
 * CREADR and CWRITER are both below the queue size, so this loop runs at
 * most one queue's worth of commands per call; the work budget bounds it
 * further, since one command may touch every mapped event.  Stopping early
 * is the architecture's asynchronous ITS: software waits for CREADR.
 */
static void run_queue(struct vgic_its *its)
{
	uint64_t qsize = (FIELD_GET(GITS_CBASER, SIZE, its->cbaser) + 1) * ITS_QUEUE_PAGE;

	its->work = 0;
	for (uint64_t n = 0; its->creadr != its->cwriter && n < qsize / ITS_CMD_SIZE &&
			     its->work < ITS_WORK_BUDGET; n++, its->work++) {
		uint64_t cmd[ITS_CMD_SIZE / 8];
		enum cmd_result r = read_cmd(its, cmd);

		if (r == CMD_CONTINUE_OK) {
			its_count(its, cmds);
			r = handle(its, cmd);
		}
		if (r == CMD_STALL) {
			its_count(its, cmd_stalls);
			its->stalled = true;
			return;
		}
		if (r == CMD_CONTINUE)
			its_count(its, cmd_errors);
		its->creadr = (its->creadr + ITS_CMD_SIZE) % qsize;
	}
}

void its_process_queue(struct vgic_its *its)
{
	if (!atomic_load(&its->enabled) || its->stalled)
		return;
	run_queue(its);
	if (its->quiesced) {
		its->quiesced = false;
		gic_lpi_resume(its->gic);
	}
}

static void free_device_node(struct hnode *n, void *opaque)
{
	its_device_free(opaque, container_of(n, struct its_device, node));
}

static void its_free_devices(struct vgic_its *its)
{
	hmap_for_each(&its->devices, free_device_node, its);
}

static void free_collection_node(struct hnode *n, void *opaque)
{
	struct vgic_its *its = opaque;

	hmap_remove(&its->collections, n);
	free(container_of(n, struct its_collection, node));
}

static void its_free_collections(struct vgic_its *its)
{
	its_cache_forget_all(its);
	hmap_for_each(&its->collections, free_collection_node, its);
}

void its_free_mappings(struct vgic_its *its, bool devices, bool collections)
{
	if (its->gic)
		gic_lpi_quiesce(its->gic);
	if (devices)
		its_free_devices(its);
	if (collections)
		its_free_collections(its);
	if (its->gic)
		gic_lpi_resume(its->gic);
}
