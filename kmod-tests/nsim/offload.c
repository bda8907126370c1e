// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdev_ops: the kernel hands the "NIC" a connection's keys and where its
 * records start; we keep a bounded number of such contexts per device, as
 * hardware does, and refuse what TLS 1.2 AES-GCM offload cannot carry so
 * that the kernel falls back to software.
 */
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>

#include "nsim.h"

static struct nsim_tls_ctx **driver_slot(struct tls_context *tls_ctx,
					 enum tls_offload_ctx_dir dir)
{
	return __tls_driver_ctx(tls_ctx, dir);
}

static void flow_of_sock(struct sock *sk, struct nsim_flow *flow)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(flow, 0, sizeof(*flow));
	flow->sport = inet->inet_dport;
	flow->dport = inet->inet_sport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 && !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		flow->family = AF_INET6;
		flow->saddr.v6 = sk->sk_v6_daddr;
		flow->daddr.v6 = sk->sk_v6_rcv_saddr;
		return;
	}
#endif
	flow->family = AF_INET;
	flow->saddr.v4 = inet->inet_daddr;
	flow->daddr.v4 = inet->inet_rcv_saddr;
}

static int key_of(struct tls_crypto_info *info, const u8 **key, unsigned int *key_len,
		  const u8 **salt, const u8 **rec_seq)
{
	struct tls12_crypto_info_aes_gcm_128 *g128 = (void *)info;
	struct tls12_crypto_info_aes_gcm_256 *g256 = (void *)info;

	if (info->version != TLS_1_2_VERSION)
		return -EOPNOTSUPP;
	switch (info->cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		*key = g128->key;
		*key_len = TLS_CIPHER_AES_GCM_128_KEY_SIZE;
		*salt = g128->salt;
		*rec_seq = g128->rec_seq;
		return 0;
	case TLS_CIPHER_AES_GCM_256:
		*key = g256->key;
		*key_len = TLS_CIPHER_AES_GCM_256_KEY_SIZE;
		*salt = g256->salt;
		*rec_seq = g256->rec_seq;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Take a slot; -ENOSPC over max_ctx, as a NIC out of context memory. */
static int claim_slot(struct nsim_dev *nd, struct nsim_tls_ctx *ctx)
{
	int err = 0;

	spin_lock_bh(&nd->ctx_lock);
	if (ctx->dir == TLS_OFFLOAD_CTX_DIR_TX) {
		if (nd->tx_ctx_count >= nd->max_ctx)
			err = -ENOSPC;
		else
			nd->tx_ctx_count++;
	} else {
		if (nd->rx_ctx_count >= nd->max_ctx) {
			err = -ENOSPC;
		} else {
			nd->rx_ctx_count++;
			list_add_tail_rcu(&ctx->list, &nd->rx_ctxs);
		}
	}
	spin_unlock_bh(&nd->ctx_lock);
	return err;
}

static int nsim_tls_dev_add(struct net_device *netdev, struct sock *sk,
			    enum tls_offload_ctx_dir dir, struct tls_crypto_info *info,
			    u32 start_offload_tcp_sn)
{
	struct nsim_dev *nd = netdev_priv(netdev);
	const u8 *key, *salt, *rec_seq;
	struct nsim_tls_ctx *ctx;
	unsigned int key_len;
	int err;

	err = key_of(info, &key, &key_len, &salt, &rec_seq);
	if (err)
		goto refused;
	err = -ENOMEM;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		goto refused;
	err = nsim_gcm_key_init(&ctx->key, key, key_len, salt);
	if (err)
		goto free;
	if (dir == TLS_OFFLOAD_CTX_DIR_TX) {
		ctx->carry = kmalloc(NSIM_REC_MAX_WIRE, GFP_KERNEL);
		ctx->ooo_buf = kmalloc(NSIM_REC_MAX_WIRE, GFP_KERNEL);
		if (!ctx->carry || !ctx->ooo_buf)
			goto free;
	}
	ctx->dev = nd;
	ctx->sk = sk;
	ctx->dir = dir;
	spin_lock_init(&ctx->lock);
	ctx->in_sync = true;
	ctx->expected_seq = start_offload_tcp_sn;
	nsim_rec_start(&ctx->rec, get_unaligned_be64(rec_seq));
	ctx->rx_sync = NSIM_RX_SYNCED;
	if (dir == TLS_OFFLOAD_CTX_DIR_RX)
		flow_of_sock(sk, &ctx->flow);
	*driver_slot(tls_get_ctx(sk), dir) = ctx;
	err = claim_slot(nd, ctx);
	if (err)
		goto free;
	nsim_stat_add(nd, dir == TLS_OFFLOAD_CTX_DIR_TX ? NSIM_TX_TLS_CTX : NSIM_RX_TLS_CTX, 1);
	return 0;
free:
	*driver_slot(tls_get_ctx(sk), dir) = NULL;
	nsim_gcm_key_free(&ctx->key);
	kfree(ctx->carry);
	kfree(ctx->ooo_buf);
	kfree(ctx);
refused:
	nsim_stat_add(nd, NSIM_TLS_CTX_REFUSED, 1);
	return err;
}

static void nsim_tls_ctx_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct nsim_tls_ctx, rcu));
}

