/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI configuration space: register offsets, bits and the two access
 * encodings (CAM ports 0xcf8/0xcfc and PCIe ECAM), named as in PCI Local Bus
 * 3.0 (chapter 6), the PCI-to-PCI Bridge Architecture 1.2 and PCI Express
 * Base 5.0 (section 7.2.2 ECAM, 7.5.1 headers).
 *
 * Architecture-only: drivers/ includes this, vmm/ never does (it sees
 * devices through drivers/pci.h). Constants and static inline encoders only.
 *
 * Every field is given both as a byte offset (PCI_*) and, for the fields
 * longbus reads, as a mask inside the aligned dword that holds it
 * (PCI_*_DW_*): config space is only ever accessed 32 bits at a time, see
 * drivers/pci.h.
 */
#ifndef LONGBUS_DRIVERS_PCI_REGS_H
#define LONGBUS_DRIVERS_PCI_REGS_H

#include "kernel/compiler.h"

#define PCI_CFG_SPACE_SIZE 256	 /* conventional, reachable through CAM */
#define PCI_CFG_SPACE_EXP_SIZE 4096 /* PCIe extended, ECAM only */

#define PCI_MAX_BUS 256
#define PCI_MAX_DEV 32 /* devices per bus */
#define PCI_MAX_FN 8   /* functions per device */

/* --- Common header, both layouts (PCI 3.0 6.1, 6.2) ---------------------- */

#define PCI_VENDOR_ID 0x00 /* u16 */
#define PCI_DEVICE_ID 0x02 /* u16 */
#define PCI_ID_DW_VENDOR GENMASK(15, 0)
#define PCI_ID_DW_DEVICE GENMASK(31, 16)
/* Read by a function that does not exist (master abort): all ones. */
#define PCI_VENDOR_ID_NONE 0xffff

#define PCI_COMMAND 0x04 /* u16, PCI 3.0 6.2.2 */
#define PCI_COMMAND_IO BIT(0)
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_COMMAND_MASTER BIT(2)
#define PCI_COMMAND_SPECIAL BIT(3)
#define PCI_COMMAND_INVALIDATE BIT(4)
#define PCI_COMMAND_VGA_PALETTE BIT(5)
#define PCI_COMMAND_PARITY BIT(6)
#define PCI_COMMAND_SERR BIT(8)
#define PCI_COMMAND_FAST_BACK BIT(9)
#define PCI_COMMAND_INTX_DISABLE BIT(10)

#define PCI_STATUS 0x06 /* u16, PCI 3.0 6.2.3; bits 3+ are RW1C */
#define PCI_STATUS_INTERRUPT BIT(3)
#define PCI_STATUS_CAP_LIST BIT(4)
#define PCI_STATUS_66MHZ BIT(5)
#define PCI_STATUS_FAST_BACK BIT(7)
#define PCI_STATUS_PARITY BIT(8)
#define PCI_STATUS_DEVSEL_MASK GENMASK(10, 9)
#define PCI_STATUS_SIG_TARGET_ABORT BIT(11)
#define PCI_STATUS_REC_TARGET_ABORT BIT(12)
#define PCI_STATUS_REC_MASTER_ABORT BIT(13)
#define PCI_STATUS_SIG_SYSTEM_ERROR BIT(14)
#define PCI_STATUS_DETECTED_PARITY BIT(15)
/* The status register within the dword at PCI_COMMAND. */
#define PCI_CMD_DW_COMMAND GENMASK(15, 0)
#define PCI_CMD_DW_STATUS GENMASK(31, 16)

#define PCI_REVISION_ID 0x08 /* u8 */
#define PCI_CLASS_PROG 0x09  /* u8, programming interface */
#define PCI_CLASS_SUB 0x0a   /* u8 */
#define PCI_CLASS_BASE 0x0b  /* u8 */
#define PCI_CLASSREV_DW_REVISION GENMASK(7, 0)
#define PCI_CLASSREV_DW_PROG_IF GENMASK(15, 8)
#define PCI_CLASSREV_DW_SUBCLASS GENMASK(23, 16)
#define PCI_CLASSREV_DW_CLASS GENMASK(31, 24)

#define PCI_CACHE_LINE_SIZE 0x0c /* u8 */
#define PCI_LATENCY_TIMER 0x0d	 /* u8 */
#define PCI_HEADER_TYPE 0x0e	 /* u8, PCI 3.0 6.2.1 */
#define PCI_BIST 0x0f		 /* u8 */
#define PCI_HDR_DW_CACHE_LINE GENMASK(7, 0)
#define PCI_HDR_DW_LATENCY GENMASK(15, 8)
#define PCI_HDR_DW_HEADER_TYPE GENMASK(23, 16)
#define PCI_HDR_DW_BIST GENMASK(31, 24)
/* Inside the header type byte. */
#define PCI_HEADER_TYPE_LAYOUT GENMASK(6, 0)
#define PCI_HEADER_TYPE_MULTI_FN BIT(7) /* functions 1..7 may exist */
#define PCI_HEADER_TYPE_NORMAL 0x00
#define PCI_HEADER_TYPE_BRIDGE 0x01 /* PCI-to-PCI bridge */
#define PCI_HEADER_TYPE_CARDBUS 0x02

