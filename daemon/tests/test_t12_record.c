// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.2 record protection (t13_aead_*12) against BearSSL's own TLS 1.2
 * record layer (br_sslrec_*_gcm and br_sslrec_*_chapol), for each of the
 * six ECDHE suites: the same bytes sealed, each side opening the other's
 * records, sequence numbers advancing; then every refusal the header
 * promises. BearSSL's side runs its portable code (aes_ct64, ghash_ctmul64,
 * chacha20_ct, poly1305_ctmul), ours whatever this CPU runs fastest, so two
 * implementations of each primitive meet as well as two record layers.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktlsd_ktls.h"
#include "tls13/aead.h"
#include "tap.h"

/* RFC 5246 §6.2.3: a fragment holds at most 2^14 + 2048 bytes. */
#define MAX_FRAGMENT	(T13_MAX_PLAINTEXT + 2048)
#define BUF_LEN		(T13_RECORD_HEADER + MAX_FRAGMENT + 64)
#define GCM_SALT	4	/* RFC 5288 §3: the implicit part of the nonce */

/* The six TLS 1.2 suites kTLS carries (ktlsd_ktls.h). */
static const uint16_t suites12[] = {
	KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256,
	KTLSD_SUITE_ECDHE_RSA_AES128_GCM_SHA256,
	KTLSD_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384,
	KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384,
	KTLSD_SUITE_ECDHE_RSA_CHACHA20_POLY1305,
	KTLSD_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305,
};
#define N_SUITES (sizeof(suites12) / sizeof(suites12[0]))

/* The records sent in a row: every length with every type. */
static const size_t lengths[] = { 0, 1, 1000, 16384 };
static const uint8_t types[] = { T13_CT_ALERT, T13_CT_HANDSHAKE, T13_CT_APPLICATION_DATA };
#define N_LENGTHS (sizeof(lengths) / sizeof(lengths[0]))
#define N_TYPES (sizeof(types) / sizeof(types[0]))
#define N_RECORDS (N_LENGTHS * N_TYPES)

/* One suite's keys, from a fixed byte pattern (no RNG needed). */
struct suite_keys {
	const struct ktlsd_suite_info *info;
	int chacha;
	uint8_t key[32];
	uint8_t iv[12];
};

/*
 * BearSSL's record contexts, as its engine holds them: the vtable pointer
 * first in each, so &vtable is the context the generic calls take.
 */
union br_out {
	const br_sslrec_out_class *vtable;
	br_sslrec_gcm_context gcm;
	br_sslrec_chapol_context chapol;
};

union br_in {
	const br_sslrec_in_class *vtable;
	br_sslrec_gcm_context gcm;
	br_sslrec_chapol_context chapol;
};

static void keys_for(struct suite_keys *k, uint16_t suite, unsigned salt)
{
	k->info = ktlsd_suite_by_id(suite);
	k->chacha = k->info && k->info->cipher == KTLSD_CIPHER_CHACHA20_POLY1305;
	for (size_t i = 0; i < sizeof(k->key); i++)
		k->key[i] = (uint8_t)(0x11 * salt + 3 * i + 1);
	for (size_t i = 0; i < sizeof(k->iv); i++)
		k->iv[i] = (uint8_t)(0xa0 + salt + 7 * i);
}

static size_t explicit_of(const struct suite_keys *k)
{
	return k->chacha ? 0 : T12_GCM_EXPLICIT_NONCE;
}

static void br_out_init(union br_out *o, const struct suite_keys *k)
{
	if (k->chacha)
		br_sslrec_out_chapol_vtable.init(&o->chapol.vtable.out, &br_chacha20_ct_run,
						 &br_poly1305_ctmul_run, k->key, k->iv);
	else
		br_sslrec_out_gcm_vtable.init(&o->gcm.vtable.out, &br_aes_ct64_ctr_vtable,
					      k->key, k->info->key_len, &br_ghash_ctmul64,
					      k->iv);
}

