// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: for flows with a receive context, decrypt records in place as
 * they stream by and check every tag. An skb is marked decrypted only if
 * all its record bytes were decrypted and every tag ending in it verified;
 * otherwise it goes up exactly as it came off the wire and the kernel does
 * the work in software.
 *
 * After a gap in the sequence the context stops decrypting, looks for a
 * record header, asks the stack to confirm it (DRIVER_REQ resync), follows
 * the record headers from there, and once confirmed resumes at the next
 * record boundary.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "nsim.h"

/* Headers followed without the stack confirming before we look again. */
#define NSIM_RX_TRACK_LIMIT 64

/*
 * The flow and TCP payload (@off and @len in the linear data) of an IPv4 or
 * IPv6 TCP packet; -1 if not one, or if its header lengths do not add up
 * within the packet (the stack drops those; the payload must not be taken
 * for a flow's data meanwhile). Padding after the IP length is not payload.
 */
static int parse_tcp(struct sk_buff *skb, struct nsim_flow *flow, u32 *off, u32 *len, u32 *seq)
{
	const struct tcphdr *th;
	u32 l3, end, l4;

	memset(flow, 0, sizeof(*flow));
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -1;
		iph = (const struct iphdr *)skb->data;
		if (iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
		    ip_is_fragment(iph))
			return -1;
		l3 = iph->ihl * 4;
		end = ntohs(iph->tot_len);
		flow->family = AF_INET;
		flow->saddr.v4 = iph->saddr;
		flow->daddr.v4 = iph->daddr;
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6;

		if (!pskb_may_pull(skb, sizeof(*ip6)))
			return -1;
		ip6 = (const struct ipv6hdr *)skb->data;
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_TCP)
			return -1;
		l3 = sizeof(*ip6);
		end = l3 + ntohs(ip6->payload_len);
		flow->family = AF_INET6;
		flow->saddr.v6 = ip6->saddr;
		flow->daddr.v6 = ip6->daddr;
	} else {
		return -1;
	}
	if (end > skb->len || end < l3 + sizeof(*th) || !pskb_may_pull(skb, l3 + sizeof(*th)))
		return -1;
	th = (const struct tcphdr *)(skb->data + l3);
	l4 = th->doff * 4;
	if (l4 < sizeof(*th) || l3 + l4 >= end || !pskb_may_pull(skb, l3 + l4))
		return -1;
	th = (const struct tcphdr *)(skb->data + l3);
	flow->sport = th->source;
	flow->dport = th->dest;
	*off = l3 + l4;
	*len = end - *off;
	*seq = ntohl(th->seq);
	return 0;
}

/*
 * Decrypt [skip, len) of the payload as the stream's continuation. The
 * bytes are kept only if the whole payload could be marked decrypted.
 */
static bool rx_decrypt(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 skip)
{
	struct nsim_rec_stats st = {};
	struct nsim_dev *nd = ctx->dev;
	u8 *wire;
	int err;

	wire = kmalloc(len - skip, GFP_ATOMIC);
	if (!wire) {
		ctx->rx_sync = NSIM_RX_SEARCHING;	/* cannot keep the wire copy */
		return false;
	}
	memcpy(wire, data + skip, len - skip);
	err = nsim_rec_decrypt(&ctx->rec, &ctx->key, data + skip, len - skip, &st);
	ctx->expected_seq += len - skip;
	if (err)
		ctx->rx_sync = NSIM_RX_SEARCHING;	/* not a record where one should be */
	if (st.tags_bad)
		nsim_stat_add(nd, NSIM_RX_TLS_ERR, st.tags_bad);
	if (err || st.tags_bad || skip) {
		memcpy(data + skip, wire, len - skip);
		kfree(wire);
		return false;
	}
	kfree(wire);
	nsim_stat_add(nd, NSIM_RX_TLS_DECRYPTED_PACKETS, 1);
	nsim_stat_add(nd, NSIM_RX_TLS_DECRYPTED_BYTES, len);
	return true;
}

/* Follow the headers in [start, len) from @k; how many, or -1 if one is not plausible. */
static int chain_in_packet(const u8 *data, u32 len, u32 k)
{
	int verified = 0;

	while (k + NSIM_REC_HDR_SIZE <= len) {
		if (!nsim_rec_header_plausible(data + k))
			return -1;
		verified++;
		k += nsim_rec_wire_len(data + k);
	}
	return verified;
}

/*
 * A record header in this payload: the first whose chain of headers holds
 * for at least two records here, else the first that holds at all.
 */
static int find_header(const u8 *data, u32 len)
{
	int fallback = -1;
	u32 k;

	for (k = 0; k + NSIM_REC_HDR_SIZE <= len; k++) {
		int chain;

		if (!nsim_rec_header_plausible(data + k))
			continue;
		chain = chain_in_packet(data, len, k);
		if (chain >= 2)
			return k;
		if (chain == 1 && fallback < 0)
			fallback = k;
	}
	return fallback;
}

static void rx_track(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 seq, bool *decrypted);