/* Base address registers (PCI 3.0 6.2.5). A type 1 header has only 0 and 1. */
#define PCI_BAR0 0x10
#define PCI_BAR(n) (PCI_BAR0 + 4 * (n))
#define PCI_BAR_COUNT_NORMAL 6
#define PCI_BAR_COUNT_BRIDGE 2
#define PCI_BAR_SPACE_IO BIT(0)
#define PCI_BAR_MEM_TYPE GENMASK(2, 1)
#define PCI_BAR_MEM_TYPE_32 0x0
#define PCI_BAR_MEM_TYPE_1M 0x1 /* legacy, below 1 MiB */
#define PCI_BAR_MEM_TYPE_64 0x2 /* the next BAR holds the upper 32 bits */
#define PCI_BAR_MEM_PREFETCH BIT(3)
#define PCI_BAR_MEM_ADDR_MASK GENMASK(31, 4)
#define PCI_BAR_IO_ADDR_MASK GENMASK(31, 2)

/* --- Type 0 (normal) header --------------------------------------------- */

#define PCI_CARDBUS_CIS 0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c /* u16 */
#define PCI_SUBSYSTEM_ID 0x2e	     /* u16 */
#define PCI_ROM_ADDRESS 0x30
#define PCI_ROM_ADDRESS_ENABLE BIT(0)

/* Both layouts. */
#define PCI_CAPABILITY_LIST 0x34 /* u8, valid when PCI_STATUS_CAP_LIST */
#define PCI_CAP_PTR_MASK GENMASK(7, 2) /* low two bits are reserved */
#define PCI_INTERRUPT_LINE 0x3c	 /* u8 */
#define PCI_INTERRUPT_PIN 0x3d	 /* u8, 0 none, 1..4 INTA..INTD */

/* --- Type 1 (PCI-to-PCI bridge) header, Bridge Architecture 1.2 3.2 ------ */

#define PCI_PRIMARY_BUS 0x18	 /* u8 */
#define PCI_SECONDARY_BUS 0x19	 /* u8, bus directly behind the bridge */
#define PCI_SUBORDINATE_BUS 0x1a /* u8, highest bus behind the bridge */
#define PCI_SEC_LATENCY_TIMER 0x1b
#define PCI_BUSNUM_DW_PRIMARY GENMASK(7, 0)
#define PCI_BUSNUM_DW_SECONDARY GENMASK(15, 8)
#define PCI_BUSNUM_DW_SUBORDINATE GENMASK(23, 16)
#define PCI_BUSNUM_DW_SEC_LATENCY GENMASK(31, 24)
#define PCI_IO_BASE 0x1c
#define PCI_SEC_STATUS 0x1e
#define PCI_MEMORY_BASE 0x20
#define PCI_PREF_MEMORY_BASE 0x24
#define PCI_PREF_BASE_UPPER32 0x28
#define PCI_PREF_LIMIT_UPPER32 0x2c
#define PCI_IO_BASE_UPPER16 0x30
#define PCI_ROM_ADDRESS1 0x38
#define PCI_BRIDGE_CONTROL 0x3e /* u16 */
#define PCI_BRIDGE_CTL_SEC_BUS_RESET BIT(6)

/* --- Class codes longbus looks for (PCI Code and ID Assignment 1.x) ------ */

#define PCI_CLASS_STORAGE 0x01
#define PCI_SUBCLASS_STORAGE_SATA 0x06
#define PCI_SUBCLASS_STORAGE_NVM 0x08
#define PCI_CLASS_NETWORK 0x02
#define PCI_SUBCLASS_NETWORK_ETHERNET 0x00
#define PCI_CLASS_DISPLAY 0x03
#define PCI_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_BRIDGE_HOST 0x00
#define PCI_SUBCLASS_BRIDGE_ISA 0x01
#define PCI_SUBCLASS_BRIDGE_PCI 0x04
#define PCI_CLASS_SERIAL 0x0c
#define PCI_SUBCLASS_SERIAL_SMBUS 0x05

/* --- Configuration Access Mechanism #1 (PCI 3.0 3.2.2.3.2) -------------- */

#define PCI_CAM_ADDR_PORT 0xcf8
#define PCI_CAM_DATA_PORT 0xcfc
#define PCI_CAM_ENABLE BIT(31)
#define PCI_CAM_BUS GENMASK(23, 16)
#define PCI_CAM_DEV GENMASK(15, 11)
#define PCI_CAM_FN GENMASK(10, 8)
#define PCI_CAM_REG GENMASK(7, 2) /* dword index; bits 1:0 must be 0 */

/* The CONFIG_ADDRESS value selecting the dword at off (low 2 bits dropped). */
static inline u32 pci_cam_addr(u8 bus, u8 dev, u8 fn, u16 off)
{
	return (u32)(PCI_CAM_ENABLE | FIELD_PREP(PCI_CAM_BUS, bus) |
		     FIELD_PREP(PCI_CAM_DEV, dev) | FIELD_PREP(PCI_CAM_FN, fn) |
		     (off & PCI_CAM_REG));
}

/* --- Enhanced Configuration Access Mechanism (PCIe 5.0 7.2.2) ----------- */

#define PCI_ECAM_BUS_SHIFT 20 /* 1 MiB of config space per bus */
#define PCI_ECAM_DEV_SHIFT 15 /* 32 KiB per device */
#define PCI_ECAM_FN_SHIFT 12  /* 4 KiB per function */
#define PCI_ECAM_BUS_SIZE (1ULL << PCI_ECAM_BUS_SHIFT)

/* Offset of a function's register inside its bus's 1 MiB ECAM window. */
static inline u32 pci_ecam_bus_offset(u8 dev, u8 fn, u16 off)
{
	return ((u32)(dev & 0x1f) << PCI_ECAM_DEV_SHIFT) |
	       ((u32)(fn & 0x7) << PCI_ECAM_FN_SHIFT) |
	       (off & (PCI_CFG_SPACE_EXP_SIZE - 1));
}

#endif
