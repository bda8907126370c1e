// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_record: ktlsd_recv() (lib/record.c), the records a kTLS socket
 * returns after the hand-off: data, alerts, handshake messages, anything.
 *
 * recvmsg(), sendmsg() and getsockopt() are interposed in this binary: a
 * fake kTLS socket returns the records of the input script as the kernel
 * does: at most the rest of the current record per call, its type in a
 * TLS_GET_RECORD_TYPE cmsg, MSG_EOR once a record is read to its end, 0 when
 * the script is over.
 *
 * Input:
 *   bytes 0-1  the caller's buffer length, little-endian, modulo 20000
 *              (0: ktlsd_recv must refuse it)
 *   byte 2     bit 0: the caller passes no alert pointer
 *   then records, each [type][ctl][length, 2 bytes LE][that many bytes]:
 *   ctl bit 0  no TLS_GET_RECORD_TYPE cmsg with it (not what kTLS does)
 *       bit 1  no MSG_EOR at its end (not what kTLS does)
 *       bit 2  not a record: this recvmsg() fails, errno picked by type
 *       bit 3  the next alert sendmsg() fails with EPIPE
 * Checked: bytes returned as data come from data records, unchanged; with a
 * script kTLS could produce (no ctl bit 0 or 1), no data byte is lost;
 * every alert sent is one well-formed alert record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/tls.h>

#include "fuzz.h"
#include "ktlsd.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define FAKE_FD 1000
#define RECORD_APPLICATION_DATA 23

enum { CTL_NO_CMSG = 1, CTL_NO_EOR = 2, CTL_ERROR = 4, CTL_SEND_FAILS = 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	const uint8_t *script, *end;
	/* The record being read. */
	const uint8_t *rec;
	size_t rec_left;
	uint8_t type, ctl;
	int send_fails;
	int quirks;			/* the script used ctl bits 0 or 1 */
	/* What the last successful recvmsg() gave. */
	const uint8_t *last;
	size_t last_len;
	int last_is_data;
	size_t data_delivered;
	unsigned alerts_sent;
} k;

static const int errors[] = { EAGAIN, EINTR, ECONNRESET, EBADMSG, EMSGSIZE, EIO, ENOMEM };

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t room = 0, n, done = 0;
	size_t controllen = msg->msg_controllen;

	(void)flags;
	FUZZ_CHECK(fd == FAKE_FD);
	msg->msg_flags = 0;
	msg->msg_controllen = 0;
	if (!k.rec) {
		if (k.end - k.script < 4)
			return 0;	/* the peer closed TCP */
		k.type = k.script[0];
		k.ctl = k.script[1];
		k.rec_left = (size_t)(k.script[2] | k.script[3] << 8);
		k.script += 4;
		if (k.ctl & CTL_SEND_FAILS)
			k.send_fails = 1;
		if (k.ctl & CTL_ERROR) {
			errno = errors[k.type % (sizeof(errors) / sizeof(errors[0]))];
			return -1;
		}
		if (k.ctl & (CTL_NO_CMSG | CTL_NO_EOR))
			k.quirks = 1;
		if (k.rec_left > (size_t)(k.end - k.script))
			k.rec_left = (size_t)(k.end - k.script);
		k.rec = k.script;
		k.script += k.rec_left;
	}
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		room += msg->msg_iov[i].iov_len;
	n = room < k.rec_left ? room : k.rec_left;
	for (size_t i = 0; i < msg->msg_iovlen && done < n; i++) {
		size_t c = msg->msg_iov[i].iov_len < n - done ? msg->msg_iov[i].iov_len : n - done;

		memcpy(msg->msg_iov[i].iov_base, k.rec + done, c);
		done += c;
	}
	k.last = k.rec;
	k.last_len = n;
	k.last_is_data = (k.ctl & CTL_NO_CMSG) || k.type == RECORD_APPLICATION_DATA;
	if (k.last_is_data)
		k.data_delivered += n;
	if (!(k.ctl & CTL_NO_CMSG)) {
		if (controllen >= CMSG_SPACE(1)) {
			struct cmsghdr *cmsg = msg->msg_control;

			cmsg->cmsg_level = SOL_TLS;
			cmsg->cmsg_type = TLS_GET_RECORD_TYPE;
			cmsg->cmsg_len = CMSG_LEN(1);
			*CMSG_DATA(cmsg) = k.type;
			msg->msg_controllen = CMSG_SPACE(1);
		} else {
			msg->msg_flags |= MSG_CTRUNC;
		}
	}
	k.rec += n;
	k.rec_left -= n;
	if (!k.rec_left) {
		if (!(k.ctl & CTL_NO_EOR))
			msg->msg_flags |= MSG_EOR;
		k.rec = NULL;
	}
	return (ssize_t)n;
}

