/* SPDX-License-Identifier: MIT */
/*
 * ITS register map, command encodings and table-entry formats (GIC
 * architecture spec, IHI 0069, chapters 5 and 12), each field declared once
 * with FIELD(); command fields carry their 64-bit word index in the name.
 */
#ifndef VGIC_ITS_REGS_H
#define VGIC_ITS_REGS_H

#include <vgic/its.h>

#include "common/bits.h"
#include "gic/baser.h"

/* ---- Control frame (first 64 KiB) ---- */
#define GITS_CTLR		0x0000
#define GITS_IIDR		0x0004
#define GITS_TYPER		0x0008
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_BASER		0x0100		/* eight 64-bit registers */
#define GITS_NR_BASER		8
#define GITS_IDREGS		0xffd0
#define GITS_PIDR4		0xffd0
#define GITS_PIDR0		0xffe0
#define GITS_PIDR1		0xffe4
#define GITS_PIDR2		0xffe8
#define GITS_CIDR0		0xfff0
#define GITS_CIDR1		0xfff4
#define GITS_CIDR2		0xfff8
#define GITS_CIDR3		0xfffc
/* ---- Translation frame (second 64 KiB) ---- */
#define GITS_TRANSLATER		VGIC_ITS_TRANSLATER

FIELD(GITS_CTLR, ENABLED, 0, 1);
FIELD(GITS_CTLR, QUIESCENT, 31, 1);

FIELD(GITS_TYPER, PHYSICAL, 0, 1);
FIELD(GITS_TYPER, ITT_ENTRY_SIZE, 4, 4);
FIELD(GITS_TYPER, IDBITS, 8, 5);
FIELD(GITS_TYPER, DEVBITS, 13, 5);
FIELD(GITS_TYPER, SEIS, 18, 1);
FIELD(GITS_TYPER, PTA, 19, 1);
FIELD(GITS_TYPER, HCC, 24, 8);
FIELD(GITS_TYPER, CIDBITS, 32, 4);
FIELD(GITS_TYPER, CIL, 36, 1);

FIELD(GITS_CBASER, SIZE, 0, 8);		/* 4 KiB pages, minus one */
FIELD(GITS_CBASER, SHAREABILITY, 10, 2);
FIELD(GITS_CBASER, PA, 12, 40);
FIELD(GITS_CBASER, PA_64K_RES0, 12, 4);	/* KVM keeps the queue 64 KiB aligned */
FIELD(GITS_CBASER, OUTER_CACHE, 53, 3);
FIELD(GITS_CBASER, INNER_CACHE, 59, 3);
FIELD(GITS_CBASER, VALID, 63, 1);

FIELD(GITS_CWRITER, RETRY, 0, 1);
FIELD(GITS_CWRITER, OFFSET, 5, 15);
FIELD(GITS_CREADR, STALLED, 0, 1);
FIELD(GITS_CREADR, OFFSET, 5, 15);

FIELD(GITS_BASER, SIZE, 0, 8);		/* pages, minus one */
FIELD(GITS_BASER, PAGE_SIZE, 8, 2);
FIELD(GITS_BASER, SHAREABILITY, 10, 2);
FIELD(GITS_BASER, PA, 12, 36);		/* PA[47:12] */
FIELD(GITS_BASER, PA_HI, 12, 4);		/* 64 KiB pages: PA[51:48] */
FIELD(GITS_BASER, ENTRY_SIZE, 48, 5);	/* bytes, minus one */
FIELD(GITS_BASER, OUTER_CACHE, 53, 3);
FIELD(GITS_BASER, TYPE, 56, 3);
FIELD(GITS_BASER, INNER_CACHE, 59, 3);
FIELD(GITS_BASER, INDIRECT, 62, 1);
FIELD(GITS_BASER, VALID, 63, 1);

