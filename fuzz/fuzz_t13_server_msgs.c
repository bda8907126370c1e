// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_t13_server_msgs: the TLS 1.3 client role's parsers of what a server
 * sends (daemon/tls13/msg_client.c): ServerHello/HelloRetryRequest,
 * EncryptedExtensions, CertificateRequest, NewSessionTicket, KeyUpdate.
 *
 * Input: byte 0 picks the parser (bits 0-2, modulo 5) and the set of
 * extensions the ClientHello is taken to have offered (bits 3-4: every one,
 * our TLS 1.3 offer, the same with a ticket and a cookie, our offer with
 * TLS 1.2's ec_point_formats and extended_master_secret); the rest is one
 * whole handshake message, header included.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "tls13/msg_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @n bytes at @p lie within the input (a NULL field is an absent one). */
static int inside(const uint8_t *data, size_t size, const uint8_t *p, size_t n)
{
	if (!p)
		return n == 0;
	return p >= data && p <= data + size && n <= (size_t)(data + size - p);
}

static int offered_has(uint64_t offered, uint16_t type)
{
	return !!(offered & t13_ext_bit(type));
}

static uint64_t offered_set(unsigned which)
{
	static const uint16_t ours[] = {
		T13_EXT_SERVER_NAME, T13_EXT_RENEGOTIATION_INFO, T13_EXT_SUPPORTED_GROUPS, T13_EXT_KEY_SHARE,
		T13_EXT_SUPPORTED_VERSIONS, T13_EXT_SIGNATURE_ALGORITHMS, T13_EXT_ALPN,
	};
	uint64_t set = 0;

	if (which == 0)
		return ~(uint64_t)0;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		set |= t13_ext_bit(ours[i]);
	if (which == 2)
		set |= t13_ext_bit(T13_EXT_PSK_KEY_EXCHANGE_MODES) | t13_ext_bit(T13_EXT_PRE_SHARED_KEY) |
		       t13_ext_bit(T13_EXT_COOKIE);
	if (which == 3)
		set |= t13_ext_bit(T13_EXT_EC_POINT_FORMATS) | t13_ext_bit(T13_EXT_EXTENDED_MASTER_SECRET);
	return set;
}

/* What a parsed ServerHello promises: fields in the input, each kind's extensions only, each one offered. */
static void check_server_hello(const struct t13_server_hello *sh, const uint8_t *m, size_t len, uint64_t offered)
{
	FUZZ_CHECK(sh->random && inside(m, len, sh->random, 32) && sh->random == m + 6);
	FUZZ_CHECK(sh->session_id && inside(m, len, sh->session_id, sh->session_id_len) && sh->session_id_len <= 32);
	FUZZ_CHECK(sh->compression == 0);
	FUZZ_CHECK(sh->is_hrr == !memcmp(sh->random, t13_hrr_random, 32));
	FUZZ_CHECK(sh->version == 0 || sh->version == T13_VERSION);
	FUZZ_CHECK(inside(m, len, sh->share, sh->share_len) && (!sh->share || sh->share_len >= 1));
	FUZZ_CHECK(inside(m, len, sh->cookie, sh->cookie_len) && (!sh->cookie || sh->cookie_len >= 1));
	FUZZ_CHECK(inside(m, len, sh->alpn12, sh->alpn12_len) && (!sh->alpn12 || sh->alpn12_len >= 1));
	FUZZ_CHECK(sh->alpn12_len <= 255 && sh->psk_index >= -1 && sh->psk_index <= 0xffff);
	FUZZ_CHECK(inside(m, len, sh->point_formats, sh->point_formats_len));
	if (sh->is_hrr)
		FUZZ_CHECK(sh->version == T13_VERSION && !sh->share && sh->psk_index == -1);
	if (sh->version || sh->is_hrr)
		FUZZ_CHECK(!sh->secure_renegotiation && !sh->alpn12 && !sh->sni_ack12 && !sh->point_formats &&
			   !sh->extended_master_secret);
	if (!sh->version)
		FUZZ_CHECK(!sh->group && !sh->share && !sh->cookie && sh->psk_index == -1);
	if (!sh->is_hrr)
		FUZZ_CHECK(!sh->cookie);
	if (!sh->has_extensions)
		FUZZ_CHECK(!sh->version && !sh->secure_renegotiation && !sh->alpn12);
	FUZZ_CHECK(sh->psk_index == -1 || offered_has(offered, T13_EXT_PRE_SHARED_KEY));
	FUZZ_CHECK(!sh->secure_renegotiation || offered_has(offered, T13_EXT_RENEGOTIATION_INFO));
	FUZZ_CHECK(!sh->alpn12 || offered_has(offered, T13_EXT_ALPN));
	FUZZ_CHECK(!sh->extended_master_secret || offered_has(offered, T13_EXT_EXTENDED_MASTER_SECRET));
	FUZZ_CHECK(t13_downgrade_sentinel(sh->random) ==
		   (!memcmp(sh->random + 24, "DOWNGRD", 7) && (sh->random[31] == 0 || sh->random[31] == 1)));
}

static int server_hello(const uint8_t *m, size_t len, uint64_t offered)
{
	struct t13_server_hello sh;
	int rc = t13_parse_server_hello(&sh, m, len, offered);

	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_ILLEGAL_PARAMETER ||
		   rc == -T13_ALERT_UNSUPPORTED_EXTENSION || rc == -T13_ALERT_UNEXPECTED_MESSAGE ||
		   rc == -T13_ALERT_MISSING_EXTENSION || rc == -T13_ALERT_HANDSHAKE_FAILURE);
	if (rc == 0)
		check_server_hello(&sh, m, len, offered);
	return rc;
}

