// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.3 client role's messages (daemon/tls13/msg_client.c). RFC
 * 8448's traces are the reference: its ClientHellos rebuilt from their
 * values (less the extensions we never send, which are cut out of the
 * RFC's bytes here, the lengths around them fixed), its server's messages
 * parsed field by field; then malformed messages, each meant to fail with
 * one alert. Every input sits in an exactly-sized malloc'd buffer, so under
 * ASan a read past its end is a crash, not a silent pass.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "rfc8448.h"
#include "tap.h"
#include "tls13/msg_client.h"

/* The first bytes of the downgrade sentinels, "DOWNGRD" (RFC 8446 §4.1.3). */
static const uint8_t DOWNGRD[7] = { 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44 };

/* session_ticket (RFC 5077): in RFC 8448's ClientHellos, never in ours. */
#define EXT_SESSION_TICKET 0x0023

/* Whether the writer filled @b with exactly @want, without running out of room. */
static int same(const struct t13_buf *b, const struct hex_buf *want)
{
	return !b->overflow && b->len == want->len && !memcmp(b->p, want->p, want->len);
}

/* ---- ClientHellos taken apart ---- */

/* Where a well-formed ClientHello's extensions block (its 2-byte length) starts. */
static size_t ch_exts_at(const uint8_t *m)
{
	size_t at = T13_HS_HEADER + 2 + 32;

	at += 1 + m[at];
	at += 2 + t13_get16(m + at);
	at += 1 + m[at];
	return at;
}

/* The extensions block of the ClientHello @ch. */
static struct t13_reader ch_exts(const struct hex_buf *ch)
{
	struct t13_reader r, exts;
	size_t at = ch_exts_at(ch->p);

	t13_rd_init(&r, ch->p + at, ch->len - at);
	if (t13_rd_vec(&r, 2, 0, 0xffff, &exts) || r.len)
		abort();
	return exts;
}

/* The offered set of the ClientHello @ch, from the extension types it carries. */
static uint64_t offered_of(const struct hex_buf *ch)
{
	struct t13_reader exts = ch_exts(ch), data;
	uint64_t set = 0;
	uint16_t type;

	while (exts.len) {
		if (t13_rd_u16(&exts, &type) || t13_rd_vec(&exts, 2, 0, 0xffff, &data))
			abort();
		set |= t13_ext_bit(type);
	}
	return set;
}

/* The extension_data of @type in the ClientHello @ch; 0, or -1 if absent. */
static int ch_find(const struct hex_buf *ch, uint16_t type, struct t13_reader *data)
{
	struct t13_reader exts = ch_exts(ch);
	uint16_t t;

	while (exts.len) {
		if (t13_rd_u16(&exts, &t) || t13_rd_vec(&exts, 2, 0, 0xffff, data))
			abort();
		if (t == type)
			return 0;
	}
	return -1;
}

static int dropped(uint16_t type, const uint16_t *drop, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (drop[i] == type)
			return 1;
	return 0;
}

/*
 * The ClientHello @ch less its extensions of the @n types in @drop, every
 * length around them fixed: the same values, as a client that does not send
 * those extensions writes them.
 */
static struct hex_buf strip(const struct hex_buf *ch, const uint16_t *drop, size_t n)
{
	struct t13_reader exts = ch_exts(ch), data;
	uint8_t *tmp = malloc(ch->len);
	size_t at = ch_exts_at(ch->p), msg, block;
	struct t13_buf b;
	struct hex_buf v;
	uint16_t type;

	if (!tmp)
		abort();
	t13_buf_init(&b, tmp, ch->len);
	msg = t13_hs_open(&b, T13_HS_CLIENT_HELLO);
	t13_put_bytes(&b, ch->p + T13_HS_HEADER, at - T13_HS_HEADER);
	block = t13_vec_open(&b, 2);
	while (exts.len) {
		if (t13_rd_u16(&exts, &type) || t13_rd_vec(&exts, 2, 0, 0xffff, &data))
			abort();
		if (dropped(type, drop, n))
			continue;
		t13_put_u16(&b, type);
		t13_put_vec(&b, 2, data.p, data.len);
	}
	t13_vec_close(&b, block, 2);
	t13_hs_close(&b, msg);
	if (b.overflow)
		abort();
	v = hex_buf_copy(tmp, b.len);
	free(tmp);
	return v;
}

/* An offer and the arrays it points to. */
struct offer_store {
	struct t13_client_offer o;
	uint16_t suites[32], groups[32];
};

/* The offer of the parsed ClientHello @ch: its values, for our writer. */
static void offer_from(struct offer_store *s, const struct t13_client_hello *ch)
{
	struct t13_reader shares, key;
	const uint8_t *binder;
	size_t binder_len;

	memset(s, 0, sizeof(*s));
	s->o.random = ch->random;
	s->o.session_id = ch->session_id;
	s->o.session_id_len = ch->session_id_len;
	for (size_t i = 0; i < ch->suites_len / 2; i++)
		s->suites[i] = t13_get16(ch->suites + 2 * i);
	s->o.suites = s->suites;
	s->o.suite_count = ch->suites_len / 2;
	for (size_t i = 0; i < ch->groups_len / 2; i++)
		s->groups[i] = t13_get16(ch->groups + 2 * i);
	s->o.groups = s->groups;
	s->o.group_count = ch->groups_len / 2;
	t13_rd_init(&shares, ch->key_shares, ch->key_shares_len);
	while (shares.len && s->o.share_count < 2) {
		size_t i = s->o.share_count++;

		if (t13_rd_u16(&shares, &s->o.shares[i].group) || t13_rd_vec(&shares, 2, 1, 0xffff, &key))
			abort();
		s->o.shares[i].pub = key.p;
		s->o.shares[i].pub_len = key.len;
	}
	s->o.sig_algs = ch->sig_algs;
	s->o.sig_algs_len = ch->sig_algs_len;
	s->o.server_name = ch->has_server_name ? ch->server_name : NULL;
	s->o.cookie = ch->cookie;
	s->o.cookie_len = ch->cookie_len;
	s->o.want_tickets = ch->psk_modes != NULL;
	if (t13_psk_identity(ch, 0, &s->o.ticket, &s->o.ticket_len, &s->o.obfuscated_age, &binder, &binder_len) == 0)
		s->o.binder_len = binder_len;
}

/* An offer of our own: x25519, SNI, ALPN; a ticket and TLS 1.2 on request. */
static const uint16_t SUITES13[] = { T13_AES_128_GCM_SHA256, T13_CHACHA20_POLY1305_SHA256 };
static const uint16_t SUITES12[] = { 0xc02f, 0xc02b };
static const uint16_t GROUPS[] = { T13_GROUP_X25519, T13_GROUP_SECP256R1 };
static const uint8_t SIG_ALGS[] = { 0x04, 0x03, 0x08, 0x04 };
static const char *const ALPN[] = { "h2", "http/1.1" };
static const uint8_t RANDOM[32] = { 0x11, 0x22, 0x33 };
static const uint8_t PUB[32] = { 0x99 };
static const uint8_t TICKET[5] = { 't', 'i', 'c', 'k', 't' };

static struct t13_client_offer our_offer(int ticket, int offer_12)
{
	struct t13_client_offer o = {
		.random = RANDOM,
		.session_id = RANDOM,
		.session_id_len = 32,
		.suites = SUITES13,
		.suite_count = 2,
		.suites12 = SUITES12,
		.suite12_count = 2,
		.offer_12 = offer_12,
		.groups = GROUPS,
		.group_count = 2,
		.shares = { { T13_GROUP_X25519, PUB, sizeof(PUB) } },
		.share_count = 1,
		.sig_algs = SIG_ALGS,
		.sig_algs_len = sizeof(SIG_ALGS),
		.server_name = "example.com",
		.alpn = ALPN,
		.alpn_count = 2,
	};

	if (ticket) {
		o.ticket = TICKET;
		o.ticket_len = sizeof(TICKET);
		o.obfuscated_age = 0x01020304;
		o.binder_len = 32;
	}
	return o;
}

/* Write @o into a large buffer and return it exactly sized; the binder's place in *@binder_at, *@trunc. */
static struct hex_buf write_hello(const struct t13_client_offer *o, size_t *binder_at, size_t *trunc, int *overflow)
{
	uint8_t tmp[4096];
	struct t13_buf b;

	t13_buf_init(&b, tmp, sizeof(tmp));
	t13_write_client_hello(&b, o, binder_at, trunc);
	*overflow = b.overflow;
	return hex_buf_copy(tmp, b.len);
}

/* ---- ClientHello: RFC 8448 rebuilt ---- */

static void test_s3_client_hello(void)
{
	static const uint16_t not_ours[] = { EXT_SESSION_TICKET, T13_EXT_RECORD_SIZE_LIMIT };
	struct hex_buf rfc = hex_alloc(RFC8448_S3_CLIENT_HELLO), pub = hex_alloc(RFC8448_S3_CLIENT_X25519_PUB);
	struct hex_buf want = strip(&rfc, not_ours, 2), mine;
	struct t13_client_hello rch, ch;
	struct offer_store s;
	struct t13_reader data;
	size_t binder_at = 7, trunc = 7, key_len;
	const uint8_t *key;
	uint8_t out[1024];
	struct t13_buf b;
	int rc, overflow;

	if (t13_parse_client_hello(&rch, rfc.p, rfc.len))
		abort();
	offer_from(&s, &rch);
	t13_buf_init(&b, out, sizeof(out));
	t13_write_client_hello(&b, &s.o, &binder_at, &trunc);
	ok(same(&b, &want), "§3 ClientHello rebuilt byte for byte, less session_ticket and record_size_limit "
	   "(%zu of %zu bytes)", b.len, rfc.len);
	ok(binder_at == 0 && trunc == 0, "no ticket: binder_at and truncated_len are 0");

	mine = hex_buf_copy(out, b.len);
	rc = t13_parse_client_hello(&ch, mine.p, mine.len);
	ok(rc == 0 && ch.legacy_version == T13_LEGACY_VERSION && !memcmp(ch.random, rch.random, 32) &&
	   ch.session_id_len == 0, "ours parses: legacy_version 0x0303, §3's random, empty session id (rc %d)", rc);
	ok(ch.suites_len == 6 && !memcmp(ch.suites, rch.suites, 6) && ch.compression_len == 1 &&
	   ch.compression[0] == 0, "... suites 1301 1303 1302, compression {0}");
	ok(ch.has_server_name && !strcmp(ch.server_name, "server"), "... server_name \"server\"");
	ok(ch.groups_len == 18 && !memcmp(ch.groups, rch.groups, 18), "... §3's 9 supported_groups");
	key = t13_find_key_share(&ch, T13_GROUP_X25519, &key_len);
	ok(key && key_len == 32 && !memcmp(key, pub.p, 32) && ch.key_shares_len == 36,
	   "... key_share: the one x25519 share, §3's public key");
	ok(ch.versions_len == 2 && t13_get16(ch.versions) == T13_VERSION, "... supported_versions {0304}");
	ok(ch.sig_algs_len == 30 && !memcmp(ch.sig_algs, rch.sig_algs, 30), "... §3's 15 signature_algorithms");
	ok(ch_find(&mine, T13_EXT_RENEGOTIATION_INFO, &data) == 0 && data.len == 1 && data.p[0] == 0,
	   "... renegotiation_info with an empty renegotiated_connection (RFC 5746)");
	ok(ch.psk_modes_len == 1 && ch.psk_modes[0] == T13_PSK_DHE_KE, "... psk_key_exchange_modes {psk_dhe_ke}");
	ok(!ch.alpn && !ch.cookie && !ch.psk_identities && !ch.early_data && !ch.sig_algs_cert &&
	   ch_find(&mine, T13_EXT_EXTENDED_MASTER_SECRET, &data) < 0,
	   "... no ALPN, cookie, pre_shared_key, early_data or extended_master_secret");
	ok(t13_client_hello_offered(&s.o) == offered_of(&mine), "offered set = the extensions written (%#llx)",
	   (unsigned long long)offered_of(&mine));
	hex_free(&mine);

	/* Without want_tickets and without a ticket: no psk_key_exchange_modes. */
	s.o.want_tickets = 0;
	mine = write_hello(&s.o, &binder_at, &trunc, &overflow);
	rc = t13_parse_client_hello(&ch, mine.p, mine.len);
	ok(!overflow && rc == 0 && !ch.psk_modes && mine.len == want.len - 6 &&
	   !(t13_client_hello_offered(&s.o) & t13_ext_bit(T13_EXT_PSK_KEY_EXCHANGE_MODES)) &&
	   t13_client_hello_offered(&s.o) == offered_of(&mine),
	   "no ticket, no want_tickets: no psk_key_exchange_modes, and the offered set says so");
	hex_free(&mine);
	hex_free(&want);
	hex_free(&rfc);
	hex_free(&pub);
}

static void test_s4_client_hello(void)
{
	static const uint16_t not_ours[] = { T13_EXT_EARLY_DATA, T13_EXT_RECORD_SIZE_LIMIT, T13_EXT_PADDING };
	struct hex_buf rfc = hex_alloc(RFC8448_S4_CLIENT_HELLO), binder = hex_alloc(RFC8448_S4_BINDER);
	struct hex_buf want = strip(&rfc, not_ours, 3), mine;
	struct t13_client_hello rch, ch;
	struct offer_store s;
	const uint8_t *id, *bd;
	size_t binder_at, trunc, cut, id_len, bd_len;
	uint32_t age;
	int rc, overflow, zeros = 1;

	if (t13_parse_client_hello(&rch, rfc.p, rfc.len))
		abort();
	/* §4 "ClientHello prefix (477 octets)": what the RFC's binder hashes. */
	ok(rch.binders_offset == 477, "§4 ClientHello: the binder hashes its first 477 bytes");
	offer_from(&s, &rch);
	mine = write_hello(&s.o, &binder_at, &trunc, &overflow);
	cut = rfc.len - want.len;
	ok(!overflow && mine.len == want.len, "§4 ClientHello rebuilt with its ticket: %zu bytes", mine.len);
	ok(trunc + cut == 477, "truncated_len %zu: the RFC's 477-byte prefix less the %zu bytes of early_data, "
	   "record_size_limit and padding we do not send", trunc, cut);
	ok(binder_at == trunc + 3 && binder_at + 32 == mine.len,
	   "binder_at %zu: after the binders list's length and the binder's, the last 32 bytes", binder_at);
	for (size_t i = 0; binder_at && i < 32; i++)
		zeros &= mine.p[binder_at + i] == 0;
	ok(zeros, "the binder is written as zeros");
	memcpy(mine.p + binder_at, binder.p, 32);
	ok(mine.len == want.len && !memcmp(mine.p, want.p, want.len),
	   "with the RFC's binder at binder_at: §4's ClientHello byte for byte, less those three extensions");

	rc = t13_parse_client_hello(&ch, mine.p, mine.len);
	ok(rc == 0 && ch.binders_offset == trunc, "msg.c's parser puts the binders of ours where truncated_len says");
	rc = t13_psk_identity(&ch, 0, &id, &id_len, &age, &bd, &bd_len);
	ok(rc == 0 && id_len == 178 && id_len == s.o.ticket_len && !memcmp(id, s.o.ticket, id_len) &&
	   age == 0xfad6aacb && bd == mine.p + binder_at && bd_len == 32,
	   "... the identity is §4's ticket, age fa d6 aa cb, the binder at binder_at");
	ok(ch.psk_modes_len == 1 && ch.psk_modes[0] == T13_PSK_DHE_KE && !ch.early_data,
	   "... psk_key_exchange_modes {psk_dhe_ke}, no early_data");
	hex_free(&mine);

	/* A SHA-384 suite's ticket: a 48-byte binder. */
	s.o.binder_len = 48;
	s.o.want_tickets = 0;
	mine = write_hello(&s.o, &binder_at, &trunc, &overflow);
	rc = t13_parse_client_hello(&ch, mine.p, mine.len);
	ok(!overflow && rc == 0 && binder_at + 48 == mine.len && ch.binders_offset == trunc &&
	   t13_psk_identity(&ch, 0, &id, &id_len, &age, &bd, &bd_len) == 0 && bd_len == 48 && ch.psk_modes,
	   "a 48-byte binder: the last 48 bytes; psk_key_exchange_modes sent with the ticket alone");
	hex_free(&mine);
	hex_free(&want);
	hex_free(&rfc);
	hex_free(&binder);
}

static void test_s5_client_hello(void)
{
	static const uint16_t not_ours[] = { T13_EXT_RECORD_SIZE_LIMIT, T13_EXT_PADDING };
	struct hex_buf rfc = hex_alloc(RFC8448_S5_CLIENT_HELLO_2), want = strip(&rfc, not_ours, 2), mine;
	struct t13_client_hello rch;
	struct offer_store s;
	size_t binder_at, trunc;
	int overflow;

	if (t13_parse_client_hello(&rch, rfc.p, rfc.len))
		abort();
	offer_from(&s, &rch);
	mine = write_hello(&s.o, &binder_at, &trunc, &overflow);
	ok(!overflow && mine.len == want.len && !memcmp(mine.p, want.p, want.len) && s.o.cookie_len == 114 &&
	   s.o.shares[0].group == T13_GROUP_SECP256R1,
	   "§5 second ClientHello (P-256 share, the HRR's cookie) byte for byte, less record_size_limit and padding");
	hex_free(&mine);
	hex_free(&want);
	hex_free(&rfc);
}

/* ---- ClientHello: our own offers ---- */

static void test_offer_shapes(void)
{
	struct t13_client_offer o = our_offer(0, 1);
	struct t13_client_hello ch;
	struct t13_reader data;
	size_t binder_at, trunc;
	struct hex_buf m;
	int rc, overflow;

	m = write_hello(&o, &binder_at, &trunc, &overflow);
	rc = t13_parse_client_hello(&ch, m.p, m.len);
	ok(!overflow && rc == 0 && ch.suites_len == 8 && t13_get16(ch.suites) == SUITES13[0] &&
	   t13_get16(ch.suites + 2) == SUITES13[1] && t13_get16(ch.suites + 4) == SUITES12[0] &&
	   t13_get16(ch.suites + 6) == SUITES12[1], "offer_12: the 1.3 suites, then the 1.2 ones");
	ok(ch.versions_len == 4 && t13_get16(ch.versions) == T13_VERSION && t13_get16(ch.versions + 2) == T12_VERSION,
	   "offer_12: supported_versions {0304, 0303}");
	ok(ch.session_id_len == 32 && !memcmp(ch.session_id, RANDOM, 32), "a 32-byte session id, as given");
	ok(ch.alpn && ch.alpn_len == 12 && !memcmp(ch.alpn, "\x02h2\x08http/1.1", 12), "ALPN h2, http/1.1");
	ok(!ch.psk_modes && ch_find(&m, T13_EXT_RENEGOTIATION_INFO, &data) == 0 &&
	   t13_client_hello_offered(&o) == offered_of(&m), "no psk_key_exchange_modes; the offered set matches");
	ok(ch_find(&m, T13_EXT_EC_POINT_FORMATS, &data) == 0 && data.len == 2 && data.p[0] == 1 &&
	   data.p[1] == 0, "offer_12: ec_point_formats {uncompressed} (RFC 8422 §5.1.2)");
	ok(ch_find(&m, T13_EXT_EXTENDED_MASTER_SECRET, &data) == 0 && data.len == 0,
	   "offer_12: an empty extended_master_secret (RFC 7627 §5.1)");
	hex_free(&m);

	o.offer_12 = 0;
	m = write_hello(&o, &binder_at, &trunc, &overflow);
	rc = t13_parse_client_hello(&ch, m.p, m.len);
	ok(!overflow && rc == 0 && ch.suites_len == 4 && ch.versions_len == 2,
	   "without offer_12: the 1.2 suites left out, supported_versions {0304}");
	ok(ch_find(&m, T13_EXT_EC_POINT_FORMATS, &data) < 0 &&
	   ch_find(&m, T13_EXT_EXTENDED_MASTER_SECRET, &data) < 0 &&
	   t13_client_hello_offered(&o) == offered_of(&m),
	   "without offer_12: neither TLS 1.2 extension; the offered set matches");
	hex_free(&m);

	o.server_name = "";
	o.alpn_count = 0;
	o.share_count = 0;
	m = write_hello(&o, &binder_at, &trunc, &overflow);
	rc = t13_parse_client_hello(&ch, m.p, m.len);
	ok(!overflow && rc == 0 && !ch.has_server_name && !ch.alpn && ch.key_shares && ch.key_shares_len == 0 &&
	   !(t13_client_hello_offered(&o) & t13_ext_bit(T13_EXT_SERVER_NAME)) &&
	   t13_client_hello_offered(&o) == offered_of(&m),
	   "server_name \"\": no SNI; no ALPN; an empty key_share list");
	hex_free(&m);
}

/* Each argument the wire cannot carry: overflow, binder_at and truncated_len 0. */
static void test_offer_refused(void)
{
	static const char *const empty_alpn[] = { "h2", "" };
	char long_name[300];
	uint8_t tmp[1024];
	struct t13_client_offer o;
	struct t13_buf b;
	size_t binder_at, trunc;
	struct hex_buf m;
	int overflow, refused = 0, n = 0;

	memset(long_name, 'a', 256);
	long_name[256] = '\0';
	for (int c = 0; c < 11; c++) {
		o = our_offer(1, 0);
		switch (c) {
		case 0: o.session_id_len = 33; break;
		case 1: o.suite_count = 0; break;
		case 2: o.group_count = 0; break;
		case 3: o.share_count = 3; break;
		case 4: o.shares[0].pub_len = 0; break;
		case 5: o.sig_algs_len = 3; break;
		case 6: o.server_name = long_name; break;
		case 7: o.alpn = empty_alpn; break;
		case 8: o.cookie = TICKET; o.cookie_len = 0; break;
		case 9: o.ticket_len = 0; break;
		case 10: o.binder_len = 40; break;
		}
		m = write_hello(&o, &binder_at, &trunc, &overflow);
		n++;
		if (overflow && m.len == 0 && binder_at == 0 && trunc == 0)
			refused++;
		else
			diag("case %d: overflow %d, len %zu", c, overflow, m.len);
		hex_free(&m);
	}
	ok(refused == n, "each of %d fields the wire cannot carry: refused, nothing written", n);

	o = our_offer(1, 0);
	t13_buf_init(&b, tmp, sizeof(tmp));
	t13_write_client_hello(&b, &o, NULL, &trunc);
	ok(b.overflow && b.len == 0, "a ticket with nowhere to put binder_at: refused");
	o = our_offer(0, 0);
	t13_buf_init(&b, tmp, sizeof(tmp));
	t13_write_client_hello(&b, &o, NULL, NULL);
	ok(!b.overflow && b.len > 0, "no ticket: binder_at and truncated_len may be NULL");

	o = our_offer(1, 0);
	memset(long_name, 'a', 255);
	long_name[255] = '\0';
	o.server_name = long_name;
	m = write_hello(&o, &binder_at, &trunc, &overflow);
	ok(!overflow && binder_at && trunc, "a 255-byte server_name, a ticket: written");
	hex_free(&m);
}

static void test_offer_room(void)
{
	struct t13_client_offer o = our_offer(1, 1);
	size_t binder_at, trunc, at2, trunc2;
	struct t13_buf b;
	struct hex_buf full;
	uint8_t *p;
	int overflow;

	full = write_hello(&o, &binder_at, &trunc, &overflow);
	/* Exactly one byte short, in a buffer of exactly that size: ASan stops a write past it. */
	p = malloc(full.len - 1);
	t13_buf_init(&b, p, full.len - 1);
	t13_write_client_hello(&b, &o, &at2, &trunc2);
	ok(b.overflow && b.len <= full.len - 1 && at2 == 0 && trunc2 == 0,
	   "ClientHello one byte too big for the room: overflow, binder_at and truncated_len 0");
	free(p);
	p = malloc(full.len + 3);
	t13_buf_init(&b, p, full.len + 3);
	t13_put_bytes(&b, "abc", 3);
	t13_write_client_hello(&b, &o, &at2, &trunc2);
	ok(!b.overflow && b.len == full.len + 3 && !memcmp(p + 3, full.p, full.len) && at2 == binder_at &&
	   trunc2 == trunc, "after 3 bytes already in the buffer: the same message, offsets from its own start");
	free(p);
	hex_free(&full);
}

/* ---- Messages from a server, made of parts ---- */

struct ext {
	uint16_t type;
	const void *data;
	size_t len;
};

#define EXTS(...) (const struct ext[]){ __VA_ARGS__ }, sizeof((const struct ext[]){ __VA_ARGS__ }) / sizeof(struct ext)
#define NO_EXTS NULL, 0

/* A message of @type: @head, then (when @block) an extensions block of the @n extensions @e. */
static struct hex_buf build(uint8_t type, const void *head, size_t head_len, int block, const struct ext *e, size_t n)
{
	uint8_t tmp[70000];
	struct t13_buf b;
	size_t msg, exts;

	t13_buf_init(&b, tmp, sizeof(tmp));
	msg = t13_hs_open(&b, type);
	t13_put_bytes(&b, head, head_len);
	if (block) {
		exts = t13_vec_open(&b, 2);
		for (size_t i = 0; i < n; i++) {
			t13_put_u16(&b, e[i].type);
			t13_put_vec(&b, 2, e[i].data, e[i].len);
		}
		t13_vec_close(&b, exts, 2);
	}
	t13_hs_close(&b, msg);
	if (b.overflow)
		abort();
	return hex_buf_copy(tmp, b.len);
}

/* A ServerHello's fields before its extensions: 0x0303, @random, a @sid_len-byte session id, @suite, @compression. */
struct sh_head {
	uint8_t b[2 + 32 + 1 + 33 + 2 + 1];
	size_t len;
};

static struct sh_head head_of(const uint8_t *random, size_t sid_len, uint16_t suite, uint8_t compression)
{
	static const uint8_t sid[33] = { 0x5a, 0x5b };
	struct sh_head h;
	struct t13_buf b;

	t13_buf_init(&b, h.b, sizeof(h.b));
	t13_put_u16(&b, T13_LEGACY_VERSION);
	t13_put_bytes(&b, random, 32);
	t13_put_vec(&b, 1, sid, sid_len);
	t13_put_u16(&b, suite);
	t13_put_u8(&b, compression);
	h.len = b.len;
	return h;
}

static int sh_rc(const struct sh_head *h, uint64_t offered, const struct ext *e, size_t n)
{
	struct t13_server_hello sh;
	struct hex_buf m = build(T13_HS_SERVER_HELLO, h->b, h->len, 1, e, n);
	int rc = t13_parse_server_hello(&sh, m.p, m.len, offered);

	hex_free(&m);
	return rc;
}

static const uint8_t SV13[] = { 0x03, 0x04 };
static const uint8_t SV12[] = { 0x03, 0x03 };
static const uint8_t KS_X25519[] = { 0x00, 0x1d, 0x00, 0x02, 0xab, 0xcd };
static const uint8_t KS_HRR[] = { 0x00, 0x17 };
static const uint8_t PSK0[] = { 0x00, 0x00 };
static const uint8_t COOKIE[] = { 0x00, 0x03, 'c', 'k', 'y' };
static const uint8_t RENEG_EMPTY[] = { 0x00 };
static const uint8_t ALPN_H2[] = { 0x00, 0x03, 0x02, 'h', '2' };

/* ---- ServerHello and HelloRetryRequest ---- */

static void test_s3_server_hello(void)
{
	struct hex_buf rfc_ch = hex_alloc(RFC8448_S3_CLIENT_HELLO), m = hex_alloc(RFC8448_S3_SERVER_HELLO);
	struct hex_buf pub = hex_alloc(RFC8448_S3_SERVER_X25519_PUB);
	uint64_t offered = offered_of(&rfc_ch);
	struct t13_server_hello sh;
	int rc;

	rc = t13_parse_server_hello(&sh, m.p, m.len, offered);
	ok(rc == 0 && !sh.is_hrr && sh.legacy_version == 0x0303, "§3 ServerHello parses: not an HRR, 0x0303 (rc %d)",
	   rc);
	ok(sh.random == m.p + 6 && sh.random[0] == 0xa6 && sh.random[31] == 0x28,
	   "§3: random a6 af ... 69 28, in place");
	ok(sh.session_id == m.p + 39 && sh.session_id_len == 0, "§3: empty legacy_session_id_echo");
	ok(sh.suite == T13_AES_128_GCM_SHA256 && sh.compression == 0, "§3: TLS_AES_128_GCM_SHA256, compression 0");
	ok(sh.version == T13_VERSION, "§3: supported_versions 0x0304");
	ok(sh.group == T13_GROUP_X25519 && sh.share_len == 32 && !memcmp(sh.share, pub.p, 32) &&
	   sh.share >= m.p && sh.share + 32 <= m.p + m.len, "§3: key_share x25519, the server's public key, in place");
	ok(sh.psk_index == -1 && !sh.cookie && !sh.secure_renegotiation && !sh.alpn12 && sh.has_extensions,
	   "§3: no pre_shared_key, cookie or TLS 1.2 extension");
	ok(!t13_downgrade_sentinel(sh.random), "§3: no downgrade sentinel");
	hex_free(&rfc_ch);
	hex_free(&m);
	hex_free(&pub);
}

static void test_s4_server_hello(void)
{
	struct hex_buf rfc_ch = hex_alloc(RFC8448_S4_CLIENT_HELLO), m = hex_alloc(RFC8448_S4_SERVER_HELLO);
	uint64_t offered = offered_of(&rfc_ch);
	struct t13_server_hello sh;
	int rc;

	rc = t13_parse_server_hello(&sh, m.p, m.len, offered);
	ok(rc == 0 && sh.psk_index == 0 && sh.group == T13_GROUP_X25519 && sh.share_len == 32,
	   "§4 ServerHello: pre_shared_key selected_identity 0, an x25519 share (rc %d)", rc);
	rc = t13_parse_server_hello(&sh, m.p, m.len, offered & ~t13_ext_bit(T13_EXT_PRE_SHARED_KEY));
	ok(rc == -T13_ALERT_UNSUPPORTED_EXTENSION,
	   "§4 ServerHello to a ClientHello without a PSK: unsupported_extension");
	hex_free(&rfc_ch);
	hex_free(&m);
}

static void test_s5_hello_retry_request(void)
{
	struct hex_buf rfc_ch = hex_alloc(RFC8448_S5_CLIENT_HELLO_2), m = hex_alloc(RFC8448_S5_HELLO_RETRY_REQUEST);
	struct t13_client_offer o = our_offer(0, 0);
	struct t13_server_hello sh;
	int rc;

	/* Our first ClientHello offers no cookie: the HRR's is the one extension it may send unasked. */
	rc = t13_parse_server_hello(&sh, m.p, m.len, t13_client_hello_offered(&o));
	ok(rc == 0 && sh.is_hrr && sh.version == T13_VERSION && sh.suite == T13_AES_128_GCM_SHA256,
	   "§5 HelloRetryRequest parses: an HRR, 0x0304, TLS_AES_128_GCM_SHA256 (rc %d)", rc);
	ok(sh.group == T13_GROUP_SECP256R1 && !sh.share, "§5 HRR: selected_group secp256r1, no key");
	ok(sh.cookie == m.p + 4 + 40 + 6 + 4 + 2 && sh.cookie_len == 114 && sh.cookie[0] == 0x71 &&
	   sh.cookie[113] == 0xb0, "§5 HRR: the 114-byte cookie 71 dc ... 34 b0, in place");
	ok(rfc_ch.len > 114 && memmem(rfc_ch.p, rfc_ch.len, sh.cookie, sh.cookie_len),
	   "§5: the second ClientHello echoes that cookie");
	ok(sh.psk_index == -1, "§5 HRR: no pre_shared_key");
	hex_free(&rfc_ch);
	hex_free(&m);
}

static void test_tls12_server_hello(void)
{
	struct t13_client_offer o = our_offer(0, 0), o12 = our_offer(0, 1);
	uint64_t offered = t13_client_hello_offered(&o), with_12 = t13_client_hello_offered(&o12);
	static const uint8_t formats[] = { 0x01, 0x00 }, reneg_full[] = { 0x02, 0xaa, 0xbb };
	struct sh_head h = head_of(RANDOM, 32, 0xc02f, 0);
	struct t13_server_hello sh;
	struct hex_buf m;
	int rc;

	m = build(T13_HS_SERVER_HELLO, h.b, h.len, 1,
		  EXTS({ T13_EXT_RENEGOTIATION_INFO, RENEG_EMPTY, 1 }, { T13_EXT_ALPN, ALPN_H2, 5 },
		       { T13_EXT_SERVER_NAME, NULL, 0 }));
	rc = t13_parse_server_hello(&sh, m.p, m.len, offered);
	ok(rc == 0 && sh.version == 0 && !sh.is_hrr && sh.suite == 0xc02f && sh.session_id_len == 32,
	   "TLS 1.2 ServerHello (no supported_versions): parses with version 0 (rc %d)", rc);
	ok(sh.secure_renegotiation && sh.alpn12_len == 2 && !memcmp(sh.alpn12, "h2", 2) && sh.sni_ack12 &&
	   sh.alpn12 > m.p && sh.alpn12 + 2 <= m.p + m.len,
	   "... renegotiation_info, ALPN h2 (in place), server_name acknowledged");
	hex_free(&m);

	m = build(T13_HS_SERVER_HELLO, h.b, h.len, 0, NO_EXTS);
	rc = t13_parse_server_hello(&sh, m.p, m.len, offered);
	ok(rc == 0 && sh.version == 0 && !sh.has_extensions && !sh.secure_renegotiation,
	   "TLS 1.2 ServerHello without an extensions block: parses, no secure renegotiation");
	hex_free(&m);

	ok(sh_rc(&h, offered, EXTS({ T13_EXT_EC_POINT_FORMATS, formats, 2 })) == -T13_ALERT_UNSUPPORTED_EXTENSION &&
	   sh_rc(&h, offered, EXTS({ T13_EXT_EXTENDED_MASTER_SECRET, NULL, 0 })) ==
	   -T13_ALERT_UNSUPPORTED_EXTENSION,
	   "ec_point_formats, extended_master_secret: not offered (no offer_12), unsupported_extension");
	m = build(T13_HS_SERVER_HELLO, h.b, h.len, 1,
		  EXTS({ T13_EXT_EC_POINT_FORMATS, formats, 2 }, { T13_EXT_EXTENDED_MASTER_SECRET, NULL, 0 }));
	rc = t13_parse_server_hello(&sh, m.p, m.len, with_12);
	ok(rc == 0 && sh.point_formats_len == 1 && sh.point_formats[0] == 0 && sh.extended_master_secret,
	   "... when offered: recorded (point formats {0}, extended_master_secret)");
	hex_free(&m);
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_RENEGOTIATION_INFO, reneg_full, 3 })) == -T13_ALERT_HANDSHAKE_FAILURE,
	   "renegotiation_info with a renegotiated_connection on an initial handshake: handshake_failure (RFC 5746)");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_KEY_SHARE, KS_X25519, 6 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "key_share in a TLS 1.2 ServerHello: illegal_parameter");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_ALPN, "\x00\x06\x02h2\x02h3", 8 })) == -T13_ALERT_DECODE_ERROR,
	   "TLS 1.2 ALPN of two names: decode_error");
}

