// SPDX-License-Identifier: GPL-2.0-or-later
/* ktlscat: netcat over kernel TLS, with the handshake done by ktlsd. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktlsd.h"

enum exit_code { EXIT_OK = 0, EXIT_TLS = 1, EXIT_USAGE = 2, EXIT_IO = 3 };
enum mode { MODE_STDIO, MODE_SENDFILE, MODE_SEND, MODE_ECHO };

struct opts {
	const char *socket_path;
	const char *profile;
	const char *server_name;
	const char *alpn;
	const char *bind_addr;
	const char *file;
	const char *host, *port;
	enum mode mode;
	int listen, once, verbose, timeout_ms, bufsize, no_stdin;
	size_t write_min, write_max;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ktlscat -l PORT -p PROFILE [--sendfile FILE | --send FILE | --echo] [options]\n"
		"       ktlscat -p PROFILE [--name SNI] [--alpn LIST] [--send FILE] HOST PORT\n"
		"\n"
		"netcat over kernel TLS: the TLS handshake is done by ktlsd, the records by\n"
		"the kernel. Server role with -l (connections served one after another), client\n"
		"role otherwise. Without --sendfile, --send or --echo, copies stdin to the peer\n"
		"and the peer to stdout.\n"
		"\n"
		"  -l, --listen PORT     accept connections on PORT (server role)\n"
		"  -b, --bind ADDR       listen on ADDR (default: all)\n"
		"  -p, --profile NAME    ktlsd profile (required)\n"
		"  -n, --name NAME       client: SNI to send and name to verify\n"
		"  -a, --alpn LIST       client: ALPN protocols to offer (comma-separated)\n"
		"      --sendfile FILE   send FILE with sendfile(2), then close_notify\n"
		"      --send FILE       send FILE with write(2), then close_notify\n"
		"      --echo            server: send back what arrives\n"
		"      --once            server: exit after one connection\n"
		"  -d, --no-stdin        do not read stdin: only receive, until the peer closes\n"
		"      --write-sizes MIN-MAX  write(2) sizes, varied with a fixed seed\n"
		"      --bufsize BYTES   SO_SNDBUF and SO_RCVBUF of the TCP socket\n"
		"  -S, --socket PATH     ktlsd's socket (default " KTLSD_SOCKET_PATH ")\n"
		"  -t, --timeout MS      hand-off time limit (default 30000)\n"
		"  -v, --verbose         print the hand-off result on stderr\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 ok, 1 TLS handshake failed, 2 usage, 3 I/O error or fatal alert\n"
		"after the hand-off.\n");
}

static int parse_sizes(const char *arg, size_t *min, size_t *max)
{
	char *end;

	*min = strtoul(arg, &end, 10);
	if (*end != '-' || *min == 0)
		return -1;
	*max = strtoul(end + 1, &end, 10);
	return *end || *max < *min ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_SENDFILE = 256, OPT_SEND, OPT_ECHO, OPT_ONCE, OPT_SIZES, OPT_BUFSIZE };
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "bind", required_argument, NULL, 'b' },
		{ "profile", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "alpn", required_argument, NULL, 'a' },
		{ "socket", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-stdin", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "sendfile", required_argument, NULL, OPT_SENDFILE },
		{ "send", required_argument, NULL, OPT_SEND },
		{ "echo", no_argument, NULL, OPT_ECHO },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "write-sizes", required_argument, NULL, OPT_SIZES },
		{ "bufsize", required_argument, NULL, OPT_BUFSIZE },
		{ 0 },
	};
	int opt;

	*o = (struct opts){ .socket_path = KTLSD_SOCKET_PATH, .timeout_ms = 30000,
			    .write_min = 65536, .write_max = 65536 };
	while ((opt = getopt_long(argc, argv, "l:b:p:n:a:S:t:vdh", options, NULL)) != -1) {
		switch (opt) {
		case 'l': o->listen = 1; o->port = optarg; break;
		case 'b': o->bind_addr = optarg; break;
		case 'p': o->profile = optarg; break;
		case 'n': o->server_name = optarg; break;
		case 'a': o->alpn = optarg; break;
		case 'S': o->socket_path = optarg; break;
		case 't': o->timeout_ms = atoi(optarg); break;
		case 'v': o->verbose = 1; break;
		case 'd': o->no_stdin = 1; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		case OPT_SENDFILE: o->mode = MODE_SENDFILE; o->file = optarg; break;
		case OPT_SEND: o->mode = MODE_SEND; o->file = optarg; break;
		case OPT_ECHO: o->mode = MODE_ECHO; break;
		case OPT_ONCE: o->once = 1; break;
		case OPT_SIZES:
			if (parse_sizes(optarg, &o->write_min, &o->write_max) < 0) {
				fprintf(stderr, "ktlscat: --write-sizes '%s': expected MIN-MAX\n", optarg);
				return -1;
			}
			break;
		case OPT_BUFSIZE: o->bufsize = atoi(optarg); break;
		default: return -1;
		}
	}
	if (!o->profile) {
		fprintf(stderr, "ktlscat: -p PROFILE is required\n");
		return -1;
	}
	if (!o->listen) {
		if (argc - optind != 2) {
			fprintf(stderr, "ktlscat: client role needs HOST PORT\n");
			return -1;
		}
		o->host = argv[optind];
		o->port = argv[optind + 1];
		if (o->mode == MODE_ECHO) {
			fprintf(stderr, "ktlscat: --echo is for the server role (-l)\n");
			return -1;
		}
	} else if (optind != argc) {
		fprintf(stderr, "ktlscat: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static void set_bufsize(int fd, int size)
{
	if (size > 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
}

static int open_socket(const struct opts *o)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, one = 1, err;

	if (o->listen)
		hints.ai_flags = AI_PASSIVE;
	err = getaddrinfo(o->listen ? o->bind_addr : o->host, o->port, &hints, &res);
	if (err) {
		fprintf(stderr, "ktlscat: %s:%s: %s\n", o->listen ? (o->bind_addr ? o->bind_addr : "*") : o->host,
			o->port, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		set_bufsize(fd, o->bufsize);
		if (o->listen) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0)
				break;
		} else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			break;
		}
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	if (fd < 0)
		fprintf(stderr, "ktlscat: %s %s:%s: %s\n", o->listen ? "listen on" : "connect to",
			o->listen ? (o->bind_addr ? o->bind_addr : "*") : o->host, o->port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

static void print_result(const struct ktlsd_result *r)
{
	fprintf(stderr, "ktlscat: handshake: TLS %u.%u %s (0x%04x)\n",
		(r->version >> 8) - 2, (r->version & 0xff) - 1, r->cipher_name, r->cipher_suite);
	fprintf(stderr, "ktlscat:   kTLS tx %s, rx %s\n", ktlsd_mode_name(r->tx_mode),
		ktlsd_mode_name(r->rx_mode));
	if (r->group || r->signature_scheme)
		fprintf(stderr, "ktlscat:   group 0x%04x, signature scheme 0x%04x\n", r->group,
			r->signature_scheme);
	if (r->resumed)
		fprintf(stderr, "ktlscat:   resumed\n");
	if (r->alpn[0])
		fprintf(stderr, "ktlscat:   alpn %s\n", r->alpn);
	if (r->server_name[0])
		fprintf(stderr, "ktlscat:   server name %s\n", r->server_name);
	if (r->peer_subject[0] || r->peer_san[0])
		fprintf(stderr, "ktlscat:   peer CN=%s DNS=%s (%s)\n", r->peer_subject, r->peer_san,
			r->peer_verified ? "verified" : "not verified");
}

static void print_failure(const struct ktlsd_result *r)
{
	fprintf(stderr, "ktlscat: handshake failed: %s [%s", r->message, strerror(r->status));
	if (r->tls_error)
		fprintf(stderr, ", %s", r->tls_error_name);
	if (r->alert_sent >= 0)
		fprintf(stderr, ", sent alert %s", ktlsd_alert_name(r->alert_sent));
	if (r->alert_received >= 0)
		fprintf(stderr, ", received alert %s", ktlsd_alert_name(r->alert_received));
	fprintf(stderr, "]\n");
}

static int hand_off(int fd, const struct opts *o)
{
	struct ktlsd_request req = {
		.role = o->listen ? KTLSD_ROLE_SERVER : KTLSD_ROLE_CLIENT,
		.profile = o->profile,
		.server_name = o->server_name,
		.alpn = o->alpn,
	};
	struct ktlsd_result res;

	if (ktlsd_handshake(o->socket_path, fd, &req, o->timeout_ms, &res) < 0) {
		print_failure(&res);
		return -1;
	}
	if (o->verbose)
		print_result(&res);
	return 0;
}

/* Writes of varied sizes, so records and segments never line up. */
static int write_all(int fd, const char *buf, size_t len, const struct opts *o, uint32_t *rng)
{
	while (len) {
		size_t want = o->write_min;
		ssize_t n;

		if (o->write_max > o->write_min) {
			*rng = *rng * 1103515245u + 12345u;
			want += (*rng >> 8) % (o->write_max - o->write_min + 1);
		}
		if (want > len)
			want = len;
		n = write(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_file(int fd, const struct opts *o)
{
	int in = open(o->file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint32_t rng = 1;
	int rc = 0;

	if (in < 0 || fstat(in, &st) < 0) {
		fprintf(stderr, "ktlscat: %s: %s\n", o->file, strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	if (o->mode == MODE_SENDFILE) {
		off_t off = 0;

		while (off < st.st_size) {
			ssize_t n = sendfile(fd, in, &off, (size_t)(st.st_size - off));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fprintf(stderr, "ktlscat: sendfile: %s\n", n < 0 ? strerror(errno) : "file shrank");
				rc = -1;
				break;
			}
		}
	} else {
		char *buf = malloc(1 << 20);
		ssize_t n;

		while (buf && (n = read(in, buf, 1 << 20)) > 0)
			if (write_all(fd, buf, (size_t)n, o, &rng) < 0) {
				fprintf(stderr, "ktlscat: write: %s\n", strerror(errno));
				rc = -1;
				break;
			}
		free(buf);
	}
	close(in);
	return rc;
}

static void report_recv_error(int alert)
{
	if (errno == EPROTO)
		fprintf(stderr, "ktlscat: peer sent fatal alert %s\n", ktlsd_alert_name(alert));
	else
		fprintf(stderr, "ktlscat: read: %s\n", strerror(errno));
}

/* Read until the peer's close_notify (or TCP EOF); copy to @out if >= 0. */
static int drain(int fd, int out, int echo, const struct opts *o)
{
	char buf[65536];
	uint32_t rng = 7;

	for (;;) {
		int alert = -1;
		ssize_t n = ktlsd_recv(fd, buf, sizeof(buf), 0, &alert);

		if (n == 0)
			return 0;
		if (n < 0) {
			report_recv_error(alert);
			return -1;
		}
		if (out >= 0 && write_all(out, buf, (size_t)n, o, &rng) < 0) {
			fprintf(stderr, "ktlscat: write: %s\n", strerror(errno));
			return -1;
		}
		if (echo && write_all(fd, buf, (size_t)n, o, &rng) < 0) {
			fprintf(stderr, "ktlscat: echo: %s\n", strerror(errno));
			return -1;
		}
	}
}

static void end_of_input(int fd, const struct opts *o, ssize_t n)
{
	if (o->verbose)
		fprintf(stderr, "ktlscat: end of stdin (%s): sending close_notify\n",
			n < 0 ? strerror(errno) : "EOF");
	ktlsd_send_close_notify(fd);
	shutdown(fd, SHUT_WR);
}

/*
 * stdin to the peer, the peer to stdout, until the peer closes. Sends never
 * block while the peer has something for us: a peer that echoes would
 * otherwise wait on us while we wait on it.
 */
static int copy_stdio(int fd, const struct opts *o)
{
	static char in[65536], buf[65536];
	size_t pending = 0, off = 0;
	int stdin_open = 1;
	uint32_t rng = 3;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = stdin_open && !pending ? 0 : -1, .events = POLLIN },
			{ .fd = fd, .events = POLLIN | (pending ? POLLOUT : 0) },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents) {
			ssize_t n = read(0, in, sizeof(in));

			if (n <= 0) {
				stdin_open = 0;
				end_of_input(fd, o, n);
			} else {
				pending = (size_t)n;
				off = 0;
			}
		}
		if (p[1].revents & POLLOUT) {
			size_t want = pending - off;
			ssize_t n;

			if (o->write_max > o->write_min) {
				rng = rng * 1103515245u + 12345u;
				want = o->write_min + (rng >> 8) % (o->write_max - o->write_min + 1);
			} else {
				want = o->write_min;
			}
			if (want > pending - off)
				want = pending - off;
			n = send(fd, in + off, want, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "ktlscat: write: %s\n", strerror(errno));
				return -1;
			}
			if (n > 0 && (off += (size_t)n) == pending)
				pending = off = 0;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			int alert = -1;
			ssize_t n = ktlsd_recv(fd, buf, sizeof(buf), MSG_DONTWAIT, &alert);

			if (n == 0) {
				if (o->verbose)
					fprintf(stderr, "ktlscat: the peer closed the stream\n");
				return 0;
			}
			if (n < 0 && errno != EAGAIN) {
				report_recv_error(alert);
				return -1;
			}
			if (n > 0 && write_all(1, buf, (size_t)n, o, &rng) < 0)
				return -1;
		}
	}
}

/* After the hand-off: the data exchange the mode asks for. */
static int converse(int fd, const struct opts *o)
{
	switch (o->mode) {
	case MODE_SENDFILE:
	case MODE_SEND:
		if (send_file(fd, o) < 0)
			return -1;
		ktlsd_send_close_notify(fd);
		shutdown(fd, SHUT_WR);
		/* Read what the peer still sends (a request, its close_notify):
		 * closing with unread data would reset the connection. */
		return drain(fd, o->listen ? -1 : 1, 0, o);
	case MODE_ECHO:
		if (drain(fd, -1, 1, o) < 0)
			return -1;
		ktlsd_send_close_notify(fd);
		return 0;
	case MODE_STDIO:
		if (o->no_stdin) {
			if (drain(fd, 1, 0, o) < 0)
				return -1;
			/* The peer closed: answer with ours (RFC 5246 7.2.1). */
			ktlsd_send_close_notify(fd);
			return 0;
		}
		return copy_stdio(fd, o);
	}
	return -1;
}

static int serve(int lfd, const struct opts *o)
{
	int status = EXIT_OK;

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ktlscat: accept: %s\n", strerror(errno));
			return EXIT_IO;
		}
		set_bufsize(fd, o->bufsize);
		if (hand_off(fd, o) < 0)
			status = EXIT_TLS;
		else if (converse(fd, o) < 0)
			status = EXIT_IO;
		else
			status = EXIT_OK;
		close(fd);
		if (o->once || o->mode == MODE_STDIO)
			return status;
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	int fd, status;

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = open_socket(&o);
	if (fd < 0)
		return EXIT_IO;
	if (o.listen) {
		status = serve(fd, &o);
	} else if (hand_off(fd, &o) < 0) {
		status = EXIT_TLS;
	} else {
		status = converse(fd, &o) < 0 ? EXIT_IO : EXIT_OK;
	}
	close(fd);
	return status;
}
