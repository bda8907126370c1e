// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.3 handshake codec (daemon/tls13/msg.c). RFC 8448's traces are
 * the reference: its ClientHellos parsed field by field, its server's
 * messages rebuilt byte for byte from their values; then malformed
 * ClientHellos, each meant to fail with one alert. A TLS 1.2 ClientHello
 * made by hand (RFC 5246 §7.4.1.2) carries the extensions only TLS 1.2
 * uses (RFC 8422's ec_point_formats, RFC 5746's renegotiation_info, RFC
 * 7627's extended_master_secret), parsed and broken the same way. Every
 * input sits in an exactly-sized malloc'd buffer, so under ASan a read past
 * its end is a crash, not a silent pass.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "hex.h"
#include "rfc8448.h"
#include "tap.h"
#include "tls13/msg.h"

/* RFC 8448 §3 {server} calculate finished: finished (32 octets). */
static const char RFC8448_S3_SERVER_VERIFY_DATA[] =
	"9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f "
	"ff ee 54 54 b7 8f 07 18";

/* RFC 8448 §3 {client} calculate finished: finished (32 octets). */
static const char RFC8448_S3_CLIENT_VERIFY_DATA[] =
	"a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 "
	"27 b6 42 f2 ed d5 ce 61";

/* RFC 8448 §4 {server} x25519 public key. */
static const char RFC8448_S4_SERVER_X25519_PUB[] =
	"12 17 61 ee 42 c3 33 e1 b9 e7 7b 60 dd 57 c2 05 3c d9 45 12 ab 47 f1 15 "
	"e8 6e ff 50 94 2c ea 31";

/*
 * A TLS 1.2 ClientHello by hand (RFC 5246 §7.4.1.2), as a client offering
 * only TLS 1.2 sends it: RFC 8448 §3's client random, two ECDHE suites,
 * and the extensions of RFC 6066, 8422, 5246 §7.4.1.4.1, 7627 and 5746.
 */
static const char CH12[] =
	"01 00 00 5b "				/* ClientHello, 91 bytes */
	"03 03 "				/* client_version TLS 1.2 */
	"cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 "
	"a2 ef 62 83 02 4d ec e7 "		/* random */
	"00 "					/* session_id, empty */
	"00 04 c0 2b c0 2f "			/* cipher_suites: ECDHE_ECDSA, ECDHE_RSA with AES_128_GCM_SHA256 */
	"01 00 "				/* compression_methods { null } */
	"00 2e "				/* extensions, 46 bytes */
	"00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 "	/* server_name "server" */
	"00 0b 00 02 01 00 "			/* ec_point_formats { uncompressed } */
	"00 0a 00 04 00 02 00 1d "		/* supported_groups { x25519 } */
	"00 0d 00 04 00 02 04 03 "		/* signature_algorithms { ecdsa_secp256r1_sha256 } */
	"00 17 00 00 "				/* extended_master_secret */
	"ff 01 00 01 00";			/* renegotiation_info, empty renegotiated_connection */

/* Where CH12's fields are. */
#define CH12_POINT_FORMATS_AT	69	/* the list, behind its length byte */
#define CH12_RENEG_INFO_AT	95	/* the (empty) vector's contents: the message's end */
/* RFC 8448 §3's ClientHello: its renegotiation_info's contents, behind server_name's 15 bytes. */
#define S3_RENEG_INFO_AT	(T13_HS_HEADER + 2 + 32 + 1 + 2 + 6 + 2 + 2 + 15 + 5)

/* Whether the writer filled @b with exactly @want, without running out of room. */
static int same(const struct t13_buf *b, const struct hex_buf *want)
{
	return !b->overflow && b->len == want->len && !memcmp(b->p, want->p, want->len);
}

/*
 * The extension @type of a message whose extensions block starts @skip
 * bytes into its body: its extension_data in @data. 0, or -1 if absent.
 */
static int find_extension(const uint8_t *msg, size_t len, size_t skip, uint16_t type, struct t13_reader *data)
{
	struct t13_reader r, exts;
	const uint8_t *p;
	uint16_t t;

	t13_rd_init(&r, msg + T13_HS_HEADER, len - T13_HS_HEADER);
	if (t13_rd_bytes(&r, skip, &p) || t13_rd_vec(&r, 2, 0, 0xffff, &exts))
		return -1;
	while (exts.len) {
		if (t13_rd_u16(&exts, &t) || t13_rd_vec(&exts, 2, 0, 0xffff, data))
			return -1;
		if (t == type)
			return 0;
	}
	return -1;
}

/* The body bytes before a ServerHello's extensions with an empty session id (§4.1.3). */
#define SH_HEAD (2 + 32 + 1 + 2 + 1)

/* ---- ClientHellos made of parts, for the malformed cases ---- */

struct ext {
	uint16_t type;
	const void *data;
	size_t len;
};

struct ch_parts {
	size_t sid_len;
	const uint8_t *suites;
	size_t suites_len;
	int no_extensions;
	const struct ext *exts;
	size_t n_exts;
};

static const uint8_t SUITES[] = { 0x13, 0x01, 0x13, 0x02 };
static const uint8_t SV13[] = { 0x02, 0x03, 0x04 };
static const uint8_t SV12[] = { 0x02, 0x03, 0x03 };
static const uint8_t GROUPS[] = { 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17 };
static const uint8_t SIG_ALGS[] = { 0x00, 0x04, 0x04, 0x03, 0x08, 0x04 };

static struct hex_buf build_ch(const struct ch_parts *c)
{
	uint8_t tmp[70000], sid[64] = { 0 }, random[32] = { 0 };
	struct t13_buf b;
	size_t msg, exts, ext;

	t13_buf_init(&b, tmp, sizeof(tmp));
	msg = t13_hs_open(&b, T13_HS_CLIENT_HELLO);
	t13_put_u16(&b, T13_LEGACY_VERSION);
	t13_put_bytes(&b, random, sizeof(random));
	t13_put_vec(&b, 1, sid, c->sid_len);
	t13_put_vec(&b, 2, c->suites ? c->suites : SUITES, c->suites ? c->suites_len : sizeof(SUITES));
	t13_put_vec(&b, 1, "", 1);
	if (!c->no_extensions) {
		exts = t13_vec_open(&b, 2);
		for (size_t i = 0; i < c->n_exts; i++) {
			t13_put_u16(&b, c->exts[i].type);
			ext = t13_vec_open(&b, 2);
			t13_put_bytes(&b, c->exts[i].data, c->exts[i].len);
			t13_vec_close(&b, ext, 2);
		}
		t13_vec_close(&b, exts, 2);
	}
	t13_hs_close(&b, msg);
	if (b.overflow)
		abort();
	return hex_buf_copy(tmp, b.len);
}

/* Build @c and parse it; the return value of the parser. */
static int parse_parts(const struct ch_parts *c)
{
	struct t13_client_hello ch;
	struct hex_buf v = build_ch(c);
	int rc = t13_parse_client_hello(&ch, v.p, v.len);

	hex_free(&v);
	return rc;
}

#define EXTS(...) (const struct ext[]){ __VA_ARGS__ }, sizeof((const struct ext[]){ __VA_ARGS__ }) / sizeof(struct ext)

/* ---- RFC 8448 §3: the ClientHello, every field ---- */

static void test_s3_client_hello(void)
{
	struct hex_buf m = hex_alloc(RFC8448_S3_CLIENT_HELLO), pub = hex_alloc(RFC8448_S3_CLIENT_X25519_PUB);
	struct t13_client_hello ch;
	const uint8_t *key;
	size_t key_len;
	int rc;

	rc = t13_parse_client_hello(&ch, m.p, m.len);
	ok(rc == 0, "§3 ClientHello parses (rc %d)", rc);
	ok(ch.msg_len == 196 && ch.legacy_version == 0x0303, "§3: msg_len 196, legacy_version 0x0303");
	ok(ch.random == m.p + 6, "§3: random points into the message, after the header and version");
	ok(ch.random[0] == 0xcb && ch.random[31] == 0xe7, "§3: random cb 34 ... ec e7");
	ok(ch.session_id && ch.session_id_len == 0, "§3: empty legacy_session_id");
	ok(ch.suites_len == 6 && t13_get16(ch.suites) == T13_AES_128_GCM_SHA256 &&
	   t13_get16(ch.suites + 2) == T13_CHACHA20_POLY1305_SHA256 &&
	   t13_get16(ch.suites + 4) == T13_AES_256_GCM_SHA384, "§3: suites 1301 1303 1302");
	ok(ch.compression_len == 1 && ch.compression[0] == 0, "§3: compression {0}");
	ok(ch.has_extensions, "§3: has extensions");
	ok(ch.has_server_name && !strcmp(ch.server_name, "server"), "§3: server_name \"server\"");
	ok(ch.groups_len == 18 && t13_get16(ch.groups) == T13_GROUP_X25519 &&
	   t13_get16(ch.groups + 2) == T13_GROUP_SECP256R1 && t13_get16(ch.groups + 16) == 0x0104,
	   "§3: supported_groups, 9 of them, x25519 first, ffdhe8192 last");
	ok(ch.key_shares_len == 36, "§3: key_share list of one x25519 entry (36 bytes)");
	key = t13_find_key_share(&ch, T13_GROUP_X25519, &key_len);
	ok(key && key_len == 32 && !memcmp(key, pub.p, 32), "§3: x25519 share is the client's public key");
	ok(!t13_find_key_share(&ch, T13_GROUP_SECP256R1, &key_len) && key_len == 0, "§3: no P-256 share");
	ok(ch.versions_len == 2 && t13_client_hello_offers_13(&ch), "§3: supported_versions {0304}");
	ok(ch.sig_algs_len == 30 && t13_get16(ch.sig_algs) == T13_SIG_ECDSA_SECP256R1_SHA256 &&
	   t13_list_has(ch.sig_algs, ch.sig_algs_len, T13_SIG_RSA_PSS_RSAE_SHA256) &&
	   t13_list_has(ch.sig_algs, ch.sig_algs_len, 0x0202) &&
	   !t13_list_has(ch.sig_algs, ch.sig_algs_len, 0x0807), "§3: signature_algorithms, 15 of them");
	ok(ch.psk_modes_len == 1 && ch.psk_modes[0] == T13_PSK_DHE_KE, "§3: psk_key_exchange_modes {psk_dhe_ke}");
	ok(!ch.sig_algs_cert && !ch.alpn && !ch.cookie && !ch.psk_identities && !ch.psk_binders &&
	   ch.binders_offset == 0, "§3: no signature_algorithms_cert, ALPN, cookie or pre_shared_key");
	ok(!ch.early_data && !ch.post_handshake_auth, "§3: no early_data, no post_handshake_auth");
	ok(t13_psk_identity(&ch, 0, &key, &key_len, &(uint32_t){ 0 }, &key, &key_len) == -1,
	   "§3: no PSK identity to iterate");
	hex_free(&m);
	hex_free(&pub);
}

/* ---- RFC 8448 §3: the server's flight rebuilt ---- */

static void test_s3_server_flight(void)
{
	struct hex_buf sh = hex_alloc(RFC8448_S3_SERVER_HELLO), pub = hex_alloc(RFC8448_S3_SERVER_X25519_PUB);
	struct hex_buf ee = hex_alloc(RFC8448_S3_ENCRYPTED_EXTENSIONS), cv = hex_alloc(RFC8448_S3_CERTIFICATE_VERIFY);
	struct hex_buf sfin = hex_alloc(RFC8448_S3_SERVER_FINISHED), svd = hex_alloc(RFC8448_S3_SERVER_VERIFY_DATA);
	struct hex_buf cfin = hex_alloc(RFC8448_S3_CLIENT_FINISHED), cvd = hex_alloc(RFC8448_S3_CLIENT_VERIFY_DATA);
	uint8_t out[1024];
	struct t13_buf b;
	struct t13_ee_params ep = {
		/* The server's groups: the list inside EncryptedExtensions (header, 2, 4, 2 bytes in). */
		.groups = ee.p + 12,
		.groups_len = 18,
		.sni_ack = 1,
		.record_size_limit = 0x4001,
	};
	struct t13_reader data;
	const uint8_t *vd, *sig;
	uint16_t scheme;
	size_t sig_len;

	t13_buf_init(&b, out, sizeof(out));
	t13_write_server_hello(&b, sh.p + 6, NULL, 0, T13_AES_128_GCM_SHA256, T13_GROUP_X25519, pub.p, pub.len, -1);
	ok(same(&b, &sh), "§3 ServerHello rebuilt byte for byte (%zu bytes)", b.len);

	t13_buf_init(&b, out, sizeof(out));
	t13_write_encrypted_extensions_params(&b, &ep);
	ok(same(&b, &ee), "§3 EncryptedExtensions rebuilt byte for byte (%zu bytes)", b.len);

	/* Without record_size_limit: the same, less that extension. */
	t13_buf_init(&b, out, sizeof(out));
	t13_write_encrypted_extensions(&b, NULL, 1, ep.groups, ep.groups_len);
	ok(!b.overflow && b.len == ee.len - 6 && !memcmp(b.p + 6, ee.p + 6, 22) &&
	   find_extension(b.p, b.len, 0, T13_EXT_RECORD_SIZE_LIMIT, &data) < 0 &&
	   find_extension(b.p, b.len, 0, T13_EXT_SERVER_NAME, &data) == 0 && data.len == 0,
	   "EncryptedExtensions: supported_groups and an empty server_name, no record_size_limit");

	t13_parse_certificate_verify(cv.p, cv.len, &scheme, &sig, &sig_len);
	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate_verify(&b, scheme, sig, sig_len);
	ok(same(&b, &cv), "§3 CertificateVerify rebuilt byte for byte");

	t13_buf_init(&b, out, sizeof(out));
	t13_write_finished(&b, svd.p, svd.len);
	ok(same(&b, &sfin), "§3 server Finished rebuilt byte for byte");
	t13_buf_init(&b, out, sizeof(out));
	t13_write_finished(&b, cvd.p, cvd.len);
	ok(same(&b, &cfin), "§3 client Finished rebuilt byte for byte");

	ok(t13_parse_finished(sfin.p, sfin.len, 32, &vd) == 0 && vd == sfin.p + 4 && !memcmp(vd, svd.p, 32),
	   "§3 Finished parses: verify_data in place");
	ok(t13_parse_finished(sfin.p, sfin.len, 48, &vd) == -T13_ALERT_DECODE_ERROR,
	   "Finished of 32 bytes where SHA-384's 48 are due: decode_error");
	ok(t13_parse_finished(cv.p, cv.len, 32, &vd) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "CertificateVerify given as Finished: unexpected_message");
	for (void *p[] = { sh.p, pub.p, ee.p, cv.p, sfin.p, svd.p, cfin.p, cvd.p }, **q = p; q < p + 8; q++)
		free(*q);
}

static void test_s3_certificate(void)
{
	struct hex_buf cert = hex_alloc(RFC8448_S3_CERTIFICATE), cv = hex_alloc(RFC8448_S3_CERTIFICATE_VERIFY);
	struct t13_cert_entry e[2];
	br_x509_certificate chain[1];
	const uint8_t *ctx, *sig;
	size_t ctx_len, n, sig_len;
	uint16_t scheme;
	uint8_t out[1024];
	struct t13_buf b;
	int rc;

	rc = t13_parse_certificate(cert.p, cert.len, &ctx, &ctx_len, e, 2, &n);
	ok(rc == 0 && ctx_len == 0 && n == 1, "§3 Certificate parses: empty context, one entry (rc %d)", rc);
	ok(e[0].der == cert.p + 11 && e[0].len == 432 && e[0].der[0] == 0x30 && e[0].der[431] == 0xe1,
	   "§3 Certificate: the 432-byte DER in place");
	chain[0].data = (unsigned char *)e[0].der;
	chain[0].data_len = e[0].len;
	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate(&b, NULL, 0, chain, 1);
	ok(same(&b, &cert), "§3 Certificate rebuilt byte for byte");
	ok(t13_parse_certificate(cert.p, cert.len, &ctx, &ctx_len, e, 0, &n) == -T13_ALERT_BAD_CERTIFICATE,
	   "Certificate of one entry with room for none: bad_certificate");

	rc = t13_parse_certificate_verify(cv.p, cv.len, &scheme, &sig, &sig_len);
	ok(rc == 0 && scheme == T13_SIG_RSA_PSS_RSAE_SHA256 && sig_len == 128 && sig == cv.p + 8,
	   "§3 CertificateVerify: rsa_pss_rsae_sha256, 128-byte signature in place");
	hex_free(&cert);
	hex_free(&cv);
}

/* Certificates made here: the empty one, extensions, zero-length cert_data. */
static void test_certificate_shapes(void)
{
	static const uint8_t der1[] = { 0x30, 0x00 }, der2[] = { 0x30, 0x01, 0x05 };
	const br_x509_certificate chain[2] = {
		{ (unsigned char *)der1, sizeof(der1) },
		{ (unsigned char *)der2, sizeof(der2) },
	};
	/* cert_data<1..2^24-1> of length 0 (§4.4.2). */
	static const uint8_t empty_der[] = { 0x0b, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
					     0x00, 0x00 };
	uint8_t out[256];
	struct t13_cert_entry e[2];
	const uint8_t *ctx;
	size_t ctx_len, n, mark, exts;
	struct t13_buf b;
	struct hex_buf v;
	int rc;

	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate(&b, (const uint8_t *)"ab", 2, NULL, 0);
	v = hex_buf_copy(out, b.len);
	rc = t13_parse_certificate(v.p, v.len, &ctx, &ctx_len, e, 2, &n);
	ok(!b.overflow && rc == 0 && n == 0 && ctx_len == 2 && !memcmp(ctx, "ab", 2),
	   "empty Certificate with a context: written, parsed back with n = 0");
	hex_free(&v);

	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate(&b, NULL, 0, chain, 2);
	v = hex_buf_copy(out, b.len);
	rc = t13_parse_certificate(v.p, v.len, &ctx, &ctx_len, e, 2, &n);
	ok(rc == 0 && n == 2 && e[0].len == 2 && !memcmp(e[0].der, der1, 2) && e[1].len == 3 &&
	   !memcmp(e[1].der, der2, 3), "a chain of two: written, parsed back in order");
	ok(t13_parse_certificate(v.p, v.len, &ctx, &ctx_len, e, 1, &n) == -T13_ALERT_BAD_CERTIFICATE && n == 0,
	   "two entries with room for one: bad_certificate");
	hex_free(&v);

	v = hex_buf_copy(empty_der, sizeof(empty_der));
	ok(t13_parse_certificate(v.p, v.len, &ctx, &ctx_len, e, 2, &n) == -T13_ALERT_DECODE_ERROR,
	   "zero-length cert_data: decode_error");
	hex_free(&v);

	/* An entry with one extension (status_request, 3 bytes), then with its length one too long. */
	for (int broken = 0; broken < 2; broken++) {
		t13_buf_init(&b, out, sizeof(out));
		mark = t13_hs_open(&b, T13_HS_CERTIFICATE);
		t13_put_vec(&b, 1, NULL, 0);
		exts = t13_vec_open(&b, 3);
		t13_put_vec(&b, 3, der1, sizeof(der1));
		t13_put_u16(&b, 7);
		t13_put_u16(&b, T13_EXT_STATUS_REQUEST);
		t13_put_u16(&b, broken ? 4 : 3);
		t13_put_bytes(&b, "xyz", 3);
		t13_vec_close(&b, exts, 3);
		t13_hs_close(&b, mark);
		v = hex_buf_copy(out, b.len);
		rc = t13_parse_certificate(v.p, v.len, &ctx, &ctx_len, e, 2, &n);
		if (broken)
			ok(rc == -T13_ALERT_DECODE_ERROR, "an entry's extension longer than its block: decode_error");
		else
			ok(rc == 0 && n == 1 && e[0].len == 2, "an entry's extension is skipped");
		hex_free(&v);
	}
}

/* ---- RFC 8448 §5: the HelloRetryRequest ---- */

static void test_s5_hello_retry_request(void)
{
	struct hex_buf hrr = hex_alloc(RFC8448_S5_HELLO_RETRY_REQUEST), ch1 = hex_alloc(RFC8448_S5_CLIENT_HELLO_1);
	struct hex_buf ch2 = hex_alloc(RFC8448_S5_CLIENT_HELLO_2);
	struct t13_client_hello ch;
	struct t13_reader cookie;
	uint8_t out[512], digest[32];
	br_sha256_context sha;
	struct t13_buf b;
	size_t key_len;
	int rc;

	br_sha256_init(&sha);
	br_sha256_update(&sha, "HelloRetryRequest", 17);
	br_sha256_out(&sha, digest);
	ok(!memcmp(t13_hrr_random, digest, 32) && !memcmp(hrr.p + 6, digest, 32),
	   "HelloRetryRequest random is SHA-256(\"HelloRetryRequest\"), as in §5's");

	ok(find_extension(hrr.p, hrr.len, SH_HEAD, T13_EXT_COOKIE, &cookie) == 0 &&
	   t13_rd_vec(&cookie, 2, 1, 0xffff, &cookie) == 0 && cookie.len == 114, "§5 HRR: a 114-byte cookie");
	t13_buf_init(&b, out, sizeof(out));
	t13_write_hello_retry_request(&b, NULL, 0, T13_AES_128_GCM_SHA256, T13_GROUP_SECP256R1, cookie.p,
				      cookie.len);
	ok(same(&b, &hrr), "§5 HelloRetryRequest rebuilt byte for byte, with its cookie (%zu bytes)", b.len);

	rc = t13_parse_client_hello(&ch, ch1.p, ch1.len);
	ok(rc == 0 && ch.groups_len == 6 && t13_find_key_share(&ch, T13_GROUP_X25519, &key_len) &&
	   key_len == 32 && !t13_find_key_share(&ch, T13_GROUP_SECP256R1, &key_len) && !ch.cookie,
	   "§5 first ClientHello: x25519 share only, no cookie");
	rc = t13_parse_client_hello(&ch, ch2.p, ch2.len);
	ok(rc == 0 && ch.cookie && ch.cookie_len == cookie.len && !memcmp(ch.cookie, cookie.p, cookie.len),
	   "§5 second ClientHello: the HRR's cookie echoed");
	ok(t13_find_key_share(&ch, T13_GROUP_SECP256R1, &key_len) && key_len == 65 &&
	   !t13_find_key_share(&ch, T13_GROUP_X25519, &key_len), "§5 second ClientHello: one P-256 share, 65 bytes");
	hex_free(&hrr);
	hex_free(&ch1);
	hex_free(&ch2);
}

/* ---- RFC 8448 §4: resumption ---- */

static void test_s4_resumption(void)
{
	struct hex_buf m = hex_alloc(RFC8448_S4_CLIENT_HELLO), binder = hex_alloc(RFC8448_S4_BINDER);
	struct hex_buf nst = hex_alloc(RFC8448_S3_NEW_SESSION_TICKET), sh = hex_alloc(RFC8448_S4_SERVER_HELLO);
	struct hex_buf pub = hex_alloc(RFC8448_S4_SERVER_X25519_PUB);
	struct t13_client_hello ch;
	/* §3's ticket: after lifetime, age_add, a 2-byte nonce and the ticket's length (0xb2). */
	const uint8_t *id, *bd, *ticket = nst.p + 17;
	size_t id_len, bd_len, ticket_len = t13_get16(nst.p + 15);
	uint8_t out[512];
	struct t13_buf b;
	uint32_t age;
	int rc;

	rc = t13_parse_client_hello(&ch, m.p, m.len);
	ok(rc == 0 && ch.msg_len == 512, "§4 ClientHello parses (rc %d)", rc);
	/* §4 "ClientHello prefix (477 octets)": what the binder's hash covers. */
	ok(ch.binders_offset == 477 && ch.psk_binders == m.p + 477 + 2 && ch.psk_binders_len == 33,
	   "§4: binders list at 477, one 32-byte binder");
	rc = t13_psk_identity(&ch, 0, &id, &id_len, &age, &bd, &bd_len);
	ok(rc == 0 && id_len == ticket_len && !memcmp(id, ticket, ticket_len),
	   "§4: identity 0 is §3's NewSessionTicket ticket (%zu bytes)", id_len);
	ok(rc == 0 && age == 0xfad6aacb, "§4: obfuscated_ticket_age fa d6 aa cb");
	ok(rc == 0 && bd_len == 32 && !memcmp(bd, binder.p, 32), "§4: binder 0 is the published binder");
	ok(t13_psk_identity(&ch, 1, &id, &id_len, &age, &bd, &bd_len) == -1, "§4: no identity 1");
	ok(ch.early_data && ch.psk_modes_len == 1 && t13_client_hello_offers_13(&ch) &&
	   !strcmp(ch.server_name, "server"), "§4: early_data, psk_dhe_ke, TLS 1.3, server");

	t13_buf_init(&b, out, sizeof(out));
	t13_write_server_hello(&b, sh.p + 6, NULL, 0, T13_AES_128_GCM_SHA256, T13_GROUP_X25519, pub.p, pub.len, 0);
	ok(same(&b, &sh), "§4 ServerHello with pre_shared_key(0) rebuilt byte for byte");

	/* §3's NewSessionTicket carries early_data; ours has no extensions: the same up to them. */
	t13_buf_init(&b, out, sizeof(out));
	t13_write_new_session_ticket(&b, t13_get24(nst.p + 4) << 8 | nst.p[7], t13_get24(nst.p + 8) << 8 | nst.p[11],
				     nst.p + 13, nst.p[12], ticket, ticket_len);
	ok(!b.overflow && b.len == nst.len - 8 && t13_get24(out + 1) == b.len - 4 &&
	   !memcmp(out + 4, nst.p + 4, b.len - 6) && t13_get16(out + b.len - 2) == 0,
	   "NewSessionTicket: §3's fields byte for byte, then no extensions");
	for (void *p[] = { m.p, binder.p, nst.p, sh.p, pub.p }, **q = p; q < p + 5; q++)
		free(*q);
}

/* ---- Malformed ClientHellos ---- */

/*
 * Every truncation of @hex, each in a buffer of exactly its length: with
 * the header untouched, and with the header's length made to match (so
 * the cut is met inside the body). The latter parses only when it cuts
 * exactly before the extensions block: a ClientHello of an older TLS.
 */
static void test_truncations(const char *name, const char *hex)
{
	struct hex_buf m = hex_alloc(hex), cut;
	struct t13_client_hello ch;
	size_t bad_raw = 0, bad_framed = 0, no_ext;
	int rc;

	if (t13_parse_client_hello(&ch, m.p, m.len))
		abort();
	no_ext = (size_t)(ch.compression + ch.compression_len - m.p);
	for (size_t l = 0; l < m.len; l++) {
		cut = hex_buf_copy(m.p, l);
		rc = t13_parse_client_hello(&ch, cut.p, cut.len);
		if (rc != -T13_ALERT_DECODE_ERROR && bad_raw++ == 0)
			diag("%s cut to %zu: rc %d", name, l, rc);
		if (l >= T13_HS_HEADER) {
			t13_put24(cut.p + 1, (uint32_t)(l - T13_HS_HEADER));
			rc = t13_parse_client_hello(&ch, cut.p, cut.len);
			if ((l == no_ext ? rc != 0 || ch.has_extensions : rc != -T13_ALERT_DECODE_ERROR) &&
			    bad_framed++ == 0)
				diag("%s cut to %zu, header fixed: rc %d", name, l, rc);
		}
		hex_free(&cut);
	}
	ok(bad_raw == 0, "%s: all %zu truncations fail with decode_error", name, m.len);
	ok(bad_framed == 0, "%s: all truncations with a matching header fail with decode_error, but at %zu "
	   "(no extensions)", name, no_ext);
	hex_free(&m);
}

static void test_trailing(void)
{
	struct hex_buf m = hex_alloc(RFC8448_S3_CLIENT_HELLO), sh = hex_alloc(RFC8448_S3_SERVER_HELLO), longer;
	struct t13_client_hello ch;

	longer.len = m.len + 1;
	longer.p = malloc(longer.len);
	memcpy(longer.p, m.p, m.len);
	longer.p[m.len] = 0;
	ok(t13_parse_client_hello(&ch, longer.p, longer.len) == -T13_ALERT_DECODE_ERROR,
	   "a byte past the header's length: decode_error");
	t13_put24(longer.p + 1, (uint32_t)(longer.len - T13_HS_HEADER));
	ok(t13_parse_client_hello(&ch, longer.p, longer.len) == -T13_ALERT_DECODE_ERROR,
	   "a byte after the extensions, within the header's length: decode_error");
	ok(t13_parse_client_hello(&ch, sh.p, sh.len) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "a ServerHello given as ClientHello: unexpected_message");
	hex_free(&longer);
	hex_free(&m);
	hex_free(&sh);
}

/*
 * pre_shared_key data (§4.2.11): @ids one-byte identities, then @binders
 * binders of @binder_len bytes. Returns its length in @out.
 */
static size_t make_psk(uint8_t *out, size_t cap, int ids, int binders, size_t binder_len)
{
	struct t13_buf b;
	uint8_t binder[255];
	size_t mark;

	memset(binder, 0xb1, sizeof(binder));
	t13_buf_init(&b, out, cap);
	mark = t13_vec_open(&b, 2);
	for (int i = 0; i < ids; i++) {
		t13_put_vec(&b, 2, "x", 1);
		t13_put_u32(&b, (uint32_t)i);
	}
	t13_vec_close(&b, mark, 2);
	mark = t13_vec_open(&b, 2);
	for (int i = 0; i < binders; i++)
		t13_put_vec(&b, 1, binder, binder_len);
	t13_vec_close(&b, mark, 2);
	if (b.overflow)
		abort();
	return b.len;
}

static void test_extension_rules(void)
{
	uint8_t psk[300], psk_2ids[300], psk_short_binder[300];
	size_t psk_len = make_psk(psk, sizeof(psk), 1, 1, 32);
	size_t psk_2ids_len = make_psk(psk_2ids, sizeof(psk_2ids), 2, 1, 32);
	size_t psk_short_binder_len = make_psk(psk_short_binder, sizeof(psk_short_binder), 1, 1, 31);
	static const uint8_t zero_key[] = { 0x00, 0x04, 0x00, 0x1d, 0x00, 0x00 };
	static const uint8_t dup_group[] = { 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x01, 0xaa, 0x00, 0x1d, 0x00, 0x01, 0xbb };
	static const uint8_t two_shares[] = { 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x01, 0xaa, 0x00, 0x17, 0x00, 0x01, 0xbb };
	static const uint8_t empty_shares[] = { 0x00, 0x00 };
	static const uint8_t odd_groups[] = { 0x00, 0x03, 0x00, 0x1d, 0x00 };
	static const uint8_t alpn[] = { 0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1' };
	static const uint8_t alpn_empty[] = { 0x00, 0x04, 0x02, 'h', '2', 0x00 };
	static const uint8_t one = 0;

	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 },
							{ T13_EXT_PRE_SHARED_KEY, psk, psk_len }) }) == 0,
	   "a PSK of one identity and one binder, last: parses");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 },
							{ T13_EXT_SUPPORTED_GROUPS, GROUPS, 6 },
							{ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 }) }) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "supported_versions twice: illegal_parameter");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ 0x1234, NULL, 0 }, { 0x1234, NULL, 0 }) }) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "an unknown extension twice: illegal_parameter");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_PRE_SHARED_KEY, psk, psk_len },
							{ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 }) }) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "pre_shared_key not last: illegal_parameter");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_PRE_SHARED_KEY, psk_2ids, psk_2ids_len }) }) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "two identities, one binder: illegal_parameter");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_PRE_SHARED_KEY, psk_short_binder,
							  psk_short_binder_len }) }) == -T13_ALERT_DECODE_ERROR,
	   "a 31-byte binder: decode_error");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_KEY_SHARE, zero_key, sizeof(zero_key) }) }) ==
	   -T13_ALERT_DECODE_ERROR, "a key_share entry with a zero-length key: decode_error");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_KEY_SHARE, dup_group, sizeof(dup_group) }) }) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "x25519 twice in key_share: illegal_parameter");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_KEY_SHARE, two_shares, sizeof(two_shares) }) }) ==
	   0, "two shares of two groups: parses");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_KEY_SHARE, empty_shares, 2 }) }) == 0,
	   "an empty client_shares (a client awaiting HelloRetryRequest): parses");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SUPPORTED_GROUPS, odd_groups, 5 }) }) ==
	   -T13_ALERT_DECODE_ERROR, "supported_groups of odd length: decode_error");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_ALPN, alpn, sizeof(alpn) }) }) == 0,
	   "ALPN h2, http/1.1: parses");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_ALPN, alpn_empty, sizeof(alpn_empty) }) }) ==
	   -T13_ALERT_DECODE_ERROR, "ALPN with an empty name: decode_error");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_EARLY_DATA, &one, 1 }) }) ==
	   -T13_ALERT_DECODE_ERROR, "early_data with a body: decode_error");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_COOKIE, empty_shares, 2 }) }) ==
	   -T13_ALERT_DECODE_ERROR, "an empty cookie: decode_error");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }) }) ==
	   -T13_ALERT_DECODE_ERROR, "supported_versions shorter than its length byte says: decode_error");
}

