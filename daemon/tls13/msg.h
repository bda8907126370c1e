/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.3 handshake messages (RFC 8446 §4): parsers and writers over byte
 * buffers, with no I/O and no cryptography. Every message given or made
 * here includes its 4-byte handshake header (type, uint24 length).
 *
 * Reading goes through a bounded reader (struct t13_reader): a pointer and
 * the count of bytes left. Each read checks that count first, and each
 * vector is read as a sub-reader over exactly its declared length, whose
 * bounds were checked against its parent's; so a parser cannot step past
 * the caller's @len, and "consumed exactly" is one test (len == 0) at the
 * end of each vector. Parsed fields are pointers into the caller's buffer,
 * valid as long as it is.
 *
 * Writing goes through a sticky writer (struct t13_buf): each put checks
 * the room left; the first one that does not fit sets @overflow and from
 * then on nothing more is written, so the buffer never holds a message with
 * a hole in it and the caller checks once, after the whole message, instead
 * of after every field. Vectors and the handshake header are opened with a
 * placeholder length and closed once their contents are written.
 */
#ifndef KTLSD_T13_MSG_H
#define KTLSD_T13_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "t13.h"

/* record_size_limit (RFC 8449): not in t13.h, which this file may not change. */
#define T13_EXT_RECORD_SIZE_LIMIT	28
/* TLS 1.2's own extensions, which both our roles read and answer; not in t13.h either. */
#define T13_EXT_EC_POINT_FORMATS	11	/* RFC 8422 */
#define T13_EXT_EXTENDED_MASTER_SECRET	23	/* RFC 7627 */
#define T13_EXT_RENEGOTIATION_INFO	0xff01	/* RFC 5746 */
/* The 4-byte handshake header (§4). */
#define T13_HS_HEADER			4

/* ---- Bounded reader ---- */

struct t13_reader {
	const uint8_t *p;
	size_t len;
};

/* A reader over the @len bytes at @p. */
void t13_rd_init(struct t13_reader *r, const uint8_t *p, size_t len);

/*
 * Read one big-endian integer of 1, 2, 3 or 4 bytes into *@v and move past
 * it. Each returns 0, or -1 if fewer bytes are left (nothing is consumed).
 */
int t13_rd_u8(struct t13_reader *r, uint8_t *v);
int t13_rd_u16(struct t13_reader *r, uint16_t *v);
int t13_rd_u24(struct t13_reader *r, uint32_t *v);
int t13_rd_u32(struct t13_reader *r, uint32_t *v);

/*
 * Take the next @n bytes: *@out points at them. Returns 0, or -1 if fewer
 * are left (nothing is consumed).
 */
int t13_rd_bytes(struct t13_reader *r, size_t n, const uint8_t **out);

/*
 * Take a vector with a length prefix of @width bytes (1, 2 or 3) whose
 * length must lie in [@min, @max]: *@out reads exactly its contents.
 * Returns 0, or -1 if the prefix or the contents are not all there, the
 * length is out of range, or @width is not 1..3 (nothing is consumed).
 */
int t13_rd_vec(struct t13_reader *r, int width, size_t min, size_t max, struct t13_reader *out);

/*
 * The body of the handshake message @msg (@len bytes, header included)
 * when its type is @type. Returns 0, -T13_ALERT_UNEXPECTED_MESSAGE for
 * another type, -T13_ALERT_DECODE_ERROR if @len is not 4 plus the header's
 * length.
 */
int t13_msg_body(const uint8_t *msg, size_t len, uint8_t type, struct t13_reader *body);

/*
 * A set of 16-bit values (extension types, groups): 8 KiB, so that a
 * message of thousands of entries costs one pass, not a quadratic one.
 * Start it zeroed.
 */
struct t13_u16_set {
	uint64_t bits[65536 / 64];
};

/* Add @v to @s. Returns 1 if it was there already, else 0. */
int t13_u16_set_add(struct t13_u16_set *s, uint16_t v);

/* ---- Sticky writer ---- */

/* A writer into a caller's buffer; overflow is sticky and reported once at the end. */
struct t13_buf {
	uint8_t *p;
	size_t len, cap;
	int overflow;
};

