// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "handshake.h"
#include "log.h"
#include "request.h"
#include "control.h"
#include "generation.h"
#include "metrics.h"
#include "server.h"
#include "unixsock.h"

enum watch_kind { WATCH_LISTEN, WATCH_SIGNAL, WATCH_APP, WATCH_PEER, WATCH_CONTROL, WATCH_OPERATOR };

struct client;

/* What an epoll event is about. */
struct watch {
	enum watch_kind kind;
	struct client *client;
};

/* An operator's connection to the control socket. */
struct operator {
	struct watch watch;
	int fd;
};

struct client {
	struct watch app_watch;		/* the application's unix connection */
	struct watch peer_watch;	/* the TCP socket it handed over */
	int app_fd;
	int peer_fd;			/* -1 until a valid request came */
	uint64_t deadline_ms;
	int done;			/* finished, freed after this epoll batch */
	uint64_t started_ms;
	struct generation *gen;		/* whose profile the handshake uses */
	struct client *prev, *next;	/* oldest first: deadlines in order */
	char who[64];			/* "pid 123 uid 1000", for the log */
	struct handshake hs;
};

struct server {
	const struct config *cfg;	/* the current one */
	struct generations gens;
	struct metrics metrics;
	int epfd, listen_fd, signal_fd, control_fd;
	struct watch listen_watch, signal_watch, control_watch;
	struct client *oldest, *newest;
	struct client *finished;	/* to free once the epoll batch is done */
	size_t in_flight;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int watch_fd(struct server *srv, int op, int fd, uint32_t events, struct watch *w)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(srv->epfd, op, fd, &ev);
}

static void unlink_client(struct server *srv, struct client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		srv->newest = c->prev;
	srv->in_flight--;
}

/*
 * Send the outcome to the application (if it still listens) and let go of
 * both descriptors. The TCP socket's file description stays open in the
 * application, so closing our fd would not take it out of the epoll set:
 * it is removed explicitly. The memory waits for the end of the batch, which
 * may still hold an event of this client.
 */
