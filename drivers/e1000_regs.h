/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel 8254x / 82574 Ethernet controllers: register offsets, bits and the
 * legacy descriptor layouts, named as in the PCI/PCI-X Family of Gigabit
 * Ethernet Controllers Software Developer's Manual (8254x SDM: chapter 3
 * descriptors, chapter 13 registers) and the Intel 82574 GbE Controller
 * Datasheet (programming interface chapter). Where the two differ the name
 * says which (EERD).
 *
 * Architecture-only: constants, descriptor layouts and nothing else.
 * drivers/e1000.c and drivers/e1000_ring.c include this; vmm/ and net/ never
 * do (they see the NIC through drivers/netdev.h). Registers are 32 bits
 * wide, little endian, at these byte offsets from BAR0.
 */
#ifndef LONGBUS_DRIVERS_E1000_REGS_H
#define LONGBUS_DRIVERS_E1000_REGS_H

#include "kernel/compiler.h"

/* BAR0 (the register window) decodes 128 KiB on every member of the family. */
#define E1000_MMIO_SIZE 0x20000

/* --- General ------------------------------------------------------------ */

#define E1000_CTRL 0x0000
#define E1000_CTRL_FD BIT(0)		     /* full duplex */
#define E1000_CTRL_GIO_MASTER_DISABLE BIT(2) /* 82574: stop issuing DMA */
#define E1000_CTRL_LRST BIT(3)		     /* 8254x: link reset */
#define E1000_CTRL_ASDE BIT(5)		     /* auto-speed detection */
#define E1000_CTRL_SLU BIT(6)		     /* set link up */
#define E1000_CTRL_ILOS BIT(7)		     /* invert loss-of-signal */
#define E1000_CTRL_FRCSPD BIT(11)
#define E1000_CTRL_FRCDPX BIT(12)
#define E1000_CTRL_RST BIT(26) /* device reset, self-clearing */
#define E1000_CTRL_VME BIT(30) /* VLAN mode */
#define E1000_CTRL_PHY_RST BIT(31)

#define E1000_STATUS 0x0008
#define E1000_STATUS_FD BIT(0)
#define E1000_STATUS_LU BIT(1) /* link up */
#define E1000_STATUS_SPEED GENMASK(7, 6)
#define E1000_STATUS_SPEED_10 0
#define E1000_STATUS_SPEED_100 1
#define E1000_STATUS_SPEED_1000 2 /* 3 also means 1000 */
#define E1000_STATUS_GIO_MASTER_ENABLE BIT(19) /* 82574: DMA may be pending */

#define E1000_EECD 0x0010
#define E1000_EECD_AUTO_RD BIT(9) /* 82574: NVM auto-read after reset done */

/*
 * EEPROM Read, EERD in both documents: write START and the word address,
 * wait for DONE, take DATA. The layouts differ: the 8254x has DONE at bit 4
 * and an 8-bit address at 15:8, the 82574 DONE at bit 1 and a 14-bit
 * address at 15:2. The 82544 has no EERD at all.
 */
#define E1000_EERD 0x0014
#define E1000_EERD_START BIT(0)
#define E1000_EERD_DATA GENMASK(31, 16)
#define E1000_EERD_8254X_DONE BIT(4)
#define E1000_EERD_8254X_ADDR GENMASK(15, 8)
#define E1000_EERD_82574_DONE BIT(1)
#define E1000_EERD_82574_ADDR GENMASK(15, 2)
/* EEPROM words 0..2: the MAC address, low byte first. */
#define E1000_EEPROM_MAC_WORD0 0

#define E1000_CTRL_EXT 0x0018

/* --- Interrupts --------------------------------------------------------- */

#define E1000_ICR 0x00c0 /* cause, clear on read */
#define E1000_ITR 0x00c4 /* throttling */
#define E1000_ICS 0x00c8
#define E1000_IMS 0x00d0 /* mask set (enable) */
#define E1000_IMC 0x00d8 /* mask clear (disable) */
#define E1000_IMC_ALL 0xffffffffU

/* --- Receive ------------------------------------------------------------ */

