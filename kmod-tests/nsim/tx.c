// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: the kernel hands us plaintext records with room for their tags.
 * In-order data continues the context's stream; anything else (a
 * retransmission) is encrypted from a state rebuilt out of the kernel's
 * record list, replaying only the part of the record before the segment.
 * The skb's pages belong to the socket's record list and page cache, so
 * the ciphertext always goes into a new skb.
 */
#include <linux/highmem.h>
#include <linux/skbuff.h>
#include <net/tcp.h>

#include "nsim.h"

static bool corrupt_this_record(void *arg)
{
	struct nsim_tls_ctx *ctx = arg;

	return nsim_fault_hit(ctx->dev, &ctx->dev->corrupt);
}

/*
 * One segment's walk: its ciphertext goes to @data (in the new skb), its
 * plaintext stays in @src from @src_off, and @data is at TCP sequence @seq.
 */
struct tx_walk {
	struct nsim_tls_ctx *ctx;
	struct tls_context *tls_ctx;
	u8 *data;
	u32 seq;
	const struct sk_buff *src;
	u32 src_off;
};

static int walk_load(void *arg, u8 *data, u32 len)
{
	struct tx_walk *w = arg;

	return skb_copy_bits(w->src, w->src_off + (u32)(data - w->data), data, len);
}

static int walk_source(void *arg, const u8 *data, u32 len, struct scatterlist *sg, int max)
{
	struct tx_walk *w = arg;

	/* skb_to_sgvec() may want more entries than @max: then copy instead. */
	if (skb_shinfo(w->src)->nr_frags + 1 > max)
		return 0;
	return skb_to_sgvec((struct sk_buff *)w->src, sg, w->src_off + (u32)(data - w->data), len);
}

static bool walk_corrupt(void *arg)
{
	struct tx_walk *w = arg;

	return corrupt_this_record(w->ctx);
}

/*
 * Under the record list's lock: copy @rec's fragment list and take a
 * reference on each page, so that the record can be read once the lock is
 * dropped (an ACK may free it meanwhile). Its wire length; 0, holding
 * nothing, if it has more fragments than a record can.
 */
static u32 hold_record(struct nsim_tls_ctx *ctx, struct tls_record_info *rec)
{
	int i;

	if (rec->num_frags > ARRAY_SIZE(ctx->rec_frags))
		return 0;
	for (i = 0; i < rec->num_frags; i++) {
		ctx->rec_frags[i] = rec->frags[i];
		get_page(skb_frag_page(&rec->frags[i]));
	}
	ctx->rec_nfrags = rec->num_frags;
	return rec->len;
}

static void release_record(struct nsim_tls_ctx *ctx)
{
	while (ctx->rec_nfrags)
		put_page(skb_frag_page(&ctx->rec_frags[--ctx->rec_nfrags]));
}

/*
 * Copy @len bytes from offset @off of the held record to @buf, mapping one
 * page at a time (a fragment may be a page-cache page, in high memory).
 * 0, or -ENODATA if the record is shorter.
 */
static int record_copy(const struct nsim_tls_ctx *ctx, u32 off, u8 *buf, u32 len)
{
	int i;

	for (i = 0; i < ctx->rec_nfrags && len; i++) {
		const skb_frag_t *f = &ctx->rec_frags[i];
		u32 size = skb_frag_size(f), n, p_off, p_len, copied;
		struct page *p;

		if (off >= size) {
			off -= size;
			continue;
		}
		n = min(size - off, len);
		skb_frag_foreach_page(f, skb_frag_off(f) + off, n, p, p_off, p_len, copied) {
			u8 *vaddr = kmap_local_page(p);

			memcpy(buf + copied, vaddr + p_off, p_len);
			kunmap_local(vaddr);
		}
		buf += n;
		len -= n;
		off = 0;
	}
	return len ? -ENODATA : 0;
}

/*
 * The held record of @wire bytes as the cipher takes it: its prefix copied
 * to ctx->rec_prefix, the rest described in ctx->rec_sg[1..] (the crypto
 * layer maps those pages itself). 0, or -ENODATA if the sizes disagree.
 */
