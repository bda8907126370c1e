/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: operators (ktlsctl daemon ...) ask with one word —
 * status, profiles, reload — and get one JSON document back. Only root,
 * and members of control_group, may connect.
 */
#ifndef KTLSD_CONTROL_H
#define KTLSD_CONTROL_H

#include <json-c/json.h>
#include <stddef.h>

#include "config.h"

/* Listen at cfg->control_path (mode 0600, or 0660 for control_group). */
int control_listen(const struct config *cfg, char *err, size_t errlen);

/* After a reload: the socket's group and mode as the configuration says. */
void control_apply_owner(const struct config *cfg);

/* 1 if the peer of @fd is root or in control_group. */
int control_authorized(int fd, const struct config *cfg);

/*
 * Read the request on @fd into @cmd: 0; -EAGAIN if it has not arrived;
 * another -errno if the connection is gone or the request is malformed.
 */
int control_read(int fd, char *cmd, size_t len);

/* Send @answer (consumed) as the reply. */
void control_reply(int fd, json_object *answer);

/* {"error": @message}. */
json_object *control_error(const char *message);

/* Every profile as configured, without secrets. */
json_object *control_profiles(const struct config *cfg);

#endif
