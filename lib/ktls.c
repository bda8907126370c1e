// SPDX-License-Identifier: LGPL-2.1-or-later
/* Kernel TLS key installation: key blocks to crypto_info, and setsockopt. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/tls.h>

#include "ktlsd_ktls.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static const struct ktlsd_suite_info suites[] = {
	{ KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256",
	  KTLSD_CIPHER_AES_GCM_128, 0, 1, 16, 4, 0x0303 },
	{ KTLSD_SUITE_ECDHE_RSA_AES128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256",
	  KTLSD_CIPHER_AES_GCM_128, 0, 0, 16, 4, 0x0303 },
	{ KTLSD_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384",
	  KTLSD_CIPHER_AES_GCM_256, 1, 1, 32, 4, 0x0303 },
	{ KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384",
	  KTLSD_CIPHER_AES_GCM_256, 1, 0, 32, 4, 0x0303 },
	{ KTLSD_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305, "ECDHE-ECDSA-CHACHA20-POLY1305",
	  KTLSD_CIPHER_CHACHA20_POLY1305, 0, 1, 32, 12, 0x0303 },
	{ KTLSD_SUITE_ECDHE_RSA_CHACHA20_POLY1305, "ECDHE-RSA-CHACHA20-POLY1305",
	  KTLSD_CIPHER_CHACHA20_POLY1305, 0, 0, 32, 12, 0x0303 },
};

/* TLS 1.3 suites name no key exchange or signature: ecdsa is unused. */
static const struct ktlsd_suite_info suites13[] = {
	{ KTLSD_SUITE_TLS13_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256",
	  KTLSD_CIPHER_AES_GCM_128, 0, 0, 16, 12, 0x0304 },
	{ KTLSD_SUITE_TLS13_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384",
	  KTLSD_CIPHER_AES_GCM_256, 1, 0, 32, 12, 0x0304 },
	{ KTLSD_SUITE_TLS13_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256",
	  KTLSD_CIPHER_CHACHA20_POLY1305, 0, 0, 32, 12, 0x0304 },
};

#define SUITE_COUNT (sizeof(suites) / sizeof(suites[0]))
#define SUITE13_COUNT (sizeof(suites13) / sizeof(suites13[0]))

const struct ktlsd_suite_info *ktlsd_suites(size_t *count)
{
	*count = SUITE_COUNT;
	return suites;
}

const struct ktlsd_suite_info *ktlsd_suites13(size_t *count)
{
	*count = SUITE13_COUNT;
	return suites13;
}

const struct ktlsd_suite_info *ktlsd_suite_by_id(uint16_t suite)
{
	for (size_t i = 0; i < SUITE_COUNT; i++)
		if (suites[i].suite == suite)
			return &suites[i];
	for (size_t i = 0; i < SUITE13_COUNT; i++)
		if (suites13[i].suite == suite)
			return &suites13[i];
	return NULL;
}

const struct ktlsd_suite_info *ktlsd_suite_by_name(const char *name)
{
	for (size_t i = 0; i < SUITE_COUNT; i++)
		if (!strcmp(suites[i].name, name))
			return &suites[i];
	for (size_t i = 0; i < SUITE13_COUNT; i++)
		if (!strcmp(suites13[i].name, name))
			return &suites13[i];
	return NULL;
}

int ktlsd_keys_from_block(struct ktlsd_keys *keys, uint16_t suite,
			  enum ktlsd_role role, const uint8_t *block,
			  size_t block_len, uint64_t tx_seq, uint64_t rx_seq)
{
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite);
	const uint8_t *client_key, *server_key, *client_iv, *server_iv;
	struct ktlsd_dir_keys *client, *server;

	if (!info || block_len != 2 * (info->key_len + info->iv_len) ||
	    (role != KTLSD_ROLE_CLIENT && role != KTLSD_ROLE_SERVER)) {
		errno = EINVAL;
		return -1;
	}
	client_key = block;
	server_key = client_key + info->key_len;
	client_iv = server_key + info->key_len;
	server_iv = client_iv + info->iv_len;

	memset(keys, 0, sizeof(*keys));
	keys->suite = suite;
	client = role == KTLSD_ROLE_CLIENT ? &keys->tx : &keys->rx;
	server = role == KTLSD_ROLE_CLIENT ? &keys->rx : &keys->tx;
	memcpy(client->key, client_key, info->key_len);
	memcpy(client->iv, client_iv, info->iv_len);
	memcpy(server->key, server_key, info->key_len);
	memcpy(server->iv, server_iv, info->iv_len);
	keys->tx.seq = tx_seq;
	keys->rx.seq = rx_seq;
	return 0;
}