static void test_downgrade_sentinel(void)
{
	uint8_t r[32] = { 0 };
	int all = 1;

	/* RFC 8446 §4.1.3: 44 4F 57 4E 47 52 44 01 (TLS 1.2), ... 00 (TLS 1.1 and below). */
	memcpy(r + 24, DOWNGRD, 7);
	r[31] = 0x01;
	ok(t13_downgrade_sentinel(r) == 1, "DOWNGRD 01 (TLS 1.2): the sentinel");
	r[31] = 0x00;
	ok(t13_downgrade_sentinel(r) == 1, "DOWNGRD 00 (TLS 1.1 and below): the sentinel");
	r[31] = 0x02;
	ok(t13_downgrade_sentinel(r) == 0, "DOWNGRD 02: not a sentinel");
	for (int i = 24; i < 31; i++) {
		r[31] = 0x01;
		r[i] ^= 0x20;
		all &= t13_downgrade_sentinel(r) == 0;
		r[i] ^= 0x20;
	}
	ok(all, "DOWNGRD with any one of its 7 letters changed: not a sentinel");
	memset(r, 0, 24);
	memcpy(r + 23, DOWNGRD, 7);
	r[30] = 0x01;
	r[31] = 0x00;
	ok(t13_downgrade_sentinel(r) == 0, "DOWNGRD 01 one byte early: not a sentinel");
}

