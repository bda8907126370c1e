// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every BearSSL error maps to the alert the RFC names for it: a peer that
 * sends garbage learns it was garbage (decode_error), not that we broke
 * (internal_error).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include <bearssl.h>

#include "failure.h"
#include "tap.h"

static void expect(int err, int status, int alert, const char *name)
{
	struct failure f = failure_from_tls_error(err, KTLSD_ROLE_SERVER);

	if (!ok(f.status == status && f.alert == alert && f.what && f.what[0], "%s", name))
		diag("error %d: status %d alert %d (%s); wanted status %d alert %d", err, f.status,
		     f.alert, f.what, status, alert);
}

int main(void)
{
	expect(BR_ERR_BAD_PARAM, EPROTO, BR_ALERT_DECODE_ERROR,
	       "an inner length overrun (BR_ERR_BAD_PARAM): decode_error");
	expect(BR_ERR_BAD_LENGTH, EPROTO, BR_ALERT_DECODE_ERROR, "a bad length: decode_error");
	expect(BR_ERR_BAD_HANDSHAKE, EPROTO, BR_ALERT_DECODE_ERROR,
	       "a malformed handshake message: decode_error");
	expect(BR_ERR_OK, ECONNABORTED, -1,
	       "close_notify during the handshake: ECONNABORTED, no alert, not internal error");
	expect(BR_ERR_UNEXPECTED, EPROTO, BR_ALERT_UNEXPECTED_MESSAGE,
	       "an unexpected message: unexpected_message");
	expect(BR_ERR_BAD_MAC, EPROTO, BR_ALERT_BAD_RECORD_MAC, "a bad record MAC: bad_record_mac");
	expect(BR_ERR_TOO_LARGE, EPROTO, BR_ALERT_RECORD_OVERFLOW, "a record too large: record_overflow");
	expect(BR_ERR_BAD_FINISHED, EPROTO, BR_ALERT_DECRYPT_ERROR, "a bad Finished: decrypt_error");
	expect(BR_ERR_UNSUPPORTED_VERSION, EPROTO, BR_ALERT_PROTOCOL_VERSION,
	       "an unsupported version: protocol_version");
	expect(BR_ERR_X509_NOT_TRUSTED, EKEYREJECTED, BR_ALERT_UNKNOWN_CA, "an unknown CA: unknown_ca");
	expect(BR_ERR_RECV_FATAL_ALERT + 40, EPROTO, -1, "an alert received: none sent back");
	/* Nothing BearSSL can report falls through to internal_error unnamed. */
	for (int err = 1; err <= BR_ERR_IO; err++) {
		struct failure f = failure_from_tls_error(err, KTLSD_ROLE_CLIENT);

		if (err == BR_ERR_BAD_STATE || err == BR_ERR_NO_RANDOM || err == 11 || err == 30)
			continue;
		if (f.alert == BR_ALERT_INTERNAL_ERROR && !ok(0, "error %d is mapped", err))
			diag("BearSSL error %d falls through to internal_error", err);
	}
	ok(1, "every engine error other than our own state has a specific alert");
	return done();
}