#define E1000_RCTL 0x0100
#define E1000_RCTL_EN BIT(1)
#define E1000_RCTL_SBP BIT(2)	/* store bad packets */
#define E1000_RCTL_UPE BIT(3)	/* unicast promiscuous */
#define E1000_RCTL_MPE BIT(4)	/* multicast promiscuous */
#define E1000_RCTL_LPE BIT(5)	/* long packets (> 1522 bytes) */
#define E1000_RCTL_LBM GENMASK(7, 6)
#define E1000_RCTL_RDMTS GENMASK(9, 8) /* min threshold: 0 = 1/2 of the ring */
#define E1000_RCTL_DTYP GENMASK(11, 10) /* 82574: 0 = legacy/extended */
#define E1000_RCTL_MO GENMASK(13, 12)
#define E1000_RCTL_BAM BIT(15) /* accept broadcast */
/* Buffer size: BSIZE with BSEX = 0 gives 2048, 1024, 512, 256 bytes. */
#define E1000_RCTL_BSIZE GENMASK(17, 16)
#define E1000_RCTL_BSIZE_2048 0
#define E1000_RCTL_BSIZE_1024 1
#define E1000_RCTL_BSIZE_512 2
#define E1000_RCTL_BSIZE_256 3
#define E1000_RCTL_VFE BIT(18)
#define E1000_RCTL_BSEX BIT(25) /* BSIZE x16 */
#define E1000_RCTL_SECRC BIT(26) /* strip the Ethernet CRC */

#define E1000_RDTR 0x2820 /* RX delay timer (interrupts only) */
#define E1000_RADV 0x282c /* RX absolute delay (interrupts only) */
#define E1000_RXCSUM 0x5000 /* RX checksum offload; 0 = off */

#define E1000_RDBAL 0x2800
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808 /* bytes, a multiple of 128 */
#define E1000_RDH 0x2810
#define E1000_RDT 0x2818

#define E1000_MTA 0x5200 /* multicast table, 128 dwords */
#define E1000_MTA_ENTRIES 128
#define E1000_RAL(n) (0x5400 + 8 * (n))
#define E1000_RAH(n) (0x5404 + 8 * (n))
#define E1000_RAH_AV BIT(31) /* address valid */
#define E1000_RAH_ADDR GENMASK(15, 0)

/* --- Transmit ----------------------------------------------------------- */

#define E1000_TCTL 0x0400
#define E1000_TCTL_EN BIT(1)
#define E1000_TCTL_PSP BIT(3) /* pad short packets to 64 bytes */
#define E1000_TCTL_CT GENMASK(11, 4)	 /* collision threshold */
#define E1000_TCTL_COLD GENMASK(21, 12) /* collision distance */
#define E1000_TCTL_RTLC BIT(24)
/* The SDM's recommended values (the same ones Linux e1000/e1000e use). */
#define E1000_TCTL_CT_DEFAULT 0x0f
#define E1000_TCTL_COLD_FULL_DUPLEX 0x3f

#define E1000_TIPG 0x0410
#define E1000_TIPG_IPGT GENMASK(9, 0)
#define E1000_TIPG_IPGR1 GENMASK(19, 10)
#define E1000_TIPG_IPGR2 GENMASK(29, 20)
/* The SDM's copper values (IEEE 802.3 IPG), as Linux e1000/e1000e use. */
#define E1000_TIPG_IPGT_COPPER 8
#define E1000_TIPG_IPGR1_COPPER 8
#define E1000_TIPG_IPGR2_COPPER 6

#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_TIDV 0x3820 /* TX interrupt delay (interrupts only) */

/* --- Statistics (clear on read) ------------------------------------------ */

#define E1000_CRCERRS 0x4000
#define E1000_MPC 0x4010 /* missed packets: no RX descriptor or FIFO room */

/* Descriptor rings: base 16-byte aligned, length a multiple of 128 bytes. */
#define E1000_RING_ALIGN 128

/* --- Legacy receive descriptor ------------------------------------------ */

/*
 * Software writes addr; the device writes length, csum, status, errors and
 * special back when it is done with the buffer. Plain fixed-width fields:
 * the layout is the hardware's, checked below.
 */
