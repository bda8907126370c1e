// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_t12_msg: the parsers of what a TLS 1.2 server sends our client
 * (daemon/tls13/msg12.c): Certificate, ServerKeyExchange (ECDHE),
 * CertificateRequest, ServerHelloDone; the one of what a client sends our
 * server: ClientKeyExchange (ECDHE); and the writers that answer or
 * reproduce them.
 *
 * Input: one setup byte, then one handshake message, header included.
 *   bits 0-1  the parser: 0 t12_parse_certificate, 1 ..._server_key_exchange,
 *             2 ..._certificate_request, 3 ..._server_hello_done, or with
 *             bit 2 set ..._client_key_exchange
 *   bits 2-6  Certificate only: v; the entries array holds 16 - v of them
 *             (16 when v > 16), so the "too many entries" path is reached
 *
 * Checked beside the sanitizers: the return value is one the header
 * documents, and unexpected_message exactly when the type byte is another
 * (handshake_failure exactly when a well-framed ServerKeyExchange has a
 * curve_type other than named_curve); every pointer returned lies inside
 * the message, after its header, where the wire puts it; after an error
 * the outputs are empty. Certificate's entries are back to back, each
 * behind its length, and exactly the ones an unbounded parse finds, cut at
 * the array's size; written again by t12_write_certificate() they give the
 * same bytes (TLS 1.2 entries carry nothing else). A parsed
 * ServerKeyExchange's point, written by t12_write_client_key_exchange(),
 * reads back the same; its fields, written again by our server's
 * t12_write_ecdh_params() and t12_write_server_key_exchange(), give the
 * same bytes. A ClientKeyExchange parses exactly when it is a whole
 * header and a point<1..2^8-1> that is the whole body; its point is that
 * one, in place, and written by t12_write_client_key_exchange() gives the
 * same bytes; after an error the point is NULL and its length 0.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tls13/msg12.h"

#define MAX_ENTRIES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @n bytes at @p lie within the message's body (@msg, @len bytes). */
static int in_body(const uint8_t *msg, size_t len, const uint8_t *p, size_t n)
{
	return p && len >= T13_HS_HEADER && p >= msg + T13_HS_HEADER && p <= msg + len &&
	       n <= (size_t)(msg + len - p);
}

/* A whole header of @type whose length is the message's. */
static int framed(const uint8_t *msg, size_t len, uint8_t type)
{
	return len >= T13_HS_HEADER && msg[0] == type && t13_get24(msg + 1) == len - T13_HS_HEADER;
}

/* Every parser's first verdict: the type byte, behind a whole header. */
static void check_rc(const uint8_t *msg, size_t len, uint8_t type, int rc, int more)
{
	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_UNEXPECTED_MESSAGE ||
		   rc == more);
	FUZZ_CHECK((rc == -T13_ALERT_UNEXPECTED_MESSAGE) == (len >= T13_HS_HEADER && msg[0] != type));
	if (rc == 0)
		FUZZ_CHECK(framed(msg, len, type));
}

/* Back to back from the list's start, each behind its uint24 length, the last ending the message. */
static void check_entries(const uint8_t *msg, size_t len, const struct t13_cert_entry *e, size_t n)
{
	const uint8_t *next = msg + T13_HS_HEADER + 3;

	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(e[i].len >= 1 && in_body(msg, len, e[i].der, e[i].len));
		FUZZ_CHECK(e[i].der == next + 3 && t13_get24(next) == e[i].len);
		next = e[i].der + e[i].len;
	}
	FUZZ_CHECK(next == msg + len);
}