static void test_server_hello_rules(void)
{
	struct t13_client_offer o = our_offer(1, 0);
	uint64_t offered = t13_client_hello_offered(&o), with_cookie;
	struct sh_head h = head_of(RANDOM, 0, T13_AES_128_GCM_SHA256, 0), hrr;
	static const uint8_t ks_empty[] = { 0x00, 0x1d, 0x00, 0x00 }, sv_long[] = { 0x03, 0x04, 0x00 };
	struct t13_server_hello sh;
	struct hex_buf m;
	int rc;

	o.cookie = COOKIE;
	o.cookie_len = sizeof(COOKIE);
	with_cookie = t13_client_hello_offered(&o);
	hrr = head_of(t13_hrr_random, 0, T13_AES_128_GCM_SHA256, 0);
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_KEY_SHARE, KS_X25519, 6 },
				   { T13_EXT_PRE_SHARED_KEY, PSK0, 2 })) == 0,
	   "ServerHello of supported_versions, key_share, pre_shared_key: parses");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_KEY_SHARE, KS_X25519, 6 },
				   { T13_EXT_KEY_SHARE, KS_X25519, 6 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "key_share twice: illegal_parameter");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_SERVER_NAME, NULL, 0 })) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "server_name (offered) in a TLS 1.3 ServerHello: illegal_parameter");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_ALPN, ALPN_H2, 5 })) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "ALPN (offered) in a TLS 1.3 ServerHello: illegal_parameter");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 },
				   { T13_EXT_RENEGOTIATION_INFO, RENEG_EMPTY, 1 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "renegotiation_info (offered) in a TLS 1.3 ServerHello: illegal_parameter");
	ok(sh_rc(&h, offered & ~t13_ext_bit(T13_EXT_SERVER_NAME),
		 EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_SERVER_NAME, NULL, 0 })) ==
	   -T13_ALERT_UNSUPPORTED_EXTENSION, "server_name not offered: unsupported_extension");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { 0x1234, NULL, 0 })) ==
	   -T13_ALERT_UNSUPPORTED_EXTENSION, "an unknown extension: unsupported_extension");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_COOKIE, COOKIE, 5 })) ==
	   -T13_ALERT_UNSUPPORTED_EXTENSION, "a cookie in a ServerHello, none offered: unsupported_extension");
	ok(sh_rc(&h, with_cookie, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_COOKIE, COOKIE, 5 })) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "a cookie in a ServerHello after ours echoed one: illegal_parameter");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV12, 2 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "supported_versions 0x0303: illegal_parameter (§4.2.1)");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, sv_long, 3 })) == -T13_ALERT_DECODE_ERROR,
	   "supported_versions of 3 bytes: decode_error");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_KEY_SHARE, ks_empty, 4 })) ==
	   -T13_ALERT_DECODE_ERROR, "a key_share with an empty key: decode_error");
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_PRE_SHARED_KEY, PSK0, 1 })) ==
	   -T13_ALERT_DECODE_ERROR, "pre_shared_key of 1 byte: decode_error");

	h = head_of(RANDOM, 0, T13_AES_128_GCM_SHA256, 1);
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "compression 1: illegal_parameter");
	h = head_of(RANDOM, 33, T13_AES_128_GCM_SHA256, 0);
	ok(sh_rc(&h, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 })) == -T13_ALERT_DECODE_ERROR,
	   "a 33-byte session id: decode_error");

	ok(sh_rc(&hrr, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_KEY_SHARE, KS_HRR, 2 },
				     { T13_EXT_PRE_SHARED_KEY, PSK0, 2 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "pre_shared_key (offered) in a HelloRetryRequest: illegal_parameter");
	ok(sh_rc(&hrr, offered, EXTS({ T13_EXT_KEY_SHARE, KS_HRR, 2 }, { T13_EXT_SUPPORTED_VERSIONS, SV13, 2 },
				     { T13_EXT_SERVER_NAME, NULL, 0 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "server_name (offered) in a HelloRetryRequest: illegal_parameter");
	ok(sh_rc(&hrr, offered, EXTS({ T13_EXT_KEY_SHARE, KS_X25519, 6 }, { T13_EXT_SUPPORTED_VERSIONS, SV13, 2 })) ==
	   -T13_ALERT_DECODE_ERROR, "an HRR's key_share with a key: decode_error");
	ok(sh_rc(&hrr, offered, EXTS({ T13_EXT_KEY_SHARE, KS_HRR, 2 })) == -T13_ALERT_MISSING_EXTENSION,
	   "a HelloRetryRequest without supported_versions: missing_extension");
	ok(sh_rc(&hrr, offered, EXTS({ T13_EXT_COOKIE, COOKIE, 5 }, { T13_EXT_SUPPORTED_VERSIONS, SV13, 2 },
				     { T13_EXT_COOKIE, COOKIE, 5 })) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "an HRR with two cookies: illegal_parameter");
	ok(sh_rc(&hrr, offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }, { T13_EXT_COOKIE, "\x00\x00", 2 })) ==
	   -T13_ALERT_DECODE_ERROR, "an HRR with an empty cookie: decode_error");

	/* Framing beyond the extensions. */
	h = head_of(RANDOM, 0, T13_AES_128_GCM_SHA256, 0);
	m = build(T13_HS_SERVER_HELLO, h.b, h.len, 1, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }));
	m.p = realloc(m.p, m.len + 1);
	m.p[m.len++] = 0;
	t13_put24(m.p + 1, (uint32_t)(m.len - T13_HS_HEADER));
	rc = t13_parse_server_hello(&sh, m.p, m.len, offered);
	ok(rc == -T13_ALERT_DECODE_ERROR, "a byte after the extensions block: decode_error");
	hex_free(&m);
	m = build(T13_HS_ENCRYPTED_EXTENSIONS, NULL, 0, 1, NO_EXTS);
	ok(t13_parse_server_hello(&sh, m.p, m.len, offered) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "EncryptedExtensions given as ServerHello: unexpected_message");
	hex_free(&m);
}

