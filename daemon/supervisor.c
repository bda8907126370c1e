// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "closer.h"
#include "control.h"
#include "fdpass.h"
#include "client_store.h"
#include "generation.h"
#include "key_client.h"
#include "keyproc.h"
#include "log.h"
#include "metrics.h"
#include "privilege.h"
#include "sandbox.h"
#include "server.h"
#include "session_cache.h"
#include "supervisor.h"
#include "tls13/engine.h"
#include "unixsock.h"
#include "worker.h"

/* A full set of workers and its key process. */
#define SET			(CONFIG_MAX_WORKERS + 1)
#define SLOTS			WORKER_SLOTS
/* A worker that lived this long is started again at once when it dies. */
#define STABLE_MS		10000
#define BACKOFF_FIRST_MS	100
#define BACKOFF_MAX_MS		30000
/* How long the workers have to answer what they hold when the daemon stops. */
#define STOP_GRACE_MS		10000

enum sup_watch_kind { SUP_SIGNAL, SUP_CONTROL, SUP_CLOSER, SUP_OPERATOR };

/* What an epoll event is about; an operator's connection carries its fd. */
struct sup_watch {
	enum sup_watch_kind kind;
	int fd;
};

/*
 * A worker process, in the slot of the shared mapping with its index; or a
 * key process (keyproc.h), one per configuration still served.
 */
struct worker {
	int in_use;		/* running, or waiting to be started again */
	int keys;		/* the key process of its generation */
	unsigned gen;		/* the configuration it serves: supervisor's gen, or older */
	int retiring;		/* of an older configuration: not started again */
	pid_t pid;		/* 0: not running */
	int channel;		/* our end, or -1 */
	unsigned index;		/* its place in the current set */
	uint64_t started_ms;
	uint64_t restart_ms;	/* when to start it again; 0: not waiting */
	unsigned backoff_ms;	/* the pause before the next restart */
	unsigned restarts;
};

struct supervisor {
	struct generations gens;
	const struct config *cfg;	/* the current one */
	struct metrics metrics;		/* reloads, and the counts of workers that ended */
	struct closer closer;
	int epfd, listen_fd, control_fd, signal_fd;
	struct sup_watch signal_watch, control_watch, closer_watch;
	struct t13_ticket_keys tickets;	/* made and rotated here only */
	struct session_cache *cache12;	/* TLS 1.2 session IDs, shared by the workers */
	struct client_store *sessions;	/* TLS 1.3 sessions our client keeps, shared by them */
	uint8_t *slots;			/* SLOTS of slot_stride bytes, shared with the workers */
	size_t slot_stride;		/* a slot's size, rounded up to whole pages */
	struct worker workers[SLOTS];
	unsigned restarts;		/* of every worker, since the start */
	unsigned gen;			/* the configuration's generation: one more per reload */
	int seccomp_probe;		/* KTLSD_TEST_SECCOMP_PROBE: for the next worker started */
	pid_t pid;
};

/* What the supervisor reads from its signalfd: stop, reload, a child ended. */
static void our_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGCHLD);
}

