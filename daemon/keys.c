// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <string.h>

#include "keys.h"
#include "tls13/prf12.h"

/*
 * Not br_ssl_key_export(): that is RFC 5705 exporter, with the randoms in
 * the other order. The key block wants server_random first.
 */
int keys_derive(struct ktlsd_keys *keys, uint16_t suite, enum ktlsd_role role,
		const uint8_t master_secret[48], const uint8_t client_random[32],
		const uint8_t server_random[32], uint64_t tx_seq, uint64_t rx_seq)
{
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite);
	uint8_t block[2 * (32 + 12)];
	size_t len;
	int rc;

	if (!info)
		return -1;
	len = 2 * (info->key_len + info->iv_len);
	t12_prf(suite, block, len, master_secret, 48, "key expansion", server_random, 32,
		client_random, 32);
	rc = ktlsd_keys_from_block(keys, suite, role, block, len, tx_seq, rx_seq);
	explicit_bzero(block, sizeof(block));
	return rc;
}

/* The record layers kTLS can continue from, and where their counters are. */
static int out_seq(const br_ssl_engine_context *eng, uint64_t *seq)
{
	if (eng->out.gcm.vtable.out == &br_sslrec_out_gcm_vtable)
		*seq = eng->out.gcm.seq;
	else if (eng->out.chapol.vtable.out == &br_sslrec_out_chapol_vtable)
		*seq = eng->out.chapol.seq;
	else
		return -1;
	return 0;
}

static int in_seq(const br_ssl_engine_context *eng, uint64_t *seq)
{
	if (eng->in.gcm.vtable.in == &br_sslrec_in_gcm_vtable)
		*seq = eng->in.gcm.seq;
	else if (eng->in.chapol.vtable.in == &br_sslrec_in_chapol_vtable)
		*seq = eng->in.chapol.seq;
	else
		return -1;
	return 0;
}

int keys_from_engine(struct ktlsd_keys *keys, const br_ssl_engine_context *eng,
		     enum ktlsd_role role, const char **why)
{
	br_ssl_session_parameters params;
	uint64_t tx_seq, rx_seq;
	int rc;

	br_ssl_engine_get_session_parameters(eng, &params);
	if (br_ssl_engine_get_version(eng) != BR_TLS12) {
		*why = "negotiated version is not TLS 1.2";
		return -1;
	}
	if (!ktlsd_suite_by_id(params.cipher_suite)) {
		*why = "negotiated cipher suite cannot be carried by kTLS";
		return -1;
	}
	if (!eng->incrypt || out_seq(eng, &tx_seq) < 0 || in_seq(eng, &rx_seq) < 0) {
		*why = "record layer is not AES-GCM or ChaCha20-Poly1305";
		return -1;
	}
	rc = keys_derive(keys, params.cipher_suite, role, params.master_secret,
			 eng->client_random, eng->server_random, tx_seq, rx_seq);
	explicit_bzero(&params, sizeof(params));
	if (rc < 0)
		*why = "key derivation failed";
	return rc;
}