static int record_layout(struct nsim_tls_ctx *ctx, u32 wire)
{
	u32 skip = NSIM_REC_PREFIX_SIZE, got = NSIM_REC_PREFIX_SIZE;
	int i, n = 1;

	if (record_copy(ctx, 0, ctx->rec_prefix, NSIM_REC_PREFIX_SIZE))
		return -ENODATA;
	sg_init_table(ctx->rec_sg, ARRAY_SIZE(ctx->rec_sg));
	for (i = 0; i < ctx->rec_nfrags; i++) {
		const skb_frag_t *f = &ctx->rec_frags[i];
		u32 size = skb_frag_size(f);

		if (skip >= size) {
			skip -= size;
			continue;
		}
		sg_set_page(&ctx->rec_sg[n++], skb_frag_page(f), size - skip,
			    skb_frag_off(f) + skip);
		got += size - skip;
		skip = 0;
	}
	if (n == 1 || got != wire)
		return -ENODATA;
	sg_mark_end(&ctx->rec_sg[n - 1]);
	return 0;
}

/* Where the ciphertext goes: this segment's part, then the carry for the next. */
static void carry_layout(struct nsim_tls_ctx *ctx, u8 *data, u32 len, u32 wire,
			 struct scatterlist dst[3])
{
	sg_init_table(dst, 3);
	if (len > NSIM_REC_PREFIX_SIZE) {
		memcpy(data, ctx->rec_prefix, NSIM_REC_PREFIX_SIZE);
		sg_set_buf(&dst[1], data + NSIM_REC_PREFIX_SIZE, len - NSIM_REC_PREFIX_SIZE);
		sg_set_buf(&dst[2], ctx->carry, wire - len);
	} else {
		memcpy(data, ctx->rec_prefix, len);
		memcpy(ctx->carry, ctx->rec_prefix + len, NSIM_REC_PREFIX_SIZE - len);
		sg_set_buf(&dst[1], ctx->carry + NSIM_REC_PREFIX_SIZE - len,
			   wire - NSIM_REC_PREFIX_SIZE);
		sg_mark_end(&dst[1]);
	}
}

/*
 * A record that goes on past this segment: the kernel holds all of it in
 * its record list, so encrypt it whole now (once, with the CPU's AES-GCM,
 * straight from its pages) into this segment and a carry for the next.
 */
static int walk_straddle(void *arg, struct nsim_rec *r, u8 *data, u32 len,
			 struct nsim_rec_stats *st)
{
	struct tx_walk *w = arg;
	struct nsim_tls_ctx *ctx = w->ctx;
	struct tls_offload_context_tx *octx = tls_offload_ctx_tx(w->tls_ctx);
	u32 seq = w->seq + (u32)(data - w->data), wire = 0;
	struct scatterlist dst[3];
	struct tls_record_info *rec;
	unsigned long flags;
	int err;
	u64 sn;

	spin_lock_irqsave(&octx->lock, flags);
	rec = tls_get_record(octx, seq, &sn);
	if (rec && !tls_record_is_start_marker(rec) && tls_record_start_seq(rec) == seq &&
	    sn == r->sn && rec->len > len && rec->len <= NSIM_REC_MAX_WIRE)
		wire = hold_record(ctx, rec);
	spin_unlock_irqrestore(&octx->lock, flags);
	if (!wire)
		return -EAGAIN;
	if (record_layout(ctx, wire)) {
		release_record(ctx);
		return -EAGAIN;
	}
	carry_layout(ctx, data, len, wire, dst);
	err = nsim_rec_seal_sg(r, &ctx->key, ctx->rec_prefix, wire, ctx->rec_sg, dst);
	release_record(ctx);
	if (err)
		return -EAGAIN;	/* the stream takes it from the segment itself */
	if (corrupt_this_record(ctx)) {
		if (len > NSIM_REC_PREFIX_SIZE)
			data[NSIM_REC_PREFIX_SIZE] ^= 0x5a;
		else
			ctx->carry[NSIM_REC_PREFIX_SIZE - len] ^= 0x5a;
		st->corrupted++;
	}
	ctx->carry_off = 0;
	ctx->carry_len = wire - len;
	st->records_done++;
	return 0;
}

