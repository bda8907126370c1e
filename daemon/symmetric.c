// SPDX-License-Identifier: GPL-2.0-or-later
/* Record ciphers picked once: symmetric.h. */
#include <pthread.h>

#include "symmetric.h"

static struct symmetric_impls impls;
static pthread_once_t picked = PTHREAD_ONCE_INIT;

static void pick(void)
{
	impls.aes_ctr = br_aes_x86ni_ctr_get_vtable();
	impls.aes_ctrcbc = br_aes_x86ni_ctrcbc_get_vtable();
	impls.ghash = br_ghash_pclmul_get();
	impls.chacha20 = br_chacha20_sse2_get();
	impls.poly1305 = br_poly1305_ctmulq_get();
}

const struct symmetric_impls *symmetric_impls(void)
{
	pthread_once(&picked, pick);
	return &impls;
}

void symmetric_use_in_engine(br_ssl_engine_context *eng)
{
	const struct symmetric_impls *s = symmetric_impls();

	br_ssl_engine_set_hash(eng, br_md5_ID, &br_md5_vtable);
	br_ssl_engine_set_hash(eng, br_sha1_ID, &br_sha1_vtable);
	br_ssl_engine_set_hash(eng, br_sha224_ID, &br_sha224_vtable);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf10(eng, &br_tls10_prf);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, s->aes_ctr ? s->aes_ctr : &br_aes_ct64_ctr_vtable);
	br_ssl_engine_set_ghash(eng, s->ghash ? s->ghash : &br_ghash_ctmul64);
	br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
	br_ssl_engine_set_chacha20(eng, s->chacha20 ? s->chacha20 : &br_chacha20_ct_run);
	br_ssl_engine_set_poly1305(eng, s->poly1305 ? s->poly1305 : &br_poly1305_ctmul_run);
	br_ssl_engine_set_ccm(eng, &br_sslrec_in_ccm_vtable, &br_sslrec_out_ccm_vtable);
	br_ssl_engine_set_aes_ctrcbc(eng, s->aes_ctrcbc ? s->aes_ctrcbc : &br_aes_ct64_ctrcbc_vtable);
}
