// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.2 handshake messages of our client (see msg12.h): the server's
 * Certificate, ServerKeyExchange, CertificateRequest and ServerHelloDone
 * read, our Certificate and ClientKeyExchange written; for our server, the
 * client's ClientKeyExchange read, ServerHello, ServerKeyExchange and
 * ServerHelloDone written.
 */
#include <string.h>

#include "msg12.h"

/* ---- Parsers ---- */

int t12_parse_certificate(const uint8_t *msg, size_t len, struct t13_cert_entry *entries, size_t max,
			  size_t *n)
{
	struct t13_reader r, list, der;
	size_t count = 0;
	int rc;

	*n = 0;
	rc = t13_msg_body(msg, len, T13_HS_CERTIFICATE, &r);
	if (rc)
		return rc;
	if (t13_rd_vec(&r, 3, 0, 0xffffff, &list) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	/* Walked to its end even past @max: a broken tail is a decode_error, whatever the count. */
	while (list.len) {
		if (t13_rd_vec(&list, 3, 1, 0xffffff, &der))
			return -T13_ALERT_DECODE_ERROR;
		if (count < max) {
			entries[count].der = der.p;
			entries[count].len = der.len;
		}
		count++;
	}
	if (count > max)
		return -T13_ALERT_BAD_CERTIFICATE;
	*n = count;
	return 0;
}

/*
 * ServerECDHParams (RFC 8422 §5.4): ECParameters { curve_type, namedcurve },
 * then ECPoint point<1..2^8-1>. The curve type is judged first: behind an
 * explicit one comes a layout we do not read.
 */
static int rd_ecdh_params(struct t13_reader *r, uint16_t *group, struct t13_reader *point)
{
	uint8_t curve_type;

	if (t13_rd_u8(r, &curve_type))
		return -T13_ALERT_DECODE_ERROR;
	if (curve_type != T12_CURVE_TYPE_NAMED)
		return -T13_ALERT_HANDSHAKE_FAILURE;
	if (t13_rd_u16(r, group) || t13_rd_vec(r, 1, 1, 0xff, point))
		return -T13_ALERT_DECODE_ERROR;
	return 0;
}

int t12_parse_server_key_exchange(struct t12_server_key_exchange *ske, const uint8_t *msg, size_t len)
{
	struct t13_reader r, point, sig;
	const uint8_t *params;
	uint16_t group, scheme;
	int rc;

	memset(ske, 0, sizeof(*ske));
	rc = t13_msg_body(msg, len, T12_HS_SERVER_KEY_EXCHANGE, &r);
	if (rc)
		return rc;
	params = r.p;
	rc = rd_ecdh_params(&r, &group, &point);
	if (rc)
		return rc;
	/* RFC 5246 §4.7: TLS 1.2's digitally-signed is { SignatureAndHashAlgorithm, signature<0..2^16-1> }. */
	if (t13_rd_u16(&r, &scheme) || t13_rd_vec(&r, 2, 1, 0xffff, &sig) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	ske->group = group;
	ske->point = point.p;
	ske->point_len = point.len;
	ske->params = params;
	ske->params_len = (size_t)(point.p + point.len - params);
	ske->scheme = scheme;
	ske->sig = sig.p;
	ske->sig_len = sig.len;
	return 0;
}

/* certificate_authorities: DistinguishedName<1..2^16-1> each, framing only. */
static int skip_distinguished_names(struct t13_reader cas)
{
	struct t13_reader dn;

	while (cas.len)
		if (t13_rd_vec(&cas, 2, 1, 0xffff, &dn))
			return -1;
	return 0;
}

int t12_parse_certificate_request(struct t12_certificate_request *cr, const uint8_t *msg, size_t len)
{
	struct t13_reader r, types, sig_algs, cas;
	int rc;

	memset(cr, 0, sizeof(*cr));
	rc = t13_msg_body(msg, len, T13_HS_CERTIFICATE_REQUEST, &r);
	if (rc)
		return rc;
	if (t13_rd_vec(&r, 1, 1, 0xff, &types) || t13_rd_vec(&r, 2, 2, 0xfffe, &sig_algs) ||
	    sig_algs.len % 2 || t13_rd_vec(&r, 2, 0, 0xffff, &cas) || r.len || skip_distinguished_names(cas))
		return -T13_ALERT_DECODE_ERROR;
	cr->types = types.p;
	cr->types_len = types.len;
	cr->sig_algs = sig_algs.p;
	cr->sig_algs_len = sig_algs.len;
	return 0;
}

int t12_parse_server_hello_done(const uint8_t *msg, size_t len)
{
	struct t13_reader r;
	int rc;

	rc = t13_msg_body(msg, len, T12_HS_SERVER_HELLO_DONE, &r);
	if (rc)
		return rc;
	return r.len ? -T13_ALERT_DECODE_ERROR : 0;
}

int t12_parse_client_key_exchange(const uint8_t *msg, size_t len, const uint8_t **point, size_t *point_len)
{
	struct t13_reader r, p;
	int rc;

	*point = NULL;
	*point_len = 0;
	rc = t13_msg_body(msg, len, T12_HS_CLIENT_KEY_EXCHANGE, &r);
	if (rc)
		return rc;
	if (t13_rd_vec(&r, 1, 1, 0xff, &p) || r.len)
		return -T13_ALERT_DECODE_ERROR;
	*point = p.p;
	*point_len = p.len;
	return 0;
}

/* ---- Writers ---- */

void t12_write_certificate(struct t13_buf *b, const br_x509_certificate *chain, size_t n)
{
	size_t msg = t13_hs_open(b, T13_HS_CERTIFICATE), list = t13_vec_open(b, 3);

	for (size_t i = 0; i < n; i++) {
		/* ASN.1Cert<1..2^24-1>: an empty certificate cannot be sent. */
		if (chain[i].data_len == 0)
			b->overflow = 1;
		t13_put_vec(b, 3, chain[i].data, chain[i].data_len);
	}
	t13_vec_close(b, list, 3);
	t13_hs_close(b, msg);
}

void t12_write_client_key_exchange(struct t13_buf *b, const uint8_t *point, size_t point_len)
{
	size_t msg;

	/* point<1..2^8-1>: refused before a byte is written, so no header is left without its point. */
	if (point_len < 1 || point_len > 0xff) {
		b->overflow = 1;
		return;
	}
	msg = t13_hs_open(b, T12_HS_CLIENT_KEY_EXCHANGE);
	t13_put_vec(b, 1, point, point_len);
	t13_hs_close(b, msg);
}

/* One extension with empty extension_data, or with a 1-byte vector of @n bytes. */
static void put_ext(struct t13_buf *b, uint16_t type, int vec, const uint8_t *data, size_t n)
{
	t13_put_u16(b, type);
	if (!vec) {
		t13_put_u16(b, 0);
		return;
	}
	t13_put_u16(b, (unsigned)(n + 1));
	t13_put_vec(b, 1, data, n);
}

void t12_write_server_hello(struct t13_buf *b, const uint8_t random[32], const uint8_t *sid,
			    size_t sid_len, uint16_t suite, unsigned flags, const char *alpn)
{
	static const uint8_t uncompressed = 0;
	size_t msg = t13_hs_open(b, T13_HS_SERVER_HELLO), exts, ext, list, alpn_len;

	t13_put_server_hello_head(b, random, sid, sid_len, suite);
	flags &= T12_SH_RENEGOTIATION_INFO | T12_SH_EXTENDED_MASTER_SECRET | T12_SH_POINT_FORMATS |
		 T12_SH_SERVER_NAME;
	if (flags || alpn) {
		exts = t13_vec_open(b, 2);
		if (flags & T12_SH_RENEGOTIATION_INFO)
			put_ext(b, T13_EXT_RENEGOTIATION_INFO, 1, NULL, 0);
		if (flags & T12_SH_SERVER_NAME)
			put_ext(b, T13_EXT_SERVER_NAME, 0, NULL, 0);
		if (flags & T12_SH_POINT_FORMATS)
			put_ext(b, T13_EXT_EC_POINT_FORMATS, 1, &uncompressed, 1);
		if (flags & T12_SH_EXTENDED_MASTER_SECRET)
			put_ext(b, T13_EXT_EXTENDED_MASTER_SECRET, 0, NULL, 0);
		if (alpn) {
			alpn_len = strlen(alpn);
			if (alpn_len < 1 || alpn_len > 0xff)
				b->overflow = 1;
			t13_put_u16(b, T13_EXT_ALPN);
			ext = t13_vec_open(b, 2);
			list = t13_vec_open(b, 2);
			t13_put_vec(b, 1, alpn, alpn_len);
			t13_vec_close(b, list, 2);
			t13_vec_close(b, ext, 2);
		}
		t13_vec_close(b, exts, 2);
	}
	t13_hs_close(b, msg);
}

void t12_write_ecdh_params(struct t13_buf *b, uint16_t group, const uint8_t *pub, size_t pub_len)
{
	if (pub_len < 1 || pub_len > 0xff) {
		b->overflow = 1;
		return;
	}
	t13_put_u8(b, T12_CURVE_TYPE_NAMED);
	t13_put_u16(b, group);
	t13_put_vec(b, 1, pub, pub_len);
}

void t12_write_server_key_exchange(struct t13_buf *b, const uint8_t *params, size_t params_len,
				   uint16_t scheme, const uint8_t *sig, size_t sig_len)
{
	size_t msg = t13_hs_open(b, T12_HS_SERVER_KEY_EXCHANGE);

	t13_put_bytes(b, params, params_len);
	t13_put_u16(b, scheme);
	t13_put_vec(b, 2, sig, sig_len);
	t13_hs_close(b, msg);
}

void t12_write_certificate_request(struct t13_buf *b, const uint16_t *schemes, size_t n)
{
	static const uint8_t types[] = { T12_CERT_TYPE_RSA_SIGN, T12_CERT_TYPE_ECDSA_SIGN };
	size_t msg = t13_hs_open(b, T13_HS_CERTIFICATE_REQUEST), list;

	if (!n)
		b->overflow = 1;
	t13_put_vec(b, 1, types, sizeof(types));
	list = t13_vec_open(b, 2);
	for (size_t i = 0; i < n; i++)
		t13_put_u16(b, schemes[i]);
	t13_vec_close(b, list, 2);
	t13_put_u16(b, 0);
	t13_hs_close(b, msg);
}

void t12_write_server_hello_done(struct t13_buf *b)
{
	size_t msg = t13_hs_open(b, T12_HS_SERVER_HELLO_DONE);

	t13_hs_close(b, msg);
}
