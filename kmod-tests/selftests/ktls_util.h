/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kTLS selftests: TCP pairs, key installation with
 * fixed test keys, deterministic payloads, whole transfers that survive short
 * reads and writes, records of a given type, and /proc/net/tls_stat.
 *
 * Functions return 0 (or a count) on success and -errno on failure, so a
 * test can report exactly which step failed.
 */
#ifndef KTLS_UTIL_H
#define KTLS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/tls.h>

/* Every limit of the tests scales with KTLSD_TEST_TIMEOUT_SCALE. */
#include "test_time.h"

#define TLS_RECORD_ALERT	 21
#define TLS_RECORD_HANDSHAKE	 22
#define TLS_RECORD_APP_DATA	 23

/* Everything a TLS_TX/TLS_RX setsockopt takes, for any supported cipher. */
struct ktls_keys {
	union {
		struct tls_crypto_info info;
		struct tls12_crypto_info_aes_gcm_128 aes128;
		struct tls12_crypto_info_aes_gcm_256 aes256;
		struct tls12_crypto_info_chacha20_poly1305 chacha;
	};
	size_t len;
};

/*
 * Fill @keys for @cipher (TLS_CIPHER_*) and TLS 1.2 with key material derived
 * from @seed, and the record sequence number @seq. Different seeds give
 * different keys, so a direction mix-up cannot pass. -EINVAL for an unknown
 * cipher.
 */
int ktls_test_keys(struct ktls_keys *keys, uint16_t cipher, uint8_t seed,
		   uint64_t seq);

/* A connected TCP pair on 127.0.0.1. */
int ktls_tcp_pair(int *client, int *server);

/* TCP_ULP "tls", then TLS_TX or TLS_RX (@dir) with @keys. */
int ktls_install(int fd, int dir, const struct ktls_keys *keys);

/* Bytes of the payload named by @seed at stream offset @offset onwards. */
void ktls_pattern(void *buf, size_t len, uint32_t seed, size_t offset);

/*
 * Send @len bytes of payload @seed: in chunks of odd, varying sizes with
 * send(), or with sendfile() from a memfd when @use_sendfile. Short writes
 * are continued. Returns 0, or -errno.
 */
int ktls_send_payload(int fd, size_t len, uint32_t seed, int use_sendfile);

/*
 * Receive exactly @len bytes and compare them with payload @seed byte for
 * byte. Returns 0; -EPROTO on the first differing byte (its offset in
 * *@bad_offset); -ENODATA on early EOF; -errno on error.
 */
int ktls_recv_payload(int fd, size_t len, uint32_t seed, size_t *bad_offset);

/*
 * Run ktls_send_payload() in a child process, so the caller can receive at
 * the same time. Returns the child's pid, or -errno. ktls_wait_sender()
 * returns the child's result (0 or -errno).
 */
pid_t ktls_spawn_sender(int fd, size_t len, uint32_t seed, int use_sendfile);
int ktls_wait_sender(pid_t pid);

/* sendmsg() one record of @type with TLS_SET_RECORD_TYPE. */
ssize_t ktls_send_record(int fd, uint8_t type, const void *buf, size_t len);

/*
 * recvmsg() with room for TLS_GET_RECORD_TYPE; *@type is the record's type
 * (TLS_RECORD_APP_DATA when the kernel attached none).
 */
ssize_t ktls_recv_record(int fd, uint8_t *type, void *buf, size_t len);

/*
 * Read one whole TLS record off a plain (non-kTLS) socket into @buf:
 * header and body. Returns its length, -EMSGSIZE if it does not fit.
 */
ssize_t ktls_read_raw_record(int fd, uint8_t *buf, size_t size);

/* A counter of /proc/net/tls_stat, e.g. "TlsDecryptError"; -ENOENT if absent. */
long long ktls_stat(const char *name);

#endif
