// SPDX-License-Identifier: GPL-2.0
/*
 * flight_peer: a GnuTLS peer whose last handshake flight and first
 * application record leave in one send(), so they reach ktlsd together.
 *
 *   flight_peer --client PORT --priority P --ca CA FILE
 *	connects to 127.0.0.1:PORT with False Start: ClientKeyExchange, CCS,
 *	Finished and the first record of FILE go out before the server's
 *	Finished has come back. TLS 1.3 needs no False Start: its Finished
 *	and the first record of FILE go out together.
 *   flight_peer --server PORT --priority P --cert CRT --key KEY FILE
 *	accepts one connection; CCS, Finished and the first record of FILE go
 *	out in one send().
 *
 *   flight_peer --half-close PORT --priority P --ca CA
 *	connects as a client without False Start and, right after its
 *	Finished is sent, shuts its side of TCP down (a FIN in the same flight,
 *	as a client with nothing to say does); then reads the server's Finished,
 *	which must verify (TLS 1.3: it came first; we read until the server
 *	closes). Exit 0 when the handshake completed.
 *
 * Then the rest of FILE, close_notify, and a read until the peer closes
 * (which, for the client, also completes the handshake: the server's
 * Finished must verify). Exit 0 only if all of that worked; the log says
 * how many bytes the first flight held.
 *
 * Writes are held in a buffer and go out only when GnuTLS is about to wait
 * for the peer, or when we flush: that is what puts the flight together.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_RECORD 16384

struct held {
	int fd;
	unsigned char *buf;
	size_t len, cap;
	size_t sends;		/* send() calls that carried held bytes */
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("flight_peer: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Set when the peer's Finished message has been received and checked. */
static int peer_finished;
/* Set once our own Finished is written (held), for --half-close. */
static int own_finished;
static int half_close;

static int on_finished(gnutls_session_t s, unsigned int htype, unsigned int when,
		       unsigned int incoming, const gnutls_datum_t *msg)
{
	(void)s;
	(void)msg;
	if (htype == GNUTLS_HANDSHAKE_FINISHED && when == GNUTLS_HOOK_POST && incoming)
		peer_finished = 1;
	if (htype == GNUTLS_HANDSHAKE_FINISHED && when == GNUTLS_HOOK_POST && !incoming)
		own_finished = 1;
	return 0;
}

static void gnutls_check(int rc, const char *what)
{
	if (rc < 0)
		die("%s: %s", what, gnutls_strerror(rc));
}

static int flush_held(struct held *h)
{
	size_t off = 0;

	if (!h->len)
		return 0;
	while (off < h->len) {
		ssize_t n = send(h->fd, h->buf + off, h->len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	h->len = 0;
	h->sends++;
	return 0;
}

static ssize_t push_held(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct held *h = ptr;

	if (h->len + len > h->cap) {
		size_t cap = (h->len + len) * 2;
		unsigned char *buf = realloc(h->buf, cap);

		if (!buf) {
			errno = ENOMEM;
			return -1;
		}
		h->buf = buf;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, data, len);
	h->len += len;
	return (ssize_t)len;
}

/* About to wait for the peer: what we hold must be on its way first. */
static ssize_t pull_flushing(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct held *h = ptr;

	if (flush_held(h) < 0)
		return -1;
	/* Our Finished is on the wire: the FIN follows it at once. */
	if (half_close == 1 && own_finished) {
		if (shutdown(h->fd, SHUT_WR) < 0)
			return -1;
		half_close = 2;
	}
	return recv(h->fd, data, len, 0);
}

static int connect_local(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("connect 127.0.0.1:%d: %s", port, strerror(errno));
	return fd;
}

static int accept_one(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0)
		die("listen 127.0.0.1:%d: %s", port, strerror(errno));
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	close(lfd);
	return fd;
}

static void send_all(gnutls_session_t s, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = gnutls_record_send(s, p, len);

		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		gnutls_check((int)n, "record_send");
		p += n;
		len -= (size_t)n;
	}
}

/* Read until close_notify or EOF; the peer is not expected to send data. */
static void drain(gnutls_session_t s)
{
	char buf[4096];

	for (;;) {
		ssize_t n = gnutls_record_recv(s, buf, sizeof(buf));

		if (n == 0)
			return;
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		gnutls_check((int)n, "record_recv");
		die("the peer sent %zd bytes of data; it should only receive", n);
	}
}

static unsigned char *load(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);
	size_t off = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %s", path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die("%s: out of memory", path);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n <= 0)
			die("%s: short read", path);
		off += (size_t)n;
	}
	close(fd);
	*len = off;
	return buf;
}

