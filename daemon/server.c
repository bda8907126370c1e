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
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "closer.h"
#include "fdpass.h"
#include "handshake.h"
#include "intake.h"
#include "log.h"
#include "quota.h"
#include "request.h"
#include "sandbox.h"
#include "metrics.h"
#include "server.h"
#include "worker.h"

/* Handshake states a worker keeps for reuse (2 MiB at most). */
#define HS_POOL_MAX	16

enum watch_kind {
	WATCH_LISTEN, WATCH_SIGNAL, WATCH_APP, WATCH_PEER, WATCH_CHANNEL, WATCH_CLOSER,
};

struct client;

/* What an epoll event is about. */
struct watch {
	enum watch_kind kind;
	struct client *client;
};

enum client_state {
	CLIENT_PENDING,		/* connected; its request not read yet */
	CLIENT_RUNNING,		/* authorized: a handshake in flight */
	CLIENT_IDLE,		/* a channel between requests: no timeout */
};

struct client {
	struct watch app_watch;		/* the application's unix connection */
	struct watch peer_watch;	/* the TCP socket it handed over */
	uint32_t peer_events;		/* what epoll watches it for */
	int app_fd;
	int peer_fd;			/* -1 until a valid request came */
	enum client_state state;
	int done;			/* finished, freed after this epoll batch */
	uint64_t started_ms, deadline_ms;
	uint64_t hs_deadline_ms;	/* the handshake's timeout; deadline_ms may be an earlier wake-up */
	struct client *prev, *next;	/* in its state's list, soonest deadline first */
	struct caller caller;
	int deferred;			/* not watched: no room to read its request yet */
	int keep;			/* a channel's request: the connection stays after the answer */
	struct handshake *hs;		/* allocated once the request is authorized */
};

struct server {
	const struct config *cfg;	/* the worker's, for its whole life */
	struct worker_slot *slot;	/* its counters, shared with the supervisor */
	struct metrics *metrics;	/* ... of which these */
	unsigned index;
	struct closer closer;
	struct quota quota;
	struct log_repeat refusals;
	int epfd, listen_fd, signal_fd, channel_fd;
	struct watch listen_watch, signal_watch, channel_watch, closer_watch;
	int retiring;			/* told to retire: no longer accepting */
	int accept_paused;		/* out of descriptors: not accepting */
	uint64_t accept_resume_ms;	/* try again by then at the latest */
	/*
	 * One list per state, each with its own timeout: every insertion
	 * lands at the end, but a wake-up's. Idle channels have none.
	 */
	struct deadlines {
		struct client *soonest, *latest;
	} waiting, running_list, idle;
	struct client *finished;	/* to free once the epoll batch is done */
	size_t pending, running;
	unsigned fd_cap;		/* handshakes RLIMIT_NOFILE leaves room for */
	size_t nofile;			/* RLIMIT_NOFILE */
	size_t deferred;		/* pending clients not watched for lack of room */
	struct t13_ticket_keys tickets;	/* TLS 1.3 session tickets: the supervisor's */
	struct key_client *keys;	/* the key process, for every profile's signatures */
	struct session_cache *cache12;	/* TLS 1.2 session IDs, shared by the workers */
	struct client_store *sessions;	/* TLS 1.3 sessions our client kept, shared by the workers */
	struct entropy_pool entropy;	/* the handshakes' seeds (server_run() seeds it) */
	int seccomp_probe;		/* test hook: sandbox_probe() once filtered */
	/*
	 * Wiped handshake states kept for the next ones: 125 KiB each, a
	 * malloc() and free() a handshake would move the heap's top (brk) and
	 * fault its pages in again every time.
	 */
	struct handshake *hs_pool[HS_POOL_MAX];
	unsigned hs_pooled;
};

/* Descriptors for ourselves: epoll, signals, sockets, logs, the closer. */
#define RESERVED_FDS 64
/* Ourselves, one message's descriptors, and a few handshakes. */
#define MIN_NOFILE (RESERVED_FDS + INTAKE_MAX_FDS + 3 * 16)

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

/* Handshakes in flight at once: the configuration's, or what descriptors allow. */
static unsigned max_running(const struct server *srv)
{
	return srv->cfg->max_handshakes < srv->fd_cap ? srv->cfg->max_handshakes : srv->fd_cap;
}

static struct deadlines *list_of(struct server *srv, const struct client *c)
{
	if (c->state == CLIENT_IDLE)
		return &srv->idle;
	return c->state == CLIENT_PENDING ? &srv->waiting : &srv->running_list;
}

static void unlink_deadline(struct server *srv, struct client *c)
{
	struct deadlines *l = list_of(srv, c);

	if (c->prev)
		c->prev->next = c->next;
	else
		l->soonest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->latest = c->prev;
	c->prev = c->next = NULL;
}

