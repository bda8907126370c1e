/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libktlsd: hand a connected TCP socket to ktlsd for its TLS 1.2 handshake,
 * then use kernel TLS on it with plain read/write/sendfile.
 *
 *   int fd = accept(...);
 *   struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = "web" };
 *   struct ktlsd_result res;
 *   if (ktlsd_handshake(NULL, fd, &req, 10000, &res) < 0)
 *           fprintf(stderr, "tls: %s\n", res.message);
 *   sendfile(fd, file, NULL, size);           // the kernel encrypts
 *   ktlsd_send_close_notify(fd);
 *
 * Conventions: contexts are allocated by the caller; no function keeps
 * global state; functions return 0 (or a count) on success and -1 with errno
 * set on failure, like the system calls they stand beside.
 */
#ifndef KTLSD_H
#define KTLSD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where ktlsd listens unless its configuration says otherwise. */
#define KTLSD_SOCKET_PATH "/run/ktlsd/ktlsd.sock"
/* The unprivileged user ktlsd runs as; libktlsd trusts a daemon of this uid. */
#define KTLSD_USER "ktlsd"
/* Where ktlsd answers operators (ktlsctl daemon ...), by default. */
#define KTLSD_CONTROL_PATH "/run/ktlsd/ctl.sock"

/* Bounds of the request's strings, terminating NUL included. */
#define KTLSD_PROFILE_MAX	64
#define KTLSD_SERVER_NAME_MAX	256
#define KTLSD_ALPN_MAX		256

enum ktlsd_role {
	KTLSD_ROLE_CLIENT = 1,	/* we connected: send ClientHello */
	KTLSD_ROLE_SERVER = 2,	/* we accepted: answer it */
};

/* Where a direction's record crypto ended up (the kernel's TLS_CONF_*). */
enum ktlsd_mode {
	KTLSD_MODE_UNKNOWN = 0,	/* could not be read back from the kernel */
	KTLSD_MODE_BASE = 1,	/* no kTLS in this direction */
	KTLSD_MODE_SW = 2,	/* kernel software crypto */
	KTLSD_MODE_HW = 3,	/* NIC offload */
	KTLSD_MODE_HW_RECORD = 4,
};

struct ktlsd_request {
	enum ktlsd_role role;
	/* Profile of the daemon's configuration to use (certificate, key,
	 * trust anchors, ciphers, ALPN). Required. */
	const char *profile;
	/* Client role: the name sent as SNI and checked against the server's
	 * certificate (unless the profile says verify = none). An IPv4 or IPv6
	 * address is not sent as SNI; it is checked against the certificate's
	 * iPAddress entries. Letters, digits, '-', '_', '.', ':'. NULL: none. */
	const char *server_name;
	/* Client role: comma-separated ALPN protocols to offer, overriding the
	 * profile's. NULL: the profile's. Ignored in the server role. */
	const char *alpn;
};

struct ktlsd_result {
	/* 0 when kTLS is installed on the socket; otherwise a positive errno
	 * value, the same as errno after the call (see ktlsd_handshake()). */
	int status;
	/* BearSSL's error code (br_ssl_engine_last_error()) and its name,
	 * e.g. 32+30 and "BR_ERR_X509_NOT_TRUSTED"; 0 and "" if none. */
	int tls_error;
	char tls_error_name[48];
	/* TLS alert descriptions sent to / received from the peer, or -1. */
	int alert_sent;
	int alert_received;
	/* One line for a human, e.g. "peer certificate: unknown CA". */
	char message[192];

	/* Set when status is 0. */
	uint16_t version;		/* 0x0303: TLS 1.2, 0x0304: TLS 1.3 */
	uint16_t cipher_suite;		/* IANA number, e.g. 0xc02b */
	char cipher_name[64];		/* OpenSSL's name for it */
	char alpn[64];			/* negotiated protocol, or "" */
	char server_name[KTLSD_SERVER_NAME_MAX]; /* SNI sent, or received */
	/* The peer's identity, only when its chain (and, for a client, the
	 * server name: DNS name, or address in an iPAddress entry) verified
	 * against the profile's ca; "" and 0 otherwise, whatever it claimed. */
	char peer_subject[256];		/* peer certificate's subject CN */
	char peer_san[256];		/* its first DNS name (SAN) */
	int peer_verified;		/* 1: the peer's chain (and name) validated */
	enum ktlsd_mode tx_mode;	/* read back with sock_diag */
	enum ktlsd_mode rx_mode;
	/* The key exchange group (IANA number, e.g. 0x001d x25519) and the
	 * signature scheme ktlsd's side signed with (e.g. 0x0403
	 * ecdsa_secp256r1_sha256, 0x0804 rsa_pss_rsae_sha256); TLS 1.3 only,
	 * 0 for TLS 1.2. */
	uint16_t group;
	uint16_t signature_scheme;
	int resumed;			/* 1: the session was resumed */
};

