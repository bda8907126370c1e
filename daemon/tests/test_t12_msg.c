// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.2 handshake messages of daemon/tls13/msg12.c: the client's
 * (what a server sends it parsed, its Certificate and ClientKeyExchange
 * written) and the server's (the client's ClientKeyExchange parsed, its
 * ServerHello, ServerECDHParams, ServerKeyExchange and ServerHelloDone
 * written). There are no published TLS 1.2 traces, so the well-formed
 * messages are written here by hand from RFC 5246 §7.4 and RFC 8422 §5
 * (with RFC 5746, 6066, 7301 and 7627's ServerHello extensions), field by
 * field, with RFC 8448's certificate, key shares, random and signature as
 * realistic contents. Each is parsed field by field, then broken every way
 * its framing can be: every truncation, a byte appended, each length field
 * one too large and one too small, every other message type. The writers
 * are checked against the same hand-made bytes, in too small buffers of
 * every size, and round-tripped through the parsers (our ServerHello
 * through the client's t13_parse_server_hello()). Every input sits in an
 * exactly-sized malloc'd buffer, so under ASan a read past its end is a
 * crash, not a silent pass.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "rfc8448.h"
#include "tap.h"
#include "tls13/msg12.h"
#include "tls13/msg_client.h"

/* ClientCertificateType ecdsa_sign (RFC 8422 §5.5). */
#define CERT_TYPE_ECDSA_SIGN	64
#define CERT_TYPE_RSA_SIGN	1	/* RFC 5246 §7.4.4 */

/*
 * RFC 8422 §5.4 ServerKeyExchange for ECDHE, by hand: named_curve x25519
 * with RFC 8448 §3's server share as the point; RFC 5246 §4.7's TLS 1.2
 * digitally-signed: ecdsa_secp256r1_sha256 (0x0403, RFC 8446 §4.2.3 keeps
 * TLS 1.2's code point) and an 8-byte DER ECDSA-Sig-Value (r = s = 1).
 */
static const char SKE_X25519[] =
	"0c 00 00 30 "				/* ServerKeyExchange, 48 bytes */
	"03 00 1d "				/* curve_type named_curve, x25519 */
	"20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 "
	"dd 69 b1 b0 4e 75 1f 0f "		/* point<1..2^8-1>, 32 bytes */
	"04 03 "				/* SignatureAndHashAlgorithm */
	"00 08 30 06 02 01 01 02 01 01";	/* signature<..2^16-1>, 8 bytes */

/* Where SKE_X25519's fields are. */
#define SKE_POINT_LEN_AT	7
#define SKE_SCHEME_AT		40
#define SKE_SIG_LEN_AT		42

/*
 * RFC 5246 §7.4.4 CertificateRequest, by hand: rsa_sign and ecdsa_sign;
 * ecdsa_secp256r1_sha256 and rsa_pss_rsae_sha256; two DistinguishedNames,
 * the DER of the Name "CN=ca" and of an empty Name.
 */
static const char CR_TWO_CAS[] =
	"0d 00 00 20 "				/* CertificateRequest, 32 bytes */
	"02 01 40 "				/* certificate_types<1..2^8-1> */
	"00 04 04 03 08 04 "			/* supported_signature_algorithms<2..2^16-2> */
	"00 15 "				/* certificate_authorities<0..2^16-1>, 21 bytes */
	"00 0f 30 0d 31 0b 30 09 06 03 55 04 03 0c 02 63 61 "	/* DistinguishedName, 15 bytes */
	"00 02 30 00";				/* DistinguishedName, 2 bytes */

#define CR_SIG_ALGS_LEN_AT	7
#define CR_CAS_LEN_AT		13
#define CR_DN1_LEN_AT		15
#define CR_DN2_LEN_AT		32

/* RFC 5246 §7.4.5 ServerHelloDone: struct { }, an empty body. */
static const char SHD[] = "0e 00 00 00";

/* RFC 8422 §5.7 ClientKeyExchange, by hand: ClientECDiffieHellmanPublic, RFC 8448 §3's client share. */
static const char CKE_X25519[] =
	"10 00 00 21 "				/* ClientKeyExchange, 33 bytes */
	"20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d "
	"54 13 69 1e 52 9a af 2c";		/* point<1..2^8-1>, 32 bytes */

#define CKE_POINT_LEN_AT	4

/* Cipher suites of RFC 5289 §3.2, as TLS 1.2 ServerHellos carry them. */
#define SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256	0xc02b
#define SUITE_ECDHE_RSA_AES_128_GCM_SHA256	0xc02f

/*
 * The random of the TLS 1.2 ServerHellos below: RFC 8448 §3's server
 * random, its last 8 bytes replaced by RFC 8446 §4.1.3's "DOWNGRD" 01, as
 * a server able to do TLS 1.3 answers a TLS 1.2 ClientHello.
 */
#define SH12_RANDOM_HEX								\
	"a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da "	\
	"44 4f 57 4e 47 52 44 01 "

/* RFC 5246 §7.4.1.3 ServerHello, by hand: no session id, no extensions block at all (§7.4.1.4). */
static const char SH12_BARE[] =
	"02 00 00 26 "				/* ServerHello, 38 bytes */
	"03 03 "				/* server_version TLS 1.2 */
	SH12_RANDOM_HEX				/* random */
	"00 "					/* session_id<0..32>, empty */
	"c0 2b "				/* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
	"00";					/* compression_method null */

/* The same with every extension our server answers with, in the order it writes them. */
static const char SH12_ALL[] =
	"02 00 00 44 "				/* ServerHello, 68 bytes */
	"03 03 " SH12_RANDOM_HEX "00 c0 2b 00 "
	"00 1c "				/* extensions<0..2^16-1>, 28 bytes */
	"ff 01 00 01 00 "			/* renegotiation_info, empty renegotiated_connection (RFC 5746) */
	"00 00 00 00 "				/* server_name, empty (RFC 6066 §3) */
	"00 0b 00 02 01 00 "			/* ec_point_formats { uncompressed } (RFC 8422 §5.2) */
	"00 17 00 00 "				/* extended_master_secret, empty (RFC 7627 §5.1) */
	"00 10 00 05 00 03 02 68 32";		/* ALPN: protocol_name_list { "h2" } (RFC 7301 §3.1) */

/* Resuming-style: a 32-byte session id, secure renegotiation and the extended master secret only. */
static const char SH12_SID[] =
	"02 00 00 51 "				/* ServerHello, 81 bytes */
	"03 03 " SH12_RANDOM_HEX
	"20 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
						/* session_id<0..32>, 32 bytes */
	"c0 2f 00 "				/* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, null */
	"00 09 "				/* extensions, 9 bytes */
	"ff 01 00 01 00 "			/* renegotiation_info, empty */
	"00 17 00 00";				/* extended_master_secret */

/* Where SH12_SID's session id is: behind the header, server_version, random and its length byte. */
#define SH12_SID_AT		(T13_HS_HEADER + 2 + 32 + 1)

/* ALPN alone: an extensions block for it, and nothing else in it. */
static const char SH12_ALPN_ONLY[] =
	"02 00 00 37 "				/* ServerHello, 55 bytes */
	"03 03 " SH12_RANDOM_HEX "00 c0 2b 00 "
	"00 0f "				/* extensions, 15 bytes */
	"00 10 00 0b 00 09 08 68 74 74 70 2f 31 2e 31";	/* ALPN { "http/1.1" } */

/* A second, small "certificate" for two-entry chains: the parser reads no DER. */
static const uint8_t SMALL_DER[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };

/* The DER of RFC 8448 §3's certificate, at byte 11 of its TLS 1.3 Certificate message. */
#define S3_DER_AT	11
#define S3_DER_LEN	432

static struct hex_buf s3_der(void)
{
	struct hex_buf m = hex_alloc(RFC8448_S3_CERTIFICATE), der;

	if (m.len != S3_DER_AT + S3_DER_LEN + 2)
		abort();
	der = hex_buf_copy(m.p + S3_DER_AT, S3_DER_LEN);
	hex_free(&m);
	return der;
}

/*
 * RFC 5246 §7.4.2 Certificate, by hand with t13.h's byte helpers (not the
 * writer under test): type 11, uint24 length, certificate_list's uint24
 * length, then each ASN.1Cert behind its uint24 length.
 */
static struct hex_buf cert_msg(const struct hex_buf *ders, size_t n)
{
	size_t list = 0, at;
	struct hex_buf m;
	uint8_t *p;

	for (size_t i = 0; i < n; i++)
		list += 3 + ders[i].len;
	p = malloc(T13_HS_HEADER + 3 + list);
	if (!p)
		abort();
	p[0] = T13_HS_CERTIFICATE;
	t13_put24(p + 1, (uint32_t)(3 + list));
	t13_put24(p + 4, (uint32_t)list);
	at = 7;
	for (size_t i = 0; i < n; i++) {
		t13_put24(p + at, (uint32_t)ders[i].len);
		if (ders[i].len)
			memcpy(p + at + 3, ders[i].p, ders[i].len);
		at += 3 + ders[i].len;
	}
	m = hex_buf_copy(p, at);
	free(p);
	return m;
}

/* The two-entry Certificate: RFC 8448 §3's certificate, then SMALL_DER. */
static struct hex_buf cert_two(void)
{
	struct hex_buf ders[2] = { s3_der(), hex_buf_copy(SMALL_DER, sizeof(SMALL_DER)) }, m;

	m = cert_msg(ders, 2);
	hex_free(&ders[0]);
	hex_free(&ders[1]);
	return m;
}

/*
 * A ServerKeyExchange from its parts (RFC 8422 §5.4), by hand: for the
 * shapes the hex above does not cover (other curve types, empty or
 * largest fields, RFC 8448's P-256 share and RSA signature).
 */
static struct hex_buf ske_msg(uint8_t curve_type, uint16_t group, const uint8_t *point, size_t point_len,
			      uint16_t scheme, const uint8_t *sig, size_t sig_len)
{
	size_t body = 1 + 2 + 1 + point_len + 2 + 2 + sig_len;
	uint8_t *p = calloc(1, T13_HS_HEADER + body), *at;
	struct hex_buf m;

	if (!p || point_len > 0xff || sig_len > 0xffff)
		abort();
	p[0] = T12_HS_SERVER_KEY_EXCHANGE;
	t13_put24(p + 1, (uint32_t)body);
	p[4] = curve_type;
	t13_put16(p + 5, group);
	p[7] = (uint8_t)point_len;
	at = p + 8;
	if (point_len)
		memcpy(at, point, point_len);
	at += point_len;
	t13_put16(at, scheme);
	t13_put16(at + 2, (unsigned)sig_len);
	if (sig_len)
		memcpy(at + 4, sig, sig_len);
	m = hex_buf_copy(p, T13_HS_HEADER + body);
	free(p);
	return m;
}

/* A CertificateRequest from its parts (RFC 5246 §7.4.4), @cas its raw certificate_authorities. */
static struct hex_buf cr_msg(const uint8_t *types, size_t types_len, const uint8_t *algs, size_t algs_len,
			     const uint8_t *cas, size_t cas_len)
{
	size_t body = 1 + types_len + 2 + algs_len + 2 + cas_len;
	uint8_t *p = calloc(1, T13_HS_HEADER + body), *at;
	struct hex_buf m;

	if (!p || types_len > 0xff || algs_len > 0xffff || cas_len > 0xffff)
		abort();
	p[0] = T13_HS_CERTIFICATE_REQUEST;
	t13_put24(p + 1, (uint32_t)body);
	p[4] = (uint8_t)types_len;
	at = p + 5;
	if (types_len)
		memcpy(at, types, types_len);
	at += types_len;
	t13_put16(at, (unsigned)algs_len);
	if (algs_len)
		memcpy(at + 2, algs, algs_len);
	at += 2 + algs_len;
	t13_put16(at, (unsigned)cas_len);
	if (cas_len)
		memcpy(at + 2, cas, cas_len);
	m = hex_buf_copy(p, T13_HS_HEADER + body);
	free(p);
	return m;
}

/* ---- Each parser as one signature, for the framing tests ---- */

typedef int (*parse_fn)(const uint8_t *msg, size_t len);

static int parse_cert(const uint8_t *msg, size_t len)
{
	struct t13_cert_entry e[4];
	size_t n;

	return t12_parse_certificate(msg, len, e, 4, &n);
}

static int parse_ske(const uint8_t *msg, size_t len)
{
	struct t12_server_key_exchange ske;

	return t12_parse_server_key_exchange(&ske, msg, len);
}

static int parse_cr(const uint8_t *msg, size_t len)
{
	struct t12_certificate_request cr;

	return t12_parse_certificate_request(&cr, msg, len);
}

/* Errors after which t12_parse_client_key_exchange() left its outputs other than NULL and 0. */
static size_t cke_dirty;

static int parse_cke(const uint8_t *msg, size_t len)
{
	static const uint8_t stale = 0xa5;
	const uint8_t *point = &stale;
	size_t point_len = 99;
	int rc = t12_parse_client_key_exchange(msg, len, &point, &point_len);

	if (rc && (point || point_len) && cke_dirty++ == 0)
		diag("ClientKeyExchange of %zu bytes: rc %d, but point %p, point_len %zu", len, rc, (const void *)point,
		     point_len);
	return rc;
}

/* A length field of a message: its offset and width in bytes. */
struct len_field {
	const char *name;
	size_t at;
	int width;
};

struct msg_case {
	const char *name;
	parse_fn parse;
	uint8_t type;
	const struct len_field *fields;
	size_t n_fields;
};

/* The message with @m's bytes, run once through @c's parser in an exactly-sized buffer. */
static int run(const struct msg_case *c, const uint8_t *p, size_t len)
{
	struct hex_buf copy = hex_buf_copy(p, len);
	int rc = c->parse(copy.p, copy.len);

	hex_free(&copy);
	return rc;
}

/*
 * Every truncation 0..len-1: as cut (the header's length then too long),
 * and with the header's length made to match, so the cut is met inside
 * the body. TLS 1.2's messages have no optional tail: each must fail.
 */
static void test_truncations(const struct msg_case *c, const struct hex_buf *m)
{
	size_t bad_raw = 0, bad_framed = 0;
	struct hex_buf cut;
	int rc;

	for (size_t l = 0; l < m->len; l++) {
		cut = hex_buf_copy(m->p, l);
		rc = c->parse(cut.p, cut.len);
		if (rc != -T13_ALERT_DECODE_ERROR && bad_raw++ == 0)
			diag("%s cut to %zu: rc %d", c->name, l, rc);
		if (l >= T13_HS_HEADER) {
			t13_put24(cut.p + 1, (uint32_t)(l - T13_HS_HEADER));
			rc = c->parse(cut.p, cut.len);
			if (rc != -T13_ALERT_DECODE_ERROR && bad_framed++ == 0)
				diag("%s cut to %zu, header fixed: rc %d", c->name, l, rc);
		}
		hex_free(&cut);
	}
	ok(bad_raw == 0, "%s: all %zu truncations fail with decode_error", c->name, m->len);
	ok(bad_framed == 0, "%s: all truncations with a matching header length fail with decode_error", c->name);
}

/* One byte appended: with the header as it was, and with its length grown to cover the byte. */
static void test_appended(const struct msg_case *c, const struct hex_buf *m)
{
	uint8_t *p = malloc(m->len + 1);
	int rc_raw, rc_framed;

	if (!p)
		abort();
	memcpy(p, m->p, m->len);
	p[m->len] = 0;
	rc_raw = run(c, p, m->len + 1);
	t13_put24(p + 1, (uint32_t)(m->len + 1 - T13_HS_HEADER));
	rc_framed = run(c, p, m->len + 1);
	ok(rc_raw == -T13_ALERT_DECODE_ERROR && rc_framed == -T13_ALERT_DECODE_ERROR,
	   "%s: a byte appended fails with decode_error, header as it was (rc %d) and grown (rc %d)", c->name,
	   rc_raw, rc_framed);
	free(p);
}

static uint32_t get_width(const uint8_t *p, int width)
{
	return width == 1 ? p[0] : width == 2 ? t13_get16(p) : t13_get24(p);
}

static void put_width(uint8_t *p, int width, uint32_t v)
{
	if (width == 1)
		p[0] = (uint8_t)v;
	else if (width == 2)
		t13_put16(p, v);
	else
		t13_put24(p, v);
}

/* Each length field one too large and one too small (when the field can hold it): decode_error. */
static void test_length_fields(const struct msg_case *c, const struct hex_buf *m)
{
	static const int deltas[] = { 1, -1 };

	for (size_t i = 0; i < c->n_fields; i++) {
		const struct len_field *f = &c->fields[i];
		uint32_t v = get_width(m->p + f->at, f->width), max = (1u << (8 * f->width)) - 1;

		for (size_t d = 0; d < 2; d++) {
			struct hex_buf bad;
			int rc;

			if ((deltas[d] < 0 && v == 0) || (deltas[d] > 0 && v == max))
				continue;
			bad = hex_buf_copy(m->p, m->len);
			put_width(bad.p + f->at, f->width, v + (uint32_t)deltas[d]);
			rc = c->parse(bad.p, bad.len);
			ok(rc == -T13_ALERT_DECODE_ERROR, "%s: %s %u changed to %u: decode_error (rc %d)", c->name,
			   f->name, v, v + (uint32_t)deltas[d], rc);
			hex_free(&bad);
		}
	}
}

/* Every other type byte: unexpected_message, the body unread. */
static void test_wrong_types(const struct msg_case *c, const struct hex_buf *m)
{
	struct hex_buf bad = hex_buf_copy(m->p, m->len);
	size_t wrong = 0;
	int rc;

	for (unsigned t = 0; t < 256; t++) {
		if (t == c->type)
			continue;
		bad.p[0] = (uint8_t)t;
		rc = c->parse(bad.p, bad.len);
		if (rc != -T13_ALERT_UNEXPECTED_MESSAGE && wrong++ == 0)
			diag("%s as type %u: rc %d", c->name, t, rc);
	}
	ok(wrong == 0, "%s: each of the 255 other types is unexpected_message", c->name);
	hex_free(&bad);
}

static void test_framing(const struct msg_case *c, const struct hex_buf *m)
{
	int rc = c->parse(m->p, m->len);

	ok(rc == 0, "%s: the well-formed message parses (rc %d)", c->name, rc);
	test_truncations(c, m);
	test_appended(c, m);
	test_length_fields(c, m);
	test_wrong_types(c, m);
}

/* ---- Certificate (RFC 5246 §7.4.2) ---- */

static const struct len_field CERT_FIELDS[] = {
	{ "header length", 1, 3 },
	{ "certificate_list length", 4, 3 },
	{ "first ASN.1Cert length", 7, 3 },
	{ "second ASN.1Cert length", 7 + 3 + S3_DER_LEN, 3 },
};

static const struct msg_case CERT_CASE = {
	"Certificate", parse_cert, T13_HS_CERTIFICATE, CERT_FIELDS, sizeof(CERT_FIELDS) / sizeof(CERT_FIELDS[0]),
};

static void test_certificate(void)
{
	struct hex_buf m = cert_two(), der = s3_der(), s3_13 = hex_alloc(RFC8448_S3_CERTIFICATE);
	struct t13_cert_entry e[3];
	size_t n = 99;
	int rc;

	rc = t12_parse_certificate(m.p, m.len, e, 3, &n);
	ok(rc == 0 && n == 2, "two-entry Certificate parses: 2 entries (rc %d, n %zu)", rc, n);
	ok(e[0].der == m.p + 10 && e[0].len == S3_DER_LEN && !memcmp(e[0].der, der.p, der.len),
	   "first entry: RFC 8448 §3's 432-byte DER, in place behind its uint24 length");
	ok(e[1].der == m.p + 10 + S3_DER_LEN + 3 && e[1].len == sizeof(SMALL_DER) &&
	   e[1].der + e[1].len == m.p + m.len && !memcmp(e[1].der, SMALL_DER, sizeof(SMALL_DER)),
	   "second entry in place, ending the message");

	n = 99;
	rc = t12_parse_certificate(m.p, m.len, e, 2, &n);
	ok(rc == 0 && n == 2, "room for exactly 2: parses (rc %d)", rc);
	n = 99;
	rc = t12_parse_certificate(m.p, m.len, e, 1, &n);
	ok(rc == -T13_ALERT_BAD_CERTIFICATE && n == 0, "room for 1 of 2: bad_certificate, n 0 (rc %d)", rc);
	rc = t12_parse_certificate(m.p, m.len, NULL, 0, &n);
	ok(rc == -T13_ALERT_BAD_CERTIFICATE && n == 0, "room for none (NULL): bad_certificate (rc %d)", rc);

	/* The TLS 1.3 layout (a context byte, per-entry extensions) is not TLS 1.2's. */
	rc = t12_parse_certificate(s3_13.p, s3_13.len, e, 3, &n);
	ok(rc == -T13_ALERT_DECODE_ERROR, "RFC 8448 §3's TLS 1.3 Certificate: decode_error here (rc %d)", rc);

	test_framing(&CERT_CASE, &m);
	hex_free(&m);
	hex_free(&der);
	hex_free(&s3_13);
}

static void test_certificate_shapes(void)
{
	struct hex_buf empty_der = { NULL, 0 }, small = hex_buf_copy(SMALL_DER, sizeof(SMALL_DER));
	struct hex_buf three[3] = { small, small, empty_der }, m;
	struct t13_cert_entry e[1];
	size_t n = 99;
	int rc;

	/* certificate_list<0..2^24-1>: an empty list is well-formed (RFC 5246 §7.4.6). */
	m = cert_msg(NULL, 0);
	rc = t12_parse_certificate(m.p, m.len, NULL, 0, &n);
	ok(rc == 0 && n == 0 && m.len == 7, "empty certificate_list: parses with no room at all, n 0 (rc %d)", rc);
	hex_free(&m);

	/* ASN.1Cert<1..2^24-1>: a zero-length one is a decode_error. */
	m = cert_msg(&empty_der, 1);
	rc = t12_parse_certificate(m.p, m.len, e, 1, &n);
	ok(rc == -T13_ALERT_DECODE_ERROR, "a zero-length ASN.1Cert: decode_error (rc %d)", rc);
	hex_free(&m);

	/* Two good entries, then an empty one, with room for one: the framing error wins. */
	m = cert_msg(three, 3);
	rc = t12_parse_certificate(m.p, m.len, e, 1, &n);
	ok(rc == -T13_ALERT_DECODE_ERROR && n == 0,
	   "too many entries and a zero-length one after them: decode_error, not bad_certificate (rc %d)", rc);
	hex_free(&m);
	hex_free(&small);
}

/* ---- ServerKeyExchange (RFC 8422 §5.4) ---- */

static const struct len_field SKE_FIELDS[] = {
	{ "header length", 1, 3 },
	{ "point length", SKE_POINT_LEN_AT, 1 },
	{ "signature length", SKE_SIG_LEN_AT, 2 },
};

static const struct msg_case SKE_CASE = {
	"ServerKeyExchange", parse_ske, T12_HS_SERVER_KEY_EXCHANGE, SKE_FIELDS,
	sizeof(SKE_FIELDS) / sizeof(SKE_FIELDS[0]),
};

/* Whether @ske is all zero, as the parser leaves it after an error. */
static int ske_zero(const struct t12_server_key_exchange *ske)
{
	return !ske->group && !ske->point && !ske->point_len && !ske->params && !ske->params_len && !ske->scheme &&
	       !ske->sig && !ske->sig_len;
}

static void test_ske_x25519(void)
{
	struct hex_buf m = hex_alloc(SKE_X25519), pub = hex_alloc(RFC8448_S3_SERVER_X25519_PUB);
	struct t12_server_key_exchange ske;
	int rc;

	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == 0, "ServerKeyExchange (x25519) parses (rc %d)", rc);
	ok(ske.group == T13_GROUP_X25519, "group x25519 (0x%04x)", ske.group);
	ok(ske.point == m.p + SKE_POINT_LEN_AT + 1 && ske.point_len == 32 && !memcmp(ske.point, pub.p, 32),
	   "point: RFC 8448 §3's server share, 32 bytes in place");
	ok(ske.params == m.p + T13_HS_HEADER && ske.params_len == 4 + 32 && ske.params[0] == T12_CURVE_TYPE_NAMED,
	   "params: the 36 bytes of ServerECDHParams, from curve_type to the point's end");
	ok(ske.scheme == T13_SIG_ECDSA_SECP256R1_SHA256 && ske.params + ske.params_len == m.p + SKE_SCHEME_AT,
	   "scheme ecdsa_secp256r1_sha256, right behind params");
	ok(ske.sig == m.p + SKE_SIG_LEN_AT + 2 && ske.sig_len == 8 && ske.sig + ske.sig_len == m.p + m.len &&
	   ske.sig[0] == 0x30, "signature: 8 bytes in place, ending the message");
	test_framing(&SKE_CASE, &m);
	hex_free(&m);
	hex_free(&pub);
}

/* RFC 8448 §5's P-256 share (its second ClientHello) and §3's RSA-PSS signature, as SKE contents. */
static void test_ske_p256_rsa(void)
{
	struct hex_buf ch2 = hex_alloc(RFC8448_S5_CLIENT_HELLO_2), cv = hex_alloc(RFC8448_S3_CERTIFICATE_VERIFY), m;
	struct t12_server_key_exchange ske;
	struct t13_client_hello ch;
	const uint8_t *share;
	size_t share_len = 0;
	int rc;

	if (t13_parse_client_hello(&ch, ch2.p, ch2.len))
		abort();
	share = t13_find_key_share(&ch, T13_GROUP_SECP256R1, &share_len);
	if (!share || share_len != 65 || cv.len != 8 + 128)
		abort();
	m = ske_msg(T12_CURVE_TYPE_NAMED, T13_GROUP_SECP256R1, share, share_len, T13_SIG_RSA_PSS_RSAE_SHA256,
		    cv.p + 8, 128);
	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == 0 && ske.group == T13_GROUP_SECP256R1 && ske.point_len == 65 && ske.point[0] == 0x04 &&
	   !memcmp(ske.point, share, 65), "secp256r1: the 65-byte uncompressed point (rc %d)", rc);
	ok(ske.params_len == 4 + 65 && ske.scheme == T13_SIG_RSA_PSS_RSAE_SHA256 && ske.sig_len == 128 &&
	   !memcmp(ske.sig, cv.p + 8, 128), "rsa_pss_rsae_sha256 and the 128-byte signature");
	hex_free(&m);
	hex_free(&ch2);
	hex_free(&cv);
}

