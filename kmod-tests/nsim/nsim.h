/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls_nsim: pairs of virtual Ethernet devices that behave like a NIC with
 * TLS 1.2 AES-GCM offload, with real crypto. What one end transmits the
 * other receives; the kernel's TLS_HW code runs against them unchanged.
 */
#ifndef KTLS_NSIM_H
#define KTLS_NSIM_H

#include <linux/completion.h>
#include <linux/kobject.h>
#include <linux/scatterlist.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/tls.h>

#include "record.h"

#define NSIM_DRV_NAME "ktls_nsim"

/* Counters; mlx5's names where mlx5 has one. */
enum nsim_stat {
	NSIM_TX_TLS_ENCRYPTED_PACKETS,
	NSIM_TX_TLS_ENCRYPTED_BYTES,
	NSIM_TX_TLS_OOO,
	NSIM_TX_TLS_RESYNC_BYTES,
	NSIM_TX_TLS_DROP_NO_SYNC_DATA,
	NSIM_TX_TLS_CTX,
	NSIM_RX_TLS_DECRYPTED_PACKETS,
	NSIM_RX_TLS_DECRYPTED_BYTES,
	NSIM_RX_TLS_RESYNC_REQ_PKT,
	NSIM_RX_TLS_RESYNC_RES_OK,
	NSIM_RX_TLS_ERR,
	NSIM_RX_TLS_CTX,
	NSIM_TLS_CTX_REFUSED,		/* tls_dev_add refused: over max_ctx or cipher */
	NSIM_FAULT_DROPPED,
	NSIM_FAULT_DUPLICATED,
	NSIM_FAULT_REORDERED,
	NSIM_FAULT_CORRUPTED,
	NSIM_STAT_COUNT
};

extern const char *const nsim_stat_names[NSIM_STAT_COUNT];

/* "One packet in N", deterministic for a given seed. */
struct nsim_fault {
	u32 every;		/* 0: off */
	u32 rng;
};

struct nsim_dev {
	struct net_device *netdev;
	struct nsim_dev __rcu *peer;
	struct list_head list;		/* all devices, under nsim_lock */
	struct kobject kobj;		/* /sys/kernel/ktls_nsim/<name> */
	struct completion kobj_gone;

	/*
	 * Receive: packets from the peer wait here for our NAPI thread, which
	 * decrypts them: the "NIC" works beside the sending CPU, not on it.
	 */
	struct sk_buff_head rxq;
	struct napi_struct napi;
	char name[IFNAMSIZ];		/* name at creation: the sysfs folder */

	spinlock_t ctx_lock;		/* the lists and counts below */
	struct list_head rx_ctxs;
	u32 tx_ctx_count, rx_ctx_count, max_ctx;

	spinlock_t fault_lock;		/* faults and the held packet */
	u32 seed;
	struct nsim_fault drop, duplicate, reorder, corrupt;
	struct sk_buff *held;		/* a packet being reordered */
	struct timer_list held_timer;

	atomic64_t stats[NSIM_STAT_COUNT];
};

enum nsim_rx_sync {
	NSIM_RX_SYNCED,		/* decrypting: rec is at expected_seq */
	NSIM_RX_SEARCHING,	/* lost: looking for a record header */
	NSIM_RX_TRACKING,	/* following headers from a candidate header */
};

/* The 4-tuple of a flow as its packets arrive at the device. */
struct nsim_flow {
	u16 family;
	__be16 sport, dport;	/* remote, local */
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;		/* remote, local */
};

/* One direction of one offloaded connection: the "hardware context". */
struct nsim_tls_ctx {
	struct nsim_dev *dev;
	struct sock *sk;
	enum tls_offload_ctx_dir dir;
	struct list_head list;		/* receive contexts of the device */
	struct rcu_head rcu;
	spinlock_t lock;		/* everything below */
	struct nsim_gcm_key key;
	struct nsim_flow flow;		/* receive only */
	bool in_sync;
	u32 expected_seq;		/* TCP sequence the stream state is at */
	struct nsim_rec rec;

	/* transmit: the rest of a record encrypted whole, for the next segment */
	u8 *carry;
	u8 *ooo_buf;			/* a record encrypted for a retransmission */
	u32 carry_off, carry_len;
	/* ... and a record of the kernel's: its fragments, their pages held */
	skb_frag_t rec_frags[MAX_SKB_FRAGS];
	int rec_nfrags;
	struct scatterlist rec_sg[MAX_SKB_FRAGS + 2];
	u8 rec_prefix[NSIM_REC_PREFIX_SIZE];

	/* receive resync */
	enum nsim_rx_sync rx_sync;
	u32 cand_seq;			/* candidate header asked about */
	bool confirmed;			/* ... and the stack said it is one */
	u64 cand_sn;			/* ... with this record number */
	u32 next_hdr_seq;		/* next header while tracking */
	u8 hdr[NSIM_REC_HDR_SIZE];	/* ... and its bytes so far */
	u8 hdr_len;
	u32 headers_seen;		/* since the candidate, itself included */
	u32 resync_tries;
};

static inline void nsim_stat_add(struct nsim_dev *nd, enum nsim_stat s, u64 v)
{
	atomic64_add(v, &nd->stats[s]);
}

/* netdev.c */
int nsim_pair_new(const char *name_a, const char *name_b);
int nsim_pair_del(const char *name);
void nsim_pair_del_all(void);
int nsim_deliver(struct nsim_dev *to, struct sk_buff *skb);
extern const struct tlsdev_ops nsim_tlsdev_ops;

/* offload.c */
struct nsim_tls_ctx *nsim_rx_ctx_find(struct nsim_dev *nd, const struct nsim_flow *flow);

/* tx.c: the transmit hot path; returns the skb to send, or NULL if consumed. */
struct sk_buff *nsim_tls_tx(struct nsim_dev *nd, struct sk_buff *skb);
int nsim_tx_resync(struct nsim_tls_ctx *ctx, u32 seq, u8 *rcd_sn);

/* rx.c: decrypt what we can; always sets skb->decrypted. */
struct sk_buff *nsim_tls_rx(struct nsim_dev *nd, struct sk_buff *skb);
int nsim_rx_resync(struct nsim_tls_ctx *ctx, u32 seq, u8 *rcd_sn);

/* fault.c */
bool nsim_fault_hit(struct nsim_dev *nd, struct nsim_fault *f);
void nsim_fault_reseed(struct nsim_dev *nd, u32 seed);
int nsim_fault_xmit(struct nsim_dev *nd, struct nsim_dev *peer, struct sk_buff *skb);
void nsim_fault_init(struct nsim_dev *nd);
void nsim_fault_stop(struct nsim_dev *nd);

/* sysfs.c */
int nsim_sysfs_init(void);
void nsim_sysfs_stop(void);
void nsim_sysfs_exit(void);
int nsim_sysfs_dev_add(struct nsim_dev *nd);
void nsim_sysfs_dev_del(struct nsim_dev *nd);

/* ethtool.c */
extern const struct ethtool_ops nsim_ethtool_ops;

#endif