static void test_legacy_fields(void)
{
	static const uint8_t odd[] = { 0x13, 0x01, 0x13 };

	ok(parse_parts(&(struct ch_parts){ .sid_len = 32, .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 }) }) ==
	   0, "a 32-byte session id: parses");
	ok(parse_parts(&(struct ch_parts){ .sid_len = 33, .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 }) }) ==
	   -T13_ALERT_DECODE_ERROR, "a 33-byte session id: decode_error");
	ok(parse_parts(&(struct ch_parts){ .suites = odd, .suites_len = 3 }) == -T13_ALERT_DECODE_ERROR,
	   "a cipher list of 3 bytes: decode_error");
	ok(parse_parts(&(struct ch_parts){ .suites = odd, .suites_len = 0 }) == -T13_ALERT_DECODE_ERROR,
	   "an empty cipher list: decode_error");
}

static int server_name_rc(const char *name, size_t len, uint8_t type, char *got)
{
	uint8_t data[300];
	struct t13_client_hello ch;
	struct hex_buf v;
	int rc;

	t13_put16(data, (unsigned)(len + 3));
	data[2] = type;
	t13_put16(data + 3, (unsigned)len);
	memcpy(data + 5, name, len);
	v = build_ch(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SERVER_NAME, data, len + 5 }) });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	if (rc == 0 && got)
		strcpy(got, ch.has_server_name ? ch.server_name : "(none)");
	hex_free(&v);
	return rc;
}

