// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_key_request: the key process's reading of a worker's request
 * (daemon/keyproc.c, keyproc_answer()). A worker a hostile peer took over
 * writes what it likes on its channel: the key process must only ever sign
 * with a key it has, as asked, or refuse.
 *
 * Input: one message as the channel delivers it (any length). Two keys
 * stand behind it, as profiles 0 (P-256, TLS 1.2 and 1.3) and 1 (RSA-2048,
 * TLS 1.3 only) of a configuration, then a profile without a key, number 2.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "keyproc.h"
#include "tls13/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profile profiles[3];
static struct config cfg;
static struct keyproc kp;
static struct keyproc_signer signer;

static void load(struct creds *c, const char *cert, const char *key)
{
	char err[256];

	if (creds_load_chain(c, fuzz_data_path(cert), err, sizeof(err)) < 0 ||
	    creds_load_key(c, fuzz_data_path(key), err, sizeof(err)) < 0)
		fuzz_fail(__FILE__, __LINE__, err);
}

static void setup(void)
{
	load(&profiles[0].creds, "server-ec.crt", "server-ec.key");
	load(&profiles[1].creds, "server-rsa.crt", "server-rsa.key");
	profiles[0].min_version = 0x0303;
	profiles[0].max_version = profiles[1].min_version = profiles[1].max_version = 0x0304;
	profiles[0].next = &profiles[1];
	profiles[1].next = &profiles[2];
	cfg.profiles = &profiles[0];
	if (keyproc_init(&kp, &cfg) < 0 || keyproc_signer_init(&signer, &kp) < 0)
		fuzz_fail(__FILE__, __LINE__, "keyproc_init");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct key_reply reply;
	struct key_request req;
	size_t out;

	if (!cfg.profiles)
		setup();
	memset(&reply, 0xa5, sizeof(reply));
	out = keyproc_answer(&signer, data, size, &reply);
	FUZZ_CHECK(out >= offsetof(struct key_reply, sig) && out <= sizeof(reply));
	if (reply.status != 0) {
		FUZZ_CHECK(reply.status == -1 && out == offsetof(struct key_reply, sig));
		return 0;
	}
	/* Signed: only for a whole request, with a key there is, as it asked. */
	FUZZ_CHECK(size == sizeof(req));
	memcpy(&req, data, sizeof(req));
	FUZZ_CHECK(reply.id == req.id && out == offsetof(struct key_reply, sig) + reply.sig_len);
	FUZZ_CHECK(req.key < 2);
	FUZZ_CHECK(req.op == KEY_OP_CV_SERVER || req.op == KEY_OP_CV_CLIENT ||
		   (req.op == KEY_OP_DIGEST && req.key == 0 && req.sig_op == T13_SIG_OP_ECDSA &&
		    t13_sig_hash_by_id(req.hash)));
	FUZZ_CHECK(req.key == 0 ? reply.sig_len <= 72 : reply.sig_len == 256);
	return 0;
}
