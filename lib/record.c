// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Life after the hand-off: application data in, the records that are not
 * data handled the way TLS 1.2 and TLS 1.3 ask, alerts and close_notify out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/tls.h>

#include "alert.h"
#include "ktlsd.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* Post-handshake messages of TLS 1.3 (RFC 8446 4.6). */
#define HS_NEW_SESSION_TICKET	4
#define HS_KEY_UPDATE		24
#define ALERT_USER_CANCELED	90
#define ALERT_DECODE_ERROR	50
#define ALERT_INTERNAL_ERROR	80

enum record_type {
	RECORD_CHANGE_CIPHER_SPEC = 20,
	RECORD_ALERT = 21,
	RECORD_HANDSHAKE = 22,
	RECORD_APPLICATION_DATA = 23,
};

int ktlsd_send_alert(int fd, int level, int description)
{
	return ktlsd_send_alert_flags(fd, level, description, 0);
}

int ktlsd_send_alert_flags(int fd, int level, int description, int flags)
{
	uint8_t alert[2] = { (uint8_t)level, (uint8_t)description };
	uint8_t type = RECORD_ALERT;
	char control[CMSG_SPACE(sizeof(type))] = { 0 };
	struct iovec iov = { .iov_base = alert, .iov_len = sizeof(alert) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	if ((level != KTLSD_ALERT_WARNING && level != KTLSD_ALERT_FATAL) ||
	    description < 0 || description > 255) {
		errno = EINVAL;
		return -1;
	}
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(type));
	memcpy(CMSG_DATA(cmsg), &type, sizeof(type));
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL | flags);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int ktlsd_send_close_notify(int fd)
{
	return ktlsd_send_alert(fd, KTLSD_ALERT_WARNING, KTLSD_ALERT_CLOSE_NOTIFY);
}

/* One recvmsg: the bytes read, and the type of the record they came from. */
static ssize_t recv_typed(int fd, void *buf, size_t len, int flags,
			  uint8_t *type, int *record_end)
{
	char control[CMSG_SPACE(sizeof(*type))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(fd, &msg, flags);

	if (n < 0)
		return -1;
	*type = RECORD_APPLICATION_DATA;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_TLS && cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(cmsg);
	*record_end = !!(msg.msg_flags & MSG_EOR);
	return n;
}

/*
 * The rest of a record that is not data, after its first @got bytes: into a
 * bounce buffer of our own, so a small caller buffer never splits it. The
 * kernel marks a record's end with MSG_EOR; it holds at most 2^14 bytes.
 */
static ssize_t finish_control_record(int fd, uint8_t *rec, size_t size, size_t got,
				     uint8_t type)
{
	for (;;) {
		uint8_t this_type, scratch[256];
		int end = 0;
		size_t room = got < size ? size - got : 0;
		ssize_t n = recv_typed(fd, room ? rec + got : scratch,
				       room ? room : sizeof(scratch), 0, &this_type, &end);

		if (n < 0)
			return -1;
		if (n == 0 || this_type != type)
			return (ssize_t)got;
		got += room ? (size_t)n : 0;
		if (end)
			return (ssize_t)got;
	}
}

/* The TLS version kTLS runs on @fd (0x0303, 0x0304), from TLS_RX's header. */
static unsigned ktls_version(int fd)
{
	struct tls_crypto_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, SOL_TLS, TLS_RX, &info, &len) < 0 || len != sizeof(info))
		return 0;
	return info.version;
}

/* Send a fatal alert and fail with @err. */
static int fatal(int fd, int description, int err)
{
	ktlsd_send_alert(fd, KTLSD_ALERT_FATAL, description);
	errno = err;
	return -1;
}

/*
 * TLS 1.3's post-handshake messages, each whole in @rec. A NewSessionTicket
 * is dropped: the application holds no session to resume it with. A
 * KeyUpdate cannot be followed where the kernel cannot take a new TLS_RX key
 * (6.1): the peer's next record would fail as forged, so the connection ends
 * here, cleanly, with EKEYEXPIRED. Anything else (a CertificateRequest: we
 * never offer post_handshake_auth) is unexpected.
 */
