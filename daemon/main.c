// SPDX-License-Identifier: GPL-2.0-or-later
/* ktlsd: TLS 1.3 and 1.2 handshakes for other programs' sockets, then kernel TLS. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "config.h"
#include "ec.h"
#include "hash.h"
#include "ecdsa.h"
#include "rsa.h"
#include "log.h"
#include "privilege.h"
#include "supervisor.h"
#include "unixsock.h"

#define DEFAULT_CONFIG "/etc/ktlsd/ktlsd.conf"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ktlsd [-c FILE] [-f] [-v] [-t]\n"
		"\n"
		"Runs TLS 1.3 and 1.2 handshakes on TCP sockets that applications hand over a unix\n"
		"socket, then installs the session keys into kernel TLS.\n"
		"\n"
		"  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
		"  -f, --foreground   stay in the foreground and log to stderr (else syslog)\n"
		"  -v, --verbose      log debugging detail too\n"
		"  -t, --test         check the configuration (and the files it names), then exit\n"
		"  -h, --help         this text\n"
		"\n"
		"See ktlsd(8) and ktlsd.conf(5).\n");
}

/* Each handshake in flight holds two descriptors: allow what the system allows. */
static void raise_fd_limit(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "test", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = DEFAULT_CONFIG;
	int foreground = 0, verbose = 0, test = 0, opt, rc;
	static char abs_path[PATH_MAX];
	struct privilege_result priv;
	struct config *cfg;
	struct supervisor *sup;
	char err[512];

	/*
	 * Private keys and session secrets: no core dump, no ptrace or
	 * /proc/PID/mem by other processes of our uid (root still can).
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (ec_init() < 0) {
		fprintf(stderr, "ktlsd: the elliptic-curve code could not start (libsodium)\n");
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "c:fvth", options, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'v': verbose = 1; break;
		case 't': test = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		perror("ktlsd");
		return 1;
	}
	if (config_load(cfg, path) < 0) {
		fprintf(stderr, "ktlsd: %s\n", cfg->error);
		free(cfg);
		return 1;
	}
	if (test) {
		printf("ktlsd: %s: configuration ok\n", path);
		config_free(cfg);
		free(cfg);
		return 0;
	}
	raise_fd_limit();
	/* Reloads happen after daemon() has moved us to /. */
	if (!realpath(path, abs_path)) {
		fprintf(stderr, "ktlsd: %s: %s\n", path, strerror(errno));
		config_free(cfg);
		free(cfg);
		return 1;
	}
	/* Bind before detaching, so a busy socket is reported to the caller. */
	sup = supervisor_open(cfg, abs_path, err, sizeof(err));
	if (!sup) {
		fprintf(stderr, "ktlsd: %s\n", err);
		config_free(cfg);
		free(cfg);
		return 1;
	}
	/*
	 * Sockets bound (or taken from systemd): give up every privilege but
	 * CAP_NET_ADMIN (privilege.h). Before daemon(), so a failure still
	 * reaches whoever started us; one thread only, as it must be.
	 */
	if (unix_check_inherited(err, sizeof(err)) < 0 ||
	    privilege_drop(cfg, &priv, err, sizeof(err)) < 0) {
		fprintf(stderr, "ktlsd: %s\n", err);
		supervisor_close(sup);
		return 1;
	}
	if (!foreground && daemon(0, 0) < 0) {
		perror("ktlsd: daemon");
		supervisor_close(sup);
		return 1;
	}
	log_init(foreground, verbose);
	privilege_log(cfg, &priv);
	log_msg(LOG_INFO, "listening on %s, control on %s", cfg->socket_path,
		cfg->control_path[0] ? cfg->control_path : "(none)");
	log_msg(LOG_INFO, "elliptic curves: %s; RSA: %s; ECDSA signatures: %s; SHA-256: %s; %u workers",
		ec_impl_name(), rsa_impl_name(), ecdsa_impl_name(), hash_sha256_impl_name(), cfg->workers);
	/* Type=notify: ready now. A no-op without systemd. */
	sd_notify(0, "READY=1");
	rc = supervisor_run(sup);
	supervisor_close(sup);
	return rc;
}