static void test_ske_shapes(void)
{
	static const uint8_t point[255] = { 0x42 }, sig_byte = 0x30;
	static const uint8_t curve_types[] = { 0, 1, 2, 4, 255 };
	static const uint8_t explicit_only[] = { 0x0c, 0x00, 0x00, 0x01, 0x01 };
	struct t12_server_key_exchange ske;
	uint8_t *big_sig = calloc(1, 0xffff);
	struct hex_buf m;
	size_t wrong = 0;
	int rc;

	if (!big_sig)
		abort();
	/* RFC 8422 §5.4: explicit_prime (1) and explicit_char2 (2) are deprecated; only named_curve. */
	for (size_t i = 0; i < sizeof(curve_types); i++) {
		m = ske_msg(curve_types[i], T13_GROUP_SECP256R1, point, 65, T13_SIG_ECDSA_SECP256R1_SHA256, &sig_byte,
			    1);
		memset(&ske, 0xa5, sizeof(ske));
		rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
		if ((rc != -T13_ALERT_HANDSHAKE_FAILURE || !ske_zero(&ske)) && wrong++ == 0)
			diag("curve_type %u: rc %d", curve_types[i], rc);
		hex_free(&m);
	}
	ok(wrong == 0, "curve_type 0, 1, 2, 4, 255: handshake_failure, output zeroed");
	m = hex_buf_copy(explicit_only, sizeof(explicit_only));
	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == -T13_ALERT_HANDSHAKE_FAILURE, "explicit_prime and nothing after it: handshake_failure (rc %d)", rc);
	hex_free(&m);

	m = ske_msg(T12_CURVE_TYPE_NAMED, T13_GROUP_X25519, NULL, 0, T13_SIG_ECDSA_SECP256R1_SHA256, &sig_byte, 1);
	memset(&ske, 0xa5, sizeof(ske));
	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR && ske_zero(&ske), "empty point: decode_error, output zeroed (rc %d)", rc);
	hex_free(&m);

	m = ske_msg(T12_CURVE_TYPE_NAMED, T13_GROUP_X25519, point, 32, T13_SIG_ECDSA_SECP256R1_SHA256, NULL, 0);
	memset(&ske, 0xa5, sizeof(ske));
	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR && ske_zero(&ske), "empty signature: decode_error, output zeroed (rc %d)",
	   rc);
	hex_free(&m);

	m = ske_msg(T12_CURVE_TYPE_NAMED, 0x1234, point, 255, 0xabcd, big_sig, 0xffff);
	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == 0 && ske.group == 0x1234 && ske.point_len == 255 && ske.scheme == 0xabcd && ske.sig_len == 0xffff &&
	   ske.sig + ske.sig_len == m.p + m.len,
	   "largest point (255) and signature (65535), unknown group and scheme: parses, the caller judges (rc %d)",
	   rc);
	hex_free(&m);

	m = ske_msg(T12_CURVE_TYPE_NAMED, T13_GROUP_X25519, point, 1, T13_SIG_ECDSA_SECP256R1_SHA256, &sig_byte, 1);
	rc = t12_parse_server_key_exchange(&ske, m.p, m.len);
	ok(rc == 0 && ske.point_len == 1 && ske.sig_len == 1 && ske.params_len == 5,
	   "shortest point and signature (1 byte each): parses (rc %d)", rc);
	hex_free(&m);
	free(big_sig);
}