/* Start writing at @p, which has room for @cap bytes (@p may be NULL when @cap is 0). */
void t13_buf_init(struct t13_buf *b, uint8_t *p, size_t cap);

/*
 * Append one big-endian integer of 1, 2, 3 or 4 bytes (the low bits of @v),
 * or the @n bytes at @p (@p may be NULL when @n is 0). When it does not fit
 * in the room left, or b->overflow is already set, nothing is written and
 * b->overflow is set.
 */
void t13_put_u8(struct t13_buf *b, unsigned v);
void t13_put_u16(struct t13_buf *b, unsigned v);
void t13_put_u24(struct t13_buf *b, uint32_t v);
void t13_put_u32(struct t13_buf *b, uint32_t v);
void t13_put_bytes(struct t13_buf *b, const void *p, size_t n);

/*
 * Vectors with a length prefix of @width bytes (1, 2 or 3). t13_vec_open()
 * writes a zero prefix and returns a mark for t13_vec_close(), which fills
 * the prefix with the length of what was written since. A length the
 * prefix cannot hold, or a @width not 1..3, sets b->overflow; so does a
 * mark that is not one t13_vec_open() returned on this buffer.
 */
size_t t13_vec_open(struct t13_buf *b, int width);
void t13_vec_close(struct t13_buf *b, size_t mark, int width);

/* A vector with its contents, whole: the @n bytes at @p behind a @width-byte length. */
void t13_put_vec(struct t13_buf *b, int width, const void *p, size_t n);

/* The handshake header: open writes @type and a zero uint24, close fills the length. */
size_t t13_hs_open(struct t13_buf *b, uint8_t type);
void t13_hs_close(struct t13_buf *b, size_t mark);

/* ---- ClientHello (§4.1.2) ---- */

/* ClientHello (§4.1.2), parsed for both versions: a TLS 1.2 ClientHello must parse too (we parse it to choose the engine). */
struct t13_client_hello {
	uint16_t legacy_version;
	const uint8_t *random;			/* 32 bytes */
	const uint8_t *session_id; size_t session_id_len;	/* <= 32 */
	const uint8_t *suites; size_t suites_len;		/* raw 2-byte ids, even, >= 2 */
	const uint8_t *compression; size_t compression_len;	/* >= 1 */
	/* Extensions, pointers to their extension_data (NULL when absent) */
	const uint8_t *versions; size_t versions_len;	/* supported_versions: the raw list (2-byte ids) */
	const uint8_t *groups; size_t groups_len;	/* supported_groups list */
	const uint8_t *sig_algs; size_t sig_algs_len;	/* signature_algorithms list */
	const uint8_t *sig_algs_cert; size_t sig_algs_cert_len;
	const uint8_t *key_shares; size_t key_shares_len;	/* the client_shares list, validated: each entry well-formed, no group twice */
	const uint8_t *alpn; size_t alpn_len;		/* protocol_name_list, validated: no empty name */
	char server_name[256]; int has_server_name;	/* host_name, validated: 1..255 bytes of LDH and '_', '.', no NUL; an unknown name_type is skipped */
	const uint8_t *psk_modes; size_t psk_modes_len;
	const uint8_t *psk_identities; size_t psk_identities_len;	/* pre_shared_key: raw identities list */
	const uint8_t *psk_binders; size_t psk_binders_len;		/* raw binders list */
	size_t binders_offset;	/* offset in the message where the binders list (its 2-byte length) starts: the truncated ClientHello for the binder hash is msg[0..binders_offset) */
	const uint8_t *cookie; size_t cookie_len;
	/* TLS 1.2's: the formats list (RFC 8422), renegotiated_connection (RFC 5746) */
	const uint8_t *point_formats; size_t point_formats_len;
	const uint8_t *reneg_info; size_t reneg_info_len;
	int extended_master_secret;	/* RFC 7627, empty */
	int early_data, post_handshake_auth, has_extensions;
	size_t msg_len;
};