static int watch(struct supervisor *sup, int fd, struct sup_watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return epoll_ctl(sup->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static struct worker_slot *slot_of(struct supervisor *sup, const struct worker *w)
{
	return (struct worker_slot *)(sup->slots + (size_t)(w - sup->workers) * sup->slot_stride);
}

/*
 * In a child: every slot but @own's (NULL: all) out of its memory, so a
 * worker taken over by a peer cannot write what another reports (nor read
 * it), and the key process holds none. An anonymous mapping once unmapped
 * cannot be found again.
 */
static void keep_slot(struct supervisor *sup, const struct worker *own)
{
	for (size_t i = 0; i < SLOTS; i++)
		if (!own || &sup->workers[i] != own)
			munmap(sup->slots + i * sup->slot_stride, sup->slot_stride);
}

/*
 * In a new process: what only the supervisor uses is closed (all but stdio
 * and the @nkeep descriptors of @keep, sorted), it dies with the
 * supervisor, and ps -o comm and top show @name. 0, or -1 if the
 * supervisor is gone already.
 */
static int child_setup(struct supervisor *sup, const char *name, const int *keep, size_t nkeep)
{
	unsigned from = 3;

	/* A supervisor killed outright takes its children along. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != sup->pid)
		return -1;
	prctl(PR_SET_NAME, name);
	/*
	 * Every descriptor but stdio and @keep (sorted) is the supervisor's:
	 * its sockets and channels, operators' connections, what its closer
	 * holds. The supervisor keeps its own reference to all but the last
	 * (an operator's, root or control_group only), so no close here
	 * releases what another process queued.
	 */
	log_after_fork();
	for (size_t i = 0; i < nkeep; i++) {
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0u, 0);
	return 0;
}

/* Sort the @n descriptors of @fds, for child_setup(). */
static void sort_fds(int *fds, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && fds[j] < fds[j - 1]; j--) {
			int t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
}

/* The key process: the configuration's keys, signing for the workers. */
static int keys_main(struct supervisor *sup, int control)
{
	struct keyproc kp;
	char err[160];
	sigset_t none;

	if (child_setup(sup, "ktlsd-keys", &control, 1) < 0)
		return 1;
	/* It signs over sockets it was given: CAP_NET_ADMIN is the workers' business. */
	if (privilege_drop_caps(err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "key process: %s", err);
		return 1;
	}
	t13_ticket_keys_wipe(&sup->tickets);
	keep_slot(sup, NULL);
	/* Sessions are the workers' business, not the key process's. */
	munmap(sup->cache12, sizeof(*sup->cache12));
	munmap(sup->sessions, sizeof(*sup->sessions));
	/* No signal loop here: SIGTERM ends it, as it should. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (keyproc_init(&kp, sup->gens.current->cfg) < 0) {
		log_msg(LOG_ERR, "key process: %s", strerror(errno));
		return 1;
	}
	/* It parses what workers send, one of which a peer may have taken over. */
	if (sandbox_enter(err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "key process: %s", err);
		return 1;
	}
	return keyproc_run(&kp, control);
}

/*
 * A worker's loop, on its own copy of the configuration: every private key
 * in it is forgotten first, and signed with by the key process over @keys.
 */
static int worker_main(struct supervisor *sup, struct worker *w, int channel, int keys)
{
	struct key_client kc;
	struct worker_start ws = {
		.cfg = sup->cfg, .index = w->index, .listen_fd = sup->listen_fd,
		.channel_fd = channel, .slot = slot_of(sup, w), .tickets = &sup->tickets,
		.keys = &kc, .cache12 = sup->cache12, .sessions = sup->sessions,
		.seccomp_probe = sup->seccomp_probe,
	};
	struct server *srv;
	char err[256], name[16];
	int keep[] = { sup->listen_fd, channel, keys };
	uint32_t n = 0;
	int rc;

	snprintf(name, sizeof(name), "ktlsd-worker%u", w->index);
	sort_fds(keep, 3);
	if (child_setup(sup, name, keep, 3) < 0)
		return 1;
	keep_slot(sup, w);
	key_client_init(&kc);
	key_client_set_fd(&kc, keys);
	for (struct profile *p = sup->gens.current->cfg->profiles; p; p = p->next, n++) {
		if (!p->creds.key_type)
			continue;
		creds_forget_key(&p->creds);
		p->creds.signer = &kc;
		p->creds.key_id = n;
	}
	srv = server_open(&ws, err, sizeof(err));
	/* The server has its copy: the supervisor's, from the fork, must not linger. */
	t13_ticket_keys_wipe(&sup->tickets);
	if (!srv) {
		log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	rc = server_run(srv);
	server_close(srv);
	key_client_set_fd(&kc, -1);
	return rc;
}

/* The running key process of generation @gen, or NULL. */
static struct worker *keys_of(struct supervisor *sup, unsigned gen)
{
	for (size_t i = 0; i < SLOTS; i++) {
		struct worker *k = &sup->workers[i];

		if (k->in_use && k->keys && k->gen == gen)
			return k->pid ? k : NULL;
	}
	return NULL;
}

/* Give the key process of @gen its end of a worker's channel, @fd (closed here). */
static void give_keys_end(struct supervisor *sup, unsigned gen, int fd)
{
	static const char one = 1;
	struct worker *k = keys_of(sup, gen);

	if (k && fdpass_send(k->channel, &one, 1, fd) < 0)
		log_msg(LOG_ERR, "the key process: a worker's channel not handed over: %s",
			strerror(errno));
	/* Its queue may hold what a worker sent: closed off the loop. */
	closer_close(&sup->closer, fd, CONTROL_OWNER);
}

/* The key process @k was started (again): a new channel to it for each worker it signs for. */
static void reconnect_workers(struct supervisor *sup, const struct worker *k)
{
	struct worker_msg order = { .order = WORKER_KEY_CHANNEL };

	for (size_t i = 0; i < SLOTS; i++) {
		struct worker *w = &sup->workers[i];
		int kp[2];

		if (!w->pid || w->keys || w->gen != k->gen)
			continue;
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, kp) < 0) {
			log_msg(LOG_ERR, "worker %u: no channel to the key process: %s", w->index,
				strerror(errno));
			continue;
		}
		if (fdpass_send(w->channel, &order, sizeof(order), kp[1]) < 0)
			log_msg(LOG_ERR, "worker %u: the key channel not handed over: %s", w->index,
				strerror(errno));
		close(kp[1]);
		give_keys_end(sup, k->gen, kp[0]);
	}
}

/* The next restart of @w after it died, having lived @lived_ms: at once, or after a pause. */
static void schedule_restart(struct worker *w, uint64_t now, uint64_t lived_ms)
{
	if (lived_ms >= STABLE_MS)
		w->backoff_ms = 0;
	w->restart_ms = now + w->backoff_ms;
	w->backoff_ms = !w->backoff_ms ? BACKOFF_FIRST_MS :
			w->backoff_ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : 2 * w->backoff_ms;
}

static int start_worker(struct supervisor *sup, struct worker *w)
{
	struct worker_slot *slot = slot_of(sup, w);
	uint64_t now = t13_now_ms();
	int sv[2], kp[2] = { -1, -1 };
	pid_t pid;

	w->in_use = 1;
	w->restart_ms = 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		goto fail;
	if (!w->keys && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, kp) < 0) {
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	memset(slot, 0, sizeof(*slot));
	metrics_init(&slot->metrics, now);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		if (w->keys)
			_exit(keys_main(sup, sv[1]));
		close(kp[0]);
		_exit(worker_main(sup, w, sv[1], kp[1]));
	}
	close(sv[1]);
	if (!w->keys)
		close(kp[1]);
	if (pid < 0) {
		close(sv[0]);
		if (!w->keys)
			close(kp[0]);
		goto fail;
	}
	w->pid = pid;
	if (!w->keys)
		sup->seccomp_probe = 0;
	w->channel = sv[0];
	w->started_ms = now;
	log_msg(LOG_DEBUG, "%s %u: started, pid %d", w->keys ? "key process" : "worker", w->index,
		(int)pid);
	if (w->keys)
		reconnect_workers(sup, w);
	else
		give_keys_end(sup, w->gen, kp[0]);
	return 0;
fail:
	log_msg(LOG_ERR, "%s %u: cannot start: %s", w->keys ? "key process" : "worker", w->index,
		strerror(errno));
	schedule_restart(w, now, 0);
	return -1;
}