/* ---- CertificateRequest (RFC 5246 §7.4.4) ---- */

static const struct len_field CR_FIELDS[] = {
	{ "header length", 1, 3 },
	{ "certificate_types length", 4, 1 },
	{ "supported_signature_algorithms length", CR_SIG_ALGS_LEN_AT, 2 },
	{ "certificate_authorities length", CR_CAS_LEN_AT, 2 },
	{ "first DistinguishedName length", CR_DN1_LEN_AT, 2 },
	{ "second DistinguishedName length", CR_DN2_LEN_AT, 2 },
};

static const struct msg_case CR_CASE = {
	"CertificateRequest", parse_cr, T13_HS_CERTIFICATE_REQUEST, CR_FIELDS, sizeof(CR_FIELDS) / sizeof(CR_FIELDS[0]),
};

static int cr_zero(const struct t12_certificate_request *cr)
{
	return !cr->types && !cr->types_len && !cr->sig_algs && !cr->sig_algs_len;
}

static void test_certificate_request(void)
{
	struct hex_buf m = hex_alloc(CR_TWO_CAS);
	struct t12_certificate_request cr;
	int rc;

	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == 0, "CertificateRequest parses (rc %d)", rc);
	ok(cr.types == m.p + 5 && cr.types_len == 2 && cr.types[0] == CERT_TYPE_RSA_SIGN &&
	   cr.types[1] == CERT_TYPE_ECDSA_SIGN, "certificate_types: rsa_sign, ecdsa_sign, in place");
	ok(cr.sig_algs == m.p + CR_SIG_ALGS_LEN_AT + 2 && cr.sig_algs_len == 4 &&
	   t13_get16(cr.sig_algs) == T13_SIG_ECDSA_SECP256R1_SHA256 &&
	   t13_get16(cr.sig_algs + 2) == T13_SIG_RSA_PSS_RSAE_SHA256,
	   "supported_signature_algorithms: 0403 0804, in place");
	test_framing(&CR_CASE, &m);
	hex_free(&m);
}