/* ---- EncryptedExtensions ---- */

static int ee_rc(uint64_t offered, const struct ext *e, size_t n, struct t13_encrypted_extensions *out)
{
	struct t13_encrypted_extensions ee;
	struct hex_buf m = build(T13_HS_ENCRYPTED_EXTENSIONS, NULL, 0, 1, e, n);
	int rc = t13_parse_encrypted_extensions(&ee, m.p, m.len, offered);

	if (out) {
		*out = ee;
		/* Pointers into a freed message are only compared, not read. */
		out->alpn = ee.alpn ? (const uint8_t *)1 : NULL;
	}
	hex_free(&m);
	return rc;
}

static void test_s3_encrypted_extensions(void)
{
	struct hex_buf rfc_ch = hex_alloc(RFC8448_S3_CLIENT_HELLO), m = hex_alloc(RFC8448_S3_ENCRYPTED_EXTENSIONS);
	struct t13_client_offer o = our_offer(0, 0);
	struct t13_encrypted_extensions ee;
	int rc;

	rc = t13_parse_encrypted_extensions(&ee, m.p, m.len, offered_of(&rfc_ch));
	ok(rc == 0 && ee.sni_ack && !ee.alpn && ee.alpn_len == 0,
	   "§3 EncryptedExtensions, to §3's ClientHello: server_name acknowledged, no ALPN (rc %d)", rc);
	rc = t13_parse_encrypted_extensions(&ee, m.p, m.len, t13_client_hello_offered(&o));
	ok(rc == -T13_ALERT_UNSUPPORTED_EXTENSION,
	   "§3 EncryptedExtensions to ours, which offers no record_size_limit: unsupported_extension");
	hex_free(&rfc_ch);
	hex_free(&m);
}