/* @w's slot is free again (a worker that will not be started again). */
static void free_slot(struct worker *w)
{
	*w = (struct worker){ .channel = -1 };
}

static struct worker *free_worker(struct supervisor *sup)
{
	for (size_t i = 0; i < SLOTS; i++)
		if (!sup->workers[i].in_use)
			return &sup->workers[i];
	return NULL;
}

/*
 * Start the current configuration's key process, then cfg->workers workers,
 * in free slots; reload() made sure there is room.
 */
static void start_workers(struct supervisor *sup)
{
	struct worker *k = free_worker(sup);

	if (!k)
		return;
	*k = (struct worker){ .keys = 1, .gen = sup->gen, .channel = -1 };
	start_worker(sup, k);
	for (unsigned i = 0; i < sup->cfg->workers; i++) {
		struct worker *w = free_worker(sup);

		if (!w)
			return;
		*w = (struct worker){ .index = i, .gen = sup->gen, .channel = -1 };
		start_worker(sup, w);
	}
}

/* An old generation whose last worker has ended: its key process goes too. */
static void end_keys_if_unused(struct supervisor *sup, unsigned gen)
{
	if (gen == sup->gen)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		const struct worker *w = &sup->workers[i];

		if (w->in_use && !w->keys && w->gen == gen)
			return;
	}
	for (size_t i = 0; i < SLOTS; i++) {
		struct worker *k = &sup->workers[i];

		if (k->in_use && k->keys && k->gen == gen) {
			if (k->pid)
				kill(k->pid, SIGTERM);
			else
				free_slot(k);
		}
	}
}

