// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_t13_msg: the parsers of the messages that authenticate a TLS 1.3
 * peer (daemon/tls13/msg.c): Certificate, CertificateVerify, Finished; the
 * server reads each from its client.
 *
 * Input: one setup byte, then one handshake message, header included.
 *   bits 0-1  the parser: 0 t13_parse_certificate, 1 ..._certificate_verify,
 *             2 t13_parse_finished with a 32-byte hash, 3 with a 48-byte one
 *   bits 2-6  Certificate only: v; the entries array holds 16 - v of them
 *             (16 when v > 16), so the "too many entries" path is reached
 *
 * Checked beside the sanitizers: the return value is one the header
 * documents, and unexpected_message exactly when the type byte is another;
 * every pointer returned lies inside the message, after its header;
 * Certificate's entries are in order, never overlap, and are exactly the
 * ones an unbounded parse finds, cut at the array's size; a parsed message
 * written again by t13_write_certificate_verify() or t13_write_finished()
 * gives the same bytes, and by t13_write_certificate() the same bytes when
 * no entry carried extensions (which it does not write), else fewer.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tls13/msg.h"

#define MAX_ENTRIES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @n bytes at @p lie within the message's body (@msg, @len bytes). */
static int in_body(const uint8_t *msg, size_t len, const uint8_t *p, size_t n)
{
	return p && len >= T13_HS_HEADER && p >= msg + T13_HS_HEADER && p <= msg + len &&
	       n <= (size_t)(msg + len - p);
}

/* Every parser's first verdict: the type byte, behind a whole header. */
static void check_rc(const uint8_t *msg, size_t len, uint8_t type, int rc, int more)
{
	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_UNEXPECTED_MESSAGE ||
		   rc == more);
	FUZZ_CHECK((rc == -T13_ALERT_UNEXPECTED_MESSAGE) == (len >= T13_HS_HEADER && msg[0] != type));
}

/* Written by @b must be the @len bytes at @msg, exactly. */
static void check_same(const struct t13_buf *b, const uint8_t *msg, size_t len)
{
	FUZZ_CHECK(!b->overflow);
	FUZZ_CHECK(b->len == len && !memcmp(b->p, msg, len));
}

/* Each entry non-empty, inside the list, after the context, in order, apart. */
static void check_entries(const uint8_t *msg, size_t len, const uint8_t *context, size_t context_len,
			  const struct t13_cert_entry *e, size_t n)
{
	/* The list's uint24 length follows the context. */
	const uint8_t *prev_end = context + context_len + 3;

	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(e[i].len >= 1 && in_body(msg, len, e[i].der, e[i].len));
		/* Each cert_data has its own uint24 length in front of it. */
		FUZZ_CHECK(e[i].der >= prev_end + 3);
		/* And its extensions' uint16 length behind it. */
		prev_end = e[i].der + e[i].len + 2;
		FUZZ_CHECK(prev_end <= msg + len);
	}
}

static void fuzz_certificate(const uint8_t *msg, size_t len, size_t max)
{
	struct t13_cert_entry bounded[MAX_ENTRIES], *all;
	size_t context_len = 0, n = 0, all_context_len = 0, all_n = 0;
	const uint8_t *context = NULL, *all_context = NULL;
	/* Each entry takes 5 bytes at least: room for every one there can be. */
	size_t room = len / 5 + 1;
	br_x509_certificate *chain;
	uint8_t *out;
	struct t13_buf b;
	int rc, all_rc;

	all = calloc(room, sizeof(*all));
	FUZZ_CHECK(all);
	rc = t13_parse_certificate(msg, len, &context, &context_len, bounded, max, &n);
	all_rc = t13_parse_certificate(msg, len, &all_context, &all_context_len, all, room, &all_n);
	check_rc(msg, len, T13_HS_CERTIFICATE, rc, -T13_ALERT_BAD_CERTIFICATE);
	FUZZ_CHECK(all_rc != -T13_ALERT_BAD_CERTIFICATE);
	/* The message is judged whole before its count: the limit changes only that. */
	if (rc == -T13_ALERT_BAD_CERTIFICATE)
		FUZZ_CHECK(all_rc == 0 && all_n > max);
	else
		FUZZ_CHECK(rc == all_rc);
	if (rc) {
		free(all);
		return;
	}
	FUZZ_CHECK(n <= max && n == all_n);
	FUZZ_CHECK(context == all_context && context_len == all_context_len);
	FUZZ_CHECK(context_len <= 255 && in_body(msg, len, context, context_len));
	FUZZ_CHECK(context == msg + T13_HS_HEADER + 1);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(bounded[i].der == all[i].der && bounded[i].len == all[i].len);
	check_entries(msg, len, context, context_len, bounded, n);

	chain = calloc(n + 1, sizeof(*chain));
	out = malloc(len + 1);
	FUZZ_CHECK(chain && out);
	for (size_t i = 0; i < n; i++) {
		chain[i].data = (unsigned char *)bounded[i].der;
		chain[i].data_len = bounded[i].len;
	}
	/* One byte more than the input: a longer message would show. */
	t13_buf_init(&b, out, len + 1);
	t13_write_certificate(&b, context, context_len, chain, n);
	FUZZ_CHECK(!b.overflow && b.len <= len);
	/* Equal lengths: no entry had extensions, so the bytes are the same. */
	if (b.len == len)
		check_same(&b, msg, len);
	free(out);
	free(chain);
	free(all);
}

static void fuzz_certificate_verify(const uint8_t *msg, size_t len)
{
	const uint8_t *sig = NULL;
	size_t sig_len = 0;
	uint16_t scheme = 0;
	uint8_t *out;
	struct t13_buf b;
	int rc = t13_parse_certificate_verify(msg, len, &scheme, &sig, &sig_len);

	check_rc(msg, len, T13_HS_CERTIFICATE_VERIFY, rc, 0);
	if (rc)
		return;
	FUZZ_CHECK(in_body(msg, len, sig, sig_len));
	FUZZ_CHECK(sig == msg + T13_HS_HEADER + 4 && sig + sig_len == msg + len);
	FUZZ_CHECK(scheme == t13_get16(msg + T13_HS_HEADER));
	out = malloc(len + 1);
	FUZZ_CHECK(out);
	t13_buf_init(&b, out, len + 1);
	t13_write_certificate_verify(&b, scheme, sig, sig_len);
	check_same(&b, msg, len);
	free(out);
}

static void fuzz_finished(const uint8_t *msg, size_t len, size_t hash_len)
{
	const uint8_t *verify_data = NULL;
	uint8_t out[T13_HS_HEADER + 48 + 1];
	struct t13_buf b;
	int rc = t13_parse_finished(msg, len, hash_len, &verify_data);

	check_rc(msg, len, T13_HS_FINISHED, rc, 0);
	if (rc)
		return;
	FUZZ_CHECK(len == T13_HS_HEADER + hash_len);
	FUZZ_CHECK(verify_data == msg + T13_HS_HEADER && in_body(msg, len, verify_data, hash_len));
	t13_buf_init(&b, out, sizeof(out));
	t13_write_finished(&b, verify_data, hash_len);
	check_same(&b, msg, len);
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
		fuzz_certificate_verify(msg, len);
		break;
	case 2:
		fuzz_finished(msg, len, 32);
		break;
	default:
		fuzz_finished(msg, len, 48);
		break;
	}
	free(copy);
	return 0;
}