struct e1000_rx_desc {
	u64 addr;    /* buffer physical address */
	u16 length;  /* bytes written into this buffer */
	u16 csum;    /* packet checksum (unused: RXCSUM is off) */
	u8 status;   /* E1000_RXD_STAT_* */
	u8 errors;   /* E1000_RXD_ERR_*, reported on the EOP descriptor */
	u16 special; /* VLAN tag when VP */
};

BUILD_ASSERT(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");
BUILD_ASSERT(offsetof(struct e1000_rx_desc, length) == 8, "RX length at byte 8");
BUILD_ASSERT(offsetof(struct e1000_rx_desc, status) == 12, "RX status at byte 12");
BUILD_ASSERT(offsetof(struct e1000_rx_desc, errors) == 13, "RX errors at byte 13");

#define E1000_RXD_STAT_DD BIT(0)  /* descriptor done */
#define E1000_RXD_STAT_EOP BIT(1) /* last descriptor of the frame */
#define E1000_RXD_STAT_IXSM BIT(2) /* ignore checksum indication */
#define E1000_RXD_STAT_VP BIT(3)  /* 802.1Q tag stripped into special */
#define E1000_RXD_STAT_TCPCS BIT(5)
#define E1000_RXD_STAT_IPCS BIT(6)
#define E1000_RXD_STAT_PIF BIT(7) /* passed in-exact filter */

#define E1000_RXD_ERR_CE BIT(0)  /* CRC or alignment error */
#define E1000_RXD_ERR_SE BIT(1)  /* symbol error (TBI) */
#define E1000_RXD_ERR_SEQ BIT(2) /* sequence error (TBI) */
#define E1000_RXD_ERR_CXE BIT(4) /* carrier extension error */
#define E1000_RXD_ERR_TCPE BIT(5) /* TCP/UDP checksum error (offload only) */
#define E1000_RXD_ERR_IPE BIT(6)  /* IP checksum error (offload only) */
#define E1000_RXD_ERR_RXE BIT(7)  /* RX data error */
/*
 * Errors that make the frame itself bad. TCPE/IPE are left out: they only
 * report an offloaded checksum, which the stack verifies (and counts) itself.
 */
#define E1000_RXD_ERR_FRAME \
	(E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | E1000_RXD_ERR_CXE | \
	 E1000_RXD_ERR_RXE)

/* --- Legacy transmit descriptor ----------------------------------------- */

struct e1000_tx_desc {
	u64 addr;    /* buffer physical address */
	u16 length;  /* bytes in this buffer */
	u8 cso;	     /* checksum offset (unused) */
	u8 cmd;	     /* E1000_TXD_CMD_* */
	u8 status;   /* E1000_TXD_STAT_*, written back when RS */
	u8 css;	     /* checksum start (unused) */
	u16 special; /* VLAN tag when VLE */
};

BUILD_ASSERT(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");
BUILD_ASSERT(offsetof(struct e1000_tx_desc, cmd) == 11, "TX cmd at byte 11");
BUILD_ASSERT(offsetof(struct e1000_tx_desc, status) == 12, "TX status at byte 12");

#define E1000_TXD_CMD_EOP BIT(0)  /* last descriptor of the frame */
#define E1000_TXD_CMD_IFCS BIT(1) /* insert the FCS */
#define E1000_TXD_CMD_IC BIT(2)	  /* insert checksum */
#define E1000_TXD_CMD_RS BIT(3)	  /* report status (write DD back) */
#define E1000_TXD_CMD_DEXT BIT(5) /* extended descriptor: must be 0 here */
#define E1000_TXD_CMD_VLE BIT(6)
#define E1000_TXD_CMD_IDE BIT(7) /* interrupt delay */

#define E1000_TXD_STAT_DD BIT(0) /* descriptor done */
#define E1000_TXD_STAT_EC BIT(1) /* excess collisions: not sent */
#define E1000_TXD_STAT_LC BIT(2) /* late collision: not sent */
#define E1000_TXD_STAT_TU BIT(3) /* transmit underrun (82544) */
#define E1000_TXD_STAT_ERR (E1000_TXD_STAT_EC | E1000_TXD_STAT_LC | E1000_TXD_STAT_TU)

#endif
