// SPDX-License-Identifier: GPL-2.0
/* ktlsctl daemon: ask ktlsd on its control socket — status, profiles, reload. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ktlsctl.h"
#include "ktlsd.h"

#define REPLY_MAX (1 << 20)

static void daemon_help(FILE *out)
{
	fputs("usage: ktlsctl daemon [-s SOCKET] status|profiles|reload\n"
	      "\n"
	      "status:   uptime, handshakes by outcome and failure reason, in flight,\n"
	      "          latency percentiles, per-profile counters, and each worker process\n"
	      "          (pid, in flight, restarts) and the key process\n"
	      "profiles: the profiles ktlsd runs with (no secrets)\n"
	      "reload:   read the configuration again; a broken one is refused with its\n"
	      "          FILE:LINE and the running one stays; handshakes in flight go on\n"
	      "-s: the control socket (default " KTLSD_CONTROL_PATH "). Root or the\n"
	      "configured control_group only.\n", out);
}

/* Send @cmd, return the parsed answer; NULL after reporting why (unless @quiet). */
static json_object *ask(const char *path, const char *cmd, int *status, int quiet)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static char reply[REPLY_MAX];
	json_object *answer;
	ssize_t n;
	int fd;

	*status = EXIT_FAIL;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		if (!quiet)
			fail("daemon", "%s: path too long", path);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		if (!quiet)
			fail("daemon", "%s: %s%s", path, strerror(e),
			     e == ECONNREFUSED || e == ENOENT ? " (is ktlsd running?)" :
			     e == EACCES ? " (root or the configured control_group only)" : "");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0) {
		if (!quiet)
			fail("daemon", "%s: send: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	close(fd);
	if (n <= 0) {
		if (!quiet)
			fail("daemon", "%s: %s", path, n ? strerror(errno) : "no answer");
		return NULL;
	}
	reply[n] = 0;
	answer = json_tokener_parse(reply);
	if (!answer) {
		if (!quiet)
			fail("daemon", "%s: the answer is not JSON", path);
		return NULL;
	}
	*status = EXIT_OK;
	return answer;
}

json_object *daemon_ask_quietly(const char *path, const char *cmd)
{
	json_object *answer, *error;
	int status;

	if (access(path, F_OK))
		return NULL;
	answer = ask(path, cmd, &status, 1);
	if (answer && json_object_is_type(answer, json_type_object) &&
	    json_object_object_get_ex(answer, "error", &error)) {
		json_object_put(answer);
		return NULL;
	}
	return answer;
}

static long long num(json_object *o, const char *a, const char *b)
{
	json_object *x = o, *y;

	if (a && !json_object_object_get_ex(o, a, &x))
		return 0;
	return json_object_object_get_ex(x, b, &y) ? json_object_get_int64(y) : 0;
}

/* One line per worker process, after the count of restarts. */
static void print_workers(json_object *s, FILE *out)
{
	json_object *list, *v;

	if (!json_object_object_get_ex(s, "workers", &list))
		return;
	fprintf(out, "workers: %zu, %lld restarts\n", json_object_array_length(list),
		num(s, NULL, "worker_restarts"));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *w = json_object_array_get_idx(list, i);

		json_object_object_get_ex(w, "state", &v);
		fprintf(out, "worker %lld: pid %lld, %s, %lld in flight, %lld waiting, %lld ok, "
			"%lld failed, %lld restarts\n", num(w, NULL, "index"), num(w, NULL, "pid"),
			json_object_get_string(v), num(w, NULL, "in_flight"), num(w, NULL, "waiting"),
			num(w, NULL, "ok"), num(w, NULL, "failed"), num(w, NULL, "restarts"));
	}
	if (!json_object_object_get_ex(s, "key_processes", &list))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *k = json_object_array_get_idx(list, i);

		json_object_object_get_ex(k, "state", &v);
		fprintf(out, "key process: pid %lld, %s, %lld restarts\n", num(k, NULL, "pid"),
			json_object_get_string(v), num(k, NULL, "restarts"));
	}
}