/* SO_ERROR, as read after the kernel refused a record: none pending. */
int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	if (fd != FAKE_FD)
		return (int)syscall(SYS_getsockopt, fd, level, optname, optval, optlen);
	if (level != SOL_SOCKET || optname != SO_ERROR || *optlen < sizeof(int)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	memset(optval, 0, sizeof(int));
	*optlen = sizeof(int);
	return 0;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	const struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg);
	const uint8_t *alert;

	(void)flags;
	FUZZ_CHECK(fd == FAKE_FD);
	/* One alert record: type 21 by cmsg, level 1 or 2, two bytes. */
	FUZZ_CHECK(cmsg && cmsg->cmsg_level == SOL_TLS && cmsg->cmsg_type == TLS_SET_RECORD_TYPE);
	FUZZ_CHECK(cmsg->cmsg_len == CMSG_LEN(1) && *CMSG_DATA(cmsg) == 21);
	FUZZ_CHECK(!CMSG_NXTHDR((struct msghdr *)msg, (struct cmsghdr *)cmsg));
	FUZZ_CHECK(msg->msg_iovlen == 1 && msg->msg_iov[0].iov_len == 2);
	alert = msg->msg_iov[0].iov_base;
	FUZZ_CHECK(alert[0] == KTLSD_ALERT_WARNING || alert[0] == KTLSD_ALERT_FATAL);
	if (k.send_fails) {
		k.send_fails = 0;
		errno = EPIPE;
		return -1;
	}
	k.alerts_sent++;
	return 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, returned = 0;
	int alert, *alert_p, ended = 0;
	uint8_t *buf;

	if (size < 3)
		return 0;
	memset(&k, 0, sizeof(k));
	len = (size_t)(data[0] | data[1] << 8) % 20000;
	alert_p = data[2] & 1 ? NULL : &alert;
	k.script = data + 3;
	k.end = data + size;
	buf = malloc(len ? len : 1);
	FUZZ_CHECK(buf);
	for (unsigned calls = 0; calls < 100000; calls++) {
		ssize_t n;

		alert = -1;
		errno = 0;
		n = ktlsd_recv(FAKE_FD, buf, len, 0, alert_p);
		if (len == 0) {
			FUZZ_CHECK(n == -1 && errno == EINVAL);
			ended = 1;
			break;
		}
		FUZZ_CHECK(n >= -1 && n <= (ssize_t)len);
		if (n > 0) {
			/* Data, and only data, straight from the last record read. */
			FUZZ_CHECK(k.last_is_data && (size_t)n == k.last_len);
			FUZZ_CHECK(!memcmp(buf, k.last, (size_t)n));
			returned += (size_t)n;
			continue;
		}
		if (n == 0) {
			ended = 1;
			break;
		}
		FUZZ_CHECK(errno != 0);
		if (errno == EPROTO && alert_p)
			FUZZ_CHECK(alert >= 0 && alert <= 255);
		if (errno == EAGAIN || errno == EINTR)
			continue;	/* the caller tries again */
		if (k.end == k.script && !k.rec) {
			ended = 1;
			break;
		}
		/* After a fatal error a caller may still read on: so may we. */
	}
	FUZZ_CHECK(ended || k.end == k.script);
	if (!k.quirks && k.end == k.script && !k.rec)
		FUZZ_CHECK(returned == k.data_delivered);
	free(buf);
	return 0;
}
