/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.2 handshake messages of our client (RFC 5246 §7.4, with RFC 8422's
 * ECDHE): the ones the TLS 1.3 codec does not already read or write, for
 * the path a handshake takes when the server answers our ClientHello (which
 * offers both versions) with TLS 1.2. Pure functions over byte buffers, on
 * msg.h's bounded reader and sticky writer; every message includes its
 * 4-byte header (type, uint24 length), whose types TLS 1.2 shares with 1.3
 * (ServerHello 2, Certificate 11, CertificateRequest 13, Finished 20).
 *
 * Already done by the TLS 1.3 code, and right for 1.2 as they are:
 *   - ClientHello: t13_write_client_hello() with offer_12;
 *   - ServerHello: t13_parse_server_hello() (version 0 for a 1.2 one);
 *   - CertificateVerify (RFC 5246 §7.4.8, a DigitallySigned: the
 *     SignatureAndHashAlgorithm, then signature<0..2^16-1>):
 *     t13_write_certificate_verify(), whose layout is the same;
 *   - Finished (RFC 5246 §7.4.9, verify_data of T12_FINISHED_LEN bytes for
 *     every suite we offer): t13_write_finished() and
 *     t13_parse_finished(..., T12_FINISHED_LEN, ...).
 *
 * The parsers keep pointers into the caller's message and never read past
 * its @len. They return 0 or a negative alert (enum t13_alert):
 * -T13_ALERT_DECODE_ERROR for any length or framing error (trailing bytes
 * included), -T13_ALERT_UNEXPECTED_MESSAGE for a message of another type
 * (behind a whole 4-byte header), and the others each parser names. After
 * an error the outputs hold nothing: use none of them.
 *
 * What needs the client's state (the group and the scheme being ones it
 * offered, the point being valid on that group, the signature verifying,
 * a certificate type it can answer) is the caller's to check.
 */
#ifndef KTLSD_T12_MSG12_H
#define KTLSD_T12_MSG12_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "msg.h"

/* Handshake types TLS 1.3 dropped, so not in t13.h (RFC 5246 §7.4). */
#define T12_HS_SERVER_KEY_EXCHANGE	12
#define T12_HS_SERVER_HELLO_DONE	14
#define T12_HS_CLIENT_KEY_EXCHANGE	16
#define T12_FINISHED_LEN		12	/* verify_data (RFC 5246 §7.4.9) */
#define T12_CURVE_TYPE_NAMED		3	/* RFC 8422 §5.4 */
#define T12_CERT_TYPE_RSA_SIGN		1	/* ClientCertificateType (RFC 5246 §7.4.4) */
#define T12_CERT_TYPE_ECDSA_SIGN	64	/* ... RFC 8422 §5.5 */

/* ---- Certificate (RFC 5246 §7.4.2) ---- */

/*
 * Parse the server's Certificate @msg (@len bytes, header included):
 * certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, with no request
 * context and no per-entry extensions (unlike TLS 1.3's). The first
 * entries' DER go to @entries (room for @max; NULL is fine when @max is 0),
 * their count to *@n; *@n may be 0 (an empty list: the caller decides
 * whether that is acceptable). The whole message is checked before its
 * count is, so a malformed message is a decode_error however many entries
 * it has.
 *
 * Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another type;
 * -T13_ALERT_DECODE_ERROR for a length or framing error, a zero-length
 * certificate included; -T13_ALERT_BAD_CERTIFICATE for more than @max
 * entries. On error *@n is 0 and @entries may hold part of the list.
 */
int t12_parse_certificate(const uint8_t *msg, size_t len, struct t13_cert_entry *entries, size_t max,
			  size_t *n);

/* ---- ServerKeyExchange for ECDHE (RFC 8422 §5.4, RFC 5246 §7.4.3) ---- */

struct t12_server_key_exchange {
	uint16_t group;				/* named curve */
	const uint8_t *point; size_t point_len;	/* 1..255 bytes */
	const uint8_t *params; size_t params_len;	/* the ServerECDHParams bytes, as signed */
	uint16_t scheme;			/* SignatureAndHashAlgorithm */
	const uint8_t *sig; size_t sig_len;	/* 1..65535 bytes */
};

/*
 * Parse the ECDHE ServerKeyExchange @msg (@len bytes, header included) into
 * @ske: ServerECDHParams (curve_type named_curve, the NamedCurve, the
 * point<1..2^8-1>), then TLS 1.2's signed_params (a SignatureAndHashAlgorithm
 * and signature<1..2^16-1>: an empty one can verify nothing). ske->params
 * spans the ServerECDHParams, which the signature covers behind the two
 * randoms (RFC 8422 §5.4).
 *
 * Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another type;
 * -T13_ALERT_HANDSHAKE_FAILURE for a curve_type other than named_curve
 * (explicit curves are deprecated by RFC 8422 and never offered by us),
 * decided on that byte before the rest is read; -T13_ALERT_DECODE_ERROR for
 * any length or framing error, an empty point or signature included. After
 * an error *@ske is all zero.
 *
 * Left to the caller: the group and scheme being ones it offered, the
 * point's length and validity for that group, the signature.
 */
int t12_parse_server_key_exchange(struct t12_server_key_exchange *ske, const uint8_t *msg, size_t len);

/* ---- CertificateRequest (RFC 5246 §7.4.4) ---- */

struct t12_certificate_request {
	const uint8_t *types; size_t types_len;		/* certificate_types, 1..255 bytes */
	const uint8_t *sig_algs; size_t sig_algs_len;	/* even, 2..65534 bytes */
};

