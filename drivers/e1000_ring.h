/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Legacy descriptor rings of the e1000 family (drivers/e1000_regs.h): the
 * pure half of the driver.
 *
 * Context: pure C, no MMIO, no logging, no globals, no allocation. The
 * rings are plain memory the caller owns; buffers are reached only through
 * the e1000_bufs.map callback, so tests/unit/test_e1000_ring.c runs this
 * against malloc'd fakes and drivers/e1000.c against the direct map. The
 * caller reads and writes the head/tail registers: these functions take
 * the head they need as an argument and tell the caller the tail to write.
 * Not thread-safe: one ring, one caller (in the core, the service CPU).
 *
 * Everything the device writes back is hostile input. The receive walk
 * trusts no length, status, error or head value, never takes a buffer
 * address from a descriptor (each slot is re-armed from e1000_bufs.addr),
 * never reads or writes outside a buffer, the bounce buffer or the ring,
 * and never examines more than count - 1 descriptors per call.
 *
 * Ownership follows the SDM's head/tail rules: the device owns receive slots
 * [RDH, RDT) and software the rest, with one slot always held back so that
 * RDH == RDT means "none for the device" and never "all"; likewise on
 * transmit, at most count - 1 frames are queued.
 */
#ifndef LONGBUS_DRIVERS_E1000_RING_H
#define LONGBUS_DRIVERS_E1000_RING_H

#include "drivers/e1000_regs.h"
#include "drivers/netdev.h"
#include "kernel/compiler.h"

/* Ring sizes: at least 256 entries (issue 4), at most the 16-bit RDH/TDH range. */
#define E1000_RING_MIN 256
#define E1000_RING_MAX 32768
/* Receive buffer sizes the device can be told (RCTL.BSIZE, BSEX = 0). */
#define E1000_RX_BUF_MIN 256
#define E1000_RX_BUF_MAX 2048

/*
 * Maps a buffer's bus address to a pointer through which len bytes can be
 * read and written, or NULL when addr is not one of the caller's buffers
 * or len does not fit in it. Called only with addresses from
 * e1000_bufs.addr and len <= e1000_bufs.size.
 */
typedef void *(*e1000_buf_map_fn)(void *ctx, u64 addr, size_t len);

/* The buffers behind a ring: slot i always uses buffer addr[i]. */
struct e1000_bufs {
	const u64 *addr;      /* count entries, owned by the caller */
	u32 count;	      /* ring entries: E1000_RING_MIN..MAX, a multiple of 8 */
	u32 size;	      /* bytes in each buffer */
	e1000_buf_map_fn map;
	void *ctx;
};

struct e1000_rx_ring {
	struct e1000_rx_desc *desc; /* bufs.count descriptors */
	struct e1000_bufs bufs;
	u8 *bounce;		    /* NETDEV_MAX_FRAME bytes for multi-descriptor frames */
	u32 next;		    /* next slot software examines */
	/* The frame being collected; it may span polls. */
	bool in_frame;
	bool discard;	   /* already counted bad: drop the rest up to EOP */
	u32 frame_len;	   /* bytes collected so far */
	u32 frame_descs;   /* descriptors so far */
};

struct e1000_tx_ring {
	struct e1000_tx_desc *desc; /* bufs.count descriptors */
	struct e1000_bufs bufs;
	u32 tail;  /* next slot to fill; the value TDT must hold */
	u32 clean; /* oldest slot not yet reclaimed */
};

/*
 * Sets up a receive ring over desc (bufs->count entries) and arms every
 * descriptor with its buffer. bufs->size must be E1000_RX_BUF_MIN..MAX (what
 * RCTL.BSIZE says); bounce must hold NETDEV_MAX_FRAME bytes. Afterwards the
 * caller programs RDBAL/RDBAH/RDLEN, RDH = 0 and RDT = e1000_rx_tail().
 *
 * Returns 0; -EINVAL for NULL pointers, a count outside E1000_RING_MIN..MAX
 * or not a multiple of 8 (RDLEN is a multiple of 128 bytes), or a bad size.
 */
