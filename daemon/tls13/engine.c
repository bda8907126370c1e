// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared by the TLS 1.3 client and server. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include "engine.h"

const br_hash_class *t13_suite_hash(uint16_t suite)
{
	return suite == T13_AES_256_GCM_SHA384 ? &br_sha384_vtable : &br_sha256_vtable;
}

int t13_stage(struct t13_conn *c, struct t13_transcript *t, const struct t13_buf *b)
{
	if (b->overflow)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "handshake message too large");
	t13_transcript_update(t, b->p, b->len);
	return t13_tx_stage(c, b->p, b->len);
}

static int set_secret(struct t13_conn *c, const br_hash_class *h, uint16_t suite,
		      const uint8_t *secret, int tx)
{
	uint8_t key[32], iv[12];
	int r;

	t13_traffic_keys(h, secret, t13_aead_key_len(suite), key, iv);
	r = tx ? t13_tx_set_key(c, suite, key, iv) : t13_rx_set_key(c, suite, key, iv);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(iv, sizeof(iv));
	return r;
}

int t13_set_tx_secret(struct t13_conn *c, const br_hash_class *h, uint16_t suite,
		      const uint8_t *secret)
{
	return set_secret(c, h, suite, secret, 1);
}

int t13_set_rx_secret(struct t13_conn *c, const br_hash_class *h, uint16_t suite,
		      const uint8_t *secret)
{
	return set_secret(c, h, suite, secret, 0);
}

void t13_ktls_keys(struct ktlsd_keys *keys, const struct t13_conn *c, const br_hash_class *h,
		   uint16_t suite, const uint8_t *tx_secret, const uint8_t *rx_secret)
{
	size_t key_len = t13_aead_key_len(suite);

	memset(keys, 0, sizeof(*keys));
	keys->suite = suite;
	t13_traffic_keys(h, tx_secret, key_len, keys->tx.key, keys->tx.iv);
	t13_traffic_keys(h, rx_secret, key_len, keys->rx.key, keys->rx.iv);
	/* Records sent under the application key already (a ticket). */
	keys->tx.seq = c->tx.aead.seq;
	keys->rx.seq = 0;
}

uint64_t t13_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