static void test_encrypted_extensions_rules(void)
{
	struct t13_client_offer o = our_offer(1, 0);
	uint64_t offered = t13_client_hello_offered(&o);
	static const uint8_t groups[] = { 0x00, 0x02, 0x00, 0x1d }, odd_groups[] = { 0x00, 0x03, 0x00, 0x1d, 0x00 };
	static const uint8_t alpn2[] = { 0x00, 0x06, 0x02, 'h', '2', 0x02, 'h', '3' };
	static const uint8_t alpn_empty_name[] = { 0x00, 0x01, 0x00 }, max_early[] = { 0, 0, 0x40, 0 };
	struct t13_encrypted_extensions ee;
	struct hex_buf m;
	int rc;

	m = build(T13_HS_ENCRYPTED_EXTENSIONS, NULL, 0, 1,
		  EXTS({ T13_EXT_SUPPORTED_GROUPS, groups, 4 }, { T13_EXT_ALPN, ALPN_H2, 5 },
		       { T13_EXT_SERVER_NAME, NULL, 0 }));
	rc = t13_parse_encrypted_extensions(&ee, m.p, m.len, offered);
	ok(rc == 0 && ee.alpn == m.p + m.len - 6 && ee.alpn_len == 2 && !memcmp(ee.alpn, "h2", 2) && ee.sni_ack,
	   "supported_groups, ALPN h2 (in place), server_name: parsed (rc %d)", rc);
	hex_free(&m);
	ok(ee_rc(offered, NO_EXTS, &ee) == 0 && !ee.alpn && !ee.sni_ack, "an empty EncryptedExtensions: parses");
	ok(ee_rc(offered, EXTS({ T13_EXT_ALPN, alpn2, sizeof(alpn2) }), NULL) == -T13_ALERT_DECODE_ERROR,
	   "ALPN of two names: decode_error");
	ok(ee_rc(offered, EXTS({ T13_EXT_ALPN, alpn_empty_name, 3 }), NULL) == -T13_ALERT_DECODE_ERROR,
	   "ALPN with an empty name: decode_error");
	ok(ee_rc(offered, EXTS({ T13_EXT_SERVER_NAME, "x", 1 }), NULL) == -T13_ALERT_DECODE_ERROR,
	   "a non-empty server_name: decode_error");
	ok(ee_rc(offered, EXTS({ T13_EXT_SUPPORTED_GROUPS, odd_groups, 5 }), NULL) == -T13_ALERT_DECODE_ERROR,
	   "supported_groups of odd length: decode_error");
	ok(ee_rc(offered, EXTS({ T13_EXT_EARLY_DATA, NULL, 0 }), NULL) == -T13_ALERT_UNSUPPORTED_EXTENSION &&
	   ee_rc(offered | t13_ext_bit(T13_EXT_EARLY_DATA), EXTS({ T13_EXT_EARLY_DATA, NULL, 0 }), NULL) ==
	   -T13_ALERT_UNSUPPORTED_EXTENSION, "early_data: unsupported_extension, even if said to be offered");
	ok(ee_rc(offered & ~t13_ext_bit(T13_EXT_ALPN), EXTS({ T13_EXT_ALPN, ALPN_H2, 5 }), NULL) ==
	   -T13_ALERT_UNSUPPORTED_EXTENSION, "ALPN not offered: unsupported_extension");
	ok(ee_rc(offered, EXTS({ 0x1234, NULL, 0 }), NULL) == -T13_ALERT_UNSUPPORTED_EXTENSION,
	   "an unknown extension: unsupported_extension");
	ok(ee_rc(offered, EXTS({ T13_EXT_KEY_SHARE, KS_X25519, 6 }), NULL) == -T13_ALERT_ILLEGAL_PARAMETER &&
	   ee_rc(offered, EXTS({ T13_EXT_PRE_SHARED_KEY, PSK0, 2 }), NULL) == -T13_ALERT_ILLEGAL_PARAMETER &&
	   ee_rc(offered, EXTS({ T13_EXT_SUPPORTED_VERSIONS, SV13, 2 }), NULL) == -T13_ALERT_ILLEGAL_PARAMETER &&
	   ee_rc(offered, EXTS({ T13_EXT_RENEGOTIATION_INFO, RENEG_EMPTY, 1 }), NULL) ==
	   -T13_ALERT_ILLEGAL_PARAMETER,
	   "key_share, pre_shared_key, supported_versions, renegotiation_info (all offered) in EE: illegal_parameter");
	ok(ee_rc(offered, EXTS({ T13_EXT_SERVER_NAME, NULL, 0 }, { T13_EXT_SERVER_NAME, NULL, 0 }), NULL) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "server_name twice: illegal_parameter");
	ok(ee_rc(offered | t13_ext_bit(T13_EXT_RECORD_SIZE_LIMIT),
		 EXTS({ T13_EXT_RECORD_SIZE_LIMIT, max_early, 2 }), &ee) == 0,
	   "record_size_limit, when offered: skipped");
}