static void fuzz_certificate(const uint8_t *msg, size_t len, size_t max)
{
	struct t13_cert_entry bounded[MAX_ENTRIES], *all;
	/* Each entry takes 4 bytes at least: room for every one there can be. */
	size_t room = len / 4 + 1, n = 99, all_n = 99;
	br_x509_certificate *chain;
	uint8_t *out;
	struct t13_buf b;
	int rc, all_rc;

	all = calloc(room, sizeof(*all));
	FUZZ_CHECK(all);
	rc = t12_parse_certificate(msg, len, bounded, max, &n);
	all_rc = t12_parse_certificate(msg, len, all, room, &all_n);
	check_rc(msg, len, T13_HS_CERTIFICATE, rc, -T13_ALERT_BAD_CERTIFICATE);
	FUZZ_CHECK(all_rc != -T13_ALERT_BAD_CERTIFICATE);
	/* The message is judged whole before its count: the limit changes only that. */
	if (rc == -T13_ALERT_BAD_CERTIFICATE)
		FUZZ_CHECK(all_rc == 0 && all_n > max);
	else
		FUZZ_CHECK(rc == all_rc);
	if (rc) {
		FUZZ_CHECK(n == 0);
		free(all);
		return;
	}
	FUZZ_CHECK(n <= max && n == all_n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(bounded[i].der == all[i].der && bounded[i].len == all[i].len);
	check_entries(msg, len, bounded, n);

	chain = calloc(n + 1, sizeof(*chain));
	out = malloc(len + 1);
	FUZZ_CHECK(chain && out);
	for (size_t i = 0; i < n; i++) {
		chain[i].data = (unsigned char *)bounded[i].der;
		chain[i].data_len = bounded[i].len;
	}
	/* One byte more than the input: a longer message would show. */
	t13_buf_init(&b, out, len + 1);
	t12_write_certificate(&b, chain, n);
	FUZZ_CHECK(!b.overflow && b.len == len && !memcmp(out, msg, len));
	free(out);
	free(chain);
	free(all);
}

static int ske_zero(const struct t12_server_key_exchange *ske)
{
	return !ske->group && !ske->point && !ske->point_len && !ske->params && !ske->params_len && !ske->scheme &&
	       !ske->sig && !ske->sig_len;
}

/* The point written as our ClientKeyExchange reads back the same. */
static void check_client_key_exchange(const uint8_t *point, size_t point_len)
{
	uint8_t out[T13_HS_HEADER + 1 + 255];
	struct t13_reader r, v;
	struct t13_buf b;

	t13_buf_init(&b, out, sizeof(out));
	t12_write_client_key_exchange(&b, point, point_len);
	FUZZ_CHECK(!b.overflow && b.len == T13_HS_HEADER + 1 + point_len);
	FUZZ_CHECK(t13_msg_body(out, b.len, T12_HS_CLIENT_KEY_EXCHANGE, &r) == 0);
	FUZZ_CHECK(t13_rd_vec(&r, 1, 1, 0xff, &v) == 0 && r.len == 0);
	FUZZ_CHECK(v.len == point_len && !memcmp(v.p, point, point_len));
}

/* A parsed ServerKeyExchange written again by our server's writers: the same bytes. */
static void check_server_key_exchange(const uint8_t *msg, size_t len, const struct t12_server_key_exchange *ske)
{
	uint8_t params[4 + 255], *out = malloc(len + 1);
	struct t13_buf b;

	FUZZ_CHECK(out);
	t13_buf_init(&b, params, sizeof(params));
	t12_write_ecdh_params(&b, ske->group, ske->point, ske->point_len);
	FUZZ_CHECK(!b.overflow && b.len == ske->params_len && !memcmp(params, ske->params, b.len));
	/* One byte more than the input: a longer message would show. */
	t13_buf_init(&b, out, len + 1);
	t12_write_server_key_exchange(&b, params, ske->params_len, ske->scheme, ske->sig, ske->sig_len);
	FUZZ_CHECK(!b.overflow && b.len == len && !memcmp(out, msg, len));
	free(out);
}

static void fuzz_server_key_exchange(const uint8_t *msg, size_t len)
{
	struct t12_server_key_exchange ske;
	const uint8_t *body = msg + T13_HS_HEADER;
	int rc = t12_parse_server_key_exchange(&ske, msg, len);

	check_rc(msg, len, T12_HS_SERVER_KEY_EXCHANGE, rc, -T13_ALERT_HANDSHAKE_FAILURE);
	/* Judged on the curve_type byte alone, once the header holds. */
	FUZZ_CHECK((rc == -T13_ALERT_HANDSHAKE_FAILURE) ==
		   (framed(msg, len, T12_HS_SERVER_KEY_EXCHANGE) && len > T13_HS_HEADER &&
		    body[0] != T12_CURVE_TYPE_NAMED));
	if (rc) {
		FUZZ_CHECK(ske_zero(&ske));
		return;
	}
	FUZZ_CHECK(ske.params == body && body[0] == T12_CURVE_TYPE_NAMED && ske.group == t13_get16(body + 1));
	FUZZ_CHECK(ske.point == body + 4 && ske.point_len == body[3] && ske.point_len >= 1);
	FUZZ_CHECK(ske.params_len == 4 + ske.point_len && in_body(msg, len, ske.params, ske.params_len));
	FUZZ_CHECK(ske.scheme == t13_get16(ske.params + ske.params_len));
	FUZZ_CHECK(ske.sig == ske.params + ske.params_len + 4 && ske.sig_len >= 1 &&
		   ske.sig_len == t13_get16(ske.sig - 2) && ske.sig + ske.sig_len == msg + len);
	check_client_key_exchange(ske.point, ske.point_len);
	check_server_key_exchange(msg, len, &ske);
}

static void fuzz_certificate_request(const uint8_t *msg, size_t len)
{
	struct t12_certificate_request cr;
	struct t13_reader cas, dn;
	const uint8_t *cas_at;
	int rc = t12_parse_certificate_request(&cr, msg, len);

	check_rc(msg, len, T13_HS_CERTIFICATE_REQUEST, rc, 0);
	if (rc) {
		FUZZ_CHECK(!cr.types && !cr.types_len && !cr.sig_algs && !cr.sig_algs_len);
		return;
	}
	FUZZ_CHECK(cr.types == msg + T13_HS_HEADER + 1 && cr.types_len == msg[T13_HS_HEADER] && cr.types_len >= 1);
	FUZZ_CHECK(cr.sig_algs == cr.types + cr.types_len + 2 && cr.sig_algs_len == t13_get16(cr.sig_algs - 2));
	FUZZ_CHECK(cr.sig_algs_len >= 2 && cr.sig_algs_len <= 0xfffe && cr.sig_algs_len % 2 == 0);
	FUZZ_CHECK(in_body(msg, len, cr.sig_algs, cr.sig_algs_len + 2));
	/* What follows is certificate_authorities, to the message's end, made of whole non-empty names. */
	cas_at = cr.sig_algs + cr.sig_algs_len;
	FUZZ_CHECK((size_t)t13_get16(cas_at) + 2 == (size_t)(msg + len - cas_at));
	t13_rd_init(&cas, cas_at + 2, t13_get16(cas_at));
	while (cas.len)
		FUZZ_CHECK(t13_rd_vec(&cas, 2, 1, 0xffff, &dn) == 0);
}

static void fuzz_server_hello_done(const uint8_t *msg, size_t len)
{
	int rc = t12_parse_server_hello_done(msg, len);

	check_rc(msg, len, T12_HS_SERVER_HELLO_DONE, rc, 0);
	FUZZ_CHECK((rc == 0) == (len == T13_HS_HEADER && msg[0] == T12_HS_SERVER_HELLO_DONE && !t13_get24(msg + 1)));
}

static void fuzz_client_key_exchange(const uint8_t *msg, size_t len)
{
	static const uint8_t stale = 0xa5;
	const uint8_t *point = &stale;
	size_t point_len = 99;
	uint8_t out[T13_HS_HEADER + 1 + 255];
	struct t13_buf b;
	int rc = t12_parse_client_key_exchange(msg, len, &point, &point_len);

	check_rc(msg, len, T12_HS_CLIENT_KEY_EXCHANGE, rc, 0);
	/* Exactly a whole header, then point<1..2^8-1> and nothing after it. */
	FUZZ_CHECK((rc == 0) == (framed(msg, len, T12_HS_CLIENT_KEY_EXCHANGE) && len > T13_HS_HEADER &&
				 msg[T13_HS_HEADER] >= 1 && msg[T13_HS_HEADER] == len - T13_HS_HEADER - 1));
	if (rc) {
		FUZZ_CHECK(!point && point_len == 0);
		return;
	}
	FUZZ_CHECK(point == msg + T13_HS_HEADER + 1 && point_len == msg[T13_HS_HEADER] && point_len >= 1 &&
		   point_len <= 255 && in_body(msg, len, point, point_len) && point + point_len == msg + len);
	t13_buf_init(&b, out, sizeof(out));
	t12_write_client_key_exchange(&b, point, point_len);
	FUZZ_CHECK(!b.overflow && b.len == len && !memcmp(out, msg, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *msg;
	uint8_t *copy;
	size_t len, v;

	if (size < 1)
		return 0;
	/* An exactly-sized copy: ASan then sees any read past the message. */
	len = size - 1;
	copy = malloc(len ? len : 1);
	FUZZ_CHECK(copy);
	memcpy(copy, data + 1, len);
	msg = copy;
	switch (data[0] & 3) {
	case 0:
		v = (data[0] >> 2) & 31;
		fuzz_certificate(msg, len, v <= MAX_ENTRIES ? MAX_ENTRIES - v : MAX_ENTRIES);
		break;
	case 1:
		fuzz_server_key_exchange(msg, len);
		break;
	case 2:
		fuzz_certificate_request(msg, len);
		break;
	default:
		if (data[0] & 4)
			fuzz_client_key_exchange(msg, len);
		else
			fuzz_server_hello_done(msg, len);
		break;
	}
	free(copy);
	return 0;
}