static void usage(void)
{
	fputs("usage: flight_peer --client PORT --priority P --ca CA FILE\n"
	      "       flight_peer --half-close PORT --priority P --ca CA\n"
	      "       flight_peer --server PORT --priority P --cert CRT --key KEY FILE\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *role = NULL, *priority = NULL, *ca = NULL, *cert = NULL, *key = NULL;
	gnutls_certificate_credentials_t cred;
	struct held held = { .fd = -1 };
	gnutls_session_t s;
	size_t len = 0, first, handshake_bytes;
	unsigned char *data;
	int port = 0, i, rc, tls13;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--half-close")) {
			role = "client";
			half_close = 1;
			port = atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--client") || !strcmp(argv[i], "--server")) {
			role = argv[i] + 2;
			port = atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--priority")) {
			priority = argv[i + 1];
		} else if (!strcmp(argv[i], "--ca")) {
			ca = argv[i + 1];
		} else if (!strcmp(argv[i], "--cert")) {
			cert = argv[i + 1];
		} else if (!strcmp(argv[i], "--key")) {
			key = argv[i + 1];
		} else {
			break;
		}
	}
	if (i != argc - !half_close || !role || port <= 0 || !priority)
		usage();
	if (!strcmp(role, "client") ? !ca : (!cert || !key))
		usage();
	data = half_close ? NULL : load(argv[i], &len);

	gnutls_check(gnutls_certificate_allocate_credentials(&cred), "credentials");
	if (ca)
		gnutls_check(gnutls_certificate_set_x509_trust_file(cred, ca, GNUTLS_X509_FMT_PEM), ca);
	if (cert)
		gnutls_check(gnutls_certificate_set_x509_key_file(cred, cert, key, GNUTLS_X509_FMT_PEM),
			     cert);

	if (!strcmp(role, "client")) {
		gnutls_check(gnutls_init(&s, GNUTLS_CLIENT |
					 (half_close ? 0 : GNUTLS_ENABLE_FALSE_START)), "init");
		gnutls_check(gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9), "SNI");
		gnutls_session_set_verify_cert(s, "localhost", 0);
		held.fd = connect_local(port);
	} else {
		gnutls_check(gnutls_init(&s, GNUTLS_SERVER), "init");
		held.fd = accept_one(port);
	}
	gnutls_check(gnutls_priority_set_direct(s, priority, NULL), "priority");
	gnutls_check(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred), "credentials");
	gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_FINISHED, GNUTLS_HOOK_POST,
					   on_finished);
	gnutls_transport_set_ptr(s, &held);
	gnutls_transport_set_push_function(s, push_held);
	gnutls_transport_set_pull_function(s, pull_flushing);

	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && !gnutls_error_is_fatal(rc));
	gnutls_check(rc, "handshake");
	tls13 = gnutls_protocol_get_version(s) == GNUTLS_TLS1_3;
	/*
	 * TLS 1.3: the client's Finished ends its handshake, nothing is read
	 * after it: the FIN goes now, then we read until the server closes
	 * (its ticket, if any, on the way).
	 */
	if (half_close == 1 && tls13 && own_finished) {
		char sink[4096];

		if (flush_held(&held) < 0 || shutdown(held.fd, SHUT_WR) < 0)
			die("half-close: %s", strerror(errno));
		half_close = 2;
		while (gnutls_record_recv(s, sink, sizeof(sink)) > 0)
			;
	}
	if (half_close) {
		if (half_close != 2 || !peer_finished)
			die("the handshake ended before the half-close was done");
		fprintf(stderr, "handshake complete after our FIN\n");
		gnutls_deinit(s);
		gnutls_certificate_free_credentials(cred);
		close(held.fd);
		free(held.buf);
		return 0;
	}
	/* In TLS 1.3 the client's Finished is its last flight anyway. */
	if (!strcmp(role, "client") && !tls13 &&
	    !(gnutls_session_get_flags(s) & GNUTLS_SFLAGS_FALSE_START))
		die("GnuTLS did not use False Start with %s", priority);

	/* What is held now is our last handshake flight: add the first record. */
	handshake_bytes = held.len;
	if (!handshake_bytes)
		die("no handshake bytes held back: the flight cannot be joined");
	first = len < FIRST_RECORD ? len : FIRST_RECORD;
	send_all(s, data, first);
	fprintf(stderr, "first flight: %zu bytes in one send (%zu handshake, %zu data)\n",
		held.len, handshake_bytes, first);
	if (flush_held(&held) < 0)
		die("send: %s", strerror(errno));

	for (size_t off = first; off < len; off += FIRST_RECORD) {
		send_all(s, data + off, len - off < FIRST_RECORD ? len - off : FIRST_RECORD);
		if (flush_held(&held) < 0)
			die("send: %s", strerror(errno));
	}
	do {
		rc = gnutls_bye(s, GNUTLS_SHUT_WR);
	} while (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED);
	gnutls_check(rc, "bye");
	if (flush_held(&held) < 0)
		die("send: %s", strerror(errno));
	drain(s);
	/* False Start leaves the server's Finished to be read after our data. */
	if (!peer_finished)
		die("the peer's Finished never arrived");
	fprintf(stderr, "sent %zu bytes, close_notify, peer closed\n", len);

	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
	close(held.fd);
	free(held.buf);
	free(data);
	return 0;
}
