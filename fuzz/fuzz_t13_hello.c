// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_t13_hello: the TLS 1.3 ClientHello parser (daemon/tls13/msg.c), the
 * first thing the engine reads from a peer, and its look-ups.
 *
 * Input: one whole handshake message, header included.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "tls13/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @n bytes at @p lie within the input (a NULL field is an absent one). */
static int inside(const uint8_t *data, size_t size, const uint8_t *p, size_t n)
{
	if (!p)
		return n == 0;
	return p >= data && p <= data + size && n <= (size_t)(data + size - p);
}

static void check_fields(const struct t13_client_hello *ch, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(ch->msg_len == size);
	FUZZ_CHECK(ch->random && inside(data, size, ch->random, 32));
	FUZZ_CHECK(ch->session_id && inside(data, size, ch->session_id, ch->session_id_len) &&
		   ch->session_id_len <= 32);
	FUZZ_CHECK(ch->suites && inside(data, size, ch->suites, ch->suites_len) && ch->suites_len >= 2 &&
		   ch->suites_len % 2 == 0);
	FUZZ_CHECK(ch->compression && inside(data, size, ch->compression, ch->compression_len) &&
		   ch->compression_len >= 1);
	FUZZ_CHECK(inside(data, size, ch->versions, ch->versions_len) && ch->versions_len % 2 == 0);
	FUZZ_CHECK(inside(data, size, ch->groups, ch->groups_len) && ch->groups_len % 2 == 0);
	FUZZ_CHECK(inside(data, size, ch->sig_algs, ch->sig_algs_len) && ch->sig_algs_len % 2 == 0);
	FUZZ_CHECK(inside(data, size, ch->sig_algs_cert, ch->sig_algs_cert_len) && ch->sig_algs_cert_len % 2 == 0);
	FUZZ_CHECK(inside(data, size, ch->key_shares, ch->key_shares_len));
	FUZZ_CHECK(inside(data, size, ch->alpn, ch->alpn_len));
	FUZZ_CHECK(inside(data, size, ch->psk_modes, ch->psk_modes_len));
	FUZZ_CHECK(inside(data, size, ch->psk_identities, ch->psk_identities_len));
	FUZZ_CHECK(inside(data, size, ch->psk_binders, ch->psk_binders_len));
	FUZZ_CHECK(inside(data, size, ch->cookie, ch->cookie_len));
	/* TLS 1.2's: point formats 1..255 bytes, renegotiation_info at most 255, EMS a flag. */
	FUZZ_CHECK(inside(data, size, ch->point_formats, ch->point_formats_len) &&
		   (!ch->point_formats || (ch->point_formats_len >= 1 && ch->point_formats_len <= 255)));
	FUZZ_CHECK(inside(data, size, ch->reneg_info, ch->reneg_info_len) && ch->reneg_info_len <= 255);
	FUZZ_CHECK(ch->extended_master_secret == 0 || ch->extended_master_secret == 1);
	/* Extensions only when there is a block for them. */
	FUZZ_CHECK(ch->has_extensions || (!ch->versions && !ch->key_shares && !ch->psk_binders &&
					  !ch->point_formats && !ch->reneg_info &&
					  !ch->extended_master_secret));
	if (ch->has_server_name) {
		size_t n = strnlen(ch->server_name, sizeof(ch->server_name));

		FUZZ_CHECK(n >= 1 && n <= 255);
	}
}

/* The binders are where binders_offset says, and the truncated hello is within the message. */
static void check_psk(const struct t13_client_hello *ch, const uint8_t *data, size_t size)
{
	const uint8_t *id, *binder;
	size_t i, id_len, binder_len;
	uint32_t age;

	FUZZ_CHECK(!ch->psk_identities == !ch->psk_binders);
	if (!ch->psk_binders) {
		FUZZ_CHECK(t13_psk_identity(ch, 0, &id, &id_len, &age, &binder, &binder_len) == -1);
		return;
	}
	FUZZ_CHECK(ch->binders_offset < size && data + ch->binders_offset + 2 == ch->psk_binders);
	FUZZ_CHECK(t13_get16(data + ch->binders_offset) == ch->psk_binders_len);
	/* Each identity takes at least 7 bytes: the walk ends within size / 7 steps. */
	for (i = 0; t13_psk_identity(ch, i, &id, &id_len, &age, &binder, &binder_len) == 0; i++) {
		FUZZ_CHECK(i <= size / 7);
		FUZZ_CHECK(id_len >= 1 && inside(data, size, id, id_len));
		FUZZ_CHECK(id >= ch->psk_identities && id + id_len <= ch->psk_identities + ch->psk_identities_len);
		FUZZ_CHECK(binder_len >= 32 && binder_len <= 255 && inside(data, size, binder, binder_len));
		FUZZ_CHECK(binder >= ch->psk_binders && binder + binder_len <= ch->psk_binders + ch->psk_binders_len);
	}
	FUZZ_CHECK(i >= 1);
}

/* Each group the client supports (and a few it may not) looks up a share inside the key_share list. */
static void check_key_shares(const struct t13_client_hello *ch, const uint8_t *data, size_t size)
{
	static const uint16_t ours[] = { T13_GROUP_X25519, T13_GROUP_SECP256R1, T13_GROUP_SECP384R1 };
	const uint8_t *key;
	size_t len;

	for (size_t i = 0; ch->groups && i + 2 <= ch->groups_len; i += 2) {
		key = t13_find_key_share(ch, t13_get16(ch->groups + i), &len);
		FUZZ_CHECK(!key || (len >= 1 && inside(data, size, key, len) && key >= ch->key_shares &&
				    key + len <= ch->key_shares + ch->key_shares_len));
		FUZZ_CHECK(key || len == 0);
	}
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		key = t13_find_key_share(ch, ours[i], &len);
		FUZZ_CHECK(!key || (len >= 1 && key >= ch->key_shares &&
				    key + len <= ch->key_shares + ch->key_shares_len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct t13_client_hello ch;
	int rc;

	rc = t13_parse_client_hello(&ch, data, size);
	FUZZ_CHECK(rc == 0 || rc == -T13_ALERT_DECODE_ERROR || rc == -T13_ALERT_ILLEGAL_PARAMETER ||
		   rc == -T13_ALERT_UNEXPECTED_MESSAGE);
	if (rc)
		return 0;
	check_fields(&ch, data, size);
	check_psk(&ch, data, size);
	check_key_shares(&ch, data, size);
	FUZZ_CHECK(t13_client_hello_offers_13(&ch) == t13_list_has(ch.versions, ch.versions_len, T13_VERSION));
	return 0;
}