static void put_be64(uint8_t *dst, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		dst[i] = (uint8_t)v;
}

union crypto_info {
	struct tls_crypto_info base;
	struct tls12_crypto_info_aes_gcm_128 aes128;
	struct tls12_crypto_info_aes_gcm_256 aes256;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

/*
 * AES-GCM's 12-byte nonce is salt (4 bytes) || iv (8 bytes). TLS 1.2: the
 * explicit nonce (iv) starts at the record sequence number: the kernel
 * increments it per record, and the handshake already used nonce 0 under
 * this key for Finished, so iv = 0 would repeat a nonce. TLS 1.3: salt and
 * iv are the write IV's two parts; the kernel XORs the sequence number in.
 */
static void fill_gcm_nonce(uint8_t *salt, uint8_t *iv, const struct ktlsd_suite_info *info,
			   const struct ktlsd_dir_keys *dir)
{
	memcpy(salt, dir->iv, 4);
	if (info->version == 0x0304)
		memcpy(iv, dir->iv + 4, 8);
	else
		put_be64(iv, dir->seq);
}

static size_t fill_crypto_info(union crypto_info *ci,
			       const struct ktlsd_suite_info *info,
			       const struct ktlsd_dir_keys *dir)
{
	memset(ci, 0, sizeof(*ci));
	ci->base.version = info->version == 0x0304 ? TLS_1_3_VERSION : TLS_1_2_VERSION;
	switch (info->cipher) {
	case KTLSD_CIPHER_AES_GCM_128:
		ci->base.cipher_type = TLS_CIPHER_AES_GCM_128;
		memcpy(ci->aes128.key, dir->key, sizeof(ci->aes128.key));
		fill_gcm_nonce(ci->aes128.salt, ci->aes128.iv, info, dir);
		put_be64(ci->aes128.rec_seq, dir->seq);
		return sizeof(ci->aes128);
	case KTLSD_CIPHER_AES_GCM_256:
		ci->base.cipher_type = TLS_CIPHER_AES_GCM_256;
		memcpy(ci->aes256.key, dir->key, sizeof(ci->aes256.key));
		fill_gcm_nonce(ci->aes256.salt, ci->aes256.iv, info, dir);
		put_be64(ci->aes256.rec_seq, dir->seq);
		return sizeof(ci->aes256);
	case KTLSD_CIPHER_CHACHA20_POLY1305:
		ci->base.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		memcpy(ci->chacha.key, dir->key, sizeof(ci->chacha.key));
		memcpy(ci->chacha.iv, dir->iv, sizeof(ci->chacha.iv));
		put_be64(ci->chacha.rec_seq, dir->seq);
		return sizeof(ci->chacha);
	}
	return 0;
}

static int set_keys(int fd, int dir, const struct ktlsd_suite_info *info,
		    const struct ktlsd_dir_keys *keys)
{
	union crypto_info ci;
	size_t len = fill_crypto_info(&ci, info, keys);
	int rc = setsockopt(fd, SOL_TLS, dir, &ci, (socklen_t)len);

	explicit_bzero(&ci, sizeof(ci));
	return rc;
}

int ktlsd_ktls_attach(int fd)
{
	static const char ulp[] = "tls";

	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, sizeof(ulp)) < 0) {
		/* No "tls" ULP registered: the module is missing. */
		if (errno == ENOENT)
			errno = ENOPROTOOPT;
		return -1;
	}
	return 0;
}

/* 1 if @fd carries the "tls" ULP already. */
static int has_tls_ulp(int fd)
{
	char name[16] = "";
	socklen_t len = sizeof(name);

	return getsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len) == 0 && !strcmp(name, "tls");
}

int ktlsd_ktls_install(int fd, const struct ktlsd_keys *keys)
{
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(keys->suite);

	if (!info) {
		errno = EINVAL;
		return -1;
	}
	if (!has_tls_ulp(fd) && ktlsd_ktls_attach(fd) < 0)
		return -1;
	/* RX first: a socket with TX only would send records we cannot read. */
	if (set_keys(fd, TLS_RX, info, &keys->rx) < 0)
		return -1;
	return set_keys(fd, TLS_TX, info, &keys->tx);
}
