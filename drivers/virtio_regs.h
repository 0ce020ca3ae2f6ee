/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtio 1.x as the spec lays it out: the PCI transport's vendor
 * capabilities and common configuration registers (virtio 1.2 section 4.1),
 * device status and feature bits (2.1, 2.2, 6), the split virtqueue's
 * descriptor/available/used layouts (2.7) and the network device's
 * configuration space and per-packet header (5.1).
 *
 * Architecture-only: constants, memory layouts with their sizes asserted,
 * and static inline offset arithmetic; no policy. Shared by the driver side
 * (drivers/virtq.c, drivers/virtio_net.c) and, later, the hypervisor's
 * virtio device models. Virtio 1.x is little-endian on the wire and so is
 * x86, so fields are plain integers (asserted below).
 */
#ifndef LONGBUS_DRIVERS_VIRTIO_REGS_H
#define LONGBUS_DRIVERS_VIRTIO_REGS_H

#include "kernel/compiler.h"

BUILD_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	     "virtio 1.x fields are little-endian and are used here without swapping");

/* --- PCI identity (4.1.2) ----------------------------------------------- */

#define VIRTIO_PCI_VENDOR 0x1af4
/* Modern (non-transitional) devices: 0x1040 + virtio device ID. */
#define VIRTIO_PCI_DEVICE_MODERN_BASE 0x1040
#define VIRTIO_ID_NET 1
#define VIRTIO_PCI_DEVICE_NET_MODERN (VIRTIO_PCI_DEVICE_MODERN_BASE + VIRTIO_ID_NET)
/* Transitional network device; its subsystem device ID is VIRTIO_ID_NET. */
#define VIRTIO_PCI_DEVICE_NET_TRANSITIONAL 0x1000

/* --- Vendor-specific capabilities (4.1.4) ------------------------------- */

/* PCI capability ID "vendor specific" (PCI 3.0 appendix H), used by virtio. */
#define VIRTIO_PCI_CAP_ID_VNDR 0x09

/*
 * struct virtio_pci_cap, as four dwords from the capability's start:
 *   dw0: cap_vndr, cap_next, cap_len, cfg_type
 *   dw1: bar, id, padding[2]
 *   dw2: offset within the BAR
 *   dw3: length of the structure
 * The notification capability appends dw4: notify_off_multiplier.
 */
#define VIRTIO_PCI_CAP_DW0 0x0
#define VIRTIO_PCI_CAP_DW0_VNDR GENMASK(7, 0)
#define VIRTIO_PCI_CAP_DW0_NEXT GENMASK(15, 8)
#define VIRTIO_PCI_CAP_DW0_LEN GENMASK(23, 16)
#define VIRTIO_PCI_CAP_DW0_CFG_TYPE GENMASK(31, 24)
#define VIRTIO_PCI_CAP_DW1 0x4
#define VIRTIO_PCI_CAP_DW1_BAR GENMASK(7, 0)
#define VIRTIO_PCI_CAP_OFFSET 0x8
#define VIRTIO_PCI_CAP_LENGTH 0xc
#define VIRTIO_PCI_NOTIFY_CAP_MULT 0x10
#define VIRTIO_PCI_CAP_MIN_LEN 16	 /* sizeof(struct virtio_pci_cap) */
#define VIRTIO_PCI_NOTIFY_CAP_MIN_LEN 20 /* sizeof(struct virtio_pci_notify_cap) */
/* BAR indexes 0..5 name a BAR; other values are reserved and skipped. */
#define VIRTIO_PCI_CAP_BAR_MAX 5

/* cfg_type values (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define VIRTIO_PCI_CAP_VENDOR_CFG 9

/* --- Common configuration structure, in the COMMON_CFG window (4.1.4.3) -- */