/*
 * Keep the list in deadline order. Within a list all clients share one
 * timeout (a worker's configuration never changes), so the walk from the
 * latest end stops at once, but for a wake-up (a client waiting for its
 * tickets, a few round trips away).
 */
static void set_deadline(struct server *srv, struct client *c, uint64_t deadline)
{
	struct deadlines *l = list_of(srv, c);
	struct client *after = l->latest;

	c->deadline_ms = deadline;
	while (after && after->deadline_ms > deadline)
		after = after->prev;
	c->prev = after;
	c->next = after ? after->next : l->soonest;
	if (c->next)
		c->next->prev = c;
	else
		l->latest = c;
	if (after)
		after->next = c;
	else
		l->soonest = c;
}

/* An idle channel counts as a connection waiting for its request, as it is. */
static void count_client(struct server *srv, struct client *c, int delta)
{
	struct quota_entry *q = quota_get(&srv->quota, c->caller.uid);

	if (c->state != CLIENT_RUNNING) {
		srv->pending += delta;
		srv->slot->pending = srv->pending;
		if (q)
			q->pending += delta;
		if (q && c->state == CLIENT_IDLE)
			q->idle += delta;
	} else {
		srv->running += delta;
		srv->slot->running = srv->running;
		if (q)
			q->running += delta;
	}
	if (delta < 0)
		quota_tidy(&srv->quota, c->caller.uid);
}

/*
 * Every descriptor from outside goes to the closer charged to the uid it
 * came from, until its close completes: a uid whose closes pile up (sockets
 * set to linger, files whose flush blocks) is refused before it can hand
 * over more (closing_budget()).
 */
static void charge_closes(struct server *srv, uid_t uid, size_t queued)
{
	struct quota_entry *q;

	if (queued && (q = quota_get(&srv->quota, uid)))
		q->closing += (unsigned)queued;
}

static void release_fd(struct server *srv, int fd, uid_t uid)
{
	charge_closes(srv, uid, closer_close(&srv->closer, fd, (uint32_t)uid));
}

/*
 * The loop collects completed closes at every turn; a completion wakes it
 * only while something waits for room: accepting paused, requests deferred.
 */
static void wake_on_closes(struct server *srv)
{
	closer_set_events(&srv->closer, srv->accept_paused || srv->deferred);
}

/* Closes one uid may have outstanding: two per handshake it may run, and a message's worth. */
static unsigned closing_budget(const struct server *srv)
{
	return 2 * srv->cfg->max_per_uid + INTAKE_MAX_FDS;
}

static int over_closing_budget(struct server *srv, uid_t uid)
{
	const struct quota_entry *q = quota_find(&srv->quota, uid);

	return q && q->closing >= closing_budget(srv);
}

/*
 * Room in our descriptor table for one more message's descriptors? Beyond
 * RLIMIT_NOFILE the kernel would drop them itself, closing them in this
 * thread: so no read while the room may be short.
 */
static int room_for_intake(struct server *srv)
{
	size_t held = srv->pending + 2 * srv->running + closer_pending(&srv->closer);

	return held + INTAKE_MAX_FDS + RESERVED_FDS < srv->nofile;
}

static struct handshake *take_handshake(struct server *srv)
{
	return srv->hs_pooled ? srv->hs_pool[--srv->hs_pooled] : malloc(sizeof(struct handshake));
}

/* Key material and the engine's secrets never outlive the handshake: wiped, then pooled. */
static void put_handshake(struct server *srv, struct handshake *hs)
{
	explicit_bzero(hs, sizeof(*hs));
	if (srv->hs_pooled < HS_POOL_MAX)
		srv->hs_pool[srv->hs_pooled++] = hs;
	else
		free(hs);
}

/* The TCP socket is let go through the closer; out of the epoll set first (see release_client()). */
static void release_peer(struct server *srv, struct client *c)
{
	if (c->peer_fd < 0)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->peer_fd, NULL);
	release_fd(srv, c->peer_fd, c->caller.uid);
	c->peer_fd = -1;
}

/*
 * Let go of both descriptors, through the closer: neither is ever closed
 * here. The TCP socket's file description stays open in the application,
 * so closing our fd would not take it out of the epoll set: it is removed
 * explicitly. The memory waits for the end of the batch, which may still
 * hold an event of this client.
 */
static void release_client(struct server *srv, struct client *c)
{
	uid_t uid = c->caller.uid;

	unlink_deadline(srv, c);
	if (c->deferred) {
		srv->deferred--;
		wake_on_closes(srv);
	}
	count_client(srv, c, -1);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->app_fd, NULL);
	release_fd(srv, c->app_fd, uid);
	release_peer(srv, c);
	quota_tidy(&srv->quota, uid);
	c->done = 1;
	c->next = srv->finished;
	srv->finished = c;
}