static void send_order(struct worker *w, const struct worker_msg *msg)
{
	if (w->pid && w->channel >= 0 &&
	    send(w->channel, msg, sizeof(*msg), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_msg(LOG_WARNING, "worker %u (pid %d): order %u not delivered: %s", w->index,
			(int)w->pid, msg->order, strerror(errno));
}

static void send_ticket_keys(struct supervisor *sup)
{
	struct worker_msg msg = { .order = WORKER_TICKET_KEYS, .keys = sup->tickets };

	for (size_t i = 0; i < SLOTS; i++)
		if (!sup->workers[i].keys)
			send_order(&sup->workers[i], &msg);
	explicit_bzero(&msg, sizeof(msg));
}

/* How a child ended, for the log. */
static void describe_exit(int status, char *out, size_t len)
{
	if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));

		snprintf(out, len, "was killed by signal %d (SIG%s)%s%s", WTERMSIG(status),
			 name ? name : "?", WCOREDUMP(status) ? ", core dumped" : "",
			 /* a worker's only source of it (sandbox.h) */
			 WTERMSIG(status) == SIGSYS ? ": a system call outside its seccomp filter" : "");
	} else {
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
	}
}

/* A worker ended: keep its counts; start it again unless it was retiring. */
static void worker_ended(struct supervisor *sup, struct worker *w, int status, int stopping)
{
	uint64_t now = t13_now_ms();
	char how[160];

	describe_exit(status, how, sizeof(how));
	if (!w->keys)
		metrics_merge(&sup->metrics, &slot_of(sup, w)->metrics);
	/* A worker may have queued descriptors on it: closed off the loop. */
	closer_close(&sup->closer, w->channel, CONTROL_OWNER);
	w->channel = -1;
	w->pid = 0;
	if (w->retiring || stopping) {
		unsigned gen = w->gen;
		int keys = w->keys;

		log_msg(w->retiring && (keys || (WIFEXITED(status) && !WEXITSTATUS(status))) ?
			LOG_DEBUG : LOG_NOTICE, "%s %u %s", keys ? "key process" : "worker",
			w->index, how);
		free_slot(w);
		if (!keys)
			end_keys_if_unused(sup, gen);
		return;
	}
	w->restarts++;
	sup->restarts++;
	schedule_restart(w, now, now - w->started_ms);
	if (w->keys)
		log_msg(LOG_ERR, "the key process %s: handshakes waiting for a signature failed; "
			"starting it again%s", how,
			w->restart_ms > now ? " after a pause: it keeps dying" : "");
	else
		log_msg(LOG_ERR, "worker %u %s: the hand-offs it held failed (EIO); starting it again%s",
			w->index, how, w->restart_ms > now ? " after a pause: it keeps dying" : "");
}