static void test_certificate_request_shapes(void)
{
	static const uint8_t types[255] = { CERT_TYPE_ECDSA_SIGN }, algs[4] = { 0x04, 0x03, 0x08, 0x04 };
	static const uint8_t empty_dn[] = { 0x00, 0x02, 0x30, 0x00, 0x00, 0x00 };
	uint8_t *big = calloc(1, 0xffff);
	struct t12_certificate_request cr;
	struct hex_buf m;
	int rc;

	if (!big)
		abort();
	m = cr_msg(types, 1, algs, 4, NULL, 0);
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == 0 && cr.types_len == 1 && cr.sig_algs_len == 4,
	   "no certificate_authorities (<0..2^16-1>): parses (rc %d)", rc);
	hex_free(&m);

	m = cr_msg(types, 0, algs, 4, NULL, 0);
	memset(&cr, 0xa5, sizeof(cr));
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR && cr_zero(&cr),
	   "empty certificate_types (<1..2^8-1>): decode_error, output zeroed (rc %d)", rc);
	hex_free(&m);

	m = cr_msg(types, 255, algs, 4, NULL, 0);
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == 0 && cr.types_len == 255, "255 certificate_types: parses (rc %d)", rc);
	hex_free(&m);

	m = cr_msg(types, 1, algs, 0, NULL, 0);
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR, "empty supported_signature_algorithms (<2..>): decode_error (rc %d)", rc);
	hex_free(&m);

	m = cr_msg(types, 1, algs, 3, NULL, 0);
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR, "odd supported_signature_algorithms (3 bytes): decode_error (rc %d)", rc);
	hex_free(&m);

	m = cr_msg(types, 1, big, 0xfffe, NULL, 0);
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == 0 && cr.sig_algs_len == 0xfffe, "largest supported_signature_algorithms (65534): parses (rc %d)", rc);
	hex_free(&m);

	m = cr_msg(types, 1, big, 0xffff, NULL, 0);
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR, "supported_signature_algorithms of 65535 (<..2^16-2>): decode_error (rc %d)",
	   rc);
	hex_free(&m);

	/* DistinguishedName<1..2^16-1>: a good one, then an empty one. */
	m = cr_msg(types, 1, algs, 4, empty_dn, sizeof(empty_dn));
	memset(&cr, 0xa5, sizeof(cr));
	rc = t12_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == -T13_ALERT_DECODE_ERROR && cr_zero(&cr),
	   "an empty DistinguishedName: decode_error, output zeroed (rc %d)", rc);
	hex_free(&m);
	free(big);
}