/*
 * A channel answered: the connection waits, with no timeout, for its next
 * request, counted all the while as a connection waiting for one (kept
 * only within the uid's and the worker's limits of those: may_keep()).
 * Only the TCP socket and the handshake's state go; an event of this
 * client still in the batch finds it idle.
 */
static void keep_channel(struct server *srv, struct client *c)
{
	unlink_deadline(srv, c);
	count_client(srv, c, -1);
	release_peer(srv, c);
	if (c->hs)
		put_handshake(srv, c->hs);
	c->hs = NULL;
	c->peer_events = 0;
	c->keep = 0;
	c->state = CLIENT_IDLE;
	count_client(srv, c, 1);
	set_deadline(srv, c, UINT64_MAX);
}

/* A channel's connection is kept only where a new one would be let wait. */
static int may_keep(struct server *srv, const struct client *c)
{
	const struct quota_entry *q = quota_find(&srv->quota, c->caller.uid);

	if (!c->keep || srv->retiring)
		return 0;
	/* A request refused before its handshake: counted as waiting already. */
	if (c->state != CLIENT_RUNNING)
		return 1;
	return srv->pending < max_running(srv) && (!q || q->pending < srv->cfg->max_per_uid);
}

/*
 * Send the outcome to the application (if it still listens), then keep the
 * connection (a channel) or let go of it. Before a connection is closed,
 * what the application queued behind its request is read, or it would get
 * ECONNRESET instead of our answer; a channel's application sends nothing
 * before the answer.
 */