#define GITS_BASER_TYPE_NONE		0
#define GITS_BASER_TYPE_DEVICE		1
#define GITS_BASER_TYPE_COLLECTION	4
#define GITS_BASER_PAGE_4K		0
#define GITS_BASER_PAGE_16K		1
#define GITS_BASER_PAGE_64K		2

/* Level-1 entry of a two-level table: Valid and the level-2 page address. */
FIELD(ITS_L1E, PA, 12, 40);
FIELD(ITS_L1E, VALID, 63, 1);


/* What KVM implements: 16 DeviceID and EventID bits, 8-byte entries (ABI 0). */
#define ITS_DEVBITS		16
#define ITS_EVENTBITS		16
#define ITS_CID_BITS		16	/* CIL = 0: 16-bit collection IDs */
#define ITS_ENTRY_SIZE		8
#define ITS_ABI_REV		0
#define ITS_CMD_SIZE		32
#define ITS_QUEUE_PAGE		0x1000

/* ---- Commands: 32 bytes, four 64-bit words; fields named WORD_NAME ---- */
enum its_opcode {
	ITS_CMD_MOVI = 0x01,
	ITS_CMD_INT = 0x03,
	ITS_CMD_CLEAR = 0x04,
	ITS_CMD_SYNC = 0x05,
	ITS_CMD_MAPD = 0x08,
	ITS_CMD_MAPC = 0x09,
	ITS_CMD_MAPTI = 0x0a,
	ITS_CMD_MAPI = 0x0b,
	ITS_CMD_INV = 0x0c,
	ITS_CMD_INVALL = 0x0d,
	ITS_CMD_MOVALL = 0x0e,
	ITS_CMD_DISCARD = 0x0f,
};

/*
 *        63            32 31           8 7      0
 * word 0 [   DeviceID    |      RES0     | opcode ]
 * word 1 [ pINTID (MAPTI)|      EventID           ]   MAPD: Size [4:0]
 * word 2 [V|RES0|ITT_addr[51:8] (MAPD) | RDbase [47:16] (MAPC) | ICID [15:0]]
 * word 3 [           RDbase2 [47:16] (MOVALL)     ]
 */
FIELD(CMD_0, OPCODE, 0, 8);
FIELD(CMD_0, DEVICEID, 32, 32);
FIELD(CMD_1, EVENTID, 0, 32);
FIELD(MAPTI_1, PINTID, 32, 32);
FIELD(MAPD_1, SIZE, 0, 5);
FIELD(MAPD_2, ITT_ADDR, 8, 44);
FIELD(MAPD_2, VALID, 63, 1);
FIELD(CMD_2, ICID, 0, 16);
FIELD(MAPC_2, RDBASE, 16, 32);	/* PTA = 0: a processor number */
FIELD(MAPC_2, VALID, 63, 1);
FIELD(MOVALL_2, RDBASE1, 16, 32);
FIELD(MOVALL_3, RDBASE2, 16, 32);

/*
 * Table entries of KVM's save/restore ABI revision 0 (8 bytes each), the
 * format GITS_BASER<n>.Entry_Size and GITS_TYPER.ITT_entry_size announce:
 *
 *  DTE  63  62        49 48              5 4      0
 *      [V | next DevID  |  ITT_addr[52:8]  | Size   ]
 *  ITE  63        48 47           16 15          0
 *      [ next EvID  |    pINTID     |    ICID     ]
 *  CTE  63  62  52 51            16 15           0
 *      [V | RES0   |   RDbase      |    ICID     ]
 */
FIELD(DTE, SIZE, 0, 5);
FIELD(DTE, ITT_ADDR, 5, 44);
FIELD(DTE, NEXT, 49, 14);
FIELD(DTE, VALID, 63, 1);
FIELD(ITE, ICID, 0, 16);
FIELD(ITE, PINTID, 16, 32);
FIELD(ITE, NEXT, 48, 16);
FIELD(CTE, ICID, 0, 16);
FIELD(CTE, RDBASE, 16, 36);
FIELD(CTE, VALID, 63, 1);

#endif
