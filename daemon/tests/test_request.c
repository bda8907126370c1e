// SPDX-License-Identifier: GPL-2.0-or-later
/* Requests are untrusted: every malformed one gets its own errno. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "request.h"
#include "tap.h"

static struct ktlsd_wire_request good(void)
{
	struct ktlsd_wire_request w;

	memset(&w, 0, sizeof(w));
	w.magic = KTLSD_WIRE_MAGIC;
	w.version = KTLSD_WIRE_VERSION;
	w.role = KTLSD_ROLE_SERVER;
	strcpy(w.profile, "web");
	strcpy(w.server_name, "example.test");
	strcpy(w.alpn, "h2");
	return w;
}

static int parse(const struct ktlsd_wire_request *w, size_t len, size_t nfds, int ctrunc)
{
	int fds[2] = { 10, 11 };
	struct request_in in = { w, len, ctrunc, fds, nfds };
	struct ktlsd_wire_request out;
	char err[128] = "";
	int rc = request_parse(&in, &out, err, sizeof(err));

	if (rc && !err[0])
		return -1;	/* every refusal must say why */
	return rc;
}

static void test_parse(void)
{
	struct ktlsd_wire_request w = good();

	ok(parse(&w, sizeof(w), 1, 0) == 0, "a well-formed request is accepted");
	ok(parse(&w, sizeof(w), 0, 0) == EBADF, "no descriptor: EBADF");
	ok(parse(&w, sizeof(w), 2, 0) == EBADF, "two descriptors: EBADF");
	ok(parse(&w, sizeof(w), 1, 1) == EMFILE, "descriptors cut off (MSG_CTRUNC): EMFILE");
	ok(parse(&w, sizeof(w), 0, 1) == EMFILE, "the only descriptor cut off: EMFILE, not EBADF");
	ok(parse(&w, sizeof(w) - 1, 1, 0) == EMSGSIZE, "one byte short: EMSGSIZE");
	ok(parse(&w, sizeof(w) + 1, 1, 0) == EMSGSIZE, "one byte long: EMSGSIZE");
	ok(parse(&w, 3, 1, 0) == EMSGSIZE, "three bytes: EMSGSIZE");
	w.magic ^= 1;
	ok(parse(&w, sizeof(w), 1, 0) == EBADMSG, "bad magic: EBADMSG");
	w = good();
	w.version = KTLSD_WIRE_VERSION_CHANNEL;
	ok(parse(&w, sizeof(w), 1, 0) == 0, "a channel's request (version 3) is accepted");
	w.version = KTLSD_WIRE_VERSION_CHANNEL + 1;
	ok(parse(&w, sizeof(w), 1, 0) == EPROTONOSUPPORT, "unknown version: EPROTONOSUPPORT");
	w.version = KTLSD_WIRE_VERSION - 1;
	ok(parse(&w, sizeof(w), 1, 0) == EPROTONOSUPPORT, "version 1: EPROTONOSUPPORT");
	w = good();
	w.role = 3;
	ok(parse(&w, sizeof(w), 1, 0) == EBADMSG, "unknown role: EBADMSG");
	w = good();
	memset(w.server_name, 'a', sizeof(w.server_name));
	ok(parse(&w, sizeof(w), 1, 0) == EBADMSG, "server name without its NUL: EBADMSG");
	w = good();
	memset(w.profile, 'p', sizeof(w.profile));
	ok(parse(&w, sizeof(w), 1, 0) == EBADMSG, "profile without its NUL: EBADMSG");
	w = good();
	memset(w.alpn, 'h', sizeof(w.alpn));
	ok(parse(&w, sizeof(w), 1, 0) == EBADMSG, "ALPN list without its NUL: EBADMSG");
	w = good();
	w.profile[0] = 0;
	ok(parse(&w, sizeof(w), 1, 0) == EINVAL, "empty profile name: EINVAL");
	/* Nothing that could forge a log line or drive a terminal is accepted. */
	w = good();
	strcpy(w.profile, "web\nktlsd: profile admin, TLS 1.2");
	ok(parse(&w, sizeof(w), 1, 0) == EINVAL, "a newline in the profile name: EINVAL");
	w = good();
	strcpy(w.profile, "\033[2Jweb");
	ok(parse(&w, sizeof(w), 1, 0) == EINVAL, "a terminal escape in the profile name: EINVAL");
	w = good();
	strcpy(w.profile, "web profile");
	ok(parse(&w, sizeof(w), 1, 0) == EINVAL, "a space in the profile name: EINVAL");
	w = good();
	strcpy(w.server_name, "example.test\r\n");
	ok(parse(&w, sizeof(w), 1, 0) == EINVAL, "CR LF in the server name: EINVAL");
	w = good();
	strcpy(w.server_name, "xn--bcher-kva.example_1.test");
	ok(parse(&w, sizeof(w), 1, 0) == 0, "an IDNA name with '_' is accepted");
	w = good();
	strcpy(w.server_name, "2001:db8::1");
	ok(parse(&w, sizeof(w), 1, 0) == 0, "an IPv6 literal is accepted");
	w = good();
	strcpy(w.alpn, "h2,\x7fhttp/1.1");
	ok(parse(&w, sizeof(w), 1, 0) == EINVAL, "DEL in the ALPN list: EINVAL");
	w = good();
	strcpy(w.alpn, "h2, http/1.1");
	ok(parse(&w, sizeof(w), 1, 0) == 0, "an ALPN list with a space after the comma is accepted");
}