static void br_in_init(union br_in *in, const struct suite_keys *k)
{
	if (k->chacha)
		br_sslrec_in_chapol_vtable.init(&in->chapol.vtable.in, &br_chacha20_ct_run,
						&br_poly1305_ctmul_run, k->key, k->iv);
	else
		br_sslrec_in_gcm_vtable.init(&in->gcm.vtable.in, &br_aes_ct64_ctr_vtable,
					     k->key, k->info->key_len, &br_ghash_ctmul64,
					     k->iv);
}

/*
 * BearSSL seals @plain into @buf the way its engine does: max_plaintext()
 * says where the plaintext goes (room for the header and explicit nonce
 * before it, the tag after), encrypt() builds the record around it.
 * Returns the record's length, 0 if it did not land at @buf.
 */
static size_t br_seal(union br_out *o, uint8_t type, const uint8_t *plain, size_t len,
		      uint8_t *buf, size_t buf_len)
{
	size_t start = T13_RECORD_HEADER, end = buf_len;
	unsigned char *rec;

	o->vtable->max_plaintext(&o->vtable, &start, &end);
	if (end - start < len)
		return 0;
	memcpy(buf + start, plain, len);
	rec = o->vtable->encrypt(&o->vtable, type, T12_VERSION, buf + start, &len);
	return rec == buf ? len : 0;
}