static void finish_client(struct server *srv, struct client *c,
			  const struct ktlsd_wire_reply *reply)
{
	uid_t uid = c->caller.uid;

	if (reply && may_keep(srv, c)) {
		if (send(c->app_fd, reply, sizeof(*reply), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(*reply)) {
			keep_channel(srv, c);
			return;
		}
		log_msg(LOG_DEBUG, "%s: reply not delivered: %s", c->caller.who, strerror(errno));
		reply = NULL;
	}
	if (room_for_intake(srv))
		charge_closes(srv, uid, intake_drain(c->app_fd, &srv->closer, (uint32_t)uid));
	if (reply && send(c->app_fd, reply, sizeof(*reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_msg(LOG_DEBUG, "%s: reply not delivered: %s", c->caller.who, strerror(errno));
	release_client(srv, c);
}

/*
 * An idle channel let go (the worker retires or stops, or needs its slot):
 * closed with whatever is queued unread, so that a request crossing the
 * close comes back to libktlsd as ECONNRESET (its descriptor never reached
 * a handshake: it starts again on a new connection), never as a lost
 * hand-off.
 */
static void drop_channel(struct server *srv, struct client *c)
{
	release_client(srv, c);
}

/*
 * Room for one more connection of @uid waiting for its request? At the
 * worker's limit the oldest idle channels make it, at the uid's limit the
 * uid's own: kept channels never keep anyone out.
 */
static int room_to_wait(struct server *srv, uid_t uid)
{
	const struct quota_entry *q;
	struct client *c, *next;

	while (srv->pending >= max_running(srv) && srv->idle.soonest)
		drop_channel(srv, srv->idle.soonest);
	for (c = srv->idle.soonest; c; c = next) {
		q = quota_find(&srv->quota, uid);
		/* Under its limit, or nothing of its own to give way: no walk. */
		if (!q || q->pending < srv->cfg->max_per_uid || !q->idle)
			break;
		next = c->next;	/* dropping it puts it on the finished list */
		if (c->caller.uid == uid)
			drop_channel(srv, c);
	}
	q = quota_get(&srv->quota, uid);
	return q && srv->pending < max_running(srv) && q->pending < srv->cfg->max_per_uid;
}

static void free_client(struct server *srv, struct client *c)
{
	if (c->hs)
		put_handshake(srv, c->hs);
	caller_free(&c->caller);
	free(c);
}

static void free_finished(struct server *srv)
{
	while (srv->finished) {
		struct client *c = srv->finished;

		srv->finished = c->next;
		free_client(srv, c);
	}
}

static void log_outcome(struct server *srv, const struct client *c)
{
	const struct ktlsd_wire_reply *r = &c->hs->reply;
	const char *reason = r->tls_error_name[0] ? r->tls_error_name : strerrorname_np(r->status);

	metrics_handshake(srv->metrics, c->hs->profile->name, r->status, reason,
			  now_ms() - c->started_ms);
	if (r->status == 0)
		log_msg(LOG_INFO, "%s: profile %s, %s", c->caller.who, c->hs->profile->name, r->message);
	else
		log_msg(LOG_NOTICE, "%s: profile %s: handshake failed: %s (%s%s%s)", c->caller.who,
			c->hs->profile->name, r->message, strerror(r->status),
			r->tls_error_name[0] ? ", " : "", r->tls_error_name);
}

/*
 * A refusal is logged with who asked; a uid retrying in a loop, whatever it
 * varies in its requests, is cut short per kind of refusal (its errno).
 */
static void log_refusal(struct server *srv, const struct caller *who, int status, const char *what)
{
	char key[64];

	snprintf(key, sizeof(key), "uid %u: refused with %s", (unsigned)who->uid,
		 strerrorname_np(status));
	log_limited(&srv->refusals, now_ms(), key, LOG_NOTICE, "%s: request refused: %s (%s)",
		    who->who, what, strerrorname_np(status));
	metrics_refused(srv->metrics, status);
}

static void refuse(struct server *srv, struct client *c, int status, const char *what)
{
	struct ktlsd_wire_reply reply;

	log_refusal(srv, &c->caller, status, what);
	reply_failure(&reply, status, what);
	finish_client(srv, c, &reply);
}

/*
 * Over a limit before we keep any state: read the request if it is there
 * (so the caller's recv sees our answer, not ECONNRESET), answer, close.
 */
static void turn_away(struct server *srv, int fd, const struct caller *who, int status,
		      const char *what)
{
	struct ktlsd_wire_reply reply;

	log_refusal(srv, who, status, what);
	if (room_for_intake(srv) && !over_closing_budget(srv, who->uid))
		charge_closes(srv, who->uid, intake_drain(fd, &srv->closer, (uint32_t)who->uid));
	reply_failure(&reply, status, what);
	send(fd, &reply, sizeof(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
	release_fd(srv, fd, who->uid);
}

static int caller_allowed(const struct profile *p, const struct caller *who)
{
	return profile_allows(p, who->uid, who->gid, who->groups, who->group_count);
}

/*
 * Which profile, and may this caller have it now? 0 with *@out set, or an
 * errno with the reason in @err. A caller no profile admits learns nothing
 * about which profiles exist: EACCES for every name.
 */
static int authorize(struct server *srv, struct client *c, const struct ktlsd_wire_request *req,
		     const struct profile **out, char *err, size_t errlen)
{
	const struct profile *p = config_profile(srv->cfg, req->profile), *any;
	const struct quota_entry *q = quota_get(&srv->quota, c->caller.uid);
	int rc;

	/* Same status, same words, whatever the name: nothing to tell apart. */
	for (any = srv->cfg->profiles; any && !caller_allowed(any, &c->caller); any = any->next)
		;
	if (!any) {
		snprintf(err, errlen, "no profile allows this caller");
		return EACCES;
	}
	if (!p) {
		snprintf(err, errlen, "no such profile '%s'", req->profile);
		return ESRCH;
	}
	if (!caller_allowed(p, &c->caller)) {
		snprintf(err, errlen, "profile '%s' does not allow this caller", p->name);
		return EACCES;
	}
	if (req->role == KTLSD_ROLE_SERVER ? !p->policy.serve : !p->policy.connect) {
		snprintf(err, errlen, "profile '%s' cannot act as a %s: %s", p->name,
			 req->role == KTLSD_ROLE_SERVER ? "server" : "client",
			 req->role == KTLSD_ROLE_SERVER ? p->policy.no_serve : p->policy.no_connect);
		return EINVAL;
	}
	rc = request_check_socket(c->peer_fd, err, errlen);
	if (rc)
		return rc;
	if (srv->running >= max_running(srv)) {
		snprintf(err, errlen, "ktlsd is at its limit of %u handshakes in flight", max_running(srv));
		return EBUSY;
	}
	if (!q || q->running >= srv->cfg->max_per_uid) {
		snprintf(err, errlen, "uid %u has %u handshakes in flight (max_handshakes_per_uid)",
			 (unsigned)c->caller.uid, srv->cfg->max_per_uid);
		return EBUSY;
	}
	*out = p;
	return 0;
}

static void step(struct server *srv, struct client *c)
{
	enum hs_progress p = handshake_step(c->hs);
	uint64_t wake, deadline;
	uint32_t events;

	if (p == HS_DONE) {
		log_outcome(srv, c);
		finish_client(srv, c, &c->hs->reply);
		return;
	}
	/* A client waiting for tickets wants to be woken before the timeout. */
	wake = handshake_wake_ms(c->hs);
	deadline = wake && wake < c->hs_deadline_ms ? wake : c->hs_deadline_ms;
	if (deadline != c->deadline_ms) {
		unlink_deadline(srv, c);
		set_deadline(srv, c, deadline);
	}
	events = p == HS_WANT_READ ? EPOLLIN : EPOLLOUT;
	/* Level-triggered: watched for the same, it needs no system call. */
	if (events != c->peer_events && watch_fd(srv, EPOLL_CTL_MOD, c->peer_fd, events, &c->peer_watch) == 0)
		c->peer_events = events;
}

/* Authorized: the handshake's state is allocated only now. */
static void start_handshake(struct server *srv, struct client *c, const struct profile *p,
			    const struct ktlsd_wire_request *req)
{
	struct handshake_shared shared = { &srv->tickets, srv->sessions, srv->cache12, &srv->entropy };

	c->hs = take_handshake(srv);
	if (!c->hs) {
		refuse(srv, c, ENOMEM, "out of memory");
		return;
	}
	if (handshake_start(c->hs, c->peer_fd, p, req, &shared) < 0) {
		refuse(srv, c, c->hs->reply.status, c->hs->reply.message);
		return;
	}
	count_client(srv, c, -1);
	unlink_deadline(srv, c);
	c->state = CLIENT_RUNNING;
	count_client(srv, c, 1);
	c->hs_deadline_ms = now_ms() + srv->cfg->handshake_timeout_ms;
	set_deadline(srv, c, c->hs_deadline_ms);
	if (watch_fd(srv, EPOLL_CTL_ADD, c->peer_fd, EPOLLIN, &c->peer_watch) < 0) {
		handshake_abort(c->hs, errno, "cannot watch the socket");
		log_outcome(srv, c);
		finish_client(srv, c, &c->hs->reply);
		return;
	}
	c->peer_events = EPOLLIN;
	step(srv, c);
}

static void pause_accepting(struct server *srv, int err);

/* No room to read this client's request now: stop watching it until there is. */
static void defer_client(struct server *srv, struct client *c)
{
	if (c->deferred)
		return;
	c->deferred = 1;
	srv->deferred++;
	wake_on_closes(srv);
	/* Out of the set: a mask of 0 still reports EPOLLHUP, which would spin the loop. */
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->app_fd, NULL);
	pause_accepting(srv, EMFILE);
}

/* Watch the deferred again: epoll reports those whose request is waiting. */
static void resume_deferred(struct server *srv)
{
	for (struct client *c = srv->waiting.soonest; c && srv->deferred; c = c->next) {
		if (!c->deferred)
			continue;
		c->deferred = 0;
		srv->deferred--;
		watch_fd(srv, EPOLL_CTL_ADD, c->app_fd, EPOLLIN | EPOLLRDHUP, &c->app_watch);
	}
	wake_on_closes(srv);
}

static void on_request(struct server *srv, struct client *c)
{
	struct ktlsd_wire_request req;
	const struct profile *p = NULL;
	struct intake_msg msg;
	struct request_in in;
	uint32_t owner = (uint32_t)c->caller.uid;
	char err[320];
	int rc;

	if (over_closing_budget(srv, c->caller.uid)) {
		refuse(srv, c, EBUSY, "too many of this uid's descriptors are still being closed");
		return;
	}
	if (!room_for_intake(srv)) {
		defer_client(srv, c);
		return;
	}
	rc = intake_read(c->app_fd, &msg);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		return;
	if (rc <= 0) {
		finish_client(srv, c, NULL);
		return;
	}
	in = (struct request_in){ msg.data, msg.len, msg.fds_truncated, msg.fds, msg.fd_count };
	rc = request_parse(&in, &req, err, sizeof(err));
	if (rc) {
		charge_closes(srv, c->caller.uid, intake_release(&msg, -1, &srv->closer, owner));
		refuse(srv, c, rc, err);
		return;
	}
	c->peer_fd = msg.fds[0];
	c->keep = req.version == KTLSD_WIRE_VERSION_CHANNEL;
	charge_closes(srv, c->caller.uid, intake_release(&msg, c->peer_fd, &srv->closer, owner));
	rc = authorize(srv, c, &req, &p, err, sizeof(err));
	if (rc) {
		refuse(srv, c, rc, err);
		return;
	}
	start_handshake(srv, c, p, &req);
}

/* A channel's next request (or its end): read as a new connection's, within request_timeout. */
static void wake_channel(struct server *srv, struct client *c)
{
	struct quota_entry *q = quota_find(&srv->quota, c->caller.uid);

	unlink_deadline(srv, c);
	/* Still waiting for a request: counted as pending, no longer as idle. */
	if (q && q->idle)
		q->idle--;
	c->state = CLIENT_PENDING;
	c->started_ms = now_ms();
	set_deadline(srv, c, c->started_ms + srv->cfg->request_timeout_ms);
}

static void on_app_event(struct server *srv, struct client *c)
{
	if (c->state == CLIENT_IDLE)
		wake_channel(srv, c);
	if (c->state == CLIENT_PENDING) {
		on_request(srv, c);
		return;
	}
	/* The application hung up (or broke protocol) mid-handshake. */
	handshake_abort(c->hs, ECANCELED, "the application cancelled the hand-off");
	log_outcome(srv, c);
	finish_client(srv, c, NULL);
}

static void new_client(struct server *srv, int fd)
{
	struct client *c;
	struct caller who;

	if (caller_identify(&who, fd) < 0) {
		closer_close(&srv->closer, fd, (uint32_t)-1);
		return;
	}
	if (!room_to_wait(srv, who.uid) || !(c = calloc(1, sizeof(*c)))) {
		turn_away(srv, fd, &who, EBUSY, "ktlsd is at its limit of connections waiting for a request");
		quota_tidy(&srv->quota, who.uid);
		caller_free(&who);
		return;
	}
	c->app_fd = fd;
	c->peer_fd = -1;
	c->state = CLIENT_PENDING;
	c->caller = who;
	c->app_watch = (struct watch){ WATCH_APP, c };
	c->peer_watch = (struct watch){ WATCH_PEER, c };
	c->started_ms = now_ms();
	count_client(srv, c, 1);
	set_deadline(srv, c, c->started_ms + srv->cfg->request_timeout_ms);
	if (watch_fd(srv, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP, &c->app_watch) < 0) {
		finish_client(srv, c, NULL);
		return;
	}
	/* libktlsd sends the request right after connect(): usually it is here. */
	on_request(srv, c);
}

/* Out of descriptors: stop watching the listening socket until one is freed. */
static void pause_accepting(struct server *srv, int err)
{
	if (srv->accept_paused)
		return;
	srv->accept_paused = 1;
	wake_on_closes(srv);
	srv->accept_resume_ms = now_ms() + 1000;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->listen_fd, NULL);
	log_limited(&srv->refusals, now_ms(), "accept paused", LOG_WARNING,
		    "accept: %s: not accepting until a descriptor is freed", strerror(err));
}

static void resume_accepting(struct server *srv)
{
	if (!srv->accept_paused)
		return;
	srv->accept_paused = 0;
	wake_on_closes(srv);
	if (!srv->retiring)
		watch_fd(srv, EPOLL_CTL_ADD, srv->listen_fd, EPOLLIN, &srv->listen_watch);
}

static void on_accept(struct server *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			new_client(srv, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			pause_accepting(srv, errno);
		return;
	}
}

/* Descriptors were closed: settle each uid's account, then resume what waited for room. */
static void on_closed(struct server *srv)
{
	uint32_t owners[256];
	size_t n;

	/* All of them: without a wake-up, what is left would wait for another event. */
	do {
		n = closer_collect(&srv->closer, owners, 256);
		for (size_t i = 0; i < n; i++) {
			struct quota_entry *q = quota_find(&srv->quota, (uid_t)owners[i]);

			if (q && q->closing) {
				q->closing--;
				quota_tidy(&srv->quota, (uid_t)owners[i]);
			}
		}
	} while (n == 256);
	if (!room_for_intake(srv))
		return;
	resume_accepting(srv);
	if (srv->deferred)
		resume_deferred(srv);
}

static void expire(struct server *srv)
{
	uint64_t now = now_ms();
	char what[96];

	if (srv->accept_paused && srv->accept_resume_ms <= now)
		resume_accepting(srv);
	while (srv->waiting.soonest && srv->waiting.soonest->deadline_ms <= now) {
		struct ktlsd_wire_reply reply;

		reply_failure(&reply, ETIMEDOUT, "no request within request_timeout");
		finish_client(srv, srv->waiting.soonest, &reply);
	}
	while (srv->running_list.soonest && srv->running_list.soonest->deadline_ms <= now) {
		struct client *c = srv->running_list.soonest;

		/*
		 * A wake-up, not the timeout: the handshake moves on (or waits
		 * again). At the timeout, one that only waits for tickets is done.
		 */
		if (c->deadline_ms < c->hs_deadline_ms || handshake_stop_waiting(c->hs)) {
			step(srv, c);
			continue;
		}
		snprintf(what, sizeof(what), "handshake timed out after %llu ms",
			 (unsigned long long)(now - c->started_ms));
		handshake_abort(c->hs, ETIMEDOUT, what);
		log_outcome(srv, c);
		finish_client(srv, c, &c->hs->reply);
	}
}

/* Milliseconds to the next deadline, for epoll_wait: -1 none, never negative. */
static int next_timeout(const struct server *srv)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	if (srv->waiting.soonest)
		next = srv->waiting.soonest->deadline_ms;
	if (srv->running_list.soonest && srv->running_list.soonest->deadline_ms < next)
		next = srv->running_list.soonest->deadline_ms;
	if (srv->accept_paused && srv->accept_resume_ms < next)
		next = srv->accept_resume_ms;
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/* How many handshakes the descriptor limit leaves room for (each: two, and one waiting). */
static void check_fd_limit(struct server *srv)
{
	struct rlimit lim;
	rlim_t room = 0;

	srv->nofile = 1024;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
		room = lim.rlim_cur > MIN_NOFILE ? (lim.rlim_cur - RESERVED_FDS - INTAKE_MAX_FDS) / 3 : 1;
		srv->nofile = lim.rlim_cur > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)lim.rlim_cur;
	}
	srv->fd_cap = room > UINT_MAX ? UINT_MAX : room ? (unsigned)room : 1;
	if (srv->fd_cap < srv->cfg->max_handshakes)
		log_msg(LOG_WARNING, "max_handshakes %u is more than RLIMIT_NOFILE %llu allows: "
			"at most %u handshakes in flight", srv->cfg->max_handshakes,
			(unsigned long long)lim.rlim_cur, srv->fd_cap);
}

/* 1 to go on, 0 to stop. */
static int on_signal(struct server *srv)
{
	struct signalfd_siginfo si;

	if (read(srv->signal_fd, &si, sizeof(si)) != sizeof(si))
		return 1;
	if (si.ssi_signo == SIGHUP) {
		log_msg(LOG_DEBUG, "worker %u: SIGHUP ignored: the supervisor reloads", srv->index);
		return 1;
	}
	log_msg(LOG_INFO, "worker %u: signal %u: stopping", srv->index, si.ssi_signo);
	return 0;
}

/* Stop accepting: the connections held are served, then the loop ends. */
static void retire(struct server *srv)
{
	if (srv->retiring)
		return;
	srv->retiring = 1;
	if (!srv->accept_paused)
		epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->listen_fd, NULL);
	close(srv->listen_fd);
	srv->listen_fd = -1;
	/* Their next requests go to the workers that replace us. */
	while (srv->idle.soonest)
		drop_channel(srv, srv->idle.soonest);
	log_msg(LOG_DEBUG, "worker %u: retiring with %zu connections", srv->index,
		srv->pending + srv->running);
}

/* An order from the supervisor (worker.h). 1 to go on, 0 to stop: it is gone. */
static int on_order(struct server *srv)
{
	struct worker_msg msg;
	int go_on = 1, fd;
	ssize_t n = fdpass_recv(srv->channel_fd, &msg, sizeof(msg), &fd);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		log_msg(LOG_WARNING, "worker %u: the supervisor is gone: stopping", srv->index);
		return 0;
	}
	if (n == sizeof(msg) && msg.order == WORKER_RETIRE) {
		retire(srv);
	} else if (n == sizeof(msg) && msg.order == WORKER_TICKET_KEYS) {
		t13_ticket_keys_wipe(&srv->tickets);
		srv->tickets = msg.keys;
		srv->tickets.rotated_elsewhere = 1;
	} else if (n == sizeof(msg) && msg.order == WORKER_KEY_CHANNEL && fd >= 0 && srv->keys) {
		key_client_set_fd(srv->keys, fd);
		fd = -1;
	} else {
		log_msg(LOG_ERR, "worker %u: a malformed order (%zd bytes)", srv->index, n);
		go_on = 0;
	}
	/* Ours: the supervisor sends nothing a close could block on. */
	if (fd >= 0)
		close(fd);
	explicit_bzero(&msg, sizeof(msg));
	return go_on;
}