/*
 * Parse the ClientHello @msg (@len bytes, header included) into @ch, whose
 * pointers then point into @msg. The lists are the contents of their
 * vectors (without the length prefix); a list pointer is non-NULL exactly
 * when its extension was present, even if the list is empty (key_share).
 *
 * Checked here (the syntax of §4.1.2 and §4.2): every length exact and in
 * its range, nothing after the extensions; no extension twice and
 * pre_shared_key last (-T13_ALERT_ILLEGAL_PARAMETER); in pre_shared_key
 * the identities (each 1 or more bytes) and binders (each 32..255 bytes)
 * non-empty and as many of each (else -T13_ALERT_ILLEGAL_PARAMETER);
 * key_share entries with a non-empty key and no group twice (the latter
 * -T13_ALERT_ILLEGAL_PARAMETER); ALPN names non-empty; one host_name of
 * 1..255 bytes of letters, digits, '-', '_' and non-empty labels separated by
 * '.' (else -T13_ALERT_ILLEGAL_PARAMETER); early_data and
 * post_handshake_auth empty; for TLS 1.2, ec_point_formats a list of 1..255
 * bytes, renegotiation_info a vector of 0..255 bytes, extended_master_secret
 * empty. Unknown extensions are skipped.
 *
 * Left to the engine, which knows the version it negotiates: compression
 * being exactly {0}, legacy_version, psk_key_exchange_modes being present
 * with pre_shared_key, key_share groups being in supported_groups, the
 * extensions a TLS 1.3 ClientHello must carry (§9.2).
 *
 * Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE if @msg is not a ClientHello;
 * -T13_ALERT_DECODE_ERROR for any length or framing error, including
 * trailing bytes; -T13_ALERT_ILLEGAL_PARAMETER as said above. After an
 * error @ch may hold part of the message: use none of it.
 */
int t13_parse_client_hello(struct t13_client_hello *ch, const uint8_t *msg, size_t len);

/* 1 if the raw list of 2-byte ids (@list, @len bytes; NULL gives 0) has @v, else 0. */
int t13_list_has(const uint8_t *list, size_t len, uint16_t v);

/*
 * The client's key_exchange for @group in ch->key_shares, its length in
 * *@len; NULL (and *@len 0) if the client sent none for @group.
 */
const uint8_t *t13_find_key_share(const struct t13_client_hello *ch, uint16_t group, size_t *len);

/*
 * The @i-th PSK identity of ch->psk_identities (its ticket bytes and its
 * obfuscated_ticket_age) and the @i-th binder of ch->psk_binders. Returns
 * 0, or -1 past the last one (or with no pre_shared_key); the outputs are
 * then untouched.
 */
int t13_psk_identity(const struct t13_client_hello *ch, size_t i, const uint8_t **id, size_t *id_len,
		     uint32_t *obf_age, const uint8_t **binder, size_t *binder_len);

/* 1 if the ClientHello offers TLS 1.3 (0x0304) in supported_versions, else 0. */
int t13_client_hello_offers_13(const struct t13_client_hello *ch);

/* ---- Writers (server role, and the messages both roles send) ---- */

/*
 * Each appends one whole message, header included, to @b. An argument the
 * wire cannot carry (a session id over 32 bytes, an ALPN name of 0 or over
 * 255 bytes, a context over 255 bytes) sets b->overflow like a full buffer:
 * check it once after the message.
 */

/*
 * The fields every ServerHello starts with, up to its extensions (§4.1.3,
 * RFC 5246 §7.4.1.3 for TLS 1.2: the same): version 0x0303, @random, the
 * session id (over 32 bytes sets b->overflow), @suite, compression 0.
 */
void t13_put_server_hello_head(struct t13_buf *b, const uint8_t *random, const uint8_t *sid,
			       size_t sid_len, uint16_t suite);

/*
 * ServerHello (§4.1.3): legacy_version 0x0303, @random, echo of the session
 * id, @suite, compression 0, and the extensions pre_shared_key
 * (selected_identity @psk_index) when @psk_index >= 0, key_share (@group,
 * @pub) and supported_versions (0x0304), in that order (RFC 8448's).
 */
void t13_write_server_hello(struct t13_buf *b, const uint8_t random[32], const uint8_t *sid, size_t sid_len,
			    uint16_t suite, uint16_t group, const uint8_t *pub, size_t pub_len, int psk_index);

/* The random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (§4.1.3). */
extern const uint8_t t13_hrr_random[32];

