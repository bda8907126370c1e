// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS record walk shared by transmit and receive. A record's prefix is
 * collected before its text is touched, because the explicit IV and the
 * length in it are what the cipher needs.
 */
#include <asm/unaligned.h>
#include <crypto/algapi.h>
#include <linux/string.h>
#include <linux/skbuff.h>
#include <net/tls.h>

#include "record.h"

void nsim_rec_start(struct nsim_rec *r, u64 sn)
{
	memset(r, 0, sizeof(*r));
	r->phase = NSIM_REC_PREFIX;
	r->sn = sn;
}

bool nsim_rec_header_plausible(const u8 *h)
{
	u16 len = get_unaligned_be16(h + 3);

	/* change_cipher_spec (20) to application_data (23) */
	if (h[0] < 20 || h[0] > TLS_RECORD_TYPE_DATA)
		return false;
	if (h[1] != TLS_1_2_VERSION_MAJOR || h[2] != TLS_1_2_VERSION_MINOR)
		return false;
	return len >= NSIM_REC_OVERHEAD && len <= NSIM_REC_MAX_TEXT + NSIM_REC_OVERHEAD;
}

u32 nsim_rec_wire_len(const u8 *h)
{
	return NSIM_REC_HDR_SIZE + get_unaligned_be16(h + 3);
}

static void build_aad(const struct nsim_rec *r, const u8 *hdr, u8 aad[TLS_AAD_SPACE_SIZE])
{
	put_unaligned_be64(r->sn, aad);
	aad[8] = hdr[0];
	aad[9] = hdr[1];
	aad[10] = hdr[2];
	put_unaligned_be16(get_unaligned_be16(hdr + 3) - NSIM_REC_OVERHEAD, aad + 11);
}

/*
 * A received record that lies whole in @data, at a record boundary: one
 * call to the CPU's AES-GCM. Its wire length, 0 to use the stream, -EPROTO
 * for a header that is not one, -EBADMSG for a bad tag.
 */
static int open_whole(struct nsim_rec *r, struct nsim_gcm_key *key, u8 *data, u32 len)
{
	u8 aad[TLS_AAD_SPACE_SIZE];
	u32 wire;
	int err;

	if (r->phase != NSIM_REC_PREFIX || r->prefix_len || len < NSIM_REC_PREFIX_SIZE)
		return 0;
	if (!nsim_rec_header_plausible(data))
		return -EPROTO;
	wire = nsim_rec_wire_len(data);
	if (len < wire)
		return 0;
	build_aad(r, data, aad);
	err = nsim_gcm_whole(key, false, data + NSIM_REC_HDR_SIZE, aad, sizeof(aad), NULL,
			     data + NSIM_REC_PREFIX_SIZE, wire - NSIM_REC_PREFIX_SIZE -
			     NSIM_GCM_TAG_SIZE);
	if (err == -EAGAIN)
		return 0;
	if (err && err != -EBADMSG)
		return 0;	/* unexpected: the stream does it the slow way */
	return err ? err : wire;
}

/* Take prefix bytes; once all are in, set up the cipher for the record. */
static int take_prefix(struct nsim_rec *r, struct nsim_gcm_key *key,
		       const u8 *data, u32 *used, u32 len)
{
	u32 take = min_t(u32, len, NSIM_REC_PREFIX_SIZE - r->prefix_len);
	u8 aad[TLS_AAD_SPACE_SIZE];
	u32 text;

	memcpy(r->prefix + r->prefix_len, data, take);
	r->prefix_len += take;
	*used = take;
	if (r->prefix_len < NSIM_REC_PREFIX_SIZE)
		return 0;
	if (!nsim_rec_header_plausible(r->prefix))
		return -EPROTO;
	text = get_unaligned_be16(r->prefix + 3) - NSIM_REC_OVERHEAD;
	build_aad(r, r->prefix, aad);
	nsim_gcm_begin(&r->gcm, key, r->prefix + NSIM_REC_HDR_SIZE, aad, sizeof(aad));
	r->phase = NSIM_REC_TEXT;
	r->left = text;
	if (!text) {
		nsim_gcm_tag(&r->gcm, key, r->tag);
		r->phase = NSIM_REC_TAG;
		r->left = NSIM_GCM_TAG_SIZE;
	}
	return 0;
}

static void end_text(struct nsim_rec *r, struct nsim_gcm_key *key)
{
	nsim_gcm_tag(&r->gcm, key, r->tag);
	r->phase = NSIM_REC_TAG;
	r->left = NSIM_GCM_TAG_SIZE;
	r->tag_pos = 0;
}

static void next_record(struct nsim_rec *r)
{
	nsim_rec_start(r, r->sn + 1);
}

int nsim_rec_seal_sg(struct nsim_rec *r, struct nsim_gcm_key *key, const u8 *prefix, u32 wire,
		     struct scatterlist *src, struct scatterlist *dst)
{
	u8 aad[TLS_AAD_SPACE_SIZE];

	if (!nsim_rec_header_plausible(prefix) || nsim_rec_wire_len(prefix) != wire)
		return -EPROTO;
	build_aad(r, prefix, aad);
	return nsim_gcm_seal_sg(key, prefix + NSIM_REC_HDR_SIZE, aad, sizeof(aad), src, dst,
				wire - NSIM_REC_PREFIX_SIZE - NSIM_GCM_TAG_SIZE);
}

static bool corrupt_next(const struct nsim_rec_tx_ops *ops)
{
	return ops && ops->corrupt_next && ops->corrupt_next(ops->arg);
}