static size_t closer_capacity(void);

/*
 * The closer's threads start here, not in server_open(): after daemon()'s
 * fork (threads do not survive it) and after the privilege drop
 * (capabilities are per thread: a thread started before would keep root's).
 */
static int start_closer(struct server *srv)
{
	if (closer_init(&srv->closer, closer_capacity()) < 0) {
		log_msg(LOG_ERR, "closer threads: %s", strerror(errno));
		return -1;
	}
	srv->closer_watch = (struct watch){ WATCH_CLOSER, NULL };
	if (watch_fd(srv, EPOLL_CTL_ADD, closer_event_fd(&srv->closer), EPOLLIN,
		     &srv->closer_watch) < 0) {
		log_msg(LOG_ERR, "epoll: %s", strerror(errno));
		return -1;
	}
	/* The loop collects at every turn; a wake-up only while accepting waits for room. */
	wake_on_closes(srv);
	return 0;
}

int server_run(struct server *srv)
{
	struct epoll_event events[64];

	char err[160];

	if (start_closer(srv) < 0)
		return 1;
	/* Seeded in the process that draws from it, after any fork. */
	if (entropy_pool_init(&srv->entropy) < 0) {
		log_msg(LOG_ERR, "worker %u: getrandom: %s", srv->index, strerror(errno));
		return 1;
	}
	check_fd_limit(srv);
	/* Last: the closer's first thread and the limits are set up. */
	if (sandbox_enter(err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "worker %u: %s", srv->index, err);
		return 1;
	}
	if (srv->seccomp_probe)
		sandbox_probe();
	for (;;) {
		int n = epoll_wait(srv->epfd, events, 64, next_timeout(srv));

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		/* Closes completed since the last turn, before any request is charged. */
		on_closed(srv);
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
				on_app_event(srv, w->client);
				break;
			case WATCH_CLOSER:
				on_closed(srv);
				break;
			case WATCH_PEER:
				/* A channel answered earlier in this batch no longer holds it. */
				if (w->client->state == CLIENT_RUNNING)
					step(srv, w->client);
				break;
			case WATCH_CHANNEL:
				if (!on_order(srv))
					return 0;
				break;
			}
		}
		expire(srv);
		free_finished(srv);
		if (srv->retiring && !srv->pending && !srv->running)
			return 0;
	}
}

