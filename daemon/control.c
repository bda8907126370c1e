// SPDX-License-Identifier: GPL-2.0-or-later
/* The control socket's plumbing and the answers that need only the configuration. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "ktlsd_ktls.h"
#include "log.h"
#include "unixsock.h"

static mode_t control_mode(const struct config *cfg)
{
	return cfg->control_gid_set ? 0660 : 0600;
}

int control_listen(const struct config *cfg, char *err, size_t errlen)
{
	int fd = unix_listen(cfg->control_path, control_mode(cfg), err, errlen);

	if (fd >= 0 && cfg->control_gid_set && chown(cfg->control_path, (uid_t)-1, cfg->control_gid)) {
		snprintf(err, errlen, "%s: chown to group %u: %s", cfg->control_path,
			 (unsigned)cfg->control_gid, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void control_apply_owner(const struct config *cfg)
{
	if (cfg->control_gid_set && chown(cfg->control_path, (uid_t)-1, cfg->control_gid))
		log_msg(LOG_WARNING, "%s: chown: %s", cfg->control_path, strerror(errno));
	if (chmod(cfg->control_path, control_mode(cfg)))
		log_msg(LOG_WARNING, "%s: chmod: %s", cfg->control_path, strerror(errno));
}

int control_authorized(int fd, const struct config *cfg)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[64];
	socklen_t glen = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return 0;
	if (cred.uid == 0)
		return 1;
	if (!cfg->control_gid_set)
		return 0;
	if (cred.gid == cfg->control_gid)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen))
		return 0;
	for (size_t i = 0; i < glen / sizeof(gid_t); i++)
		if (groups[i] == cfg->control_gid)
			return 1;
	return 0;
}

int control_read(int fd, char *cmd, size_t len)
{
	ssize_t n = recv(fd, cmd, len - 1, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	if (n == 0)
		return -ECONNRESET;
	cmd[n] = 0;
	cmd[strcspn(cmd, "\r\n")] = 0;
	return 0;
}

void control_reply(int fd, json_object *answer)
{
	const char *text = json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN);

	if (send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_msg(LOG_DEBUG, "control: reply not delivered: %s", strerror(errno));
	json_object_put(answer);
}

json_object *control_error(const char *message)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(message));
	return o;
}

static const char *verify_name(enum verify_mode v)
{
	return v == VERIFY_NONE ? "none" : v == VERIFY_OPTIONAL ? "optional" : "required";
}

static json_object *ids(const unsigned *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(v[i]));
	return a;
}

json_object *control_profiles(const struct config *cfg)
{
	json_object *list = json_object_new_array();

	for (const struct profile *p = cfg->profiles; p; p = p->next) {
		json_object *o = json_object_new_object(), *suites = json_object_new_array();
		unsigned uids[CONFIG_MAX_IDS], gids[CONFIG_MAX_IDS];

		json_object_object_add(o, "name", json_object_new_string(p->name));
		/* A certificate makes a server profile; without one, a client. */
		json_object_object_add(o, "role", json_object_new_string(p->cert_path[0] ? "server" : "client"));
		json_object_object_add(o, "cert", p->cert_path[0] ? json_object_new_string(p->cert_path) : NULL);
		json_object_object_add(o, "key", p->key_path[0] ? json_object_new_string(p->key_path) : NULL);
		json_object_object_add(o, "ca", p->ca_path[0] ? json_object_new_string(p->ca_path) : NULL);
		json_object_object_add(o, "verify", json_object_new_string(verify_name(p->verify)));
		for (size_t i = 0; i < p->suite_count; i++) {
			const struct ktlsd_suite_info *s = ktlsd_suite_by_id(p->suites[i]);

			if (s)
				json_object_array_add(suites, json_object_new_string(s->name));
		}
		json_object_object_add(o, "ciphers", suites);
		json_object_object_add(o, "alpn", json_object_new_string(p->alpn));
		for (size_t i = 0; i < p->uid_count; i++)
			uids[i] = (unsigned)p->allow_uid[i];
		for (size_t i = 0; i < p->gid_count; i++)
			gids[i] = (unsigned)p->allow_gid[i];
		json_object_object_add(o, "allow_uid", ids(uids, p->uid_count));
		json_object_object_add(o, "allow_gid", ids(gids, p->gid_count));
		json_object_array_add(list, o);
	}
	return list;
}