/*
 * Parse the CertificateRequest @msg (@len bytes, header included) into
 * @cr: certificate_types<1..2^8-1>, supported_signature_algorithms
 * <2..2^16-2> (a raw list of 2-byte SignatureAndHashAlgorithm, of even
 * length), certificate_authorities<0..2^16-1> of
 * DistinguishedName<1..2^16-1>: each name's framing is checked, then the
 * names are skipped (we offer our one certificate whoever issued it).
 *
 * Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another type;
 * -T13_ALERT_DECODE_ERROR for any length or framing error, an odd
 * signature list and an empty name included. After an error *@cr is all
 * zero.
 *
 * Left to the caller: the types and schemes it can answer (none: it sends
 * an empty Certificate).
 */
int t12_parse_certificate_request(struct t12_certificate_request *cr, const uint8_t *msg, size_t len);

/* ---- ServerHelloDone (RFC 5246 §7.4.5) ---- */

/*
 * Check the ServerHelloDone @msg (@len bytes, header included): an empty
 * body. Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another type;
 * -T13_ALERT_DECODE_ERROR for a body that is not empty or a header whose
 * length is not the message's.
 */
int t12_parse_server_hello_done(const uint8_t *msg, size_t len);

/* ---- ClientKeyExchange for ECDHE (RFC 8422 §5.7), our server's ---- */

/*
 * Parse the client's ClientKeyExchange @msg (@len bytes, header included):
 * ClientECDiffieHellmanPublic, a point<1..2^8-1> that is the whole body (an
 * explicit, empty one is what a client with a fixed ECDH certificate sends,
 * which we never ask for). *@point and *@point_len get it.
 *
 * Returns 0; -T13_ALERT_UNEXPECTED_MESSAGE for another type;
 * -T13_ALERT_DECODE_ERROR for any length or framing error, an empty point
 * included. After an error *@point is NULL and *@point_len 0.
 *
 * Left to the caller: the point's length and validity for the group.
 */
int t12_parse_client_key_exchange(const uint8_t *msg, size_t len, const uint8_t **point, size_t *point_len);

/* ---- Writers ---- */

/*
 * Each appends one whole message, header included, to @b. As with msg.h's
 * writers, anything the wire cannot carry sets b->overflow like a full
 * buffer: check it once after the message. Nothing is ever written past
 * b->cap.
 */

/*
 * Certificate (RFC 5246 §7.4.2): each of the @n DER certificates of @chain
 * behind its 3-byte length, in order (the leaf first). @n may be 0 (and
 * @chain NULL): the empty list a client without a fitting key sends
 * (§7.4.6). A certificate of 0 bytes, or a chain over 2^24-1 bytes, sets
 * b->overflow.
 */
void t12_write_certificate(struct t13_buf *b, const br_x509_certificate *chain, size_t n);

/*
 * ClientKeyExchange for ECDHE (RFC 8422 §5.7): ClientECDiffieHellmanPublic,
 * the @point_len bytes of @point behind a 1-byte length (point<1..2^8-1>).
 * An empty point or one over 255 bytes sets b->overflow and writes nothing.
 */
void t12_write_client_key_exchange(struct t13_buf *b, const uint8_t *point, size_t point_len);

/*
 * CertificateRequest (RFC 5246 §7.4.4): certificate_types rsa_sign (1) and
 * ecdsa_sign (64), the @n schemes of @schemes as
 * supported_signature_algorithms, and no certificate_authorities (the
 * client sends the chain it has; the verifier judges it). @n of 0 sets
 * b->overflow.
 */
void t12_write_certificate_request(struct t13_buf *b, const uint16_t *schemes, size_t n);

/* Flags of our TLS 1.2 ServerHello's extensions (each only if the client sent its own). */
#define T12_SH_RENEGOTIATION_INFO	0x1	/* RFC 5746: empty renegotiated_connection */
#define T12_SH_EXTENDED_MASTER_SECRET	0x2	/* RFC 7627 */
#define T12_SH_POINT_FORMATS		0x4	/* RFC 8422 5.2: uncompressed only */
#define T12_SH_SERVER_NAME		0x8	/* RFC 6066 3: empty, the name was used */

/*
 * Our TLS 1.2 ServerHello (RFC 5246 §7.4.1.3): server_version 0x0303,
 * @random, the session id (0..32 bytes), @suite, compression 0, then the
 * extensions @flags names, and ALPN's one @alpn name when it is not NULL
 * (RFC 7301 §3.1). No extensions block at all when there is none (§7.4.1.4
 * allows either). A session id over 32 bytes or an ALPN name of 0 or over
 * 255 bytes sets b->overflow.
 */
void t12_write_server_hello(struct t13_buf *b, const uint8_t random[32], const uint8_t *sid,
			    size_t sid_len, uint16_t suite, unsigned flags, const char *alpn);

/*
 * ServerECDHParams (RFC 8422 §5.4) for a named curve: curve_type 3, @group,
 * the point<1..2^8-1> @pub. Appended alone (no message header): the bytes
 * the ServerKeyExchange signature covers behind the two randoms. An empty
 * point or one over 255 bytes sets b->overflow.
 */
void t12_write_ecdh_params(struct t13_buf *b, uint16_t group, const uint8_t *pub, size_t pub_len);

/*
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4): the @params_len bytes of
 * @params (from t12_write_ecdh_params()), then the DigitallySigned: @scheme
 * and signature<0..2^16-1> (@sig, @sig_len bytes; over 65535 sets
 * b->overflow).
 */
void t12_write_server_key_exchange(struct t13_buf *b, const uint8_t *params, size_t params_len,
				   uint16_t scheme, const uint8_t *sig, size_t sig_len);

/* ServerHelloDone (RFC 5246 §7.4.5): the header and an empty body. */
void t12_write_server_hello_done(struct t13_buf *b);

#endif