/* The closer's queue: every descriptor we may hold at once. */
static size_t closer_capacity(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur > (1u << 20))
		return 1u << 20;
	return (size_t)lim.rlim_cur;
}

size_t server_min_nofile(void)
{
	return MIN_NOFILE;
}

struct server *server_open(const struct worker_start *ws, char *err, size_t errlen)
{
	struct server *srv = calloc(1, sizeof(*srv));
	sigset_t mask;

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->cfg = ws->cfg;
	srv->index = ws->index;
	srv->slot = ws->slot;
	srv->metrics = &ws->slot->metrics;
	srv->listen_fd = ws->listen_fd;
	srv->channel_fd = ws->channel_fd;
	srv->keys = ws->keys;
	srv->cache12 = ws->cache12;
	srv->tickets = *ws->tickets;
	srv->tickets.rotated_elsewhere = 1;
	srv->epfd = srv->signal_fd = -1;
	srv->sessions = ws->sessions;
	srv->seccomp_probe = ws->seccomp_probe;
	/* The supervisor blocked them: they are read here as events. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	srv->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->listen_watch = (struct watch){ WATCH_LISTEN, NULL };
	srv->signal_watch = (struct watch){ WATCH_SIGNAL, NULL };
	srv->channel_watch = (struct watch){ WATCH_CHANNEL, NULL };
	if (srv->signal_fd < 0 || srv->epfd < 0 ||
	    watch_fd(srv, EPOLL_CTL_ADD, srv->listen_fd, EPOLLIN, &srv->listen_watch) < 0 ||
	    watch_fd(srv, EPOLL_CTL_ADD, srv->signal_fd, EPOLLIN, &srv->signal_watch) < 0 ||
	    watch_fd(srv, EPOLL_CTL_ADD, srv->channel_fd, EPOLLIN, &srv->channel_watch) < 0) {
		snprintf(err, errlen, "worker %u: %s", ws->index, strerror(errno));
		server_close(srv);
		return NULL;
	}
	return srv;
}

void server_close(struct server *srv)
{
	srv->retiring = 1;	/* no channel is kept from here on */
	while (srv->idle.soonest)
		drop_channel(srv, srv->idle.soonest);
	while (srv->waiting.soonest || srv->running_list.soonest) {
		struct client *c = srv->running_list.soonest ? srv->running_list.soonest :
				   srv->waiting.soonest;

		struct ktlsd_wire_reply reply;

		if (c->state == CLIENT_RUNNING) {
			handshake_abort(c->hs, ESHUTDOWN, "ktlsd is stopping");
			finish_client(srv, c, &c->hs->reply);
		} else {
			reply_failure(&reply, ESHUTDOWN, "ktlsd is stopping");
			finish_client(srv, c, &reply);
		}
	}
	free_finished(srv);
	if (srv->closer.state)
		closer_stop(&srv->closer);
	quota_free(&srv->quota);
	/* Ours: the listening socket is the supervisor's to unlink. */
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->channel_fd >= 0)
		close(srv->channel_fd);
	if (srv->signal_fd >= 0)
		close(srv->signal_fd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	t13_ticket_keys_wipe(&srv->tickets);
	entropy_pool_wipe(&srv->entropy);
	while (srv->hs_pooled)
		free(srv->hs_pool[--srv->hs_pooled]);
	free(srv);
}