#define VIRTIO_PCI_COMMON_DFSELECT 0x00	   /* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF 0x04	   /* le32 device_feature (RO) */
#define VIRTIO_PCI_COMMON_GFSELECT 0x08	   /* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF 0x0c	   /* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX 0x10	   /* le16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ 0x12	   /* le16 num_queues (RO) */
#define VIRTIO_PCI_COMMON_STATUS 0x14	   /* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15 /* u8 config_generation (RO) */
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16	   /* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE 0x18	   /* le16 queue_size: max after reset; may lower */
#define VIRTIO_PCI_COMMON_Q_MSIX 0x1a	   /* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1c	   /* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF 0x1e	   /* le16 queue_notify_off (RO) */
#define VIRTIO_PCI_COMMON_Q_DESCLO 0x20	   /* le64 queue_desc, as two le32 halves */
#define VIRTIO_PCI_COMMON_Q_DESCHI 0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28   /* le64 queue_driver (the available ring) */
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO 0x30	   /* le64 queue_device (the used ring) */
#define VIRTIO_PCI_COMMON_Q_USEDHI 0x34
/* The registers up to here are the virtio 1.0 structure every device has. */
#define VIRTIO_PCI_COMMON_CFG_MIN_LEN 0x38

/* "No MSI-X vector": written to the vector registers of a polled driver. */
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* --- Device status (2.1) ------------------------------------------------- */

#define VIRTIO_STATUS_ACKNOWLEDGE BIT(0)
#define VIRTIO_STATUS_DRIVER BIT(1)
#define VIRTIO_STATUS_DRIVER_OK BIT(2)
#define VIRTIO_STATUS_FEATURES_OK BIT(3)
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET BIT(6)
#define VIRTIO_STATUS_FAILED BIT(7)

/* --- Feature bits (2.2, 6; network device 5.1.3) ------------------------- */

/* Device-independent. */
#define VIRTIO_F_RING_INDIRECT_DESC BIT(28)
#define VIRTIO_F_RING_EVENT_IDX BIT(29)
#define VIRTIO_F_VERSION_1 BIT(32)
#define VIRTIO_F_ACCESS_PLATFORM BIT(33)
#define VIRTIO_F_RING_PACKED BIT(34)
#define VIRTIO_F_IN_ORDER BIT(35)
#define VIRTIO_F_ORDER_PLATFORM BIT(36)
#define VIRTIO_F_SR_IOV BIT(37)
#define VIRTIO_F_NOTIFICATION_DATA BIT(38)

/* Network device. */
#define VIRTIO_NET_F_CSUM BIT(0)
#define VIRTIO_NET_F_GUEST_CSUM BIT(1)
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS BIT(2)
#define VIRTIO_NET_F_MTU BIT(3)
#define VIRTIO_NET_F_MAC BIT(5)
#define VIRTIO_NET_F_GUEST_TSO4 BIT(7)
#define VIRTIO_NET_F_GUEST_TSO6 BIT(8)
#define VIRTIO_NET_F_GUEST_ECN BIT(9)
#define VIRTIO_NET_F_GUEST_UFO BIT(10)
#define VIRTIO_NET_F_HOST_TSO4 BIT(11)
#define VIRTIO_NET_F_HOST_TSO6 BIT(12)
#define VIRTIO_NET_F_HOST_ECN BIT(13)
#define VIRTIO_NET_F_HOST_UFO BIT(14)
#define VIRTIO_NET_F_MRG_RXBUF BIT(15)
#define VIRTIO_NET_F_STATUS BIT(16)
#define VIRTIO_NET_F_CTRL_VQ BIT(17)
#define VIRTIO_NET_F_CTRL_RX BIT(18)
#define VIRTIO_NET_F_CTRL_VLAN BIT(19)
#define VIRTIO_NET_F_MQ BIT(22)
#define VIRTIO_NET_F_CTRL_MAC_ADDR BIT(23)

/* --- Network device configuration, in the DEVICE_CFG window (5.1.4) ------ */