/*
 * HelloRetryRequest (§4.1.4): a ServerHello with t13_hrr_random and the
 * extensions key_share (@group, the selected_group), cookie (@cookie,
 * 1 or more bytes) when @cookie is not NULL, and supported_versions.
 */
void t13_write_hello_retry_request(struct t13_buf *b, const uint8_t *sid, size_t sid_len, uint16_t suite,
				   uint16_t group, const uint8_t *cookie, size_t cookie_len);

/* What EncryptedExtensions carries; a zero or NULL field leaves its extension out. */
struct t13_ee_params {
	const char *alpn;		/* the one selected protocol */
	int sni_ack;			/* an empty server_name */
	const uint8_t *groups;		/* supported_groups: ours, a raw list */
	size_t groups_len;
	uint16_t record_size_limit;	/* RFC 8449; 0: none */
};

/*
 * EncryptedExtensions (§4.3.1): supported_groups, record_size_limit,
 * server_name and ALPN, each when asked for by @p, in that order.
 */
void t13_write_encrypted_extensions_params(struct t13_buf *b, const struct t13_ee_params *p);

/* EncryptedExtensions (§4.3.1): ALPN (the one selected protocol) when @alpn is not NULL, an empty server_name when @sni_ack, supported_groups (ours) when @groups is not NULL. */
void t13_write_encrypted_extensions(struct t13_buf *b, const char *alpn, int sni_ack, const uint8_t *groups,
				    size_t groups_len);

/* CertificateRequest (§4.3.2): empty context, signature_algorithms (@sig_algs raw list). */
void t13_write_certificate_request(struct t13_buf *b, const uint8_t *sig_algs, size_t sig_algs_len);

/* Certificate (§4.4.2): @context (0..255 bytes), each DER certificate with empty extensions; n = 0 is the empty Certificate of a client without one. */
void t13_write_certificate(struct t13_buf *b, const uint8_t *context, size_t context_len,
			   const br_x509_certificate *chain, size_t n);

/* CertificateVerify (§4.4.3): @scheme and the signature @sig. */
void t13_write_certificate_verify(struct t13_buf *b, uint16_t scheme, const uint8_t *sig, size_t sig_len);

/* Finished (§4.4.4): the @len bytes of @verify_data. */
void t13_write_finished(struct t13_buf *b, const uint8_t *verify_data, size_t len);

/* NewSessionTicket (§4.6.1) with no extensions (never early_data); @ticket 1 or more bytes. */
void t13_write_new_session_ticket(struct t13_buf *b, uint32_t lifetime, uint32_t age_add, const uint8_t *nonce,
				  size_t nonce_len, const uint8_t *ticket, size_t ticket_len);

/* ---- Parsers of messages both roles receive ---- */

struct t13_cert_entry {
	const uint8_t *der;
	size_t len;
};

/*
 * Certificate (§4.4.2): its request context (*@context, *@context_len) and
 * the first entries' DER in @entries (room for @max), their count in *@n;
 * *@n may be 0 (an empty Certificate). Each entry's extensions are parsed
 * and skipped. The whole message is checked before its count is.
 * Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another type;
 * -T13_ALERT_DECODE_ERROR for a length or framing error, a zero-length
 * cert_data included; -T13_ALERT_BAD_CERTIFICATE for more than @max entries.
 */
int t13_parse_certificate(const uint8_t *msg, size_t len, const uint8_t **context, size_t *context_len,
			  struct t13_cert_entry *entries, size_t max, size_t *n);

/*
 * CertificateVerify (§4.4.3): the scheme and the signature. Returns 0,
 * -T13_ALERT_UNEXPECTED_MESSAGE or -T13_ALERT_DECODE_ERROR.
 */
int t13_parse_certificate_verify(const uint8_t *msg, size_t len, uint16_t *scheme, const uint8_t **sig,
				 size_t *sig_len);

/*
 * Finished (§4.4.4): *@verify_data points at exactly @hash_len bytes.
 * Returns 0, -T13_ALERT_UNEXPECTED_MESSAGE, or -T13_ALERT_DECODE_ERROR if
 * the body is not @hash_len bytes long.
 */
int t13_parse_finished(const uint8_t *msg, size_t len, size_t hash_len, const uint8_t **verify_data);

#endif