static void child_ended(struct supervisor *sup, pid_t pid, int status, int stopping)
{
	for (size_t i = 0; i < SLOTS; i++) {
		if (sup->workers[i].pid == pid) {
			worker_ended(sup, &sup->workers[i], status, stopping);
			return;
		}
	}
}

/* Every child that ended, without waiting. */
static void reap(struct supervisor *sup, int stopping)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		child_ended(sup, pid, status, stopping);
}

static void start_due(struct supervisor *sup)
{
	uint64_t now = t13_now_ms();

	for (size_t i = 0; i < SLOTS; i++) {
		struct worker *w = &sup->workers[i];

		if (w->in_use && !w->pid && w->restart_ms && w->restart_ms <= now)
			start_worker(sup, w);
	}
}

static unsigned workers_in_use(const struct supervisor *sup)
{
	unsigned n = 0;

	for (size_t i = 0; i < SLOTS; i++)
		n += sup->workers[i].in_use;
	return n;
}

/*
 * A new configuration is current: new workers and key process on it, the
 * old ones retired (the old key process stays while old workers do). The
 * answer for the operator.
 */
static json_object *roll_over(struct supervisor *sup)
{
	struct worker_msg retire = { .order = WORKER_RETIRE };
	json_object *answer;
	size_t n = 0;

	sup->cfg = sup->gens.current->cfg;
	if (sup->control_fd >= 0)
		control_apply_owner(sup->cfg);
	sup->metrics.reloads++;
	/* A new ticket key, rotating as the new lifetime says; the old key
	 * still opens the tickets it sealed for one more period. */
	sup->tickets.rotate_ms = sup->cfg->ticket_lifetime_ms;
	t13_ticket_keys_rotate(&sup->tickets, t13_now_ms());
	/* The profiles may have changed: no session of the old ones resumes. */
	session_cache_clear(sup->cache12, sup->cfg->ticket_lifetime_ms);
	/* Our client's sessions were verified under the old profiles: dropped too. */
	client_store_clear(sup->sessions, sup->cfg->ticket_lifetime_ms);
	/* The new ones first, so that someone always accepts. */
	sup->gen++;
	start_workers(sup);
	for (size_t i = 0; i < SLOTS; i++) {
		struct worker *w = &sup->workers[i];

		if (!w->in_use || w->retiring || w->gen == sup->gen)
			continue;
		w->retiring = 1;
		if (!w->pid)
			free_slot(w);
		else if (!w->keys)
			send_order(w, &retire);
	}
	/* The old key process signs for the old workers until the last one is gone. */
	end_keys_if_unused(sup, sup->gen - 1);
	/* Those still working on the old handshakes may issue tickets: the keys they open with. */
	send_ticket_keys(sup);
	for (const struct profile *p = sup->cfg->profiles; p; p = p->next)
		n++;
	log_msg(LOG_INFO, "reloaded %s: %zu profiles, %u workers", sup->gens.path, n,
		sup->cfg->workers);
	answer = json_object_new_object();
	json_object_object_add(answer, "reloaded", json_object_new_string(sup->gens.path));
	json_object_object_add(answer, "profiles", json_object_new_uint64(n));
	return answer;
}

/* Read the configuration again (see generation.h), then roll the workers over. */
static json_object *reload(struct supervisor *sup)
{
	char why[700];

	if (workers_in_use(sup) > SLOTS - SET)
		snprintf(why, sizeof(why), "the workers of an earlier reload are still finishing "
			 "their handshakes: try again once they are done");
	else if (generations_reload(&sup->gens, why, sizeof(why)) == 0)
		return roll_over(sup);
	log_msg(LOG_ERR, "reload refused, the running configuration stays: %s", why);
	sup->metrics.reloads_refused++;
	return control_error(why);
}

static const char *worker_state(const struct worker *w)
{
	return !w->pid ? "restarting" : w->retiring ? "retiring" : "running";
}