/* ---- ServerHelloDone (RFC 5246 §7.4.5) ---- */

static const struct len_field SHD_FIELDS[] = {
	{ "header length", 1, 3 },
};

static const struct msg_case SHD_CASE = {
	"ServerHelloDone", t12_parse_server_hello_done, T12_HS_SERVER_HELLO_DONE, SHD_FIELDS, 1,
};

static void test_server_hello_done(void)
{
	static const uint8_t with_body[] = { 0x0e, 0x00, 0x00, 0x01, 0x00 };
	struct hex_buf m = hex_alloc(SHD), b = hex_buf_copy(with_body, sizeof(with_body));
	int rc;

	rc = t12_parse_server_hello_done(b.p, b.len);
	ok(rc == -T13_ALERT_DECODE_ERROR, "ServerHelloDone with a 1-byte body: decode_error (rc %d)", rc);
	test_framing(&SHD_CASE, &m);
	hex_free(&m);
	hex_free(&b);
}

/* ---- ClientKeyExchange (RFC 8422 §5.7), read by our server ---- */

static const struct len_field CKE_FIELDS[] = {
	{ "header length", 1, 3 },
	{ "point length", CKE_POINT_LEN_AT, 1 },
};

static const struct msg_case CKE_CASE = {
	"ClientKeyExchange", parse_cke, T12_HS_CLIENT_KEY_EXCHANGE, CKE_FIELDS,
	sizeof(CKE_FIELDS) / sizeof(CKE_FIELDS[0]),
};

/* t12_parse_client_key_exchange() on a copy of @p in an exactly-sized buffer; its point's offset in *@at. */
static int cke_rc(const uint8_t *p, size_t len, size_t *at, size_t *point_len)
{
	struct hex_buf m = hex_buf_copy(p, len);
	const uint8_t *point = m.p;
	int rc;

	*point_len = 99;
	rc = t12_parse_client_key_exchange(m.p, m.len, &point, point_len);
	*at = point ? (size_t)(point - m.p) : 0;
	if (rc && (point || *point_len))
		*at = 99;	/* an output left behind an error: no caller check can pass */
	hex_free(&m);
	return rc;
}

static void test_client_key_exchange(void)
{
	struct hex_buf m = hex_alloc(CKE_X25519), pub = hex_alloc(RFC8448_S3_CLIENT_X25519_PUB);
	/* RSA's EncryptedPreMasterSecret<0..2^16-1> (RFC 5246 §7.4.7.1): a 2-byte length, not ours. */
	static const uint8_t rsa_style[4 + 2 + 32] = { 0x10, 0x00, 0x00, 0x22, 0x00, 0x20, 0x04 };
	static const uint8_t empty[] = { 0x10, 0x00, 0x00, 0x01, 0x00 };
	uint8_t big[4 + 1 + 255] = { 0x10, 0x00, 0x01, 0x00, 0xff, 0x04 };
	const uint8_t one[] = { 0x10, 0x00, 0x00, 0x02, 0x01, 0x42 };
	const uint8_t *point = NULL;
	size_t point_len = 0, at;
	int rc;

	rc = t12_parse_client_key_exchange(m.p, m.len, &point, &point_len);
	ok(rc == 0, "ClientKeyExchange (x25519) parses (rc %d)", rc);
	ok(point == m.p + CKE_POINT_LEN_AT + 1 && point_len == 32 && !memcmp(point, pub.p, 32) &&
	   point + point_len == m.p + m.len,
	   "point: RFC 8448 §3's client share, 32 bytes in place, ending the message");

	cke_dirty = 0;
	test_framing(&CKE_CASE, &m);
	ok(cke_dirty == 0, "ClientKeyExchange: after each of those errors the point is NULL and its length 0");

	rc = cke_rc(empty, sizeof(empty), &at, &point_len);
	ok(rc == -T13_ALERT_DECODE_ERROR && at == 0 && point_len == 0,
	   "an empty point (a fixed-ECDH client's): decode_error, point NULL, length 0 (rc %d)", rc);
	rc = cke_rc(rsa_style, sizeof(rsa_style), &at, &point_len);
	ok(rc == -T13_ALERT_DECODE_ERROR && at == 0 && point_len == 0,
	   "an RSA-style ClientKeyExchange (2-byte length): decode_error, point NULL (rc %d)", rc);
	rc = cke_rc(one, sizeof(one), &at, &point_len);
	ok(rc == 0 && at == 5 && point_len == 1, "a 1-byte point, the shortest: parses (rc %d)", rc);
	rc = cke_rc(big, sizeof(big), &at, &point_len);
	ok(rc == 0 && at == 5 && point_len == 255, "a 255-byte point, the largest: parses (rc %d)", rc);
	hex_free(&m);
	hex_free(&pub);
}

/* ---- Writers ---- */

/* Whether the writer filled @b with exactly @want, without running out of room. */
static int same(const struct t13_buf *b, const struct hex_buf *want)
{
	return !b->overflow && b->len == want->len && !memcmp(b->p, want->p, want->len);
}

/* Write the message with every room short of @need, each in an exactly-sized buffer: each must overflow. */
static size_t short_rooms(void (*write)(struct t13_buf *b, const void *arg), const void *arg, size_t need)
{
	size_t failures = 0;

	for (size_t cap = 0; cap < need; cap++) {
		struct hex_buf room = { malloc(cap ? cap : 1), cap };
		struct t13_buf b;

		if (!room.p)
			abort();
		t13_buf_init(&b, room.p, cap);
		write(&b, arg);
		if ((!b.overflow || b.len > cap) && failures++ == 0)
			diag("room %zu of %zu: overflow %d, len %zu", cap, need, b.overflow, b.len);
		hex_free(&room);
	}
	return failures;
}

struct chain_arg {
	const br_x509_certificate *chain;
	size_t n;
};

static void write_cert(struct t13_buf *b, const void *arg)
{
	const struct chain_arg *a = arg;

	t12_write_certificate(b, a->chain, a->n);
}

static void test_write_certificate(void)
{
	struct hex_buf der = s3_der(), want = cert_two(), empty = cert_msg(NULL, 0);
	const br_x509_certificate chain[2] = {
		{ der.p, der.len },
		{ (unsigned char *)SMALL_DER, sizeof(SMALL_DER) },
	};
	const br_x509_certificate with_empty[2] = { chain[0], { (unsigned char *)SMALL_DER, 0 } };
	const struct chain_arg arg = { chain, 2 };
	struct hex_buf out = { malloc(want.len), want.len };
	struct t13_cert_entry e[2];
	struct t13_buf b;
	size_t n = 99;
	int rc;

	if (!out.p)
		abort();
	t13_buf_init(&b, out.p, out.len);
	t12_write_certificate(&b, chain, 2);
	ok(same(&b, &want), "Certificate written: the hand-made bytes exactly, in a buffer of exactly their size");
	rc = t12_parse_certificate(out.p, b.len, e, 2, &n);
	ok(rc == 0 && n == 2 && e[0].len == der.len && !memcmp(e[0].der, der.p, der.len) &&
	   e[1].len == sizeof(SMALL_DER) && !memcmp(e[1].der, SMALL_DER, sizeof(SMALL_DER)),
	   "... and parsed back: the same two certificates (rc %d)", rc);

	t13_buf_init(&b, out.p, out.len);
	t12_write_certificate(&b, NULL, 0);
	rc = t12_parse_certificate(out.p, b.len, NULL, 0, &n);
	ok(same(&b, &empty) && rc == 0 && n == 0, "no certificate: 0b 00 00 03 00 00 00, which parses to n 0");

	t13_buf_init(&b, out.p, out.len);
	t12_write_certificate(&b, with_empty, 2);
	ok(b.overflow, "a zero-length certificate in the chain: overflow");

	ok(short_rooms(write_cert, &arg, want.len) == 0, "every room short of %zu bytes: overflow, nothing past it",
	   want.len);
	hex_free(&der);
	hex_free(&want);
	hex_free(&empty);
	hex_free(&out);
}