/* ---- CertificateRequest ---- */

static int cr_rc(const void *ctx, size_t ctx_len, const struct ext *e, size_t n, struct t13_certificate_request *out)
{
	uint8_t head[256];
	struct t13_certificate_request cr;
	struct hex_buf m;
	int rc;

	head[0] = (uint8_t)ctx_len;
	memcpy(head + 1, ctx, ctx_len);
	m = build(T13_HS_CERTIFICATE_REQUEST, head, ctx_len + 1, 1, e, n);
	rc = t13_parse_certificate_request(&cr, m.p, m.len);
	if (out)
		*out = cr;
	hex_free(&m);
	return rc;
}

static void test_certificate_request(void)
{
	static const uint8_t sig_algs[] = { 0x00, 0x04, 0x04, 0x03, 0x08, 0x04 };
	static const uint8_t odd[] = { 0x00, 0x03, 0x04, 0x03, 0x08 };
	struct t13_certificate_request cr;
	struct t13_buf b;
	uint8_t out[64];
	struct hex_buf m;
	int rc;

	/* msg.c writes the server's; ours parses it back. */
	t13_buf_init(&b, out, sizeof(out));
	t13_write_certificate_request(&b, sig_algs + 2, 4);
	m = hex_buf_copy(out, b.len);
	rc = t13_parse_certificate_request(&cr, m.p, m.len);
	ok(rc == 0 && cr.context == m.p + 5 && cr.context_len == 0 && cr.sig_algs == m.p + 13 &&
	   cr.sig_algs_len == 4 && !memcmp(cr.sig_algs, sig_algs + 2, 4),
	   "msg.c's CertificateRequest: empty context, signature_algorithms 0403 0804, in place (rc %d)", rc);
	hex_free(&m);
	ok(cr_rc("abc", 3, EXTS({ 0x1234, "zz", 2 }, { T13_EXT_SIGNATURE_ALGORITHMS, sig_algs, 6 },
			       { T13_EXT_CERTIFICATE_AUTHORITIES, "\x00\x00", 2 }), &cr) == 0 &&
	   cr.context_len == 3 && cr.sig_algs_len == 4,
	   "a 3-byte context; an unknown extension and certificate_authorities skipped");
	ok(cr_rc("", 0, EXTS({ 0x1234, NULL, 0 }), NULL) == -T13_ALERT_MISSING_EXTENSION,
	   "no signature_algorithms: missing_extension");
	ok(cr_rc("", 0, NO_EXTS, NULL) == -T13_ALERT_DECODE_ERROR, "an empty extensions block (<2..>): decode_error");
	ok(cr_rc("", 0, EXTS({ T13_EXT_SIGNATURE_ALGORITHMS, odd, 5 }), NULL) == -T13_ALERT_DECODE_ERROR,
	   "signature_algorithms of odd length: decode_error");
	ok(cr_rc("", 0, EXTS({ T13_EXT_SIGNATURE_ALGORITHMS, sig_algs, 6 }, { 0x1234, NULL, 0 }, { 0x1234, NULL, 0 }),
		 NULL) == -T13_ALERT_ILLEGAL_PARAMETER, "an unknown extension twice: illegal_parameter");
	ok(cr_rc("", 0, EXTS({ T13_EXT_SIGNATURE_ALGORITHMS, sig_algs, 6 }, { T13_EXT_KEY_SHARE, KS_X25519, 6 }),
		 NULL) == -T13_ALERT_ILLEGAL_PARAMETER, "key_share in a CertificateRequest: illegal_parameter");
}

