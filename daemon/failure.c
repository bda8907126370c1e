// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>

#include <bearssl.h>

#include "failure.h"

#define NAME(e) [e] = #e

static const char *const error_names[] = {
	NAME(BR_ERR_OK), NAME(BR_ERR_BAD_PARAM), NAME(BR_ERR_BAD_STATE),
	NAME(BR_ERR_UNSUPPORTED_VERSION), NAME(BR_ERR_BAD_VERSION),
	NAME(BR_ERR_BAD_LENGTH), NAME(BR_ERR_TOO_LARGE), NAME(BR_ERR_BAD_MAC),
	NAME(BR_ERR_NO_RANDOM), NAME(BR_ERR_UNKNOWN_TYPE), NAME(BR_ERR_UNEXPECTED),
	NAME(BR_ERR_BAD_CCS), NAME(BR_ERR_BAD_ALERT), NAME(BR_ERR_BAD_HANDSHAKE),
	NAME(BR_ERR_OVERSIZED_ID), NAME(BR_ERR_BAD_CIPHER_SUITE),
	NAME(BR_ERR_BAD_COMPRESSION), NAME(BR_ERR_BAD_FRAGLEN),
	NAME(BR_ERR_BAD_SECRENEG), NAME(BR_ERR_EXTRA_EXTENSION), NAME(BR_ERR_BAD_SNI),
	NAME(BR_ERR_BAD_HELLO_DONE), NAME(BR_ERR_LIMIT_EXCEEDED),
	NAME(BR_ERR_BAD_FINISHED), NAME(BR_ERR_RESUME_MISMATCH),
	NAME(BR_ERR_INVALID_ALGORITHM), NAME(BR_ERR_BAD_SIGNATURE),
	NAME(BR_ERR_WRONG_KEY_USAGE), NAME(BR_ERR_NO_CLIENT_AUTH), NAME(BR_ERR_IO),
	NAME(BR_ERR_X509_INVALID_VALUE), NAME(BR_ERR_X509_TRUNCATED),
	NAME(BR_ERR_X509_EMPTY_CHAIN), NAME(BR_ERR_X509_INNER_TRUNC),
	NAME(BR_ERR_X509_BAD_TAG_CLASS), NAME(BR_ERR_X509_BAD_TAG_VALUE),
	NAME(BR_ERR_X509_INDEFINITE_LENGTH), NAME(BR_ERR_X509_EXTRA_ELEMENT),
	NAME(BR_ERR_X509_UNEXPECTED), NAME(BR_ERR_X509_NOT_CONSTRUCTED),
	NAME(BR_ERR_X509_NOT_PRIMITIVE), NAME(BR_ERR_X509_PARTIAL_BYTE),
	NAME(BR_ERR_X509_BAD_BOOLEAN), NAME(BR_ERR_X509_OVERFLOW),
	NAME(BR_ERR_X509_BAD_DN), NAME(BR_ERR_X509_BAD_TIME),
	NAME(BR_ERR_X509_UNSUPPORTED), NAME(BR_ERR_X509_LIMIT_EXCEEDED),
	NAME(BR_ERR_X509_WRONG_KEY_TYPE), NAME(BR_ERR_X509_BAD_SIGNATURE),
	NAME(BR_ERR_X509_TIME_UNKNOWN), NAME(BR_ERR_X509_EXPIRED),
	NAME(BR_ERR_X509_DN_MISMATCH), NAME(BR_ERR_X509_BAD_SERVER_NAME),
	NAME(BR_ERR_X509_CRITICAL_EXTENSION), NAME(BR_ERR_X509_NOT_CA),
	NAME(BR_ERR_X509_FORBIDDEN_KEY_USAGE), NAME(BR_ERR_X509_WEAK_PUBLIC_KEY),
	NAME(BR_ERR_X509_NOT_TRUSTED),
};

const char *failure_error_name(int err, char *buf, size_t len)
{
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, len, "BR_ERR_SEND_FATAL_ALERT+%d", err - BR_ERR_SEND_FATAL_ALERT);
	else if (err >= BR_ERR_RECV_FATAL_ALERT)
		snprintf(buf, len, "BR_ERR_RECV_FATAL_ALERT+%d", err - BR_ERR_RECV_FATAL_ALERT);
	else if (err >= 0 && (size_t)err < sizeof(error_names) / sizeof(error_names[0]) &&
		 error_names[err])
		snprintf(buf, len, "%s", error_names[err]);
	else
		snprintf(buf, len, "BR_ERR_%d", err);
	return buf;
}

static struct failure peer_cert(int err, enum ktlsd_role role)
{
	int server = role == KTLSD_ROLE_SERVER;