/* Bring plaintext into place, when it lives elsewhere. */
static int load(const struct nsim_rec_tx_ops *ops, u8 *data, u32 len)
{
	return ops && ops->load ? ops->load(ops->arg, data, len) : 0;
}

/*
 * A record whole within @len bytes, at a record boundary: one AEAD call,
 * reading the plaintext where it lies. Its wire length; 0 to stream it.
 */
static int seal_whole(struct nsim_rec *r, struct nsim_gcm_key *key, u8 *data, u32 len,
		      const struct nsim_rec_tx_ops *ops, struct nsim_rec_stats *st)
{
	struct scatterlist src[MAX_SKB_FRAGS + 2];
	u8 aad[TLS_AAD_SPACE_SIZE];
	u32 wire, text;
	int nents = 0, err;

	if (len < NSIM_REC_PREFIX_SIZE || load(ops, data, NSIM_REC_PREFIX_SIZE))
		return 0;
	if (!nsim_rec_header_plausible(data))
		return -EPROTO;
	wire = nsim_rec_wire_len(data);
	if (len < wire)
		return 0;
	text = wire - NSIM_REC_PREFIX_SIZE - NSIM_GCM_TAG_SIZE;
	if (ops && ops->source) {
		sg_init_table(src, ARRAY_SIZE(src));
		nents = ops->source(ops->arg, data + NSIM_REC_PREFIX_SIZE, text + NSIM_GCM_TAG_SIZE,
				    src + 1, ARRAY_SIZE(src) - 1);
		if (nents > 0)
			sg_mark_end(&src[nents]);
	}
	if (nents <= 0 && load(ops, data + NSIM_REC_PREFIX_SIZE, text))
		return 0;
	build_aad(r, data, aad);
	err = nsim_gcm_whole(key, true, data + NSIM_REC_HDR_SIZE, aad, sizeof(aad),
			     nents > 0 ? src : NULL, data + NSIM_REC_PREFIX_SIZE, text);
	if (err)
		return 0;	/* -EAGAIN: no SIMD here; the stream does it */
	if (corrupt_next(ops)) {
		data[NSIM_REC_PREFIX_SIZE] ^= 0x5a;
		st->corrupted++;
	}
	st->records_done++;
	next_record(r);
	return wire;
}

int nsim_rec_encrypt(struct nsim_rec *r, struct nsim_gcm_key *key, u8 *data, u32 len,
		     const struct nsim_rec_tx_ops *ops, struct nsim_rec_stats *st)
{
	while (len) {
		u32 used;
		int err;

		switch (r->phase) {
		case NSIM_REC_PREFIX:
			if (!r->prefix_len) {
				err = seal_whole(r, key, data, len, ops, st);
				if (err < 0)
					return err;
				if (err > 0) {
					used = err;
					break;
				}
				if (ops && ops->straddle &&
				    !ops->straddle(ops->arg, r, data, len, st)) {
					next_record(r);
					used = len;
					break;
				}
			}
			if (load(ops, data, min_t(u32, len, NSIM_REC_PREFIX_SIZE - r->prefix_len)))
				return -EIO;
			err = take_prefix(r, key, data, &used, len);
			if (err)
				return err;
			if (r->phase != NSIM_REC_PREFIX)
				r->corrupt = corrupt_next(ops);
			break;
		case NSIM_REC_TEXT:
			used = min(len, r->left);
			if (load(ops, data, used))
				return -EIO;
			nsim_gcm_encrypt(&r->gcm, key, data, data, used);
			/* Damage after hashing: the tag stays the true one. */
			if (r->corrupt) {
				data[0] ^= 0x5a;
				r->corrupt = false;
				st->corrupted++;
			}
			r->left -= used;
			if (!r->left)
				end_text(r, key);
			break;
		case NSIM_REC_TAG:
			used = min(len, r->left);
			memcpy(data, r->tag + r->tag_pos, used);
			r->tag_pos += used;
			r->left -= used;
			if (!r->left) {
				st->records_done++;
				next_record(r);
			}
			break;
		default:
			return -EPROTO;
		}
		data += used;
		len -= used;
	}
	return 0;
}

int nsim_rec_decrypt(struct nsim_rec *r, struct nsim_gcm_key *key,
		     u8 *data, u32 len, struct nsim_rec_stats *st)
{
	while (len) {
		u32 used;
		int err;

		switch (r->phase) {
		case NSIM_REC_PREFIX:
			err = open_whole(r, key, data, len);
			if (err == -EPROTO)
				return err;
			if (err) {
				used = err > 0 ? err : nsim_rec_wire_len(data);
				st->records_done++;
				if (err == -EBADMSG)
					st->tags_bad++;
				next_record(r);
				break;
			}
			err = take_prefix(r, key, data, &used, len);
			if (err)
				return err;
			break;
		case NSIM_REC_TEXT:
			used = min(len, r->left);
			nsim_gcm_decrypt(&r->gcm, key, data, data, used);
			r->left -= used;
			if (!r->left)
				end_text(r, key);
			break;
		case NSIM_REC_TAG:
			used = min(len, r->left);
			if (crypto_memneq(data, r->tag + r->tag_pos, used))
				r->tag_differs = true;
			r->tag_pos += used;
			r->left -= used;
			if (!r->left) {
				st->records_done++;
				if (r->tag_differs)
					st->tags_bad++;
				next_record(r);
			}
			break;
		default:
			return -EPROTO;
		}
		data += used;
		len -= used;
	}
	return 0;
}