static void finish_client(struct server *srv, struct client *c,
			  const struct ktlsd_wire_reply *reply)
{
	if (reply && send(c->app_fd, reply, sizeof(*reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_msg(LOG_DEBUG, "%s: reply not delivered: %s", c->who, strerror(errno));
	unlink_client(srv, c);
	if (c->gen)
		generation_release(&srv->gens, c->gen);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->app_fd, NULL);
	close(c->app_fd);
	if (c->peer_fd >= 0) {
		epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->peer_fd, NULL);
		close(c->peer_fd);
	}
	c->done = 1;
	c->next = srv->finished;
	srv->finished = c;
}

static void free_finished(struct server *srv)
{
	while (srv->finished) {
		struct client *c = srv->finished;

		srv->finished = c->next;
		free(c);
	}
}

static void log_outcome(struct server *srv, const struct client *c)
{
	const struct ktlsd_wire_reply *r = &c->hs.reply;
	const char *reason = r->tls_error_name[0] ? r->tls_error_name : strerrorname_np(r->status);

	metrics_handshake(&srv->metrics, c->hs.profile->name, r->status, reason,
			  now_ms() - c->started_ms);
	if (r->status == 0)
		log_msg(LOG_INFO, "%s: profile %s, %s", c->who, c->hs.profile->name, r->message);
	else
		log_msg(LOG_NOTICE, "%s: profile %s: handshake failed: %s (%s%s%s)", c->who,
			c->hs.profile->name, r->message, strerror(r->status),
			r->tls_error_name[0] ? ", " : "", r->tls_error_name);
}

static void refuse(struct server *srv, struct client *c, int status, const char *what)
{
	struct ktlsd_wire_reply reply;

	log_msg(LOG_NOTICE, "%s: request refused: %s", c->who, what);
	metrics_refused(&srv->metrics, status);
	reply_failure(&reply, status, what);
	finish_client(srv, c, &reply);
}

static void describe_caller(struct client *c, const struct ucred *cred)
{
	snprintf(c->who, sizeof(c->who), "pid %d uid %u", (int)cred->pid, (unsigned)cred->uid);
}

static int caller_allowed(int app_fd, const struct profile *p, struct client *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[64];
	socklen_t glen = sizeof(groups);
	size_t ngroups = 0;

	if (getsockopt(app_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	describe_caller(c, &cred);
	if (getsockopt(app_fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ngroups = glen / sizeof(gid_t);
	return profile_allows(p, cred.uid, cred.gid, groups, ngroups);
}

static void close_fds(const int *fds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		close(fds[i]);
}

/* Read the request: bytes and descriptors of one datagram. */
static int receive_request(struct client *c, struct ktlsd_wire_request *req,
			   int *fd, char *err, size_t errlen)
{
	unsigned char buf[sizeof(struct ktlsd_wire_request) + 1] = { 0 };
	char control[CMSG_SPACE(REQUEST_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	int fds[REQUEST_MAX_FDS];
	struct request_in in = { .data = buf, .fds = fds };
	struct cmsghdr *cmsg;
	ssize_t n;
	int rc;

	n = recvmsg(c->app_fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t count;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count && in.fd_count < REQUEST_MAX_FDS; i++)
			memcpy(&fds[in.fd_count++], CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
	}
	in.len = (size_t)n;
	in.truncated_fds = !!(msg.msg_flags & MSG_CTRUNC);
	rc = request_parse(&in, req, err, errlen);
	if (rc) {
		close_fds(fds, in.fd_count);
		return rc;
	}
	*fd = fds[0];
	return 0;
}

static void step(struct server *srv, struct client *c)
{
	enum hs_progress p = handshake_step(&c->hs);

	if (p == HS_DONE) {
		log_outcome(srv, c);
		finish_client(srv, c, &c->hs.reply);
		return;
	}
	watch_fd(srv, EPOLL_CTL_MOD, c->peer_fd,
		 p == HS_WANT_READ ? EPOLLIN : EPOLLOUT, &c->peer_watch);
}

static void on_request(struct server *srv, struct client *c)
{
	struct ktlsd_wire_request req;
	const struct profile *p;
	char err[160];
	int fd = -1, rc;

	rc = receive_request(c, &req, &fd, err, sizeof(err));
	if (rc == -EAGAIN)
		return;
	if (rc < 0) {
		finish_client(srv, c, NULL);
		return;
	}
	if (rc > 0) {
		refuse(srv, c, rc, err);
		return;
	}
	c->peer_fd = fd;
	p = config_profile(srv->cfg, req.profile);
	if (!p) {
		snprintf(err, sizeof(err), "no such profile '%s'", req.profile);
		refuse(srv, c, ESRCH, err);
		return;
	}
	if (!caller_allowed(c->app_fd, p, c)) {
		snprintf(err, sizeof(err), "profile '%s' does not allow this caller", p->name);
		refuse(srv, c, EACCES, err);
		return;
	}
	rc = request_check_socket(fd, err, sizeof(err));
	if (rc) {
		refuse(srv, c, rc, err);
		return;
	}
	c->gen = generation_hold(&srv->gens);
	if (handshake_start(&c->hs, fd, p, &req) < 0) {
		refuse(srv, c, c->hs.reply.status, c->hs.reply.message);
		return;
	}
	if (watch_fd(srv, EPOLL_CTL_ADD, fd, EPOLLIN, &c->peer_watch) < 0) {
		refuse(srv, c, errno, "cannot watch the socket");
		return;
	}
	step(srv, c);
}

static void on_app_event(struct server *srv, struct client *c, uint32_t events)
{
	if (c->peer_fd < 0 && (events & EPOLLIN)) {
		on_request(srv, c);
		return;
	}
	/* The application hung up (or broke protocol) mid-handshake. */
	if (c->peer_fd >= 0) {
		handshake_abort(&c->hs, ECANCELED, "the application cancelled the hand-off");
		log_outcome(srv, c);
	}
	finish_client(srv, c, NULL);
}

static void on_accept(struct server *srv)
{
	struct ktlsd_wire_reply reply;
	struct client *c;
	int fd;

	while ((fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (srv->in_flight >= srv->cfg->max_handshakes || !(c = malloc(sizeof(*c)))) {
			reply_failure(&reply, EBUSY, "ktlsd is at its limit of handshakes in flight");
			metrics_refused(&srv->metrics, EBUSY);
			send(fd, &reply, sizeof(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		memset(c, 0, offsetof(struct client, hs));
		c->app_fd = fd;
		c->peer_fd = -1;
		c->app_watch = (struct watch){ WATCH_APP, c };
		c->peer_watch = (struct watch){ WATCH_PEER, c };
		c->started_ms = now_ms();
		c->deadline_ms = c->started_ms + srv->cfg->handshake_timeout_ms;
		snprintf(c->who, sizeof(c->who), "fd %d", fd);
		c->prev = srv->newest;
		if (srv->newest)
			srv->newest->next = c;
		else
			srv->oldest = c;
		srv->newest = c;
		srv->in_flight++;
		if (watch_fd(srv, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP, &c->app_watch) < 0)
			finish_client(srv, c, NULL);
	}
}

static void expire(struct server *srv)
{
	uint64_t now = now_ms();
	char what[64];

	while (srv->oldest && srv->oldest->deadline_ms <= now) {
		struct client *c = srv->oldest;

		if (c->peer_fd < 0) {
			finish_client(srv, c, NULL);
			continue;
		}
		snprintf(what, sizeof(what), "handshake timed out after %u ms",
			 srv->cfg->handshake_timeout_ms);
		handshake_abort(&c->hs, ETIMEDOUT, what);
		log_outcome(srv, c);
		finish_client(srv, c, &c->hs.reply);
	}
}

static int next_timeout(const struct server *srv)
{
	uint64_t now;

	if (!srv->oldest)
		return -1;
	now = now_ms();
	return srv->oldest->deadline_ms <= now ? 0 : (int)(srv->oldest->deadline_ms - now);
}

/* Read the configuration again (see generation.h): the answer for the operator. */
static json_object *reload(struct server *srv)
{
	json_object *answer;
	char why[700];
	size_t n = 0;

	if (generations_reload(&srv->gens, why, sizeof(why)) < 0) {
		log_msg(LOG_ERR, "reload refused, the running configuration stays: %s", why);
		srv->metrics.reloads_refused++;
		return control_error(why);
	}
	srv->cfg = srv->gens.current->cfg;
	if (srv->control_fd >= 0)
		control_apply_owner(srv->cfg);
	srv->metrics.reloads++;
	for (const struct profile *p = srv->cfg->profiles; p; p = p->next)
		n++;
	log_msg(LOG_INFO, "reloaded %s: %zu profiles", srv->gens.path, n);
	answer = json_object_new_object();
	json_object_object_add(answer, "reloaded", json_object_new_string(srv->gens.path));
	json_object_object_add(answer, "profiles", json_object_new_uint64(n));
	return answer;
}

static json_object *status(struct server *srv)
{
	json_object *o = metrics_json(&srv->metrics, srv->in_flight, now_ms());

	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "config", json_object_new_string(srv->gens.path));
	json_object_object_add(o, "socket", json_object_new_string(srv->cfg->socket_path));
	return o;
}

static void on_control_accept(struct server *srv)
{
	int fd;

	while ((fd = accept4(srv->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct operator *op;

		if (!control_authorized(fd, srv->cfg)) {
			control_reply(fd, control_error("permission denied: root or control_group only"));
			close(fd);
			continue;
		}
		op = calloc(1, sizeof(*op));
		if (!op) {
			close(fd);
			continue;
		}
		op->fd = fd;
		op->watch = (struct watch){ WATCH_OPERATOR, NULL };
		if (watch_fd(srv, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP, &op->watch) < 0) {
			close(fd);
			free(op);
		}
	}
}

static void on_operator(struct server *srv, struct operator *op)
{
	char cmd[32];
	int rc = control_read(op->fd, cmd, sizeof(cmd));

	if (rc == -EAGAIN)
		return;
	if (rc == 0) {
		if (!strcmp(cmd, "status"))
			control_reply(op->fd, status(srv));
		else if (!strcmp(cmd, "profiles"))
			control_reply(op->fd, control_profiles(srv->cfg));
		else if (!strcmp(cmd, "reload"))
			control_reply(op->fd, reload(srv));
		else
			control_reply(op->fd, control_error("unknown request: status, profiles or reload"));
	}
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, op->fd, NULL);
	close(op->fd);
	free(op);
}

/* 1 to go on, 0 to stop. */
static int on_signal(struct server *srv)
{
	struct signalfd_siginfo si;

	if (read(srv->signal_fd, &si, sizeof(si)) != sizeof(si))
		return 1;
	if (si.ssi_signo == SIGHUP) {
		json_object_put(reload(srv));
		return 1;
	}
	log_msg(LOG_INFO, "signal %u: stopping", si.ssi_signo);
	return 0;
}

int server_run(struct server *srv)
{
	struct epoll_event events[64];

	for (;;) {
		int n = epoll_wait(srv->epfd, events, 64, next_timeout(srv));

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = events[i].data.ptr;

			if (w->client && w->client->done)
				continue;
			switch (w->kind) {
			case WATCH_LISTEN:
				on_accept(srv);
				break;
			case WATCH_SIGNAL:
				if (!on_signal(srv))
					return 0;
				break;
			case WATCH_APP:
				on_app_event(srv, w->client, events[i].events);
				break;
			case WATCH_PEER:
				step(srv, w->client);
				break;
			case WATCH_CONTROL:
				on_control_accept(srv);
				break;
			case WATCH_OPERATOR:
				on_operator(srv, (struct operator *)w);
				break;
			}
		}
		expire(srv);
		free_finished(srv);
	}
}

/* server_open() failed: undo, leaving the configuration to the caller. */
static void open_failed(struct server *srv)
{
	generations_disown(&srv->gens);
	server_close(srv);
}

struct server *server_open(struct config *cfg, const char *config_path, char *err, size_t errlen)
{
	struct server *srv = calloc(1, sizeof(*srv));
	sigset_t mask;

	if (!srv || generations_init(&srv->gens, cfg, config_path) < 0) {
		free(srv);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = cfg;
	srv->epfd = srv->listen_fd = srv->signal_fd = srv->control_fd = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->signal_fd < 0 || srv->epfd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		open_failed(srv);
		return NULL;
	}
	srv->listen_fd = unix_listen(cfg->socket_path, 0666, err, errlen);
	if (srv->listen_fd < 0) {
		open_failed(srv);
		return NULL;
	}
	if (cfg->control_path[0]) {
		srv->control_fd = control_listen(cfg, err, errlen);
		if (srv->control_fd < 0) {
			open_failed(srv);
			return NULL;
		}
	}
	srv->listen_watch = (struct watch){ WATCH_LISTEN, NULL };
	srv->signal_watch = (struct watch){ WATCH_SIGNAL, NULL };
	srv->control_watch = (struct watch){ WATCH_CONTROL, NULL };
	if (srv->control_fd >= 0 &&
	    watch_fd(srv, EPOLL_CTL_ADD, srv->control_fd, EPOLLIN, &srv->control_watch) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		open_failed(srv);
		return NULL;
	}
	metrics_init(&srv->metrics, now_ms());
	if (watch_fd(srv, EPOLL_CTL_ADD, srv->listen_fd, EPOLLIN, &srv->listen_watch) < 0 ||
	    watch_fd(srv, EPOLL_CTL_ADD, srv->signal_fd, EPOLLIN, &srv->signal_watch) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		open_failed(srv);
		return NULL;
	}
	return srv;
}

void server_close(struct server *srv)
{
	while (srv->oldest) {
		struct client *c = srv->oldest;

		if (c->peer_fd >= 0) {
			handshake_abort(&c->hs, ESHUTDOWN, "ktlsd is stopping");
			finish_client(srv, c, &c->hs.reply);
		} else {
			finish_client(srv, c, NULL);
		}
	}
	free_finished(srv);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		unlink(srv->cfg->socket_path);
	}
	if (srv->control_fd >= 0) {
		close(srv->control_fd);
		unlink(srv->cfg->control_path);
	}
	if (srv->signal_fd >= 0)
		close(srv->signal_fd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	generations_free(&srv->gens);
	free(srv);
}
