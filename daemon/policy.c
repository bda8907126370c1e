// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "policy.h"

const char *verify_mode_name(enum verify_mode mode)
{
	switch (mode) {
	case VERIFY_NONE: return "none";
	case VERIFY_OPTIONAL: return "optional";
	case VERIFY_REQUIRED: return "required";
	}
	return "?";
}

static int refuse(char *err, size_t errlen, int *line, int at, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	*line = at;
	return -1;
}

static int resolve_server(const struct policy_input *in, struct policy *out,
			  char *err, size_t errlen, int *line)
{
	if (!in->has_cert_and_key) {
		if (in->role == PROFILE_ROLE_SERVER)
			return refuse(err, errlen, line, in->role_line,
				      "role = server needs cert and key");
		snprintf(out->no_serve, sizeof(out->no_serve), "it has no cert and key");
		return 0;
	}
	out->client_auth = in->verify_line ? in->verify : VERIFY_NONE;
	if (out->client_auth != VERIFY_NONE && !in->has_ca)
		return refuse(err, errlen, line, in->verify_line,
			      "verify = optional or required for the server role needs ca "
			      "(the CAs client certificates must chain to): without it nobody "
			      "is authenticated");
	out->serve = 1;
	return 0;
}

static int resolve_client(const struct policy_input *in, struct policy *out,
			  char *err, size_t errlen, int *line)
{
	int only = in->role == PROFILE_ROLE_CLIENT;

	out->server_auth = in->verify_line ? in->verify : VERIFY_REQUIRED;
	if (out->server_auth == VERIFY_OPTIONAL) {
		if (only)
			return refuse(err, errlen, line, in->verify_line,
				      "verify = optional is refused for the client role: it would "
				      "let a man in the middle through (use required, or none)");
		snprintf(out->no_connect, sizeof(out->no_connect),
			 "verify = optional is refused for the client role");
		out->server_auth = VERIFY_NONE;
		return 0;
	}
	if (out->server_auth == VERIFY_REQUIRED && !in->has_ca) {
		/* Said so, or the profile is for nothing else: an error. */
		if (only || in->verify_line || !in->has_cert_and_key)
			return refuse(err, errlen, line,
				      in->verify_line ? in->verify_line :
				      in->role_line ? in->role_line : in->profile_line,
				      "no ca to verify servers with (set ca, or verify = none)");
		snprintf(out->no_connect, sizeof(out->no_connect),
			 "it has no ca to verify servers with");
		return 0;
	}
	out->connect = 1;
	return 0;
}

int policy_resolve(const struct policy_input *in, struct policy *out, char *err,
		   size_t errlen, int *line)
{
	memset(out, 0, sizeof(*out));
	if (in->role != PROFILE_ROLE_CLIENT &&
	    resolve_server(in, out, err, errlen, line) < 0)
		return -1;
	if (in->role == PROFILE_ROLE_CLIENT)
		snprintf(out->no_serve, sizeof(out->no_serve), "its role is client");
	if (in->role != PROFILE_ROLE_SERVER &&
	    resolve_client(in, out, err, errlen, line) < 0)
		return -1;
	if (in->role == PROFILE_ROLE_SERVER)
		snprintf(out->no_connect, sizeof(out->no_connect), "its role is server");
	if (!out->serve && !out->connect)
		return refuse(err, errlen, line, in->profile_line,
			      "the profile can serve no role (a server needs cert and key; "
			      "a client needs ca, or verify = none)");
	return 0;
}
