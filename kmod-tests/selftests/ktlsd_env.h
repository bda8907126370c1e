/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world the daemon tests run in: a fresh PKI, payload files, a ktlsd
 * with the test profiles, and a runner for pairs of processes (our tools and
 * real peers: openssl, gnutls, curl) whose output is checked byte for byte.
 */
#ifndef KTLSD_ENV_H
#define KTLSD_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Every limit below is an idle machine's figure scaled by test_ms()/test_s(). */
#include "test_time.h"

#define PAYLOAD_A_SEED 0xa1
#define PAYLOAD_B_SEED 0xb2
/* A text payload (64 hex digits and a newline per line) for line-based peers. */
#define PAYLOAD_TEXT_SEED 0x7e

struct ktlsd_env {
	int ready;
	char error[256];	/* why not ready */
	char dir[96];		/* PKI, payloads, logs */
	char sock[128];		/* the daemon's socket */
	char ctl[128];		/* ... and its control socket */
	char conf[160];		/* ... and its configuration */
	char ktlsd[640];	/* binaries under test */
	char ktlscat[640];
	char flight_peer[640];	/* GnuTLS peer joining Finished and data (helper) */
	pid_t daemon;
	size_t size;		/* payload bytes (KTLSD_TEST_MIB, default 16) */
	char payload_a[128];	/* what peers send */
	char payload_b[128];	/* what we send */
	char payload_text[128];	/* lines of text, for gnutls-serv --echo */
	char handoff_ms[16];	/* ktlscat -t: its wait for the daemon, scaled */
	int handshake_timeout_ms; /* the daemon's handshake_timeout, scaled */
};

/*
 * A suite's one environment: made before the harness forks its first test,
 * torn down when the harness exits (tests end with _exit: not per test).
 */
#define KTLSD_ENV_SUITE(name)							\
	static struct ktlsd_env name;						\
	static void __attribute__((constructor)) name##_setup(void)		\
	{									\
		ktlsd_env_setup(&name);						\
	}									\
	static void __attribute__((destructor)) name##_teardown(void)		\
	{									\
		ktlsd_env_teardown(&name);					\
	}

/* Bytes of payload @seed at @offset: the binary pattern, or text lines. */
void payload_bytes(void *buf, size_t len, uint32_t seed, size_t offset);

/* Build everything and start ktlsd; env->ready says whether it worked. */
void ktlsd_env_setup(struct ktlsd_env *env);

/* Stop the daemon and remove the folder. */
void ktlsd_env_teardown(struct ktlsd_env *env);

/* 1 if the daemon is still running (it must survive every test). */
int ktlsd_env_daemon_alive(const struct ktlsd_env *env);

enum proc_input {
	IN_NULL,	/* /dev/null */
	IN_FILE,	/* in_file */
	IN_HOLD,	/* a pipe, closed once the checked output is complete */
	IN_FEED,	/* a pipe the runner fills with the expected payload, closed
			 * once the checked output is complete: for echo peers */
};

struct proc {
	const char *argv[32];
	enum proc_input in;
	const char *in_file;
	int checked;		/* its stdout is the output under test */
	int keeps_running;	/* a server that never exits by itself: stopped at the end */
	int http_body;		/* checked output is an HTTP/1.0 response: check its body */
	const char *cwd;	/* working directory, if not ours */
	char log[200];		/* its stderr (and stdout, unless checked) */
	pid_t pid;
	int in_fd, out_fd;
	int exit_code;		/* after the run; -1 killed on timeout */
};

struct pair_result {
	size_t received;	/* bytes of checked output */
	size_t bad_offset;	/* first wrong byte, when wrong */
	int output_ok;		/* exactly the payload, SHA-256 equal */
	char why[512];
};

/* A transfer's limit: generous for TCG (gnutls-cli reads 16 MiB in ~30 s there), never endless. */
static inline int transfer_limit_s(const struct ktlsd_env *env)
{
	return test_s(60 + 8 * (int)(env->size >> 20));
}

/*
 * In a test: run_pair() of @server and @client on @port, @env's payload
 * size of @seed, within transfer_limit_s(); an EXPECT that says why not.
 */