struct point_arg {
	const uint8_t *p;
	size_t len;
};

static void write_cke(struct t13_buf *b, const void *arg)
{
	const struct point_arg *a = arg;

	t12_write_client_key_exchange(b, a->p, a->len);
}

/* The point of a ClientKeyExchange @m read back through msg.h's reader; 0 or -1. */
static int cke_point(const uint8_t *m, size_t len, struct t13_reader *point)
{
	struct t13_reader r;

	if (t13_msg_body(m, len, T12_HS_CLIENT_KEY_EXCHANGE, &r) || t13_rd_vec(&r, 1, 1, 0xff, point) || r.len)
		return -1;
	return 0;
}

static void test_write_client_key_exchange(void)
{
	struct hex_buf want = hex_alloc(CKE_X25519);
	struct hex_buf pub = hex_alloc(RFC8448_S3_CLIENT_X25519_PUB);
	static const uint8_t big[256] = { 0x04 };
	const struct point_arg arg = { pub.p, pub.len };
	uint8_t out[300];
	struct t13_reader point;
	size_t at, point_len;
	struct t13_buf b;

	t13_buf_init(&b, out, sizeof(out));
	t12_write_client_key_exchange(&b, pub.p, pub.len);
	ok(same(&b, &want), "ClientKeyExchange (x25519): the hand-made bytes exactly");
	ok(cke_point(out, b.len, &point) == 0 && point.p == out + 5 && point.len == 32 && !memcmp(point.p, pub.p, 32),
	   "... and read back: the 32-byte point behind its 1-byte length");
	ok(cke_rc(out, b.len, &at, &point_len) == 0 && at == 5 && point_len == 32,
	   "... and by our server's t12_parse_client_key_exchange(): the 32-byte point at byte 5");

	t13_buf_init(&b, out, sizeof(out));
	t12_write_client_key_exchange(&b, big, 255);
	ok(!b.overflow && b.len == 4 + 1 + 255 && cke_point(out, b.len, &point) == 0 && point.len == 255,
	   "a 255-byte point, the largest: written and read back");

	t13_buf_init(&b, out, sizeof(out));
	t12_write_client_key_exchange(&b, big, 256);
	ok(b.overflow && b.len == 0, "a 256-byte point: overflow, nothing written");
	t13_buf_init(&b, out, sizeof(out));
	t12_write_client_key_exchange(&b, NULL, 0);
	ok(b.overflow && b.len == 0, "an empty point: overflow, nothing written");

	/* Sticky: once overflowed, the next message is not written either. */
	t12_write_client_key_exchange(&b, pub.p, pub.len);
	ok(b.overflow && b.len == 0, "after an overflow, a good ClientKeyExchange is not written");

	ok(short_rooms(write_cke, &arg, want.len) == 0, "every room short of %zu bytes: overflow, nothing past it",
	   want.len);
	hex_free(&want);
	hex_free(&pub);
}

/* ---- Our server's writers ---- */

struct sh_arg {
	const uint8_t *random;
	const uint8_t *sid;
	size_t sid_len;
	uint16_t suite;
	unsigned flags;
	const char *alpn;
};

static void write_sh(struct t13_buf *b, const void *arg)
{
	const struct sh_arg *a = arg;

	t12_write_server_hello(b, a->random, a->sid, a->sid_len, a->suite, a->flags, a->alpn);
}

/* @a's ServerHello, written in a buffer of room to spare; a copy of exactly its bytes, or { NULL, 0 } on overflow. */
static struct hex_buf sh_written(const struct sh_arg *a)
{
	uint8_t out[600];
	struct t13_buf b;

	t13_buf_init(&b, out, sizeof(out));
	write_sh(&b, a);
	return b.overflow ? (struct hex_buf){ NULL, 0 } : hex_buf_copy(out, b.len);
}

/*
 * SH12_BARE with an extensions block of the one extension @ext_hex, made
 * by hand with t13.h's byte helpers (not the writer under test): the block's
 * 2-byte length, then the extension, and the header's length grown to match.
 */
static struct hex_buf sh12_with(const char *ext_hex)
{
	struct hex_buf bare = hex_alloc(SH12_BARE), ext = hex_alloc(ext_hex), m;
	uint8_t *p = malloc(bare.len + 2 + ext.len);

	if (!p)
		abort();
	memcpy(p, bare.p, bare.len);
	t13_put16(p + bare.len, (unsigned)ext.len);
	memcpy(p + bare.len + 2, ext.p, ext.len);
	t13_put24(p + 1, (uint32_t)(bare.len + 2 + ext.len - T13_HS_HEADER));
	m = hex_buf_copy(p, bare.len + 2 + ext.len);
	free(p);
	hex_free(&bare);
	hex_free(&ext);
	return m;
}

/* The extensions a client that sent all of our server's answers offered: what the client's parser takes. */
static uint64_t offered_12(void)
{
	return t13_ext_bit(T13_EXT_RENEGOTIATION_INFO) | t13_ext_bit(T13_EXT_SERVER_NAME) |
	       t13_ext_bit(T13_EXT_EC_POINT_FORMATS) | t13_ext_bit(T13_EXT_EXTENDED_MASTER_SECRET) |
	       t13_ext_bit(T13_EXT_ALPN);
}

/* The TLS 1.2 extensions the client's parser reports, as our T12_SH_ flags (ALPN aside). */
static unsigned sh_flags_of(const struct t13_server_hello *sh)
{
	return (sh->secure_renegotiation ? T12_SH_RENEGOTIATION_INFO : 0) |
	       (sh->extended_master_secret ? T12_SH_EXTENDED_MASTER_SECRET : 0) |
	       (sh->point_formats ? T12_SH_POINT_FORMATS : 0) | (sh->sni_ack12 ? T12_SH_SERVER_NAME : 0);
}

