// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsctl on the host: the command line (abbreviations, usage errors → 2,
 * failures → 1 with the object and reason) and the output (JSON parsed
 * back with json-c). What needs kTLS or ktls_nsim is in the VM suite
 * (kmod-tests/selftests/ktlsctl_test.c).
 */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

/* The binary under test: argv[1], else $KTLSD_BIN_DIR/ktlsctl, else build/ktlsctl. */
static char ktlsctl[4096] = "build/ktlsctl";

struct run {
	int status;
	char out[65536], err[4096];
};

/* Run ktlsctl with @args (a shell word list); capture stdout and stderr. */
static void run(struct run *r, const char *args)
{
	char cmd[sizeof(ktlsctl) + 512], errfile[] = "/tmp/ktlsctl-test.XXXXXX";
	int fd = mkstemp(errfile);
	size_t n;
	FILE *p, *e;

	snprintf(cmd, sizeof(cmd), "%s %s 2>%s", ktlsctl, args, errfile);
	p = popen(cmd, "r");
	n = p ? fread(r->out, 1, sizeof(r->out) - 1, p) : 0;
	r->out[n] = 0;
	r->status = p ? pclose(p) : -1;
	r->status = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
	e = fopen(errfile, "r");
	n = e ? fread(r->err, 1, sizeof(r->err) - 1, e) : 0;
	r->err[n] = 0;
	if (e)
		fclose(e);
	if (fd >= 0)
		close(fd);
	unlink(errfile);
}

static void expect(const char *args, int status, const char *in_stderr)
{
	struct run r;

	run(&r, args);
	if (!ok(r.status == status && (!in_stderr || strstr(r.err, in_stderr)),
		"ktlsctl %s → exit %d%s%s", args, status, in_stderr ? ", says " : "",
		in_stderr ? in_stderr : ""))
		diag("exit %d, stderr: %s", r.status, r.err);
}

static int bool_at(json_object *o, const char *a, const char *b, const char *c, int *value)
{
	json_object *x, *y, *z;

	if (!json_object_object_get_ex(o, a, &x) || !json_object_object_get_ex(x, b, &y) ||
	    !json_object_object_get_ex(y, c, &z) || !json_object_is_type(z, json_type_boolean))
		return -1;
	*value = json_object_get_boolean(z);
	return 0;
}

static void json_of_dev_lo(const char *flags)
{
	char args[64];
	json_object *doc, *lo, *name;
	struct run r;
	int on = -1, fixed = -1;

	snprintf(args, sizeof(args), "%s dev show lo", flags);
	run(&r, args);
	doc = json_tokener_parse(r.out);
	ok(r.status == 0 && doc && json_object_is_type(doc, json_type_array) &&
	   json_object_array_length(doc) == 1, "%s dev show lo: a JSON array of one", flags);
	lo = doc ? json_object_array_get_idx(doc, 0) : NULL;
	ok(lo && json_object_object_get_ex(lo, "ifname", &name) &&
	   !strcmp(json_object_get_string(name), "lo"), "... ifname lo");
	ok(lo && !bool_at(lo, "features", "tls-hw-tx-offload", "on", &on) && on == 0 &&
	   !bool_at(lo, "features", "tls-hw-rx-offload", "fixed", &fixed) && fixed == 1,
	   "... tls-hw-tx-offload off, tls-hw-rx-offload fixed");
	json_object_put(doc);
}

int main(int argc, char **argv)
{
	struct run r;
	json_object *doc;

	if (argc > 1)
		snprintf(ktlsctl, sizeof(ktlsctl), "%s", argv[1]);
	else if (getenv("KTLSD_BIN_DIR"))
		snprintf(ktlsctl, sizeof(ktlsctl), "%s/ktlsctl", getenv("KTLSD_BIN_DIR"));

	/* Usage: exit 2, and the object named. */
	expect("", 2, "usage: ktlsctl");
	expect("--bogus dev", 2, "unknown option --bogus");
	expect("frobnicate", 2, "unknown object \"frobnicate\"");
	expect("dev frob", 2, "dev: unknown command \"frob\"");
	expect("dev set lo", 2, "dev: set needs DEV");
	expect("dev set lo tls-tx maybe", 2, "\"maybe\" is not on or off");
	expect("dev set lo tls-foo on", 2, "unknown feature \"tls-foo\"");
	expect("dev show a b", 2, "show takes one device");
	expect("sockets sport 70000", 2, "\"70000\" is not a port");
	expect("sockets src 1.2.3", 2, "\"1.2.3\" is not an address");
	expect("sockets --hw --sw", 2, "exclude each other");
	expect("sockets dport", 2, "\"dport\" needs a value");
	expect("stats --delta -1", 2, "not a number of seconds");
	expect("nsim set x drop", 2, "set needs DEV");
	expect("nsim set x speed 3", 2, "unknown knob \"speed\"");

	/* Failures: exit 1, object and reason. */
	expect("dev show ktlsctl-nodev0", 1, "dev: ktlsctl-nodev0: no such device");
	expect("dev set ktlsctl-nodev0 tls-tx on", 1, "ktlsctl-nodev0: no such device");
	expect("dev set lo tls-tx on", 1, "dev: lo: tls-hw-tx-offload is not supported");
	expect("sockets -n ktlsctl-no-such-ns", 1, "netns ktlsctl-no-such-ns");

	/* Help and abbreviations. */
	expect("--help", 0, NULL);
	expect("dev help", 0, NULL);
	expect("so help", 0, NULL);
	expect("st help", 0, NULL);
	expect("nsim help", 0, NULL);
	expect("d sh lo", 0, NULL);

	/* Output: JSON that parses back, text from the same data. */
	json_of_dev_lo("-j");
	json_of_dev_lo("-p");
	run(&r, "-j sockets");
	doc = json_tokener_parse(r.out);
	ok(r.status == 0 && doc && json_object_is_type(doc, json_type_array),
	   "-j sockets: a JSON array");
	json_object_put(doc);
	run(&r, "dev show lo");
	ok(r.status == 0 && strstr(r.out, "lo: driver") &&
	   strstr(r.out, "tls-hw-tx-offload  off [not supported]"), "text: dev show lo");
	return done();
}