#define KTLSD_RUN_PAIR(env, port, server, client, seed)				\
	do {									\
		struct pair_result r;						\
		int rc = run_pair(server, port, client, (env)->size, seed,	\
				  transfer_limit_s(env), &r);			\
		EXPECT_EQ(0, rc) TH_LOG("%s (first wrong byte at %zu)",	\
					r.why, r.bad_offset);			\
	} while (0)

/*
 * Start @server, wait until something listens on @port, start @client,
 * read the checked output (which must be @expect bytes of payload @seed),
 * and wait for both within @timeout_s (already scaled: test_s()). Returns 0
 * when both exited 0 and the output is right; -1 otherwise, with the reason
 * in @res->why.
 */
int run_pair(struct proc *server, int port, struct proc *client, size_t expect,
	     uint32_t seed, int timeout_s, struct pair_result *res);

/* A TCP port nothing uses now. */
int free_port(void);

/* Wait (at most @timeout_ms) until a TCP socket listens on @port. */
int wait_listening(int port, int timeout_ms);

/*
 * ktlscat serving one connection on 127.0.0.1:@port with @profile, verbose,
 * logging to @log: @mode "--send" or "--sendfile" with @file, "--echo", or
 * NULL to receive only (-d).
 */
void ktlscat_server_argv(struct proc *p, const struct ktlsd_env *env, const char *port,
			 const char *profile, const char *mode, const char *file, const char *log);

/*
 * ktlscat as a client of "localhost" at 127.0.0.1:@port with @profile,
 * verbose, logging to @log: sending @file (--send); without it, receiving
 * only (-d) when @receive_only, else in stdio mode.
 */
void ktlscat_client_argv(struct proc *p, const struct ktlsd_env *env, const char *port,
			 const char *profile, const char *file, int receive_only, const char *log);

/*
 * ktlscat serving one connection on @port with @profile (--echo) against
 * openssl s_client -connect 127.0.0.1:@port @args... (NULL-terminated, at
 * most 20). s_client's stdin is /dev/null, or, with @hold, a pipe held open:
 * it then stays to read what comes until the server closes (a TLS 1.3
 * alert sent after its own handshake ended, say). Returns ktlscat's exit
 * code, or -100 if it never listened; both logs say what each side saw.
 */
int ktlscat_vs_s_client(const struct ktlsd_env *env, int port, const char *profile,
			const char *const *args, int hold, const char *server_log,
			const char *client_log);

/* Start @p alone (stdin per p->in, output to its log); returns its pid. */
pid_t proc_start(struct proc *p, const struct ktlsd_env *env);

/* Wait for @pid at most @timeout_ms; its exit code, 128+signal, or -1 (killed). */
int proc_wait(pid_t pid, int timeout_ms);

/* The same, but one still running after @timeout_ms is left so: -2. */
int proc_wait_nokill(pid_t pid, int timeout_ms);

/* 1 if the file @path contains @needle. */
int file_contains(const char *path, const char *needle);

/* Print the file @path as TAP diagnostics: a log that did not say what it should. */
void show_file(const char *path);

/*
 * Wait (at most @timeout_ms) until whoever holds the TCP socket 127.0.0.1:@port
 * connected to 127.0.0.1:@peer_port has read every byte that reached it.
 */
int wait_tcp_drained(int port, int peer_port, int timeout_ms);

/*
 * 6.1's harness cannot pick tests: KTLSD_TEST_ONLY=SUBSTRING runs only the
 * tests whose name holds it. 1 if @test_name should run.
 */
int ktlsd_test_selected(const char *test_name);

/* First statement of a test: 6.1 runs the body even after a SKIP in setup. */
#define KTLSD_SELECT()								\
	do {									\
		if (!ktlsd_test_selected(_metadata->name))			\
			SKIP(return, "not selected by KTLSD_TEST_ONLY");	\
	} while (0)

/* Log path under the env folder for a test-chosen @name. */
void env_path(const struct ktlsd_env *env, char *out, size_t len, const char *name);

#endif
