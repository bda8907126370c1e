/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A profile's policy, resolved once when the configuration loads into what
 * each role does. Nothing else reads `verify`, `role`, `ca` to decide.
 *
 *   role = any (default) | server | client
 *   verify = none | optional | required
 *
 * Server role (needs cert and key): client certificates are asked for and
 * checked as `verify` says; not asked for when `verify` is not set. optional
 * or required without `ca` is refused (it would authenticate nobody).
 * Client role: the server's chain and name are checked unless verify = none;
 * that needs `ca`. verify = optional is refused for the client role (it
 * would let a man in the middle through): with role = client it is an error,
 * with role = any the profile serves the server role only. A profile that can
 * serve no role is an error.
 */
#ifndef KTLSD_POLICY_H
#define KTLSD_POLICY_H

#include <stddef.h>

enum verify_mode {
	VERIFY_NONE,
	VERIFY_OPTIONAL,
	VERIFY_REQUIRED,
};

enum profile_role {
	PROFILE_ROLE_ANY,
	PROFILE_ROLE_SERVER,
	PROFILE_ROLE_CLIENT,
};

/* What a profile asks for, as written (lines: 0 when not given). */
struct policy_input {
	enum profile_role role;
	int role_line;
	enum verify_mode verify;
	int verify_line;
	int has_cert_and_key;
	int has_ca;
	int profile_line;
};

struct policy {
	int serve;			/* may act as a TLS server */
	int connect;			/* may act as a TLS client */
	enum verify_mode client_auth;	/* server role: client certificates */
	enum verify_mode server_auth;	/* client role: NONE or REQUIRED */
	char no_serve[128];		/* why the server role is off */
	char no_connect[128];		/* why the client role is off */
};

/*
 * Resolve @in into @out. Returns 0, or -1 with the reason in @err and the
 * line it belongs to in *@line.
 */
int policy_resolve(const struct policy_input *in, struct policy *out, char *err,
		   size_t errlen, int *line);

const char *verify_mode_name(enum verify_mode mode);

#endif
