/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BearSSL's record ciphers for this CPU (AES-NI, PCLMUL, SSE2 where there
 * are), picked once per process. BearSSL's getters and its engines'
 * default setters ask the CPU with CPUID each time, and a virtual machine
 * traps every CPUID: a dozen per TLS 1.2 engine set up with
 * br_ssl_server_init_full_*() cost several percent of a handshake here.
 * The TLS 1.2 server engine (handshake.c) and the TLS 1.3 record layer
 * (tls13/aead.c) take them from here instead.
 */
#ifndef KTLSD_SYMMETRIC_H
#define KTLSD_SYMMETRIC_H

#include <bearssl.h>

struct symmetric_impls {
	const br_block_ctr_class *aes_ctr;	/* NULL: the CPU lacks AES-NI */
	const br_block_ctrcbc_class *aes_ctrcbc;
	br_ghash ghash;				/* 0: no PCLMUL */
	br_chacha20_run chacha20;		/* 0: no SSE2 */
	br_poly1305_run poly1305;		/* 0: no 64-bit multiply */
};

/*
 * The fast implementations this CPU has (members NULL or 0 where it has
 * none: the caller picks BearSSL's portable constant-time code then). Asked
 * once, on the first call; any thread may call it.
 */
const struct symmetric_impls *symmetric_impls(void);

/*
 * Everything a TLS 1.2 engine zeroed by br_ssl_server_zero() needs but its
 * suites, versions, credentials and elliptic curves: the hash functions,
 * the PRFs, and the AEAD record layers kTLS can take over (AES-GCM,
 * ChaCha20-Poly1305, AES-CCM), with the implementations above.
 */
void symmetric_use_in_engine(br_ssl_engine_context *eng);

#endif
