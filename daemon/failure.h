/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a failed handshake means: BearSSL sends fatal alerts for only a few
 * server-side failures, so every BearSSL error is mapped here to the alert
 * the peer should get, the errno-style status the application gets, and a
 * line for humans.
 */
#ifndef KTLSD_FAILURE_H
#define KTLSD_FAILURE_H

#include "ktlsd.h"

struct failure {
	int status;		/* positive errno value */
	int alert;		/* alert to send, or -1: none (or already sent) */
	const char *what;	/* e.g. "peer certificate: unknown CA" */
};

/* The meaning of br_ssl_engine_last_error() @err in @role. */
struct failure failure_from_tls_error(int err, enum ktlsd_role role);

/* "BR_ERR_X509_NOT_TRUSTED", "BR_ERR_RECV_FATAL_ALERT+48", or "BR_ERR_<n>". */
const char *failure_error_name(int err, char *buf, size_t len);

#endif