/* ---- NewSessionTicket ---- */

static int nst_rc(uint32_t lifetime, size_t ticket_len, const struct ext *e, size_t n,
		  struct t13_new_session_ticket *out)
{
	uint8_t head[64];
	struct t13_new_session_ticket t;
	struct t13_buf b;
	struct hex_buf m;
	int rc;

	t13_buf_init(&b, head, sizeof(head));
	t13_put_u32(&b, lifetime);
	t13_put_u32(&b, 0x01020304);
	t13_put_vec(&b, 1, "n", 1);
	t13_put_vec(&b, 2, "ticket-ticket", ticket_len);
	m = build(T13_HS_NEW_SESSION_TICKET, head, b.len, 1, e, n);
	rc = t13_parse_new_session_ticket(&t, m.p, m.len);
	if (out)
		*out = t;
	hex_free(&m);
	return rc;
}

static void test_s3_new_session_ticket(void)
{
	struct hex_buf m = hex_alloc(RFC8448_S3_NEW_SESSION_TICKET), ch4 = hex_alloc(RFC8448_S4_CLIENT_HELLO);
	struct t13_new_session_ticket t;
	struct t13_client_hello ch;
	const uint8_t *id, *bd;
	size_t id_len, bd_len;
	uint32_t age;
	int rc;

	rc = t13_parse_new_session_ticket(&t, m.p, m.len);
	ok(rc == 0 && t.lifetime == 30 && t.age_add == 0xfad6aac5,
	   "§3 NewSessionTicket: lifetime 30 s, age_add fa d6 aa c5 (rc %d)", rc);
	ok(t.nonce == m.p + 13 && t.nonce_len == 2 && t.nonce[0] == 0 && t.nonce[1] == 0, "§3: nonce 00 00, in place");
	ok(t.ticket == m.p + 17 && t.ticket_len == 178 && t.ticket[0] == 0x2c && t.ticket[177] == 0x57,
	   "§3: the 178-byte ticket 2c 03 ... d3 57, in place");
	ok(t.max_early_data == 0x400, "§3: early_data max_early_data_size 1024");
	if (t13_parse_client_hello(&ch, ch4.p, ch4.len) || t13_psk_identity(&ch, 0, &id, &id_len, &age, &bd, &bd_len))
		abort();
	/* §4.2.11: obfuscated_ticket_age = ticket age in ms + age_add (mod 2^32), within the lifetime. */
	ok(rc == 0 && id_len == t.ticket_len && !memcmp(id, t.ticket, id_len) &&
	   (uint32_t)(age - t.age_add) <= t.lifetime * 1000,
	   "§4's ClientHello offers that ticket, %u ms old by its age_add", (unsigned)(age - t.age_add));
	hex_free(&m);
	hex_free(&ch4);
}

static void test_new_session_ticket_rules(void)
{
	static const uint8_t size_3[] = { 0, 4, 0 }, size_4[] = { 0, 0, 1, 0 };
	struct t13_new_session_ticket t;

	ok(nst_rc(T13_MAX_TICKET_LIFETIME, 6, NO_EXTS, &t) == 0 && t.lifetime == 604800 && t.ticket_len == 6 &&
	   t.max_early_data == 0, "lifetime 604800 (7 days), no extensions: parses");
	ok(nst_rc(T13_MAX_TICKET_LIFETIME + 1, 6, NO_EXTS, NULL) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "lifetime 604801: illegal_parameter");
	ok(nst_rc(0, 6, NO_EXTS, &t) == 0 && t.lifetime == 0, "lifetime 0: parses (the caller discards the ticket)");
	ok(nst_rc(30, 0, NO_EXTS, NULL) == -T13_ALERT_DECODE_ERROR, "an empty ticket: decode_error");
	ok(nst_rc(30, 6, EXTS({ 0x1234, "x", 1 }, { T13_EXT_EARLY_DATA, size_4, 4 }), &t) == 0 &&
	   t.max_early_data == 256, "an unknown extension skipped; early_data's size recorded");
	ok(nst_rc(30, 6, EXTS({ T13_EXT_EARLY_DATA, size_3, 3 }), NULL) == -T13_ALERT_DECODE_ERROR,
	   "early_data of 3 bytes: decode_error");
	ok(nst_rc(30, 6, EXTS({ T13_EXT_EARLY_DATA, size_4, 4 }, { T13_EXT_EARLY_DATA, size_4, 4 }), NULL) ==
	   -T13_ALERT_ILLEGAL_PARAMETER, "early_data twice: illegal_parameter");
	ok(nst_rc(30, 6, EXTS({ T13_EXT_KEY_SHARE, KS_X25519, 6 }), NULL) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "key_share in a NewSessionTicket: illegal_parameter");
}

/* ---- KeyUpdate ---- */

static int key_update_rc(const uint8_t *bytes, size_t len, int *req)
{
	struct hex_buf m = hex_buf_copy(bytes, len);
	int rc = t13_parse_key_update(m.p, m.len, req);

	hex_free(&m);
	return rc;
}

static void test_key_update(void)
{
	int req = -1;

	ok(key_update_rc((const uint8_t *)"\x18\x00\x00\x01\x00", 5, &req) == 0 && req == 0,
	   "KeyUpdate update_not_requested: 0");
	ok(key_update_rc((const uint8_t *)"\x18\x00\x00\x01\x01", 5, &req) == 0 && req == 1,
	   "KeyUpdate update_requested: 1");
	ok(key_update_rc((const uint8_t *)"\x18\x00\x00\x01\x02", 5, &req) == -T13_ALERT_ILLEGAL_PARAMETER,
	   "KeyUpdate 2: illegal_parameter");
	ok(key_update_rc((const uint8_t *)"\x18\x00\x00\x02\x01\x00", 6, &req) == -T13_ALERT_DECODE_ERROR &&
	   key_update_rc((const uint8_t *)"\x18\x00\x00\x00", 4, &req) == -T13_ALERT_DECODE_ERROR,
	   "KeyUpdate of 2 bytes or of none: decode_error");
	ok(key_update_rc((const uint8_t *)"\x14\x00\x00\x01\x00", 5, &req) == -T13_ALERT_UNEXPECTED_MESSAGE,
	   "a Finished given as KeyUpdate: unexpected_message");
}

