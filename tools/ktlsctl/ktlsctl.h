/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlsctl: configure and inspect kernel TLS — NIC offload features
 * (ethtool netlink), kTLS sockets (sock_diag), counters (procfs), the
 * emulated NIC (sysfs) — the way ip(8) and ethtool(8) do.
 *
 * Every command builds its answer as a JSON object (json-c); -j prints it
 * as JSON, otherwise a per-command printer renders the same data as text.
 */
#ifndef KTLSCTL_H
#define KTLSCTL_H

#include <json-c/json.h>
#include <stdio.h>

enum ktlsctl_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* the command line is wrong */
};

struct ktlsctl_opts {
	int json;
	int pretty;
};

/* A command: argv holds its arguments (after OBJECT COMMAND). */
typedef int (*ktlsctl_cmd)(int argc, char **argv, const struct ktlsctl_opts *o);

/* 1 if @arg is a non-empty prefix of @word ("so" matches "sockets"). */
int matches(const char *arg, const char *word);

/* "ktlsctl: OBJECT: message" on stderr; returns EXIT_FAIL. */
int fail(const char *object, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same, then "Try 'ktlsctl OBJECT help'."; returns EXIT_USAGE. */
int usage_error(const char *object, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print @answer as JSON (-j, -p) or through @text; consumes @answer. */
void emit(json_object *answer, const struct ktlsctl_opts *o,
	  void (*text)(json_object *answer, FILE *out));

/* Parse "on"/"off" into *@on; -1 if it is neither. */
int parse_on_off(const char *arg, int *on);

/* The objects. */
int cmd_dev(int argc, char **argv, const struct ktlsctl_opts *o);
int cmd_sockets(int argc, char **argv, const struct ktlsctl_opts *o);
int cmd_stats(int argc, char **argv, const struct ktlsctl_opts *o);
int cmd_nsim(int argc, char **argv, const struct ktlsctl_opts *o);
int cmd_daemon(int argc, char **argv, const struct ktlsctl_opts *o);

/* ktlsd's answer to @cmd on the control socket @path; NULL, silently, if none. */
json_object *daemon_ask_quietly(const char *path, const char *cmd);

/* ethnl.c: TLS features over ethtool generic netlink. */
struct tls_feature {
	const char *name;	/* "tls-hw-tx-offload" */
	int supported;		/* the device can have it on */
	int on;			/* active now */
	int fixed;		/* cannot be changed */
};

enum { FEAT_TX, FEAT_RX, FEAT_RECORD, FEAT_COUNT };
extern const char *const tls_feature_names[FEAT_COUNT];

/* Read @dev's TLS features. 0, or -errno (ENODEV: no such device). */
int ethnl_tls_features(const char *dev, struct tls_feature f[FEAT_COUNT]);

/* Ask for @want (FEAT_*: 0/1, -1 unchanged). 0, or -errno from the kernel. */
int ethnl_set_tls_features(const char *dev, const int want[FEAT_COUNT]);

#endif