/* The rest of a record encrypted whole for an earlier segment. */
static u32 use_carry(struct nsim_tls_ctx *ctx, u8 *data, u32 len)
{
	u32 n = min(ctx->carry_len, len);

	memcpy(data, ctx->carry + ctx->carry_off, n);
	ctx->carry_off += n;
	ctx->carry_len -= n;
	return n;
}

/* Run the first @len bytes of the held record through @walk. */
static int replay_prefix(struct nsim_rec *walk, struct nsim_gcm_key *key,
			 const struct nsim_tls_ctx *ctx, u32 len)
{
	struct nsim_rec_stats ignored = {};
	u8 scratch[256];
	u32 off, n;
	int err;

	for (off = 0; off < len; off += n) {
		n = min_t(u32, len - off, sizeof(scratch));
		err = record_copy(ctx, off, scratch, n);
		if (!err)
			err = nsim_rec_encrypt(walk, key, scratch, n, NULL, &ignored);
		if (err)
			return err;
	}
	return 0;
}

enum tx_verdict { TX_ENCRYPTED, TX_AS_IS, TX_DROP };

/*
 * A segment that is not where the stream is, where the CPU's AES-GCM cannot
 * be used: rebuild its record's state by replaying the record's prefix.
 */
static enum tx_verdict tx_out_of_order(struct nsim_tls_ctx *ctx, struct tx_walk *w,
				       u32 len, struct nsim_rec_stats *st)
{
	struct nsim_rec_tx_ops ops = { .load = walk_load, .source = walk_source, .arg = w };
	struct tls_context *tls_ctx = w->tls_ctx;
	u32 seq = w->seq;
	struct tls_offload_context_tx *octx = tls_offload_ctx_tx(tls_ctx);
	struct nsim_dev *nd = ctx->dev;
	struct tls_record_info *rec;
	struct nsim_rec walk;
	unsigned long flags;
	u32 prefix = 0;
	bool held = false;
	u64 rcd_sn;
	int err;

	spin_lock_irqsave(&octx->lock, flags);
	rec = tls_get_record(octx, seq, &rcd_sn);
	if (rec && tls_record_is_start_marker(rec)) {
		/* Sent before offload began: already in its final form. */
		spin_unlock_irqrestore(&octx->lock, flags);
		return TX_AS_IS;
	}
	if (rec) {
		prefix = seq - tls_record_start_seq(rec);
		held = hold_record(ctx, rec) != 0;
	}
	/* The crypto runs with interrupts on, on pages of our own. */
	spin_unlock_irqrestore(&octx->lock, flags);
	if (!held) {
		nsim_stat_add(nd, NSIM_TX_TLS_DROP_NO_SYNC_DATA, 1);
		return TX_DROP;
	}
	nsim_rec_start(&walk, rcd_sn);
	err = replay_prefix(&walk, &ctx->key, ctx, prefix);
	release_record(ctx);
	nsim_stat_add(nd, NSIM_TX_TLS_RESYNC_BYTES, prefix);
	if (!err)
		err = nsim_rec_encrypt(&walk, &ctx->key, w->data, len, &ops, st);
	if (err) {
		nsim_stat_add(nd, NSIM_TX_TLS_DROP_NO_SYNC_DATA, 1);
		return TX_DROP;
	}
	/* New data beyond the stream (or a stream that had lost its way). */
	if (!ctx->in_sync || after(seq + len, ctx->expected_seq)) {
		ctx->rec = walk;
		ctx->carry_len = 0;
		ctx->expected_seq = seq + len;
		ctx->in_sync = true;
	}
	return TX_ENCRYPTED;
}