static json_object *status(struct supervisor *sup)
{
	struct metrics *all = malloc(sizeof(*all));
	json_object *o, *list = json_object_new_array(), *keys = json_object_new_array();
	uint64_t now = t13_now_ms(), in_flight = 0;

	if (!all)
		return control_error("out of memory");
	*all = sup->metrics;
	for (size_t i = 0; i < SLOTS; i++) {
		const struct worker *w = &sup->workers[i];
		const struct worker_slot *slot = slot_of(sup, w);
		json_object *one;

		if (!w->in_use)
			continue;
		one = json_object_new_object();
		json_object_object_add(one, "pid", json_object_new_int(w->pid));
		json_object_object_add(one, "state", json_object_new_string(worker_state(w)));
		json_object_object_add(one, "restarts", json_object_new_uint64(w->restarts));
		if (w->keys) {
			json_object_array_add(keys, one);
			continue;
		}
		json_object_object_add(one, "index", json_object_new_uint64(w->index));
		if (w->pid) {
			json_object_object_add(one, "ok", json_object_new_uint64(slot->metrics.ok));
			json_object_object_add(one, "failed",
					       json_object_new_uint64(slot->metrics.failed));
			metrics_merge(all, &slot->metrics);
			in_flight += slot->running;
			json_object_object_add(one, "in_flight", json_object_new_uint64(slot->running));
			json_object_object_add(one, "waiting", json_object_new_uint64(slot->pending));
			json_object_object_add(one, "uptime_s",
					       json_object_new_uint64((now - w->started_ms) / 1000));
		}
		json_object_array_add(list, one);
	}
	o = metrics_json(all, in_flight, now);
	free(all);
	json_object_object_add(o, "pid", json_object_new_int(sup->pid));
	json_object_object_add(o, "config", json_object_new_string(sup->gens.path));
	json_object_object_add(o, "socket", json_object_new_string(sup->cfg->socket_path));
	json_object_object_add(o, "worker_restarts", json_object_new_uint64(sup->restarts));
	json_object_object_add(o, "workers", list);
	json_object_object_add(o, "key_processes", keys);
	return o;
}

