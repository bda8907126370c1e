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
 *
 * Each channel gets a thread of its own, which waits on it alone: keys stay
 * in one process, signatures use every core, a worker is never queued
 * behind another's signature, and one that floods its channel (a peer took
 * it over) keeps only its own thread busy; one that does not read its
 * answers loses its channel when an answer finds it full. A request costs
 * that thread one recvmsg() and one send().
 */
#ifndef KTLSD_KEYPROC_H
#define KTLSD_KEYPROC_H

#include <pthread.h>
#include <stddef.h>

#include <bearssl.h>

#include "closer.h"
#include "config.h"
#include "key_client.h"

/* The most channels served at once: every worker's, twice over while workers restart. */
#define KEYPROC_MAX_CHANNELS (2 * CONFIG_MAX_WORKERS)

struct keyproc;

/* A channel's thread: its own generator for PSS salts (nothing else changes while signing). */
struct keyproc_signer {
	struct keyproc *kp;
	int fd;				/* the worker's channel */
	br_hmac_drbg_context rng;
	struct keyproc_signer *next;	/* in kp->signers */
};

/* What answers requests: the configuration's keys, and a thread per channel signing with them. */
struct keyproc {
	const struct config *cfg;
	struct closer closer;		/* what a worker sends along: closed off the threads */
	pthread_mutex_t lock;		/* guards what follows */
	pthread_cond_t ended;		/* a signer's thread ended */
	struct keyproc_signer *signers;	/* one per channel */
	unsigned n_signers;
};

/* Take @cfg. 0, or -1 with errno. */
int keyproc_init(struct keyproc *kp, const struct config *cfg);

/* Seed @s's generator from getrandom(), for @kp. 0, or -1 with errno. */
int keyproc_signer_init(struct keyproc_signer *s, struct keyproc *kp);

/*
 * Answer the request in @msg (@len bytes, from a worker: untrusted) into
 * @reply: the signature, or status -1 for a malformed request, a key
 * number no profile with a key has, an unknown op, hash or scheme, a digest
 * of the wrong length, a TLS 1.2 digest for a profile without TLS 1.2 or a
 * CertificateVerify for one without TLS 1.3 (key_client.h), or a failed
 * signature. Returns the reply's length to send (its header and the
 * signature).
 */
size_t keyproc_answer(struct keyproc_signer *s, const void *msg, size_t len, struct key_reply *reply);

/*
 * The process's loop, on @control (from the supervisor): a thread for each
 * channel that arrives (at most KEYPROC_MAX_CHANNELS at once), and closer
 * threads for the descriptors a worker may send along with a request (a
 * worker a peer took over could send a socket whose close lingers).
 * Returns when the supervisor is gone, every channel shut and its thread
 * ended: 0, or 1 on a fatal error.
 */
int keyproc_run(struct keyproc *kp, int control);

#endif