/*
 * A segment off the stream (a retransmission), record by record from the
 * kernel's record list: each record it touches encrypted whole with the
 * CPU's AES-GCM into ooo_buf, and the part the segment carries copied out.
 * Returns a verdict, or -EAGAIN for the portable replay (tx_out_of_order).
 */
static int tx_ooo_whole(struct nsim_tls_ctx *ctx, struct tx_walk *w, u32 len)
{
	struct tls_offload_context_tx *octx = tls_offload_ctx_tx(w->tls_ctx);
	u32 seq = w->seq, done = 0, first_prefix = 0, tail = 0, last_wire = 0;
	u64 last_sn = 0;

	while (done < len) {
		struct tls_record_info *rec;
		struct scatterlist dst[2];
		struct nsim_rec r;
		unsigned long flags;
		u32 start = 0, wire = 0, from, n;
		int marker = 0;
		u64 sn = 0;

		spin_lock_irqsave(&octx->lock, flags);
		rec = tls_get_record(octx, seq + done, &sn);
		if (rec && tls_record_is_start_marker(rec)) {
			marker = 1;
		} else if (rec && rec->len <= NSIM_REC_MAX_WIRE) {
			start = tls_record_start_seq(rec);
			wire = hold_record(ctx, rec);
		}
		spin_unlock_irqrestore(&octx->lock, flags);
		if (wire && record_layout(ctx, wire)) {
			release_record(ctx);
			return -EAGAIN;
		}
		if (!wire) {
			if (!done && marker)
				return TX_AS_IS;	/* sent before offload began */
			if (!done && !rec) {
				nsim_stat_add(ctx->dev, NSIM_TX_TLS_DROP_NO_SYNC_DATA, 1);
				return TX_DROP;		/* acknowledged and gone */
			}
			return -EAGAIN;
		}
		nsim_rec_start(&r, sn);
		memcpy(ctx->ooo_buf, ctx->rec_prefix, NSIM_REC_PREFIX_SIZE);
		sg_init_table(dst, 2);
		sg_set_buf(&dst[1], ctx->ooo_buf + NSIM_REC_PREFIX_SIZE, wire - NSIM_REC_PREFIX_SIZE);
		if (nsim_rec_seal_sg(&r, &ctx->key, ctx->rec_prefix, wire, ctx->rec_sg, dst)) {
			release_record(ctx);
			return -EAGAIN;
		}
		release_record(ctx);
		from = seq + done - start;
		n = min(wire - from, len - done);
		if (!done)
			first_prefix = from;
		memcpy(w->data + done, ctx->ooo_buf + from, n);
		done += n;
		tail = from + n;
		last_wire = wire;
		last_sn = sn;
	}
	nsim_stat_add(ctx->dev, NSIM_TX_TLS_RESYNC_BYTES, first_prefix);
	if (!ctx->in_sync || after(seq + len, ctx->expected_seq)) {
		/* New data beyond the stream: go on from here, the record's rest carried. */
		memcpy(ctx->carry, ctx->ooo_buf + tail, last_wire - tail);
		ctx->carry_off = 0;
		ctx->carry_len = last_wire - tail;
		nsim_rec_start(&ctx->rec, last_sn + 1);
		ctx->expected_seq = seq + len;
		ctx->in_sync = true;
	}
	return TX_ENCRYPTED;
}

static enum tx_verdict tx_encrypt(struct nsim_tls_ctx *ctx, struct tx_walk *w, u32 len,
				  struct nsim_rec_stats *st)
{
	struct nsim_rec_tx_ops ops = {
		.corrupt_next = walk_corrupt, .straddle = walk_straddle,
		.load = walk_load, .source = walk_source, .arg = w,
	};
	u32 done;