static int encrypted_extensions(const uint8_t *m, size_t len, uint64_t offered)
{
	struct t13_encrypted_extensions ee;
	int rc = t13_parse_encrypted_extensions(&ee, m, len, offered);

	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_ILLEGAL_PARAMETER ||
		   rc == -T13_ALERT_UNSUPPORTED_EXTENSION || rc == -T13_ALERT_UNEXPECTED_MESSAGE);
	if (rc)
		return rc;
	FUZZ_CHECK(inside(m, len, ee.alpn, ee.alpn_len) && (!ee.alpn || (ee.alpn_len >= 1 && ee.alpn_len <= 255)));
	FUZZ_CHECK(!ee.alpn || offered_has(offered, T13_EXT_ALPN));
	FUZZ_CHECK(!ee.sni_ack || offered_has(offered, T13_EXT_SERVER_NAME));
	return 0;
}

static int certificate_request(const uint8_t *m, size_t len)
{
	struct t13_certificate_request cr;
	int rc = t13_parse_certificate_request(&cr, m, len);

	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_ILLEGAL_PARAMETER ||
		   rc == -T13_ALERT_MISSING_EXTENSION || rc == -T13_ALERT_UNEXPECTED_MESSAGE);
	if (rc)
		return rc;
	FUZZ_CHECK(cr.context && inside(m, len, cr.context, cr.context_len) && cr.context_len <= 255);
	FUZZ_CHECK(cr.sig_algs && inside(m, len, cr.sig_algs, cr.sig_algs_len) && cr.sig_algs_len >= 2 &&
		   cr.sig_algs_len % 2 == 0);
	return 0;
}

static int new_session_ticket(const uint8_t *m, size_t len)
{
	struct t13_new_session_ticket t;
	int rc = t13_parse_new_session_ticket(&t, m, len);

	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_ILLEGAL_PARAMETER ||
		   rc == -T13_ALERT_UNEXPECTED_MESSAGE);
	if (rc)
		return rc;
	FUZZ_CHECK(t.lifetime <= T13_MAX_TICKET_LIFETIME);
	FUZZ_CHECK(t.nonce && inside(m, len, t.nonce, t.nonce_len) && t.nonce_len <= 255);
	FUZZ_CHECK(t.ticket && inside(m, len, t.ticket, t.ticket_len) && t.ticket_len >= 1);
	FUZZ_CHECK(t.ticket == t.nonce + t.nonce_len + 2);
	return 0;
}

static int key_update(const uint8_t *m, size_t len)
{
	int req = -1, rc = t13_parse_key_update(m, len, &req);

	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_ILLEGAL_PARAMETER ||
		   rc == -T13_ALERT_UNEXPECTED_MESSAGE);
	if (rc == 0)
		FUZZ_CHECK(len == 5 && m[4] == req && (req == 0 || req == 1));
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t offered;
	const uint8_t *m;
	size_t len;

	if (size < 1)
		return 0;
	offered = offered_set((data[0] >> 3) & 3);
	m = data + 1;
	len = size - 1;
	switch ((data[0] & 7) % 5) {
	case 0:
		server_hello(m, len, offered);
		break;
	case 1:
		encrypted_extensions(m, len, offered);
		break;
	case 2:
		certificate_request(m, len);
		break;
	case 3:
		new_session_ticket(m, len);
		break;
	default:
		key_update(m, len);
		break;
	}
	return 0;
}
