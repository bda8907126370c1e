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
#include "intake.h"
#include "ktlsd_ktls.h"
#include "log.h"
#include "unixsock.h"

static mode_t control_mode(const struct config *cfg)
{
	return cfg->control_gid_set ? 0660 : 0600;
}

/*
 * 1 if the socket file at cfg->control_path has the group and mode the
 * configuration asks for; 0 if not; -1 with errno if it cannot be looked at.
 */
static int owner_matches(const struct config *cfg)
{
	struct stat st;

	if (stat(cfg->control_path, &st) < 0)
		return -1;
	return (st.st_mode & 07777) == control_mode(cfg) &&
	       (!cfg->control_gid_set || st.st_gid == cfg->control_gid);
}

static void warn_socket_unit(const struct config *cfg)
{
	log_msg(LOG_WARNING, "%s (from systemd): its mode or group is not what the configuration "
		"says (mode %04o%s): set SocketMode= and SocketGroup= in the socket unit; the "
		"daemon admits only root%s either way", cfg->control_path,
		(unsigned)control_mode(cfg), cfg->control_gid_set ? ", group control_group" : "",
		cfg->control_gid_set ? " and control_group" : "");
}

int control_listen(const struct config *cfg, char *err, size_t errlen)
{
	int fd = unix_listen(cfg->control_path, control_mode(cfg), err, errlen);

	if (fd < 0)
		return -1;
	/* The socket unit made it: its SocketMode= and SocketGroup= decide. */
	if (unix_is_inherited(cfg->control_path)) {
		if (owner_matches(cfg) == 0)
			warn_socket_unit(cfg);
		return fd;
	}
	if (cfg->control_gid_set && chown(cfg->control_path, (uid_t)-1, cfg->control_gid)) {
		snprintf(err, errlen, "%s: chown to group %u: %s", cfg->control_path,
			 (unsigned)cfg->control_gid, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void control_apply_owner(const struct config *cfg)
{
	int matches = owner_matches(cfg);

	if (matches < 0)
		log_msg(LOG_WARNING, "%s: %s", cfg->control_path, strerror(errno));
	if (matches != 0)
		return;
	if (unix_is_inherited(cfg->control_path)) {
		warn_socket_unit(cfg);
		return;
	}
	/*
	 * After the privilege drop the socket (root's, or systemd's) is not
	 * ours to change. Who may use it is still decided here, by
	 * control_authorized() under the new configuration: a group taken
	 * away is refused at once; a group added waits for a restart.
	 */
	if ((cfg->control_gid_set && chown(cfg->control_path, (uid_t)-1, cfg->control_gid)) ||
	    chmod(cfg->control_path, control_mode(cfg)))
		log_msg(LOG_WARNING, "%s: control_group from the reload not applied to the socket file "
			"(%s; ktlsd runs as uid %u): restart ktlsd to apply it; until then the "
			"daemon already refuses whom the new configuration does not admit",
			cfg->control_path, strerror(errno), (unsigned)geteuid());
}

int control_authorized(int fd, const struct config *cfg)
{
	struct caller who;
	int allowed = 0;

	if (caller_identify(&who, fd) < 0)
		return 0;
	if (who.uid == 0)
		allowed = 1;
	else if (cfg->control_gid_set) {
		allowed = who.gid == cfg->control_gid;
		for (size_t i = 0; i < who.group_count && !allowed; i++)
			allowed = who.groups[i] == cfg->control_gid;
	}
	caller_free(&who);
	return allowed;
}

int control_read(int fd, char *cmd, size_t len, struct closer *closer)
{
	struct intake_msg m;
	int rc = intake_read(fd, &m);
	size_t n;

	if (rc < 0)
		return rc == -EWOULDBLOCK ? -EAGAIN : rc;
	if (rc == 0)
		return -ECONNRESET;
	/* Descriptors have no business here; they are closed off the loop. */
	intake_release(&m, -1, closer, CONTROL_OWNER);
	n = m.len < sizeof(m.data) ? m.len : sizeof(m.data);
	if (n > len - 1)
		n = len - 1;
	memcpy(cmd, m.data, n);
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
		/* The policy as resolved at load: what each role really does. */
		json_object_object_add(o, "role", json_object_new_string(
			p->policy.serve && p->policy.connect ? "server,client" :
			p->policy.serve ? "server" : "client"));
		json_object_object_add(o, "cert", p->cert_path[0] ? json_object_new_string(p->cert_path) : NULL);
		json_object_object_add(o, "key", p->key_path[0] ? json_object_new_string(p->key_path) : NULL);
		json_object_object_add(o, "ca", p->ca_path[0] ? json_object_new_string(p->ca_path) : NULL);
		json_object_object_add(o, "verify", json_object_new_string(verify_mode_name(p->verify)));
		if (p->policy.serve)
			json_object_object_add(o, "client_auth",
					       json_object_new_string(verify_mode_name(p->policy.client_auth)));
		if (p->policy.connect)
			json_object_object_add(o, "server_auth",
					       json_object_new_string(verify_mode_name(p->policy.server_auth)));
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