/*
 * ktlsd_handshake: give @fd (a connected TCP socket) to the daemon listening
 * on @socket_path (NULL: KTLSD_SOCKET_PATH), which runs the TLS handshake on
 * it and installs kTLS for both directions. Waits at most @timeout_ms
 * (negative: no limit). @res is always filled.
 *
 * Returns 0 on success. On failure returns -1 with errno (= res->status):
 *   EINVAL        a malformed request (role, missing profile, a name too long
 *                 or with characters outside its set), or a profile that
 *                 cannot act in the requested role (its policy, see ktlsd.conf(5))
 *   ENOENT, ECONNREFUSED  no daemon at @socket_path
 *   ETIMEDOUT     no answer within @timeout_ms, or the handshake timed out,
 *                 or no request reached the daemon within its request_timeout
 *   EACCES        the profile does not allow the caller's uid/gid (also for
 *                 any name, existing or not, when no profile allows it)
 *   ESRCH         no such profile (to a caller some profile allows)
 *   ENOTSOCK, ENOTCONN, EPROTONOSUPPORT  @fd is not a connected TCP socket
 *   ENOPROTOOPT   the kernel has no TLS (module tls missing)
 *   EBUSY         the daemon has as many handshakes in flight as it allows,
 *                 overall or for the caller's uid (max_handshakes_per_uid),
 *                 or is not accepting connections now (its backlog is full)
 *   ECONNRESET    the peer reset the connection; or the daemon's process
 *                 ended before it read the request (a worker that died, a
 *                 daemon stopping with the request still queued): then @fd
 *                 never reached it and is as it was given (retry).
 *                 res->message tells which
 *   ECONNABORTED  the peer closed the connection during the handshake
 *   EKEYREJECTED  the peer's certificate was rejected (see tls_error)
 *   EKEYEXPIRED   the peer's certificate has expired or is not yet valid
 *   ENOKEY        the peer sent no certificate where one is required
 *   EPROTO        any other TLS failure (see tls_error, alert_*)
 *   ECANCELED, ESHUTDOWN  the hand-off was cancelled, or the daemon stopped
 *   EIO           the daemon's process that held the hand-off ended without
 *                 answering (a worker that crashed or was killed; the daemon
 *                 starts it again): the handshake may have begun, so the
 *                 peer got a fatal internal_error alert where it could and
 *                 the connection was shut down: close @fd
 *   EMFILE        the daemon was out of descriptors and could not take @fd (retry)
 *   EPERM         what listens at @socket_path is not ktlsd: it runs as neither
 *                 root, nor KTLSD_USER, nor our own uid (@fd was not sent)
 *   EBADMSG       the daemon's answer was malformed, or it reported success
 *                 but @fd does not carry kTLS in both directions (fail closed:
 *                 never send on it as if it were encrypted; close it)
 *   other         errors of connect/sendmsg/recvmsg on the unix socket
 * A request refused before the handshake began (EINVAL, EACCES, ESRCH, the
 * socket checks, EBUSY) leaves @fd as it was given. Once the handshake has
 * begun, a failure means the peer got a fatal alert (if it could) and the
 * connection was shut down: close @fd.
 */
int ktlsd_handshake(const char *socket_path, int fd,
		    const struct ktlsd_request *req, int timeout_ms,
		    struct ktlsd_result *res);

/*
 * The same hand-off for event loops, in three steps. The context is the
 * caller's; ktlsd_handoff_start() initialises it.
 */
struct ktlsd_handoff {
	int sock;	/* the unix socket to the daemon, -1 when none */
	int fd;		/* our own reference to the TCP socket, to check the result */
};