#define VIRTIO_NET_CFG_MAC 0x00		 /* u8 mac[6], valid with VIRTIO_NET_F_MAC */
#define VIRTIO_NET_CFG_STATUS 0x06	 /* le16, valid with VIRTIO_NET_F_STATUS */
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS 0x08 /* le16, valid with VIRTIO_NET_F_MQ */
#define VIRTIO_NET_CFG_MTU 0x0a		 /* le16, valid with VIRTIO_NET_F_MTU */
#define VIRTIO_NET_S_LINK_UP BIT(0)
#define VIRTIO_NET_S_ANNOUNCE BIT(1)

/* Queue indexes without VIRTIO_NET_F_MQ (5.1.2). */
#define VIRTIO_NET_Q_RX 0
#define VIRTIO_NET_Q_TX 1

/*
 * struct virtio_net_hdr (5.1.6). With VIRTIO_F_VERSION_1 it always has
 * num_buffers, so it is 12 bytes whether or not MRG_RXBUF was negotiated.
 */
struct virtio_net_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 num_buffers;
};
BUILD_ASSERT(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr is 12 bytes (5.1.6)");

#define VIRTIO_NET_HDR_F_NEEDS_CSUM BIT(0)
#define VIRTIO_NET_HDR_F_DATA_VALID BIT(1)
#define VIRTIO_NET_HDR_F_RSC_INFO BIT(2)
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_UDP 3
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN 0x80

/* --- Split virtqueue (2.7) ----------------------------------------------- */

/* Queue sizes of a split virtqueue are powers of two up to 32768 (2.7). */
#define VIRTQ_MAX_SIZE 32768

/* Descriptor table entry (2.7.5); the table is 16-byte aligned. */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};
BUILD_ASSERT(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes (2.7.5)");

#define VIRTQ_DESC_F_NEXT BIT(0)     /* next is valid: the chain continues */
#define VIRTQ_DESC_F_WRITE BIT(1)    /* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT BIT(2) /* addr points at a descriptor table */

/*
 * Available ring (2.7.6), driver-written; 2-byte aligned:
 *   le16 flags; le16 idx; le16 ring[size]; le16 used_event (with EVENT_IDX)
 */
struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};
BUILD_ASSERT(sizeof(struct virtq_avail) == 4, "virtq_avail header is 4 bytes (2.7.6)");

#define VIRTQ_AVAIL_F_NO_INTERRUPT BIT(0)

/* Used ring element (2.7.8): head descriptor index and bytes written. */
struct virtq_used_elem {
	u32 id;
	u32 len;
};
BUILD_ASSERT(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is 8 bytes (2.7.8)");

/*
 * Used ring (2.7.8), device-written; 4-byte aligned:
 *   le16 flags; le16 idx; struct virtq_used_elem ring[size]; le16 avail_event
 */
struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];
};
BUILD_ASSERT(sizeof(struct virtq_used) == 4, "virtq_used header is 4 bytes (2.7.8)");

#define VIRTQ_USED_F_NO_NOTIFY BIT(0)

/* Alignments of the three parts for virtio 1.x (2.7, table "Virtqueue Part Alignment"). */
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4
/* The legacy interface puts the used ring on the next 4096-byte boundary (2.7.2). */
#define VIRTQ_LEGACY_USED_ALIGN 4096

/* Bytes of each part for a queue of `size` entries, event fields included. */
static inline size_t virtq_desc_bytes(u32 size)
{
	return sizeof(struct virtq_desc) * (size_t)size;
}

static inline size_t virtq_avail_bytes(u32 size)
{
	return sizeof(struct virtq_avail) + sizeof(u16) * (size_t)size + sizeof(u16);
}

static inline size_t virtq_used_bytes(u32 size)
{
	return sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * (size_t)size +
	       sizeof(u16);
}

/* Offsets of the event-suppression fields (with VIRTIO_F_RING_EVENT_IDX). */
static inline size_t virtq_used_event_off(u32 size)
{
	return sizeof(struct virtq_avail) + sizeof(u16) * (size_t)size;
}

static inline size_t virtq_avail_event_off(u32 size)
{
	return sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * (size_t)size;
}

#endif
