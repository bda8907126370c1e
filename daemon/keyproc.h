/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key process: started by the supervisor for each configuration, it
 * holds that configuration's private keys and signs digests for the
 * workers (key_client.h), over one SEQPACKET channel per worker. It parses
 * nothing from peers or applications: only fixed-size requests from the
 * workers, which it checks (a worker a hostile peer took over can ask for
 * signatures, never for a key). Channels to new workers arrive from the
 * supervisor on its control channel (SCM_RIGHTS); when that closes, the
 * supervisor is gone and the key process ends.
 */
#ifndef KTLSD_KEYPROC_H
#define KTLSD_KEYPROC_H

#include <stddef.h>

#include <bearssl.h>

#include "closer.h"
#include "config.h"
#include "key_client.h"

/* What answers requests: the configuration's keys and a generator for PSS salts. */
struct keyproc {
	const struct config *cfg;
	br_hmac_drbg_context rng;
	struct closer closer;		/* what a worker sends along: closed off the loop */
};

/* Seed @kp's generator from getrandom(). 0, or -1 with errno. */
int keyproc_init(struct keyproc *kp, const struct config *cfg);

/*
 * Answer the request in @msg (@len bytes, from a worker: untrusted) into
 * @reply: the signature, or status -1 for a malformed request, a key
 * number no profile with a key has, an unknown op, hash or scheme, a digest
 * of the wrong length, a TLS 1.2 digest for a profile without TLS 1.2 or a
 * CertificateVerify for one without TLS 1.3 (key_client.h), or a failed
 * signature. Returns the reply's length to send (its header and the
 * signature).
 */
size_t keyproc_answer(struct keyproc *kp, const void *msg, size_t len, struct key_reply *reply);

/*
 * The process's loop, on @control (from the supervisor), with closer
 * threads for the descriptors a worker may send along with a request (a
 * worker a peer took over could send a socket whose close lingers). Returns
 * when the supervisor is gone: 0, or 1 on a fatal error.
 */
int keyproc_run(struct keyproc *kp, int control);

#endif