static void on_control_accept(struct supervisor *sup)
{
	int fd;

	while ((fd = accept4(sup->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct sup_watch *op;

		/* Whatever a connection carries, it is closed off the loop. */
		if (!control_authorized(fd, sup->cfg)) {
			control_reply(fd, control_error("permission denied: root or control_group only"));
			closer_close(&sup->closer, fd, CONTROL_OWNER);
			continue;
		}
		op = calloc(1, sizeof(*op));
		if (!op) {
			closer_close(&sup->closer, fd, CONTROL_OWNER);
			continue;
		}
		*op = (struct sup_watch){ SUP_OPERATOR, fd };
		if (watch(sup, fd, op) < 0) {
			closer_close(&sup->closer, fd, CONTROL_OWNER);
			free(op);
		}
	}
}

static void on_operator(struct supervisor *sup, struct sup_watch *op)
{
	char cmd[32];
	int rc = control_read(op->fd, cmd, sizeof(cmd), &sup->closer);

	if (rc == -EAGAIN)
		return;
	if (rc == 0) {
		if (!strcmp(cmd, "status"))
			control_reply(op->fd, status(sup));
		else if (!strcmp(cmd, "profiles"))
			control_reply(op->fd, control_profiles(sup->cfg));
		else if (!strcmp(cmd, "reload"))
			control_reply(op->fd, reload(sup));
		else
			control_reply(op->fd, control_error("unknown request: status, profiles or reload"));
	}
	epoll_ctl(sup->epfd, EPOLL_CTL_DEL, op->fd, NULL);
	closer_close(&sup->closer, op->fd, CONTROL_OWNER);
	free(op);
}

/* 1 to go on, 0 to stop. */
static int on_signal(struct supervisor *sup)
{
	struct signalfd_siginfo si;

	while (read(sup->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(sup, 0);
		} else if (si.ssi_signo == SIGHUP) {
			json_object_put(reload(sup));
		} else {
			log_msg(LOG_INFO, "signal %u: stopping", si.ssi_signo);
			return 0;
		}
	}
	return 1;
}

/* The closer gets the operators' connections and the channels' ends: a few at a time. */
static int start_closer(struct supervisor *sup)
{
	if (closer_init(&sup->closer, 1024) < 0) {
		log_msg(LOG_ERR, "closer threads: %s", strerror(errno));
		return -1;
	}
	sup->closer_watch = (struct sup_watch){ SUP_CLOSER, closer_event_fd(&sup->closer) };
	if (watch(sup, sup->closer_watch.fd, &sup->closer_watch) < 0) {
		log_msg(LOG_ERR, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Milliseconds to the next restart or ticket key rotation; -1 for none. */
static int next_timeout(const struct supervisor *sup)
{
	uint64_t now = t13_now_ms(), next = UINT64_MAX;

	if (sup->tickets.rotate_ms)
		next = sup->tickets.current.created_ms + sup->tickets.rotate_ms;
	for (size_t i = 0; i < SLOTS; i++) {
		const struct worker *w = &sup->workers[i];

		if (w->in_use && !w->pid && w->restart_ms && w->restart_ms < next)
			next = w->restart_ms;
	}
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

int supervisor_run(struct supervisor *sup)
{
	struct epoll_event events[16];
	uint32_t owners[64];
	sigset_t mask;

	/*
	 * Here, not in supervisor_open(): after daemon()'s fork. A signalfd
	 * watched by epoll wakes it for the process that added it only.
	 */
	sup->pid = getpid();
	our_signals(&mask);
	sup->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	sup->signal_watch = (struct sup_watch){ SUP_SIGNAL, sup->signal_fd };
	if (sup->signal_fd < 0 || watch(sup, sup->signal_fd, &sup->signal_watch) < 0) {
		log_msg(LOG_ERR, "signals: %s", strerror(errno));
		return 1;
	}
	if (start_closer(sup) < 0)
		return 1;
	start_workers(sup);
	for (;;) {
		int n = epoll_wait(sup->epfd, events, 16, next_timeout(sup));

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct sup_watch *w = events[i].data.ptr;

			switch (w->kind) {
			case SUP_SIGNAL:
				if (!on_signal(sup))
					return 0;
				break;
			case SUP_CONTROL:
				on_control_accept(sup);
				break;
			case SUP_OPERATOR:
				on_operator(sup, w);
				break;
			case SUP_CLOSER:
				closer_collect(&sup->closer, owners, 64);
				break;
			}
		}
		start_due(sup);
		if (t13_ticket_keys_tick(&sup->tickets, t13_now_ms()) == 1)
			send_ticket_keys(sup);
	}
}

static int workers_running(const struct supervisor *sup)
{
	for (size_t i = 0; i < SLOTS; i++)
		if (sup->workers[i].pid)
			return 1;
	return 0;
}

static void signal_workers(struct supervisor *sup, int sig)
{
	for (size_t i = 0; i < SLOTS; i++)
		if (sup->workers[i].pid)
			kill(sup->workers[i].pid, sig);
}

/*
 * SIGTERM to every worker (each answers what it holds with ESHUTDOWN), then
 * wait for them on SIGCHLD; SIGKILL for those still there after the grace.
 */
static void stop_workers(struct supervisor *sup)
{
	uint64_t until = t13_now_ms() + STOP_GRACE_MS;
	struct pollfd signals = { .fd = sup->signal_fd, .events = POLLIN };
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	signal_workers(sup, SIGTERM);
	reap(sup, 1);
	while (workers_running(sup)) {
		uint64_t now = t13_now_ms();

		if (now >= until) {
			log_msg(LOG_WARNING, "workers still running %d s after SIGTERM: SIGKILL",
				STOP_GRACE_MS / 1000);
			signal_workers(sup, SIGKILL);
			while (workers_running(sup) && (pid = waitpid(-1, &status, 0)) > 0)
				child_ended(sup, pid, status, 1);
			break;
		}
		if (poll(&signals, 1, (int)(until - now)) > 0)
			while (read(sup->signal_fd, &si, sizeof(si)) == sizeof(si))
				;
		reap(sup, 1);
	}
}

void supervisor_close(struct supervisor *sup)
{
	if (sup->slots) {
		stop_workers(sup);
		munmap(sup->slots, SLOTS * sup->slot_stride);
	}
	if (sup->closer.state)
		closer_stop(&sup->closer);
	if (sup->listen_fd >= 0)
		unix_close(sup->listen_fd, sup->cfg->socket_path);
	if (sup->control_fd >= 0)
		unix_close(sup->control_fd, sup->cfg->control_path);
	if (sup->signal_fd >= 0)
		close(sup->signal_fd);
	if (sup->epfd >= 0)
		close(sup->epfd);
	generations_free(&sup->gens);
	t13_ticket_keys_wipe(&sup->tickets);
	session_cache_destroy(sup->cache12);
	client_store_destroy(sup->sessions);
	free(sup);
}

/* supervisor_open() failed: undo, leaving the configuration to the caller. */
static struct supervisor *open_failed(struct supervisor *sup)
{
	generations_disown(&sup->gens);
	supervisor_close(sup);
	return NULL;
}

struct supervisor *supervisor_open(struct config *cfg, const char *config_path, char *err,
				   size_t errlen)
{
	struct supervisor *sup;
	struct rlimit lim;
	sigset_t mask;

	/* Below it, no worker could ever take a message's descriptors safely. */
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < server_min_nofile()) {
		snprintf(err, errlen, "RLIMIT_NOFILE %llu is below the %zu descriptors ktlsd needs",
			 (unsigned long long)lim.rlim_cur, server_min_nofile());
		return NULL;
	}
	sup = calloc(1, sizeof(*sup));
	if (!sup || generations_init(&sup->gens, cfg, config_path) < 0) {
		free(sup);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sup->cfg = cfg;
	/* Test-only (ktlsd(8)): the first worker makes a call its filter forbids. */
	sup->seccomp_probe = getenv("KTLSD_TEST_SECCOMP_PROBE") != NULL;
	sup->epfd = sup->listen_fd = sup->signal_fd = sup->control_fd = -1;
	for (size_t i = 0; i < SLOTS; i++)
		sup->workers[i].channel = -1;
	our_signals(&mask);
	/* Blocked from now on: supervisor_run() reads them from a signalfd. */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sup->epfd = epoll_create1(EPOLL_CLOEXEC);
	sup->slot_stride = worker_slot_stride();
	sup->slots = mmap(NULL, SLOTS * sup->slot_stride, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sup->slots == MAP_FAILED)
		sup->slots = NULL;
	if (sup->epfd < 0 || !sup->slots) {
		snprintf(err, errlen, "%s", strerror(errno));
		return open_failed(sup);
	}
	sup->listen_fd = unix_listen(cfg->socket_path, 0666, err, errlen);
	if (sup->listen_fd < 0)
		return open_failed(sup);
	if (cfg->control_path[0]) {
		sup->control_fd = control_listen(cfg, err, errlen);
		if (sup->control_fd < 0)
			return open_failed(sup);
	}
	sup->control_watch = (struct sup_watch){ SUP_CONTROL, sup->control_fd };
	if (sup->control_fd >= 0 && watch(sup, sup->control_fd, &sup->control_watch) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return open_failed(sup);
	}
	metrics_init(&sup->metrics, t13_now_ms());
	if (t13_ticket_keys_init(&sup->tickets, t13_now_ms(), cfg->ticket_lifetime_ms) < 0) {
		snprintf(err, errlen, "ticket keys: %s", strerror(errno));
		return open_failed(sup);
	}
	sup->cache12 = session_cache_create(cfg->ticket_lifetime_ms);
	sup->sessions = client_store_create(cfg->ticket_lifetime_ms);
	if (!sup->cache12 || !sup->sessions) {
		snprintf(err, errlen, "the TLS 1.2 session cache: %s", strerror(errno));
		return open_failed(sup);
	}
	return sup;
}