static int handle_post_handshake(int fd, const uint8_t *rec, size_t len)
{
	while (len > 0) {
		size_t body;

		if (len < 4)
			return fatal(fd, KTLSD_ALERT_UNEXPECTED_MESSAGE, EBADMSG);
		body = (size_t)rec[1] << 16 | (size_t)rec[2] << 8 | rec[3];
		/* Messages split across records are not followed: refused. */
		if (body > len - 4)
			return fatal(fd, KTLSD_ALERT_UNEXPECTED_MESSAGE, EBADMSG);
		switch (rec[0]) {
		case HS_NEW_SESSION_TICKET:
			break;
		case HS_KEY_UPDATE:
			if (body != 1 || rec[4] > 1)
				return fatal(fd, ALERT_DECODE_ERROR, EBADMSG);
			return fatal(fd, ALERT_INTERNAL_ERROR, EKEYEXPIRED);
		default:
			return fatal(fd, KTLSD_ALERT_UNEXPECTED_MESSAGE, EBADMSG);
		}
		rec += 4 + body;
		len -= 4 + body;
	}
	return 0;
}

/* An alert: 1 end of stream, 0 skip it, -1 fatal. */
static int handle_alert(int fd, const uint8_t *rec, size_t len, int *alert)
{
	if (len != 2) {
		errno = EBADMSG;
		return -1;
	}
	if (rec[1] == KTLSD_ALERT_CLOSE_NOTIFY) {
		if (alert)
			*alert = KTLSD_ALERT_CLOSE_NOTIFY;
		return 1;
	}
	/* TLS 1.3 alerts are all fatal but user_canceled (6): the level is
	 * the sender's word only in TLS 1.2. */
	if (rec[1] == ALERT_USER_CANCELED ||
	    (rec[0] == KTLSD_ALERT_WARNING && ktls_version(fd) != TLS_1_3_VERSION))
		return 0;
	if (alert)
		*alert = rec[1];
	errno = EPROTO;
	return -1;
}

/* What to do with a record that is not data: 0 carry on, 1 end of stream, -1 error. */
static int handle_control(int fd, uint8_t type, const uint8_t *rec, size_t len,
			  int *alert)
{
	switch (type) {
	case RECORD_ALERT:
		return handle_alert(fd, rec, len, alert);
	case RECORD_HANDSHAKE:
		if (ktls_version(fd) == TLS_1_3_VERSION)
			return handle_post_handshake(fd, rec, len);
		/* HelloRequest or a ClientHello: we do not renegotiate. */
		if (ktlsd_send_alert(fd, KTLSD_ALERT_WARNING, KTLSD_ALERT_NO_RENEGOTIATION) < 0)
			return -1;
		return 0;
	default:
		return fatal(fd, KTLSD_ALERT_UNEXPECTED_MESSAGE, EBADMSG);
	}
}

/*
 * The kernel refused a record: tell the peer why before failing (RFC 5246
 * §7.2.2), since the kernel itself sends no alert.
 */
static ssize_t record_refused(int fd)
{
	int err = errno, pending;
	socklen_t len = sizeof(pending);

	/* The kernel left the error on the socket too; sends fail until read. */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &len);
	if (err == EBADMSG)
		ktlsd_send_alert(fd, KTLSD_ALERT_FATAL, KTLSD_ALERT_BAD_RECORD_MAC);
	else if (err == EMSGSIZE)
		ktlsd_send_alert(fd, KTLSD_ALERT_FATAL, KTLSD_ALERT_RECORD_OVERFLOW);
	errno = err;
	return -1;
}

ssize_t ktlsd_recv(int fd, void *buf, size_t len, int flags, int *alert)
{
	if (alert)
		*alert = -1;
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		uint8_t type, rec[16384];
		int end, rc;
		ssize_t n;

		/* One call per read on the data path: the kernel never mixes
		 * record types in one recvmsg, so the type tells what came. */
		n = recv_typed(fd, buf, len, flags, &type, &end);
		if (n < 0 && (errno == EBADMSG || errno == EMSGSIZE))
			return record_refused(fd);
		if (n <= 0 || type == RECORD_APPLICATION_DATA)
			return n;
		memcpy(rec, buf, (size_t)n < sizeof(rec) ? (size_t)n : sizeof(rec));
		if (!end)
			n = finish_control_record(fd, rec, sizeof(rec), (size_t)n, type);
		if (n < 0)
			return errno == EBADMSG || errno == EMSGSIZE ? record_refused(fd) : -1;
		rc = handle_control(fd, type, rec, (size_t)n, alert);
		if (rc)
			return rc > 0 ? 0 : -1;
	}
}

const char *ktlsd_alert_name(int description)
{
	switch (description) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	}
	return "unknown";
}

const char *ktlsd_mode_name(enum ktlsd_mode mode)
{
	switch (mode) {
	case KTLSD_MODE_BASE: return "none";
	case KTLSD_MODE_SW: return "sw";
	case KTLSD_MODE_HW: return "hw";
	case KTLSD_MODE_HW_RECORD: return "hw-record";
	case KTLSD_MODE_UNKNOWN: break;
	}
	return "unknown";
}
