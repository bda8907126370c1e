/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.3 (RFC 8446) wire constants shared by the engine's files in this
 * folder. The engine is ours; BearSSL gives it only primitives (hashes,
 * HMAC, AES, ChaCha20, Poly1305, GHASH, EC, RSA, X.509 validation).
 */
#ifndef KTLSD_T13_H
#define KTLSD_T13_H

#include <stddef.h>
#include <stdint.h>

#define T13_VERSION		0x0304
#define T13_LEGACY_VERSION	0x0303	/* legacy_version, record versions */
#define T12_VERSION		0x0303

/* Largest hash output we use (SHA-384 for suites; SHA-512 in PSS). */
#define T13_MAX_HASH		48
#define T13_MAX_DIGEST		64
#define T13_RANDOM_LEN		32
#define T13_MAX_SESSION_ID	32

/*
 * The most we stage in one flight: our Certificate (the chain) with the
 * messages around it. Keeps a handshake's state under 128 KiB, which
 * malloc serves from its heap rather than a fresh mapping each time.
 */
#define T13_MAX_FLIGHT		(16 * 1024)
/* What of it the chain may take: EncryptedExtensions, CertificateVerify
 * (RSA-4096), Finished and the encodings around them take the rest. */
#define T13_MAX_CHAIN_BYTES	(T13_MAX_FLIGHT - 1536)

/* Record layer (§5). */
#define T13_RECORD_HEADER	5
#define T13_MAX_PLAINTEXT	16384
#define T13_MAX_CIPHERTEXT	(16384 + 256)
#define T13_AEAD_TAG		16

enum t13_content_type {
	T13_CT_CHANGE_CIPHER_SPEC = 20,
	T13_CT_ALERT = 21,
	T13_CT_HANDSHAKE = 22,
	T13_CT_APPLICATION_DATA = 23,
};

/* Handshake message types (§4). */
enum t13_hs_type {
	T13_HS_CLIENT_HELLO = 1,
	T13_HS_SERVER_HELLO = 2,
	T13_HS_NEW_SESSION_TICKET = 4,
	T13_HS_END_OF_EARLY_DATA = 5,
	T13_HS_ENCRYPTED_EXTENSIONS = 8,
	T13_HS_CERTIFICATE = 11,
	T13_HS_CERTIFICATE_REQUEST = 13,
	T13_HS_CERTIFICATE_VERIFY = 15,
	T13_HS_FINISHED = 20,
	T13_HS_KEY_UPDATE = 24,
	T13_HS_MESSAGE_HASH = 254,
};

/* Extensions (§4.2). */
enum t13_ext {
	T13_EXT_SERVER_NAME = 0,
	T13_EXT_MAX_FRAGMENT_LENGTH = 1,
	T13_EXT_STATUS_REQUEST = 5,
	T13_EXT_SUPPORTED_GROUPS = 10,
	T13_EXT_SIGNATURE_ALGORITHMS = 13,
	T13_EXT_ALPN = 16,
	T13_EXT_PADDING = 21,
	T13_EXT_PRE_SHARED_KEY = 41,
	T13_EXT_EARLY_DATA = 42,
	T13_EXT_SUPPORTED_VERSIONS = 43,
	T13_EXT_COOKIE = 44,
	T13_EXT_PSK_KEY_EXCHANGE_MODES = 45,
	T13_EXT_CERTIFICATE_AUTHORITIES = 47,
	T13_EXT_POST_HANDSHAKE_AUTH = 49,
	T13_EXT_SIGNATURE_ALGORITHMS_CERT = 50,
	T13_EXT_KEY_SHARE = 51,
};

/* Cipher suites (§B.4). */
#define T13_AES_128_GCM_SHA256		0x1301
#define T13_AES_256_GCM_SHA384		0x1302
#define T13_CHACHA20_POLY1305_SHA256	0x1303

/* Named groups (§4.2.7). */
#define T13_GROUP_SECP256R1	0x0017
#define T13_GROUP_SECP384R1	0x0018
#define T13_GROUP_X25519	0x001d

/* Signature schemes (§4.2.3). */
#define T13_SIG_RSA_PKCS1_SHA256	0x0401
#define T13_SIG_RSA_PKCS1_SHA384	0x0501
#define T13_SIG_RSA_PKCS1_SHA512	0x0601
#define T13_SIG_ECDSA_SECP256R1_SHA256	0x0403
#define T13_SIG_ECDSA_SECP384R1_SHA384	0x0503
#define T13_SIG_ECDSA_SECP521R1_SHA512	0x0603
#define T13_SIG_RSA_PSS_RSAE_SHA256	0x0804
#define T13_SIG_RSA_PSS_RSAE_SHA384	0x0805
#define T13_SIG_RSA_PSS_RSAE_SHA512	0x0806

/* psk_key_exchange_modes (§4.2.9). */
#define T13_PSK_KE	0
#define T13_PSK_DHE_KE	1

/* Alert descriptions (§6), the ones BearSSL's header lacks included. */
enum t13_alert {
	T13_ALERT_CLOSE_NOTIFY = 0,
	T13_ALERT_UNEXPECTED_MESSAGE = 10,
	T13_ALERT_BAD_RECORD_MAC = 20,
	T13_ALERT_RECORD_OVERFLOW = 22,
	T13_ALERT_HANDSHAKE_FAILURE = 40,
	T13_ALERT_BAD_CERTIFICATE = 42,
	T13_ALERT_UNSUPPORTED_CERTIFICATE = 43,
	T13_ALERT_CERTIFICATE_REVOKED = 44,
	T13_ALERT_CERTIFICATE_EXPIRED = 45,
	T13_ALERT_CERTIFICATE_UNKNOWN = 46,
	T13_ALERT_ILLEGAL_PARAMETER = 47,
	T13_ALERT_UNKNOWN_CA = 48,
	T13_ALERT_ACCESS_DENIED = 49,
	T13_ALERT_DECODE_ERROR = 50,
	T13_ALERT_DECRYPT_ERROR = 51,
	T13_ALERT_PROTOCOL_VERSION = 70,
	T13_ALERT_INSUFFICIENT_SECURITY = 71,
	T13_ALERT_INTERNAL_ERROR = 80,
	T13_ALERT_INAPPROPRIATE_FALLBACK = 86,
	T13_ALERT_USER_CANCELED = 90,
	T13_ALERT_MISSING_EXTENSION = 109,
	T13_ALERT_UNSUPPORTED_EXTENSION = 110,
	T13_ALERT_UNRECOGNIZED_NAME = 112,
	T13_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
	T13_ALERT_UNKNOWN_PSK_IDENTITY = 115,
	T13_ALERT_CERTIFICATE_REQUIRED = 116,
	T13_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* Big-endian readers and writers for the wire. */
static inline uint16_t t13_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t t13_get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline void t13_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void t13_put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

#endif
