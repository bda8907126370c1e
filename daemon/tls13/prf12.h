/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.2's secrets, for both our roles: the PRF (RFC 5246 §5) with a
 * suite's hash, the master secret (§8.1, or RFC 7627's extended one) and
 * Finished's verify_data (§7.4.9). Suites are KTLSD_SUITE_ECDHE_* ids, all
 * of which kTLS carries (ktlsd_suite_by_id() knows them).
 */
#ifndef KTLSD_T12_PRF12_H
#define KTLSD_T12_PRF12_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "keysched.h"
#include "msg12.h"

#define T12_MASTER_LEN		48

/* The hash of @suite12's PRF: SHA-384 for the _SHA384 suites, else SHA-256. */
const br_hash_class *t12_prf_hash(uint16_t suite12);

/* PRF(@secret, @label, @seed1 || @seed2) into @len bytes of @out; @seed2 may be NULL. */
void t12_prf(uint16_t suite12, uint8_t *out, size_t len, const uint8_t *secret, size_t secret_len,
	     const char *label, const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2,
	     size_t seed2_len);

/*
 * The master secret into @master from @premaster: with @extended, over the
 * session hash (@t, the transcript up to and including the
 * ClientKeyExchange, RFC 7627 §4); else over both randoms. @premaster is
 * left to the caller to wipe.
 */
void t12_master_secret(uint16_t suite12, int extended, const struct t13_transcript *t,
		       const uint8_t *premaster, size_t premaster_len,
		       const uint8_t client_random[32], const uint8_t server_random[32],
		       uint8_t master[T12_MASTER_LEN]);

/*
 * verify_data of the Finished the client (@client non-zero) or the server
 * sends, over the transcript @t so far (every message before that Finished).
 */
void t12_finished_data(uint16_t suite12, const struct t13_transcript *t,
		       const uint8_t master[T12_MASTER_LEN], int client,
		       uint8_t out[T12_FINISHED_LEN]);

#endif