/* BearSSL opens the record @rec in place: its plaintext, or NULL. */
static const uint8_t *br_open(union br_in *in, uint8_t *rec, size_t rec_len, size_t *len)
{
	*len = rec_len - T13_RECORD_HEADER;
	if (!in->vtable->check_length(&in->vtable, *len))
		return NULL;
	return in->vtable->decrypt(&in->vtable, rec[0], t13_get16(rec + 1),
				   rec + T13_RECORD_HEADER, len);
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/*
 * A record built by hand, without t13_aead_seal12(): with the explicit
 * nonce @explicit (GCM) and for the sequence number @seq, from the RFCs'
 * definitions: GCM nonce = salt || explicit (RFC 5288 §3), ChaCha20 nonce
 * = IV xor the left-padded seq (RFC 7905 §2), AAD = seq || type || version
 * || length (RFC 5246 §6.2.3.3). It may break limits seal12 keeps.
 * @bad_tag flips a tag bit. Returns the record's length.
 */
static size_t hand_record(const struct t13_aead *a, const struct suite_keys *k, uint64_t seq,
			  uint64_t explicit, uint8_t type, const uint8_t *plain, size_t len,
			  int bad_tag, uint8_t *out)
{
	size_t ex = explicit_of(k);
	uint8_t nonce[T13_AEAD_NONCE], aad[13], *body = out + T13_RECORD_HEADER + ex;

	out[0] = type;
	t13_put16(out + 1, T12_VERSION);
	t13_put16(out + 3, (unsigned)(ex + len + T13_AEAD_TAG));
	memcpy(nonce, k->iv, T13_AEAD_NONCE);
	if (k->chacha) {
		uint8_t s[8];

		put64(s, seq);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= s[i];
	} else {
		put64(out + T13_RECORD_HEADER, explicit);
		memcpy(nonce + GCM_SALT, out + T13_RECORD_HEADER, 8);
	}
	put64(aad, seq);
	memcpy(aad + 8, out, 3);
	t13_put16(aad + 11, (unsigned)len);
	memmove(body, plain, len);
	t13_aead_encrypt(a, nonce, aad, sizeof(aad), body, len, body + len);
	if (bad_tag)
		body[len + T13_AEAD_TAG - 1] ^= 0x01;
	return T13_RECORD_HEADER + ex + len + T13_AEAD_TAG;
}

/* How many bytes of @p equal @want's: few if @p holds no plaintext. */
static size_t same_bytes(const uint8_t *p, const uint8_t *want, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == want[i];
	return n;
}

struct bufs {
	uint8_t plain[BUF_LEN];
	uint8_t ours[BUF_LEN];
	uint8_t theirs[BUF_LEN];
	uint8_t spare[BUF_LEN];
};

/*
 * N_RECORDS records in a row, both ways: ours and BearSSL's sealers give
 * the same bytes, BearSSL opens ours, ours opens BearSSL's.
 */
static void test_interop(const struct suite_keys *k, struct bufs *b)
{
	const char *name = k->info->name;
	struct t13_aead seal, open;
	union br_out bout;
	union br_in bin;
	int same = 1, br_opens = 1, we_open = 1, sizes = 1;

	ok(t13_aead_init12(&seal, k->info->suite, k->key, k->iv) == 0 &&
	   t13_aead_init12(&open, k->info->suite, k->key, k->iv) == 0,
	   "%s: init12 takes the suite", name);
	ok(t13_aead_overhead12(&seal) == (k->chacha ? 16u : 24u),
	   "%s: overhead12 is %u", name, k->chacha ? 16u : 24u);
	br_out_init(&bout, k);
	br_in_init(&bin, k);
	for (size_t n = 0; n < N_RECORDS; n++) {
		size_t len = lengths[n % N_LENGTHS], rec_len, br_len, plain_len, off;
		uint8_t type = types[n / N_LENGTHS];
		const uint8_t *p;
		int r;

		fill(b->plain, len, (unsigned)n);
		rec_len = t13_aead_seal12(&seal, type, b->plain, len, b->ours);
		br_len = br_seal(&bout, type, b->plain, len, b->theirs, BUF_LEN);
		if (rec_len != T13_RECORD_HEADER + len + t13_aead_overhead12(&seal) ||
		    seal.seq != n + 1) {
			diag("record %zu: length %zu, seq %llu", n, rec_len,
			     (unsigned long long)seal.seq);
			sizes = 0;
		}
		if (rec_len != br_len || memcmp(b->ours, b->theirs, rec_len)) {
			diag("record %zu (type %u, %zu bytes): ours and BearSSL's differ", n,
			     type, len);
			same = 0;
		}
		p = br_open(&bin, b->ours, rec_len, &plain_len);
		if (!p || plain_len != len || memcmp(p, b->plain, len)) {
			diag("record %zu: BearSSL does not open ours", n);
			br_opens = 0;
		}
		r = t13_aead_open12(&open, b->theirs, br_len, &off, &plain_len);
		if (r || off != T13_RECORD_HEADER + explicit_of(k) || plain_len != len ||
		    memcmp(b->theirs + off, b->plain, len) || open.seq != n + 1) {
			diag("record %zu: open12 gives %d", n, r);
			we_open = 0;
		}
	}
	ok(sizes, "%s: seal12 gives header + data + overhead, seq advancing", name);
	ok(same, "%s: seal12 and BearSSL seal %zu records alike", name, N_RECORDS);
	ok(br_opens, "%s: BearSSL opens the %zu records seal12 made", name, N_RECORDS);
	ok(we_open, "%s: open12 opens the %zu records BearSSL made", name, N_RECORDS);
	t13_aead_wipe(&seal);
	t13_aead_wipe(&open);
}

/* Sealing in place (@data at the body's place in @out) gives the same bytes. */
static void test_in_place(const struct suite_keys *k, struct bufs *b)
{
	struct t13_aead x, y;
	size_t at = T13_RECORD_HEADER + explicit_of(k), r1, r2;

	t13_aead_init12(&x, k->info->suite, k->key, k->iv);
	t13_aead_init12(&y, k->info->suite, k->key, k->iv);
	fill(b->plain, 1000, 5);
	memcpy(b->spare + at, b->plain, 1000);
	r1 = t13_aead_seal12(&x, T13_CT_APPLICATION_DATA, b->plain, 1000, b->ours);
	r2 = t13_aead_seal12(&y, T13_CT_APPLICATION_DATA, b->spare + at, 1000, b->spare);
	ok(r1 && r1 == r2 && !memcmp(b->ours, b->spare, r1), "%s: sealing in place",
	   k->info->name);
}

/*
 * Flip one bit at @at of a good record: open12 must refuse it with
 * BAD_RECORD_MAC, leave no plaintext, and keep seq, so that the intact
 * record opens after.
 */
static void flip_one(const struct suite_keys *k, struct bufs *b, size_t len, size_t rec_len,
		     size_t at, const char *part)
{
	size_t off, plain_len, body = T13_RECORD_HEADER + explicit_of(k);
	struct t13_aead a;
	int r;

	t13_aead_init12(&a, k->info->suite, k->key, k->iv);
	memcpy(b->spare, b->ours, rec_len);
	b->spare[at] ^= 0x04;
	r = t13_aead_open12(&a, b->spare, rec_len, &off, &plain_len);
	ok(r == -T13_ALERT_BAD_RECORD_MAC && a.seq == 0 &&
	   same_bytes(b->spare + body, b->plain, len) < len / 2,
	   "%s: a bit flipped in the %s: bad_record_mac, no plaintext, seq kept (%d)",
	   k->info->name, part, r);
	memcpy(b->spare, b->ours, rec_len);
	r = t13_aead_open12(&a, b->spare, rec_len, &off, &plain_len);
	ok(r == 0 && plain_len == len && a.seq == 1, "%s: the intact record opens after (%d)",
	   k->info->name, r);
	t13_aead_wipe(&a);
}

static void test_tamper(const struct suite_keys *k, struct bufs *b)
{
	size_t len = 1000, ex = explicit_of(k), rec_len;
	struct t13_aead a;

	t13_aead_init12(&a, k->info->suite, k->key, k->iv);
	fill(b->plain, len, 9);
	rec_len = t13_aead_seal12(&a, T13_CT_APPLICATION_DATA, b->plain, len, b->ours);
	t13_aead_wipe(&a);
	flip_one(k, b, len, rec_len, 0, "header type");
	flip_one(k, b, len, rec_len, 2, "header version");
	if (ex)
		flip_one(k, b, len, rec_len, T13_RECORD_HEADER + 3, "explicit nonce");
	flip_one(k, b, len, rec_len, T13_RECORD_HEADER + ex + len / 2, "ciphertext");
	flip_one(k, b, len, rec_len, rec_len - 1, "tag");
}

/* A record whose header or fragment length is wrong, opened with @a at seq 0. */
static void test_framing(const struct suite_keys *k, struct bufs *b)
{
	const char *name = k->info->name;
	size_t ex = explicit_of(k), off, len, rec_len;
	struct t13_aead a;
	int r;

	t13_aead_init12(&a, k->info->suite, k->key, k->iv);
	fill(b->plain, 100, 3);
	rec_len = t13_aead_seal12(&a, T13_CT_HANDSHAKE, b->plain, 100, b->ours);
	a.seq = 0;

	r = t13_aead_open12(&a, b->ours, 4, &off, &len);
	ok(r == -T13_ALERT_DECODE_ERROR, "%s: 4 bytes: decode_error (%d)", name, r);
	r = t13_aead_open12(&a, b->ours, rec_len - 1, &off, &len);
	ok(r == -T13_ALERT_DECODE_ERROR, "%s: header length > fragment: decode_error (%d)",
	   name, r);
	t13_put16(b->ours + 3, (unsigned)(rec_len - T13_RECORD_HEADER - 1));
	r = t13_aead_open12(&a, b->ours, rec_len, &off, &len);
	ok(r == -T13_ALERT_DECODE_ERROR, "%s: header length < fragment: decode_error (%d)",
	   name, r);

	/* Shorter than explicit nonce + tag: nothing to authenticate. */
	memset(b->spare, 0, BUF_LEN);
	b->spare[0] = T13_CT_APPLICATION_DATA;
	t13_put16(b->spare + 1, T12_VERSION);
	t13_put16(b->spare + 3, (unsigned)(ex + T13_AEAD_TAG - 1));
	r = t13_aead_open12(&a, b->spare, T13_RECORD_HEADER + ex + T13_AEAD_TAG - 1, &off, &len);
	ok(r == -T13_ALERT_BAD_RECORD_MAC, "%s: fragment of %zu bytes: bad_record_mac (%d)",
	   name, ex + T13_AEAD_TAG - 1, r);

	/* 2^14 + 2049: too long before any key is used (RFC 5246 §6.2.3). */
	t13_put16(b->spare + 3, MAX_FRAGMENT + 1);
	r = t13_aead_open12(&a, b->spare, T13_RECORD_HEADER + MAX_FRAGMENT + 1, &off, &len);
	ok(r == -T13_ALERT_RECORD_OVERFLOW, "%s: fragment of 2^14 + 2049: record_overflow (%d)",
	   name, r);
	/* 2^14 + 2048 is a length the wire allows: the tag decides. */
	t13_put16(b->spare + 3, MAX_FRAGMENT);
	r = t13_aead_open12(&a, b->spare, T13_RECORD_HEADER + MAX_FRAGMENT, &off, &len);
	ok(r == -T13_ALERT_BAD_RECORD_MAC,
	   "%s: forged fragment of 2^14 + 2048: bad_record_mac (%d)", name, r);
	ok(a.seq == 0, "%s: no refusal advanced seq", name);
	t13_aead_wipe(&a);
}

/*
 * A plaintext of 2^14 + 1 bytes, built by hand: refused as record_overflow
 * once authentic, as bad_record_mac with a wrong tag; seal12 refuses to
 * make it. And GCM's explicit nonce is read from the record, not assumed.
 */
static void test_limits(const struct suite_keys *k, struct bufs *b)
{
	const char *name = k->info->name;
	size_t off, len, rec_len, r_len;
	struct t13_aead a;
	union br_in bin;
	const uint8_t *p;
	int r;

	t13_aead_init12(&a, k->info->suite, k->key, k->iv);
	fill(b->plain, T13_MAX_PLAINTEXT + 1, 1);
	memset(b->ours, 0xee, BUF_LEN);
	memcpy(b->spare, b->ours, BUF_LEN);
	r_len = t13_aead_seal12(&a, T13_CT_APPLICATION_DATA, b->plain, T13_MAX_PLAINTEXT + 1,
				b->ours);
	ok(r_len == 0 && a.seq == 0 && !memcmp(b->ours, b->spare, BUF_LEN),
	   "%s: seal12 refuses 2^14 + 1 bytes, writing nothing", name);

	rec_len = hand_record(&a, k, 0, 0, T13_CT_APPLICATION_DATA, b->plain,
			      T13_MAX_PLAINTEXT + 1, 1, b->ours);
	r = t13_aead_open12(&a, b->ours, rec_len, &off, &len);
	ok(r == -T13_ALERT_BAD_RECORD_MAC, "%s: 2^14 + 1 bytes, wrong tag: bad_record_mac (%d)",
	   name, r);
	rec_len = hand_record(&a, k, 0, 0, T13_CT_APPLICATION_DATA, b->plain,
			      T13_MAX_PLAINTEXT + 1, 0, b->ours);
	r = t13_aead_open12(&a, b->ours, rec_len, &off, &len);
	ok(r == -T13_ALERT_RECORD_OVERFLOW && a.seq == 0,
	   "%s: 2^14 + 1 bytes, authentic: record_overflow, seq kept (%d)", name, r);
	ok(same_bytes(b->ours + T13_RECORD_HEADER + explicit_of(k), b->plain,
		      T13_MAX_PLAINTEXT + 1) < 1024,
	   "%s: and the refused plaintext is not left in the record", name);

	/* The hand-built record is right: BearSSL and we open one of 2^14. */
	br_in_init(&bin, k);
	rec_len = hand_record(&a, k, 0, 0, T13_CT_APPLICATION_DATA, b->plain,
			      T13_MAX_PLAINTEXT, 0, b->ours);
	memcpy(b->spare, b->ours, rec_len);
	p = br_open(&bin, b->spare, rec_len, &len);
	ok(p && len == T13_MAX_PLAINTEXT && !memcmp(p, b->plain, len),
	   "%s: BearSSL opens a hand-built record of 2^14", name);
	r = t13_aead_open12(&a, b->ours, rec_len, &off, &len);
	ok(r == 0 && len == T13_MAX_PLAINTEXT && !memcmp(b->ours + off, b->plain, len),
	   "%s: open12 opens it too (%d)", name, r);

	if (!k->chacha) {
		/* seq is 1; the record says 0x0123456789abcdef (RFC 5288 §3). */
		rec_len = hand_record(&a, k, 1, 0x0123456789abcdefull, T13_CT_HANDSHAKE,
				      b->plain, 50, 0, b->ours);
		r = t13_aead_open12(&a, b->ours, rec_len, &off, &len);
		ok(r == 0 && len == 50 && !memcmp(b->ours + off, b->plain, 50) && a.seq == 2,
		   "%s: open12 takes the explicit nonce the record carries (%d)", name, r);
	}
	t13_aead_wipe(&a);
}

/* The last sequence numbers: 2^64 - 2 is used, 2^64 - 1 never is. */
static void test_seq_end(const struct suite_keys *k, struct bufs *b)
{
	const char *name = k->info->name;
	struct t13_aead s, o;
	size_t off, len, rec_len;
	uint8_t want[8];
	int r;

	t13_aead_init12(&s, k->info->suite, k->key, k->iv);
	t13_aead_init12(&o, k->info->suite, k->key, k->iv);
	s.seq = o.seq = UINT64_MAX - 1;
	fill(b->plain, 10, 4);
	rec_len = t13_aead_seal12(&s, T13_CT_APPLICATION_DATA, b->plain, 10, b->ours);
	put64(want, UINT64_MAX - 1);
	ok(rec_len && (k->chacha || !memcmp(b->ours + T13_RECORD_HEADER, want, 8)),
	   "%s: seq 2^64 - 2 seals%s", name, k->chacha ? "" : ", explicit nonce = seq");
	r = t13_aead_open12(&o, b->ours, rec_len, &off, &len);
	ok(r == 0 && len == 10 && !memcmp(b->ours + off, b->plain, 10),
	   "%s: and opens (%d)", name, r);
	ok(s.seq == UINT64_MAX && o.seq == UINT64_MAX, "%s: seq is now 2^64 - 1", name);
	ok(t13_aead_seal12(&s, T13_CT_APPLICATION_DATA, b->plain, 10, b->spare) == 0,
	   "%s: seal12 refuses seq 2^64 - 1", name);
	/* A record good for seq 2^64 - 1 all the same: the number itself is refused. */
	rec_len = hand_record(&o, k, UINT64_MAX, UINT64_MAX, T13_CT_APPLICATION_DATA, b->plain,
			      10, 0, b->ours);
	r = t13_aead_open12(&o, b->ours, rec_len, &off, &len);
	ok(r == -T13_ALERT_INTERNAL_ERROR && o.seq == UINT64_MAX,
	   "%s: open12 refuses seq 2^64 - 1: internal_error (%d)", name, r);
	t13_aead_wipe(&s);
	t13_aead_wipe(&o);
}

/* A TLS 1.3 aead refuses 1.2 records and a TLS 1.2 one 1.3 records. */
static void test_versions(const struct suite_keys *k, struct bufs *b)
{
	const char *name = k->info->name;
	uint16_t suite13 = k->chacha ? T13_CHACHA20_POLY1305_SHA256 :
			   k->info->key_len == 16 ? T13_AES_128_GCM_SHA256 : T13_AES_256_GCM_SHA384;
	struct t13_aead a12, a13;
	size_t off, len, rec_len;
	uint8_t type;
	int r;

	t13_aead_init12(&a12, k->info->suite, k->key, k->iv);
	t13_aead_init(&a13, suite13, k->key, k->iv);
	fill(b->plain, 100, 6);

	rec_len = t13_aead_seal12(&a12, T13_CT_APPLICATION_DATA, b->plain, 100, b->ours);
	r = t13_aead_open12(&a13, b->ours, rec_len, &off, &len);
	ok(r == -T13_ALERT_INTERNAL_ERROR && a13.seq == 0,
	   "%s: a TLS 1.3 aead refuses to open12: internal_error (%d)", name, r);
	ok(t13_aead_seal12(&a13, T13_CT_APPLICATION_DATA, b->plain, 100, b->spare) == 0 &&
	   a13.seq == 0, "%s: a TLS 1.3 aead refuses to seal12", name);
	ok(t13_aead_overhead12(&a13) == 0, "%s: a TLS 1.3 aead has no overhead12", name);

	a12.seq = 0;
	rec_len = t13_aead_seal(&a13, T13_CT_APPLICATION_DATA, b->plain, 100, 0, b->ours);
	r = t13_aead_open(&a12, b->ours, rec_len, &type, &len);
	ok(rec_len && r == -T13_ALERT_INTERNAL_ERROR && a12.seq == 0,
	   "%s: a TLS 1.2 aead refuses a TLS 1.3 record: internal_error (%d)", name, r);
	ok(t13_aead_seal(&a12, T13_CT_APPLICATION_DATA, b->plain, 100, 0, b->spare) == 0 &&
	   a12.seq == 0, "%s: a TLS 1.2 aead refuses to seal a TLS 1.3 record", name);
	t13_aead_wipe(&a12);
	t13_aead_wipe(&a13);
}

/* init12 takes only the six TLS 1.2 suites, and leaves @a zeroed otherwise. */
static void test_init_refusals(struct bufs *b)
{
	static const uint16_t others[] = {
		T13_AES_128_GCM_SHA256, T13_CHACHA20_POLY1305_SHA256,
		0xc009,	/* ECDHE-ECDSA-AES128-SHA: CBC, not kTLS's */
		0x009c,	/* RSA-AES128-GCM-SHA256: no ECDHE, not in the table */
		0,
	};
	uint8_t key[32] = { 1 }, iv[12] = { 2 };
	struct t13_aead a;

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		int r;

		memset(&a, 0xff, sizeof(a));
		r = t13_aead_init12(&a, others[i], key, iv);
		ok(r == -1 && a.key_len == 0 && a.tls12 == 0 && a.seq == 0 &&
		   t13_aead_seal12(&a, T13_CT_APPLICATION_DATA, b->plain, 1, b->ours) == 0,
		   "init12 refuses suite 0x%04x and leaves the aead unkeyed", others[i]);
	}
}

int main(void)
{
	struct bufs *b = calloc(1, sizeof(*b));

	if (!b) {
		ok(0, "allocating the buffers");
		return done();
	}
	for (size_t i = 0; i < N_SUITES; i++) {
		struct suite_keys k;

		keys_for(&k, suites12[i], (unsigned)i);
		if (!ok(k.info && k.info->version == T12_VERSION,
			"suite 0x%04x is a TLS 1.2 suite of the table", suites12[i]))
			continue;
		test_interop(&k, b);
		test_in_place(&k, b);
		test_tamper(&k, b);
		test_framing(&k, b);
		test_limits(&k, b);
		test_seq_end(&k, b);
		test_versions(&k, b);
	}
	test_init_refusals(b);
	free(b);
	return done();
}