static void print_status(json_object *s, FILE *out)
{
	json_object *failures, *profiles, *v;
	long long up = num(s, NULL, "uptime_s");

	json_object_object_get_ex(s, "config", &v);
	fprintf(out, "ktlsd pid %lld, up %lldh%02lldm%02llds, config %s (%lld reloads, %lld refused)\n",
		num(s, NULL, "pid"), up / 3600, up / 60 % 60, up % 60, json_object_get_string(v),
		num(s, NULL, "reloads"), num(s, NULL, "reloads_refused"));
	fprintf(out, "handshakes: %lld ok, %lld failed, %lld refused, %lld in flight\n",
		num(s, "handshakes", "ok"), num(s, "handshakes", "failed"),
		num(s, "handshakes", "refused"), num(s, NULL, "in_flight"));
	fprintf(out, "latency: p50 %lld ms, p90 %lld ms, p99 %lld ms (%lld handshakes)\n",
		num(s, "latency_ms", "p50"), num(s, "latency_ms", "p90"),
		num(s, "latency_ms", "p99"), num(s, "latency_ms", "samples"));
	if (json_object_object_get_ex(s, "elliptic_curves", &v))
		fprintf(out, "elliptic curves: %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(s, "rsa", &v))
		fprintf(out, "RSA: %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(s, "ecdsa", &v))
		fprintf(out, "ECDSA signatures: %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(s, "sha256", &v))
		fprintf(out, "SHA-256: %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(s, "failures", &failures) &&
	    json_object_object_length(failures)) {
		fputs("failures:", out);
		json_object_object_foreach(failures, reason, count)
			fprintf(out, " %s %s", reason, json_object_get_string(count));
		fputc('\n', out);
	}
	if (json_object_object_get_ex(s, "profiles", &profiles)) {
		json_object_object_foreach(profiles, name, p)
			fprintf(out, "profile %s: %lld ok, %lld failed\n", name, num(p, NULL, "ok"),
				num(p, NULL, "failed"));
	}
	print_workers(s, out);
}

static void print_list(json_object *o, const char *key, FILE *out)
{
	json_object *a;
	size_t n;

	if (!json_object_object_get_ex(o, key, &a) || !(n = json_object_array_length(a)))
		return;
	fprintf(out, " %s ", key);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "," : "", json_object_get_string(json_object_array_get_idx(a, i)));
}

static void print_profiles(json_object *list, FILE *out)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *p = json_object_array_get_idx(list, i), *v;
		static const char *const keys[] = { "role", "cert", "ca", "client_auth", "server_auth", "alpn" };

		json_object_object_get_ex(p, "name", &v);
		fprintf(out, "%s:", json_object_get_string(v));
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (json_object_object_get_ex(p, keys[k], &v) && v &&
			    *json_object_get_string(v))
				fprintf(out, " %s %s", keys[k], json_object_get_string(v));
		print_list(p, "ciphers", out);
		print_list(p, "allow_uid", out);
		print_list(p, "allow_gid", out);
		fputc('\n', out);
	}
}

static void print_reload(json_object *r, FILE *out)
{
	json_object *v;

	json_object_object_get_ex(r, "reloaded", &v);
	fprintf(out, "reloaded %s: %lld profiles\n", json_object_get_string(v), num(r, NULL, "profiles"));
}

int cmd_daemon(int argc, char **argv, const struct ktlsctl_opts *o)
{
	const char *path = KTLSD_CONTROL_PATH, *cmd;
	json_object *answer, *error;
	int status;

	if (argc >= 2 && !strcmp(argv[0], "-s")) {
		path = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc != 1)
		return argc ? usage_error("daemon", "one command: status, profiles or reload")
			    : usage_error("daemon", "which: status, profiles or reload?");
	if (matches(argv[0], "help") || !strcmp(argv[0], "--help")) {
		daemon_help(stdout);
		return EXIT_OK;
	}
	if (matches(argv[0], "status"))
		cmd = "status";
	else if (matches(argv[0], "profiles"))
		cmd = "profiles";
	else if (matches(argv[0], "reload"))
		cmd = "reload";
	else
		return usage_error("daemon", "unknown command \"%s\"", argv[0]);
	answer = ask(path, cmd, &status, 0);
	if (!answer)
		return status;
	if (json_object_is_type(answer, json_type_object) &&
	    json_object_object_get_ex(answer, "error", &error)) {
		status = fail("daemon", "%s%s%s", !strcmp(cmd, "reload") ? "reload refused: " : "",
			      json_object_get_string(error),
			      !strcmp(cmd, "reload") ? " (the running configuration stays)" : "");
		json_object_put(answer);
		return status;
	}
	emit(answer, o, !strcmp(cmd, "status") ? print_status :
			!strcmp(cmd, "profiles") ? print_profiles : print_reload);
	return EXIT_OK;
}