static void nsim_tls_dev_del(struct net_device *netdev, struct tls_context *tls_ctx,
			     enum tls_offload_ctx_dir dir)
{
	struct nsim_dev *nd = netdev_priv(netdev);
	struct nsim_tls_ctx **slot = driver_slot(tls_ctx, dir);
	struct nsim_tls_ctx *ctx = *slot;

	if (!ctx)
		return;
	/* After this, the data paths never touch the socket or key again. */
	spin_lock_bh(&ctx->lock);
	ctx->sk = NULL;
	spin_unlock_bh(&ctx->lock);
	nsim_gcm_key_free(&ctx->key);
	kfree_sensitive(ctx->carry);
	kfree_sensitive(ctx->ooo_buf);

	spin_lock_bh(&nd->ctx_lock);
	if (dir == TLS_OFFLOAD_CTX_DIR_TX) {
		nd->tx_ctx_count--;
	} else {
		nd->rx_ctx_count--;
		list_del_rcu(&ctx->list);
	}
	spin_unlock_bh(&nd->ctx_lock);
	*slot = NULL;
	call_rcu(&ctx->rcu, nsim_tls_ctx_free_rcu);
}

static int nsim_tls_dev_resync(struct net_device *netdev, struct sock *sk, u32 seq,
			       u8 *rcd_sn, enum tls_offload_ctx_dir dir)
{
	struct nsim_tls_ctx *ctx = *driver_slot(tls_get_ctx(sk), dir);

	if (!ctx)
		return -EINVAL;
	if (dir == TLS_OFFLOAD_CTX_DIR_TX)
		return nsim_tx_resync(ctx, seq, rcd_sn);
	return nsim_rx_resync(ctx, seq, rcd_sn);
}

const struct tlsdev_ops nsim_tlsdev_ops = {
	.tls_dev_add	= nsim_tls_dev_add,
	.tls_dev_del	= nsim_tls_dev_del,
	.tls_dev_resync	= nsim_tls_dev_resync,
};

static bool flow_equal(const struct nsim_flow *a, const struct nsim_flow *b)
{
	if (a->family != b->family || a->sport != b->sport || a->dport != b->dport)
		return false;
	if (a->family == AF_INET)
		return a->saddr.v4 == b->saddr.v4 && a->daddr.v4 == b->daddr.v4;
	return ipv6_addr_equal(&a->saddr.v6, &b->saddr.v6) &&
	       ipv6_addr_equal(&a->daddr.v6, &b->daddr.v6);
}

/* Under rcu_read_lock: the receive context of @flow on @nd, if any. */
struct nsim_tls_ctx *nsim_rx_ctx_find(struct nsim_dev *nd, const struct nsim_flow *flow)
{
	struct nsim_tls_ctx *ctx;

	list_for_each_entry_rcu(ctx, &nd->rx_ctxs, list)
		if (flow_equal(&ctx->flow, flow))
			return ctx;
	return NULL;
}
