// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The systemd units in systemd/: the service's exposure as
 * `systemd-analyze security --offline=yes` rates it (at most 3.0), the
 * capabilities and identity it is given, the sockets' paths and modes
 * against the daemon's defaults, and the sysusers and tmpfiles snippets
 * applied to an empty root. Needs systemd-analyze, systemd-sysusers and
 * systemd-tmpfiles (Debian's systemd package, mk/deps.sh), not a running
 * systemd.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktlsd.h"
#include "tap.h"

#define MAX_EXPOSURE 3.0

/* The value of the last "@key=" line of @unit, or NULL. */
static const char *unit_value(const char *unit, const char *key, char *out, size_t len)
{
	char path[256], line[1024];
	size_t klen = strlen(key);
	const char *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "systemd/%s", unit);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(out, len, "%s", line + klen + 1);
		found = out;
	}
	fclose(f);
	return found;
}

static int unit_is(const char *unit, const char *key, const char *want)
{
	char v[512];

	if (!unit_value(unit, key, v, sizeof(v))) {
		diag("%s: no %s=", unit, key);
		return 0;
	}
	if (strcmp(v, want)) {
		diag("%s: %s=%s, wanted %s", unit, key, v, want);
		return 0;
	}
	return 1;
}

static void test_exposure(void)
{
	char line[1024], costs[4096] = "", *at;
	double exposure = -1;
	FILE *p;

	p = popen("systemd-analyze security --offline=yes --no-pager systemd/ktlsd.service 2>&1", "r");
	if (!p) {
		ok(0, "systemd-analyze runs");
		return;
	}
	while (fgets(line, sizeof(line), p)) {
		if ((at = strstr(line, "Overall exposure level for ktlsd.service:")))
			exposure = strtod(at + strlen("Overall exposure level for ktlsd.service:"), NULL);
		else if (strstr(line, "\xe2\x9c\x97") &&	/* a ✗ line: what costs exposure */
			 strlen(costs) + strlen(line) < sizeof(costs))
			strcat(costs, line);
	}
	pclose(p);
	if (exposure < 0) {
		ok(0, "systemd-analyze security --offline=yes rates ktlsd.service (install systemd: mk/deps.sh)");
		return;
	}
	ok(exposure <= MAX_EXPOSURE, "ktlsd.service: overall exposure %.1f (at most %.1f)", exposure,
	   MAX_EXPOSURE);
	for (char *c = strtok(costs, "\n"); c; c = strtok(NULL, "\n"))
		diag("%s", c);
}

static void test_service(void)
{
	ok(unit_is("ktlsd.service", "User", KTLSD_USER) && unit_is("ktlsd.service", "Group", KTLSD_USER),
	   "ktlsd.service runs ktlsd as %s from the start: no setuid, never root", KTLSD_USER);
	ok(unit_is("ktlsd.service", "CapabilityBoundingSet", "CAP_NET_ADMIN") &&
	   unit_is("ktlsd.service", "AmbientCapabilities", "CAP_NET_ADMIN") &&
	   unit_is("ktlsd.service", "NoNewPrivileges", "yes"),
	   "... with CAP_NET_ADMIN alone, and no new privileges");
	ok(unit_is("ktlsd.service", "Sockets", "ktlsd.socket ktlsd-control.socket") &&
	   unit_is("ktlsd.service", "Type", "notify"),
	   "... given both sockets by systemd, and ready when it says so");
}

static void test_sockets(void)
{
	ok(unit_is("ktlsd.socket", "ListenSequentialPacket", KTLSD_SOCKET_PATH) &&
	   unit_is("ktlsd.socket", "SocketMode", "0666") &&
	   unit_is("ktlsd.socket", "SocketUser", "root") &&
	   unit_is("ktlsd.socket", "Service", "ktlsd.service"),
	   "ktlsd.socket: %s, root's, mode 0666 (profiles decide who may use what)", KTLSD_SOCKET_PATH);
	ok(unit_is("ktlsd-control.socket", "ListenSequentialPacket", KTLSD_CONTROL_PATH) &&
	   unit_is("ktlsd-control.socket", "SocketMode", "0600") &&
	   unit_is("ktlsd-control.socket", "SocketUser", "root") &&
	   unit_is("ktlsd-control.socket", "Service", "ktlsd.service"),
	   "ktlsd-control.socket: %s, root's, mode 0600", KTLSD_CONTROL_PATH);
}

/* Apply the sysusers and tmpfiles snippets to an empty root. */
static void test_snippets(void)
{
	char root[] = "/tmp/ktlsd-test-units.XXXXXX", cmd[512], path[300], line[512];
	int user = 0, group = 0;
	struct stat st;
	FILE *f;

	if (!mkdtemp(root)) {
		ok(0, "a scratch root");
		return;
	}
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/etc && systemd-sysusers --root=%s - "
		 "<systemd/ktlsd.sysusers >/dev/null 2>&1", root, root);
	if (system(cmd) == 0) {
		snprintf(path, sizeof(path), "%s/etc/passwd", root);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			user |= !strncmp(line, KTLSD_USER ":", strlen(KTLSD_USER) + 1) &&
				strstr(line, ":/usr/sbin/nologin");
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "%s/etc/group", root);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			group |= !strncmp(line, KTLSD_USER ":", strlen(KTLSD_USER) + 1);
		if (f)
			fclose(f);
	}
	ok(user && group, "ktlsd.sysusers makes user and group %s, without a login shell", KTLSD_USER);
	snprintf(cmd, sizeof(cmd), "systemd-tmpfiles --root=%s --create - <systemd/ktlsd.tmpfiles "
		 ">/dev/null 2>&1", root);
	snprintf(path, sizeof(path), "%s/run/ktlsd", root);
	ok(system(cmd) == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	   (st.st_mode & 07777) == 0755,
	   "ktlsd.tmpfiles makes /run/ktlsd: root's, 0755, as ktlsd requires of its socket folder");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
}

int main(void)
{
	if (chdir(getenv("KTLSD_SOURCE_DIR") ? getenv("KTLSD_SOURCE_DIR") : ".") < 0 ||
	    access("systemd/ktlsd.service", R_OK) < 0) {
		ok(0, "systemd/ktlsd.service is there (run from the checkout)");
		return done();
	}
	test_exposure();
	test_service();
	test_sockets();
	test_snippets();
	return done();
}
