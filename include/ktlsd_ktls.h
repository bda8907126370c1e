/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libktlsd, kernel side: install TLS 1.2 session keys into kernel TLS, and
 * read back where each direction's crypto runs. The daemon uses these after
 * its handshake; they are public for programs that do their own handshake.
 */
#ifndef KTLSD_KTLS_H
#define KTLSD_KTLS_H

#include <stddef.h>
#include <stdint.h>

#include "ktlsd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The TLS 1.2 cipher suites kTLS carries, by IANA number. */
#define KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256	0xc02b
#define KTLSD_SUITE_ECDHE_RSA_AES128_GCM_SHA256		0xc02f
#define KTLSD_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384	0xc02c
#define KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384		0xc030
#define KTLSD_SUITE_ECDHE_RSA_CHACHA20_POLY1305		0xcca8
#define KTLSD_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305	0xcca9
/* The TLS 1.3 cipher suites (RFC 8446 B.4): all three are carried by kTLS. */
#define KTLSD_SUITE_TLS13_AES_128_GCM_SHA256		0x1301
#define KTLSD_SUITE_TLS13_AES_256_GCM_SHA384		0x1302
#define KTLSD_SUITE_TLS13_CHACHA20_POLY1305_SHA256	0x1303

enum ktlsd_cipher {
	KTLSD_CIPHER_AES_GCM_128 = 1,
	KTLSD_CIPHER_AES_GCM_256,
	KTLSD_CIPHER_CHACHA20_POLY1305,
};

/* How a suite's key block is laid out, and which PRF hash derives it. */
struct ktlsd_suite_info {
	uint16_t suite;
	const char *name;	/* OpenSSL's name */
	enum ktlsd_cipher cipher;
	int prf_sha384;		/* 1: the PRF uses SHA-384, 0: SHA-256 */
	int ecdsa;		/* 1: ECDHE-ECDSA, 0: ECDHE-RSA */
	size_t key_len;		/* write key */
	size_t iv_len;		/* TLS 1.2: fixed IV (salt), 4 for GCM, 12 for
				 * ChaCha20; TLS 1.3: the 12-byte write IV */
	uint16_t version;	/* 0x0303 or 0x0304: the suite's TLS version */
};

/* The suite's description, or NULL if kTLS cannot carry it. */
const struct ktlsd_suite_info *ktlsd_suite_by_id(uint16_t suite);

/* The suite named @name (OpenSSL's name), or NULL. */
const struct ktlsd_suite_info *ktlsd_suite_by_name(const char *name);

/* All TLS 1.2 suites, in our order of preference; *@count gets their number. */
const struct ktlsd_suite_info *ktlsd_suites(size_t *count);

/* The same for TLS 1.3's three suites. */
const struct ktlsd_suite_info *ktlsd_suites13(size_t *count);

/*
 * One direction's record keys. TLS 1.3: key and the 12-byte write IV
 * derived from the traffic secret (RFC 8446 7.3), seq the number of records
 * sent under that key already (e.g. NewSessionTicket).
 */
struct ktlsd_dir_keys {
	uint8_t key[32];	/* key_len bytes used */
	uint8_t iv[12];		/* iv_len bytes used */
	uint64_t seq;		/* the next record's sequence number */
};

struct ktlsd_keys {
	uint16_t suite;
	struct ktlsd_dir_keys tx;	/* what we send */
	struct ktlsd_dir_keys rx;	/* what we receive */
};

/*
 * Split a TLS 1.2 key block (client_write_key, server_write_key,
 * client_write_IV, server_write_IV; RFC 5246 6.3, no MAC keys for AEAD)
 * into @keys for @role, with sequence numbers @tx_seq/@rx_seq.
 * @block_len must be 2 * (key_len + iv_len). Returns 0, or -1 with errno
 * EINVAL (unknown suite, wrong length).
 */
int ktlsd_keys_from_block(struct ktlsd_keys *keys, uint16_t suite,
			  enum ktlsd_role role, const uint8_t *block,
			  size_t block_len, uint64_t tx_seq, uint64_t rx_seq);

/*
 * Attach the "tls" ULP to the connected TCP socket @fd, without keys: in
 * that state (TLS_BASE) the kernel passes bytes through unchanged, so the
 * handshake can go on over it. Linux 6.1 attaches a ULP only while the
 * socket is ESTABLISHED: a peer that sends its Finished and a FIN at once
 * would leave no moment to do it after the handshake. Returns 0, or -1 with
 * errno ENOPROTOOPT (the kernel has no TLS), EEXIST (a ULP is attached
 * already), ENOTCONN (not established), or another error of setsockopt.
 */
int ktlsd_ktls_attach(int fd);

/*
 * Install @keys on the connected TCP socket @fd, as TLS 1.2 or TLS 1.3 as
 * the suite says: TCP_ULP "tls" (unless
 * ktlsd_ktls_attach() did it already), then TLS_RX and TLS_TX. Either both
 * directions are installed, or the call fails; a socket whose ULP was set
 * but whose keys were refused is left unusable for TLS and must be closed.
 * Returns 0, or -1 with errno:
 *   ENOPROTOOPT  the kernel has no TLS (the tls module is not available)
 *   EINVAL       unknown suite in @keys
 *   EEXIST, EBUSY  another ULP is attached, or kTLS keys are installed already
 *   other        errors of setsockopt (ENOTCONN, ENOMEM, ...)
 */
int ktlsd_ktls_install(int fd, const struct ktlsd_keys *keys);

/*
 * Read back where each direction's record crypto runs (SW, or HW: a NIC),
 * from sock_diag INET_DIAG_ULP_INFO. The kernel reports it only to callers
 * with CAP_NET_ADMIN. Returns 0, or -1 with errno:
 *   ENODATA      the kernel reported no TLS information for @fd
 *   ENOENT       sock_diag did not find the socket
 *   EAFNOSUPPORT @fd is not an IPv4/IPv6 TCP socket
 *   other        errors of the netlink socket
 */
int ktlsd_ktls_modes(int fd, enum ktlsd_mode *tx, enum ktlsd_mode *rx);

#ifdef __cplusplus
}
#endif
#endif