static void test_server_name(void)
{
	static const uint8_t two_names[] = { 0x00, 0x0d, 0x00, 0x00, 0x04, 'a', 'b', 'c', 'd',
					     0x00, 0x00, 0x03, 'x', 'y', 'z' };
	char name[300], got[300];

	ok(server_name_rc("a-1.example.COM", 15, 0, got) == 0 && !strcmp(got, "a-1.example.COM"),
	   "host_name a-1.example.COM: parses, kept as sent");
	ok(server_name_rc("ser\0ver", 7, 0, NULL) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "host_name with a NUL: illegal_parameter");
	memset(name, 'a', sizeof(name));
	ok(server_name_rc(name, 255, 0, got) == 0 && strlen(got) == 255, "host_name of 255 bytes: parses");
	ok(server_name_rc(name, 256, 0, NULL) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "host_name of 256 bytes: illegal_parameter");
	ok(server_name_rc("my_host.internal", 16, 0, got) == 0 && !strcmp(got, "my_host.internal"),
	   "host_name with '_' (no hostname's, but names in use): parses");
	ok(server_name_rc("a b.example", 11, 0, NULL) == -T13_ALERT_ILLEGAL_PARAMETER &&
	   server_name_rc("*.example", 9, 0, NULL) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "host_name with a space or a '*': illegal_parameter");
	ok(server_name_rc("example.com.", 12, 0, NULL) == -T13_ALERT_ILLEGAL_PARAMETER &&
	   server_name_rc("a..b", 4, 0, NULL) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "host_name with a trailing dot or an empty label: illegal_parameter");
	ok(server_name_rc("", 0, 0, NULL) == -T13_ALERT_DECODE_ERROR, "an empty host_name: decode_error");
	ok(server_name_rc("whatever", 8, 7, got) == 0 && !strcmp(got, "(none)"), "an unknown name_type: skipped");
	ok(parse_parts(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SERVER_NAME, two_names, sizeof(two_names) }) }) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "two host_names: illegal_parameter");
}