/* ---- Truncations ---- */

enum which { SH, EE, CR, NST, KU };

static int parse_as(enum which w, const uint8_t *p, size_t len, uint64_t offered)
{
	struct t13_server_hello sh;
	struct t13_encrypted_extensions ee;
	struct t13_certificate_request cr;
	struct t13_new_session_ticket t;
	int req;

	switch (w) {
	case SH:
		return t13_parse_server_hello(&sh, p, len, offered);
	case EE:
		return t13_parse_encrypted_extensions(&ee, p, len, offered);
	case CR:
		return t13_parse_certificate_request(&cr, p, len);
	case NST:
		return t13_parse_new_session_ticket(&t, p, len);
	default:
		return t13_parse_key_update(p, len, &req);
	}
}

/*
 * Every truncation of @m, each in a buffer of exactly its length: with the
 * header untouched, and with the header's length made to match (so the cut
 * is met inside the body). The latter only passes at @short_ok (a
 * ServerHello cut before its extensions: TLS 1.2's shape), with @short_rc.
 */
static void test_truncations(const char *name, const struct hex_buf *m, enum which w, uint64_t offered,
			     size_t short_ok, int short_rc)
{
	size_t bad_raw = 0, bad_framed = 0;
	struct hex_buf cut;
	int rc;

	rc = parse_as(w, m->p, m->len, offered);
	if (rc)
		diag("%s whole: rc %d", name, rc);
	for (size_t l = 0; l < m->len; l++) {
		cut = hex_buf_copy(m->p, l);
		rc = parse_as(w, cut.p, cut.len, offered);
		if (rc != -T13_ALERT_DECODE_ERROR && bad_raw++ == 0)
			diag("%s cut to %zu: rc %d", name, l, rc);
		if (l >= T13_HS_HEADER) {
			t13_put24(cut.p + 1, (uint32_t)(l - T13_HS_HEADER));
			rc = parse_as(w, cut.p, cut.len, offered);
			if (rc != (l == short_ok ? short_rc : -T13_ALERT_DECODE_ERROR) && bad_framed++ == 0)
				diag("%s cut to %zu, header fixed: rc %d", name, l, rc);
		}
		hex_free(&cut);
	}
	ok(bad_raw == 0 && bad_framed == 0, "%s: all %zu truncations fail with decode_error, with the header's "
	   "length as sent and as cut%s", name, m->len,
	   short_ok < m->len ? " (but the one before the extensions)" : "");
}

static void test_all_truncations(void)
{
	struct hex_buf ch3 = hex_alloc(RFC8448_S3_CLIENT_HELLO), ch4 = hex_alloc(RFC8448_S4_CLIENT_HELLO);
	struct hex_buf ch5 = hex_alloc(RFC8448_S5_CLIENT_HELLO_2);
	struct hex_buf sh3 = hex_alloc(RFC8448_S3_SERVER_HELLO), sh4 = hex_alloc(RFC8448_S4_SERVER_HELLO);
	struct hex_buf hrr = hex_alloc(RFC8448_S5_HELLO_RETRY_REQUEST), ee = hex_alloc(RFC8448_S3_ENCRYPTED_EXTENSIONS);
	struct hex_buf nst = hex_alloc(RFC8448_S3_NEW_SESSION_TICKET), sh12, cr, ku;
	struct t13_client_offer o = our_offer(0, 1);
	struct sh_head h = head_of(RANDOM, 32, 0xc02f, 0);
	static const uint8_t sig_algs[] = { 0x00, 0x02, 0x08, 0x04 };
	/* header, version, random, empty session id, suite, compression */
	const size_t sh_fixed = T13_HS_HEADER + 2 + 32 + 1 + 2 + 1;

	test_truncations("§3 ServerHello", &sh3, SH, offered_of(&ch3), sh_fixed, 0);
	test_truncations("§4 ServerHello", &sh4, SH, offered_of(&ch4), sh_fixed, 0);
	test_truncations("§5 HelloRetryRequest", &hrr, SH, offered_of(&ch5), sh_fixed, -T13_ALERT_MISSING_EXTENSION);
	sh12 = build(T13_HS_SERVER_HELLO, h.b, h.len, 1,
		     EXTS({ T13_EXT_RENEGOTIATION_INFO, RENEG_EMPTY, 1 }, { T13_EXT_ALPN, ALPN_H2, 5 }));
	test_truncations("TLS 1.2 ServerHello", &sh12, SH, t13_client_hello_offered(&o), sh_fixed + 32, 0);
	test_truncations("§3 EncryptedExtensions", &ee, EE, offered_of(&ch3), SIZE_MAX, 0);
	cr = build(T13_HS_CERTIFICATE_REQUEST, "\x02xy", 3, 1,
		   EXTS({ T13_EXT_SIGNATURE_ALGORITHMS, sig_algs, 4 }, { 0x1234, "ab", 2 }));
	test_truncations("CertificateRequest", &cr, CR, 0, SIZE_MAX, 0);
	test_truncations("§3 NewSessionTicket", &nst, NST, 0, SIZE_MAX, 0);
	ku = hex_buf_copy((const uint8_t *)"\x18\x00\x00\x01\x01", 5);
	test_truncations("KeyUpdate", &ku, KU, 0, SIZE_MAX, 0);
	for (void *p[] = { ch3.p, ch4.p, ch5.p, sh3.p, sh4.p, hrr.p, ee.p, nst.p, sh12.p, cr.p, ku.p }, **q = p;
	     q < p + 11; q++)
		free(*q);
}

/* Each parser given another message: unexpected_message. */
static void test_wrong_types(void)
{
	struct hex_buf sh = hex_alloc(RFC8448_S3_SERVER_HELLO), nst = hex_alloc(RFC8448_S3_NEW_SESSION_TICKET);
	int all = 1;

	all &= parse_as(EE, sh.p, sh.len, ~(uint64_t)0) == -T13_ALERT_UNEXPECTED_MESSAGE;
	all &= parse_as(CR, sh.p, sh.len, 0) == -T13_ALERT_UNEXPECTED_MESSAGE;
	all &= parse_as(NST, sh.p, sh.len, 0) == -T13_ALERT_UNEXPECTED_MESSAGE;
	all &= parse_as(KU, sh.p, sh.len, 0) == -T13_ALERT_UNEXPECTED_MESSAGE;
	all &= parse_as(SH, nst.p, nst.len, ~(uint64_t)0) == -T13_ALERT_UNEXPECTED_MESSAGE;
	ok(all, "each parser given a message of another type: unexpected_message");
	hex_free(&sh);
	hex_free(&nst);
}

static void test_ext_bits(void)
{
	ok(t13_ext_bit(0) == 1 && t13_ext_bit(T13_EXT_KEY_SHARE) == (uint64_t)1 << 51 &&
	   t13_ext_bit(62) == (uint64_t)1 << 62, "extension types 0..62: bit 1 << type");
	ok(t13_ext_bit(T13_EXT_RENEGOTIATION_INFO) == (uint64_t)1 << 63 && t13_ext_bit(63) == 0 &&
	   t13_ext_bit(64) == 0 && t13_ext_bit(0xfe0d) == 0, "renegotiation_info: bit 63; 63, 64, 0xfe0d: none");
}

int main(void)
{
	test_ext_bits();
	test_s3_client_hello();
	test_s4_client_hello();
	test_s5_client_hello();
	test_offer_shapes();
	test_offer_refused();
	test_offer_room();
	test_s3_server_hello();
	test_s4_server_hello();
	test_s5_hello_retry_request();
	test_tls12_server_hello();
	test_downgrade_sentinel();
	test_server_hello_rules();
	test_s3_encrypted_extensions();
	test_encrypted_extensions_rules();
	test_certificate_request();
	test_s3_new_session_ticket();
	test_new_session_ticket_rules();
	test_key_update();
	test_all_truncations();
	test_wrong_types();
	return done();
}