	if (!ctx->sk)
		return TX_DROP;	/* context deleted under us: never send plaintext */
	if (!ctx->in_sync || w->seq != ctx->expected_seq) {
		int verdict;

		nsim_stat_add(ctx->dev, NSIM_TX_TLS_OOO, 1);
		verdict = tx_ooo_whole(ctx, w, len);
		return verdict >= 0 ? verdict : tx_out_of_order(ctx, w, len, st);
	}
	done = use_carry(ctx, w->data, len);
	w->data += done;
	w->seq += done;
	w->src_off += done;
	if (nsim_rec_encrypt(&ctx->rec, &ctx->key, w->data, len - done, &ops, st)) {
		ctx->in_sync = false;
		ctx->carry_len = 0;
		nsim_stat_add(ctx->dev, NSIM_TX_TLS_DROP_NO_SYNC_DATA, 1);
		return TX_DROP;
	}
	ctx->expected_seq += len;
	return TX_ENCRYPTED;
}

/* A private copy of @skb's headers, with room for its payload. */
static struct sk_buff *new_skb_like(struct sk_buff *skb, u32 payload_off)
{
	struct sk_buff *nskb = alloc_skb(skb_headroom(skb) + skb->len, GFP_ATOMIC);

	if (!nskb)
		return NULL;
	skb_reserve(nskb, skb_headroom(skb));
	skb_put(nskb, skb->len);
	skb_copy_header(nskb, skb);
	if (skb_copy_bits(skb, 0, nskb->data, payload_off)) {
		kfree_skb(nskb);
		return NULL;
	}
	return nskb;
}

struct sk_buff *nsim_tls_tx(struct nsim_dev *nd, struct sk_buff *skb)
{
	struct nsim_rec_stats st = {};
	struct tls_context *tls_ctx;
	struct sock *sk = skb->sk;
	struct nsim_tls_ctx *ctx;
	enum tx_verdict verdict;
	struct sk_buff *nskb;
	struct tx_walk w;
	u32 off, len, seq;

	if (!sk || !tls_is_sk_tx_device_offloaded(sk))
		return skb;
	tls_ctx = tls_get_ctx(sk);
	/* Offloaded to another device: the core encrypted it in software. */
	if (rcu_access_pointer(tls_ctx->netdev) != nd->netdev)
		return skb;
	ctx = *(struct nsim_tls_ctx **)tls_driver_ctx(sk, TLS_OFFLOAD_CTX_DIR_TX);
	off = skb_transport_offset(skb) + tcp_hdrlen(skb);
	if (!ctx || skb->len <= off)
		return skb;
	len = skb->len - off;
	seq = ntohl(tcp_hdr(skb)->seq);

	/* The skb's pages are the socket's record list: write elsewhere. */
	nskb = new_skb_like(skb, off);
	if (!nskb) {
		kfree_skb(skb);
		return NULL;
	}
	w = (struct tx_walk){
		.ctx = ctx, .tls_ctx = tls_ctx, .data = nskb->data + off, .seq = seq,
		.src = skb, .src_off = off,
	};
	spin_lock(&ctx->lock);
	verdict = tx_encrypt(ctx, &w, len, &st);
	spin_unlock(&ctx->lock);

	if (verdict == TX_AS_IS && skb_copy_bits(skb, off, nskb->data + off, len))
		verdict = TX_DROP;
	consume_skb(skb);
	if (verdict == TX_DROP) {
		kfree_skb(nskb);
		return NULL;
	}
	if (verdict == TX_ENCRYPTED) {
		nsim_stat_add(nd, NSIM_TX_TLS_ENCRYPTED_PACKETS, 1);
		nsim_stat_add(nd, NSIM_TX_TLS_ENCRYPTED_BYTES, len);
		if (st.corrupted)
			nsim_stat_add(nd, NSIM_FAULT_CORRUPTED, st.corrupted);
	}
	return nskb;
}

int nsim_tx_resync(struct nsim_tls_ctx *ctx, u32 seq, u8 *rcd_sn)
{
	spin_lock_bh(&ctx->lock);
	nsim_rec_start(&ctx->rec, get_unaligned_be64(rcd_sn));
	ctx->expected_seq = seq;
	ctx->in_sync = true;
	ctx->carry_len = 0;
	spin_unlock_bh(&ctx->lock);
	return 0;
}