static void test_tls12_client_hello(void)
{
	static const uint8_t sni[] = { 0x00, 0x09, 0x00, 0x00, 0x06, 's', 'e', 'r', 'v', 'e', 'r' };
	struct t13_client_hello ch;
	struct hex_buf v;
	int rc;

	v = build_ch(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SERVER_NAME, sni, sizeof(sni) },
						      { T13_EXT_SUPPORTED_GROUPS, GROUPS, sizeof(GROUPS) },
						      { T13_EXT_SIGNATURE_ALGORITHMS, SIG_ALGS, sizeof(SIG_ALGS) }) });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && ch.has_extensions && !ch.versions && !t13_client_hello_offers_13(&ch) &&
	   !strcmp(ch.server_name, "server") && ch.groups_len == 4,
	   "TLS 1.2 ClientHello (no supported_versions): parses, does not offer 1.3");
	hex_free(&v);

	v = build_ch(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV12, 3 }) });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && ch.versions && !t13_client_hello_offers_13(&ch), "supported_versions {0303} does not offer 1.3");
	hex_free(&v);

	v = build_ch(&(struct ch_parts){ .no_extensions = 1 });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && !ch.has_extensions && !ch.versions, "ClientHello without an extensions block: parses");
	hex_free(&v);

	v = build_ch(&(struct ch_parts){ .n_exts = 0 });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && ch.has_extensions, "ClientHello with an empty extensions block: parses");
	hex_free(&v);
}