/*
 * Send the request and @fd to the daemon; never blocks. Returns 0, or -1
 * with errno EINVAL, ENOENT, ECONNREFUSED, EPERM, EBUSY (see
 * ktlsd_handshake()), or an error
 * of socket/connect/fcntl/sendmsg. The context keeps its own duplicate of
 * @fd until finish or cancel, to check the outcome on: if the caller has
 * closed its @fd by then, that close is the socket's last (and its
 * SO_LINGER applies there).
 * The caller may close its @fd copy at once or keep using it after finish.
 */
int ktlsd_handoff_start(struct ktlsd_handoff *h, const char *socket_path,
			int fd, const struct ktlsd_request *req);

/* The descriptor to poll for POLLIN; -1 if no hand-off is in progress. */
int ktlsd_handoff_fd(const struct ktlsd_handoff *h);

/*
 * Collect the answer. Returns -1 with errno EAGAIN while the daemon is still
 * working (poll again); otherwise as ktlsd_handshake(), and the hand-off is
 * over (the context's socket is closed).
 */
int ktlsd_handoff_finish(struct ktlsd_handoff *h, struct ktlsd_result *res);

/* Abandon a hand-off in progress; the daemon stops its handshake. */
void ktlsd_handoff_cancel(struct ktlsd_handoff *h);

/*
 * A channel: one connection to the daemon carrying hand-offs one after
 * another, where ktlsd_handoff_start() opens one per hand-off. It saves both
 * sides a connect, a credentials check and two closes a hand-off. One
 * hand-off at a time on a channel: an application with several in flight
 * keeps a channel for each (a pool). The context is the caller's.
 *
 * The worker that accepted the connection serves all its hand-offs. Between
 * them a channel counts as a connection waiting for its request (against
 * max_handshakes_per_uid, and the worker's max_handshakes); during one, as a
 * handshake. The daemon ends an idle channel when that worker retires (a
 * reload) or stops, when a new connection needs its slot (the caller's own
 * at its limit, anyone's at the worker's), and keeps none past those limits
 * after an answer: the next ktlsd_channel_start() then opens a new
 * connection by itself.
 */
struct ktlsd_channel {
	int sock;		/* the unix connection to the daemon, -1 when none */
	int fd;			/* our reference to the TCP socket in hand, -1 when none */
	char path[108];		/* where the daemon listens */
};

/*
 * Set up @ch for the daemon at @socket_path (NULL: KTLSD_SOCKET_PATH); no
 * connection yet. Returns 0, or -1 with errno ENAMETOOLONG.
 */
int ktlsd_channel_init(struct ktlsd_channel *ch, const char *socket_path);

/*
 * Send the request and @fd on the channel; never blocks. Returns 0 when the
 * channel's connection carried it, 1 when a new connection was opened for it
 * (the first time, or after the daemon let go of the old one): the
 * descriptor to poll is new (ktlsd_channel_fd()). Or -1 with errno as
 * ktlsd_handoff_start(), or EALREADY (a hand-off is in progress on @ch).
 * The context keeps its own duplicate of @fd until finish or cancel, as
 * ktlsd_handoff_start() does.
 */
int ktlsd_channel_start(struct ktlsd_channel *ch, int fd, const struct ktlsd_request *req);

/* The descriptor to poll for POLLIN; -1 if no hand-off is in progress. */
int ktlsd_channel_fd(const struct ktlsd_channel *ch);

/*
 * Collect the answer: as ktlsd_handoff_finish() (EAGAIN: poll again). After
 * an answer, success or failure, the connection stays for the next
 * hand-off; after anything else (ECONNRESET, EIO, EBADMSG of a malformed
 * answer, an error of recv) it is closed. ECONNRESET also comes when the
 * daemon let go of the idle connection as the request crossed it: @fd
 * never reached it, start again.
 */
int ktlsd_channel_finish(struct ktlsd_channel *ch, struct ktlsd_result *res);

/*
 * Abandon the hand-off in progress, if any; the daemon stops its handshake.
 * The connection is closed (that is how the daemon learns): the next start
 * opens another.
 */
void ktlsd_channel_cancel(struct ktlsd_channel *ch);

/* Close the channel's connection, cancelling a hand-off in progress. @ch may be started again. */
void ktlsd_channel_close(struct ktlsd_channel *ch);