	switch (err) {
	case BR_ERR_X509_NOT_TRUSTED:
		return (struct failure){ EKEYREJECTED, BR_ALERT_UNKNOWN_CA,
					 "peer certificate: unknown CA" };
	case BR_ERR_X509_EXPIRED:
		return (struct failure){ EKEYEXPIRED, BR_ALERT_CERTIFICATE_EXPIRED,
					 "peer certificate: expired or not yet valid" };
	case BR_ERR_X509_BAD_SERVER_NAME:
		return (struct failure){ EKEYREJECTED, BR_ALERT_BAD_CERTIFICATE,
					 "peer certificate: does not match the server name" };
	case BR_ERR_X509_EMPTY_CHAIN:
		/* TLS 1.2 has no certificate_required: handshake_failure. */
		return (struct failure){ ENOKEY, BR_ALERT_HANDSHAKE_FAILURE,
					 server ? "client sent no certificate, one is required"
						: "server sent no certificate" };
	case BR_ERR_X509_UNSUPPORTED:
	case BR_ERR_X509_WRONG_KEY_TYPE:
	case BR_ERR_X509_CRITICAL_EXTENSION:
	case BR_ERR_X509_WEAK_PUBLIC_KEY:
		return (struct failure){ EKEYREJECTED, BR_ALERT_UNSUPPORTED_CERTIFICATE,
					 "peer certificate: unsupported" };
	case BR_ERR_X509_TIME_UNKNOWN:
		return (struct failure){ EKEYREJECTED, BR_ALERT_INTERNAL_ERROR,
					 "peer certificate: the system time is unknown" };
	}
	return (struct failure){ EKEYREJECTED, BR_ALERT_BAD_CERTIFICATE,
				 "peer certificate: invalid" };
}

struct failure failure_from_tls_error(int err, enum ktlsd_role role)
{
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		return (struct failure){ EPROTO, -1, "handshake failed; BearSSL sent the alert" };
	if (err >= BR_ERR_RECV_FATAL_ALERT)
		return (struct failure){ EPROTO, -1, "the peer sent a fatal alert" };
	if (err >= BR_ERR_X509_OK)
		return peer_cert(err, role);
	switch (err) {
	case BR_ERR_OK:
		/* Closed without an error: the peer's close_notify (it got ours back). */
		return (struct failure){ ECONNABORTED, -1,
					 "the peer closed the TLS session (close_notify) during the handshake" };
	case BR_ERR_BAD_PARAM:
		/* An inner length that overruns its container: RFC 5246 §7.2.2. */
		return (struct failure){ EPROTO, BR_ALERT_DECODE_ERROR,
					 "malformed handshake message (a length overruns its container)" };
	case BR_ERR_BAD_STATE:
	case BR_ERR_NO_RANDOM:
		return (struct failure){ EPROTO, BR_ALERT_INTERNAL_ERROR,
					 "internal error of the TLS engine" };
	case BR_ERR_UNSUPPORTED_VERSION:
	case BR_ERR_BAD_VERSION:
		return (struct failure){ EPROTO, BR_ALERT_PROTOCOL_VERSION,
					 "the peer does not speak TLS 1.2" };
	case BR_ERR_BAD_CIPHER_SUITE:
		return (struct failure){ EPROTO, BR_ALERT_ILLEGAL_PARAMETER,
					 "the server chose a cipher suite we did not offer" };
	case BR_ERR_TOO_LARGE:
		return (struct failure){ EPROTO, BR_ALERT_RECORD_OVERFLOW, "record too large" };
	case BR_ERR_BAD_MAC:
		return (struct failure){ EPROTO, BR_ALERT_BAD_RECORD_MAC,
					 "a record failed authentication" };
	case BR_ERR_UNKNOWN_TYPE:
	case BR_ERR_UNEXPECTED:
	case BR_ERR_BAD_CCS:
		return (struct failure){ EPROTO, BR_ALERT_UNEXPECTED_MESSAGE,
					 "the peer sent an unexpected message" };
	case BR_ERR_BAD_LENGTH:
	case BR_ERR_BAD_ALERT:
	case BR_ERR_BAD_HANDSHAKE:
	case BR_ERR_BAD_SNI:
	case BR_ERR_BAD_HELLO_DONE:
		return (struct failure){ EPROTO, BR_ALERT_DECODE_ERROR,
					 "malformed handshake message" };
	case BR_ERR_OVERSIZED_ID:
	case BR_ERR_BAD_COMPRESSION:
	case BR_ERR_BAD_FRAGLEN:
	case BR_ERR_RESUME_MISMATCH:
	case BR_ERR_INVALID_ALGORITHM:
		return (struct failure){ EPROTO, BR_ALERT_ILLEGAL_PARAMETER,
					 "the peer sent an illegal parameter" };
	case BR_ERR_EXTRA_EXTENSION:
		return (struct failure){ EPROTO, BR_ALERT_UNSUPPORTED_EXTENSION,
					 "the peer sent an extension we did not ask for" };
	case BR_ERR_BAD_SECRENEG:
		return (struct failure){ EPROTO, BR_ALERT_HANDSHAKE_FAILURE,
					 "secure renegotiation check failed" };
	case BR_ERR_BAD_FINISHED:
		return (struct failure){ EPROTO, BR_ALERT_DECRYPT_ERROR,
					 "the peer's Finished does not verify" };
	case BR_ERR_BAD_SIGNATURE:
		return (struct failure){ EPROTO, BR_ALERT_DECRYPT_ERROR,
					 "the peer's handshake signature does not verify" };
	case BR_ERR_WRONG_KEY_USAGE:
		return (struct failure){ EKEYREJECTED, BR_ALERT_BAD_CERTIFICATE,
					 "peer certificate: key usage forbids this" };
	case BR_ERR_NO_CLIENT_AUTH:
		return (struct failure){ ENOKEY, BR_ALERT_HANDSHAKE_FAILURE,
					 "client sent no usable certificate, one is required" };
	case BR_ERR_IO:
		return (struct failure){ EIO, -1, "I/O error" };
	case BR_ERR_LIMIT_EXCEEDED:
		return (struct failure){ EPROTO, BR_ALERT_HANDSHAKE_FAILURE,
					 "a handshake limit was exceeded" };
	}
	return (struct failure){ EPROTO, BR_ALERT_INTERNAL_ERROR, "internal error" };
}