static void test_write_server_hello(void)
{
	struct hex_buf bare = hex_alloc(SH12_BARE), all = hex_alloc(SH12_ALL), sid_msg = hex_alloc(SH12_SID);
	struct hex_buf alpn_only = hex_alloc(SH12_ALPN_ONLY), random = hex_alloc(SH12_RANDOM_HEX);
	struct hex_buf sid = hex_buf_copy(sid_msg.p + SH12_SID_AT, 32), got;
	const unsigned all_flags = T12_SH_RENEGOTIATION_INFO | T12_SH_EXTENDED_MASTER_SECRET | T12_SH_POINT_FORMATS |
				   T12_SH_SERVER_NAME;
	const struct sh_arg bare_arg = { random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, 0, NULL };
	const struct sh_arg all_arg = { random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, all_flags, "h2" };
	const struct sh_arg sid_arg = { random.p, sid.p, 32, SUITE_ECDHE_RSA_AES_128_GCM_SHA256,
					T12_SH_RENEGOTIATION_INFO | T12_SH_EXTENDED_MASTER_SECRET, NULL };
	const struct sh_arg alpn_arg = { random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, 0, "http/1.1" };
	/* Each flag alone: its one extension, as SH12_ALL spells it. */
	static const struct {
		unsigned flag;
		const char *name, *ext;
	} one[] = {
		{ T12_SH_RENEGOTIATION_INFO, "renegotiation_info", "ff 01 00 01 00" },
		{ T12_SH_EXTENDED_MASTER_SECRET, "extended_master_secret", "00 17 00 00" },
		{ T12_SH_POINT_FORMATS, "ec_point_formats", "00 0b 00 02 01 00" },
		{ T12_SH_SERVER_NAME, "server_name", "00 00 00 00" },
	};
	static const uint8_t sid33[33] = { 0x5a };
	char long_name[257];
	struct sh_arg arg;
	struct t13_buf b;
	uint8_t out[600];

	got = sh_written(&bare_arg);
	ok(got.len == bare.len && !memcmp(got.p, bare.p, bare.len),
	   "ServerHello, no flags, no ALPN: the hand-made bytes exactly, no extensions block at all");
	hex_free(&got);
	got = sh_written(&all_arg);
	ok(got.len == all.len && !memcmp(got.p, all.p, all.len),
	   "ServerHello, all four flags and ALPN h2: renegotiation_info, server_name, ec_point_formats, "
	   "extended_master_secret, ALPN, byte for byte");
	hex_free(&got);
	got = sh_written(&sid_arg);
	ok(got.len == sid_msg.len && !memcmp(got.p, sid_msg.p, sid_msg.len),
	   "ServerHello, a 32-byte session id, renegotiation_info and extended_master_secret: byte for byte");
	hex_free(&got);
	got = sh_written(&alpn_arg);
	ok(got.len == alpn_only.len && !memcmp(got.p, alpn_only.p, alpn_only.len),
	   "ServerHello, ALPN http/1.1 and no flag: an extensions block of ALPN alone");
	hex_free(&got);

	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		struct hex_buf want = sh12_with(one[i].ext);

		arg = bare_arg;
		arg.flags = one[i].flag;
		got = sh_written(&arg);
		ok(got.len == want.len && !memcmp(got.p, want.p, want.len),
		   "ServerHello, flag %#x alone: %s alone (%s)", one[i].flag, one[i].name, one[i].ext);
		hex_free(&got);
		hex_free(&want);
	}

	/* The limits: session_id<0..32>, ProtocolName<1..2^8-1>. */
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[256] = '\0';
	t13_buf_init(&b, out, sizeof(out));
	write_sh(&b, &(struct sh_arg){ random.p, sid33, 33, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, 0, NULL });
	ok(b.overflow, "a 33-byte session id: overflow");
	t13_buf_init(&b, out, sizeof(out));
	write_sh(&b, &(struct sh_arg){ random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, all_flags, "" });
	ok(b.overflow, "an empty ALPN name: overflow");
	t13_buf_init(&b, out, sizeof(out));
	write_sh(&b, &(struct sh_arg){ random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, 0, long_name });
	ok(b.overflow, "a 256-byte ALPN name: overflow");
	long_name[255] = '\0';
	t13_buf_init(&b, out, sizeof(out));
	write_sh(&b, &(struct sh_arg){ random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, 0, long_name });
	ok(!b.overflow && b.len == bare.len + 2 + 4 + 2 + 1 + 255 && out[b.len - 256] == 255,
	   "a 255-byte ALPN name, the longest: written (%zu bytes)", b.len);

	ok(short_rooms(write_sh, &bare_arg, bare.len) == 0 && short_rooms(write_sh, &all_arg, all.len) == 0 &&
	   short_rooms(write_sh, &sid_arg, sid_msg.len) == 0,
	   "every room short of %zu, %zu and %zu bytes: overflow, nothing past it", bare.len, all.len, sid_msg.len);
	hex_free(&bare);
	hex_free(&all);
	hex_free(&sid_msg);
	hex_free(&alpn_only);
	hex_free(&random);
	hex_free(&sid);
}

/* Our ServerHellos read by our client's parser: what it reports is what the server meant. */
static void test_server_hello_round_trip(void)
{
	struct hex_buf random = hex_alloc(SH12_RANDOM_HEX), sid = hex_alloc(SH12_SID), m;
	const unsigned all_flags = T12_SH_RENEGOTIATION_INFO | T12_SH_EXTENDED_MASTER_SECRET | T12_SH_POINT_FORMATS |
				   T12_SH_SERVER_NAME;
	struct t13_server_hello sh;
	size_t wrong = 0;
	int rc;

	m = sh_written(&(struct sh_arg){ random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, all_flags, "h2" });
	rc = t13_parse_server_hello(&sh, m.p, m.len, offered_12());
	ok(rc == 0 && sh.version == 0 && !sh.is_hrr && sh.legacy_version == T12_VERSION && sh.has_extensions,
	   "all flags and h2, through t13_parse_server_hello(): a TLS 1.2 ServerHello (version 0) (rc %d)", rc);
	ok(sh.random == m.p + 6 && !memcmp(sh.random, random.p, 32) && t13_downgrade_sentinel(sh.random),
	   "... its random in place, with the DOWNGRD sentinel");
	ok(sh.session_id && sh.session_id_len == 0 && sh.suite == SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256 &&
	   sh.compression == 0, "... empty session id, suite c02b, compression null");
	ok(sh.secure_renegotiation && sh.sni_ack12 && sh.extended_master_secret,
	   "... secure_renegotiation, server_name acknowledged, extended_master_secret");
	ok(sh.point_formats && sh.point_formats_len == 1 && sh.point_formats[0] == 0,
	   "... point formats { uncompressed }");
	ok(sh.alpn12 && sh.alpn12_len == 2 && !memcmp(sh.alpn12, "h2", 2) && sh.alpn12 + 2 == m.p + m.len,
	   "... ALPN h2, in place, ending the message");
	ok(!sh.group && !sh.share && sh.psk_index == -1 && !sh.cookie, "... and nothing of TLS 1.3's");
	hex_free(&m);

	/* Every subset of the flags, with and without ALPN: exactly those reported. */
	for (unsigned flags = 0; flags <= all_flags; flags++)
		for (int alpn = 0; alpn < 2; alpn++) {
			m = sh_written(&(struct sh_arg){ random.p, sid.p + SH12_SID_AT, 32,
							SUITE_ECDHE_RSA_AES_128_GCM_SHA256, flags,
							alpn ? "h2" : NULL });
			rc = t13_parse_server_hello(&sh, m.p, m.len, offered_12());
			if ((rc || sh_flags_of(&sh) != flags || !sh.alpn12 != !alpn ||
			     sh.has_extensions != (flags || alpn) || sh.session_id_len != 32 ||
			     memcmp(sh.session_id, sid.p + SH12_SID_AT, 32) ||
			     sh.suite != SUITE_ECDHE_RSA_AES_128_GCM_SHA256) &&
			    wrong++ == 0)
				diag("flags %#x, alpn %d: rc %d, reported %#x", flags, alpn, rc, sh_flags_of(&sh));
			hex_free(&m);
		}
	ok(wrong == 0, "each of the 16 flag sets, with and without ALPN, 32-byte session id: parsed back as written");

	/* RFC 5246 §7.4.1.4: a server answers only what was offered; the client holds it to that. */
	m = sh_written(&(struct sh_arg){ random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256, 0, NULL });
	rc = t13_parse_server_hello(&sh, m.p, m.len, 0);
	ok(rc == 0 && !sh.has_extensions && !sh_flags_of(&sh) && !sh.alpn12,
	   "no flags, no ALPN: parses even for a client that offered nothing, no extensions (rc %d)", rc);
	hex_free(&m);
	m = sh_written(&(struct sh_arg){ random.p, NULL, 0, SUITE_ECDHE_ECDSA_AES_128_GCM_SHA256,
					 T12_SH_EXTENDED_MASTER_SECRET, NULL });
	rc = t13_parse_server_hello(&sh, m.p, m.len, offered_12() & ~t13_ext_bit(T13_EXT_EXTENDED_MASTER_SECRET));
	ok(rc == -T13_ALERT_UNSUPPORTED_EXTENSION,
	   "extended_master_secret to a client that did not offer it: unsupported_extension (rc %d)", rc);
	hex_free(&m);
	hex_free(&random);
	hex_free(&sid);
}

struct ske_arg {
	const uint8_t *params;
	size_t params_len;
	uint16_t scheme;
	const uint8_t *sig;
	size_t sig_len;
};

static void write_ske(struct t13_buf *b, const void *arg)
{
	const struct ske_arg *a = arg;

	t12_write_server_key_exchange(b, a->params, a->params_len, a->scheme, a->sig, a->sig_len);
}

static void write_ecdh_params(struct t13_buf *b, const void *arg)
{
	const struct point_arg *a = arg;

	t12_write_ecdh_params(b, T13_GROUP_X25519, a->p, a->len);
}