/*
 * ktlsd_handshake() on a channel: start, wait at most @timeout_ms, finish.
 * A request the daemon let go of unread on a kept connection (ECONNRESET) is
 * sent once more on a new one, which may wait @timeout_ms again. Errors as
 * ktlsd_handshake(), and EALREADY.
 */
int ktlsd_channel_handshake(struct ktlsd_channel *ch, int fd, const struct ktlsd_request *req,
			    int timeout_ms, struct ktlsd_result *res);

/*
 * After the hand-off.
 *
 * ktlsd_recv: read application data from a kTLS socket, handling the other
 * records the peer may send. Returns the number of bytes read, 0 at the end
 * of the stream, or -1 with errno:
 *   EPROTO    the peer sent a fatal alert; its description in *@alert
 *   EBADMSG   a record failed authentication (a bad_record_mac alert has
 *             been sent), or a record or message the version does not allow
 *             after the handshake (an unexpected_message or decode_error
 *             alert has been sent)
 *   EMSGSIZE  a record longer than TLS allows (a record_overflow alert has
 *             been sent)
 *   EKEYEXPIRED  TLS 1.3: the peer updated its traffic key (KeyUpdate), and
 *             this kernel cannot take a new key (Linux before 6.14 refuses a
 *             second TLS_RX): its next record could not be read. An
 *             internal_error alert has been sent; nothing was lost before it.
 *   EINVAL    @len is 0
 *   other     errors of recvmsg (EAGAIN on a non-blocking socket, EINTR,
 *             ECONNRESET, ETIMEDOUT, ...)
 * After EPROTO, EBADMSG, EMSGSIZE and EKEYEXPIRED the connection is dead:
 * close it.
 * @alert, if not NULL, is set on every call: to -1, or to the description of
 * the alert that ended the stream. At the end of the stream (0) it tells the
 * two ends apart: KTLSD_ALERT_CLOSE_NOTIFY (0) when the peer closed properly,
 * -1 when TCP ended without close_notify (the data may have been truncated
 * by an attacker: RFC 5246 §7.2.1; a caller that cares treats it as an error).
 * TLS 1.2: warning alerts are skipped; a handshake record (HelloRequest, a
 * new ClientHello) is answered with a no_renegotiation warning and skipped.
 * TLS 1.3: every alert but close_notify and user_canceled is fatal; a
 * NewSessionTicket is skipped (ktlsd, as a client, keeps the tickets that
 * come right after the handshake itself, before the hand-off; later ones
 * reach no one); a post-handshake message split across records is refused
 * (EBADMSG).
 *
 * Rekeying (for kernels that can): the traffic secrets a KeyUpdate needs
 * stay in ktlsd's memory only for the handshake and are wiped with it; the
 * kernel holds keys, not secrets. Following KeyUpdates will hand the two
 * application traffic secrets to the application in a caller-allocated
 * session context, so that no daemon has to keep per-connection state for
 * the connection's lifetime, and no secret crosses back unless asked for.
 * @flags are recvmsg's (MSG_DONTWAIT, MSG_WAITALL).
 */
ssize_t ktlsd_recv(int fd, void *buf, size_t len, int flags, int *alert);

/* TLS alert levels and the descriptions libktlsd uses by name. */
#define KTLSD_ALERT_WARNING		1
#define KTLSD_ALERT_FATAL		2
#define KTLSD_ALERT_CLOSE_NOTIFY	0
#define KTLSD_ALERT_UNEXPECTED_MESSAGE	10
#define KTLSD_ALERT_BAD_RECORD_MAC	20
#define KTLSD_ALERT_RECORD_OVERFLOW	22
#define KTLSD_ALERT_NO_RENEGOTIATION	100

/*
 * Send one alert record on a kTLS socket (TLS_SET_RECORD_TYPE). Returns 0,
 * or -1 with errno EINVAL (level not 1 or 2) or an error of sendmsg.
 */
int ktlsd_send_alert(int fd, int level, int description);

/* Send close_notify: the end of what we send. As ktlsd_send_alert(). */
int ktlsd_send_close_notify(int fd);

/* The short name of an alert description ("unknown_ca"), or "unknown". */
const char *ktlsd_alert_name(int description);

/* The name of a mode ("sw", "hw", ...). */
const char *ktlsd_mode_name(enum ktlsd_mode mode);

#ifdef __cplusplus
}
#endif
#endif
