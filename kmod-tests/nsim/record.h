/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.2 AES-GCM records as a byte stream: header and explicit IV, text,
 * tag. The same walk encrypts on transmit (filling in the tag) and
 * decrypts on receive (checking it), whatever the segmentation.
 */
#ifndef KTLS_NSIM_RECORD_H
#define KTLS_NSIM_RECORD_H

#include <linux/types.h>

#include "gcm.h"

#define NSIM_REC_HDR_SIZE	5
#define NSIM_REC_PREFIX_SIZE	(NSIM_REC_HDR_SIZE + NSIM_GCM_IV_SIZE)
#define NSIM_REC_OVERHEAD	(NSIM_GCM_IV_SIZE + NSIM_GCM_TAG_SIZE)
#define NSIM_REC_MAX_TEXT	16384
#define NSIM_REC_MAX_WIRE	(NSIM_REC_HDR_SIZE + NSIM_REC_MAX_TEXT + NSIM_REC_OVERHEAD)

enum nsim_rec_phase {
	NSIM_REC_PREFIX,	/* header and explicit IV, in the clear */
	NSIM_REC_TEXT,
	NSIM_REC_TAG,
};

struct nsim_rec {
	enum nsim_rec_phase phase;
	u8 prefix[NSIM_REC_PREFIX_SIZE];
	u8 prefix_len;
	u32 left;		/* bytes left of TEXT or TAG */
	u64 sn;			/* this record's sequence number */
	struct nsim_gcm gcm;
	u8 tag[NSIM_GCM_TAG_SIZE];
	u8 tag_pos;
	bool tag_differs;	/* receive: a tag byte did not match */
	bool corrupt;		/* transmit: damage this record's text */
};

/* What one piece of stream did. */
struct nsim_rec_stats {
	u32 records_done;	/* records whose tag was written or checked */
	u32 tags_bad;		/* receive: tags that did not verify */
	u32 corrupted;		/* transmit: records damaged on purpose */
};

/* Start at a record boundary; @sn is that record's sequence number. */
void nsim_rec_start(struct nsim_rec *r, u64 sn);

/* 1 if the 5 bytes at @h can start a TLS 1.2 AES-GCM record. */
bool nsim_rec_header_plausible(const u8 *h);

/* Total length on the wire of the record whose header is @h. */
u32 nsim_rec_wire_len(const u8 *h);

/* What the transmit side may add to the walk; any member may be NULL. */
struct nsim_rec_tx_ops {
	/* For each new record: damage one byte of its ciphertext? */
	bool (*corrupt_next)(void *arg);
	/*
	 * A record starts at @data but does not end within its @len bytes:
	 * encrypt all of it elsewhere, fill @data, keep the rest for later.
	 * Returns 0 if done (the walk moves to the next record), else the
	 * walk streams the record itself.
	 */
	int (*straddle)(void *arg, struct nsim_rec *r, u8 *data, u32 len,
			struct nsim_rec_stats *st);
	/*
	 * Out of place: the plaintext is elsewhere and @data is where the
	 * ciphertext goes. load() copies the plaintext of [@data, +@len) into
	 * place (for the stream); source() describes it as a scatterlist from
	 * @sg[1] on (for whole records: read once, written once), returning
	 * how many entries, or <= 0 to load instead.
	 */
	int (*load)(void *arg, u8 *data, u32 len);
	int (*source)(void *arg, const u8 *data, u32 len, struct scatterlist *sg, int max);
	void *arg;
};

/*
 * Encrypt @len bytes of plaintext records in place. 0, or -EPROTO if a
 * header is not a record header.
 */
int nsim_rec_encrypt(struct nsim_rec *r, struct nsim_gcm_key *key, u8 *data, u32 len,
		     const struct nsim_rec_tx_ops *ops, struct nsim_rec_stats *st);

/*
 * Encrypt the whole record that starts with @prefix, as record @r->sn,
 * from @src[1..] into @dst[1..] (both: what follows the prefix, @wire
 * bytes in all) with the CPU's AES-GCM. 0; -EAGAIN if that cannot be done
 * here; -EPROTO if @prefix is not a record header.
 */
int nsim_rec_seal_sg(struct nsim_rec *r, struct nsim_gcm_key *key, const u8 *prefix, u32 wire,
		     struct scatterlist *src, struct scatterlist *dst);

/* Decrypt @len bytes of records in place, checking tags; as above. */
int nsim_rec_decrypt(struct nsim_rec *r, struct nsim_gcm_key *key,
		     u8 *data, u32 len, struct nsim_rec_stats *st);

#endif