static void test_write_server_key_exchange(void)
{
	struct hex_buf m = hex_alloc(SKE_X25519), pub = hex_alloc(RFC8448_S3_SERVER_X25519_PUB);
	const struct point_arg point = { pub.p, pub.len };
	/* The hand-made message's ServerECDHParams and signature, as the writers' inputs. */
	const struct hex_buf want_params = { m.p + T13_HS_HEADER, SKE_SCHEME_AT - T13_HS_HEADER };
	const uint8_t *sig = m.p + SKE_SIG_LEN_AT + 2;
	const struct ske_arg arg = { want_params.p, want_params.len, T13_SIG_ECDSA_SECP256R1_SHA256, sig, 8 };
	/* The largest message: a 255-byte point and a 65535-byte signature. */
	const size_t big_len = T13_HS_HEADER + 4 + 255 + 2 + 2 + 0xffff;
	uint8_t params[300], *out = malloc(m.len), *big = malloc(big_len), *big_sig = calloc(1, 0x10000);
	static const uint8_t big_point[256] = { 0x04 };
	struct t12_server_key_exchange ske;
	struct t13_buf b;
	int rc;

	if (!out || !big || !big_sig)
		abort();
	t13_buf_init(&b, params, sizeof(params));
	t12_write_ecdh_params(&b, T13_GROUP_X25519, pub.p, pub.len);
	ok(same(&b, &want_params), "ServerECDHParams (x25519, RFC 8448 §3's server share): SKE_X25519's 36 bytes");
	t13_buf_init(&b, out, m.len);
	t12_write_server_key_exchange(&b, params, 36, T13_SIG_ECDSA_SECP256R1_SHA256, sig, 8);
	ok(same(&b, &m), "ServerKeyExchange of those params, 0403 and the 8-byte signature: SKE_X25519 exactly, "
	   "in a buffer of exactly its size");
	rc = t12_parse_server_key_exchange(&ske, out, b.len);
	ok(rc == 0 && ske.group == T13_GROUP_X25519 && ske.point == out + 8 && ske.point_len == 32 &&
	   !memcmp(ske.point, pub.p, 32) && ske.params == out + T13_HS_HEADER && ske.params_len == 36 &&
	   !memcmp(ske.params, params, 36) && ske.scheme == T13_SIG_ECDSA_SECP256R1_SHA256 && ske.sig_len == 8 &&
	   !memcmp(ske.sig, sig, 8),
	   "... parsed back: x25519, the point, the params as signed, 0403, the signature (rc %d)", rc);

	/* point<1..2^8-1> */
	t13_buf_init(&b, params, sizeof(params));
	t12_write_ecdh_params(&b, T13_GROUP_X25519, NULL, 0);
	ok(b.overflow && b.len == 0, "ServerECDHParams with an empty point: overflow, nothing written");
	t13_buf_init(&b, params, sizeof(params));
	t12_write_ecdh_params(&b, T13_GROUP_X25519, big_point, 256);
	ok(b.overflow && b.len == 0, "ServerECDHParams with a 256-byte point: overflow, nothing written");
	t13_buf_init(&b, params, sizeof(params));
	t12_write_ecdh_params(&b, T13_GROUP_SECP256R1, big_point, 255);
	ok(!b.overflow && b.len == 4 + 255 && params[0] == T12_CURVE_TYPE_NAMED &&
	   t13_get16(params + 1) == T13_GROUP_SECP256R1 && params[3] == 255 && params[4] == 0x04,
	   "ServerECDHParams with a 255-byte point, the largest: 03 0017 ff and the point");

	/* signature<0..2^16-1>: 65535 bytes fit, 65536 do not. */
	t13_buf_init(&b, big, big_len);
	t12_write_server_key_exchange(&b, params, 4 + 255, T13_SIG_RSA_PSS_RSAE_SHA256, big_sig, 0xffff);
	rc = b.overflow ? -1 : t12_parse_server_key_exchange(&ske, big, b.len);
	ok(rc == 0 && b.len == big_len && ske.point_len == 255 && ske.scheme == T13_SIG_RSA_PSS_RSAE_SHA256 &&
	   ske.sig_len == 0xffff, "a 255-byte point and a 65535-byte signature: written in exactly %zu bytes, "
	   "parsed back (rc %d)", big_len, rc);
	t13_buf_init(&b, big, big_len);
	t12_write_server_key_exchange(&b, params, 4 + 255, T13_SIG_RSA_PSS_RSAE_SHA256, big_sig, 0x10000);
	ok(b.overflow, "a 65536-byte signature: overflow");

	ok(short_rooms(write_ecdh_params, &point, want_params.len) == 0 && short_rooms(write_ske, &arg, m.len) == 0,
	   "every room short of %zu (params) and %zu bytes (message): overflow, nothing past it", want_params.len,
	   m.len);
	free(out);
	free(big);
	free(big_sig);
	hex_free(&m);
	hex_free(&pub);
}

static void write_shd(struct t13_buf *b, const void *arg)
{
	(void)arg;
	t12_write_server_hello_done(b);
}

static void test_write_server_hello_done(void)
{
	struct hex_buf want = hex_alloc(SHD), copy;
	uint8_t out[4];
	struct t13_buf b;

	t13_buf_init(&b, out, sizeof(out));
	t12_write_server_hello_done(&b);
	copy = hex_buf_copy(out, b.len);
	ok(same(&b, &want) && t12_parse_server_hello_done(copy.p, copy.len) == 0,
	   "ServerHelloDone: 0e 00 00 00 exactly, in 4 bytes, which parses");
	ok(short_rooms(write_shd, NULL, want.len) == 0, "every room short of 4 bytes: overflow, nothing past it");
	hex_free(&copy);
	hex_free(&want);
}

static void write_cr(struct t13_buf *b, const void *arg)
{
	static const uint16_t schemes[] = { T13_SIG_ECDSA_SECP384R1_SHA384, T13_SIG_RSA_PSS_RSAE_SHA384,
					    T13_SIG_RSA_PKCS1_SHA384 };

	(void)arg;
	t12_write_certificate_request(b, schemes, 3);
}

/* Our server's CertificateRequest: the layout of RFC 5246 §7.4.4, which our client's parser takes. */
static void test_write_certificate_request(void)
{
	/* types rsa_sign, ecdsa_sign; three schemes; no certificate_authorities. */
	struct hex_buf want = hex_alloc("0d 00 00 0d 02 01 40 00 06 05 03 08 05 05 01 00 00"), copy;
	struct t12_certificate_request cr;
	uint8_t out[32];
	struct t13_buf b;

	t13_buf_init(&b, out, sizeof(out));
	write_cr(&b, NULL);
	copy = hex_buf_copy(out, b.len);
	ok(same(&b, &want) && t12_parse_certificate_request(&cr, copy.p, copy.len) == 0 &&
	   cr.types_len == 2 && cr.sig_algs_len == 6 && t13_get16(cr.sig_algs + 4) == T13_SIG_RSA_PKCS1_SHA384,
	   "CertificateRequest: rsa_sign, ecdsa_sign, the schemes given, no authorities; it parses");
	ok(short_rooms(write_cr, NULL, want.len) == 0, "every room short of %zu bytes: overflow, nothing past it",
	   want.len);
	t13_buf_init(&b, out, sizeof(out));
	t12_write_certificate_request(&b, NULL, 0);
	ok(b.overflow, "no scheme at all: overflow (the list may not be empty)");
	hex_free(&copy);
	hex_free(&want);
}

/* What msg12.h says the TLS 1.3 writers and parser do for TLS 1.2: check it. */
static void test_reused_for_12(void)
{
	static const uint8_t verify_data[T12_FINISHED_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t sig[3] = { 0x30, 0x01, 0x00 };
	/* RFC 5246 §7.4.9 Finished: verify_data[12]; §7.4.8 CertificateVerify: scheme, signature<0..2^16-1>. */
	struct hex_buf fin = hex_alloc("14 00 00 0c 01 02 03 04 05 06 07 08 09 0a 0b 0c");
	struct hex_buf cv = hex_alloc("0f 00 00 07 04 03 00 03 30 01 00");
	const uint8_t *vd = NULL;
	uint8_t out[32];
	struct t13_buf b;

	t13_buf_init(&b, out, sizeof(out));
	t13_write_finished(&b, verify_data, T12_FINISHED_LEN);
	ok(same(&b, &fin) && t13_parse_finished(out, b.len, T12_FINISHED_LEN, &vd) == 0 && vd == out + 4,
	   "TLS 1.2 Finished: t13_write_finished() and t13_parse_finished(12) fit");
	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate_verify(&b, T13_SIG_ECDSA_SECP256R1_SHA256, sig, sizeof(sig));
	ok(same(&b, &cv), "TLS 1.2 CertificateVerify: t13_write_certificate_verify() writes its layout");
	hex_free(&fin);
	hex_free(&cv);
}

int main(void)
{
	test_certificate();
	test_certificate_shapes();
	test_ske_x25519();
	test_ske_p256_rsa();
	test_ske_shapes();
	test_certificate_request();
	test_certificate_request_shapes();
	test_server_hello_done();
	test_client_key_exchange();
	test_write_certificate();
	test_write_client_key_exchange();
	test_write_server_hello();
	test_server_hello_round_trip();
	test_write_server_key_exchange();
	test_write_server_hello_done();
	test_write_certificate_request();
	test_reused_for_12();
	return done();
}
