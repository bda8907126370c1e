// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS record walk shared by transmit and receive. A record's prefix is
 * collected before its text is touched, because the explicit IV and the
 * length in it are what the cipher needs.
 */
#include <asm/unaligned.h>
#include <crypto/algapi.h>
#include <linux/string.h>
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

/* Take prefix bytes; once all are in, set up the cipher for the record. */
static int take_prefix(struct nsim_rec *r, const struct nsim_gcm_key *key,
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
	put_unaligned_be64(r->sn, aad);
	aad[8] = r->prefix[0];
	aad[9] = r->prefix[1];
	aad[10] = r->prefix[2];
	put_unaligned_be16(text, aad + 11);
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

static void end_text(struct nsim_rec *r, const struct nsim_gcm_key *key)
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

int nsim_rec_encrypt(struct nsim_rec *r, const struct nsim_gcm_key *key,
		     u8 *data, u32 len, bool (*corrupt_next)(void *arg),
		     void *arg, struct nsim_rec_stats *st)
{
	while (len) {
		u32 used;
		int err;

		switch (r->phase) {
		case NSIM_REC_PREFIX:
			err = take_prefix(r, key, data, &used, len);
			if (err)
				return err;
			if (r->phase != NSIM_REC_PREFIX && corrupt_next)
				r->corrupt = corrupt_next(arg);
			break;
		case NSIM_REC_TEXT:
			used = min(len, r->left);
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

int nsim_rec_decrypt(struct nsim_rec *r, const struct nsim_gcm_key *key,
		     u8 *data, u32 len, struct nsim_rec_stats *st)
{
	while (len) {
		u32 used;
		int err;

		switch (r->phase) {
		case NSIM_REC_PREFIX:
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