static int check(int fd)
{
	char err[128];
	int rc = request_check_socket(fd, err, sizeof(err));

	close(fd);
	return rc;
}

static void test_sockets(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int p[2], lfd, cfd, sfd, sv[2];

	ok(pipe(p) == 0 && check(p[0]) == ENOTSOCK, "a pipe: ENOTSOCK");
	close(p[1]);
	ok(check(open("/dev/null", O_RDONLY)) == ENOTSOCK, "a character device: ENOTSOCK");
	ok(pipe(p) == 0 && check(p[1]) == ENOTSOCK, "a pipe's write end: ENOTSOCK");
	close(p[0]);
	ok(check(socket(AF_INET, SOCK_DGRAM, 0)) == EPROTONOSUPPORT, "a UDP socket: EPROTONOSUPPORT");
	ok(check(socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)) == EPROTONOSUPPORT,
	   "a UDP socket over IPv6: EPROTONOSUPPORT");
	/* Protocol 6 too, but raw: root (as this test runs) may make one. */
	ok(check(socket(AF_INET, SOCK_RAW, IPPROTO_TCP)) == EPROTONOSUPPORT,
	   "a raw IPv4 socket of protocol TCP: EPROTONOSUPPORT");
	ok(check(socket(AF_INET6, SOCK_RAW, IPPROTO_TCP)) == EPROTONOSUPPORT,
	   "a raw IPv6 socket of protocol TCP: EPROTONOSUPPORT");
	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && check(sv[0]) == EPROTONOSUPPORT,
	   "a unix stream socket: EPROTONOSUPPORT");
	close(sv[1]);
	ok(check(socket(AF_INET6, SOCK_STREAM, 0)) == ENOTCONN, "an unconnected TCP socket: ENOTCONN");

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	bind(lfd, (struct sockaddr *)&addr, sizeof(addr));
	listen(lfd, 1);
	getsockname(lfd, (struct sockaddr *)&addr, &len);
	ok(check(dup(lfd)) == ENOTCONN, "a listening TCP socket: ENOTCONN");
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	connect(cfd, (struct sockaddr *)&addr, sizeof(addr));
	sfd = accept(lfd, NULL, NULL);
	ok(check(cfd) == 0 && check(sfd) == 0, "both ends of a connected TCP pair are accepted");
	close(lfd);
}

int main(void)
{
	test_parse();
	test_sockets();
	return done();
}