static void rx_search(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 seq)
{
	int k = find_header(data, len);
	bool ignored;

	ctx->expected_seq = seq + len;
	if (k < 0)
		return;
	ctx->rx_sync = NSIM_RX_TRACKING;
	ctx->cand_seq = seq + k;
	ctx->next_hdr_seq = seq + k;
	ctx->hdr_len = 0;
	ctx->headers_seen = 0;
	ctx->resync_tries = 0;
	ctx->confirmed = false;
	tls_offload_rx_resync_request(ctx->sk, htonl(ctx->cand_seq + TLS_HEADER_SIZE - 1));
	nsim_stat_add(ctx->dev, NSIM_RX_TLS_RESYNC_REQ_PKT, 1);
	ctx->expected_seq = seq;
	rx_track(ctx, data, len, seq, &ignored);
}

/* Confirmed and at a record boundary: decrypt from here on. */
static bool rx_resume(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 seq, u32 at)
{
	nsim_rec_start(&ctx->rec, ctx->cand_sn + ctx->headers_seen);
	ctx->rx_sync = NSIM_RX_SYNCED;
	ctx->expected_seq = seq + at;
	return rx_decrypt(ctx, data, len, at);
}

/* Walk record headers without decrypting, until confirmed and at a boundary. */
static void rx_track(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 seq, bool *decrypted)
{
	u32 end = seq + len;

	*decrypted = false;
	/* A header may have begun in an earlier packet: go on where it stopped. */
	while (before(ctx->next_hdr_seq + ctx->hdr_len, end)) {
		u32 at = ctx->next_hdr_seq + ctx->hdr_len - seq;
		u32 take;

		if (!ctx->hdr_len && ctx->confirmed) {
			*decrypted = rx_resume(ctx, data, len, seq, at);
			return;
		}
		take = min_t(u32, len - at, NSIM_REC_HDR_SIZE - ctx->hdr_len);
		memcpy(ctx->hdr + ctx->hdr_len, data + at, take);
		ctx->hdr_len += take;
		if (ctx->hdr_len < NSIM_REC_HDR_SIZE)
			break;
		if (!nsim_rec_header_plausible(ctx->hdr) ||
		    ++ctx->resync_tries > NSIM_RX_TRACK_LIMIT) {
			ctx->rx_sync = NSIM_RX_SEARCHING;	/* a false candidate */
			ctx->expected_seq = end;
			return;
		}
		ctx->next_hdr_seq += nsim_rec_wire_len(ctx->hdr);
		ctx->hdr_len = 0;
		ctx->headers_seen++;
	}
	ctx->expected_seq = end;
}

static bool rx_process(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 seq)
{
	bool decrypted = false;

	/* Entirely before where we are: a retransmission of what we saw. */
	if (!after(seq + len, ctx->expected_seq))
		return false;
	switch (ctx->rx_sync) {
	case NSIM_RX_SYNCED:
		if (!after(seq, ctx->expected_seq))
			return rx_decrypt(ctx, data, len, ctx->expected_seq - seq);
		ctx->rx_sync = NSIM_RX_SEARCHING;	/* a gap */
		fallthrough;
	case NSIM_RX_SEARCHING:
		rx_search(ctx, data, len, seq);
		return false;
	case NSIM_RX_TRACKING:
		if (seq != ctx->expected_seq) {
			ctx->rx_sync = NSIM_RX_SEARCHING;
			rx_search(ctx, data, len, seq);
			return false;
		}
		rx_track(ctx, data, len, seq, &decrypted);
		return decrypted;
	}
	return false;
}

struct sk_buff *nsim_tls_rx(struct nsim_dev *nd, struct sk_buff *skb)
{
	struct nsim_tls_ctx *ctx;
	struct nsim_flow flow;
	bool decrypted = false;
	u32 off, len, seq;

	/* A veth-like forward carries the sender's flag across: never trust it. */
	skb->decrypted = 0;
	if (list_empty(&nd->rx_ctxs) || parse_tcp(skb, &flow, &off, &len, &seq))
		return skb;
	rcu_read_lock();
	ctx = nsim_rx_ctx_find(nd, &flow);
	if (!ctx)
		goto out;
	if (skb_cloned(skb) || skb_is_nonlinear(skb)) {
		struct sk_buff *nskb = skb_copy(skb, GFP_ATOMIC);

		if (!nskb)
			goto out;	/* the kernel decrypts this one */
		consume_skb(skb);
		skb = nskb;
	}
	spin_lock(&ctx->lock);
	if (ctx->sk)
		decrypted = rx_process(ctx, skb->data + off, len, seq);
	spin_unlock(&ctx->lock);
out:
	rcu_read_unlock();
	skb->decrypted = decrypted;
	return skb;
}

/*
 * The stack reached the candidate header (@seq is its start + 4, as
 * tls_device_rx_resync_new_rec compares it) and says its record number.
 */
int nsim_rx_resync(struct nsim_tls_ctx *ctx, u32 seq, u8 *rcd_sn)
{
	spin_lock_bh(&ctx->lock);
	if (ctx->rx_sync == NSIM_RX_TRACKING &&
	    seq - (TLS_HEADER_SIZE - 1) == ctx->cand_seq && !ctx->confirmed) {
		ctx->cand_sn = get_unaligned_be64(rcd_sn);
		ctx->confirmed = true;
		nsim_stat_add(ctx->dev, NSIM_RX_TLS_RESYNC_RES_OK, 1);
	}
	spin_unlock_bh(&ctx->lock);
	return 0;
}