/* A ClientHello of the extensions @exts (@n of them), parsed: the parser's return value. */
static int exts_rc(const struct ext *exts, size_t n)
{
	return parse_parts(&(struct ch_parts){ .exts = exts, .n_exts = n });
}

/* ec_point_formats, renegotiation_info, extended_master_secret: TLS 1.2's own extensions. */
static void test_tls12_extensions(void)
{
	struct hex_buf m = hex_alloc(CH12), s3 = hex_alloc(RFC8448_S3_CLIENT_HELLO);
	static const uint8_t formats3[] = { 0x03, 0x00, 0x01, 0x02 }, reneg3[] = { 0x03, 0xaa, 0xbb, 0xcc };
	static const uint8_t zero = 0x00, formats1[] = { 0x01, 0x00 }, two_one[] = { 0x02, 0x00 };
	static const uint8_t one_two[] = { 0x01, 0x00, 0x01 };
	static const uint8_t reneg_over[] = { 0x01 }, reneg_trail[] = { 0x00, 0x00 }, reneg_short[] = { 0x03, 0xaa };
	uint8_t formats255[256];
	struct t13_client_hello ch;
	struct hex_buf v;
	int rc;

	rc = t13_parse_client_hello(&ch, m.p, m.len);
	ok(rc == 0 && ch.msg_len == 95 && ch.legacy_version == T12_VERSION && !ch.versions &&
	   !t13_client_hello_offers_13(&ch) && ch.suites_len == 4 && !strcmp(ch.server_name, "server") &&
	   ch.groups_len == 2 && ch.sig_algs_len == 2, "TLS 1.2 ClientHello (by hand) parses (rc %d)", rc);
	ok(ch.point_formats == m.p + CH12_POINT_FORMATS_AT && ch.point_formats_len == 1 && ch.point_formats[0] == 0,
	   "TLS 1.2 ClientHello: ec_point_formats { uncompressed }, in place");
	ok(ch.extended_master_secret == 1, "TLS 1.2 ClientHello: extended_master_secret");
	ok(ch.reneg_info == m.p + CH12_RENEG_INFO_AT && ch.reneg_info_len == 0,
	   "TLS 1.2 ClientHello: renegotiation_info present, empty: a pointer (at the message's end), length 0");
	test_truncations("TLS 1.2 ClientHello", CH12);

	/* RFC 8448 §3's ClientHello sends renegotiation_info (ff 01 00 01 00) and neither of the others. */
	rc = t13_parse_client_hello(&ch, s3.p, s3.len);
	ok(rc == 0 && ch.reneg_info == s3.p + S3_RENEG_INFO_AT && ch.reneg_info_len == 0,
	   "§3 ClientHello: an empty renegotiation_info, present: a pointer, in place, length 0 (rc %d)", rc);
	ok(!ch.point_formats && ch.point_formats_len == 0 && !ch.extended_master_secret,
	   "§3 ClientHello: no ec_point_formats (NULL, 0), no extended_master_secret");
	v = build_ch(&(struct ch_parts){ .exts = EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 3 }) });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && !ch.reneg_info && !ch.reneg_info_len && !ch.point_formats && !ch.point_formats_len &&
	   !ch.extended_master_secret, "none of the three: reneg_info and point_formats NULL, lengths 0, EMS 0");
	hex_free(&v);

	/* The engine judges the contents; the parser keeps them. */
	v = build_ch(&(struct ch_parts){ .exts = EXTS({ T13_EXT_EC_POINT_FORMATS, formats3, sizeof(formats3) },
						      { T13_EXT_RENEGOTIATION_INFO, reneg3, sizeof(reneg3) }) });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && ch.point_formats_len == 3 && !memcmp(ch.point_formats, formats3 + 1, 3) &&
	   ch.reneg_info_len == 3 && !memcmp(ch.reneg_info, reneg3 + 1, 3) && ch.reneg_info + 3 == v.p + v.len,
	   "three point formats, a 3-byte renegotiated_connection: kept as they are, in place (rc %d)", rc);
	hex_free(&v);
	memset(formats255, 0x00, sizeof(formats255));
	formats255[0] = 255;
	v = build_ch(&(struct ch_parts){ .exts = EXTS({ T13_EXT_EC_POINT_FORMATS, formats255, 256 },
						      { T13_EXT_RENEGOTIATION_INFO, formats255, 256 }) });
	rc = t13_parse_client_hello(&ch, v.p, v.len);
	ok(rc == 0 && ch.point_formats_len == 255 && ch.reneg_info_len == 255,
	   "255 point formats and a 255-byte renegotiated_connection, the longest: parse (rc %d)", rc);
	hex_free(&v);

	/* Malformed: each a decode_error. */
	ok(exts_rc(EXTS({ T13_EXT_EC_POINT_FORMATS, &zero, 1 })) == -T13_ALERT_DECODE_ERROR,
	   "ec_point_formats with an empty list (<1..2^8-1>): decode_error");
	ok(exts_rc(EXTS({ T13_EXT_EC_POINT_FORMATS, NULL, 0 })) == -T13_ALERT_DECODE_ERROR,
	   "ec_point_formats with no extension_data at all: decode_error");
	ok(exts_rc(EXTS({ T13_EXT_EC_POINT_FORMATS, two_one, sizeof(two_one) })) == -T13_ALERT_DECODE_ERROR,
	   "ec_point_formats whose list length (2) overruns the extension (1 byte after it): decode_error");
	ok(exts_rc(EXTS({ T13_EXT_EC_POINT_FORMATS, one_two, sizeof(one_two) })) == -T13_ALERT_DECODE_ERROR,
	   "ec_point_formats whose list length (1) leaves a byte of the extension: decode_error");
	ok(exts_rc(EXTS({ T13_EXT_EXTENDED_MASTER_SECRET, &zero, 1 })) == -T13_ALERT_DECODE_ERROR,
	   "extended_master_secret with a body: decode_error");
	ok(exts_rc(EXTS({ T13_EXT_RENEGOTIATION_INFO, NULL, 0 })) == -T13_ALERT_DECODE_ERROR,
	   "renegotiation_info with no extension_data at all (not even the length byte): decode_error");
	ok(exts_rc(EXTS({ T13_EXT_RENEGOTIATION_INFO, reneg_over, sizeof(reneg_over) })) == -T13_ALERT_DECODE_ERROR &&
	   exts_rc(EXTS({ T13_EXT_RENEGOTIATION_INFO, reneg_short, sizeof(reneg_short) })) == -T13_ALERT_DECODE_ERROR,
	   "renegotiation_info whose vector length overruns the extension (1 of 0, 3 of 1 bytes): decode_error");
	ok(exts_rc(EXTS({ T13_EXT_RENEGOTIATION_INFO, reneg_trail, sizeof(reneg_trail) })) == -T13_ALERT_DECODE_ERROR,
	   "renegotiation_info with a byte after its vector: decode_error");

	/* §4.2: no extension twice, whatever it is. */
	ok(exts_rc(EXTS({ T13_EXT_EC_POINT_FORMATS, formats1, sizeof(formats1) },
			{ T13_EXT_EC_POINT_FORMATS, formats1, sizeof(formats1) })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "ec_point_formats twice: illegal_parameter");
	ok(exts_rc(EXTS({ T13_EXT_EXTENDED_MASTER_SECRET, NULL, 0 },
			{ T13_EXT_SUPPORTED_GROUPS, GROUPS, sizeof(GROUPS) },
			{ T13_EXT_EXTENDED_MASTER_SECRET, NULL, 0 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "extended_master_secret twice, apart: illegal_parameter");
	ok(exts_rc(EXTS({ T13_EXT_RENEGOTIATION_INFO, &zero, 1 }, { T13_EXT_RENEGOTIATION_INFO, &zero, 1 })) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "renegotiation_info twice: illegal_parameter");
	hex_free(&m);
	hex_free(&s3);
}

/* ---- Writers ---- */

static void test_writer_overflow(void)
{
	uint8_t random[32] = { 0 }, pub[32] = { 0 }, big[300] = { 0 }, out[300], guarded[64];
	uint8_t *ten = malloc(10);
	struct t13_buf b;
	size_t mark;

	/* Exactly 10 bytes: ASan stops a write past them. */
	t13_buf_init(&b, ten, 10);
	t13_write_server_hello(&b, random, NULL, 0, T13_AES_128_GCM_SHA256, T13_GROUP_X25519, pub, 32, -1);
	ok(b.overflow && b.len <= 10, "ServerHello into 10 bytes: overflow, len %zu <= 10", b.len);
	free(ten);

	memset(guarded, 0xee, sizeof(guarded));
	t13_buf_init(&b, guarded, 10);
	t13_write_finished(&b, big, 32);
	ok(b.overflow && b.len <= 10 && guarded[10] == 0xee && guarded[63] == 0xee,
	   "Finished into 10 bytes: overflow, nothing written past them");

	t13_buf_init(&b, guarded, 40);
	t13_write_finished(&b, big, 36);
	ok(!b.overflow && b.len == 40, "Finished of exactly the room left: no overflow");

	t13_buf_init(&b, guarded, sizeof(guarded));
	t13_put_bytes(&b, big, 65);
	t13_put_u8(&b, 1);
	ok(b.overflow && b.len == 0, "overflow is sticky: a byte that would fit is not written after it");

	t13_buf_init(&b, out, sizeof(out));
	mark = t13_vec_open(&b, 1);
	t13_put_bytes(&b, big, 256);
	t13_vec_close(&b, mark, 1);
	ok(b.overflow, "256 bytes in a vector of 1-byte length: overflow");

	t13_buf_init(&b, out, sizeof(out));
	t13_write_server_hello(&b, random, big, 33, T13_AES_128_GCM_SHA256, T13_GROUP_X25519, pub, 32, -1);
	ok(b.overflow, "ServerHello echoing a 33-byte session id: refused (overflow)");
	t13_buf_init(&b, out, sizeof(out));
	t13_write_encrypted_extensions(&b, "", 0, NULL, 0);
	ok(b.overflow, "EncryptedExtensions with an empty ALPN name: refused (overflow)");
}

static void test_writers(void)
{
	static const uint8_t sig_algs[] = { 0x04, 0x03, 0x08, 0x04 };
	struct t13_reader r, exts, list, name;
	uint8_t out[256], type;
	struct t13_buf b;
	uint16_t t;

	t13_buf_init(&b, out, sizeof(out));
	t13_write_encrypted_extensions(&b, "h2", 0, NULL, 0);
	ok(!b.overflow && find_extension(out, b.len, 0, T13_EXT_ALPN, &r) == 0 &&
	   t13_rd_vec(&r, 2, 2, 0xffff, &list) == 0 && r.len == 0 && t13_rd_vec(&list, 1, 1, 0xff, &name) == 0 &&
	   list.len == 0 && name.len == 2 && !memcmp(name.p, "h2", 2),
	   "EncryptedExtensions: ALPN of exactly one name, h2");
	ok(find_extension(out, b.len, 0, T13_EXT_SERVER_NAME, &r) < 0 &&
	   find_extension(out, b.len, 0, T13_EXT_SUPPORTED_GROUPS, &r) < 0, "... and nothing else");

	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate_request(&b, sig_algs, sizeof(sig_algs));
	t13_rd_init(&r, out, b.len);
	ok(!b.overflow && t13_rd_u8(&r, &type) == 0 && type == T13_HS_CERTIFICATE_REQUEST &&
	   t13_msg_body(out, b.len, T13_HS_CERTIFICATE_REQUEST, &r) == 0 &&
	   t13_rd_vec(&r, 1, 0, 0, &name) == 0 && t13_rd_vec(&r, 2, 2, 0xffff, &exts) == 0 && r.len == 0 &&
	   t13_rd_u16(&exts, &t) == 0 && t == T13_EXT_SIGNATURE_ALGORITHMS &&
	   t13_rd_vec(&exts, 2, 0, 0xffff, &r) == 0 && exts.len == 0 &&
	   t13_rd_vec(&r, 2, 2, 0xfffe, &list) == 0 && r.len == 0 && list.len == 4 &&
	   !memcmp(list.p, sig_algs, 4), "CertificateRequest: empty context, signature_algorithms only");
}

int main(void)
{
	test_s3_client_hello();
	test_s3_server_flight();
	test_s3_certificate();
	test_certificate_shapes();
	test_s5_hello_retry_request();
	test_s4_resumption();
	test_truncations("§3 ClientHello", RFC8448_S3_CLIENT_HELLO);
	test_truncations("§4 ClientHello", RFC8448_S4_CLIENT_HELLO);
	test_trailing();
	test_extension_rules();
	test_legacy_fields();
	test_server_name();
	test_tls12_client_hello();
	test_tls12_extensions();
	test_writer_overflow();
	test_writers();
	return done();
}