int e1000_rx_init(struct e1000_rx_ring *r, struct e1000_rx_desc *desc, u8 *bounce,
		  const struct e1000_bufs *bufs) __must_check;

/* True when the next descriptor has DD set: there is work for e1000_rx_poll(). */
bool e1000_rx_has_work(const struct e1000_rx_ring *r);

/*
 * Walks completed descriptors from r->next up to (not including) hw_head,
 * the RDH value the caller just read, stopping early at a descriptor
 * without DD or once `budget` frames were handed to rx(). Each good frame
 * goes to rx(ctx, frame, len) once: straight from its buffer when it fits
 * one descriptor, from the bounce buffer when it spans several. Every
 * examined descriptor is re-armed; afterwards the caller writes
 * e1000_rx_tail() to RDT. A frame whose descriptors are not all complete
 * yet is carried over to the next call.
 *
 * Each bad frame is counted once, in the first of these that applies:
 *  - rx_errors:     a descriptor of the frame has a frame error bit
 *                   (E1000_RXD_ERR_FRAME; the checksum bits are the stack's
 *                   business), or the buffer map refused a slot;
 *  - rx_bad_length: a descriptor length of 0 or above the buffer size, a
 *                   descriptor before EOP that is not full (the device fills
 *                   each buffer before moving on, so a short one means a
 *                   broken chain), a frame above NETDEV_MAX_FRAME (which
 *                   also bounds every chain, since non-final descriptors are
 *                   full) or below NETDEV_MIN_FRAME.
 * The rest of a bad frame, up to its EOP, is dropped without counting
 * again. Good frames add to rx_packets and rx_bytes.
 *
 * Returns the number of frames handed to rx() (0..budget); -EIO, with
 * rx_errors incremented and nothing touched, when hw_head >= the ring size.
 */
int e1000_rx_poll(struct e1000_rx_ring *r, u32 hw_head, netdev_rx_fn rx, void *ctx,
		  int budget, struct netdev_stats *st) __must_check;

/* The RDT value handing every slot but the one before r->next to the device. */
u32 e1000_rx_tail(const struct e1000_rx_ring *r);

/*
 * Sets up an empty transmit ring over desc (bufs->count entries, cleared).
 * bufs->size must be at least NETDEV_MAX_FRAME: a frame is one descriptor.
 * The caller then programs TDBAL/TDBAH/TDLEN and TDH = TDT = 0.
 *
 * Returns 0; -EINVAL as for e1000_rx_init().
 */
int e1000_tx_init(struct e1000_tx_ring *r, struct e1000_tx_desc *desc,
		  const struct e1000_bufs *bufs) __must_check;

/*
 * Frees every slot the device has finished (DD written back), oldest first,
 * never past r->tail; a frame the device reports it could not send
 * (E1000_TXD_STAT_ERR) adds to tx_errors. Returns the number of slots freed.
 */
u32 e1000_tx_reclaim(struct e1000_tx_ring *r, struct netdev_stats *st);

/*
 * Reclaims, then copies frame into the next slot's buffer and fills its
 * descriptor (EOP | IFCS | RS: one descriptor per frame, FCS added by the
 * device, DD reported so the slot can be reclaimed). The caller then writes
 * e1000_tx_tail() to TDT.
 *
 * Returns 0 (tx_packets, tx_bytes counted); -EINVAL for len outside
 * NETDEV_MIN_FRAME..NETDEV_MAX_FRAME (tx_errors); -EBUSY when count - 1
 * frames are still queued (tx_dropped); -EIO when the buffer map refused the
 * slot (tx_errors). Nothing is queued on error.
 */
int e1000_tx_send(struct e1000_tx_ring *r, const void *frame, size_t len,
		  struct netdev_stats *st) __must_check;

/* The TDT value: one past the last queued slot. */
u32 e1000_tx_tail(const struct e1000_tx_ring *r);

/* Frames queued and not yet reclaimed (0..count - 1). */
u32 e1000_tx_pending(const struct e1000_tx_ring *r);

#endif
