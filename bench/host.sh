#!/bin/bash
# bench/host.sh: `make bench-host`. Server CPU per TLS handshake, ktlsd against
# nginx, on this machine's own CPU: no VM. A kernel without kTLS is fine: ktlsd
# completes every handshake and only the kTLS install after it fails
# (ENOPROTOOPT, then an internal_error alert after ktlsd's Finished), so all of
# a handshake's work is done and measured.
#
# The servers run on one CPU, the clients on another; each figure is one load
# of BENCH_SECONDS against one server:
#   ktlsd (default)      build/ktlsd (libsodium's X25519, nettle's NIST curves and SHA-256,
#                        libcrypto's RSA), one worker, behind
#                        bench/handoff_server (its hand-offs on libktlsd
#                        channels; one row with a new connection each,
#                        --one-shot)
#   ktlsd (BearSSL only) build-bearssl/ktlsd (EC=bearssl RSA=bearssl SHA=bearssl), the same
#   nginx              Debian's, one worker; session cache and tickets off for
#                      full handshakes, on for resumed ones
# Server CPU is ktlsd's (supervisor, worker and key process) plus
# handoff_server's (the application's side of the hand-off), or nginx's
# worker's, over the load, divided by the handshakes the clients completed;
# the key process's share is reported on its own too. Same P-256 (and RSA-2048) certificate, suites and X25519
# for every server. The clients, each counting a handshake before anything
# ktlsd sends after it (so its alert on this host changes no count):
#   full          openssl s_time -new: one '*' a handshake, printed once
#                 SSL_connect returned (TLS 1.2: the server's Finished checked;
#                 TLS 1.3: that, and our Finished sent). BENCH_T12_LOAD=hs_load
#                 runs bench/hs_load for TLS 1.2 instead, which counts once the
#                 server's Finished is checked; BearSSL's client is slower, so
#                 the servers get less load.
#   resumed       bench/resume.py (Python's ssl, i.e. OpenSSL): counts a
#                 resumed handshake once it sent its Finished. (s_time -reuse
#                 does not do: in TLS 1.3 it never reads a ticket without -www,
#                 and with -www the alert ktlsd sends here makes OpenSSL drop
#                 the session; s_client -sess_in costs a process a handshake.)
#
# Then the hand-off's latency, one connection at a time (bench/hs_load
# --procs 1, full TLS 1.2 ECDSA handshakes; servers on their CPU, the client on
# its own): each hand-off's time from the application's request to its answer
# (handoff_server --latency), less the time ktlsd waited for the client within
# the handshake (hs_load --think: from its first read of ktlsd's flight to its
# own last flight, less the time it was blocked reading), i.e. what the
# hand-off and ktlsd's own work add to a connection; and for requests ktlsd
# refuses (no such profile), the hand-off's round trip alone. p50 and p99 of
# BENCH_LATENCY_SECONDS (5) each. BENCH_LATENCY=0 leaves it out.
#
# Then the workers: handshakes per second with 1 and 2 workers (nginx: 1 and
# 2 worker processes), servers and clients sharing every CPU, for RSA-2048
# TLS 1.2 handshakes, where the servers' signatures (not the clients'
# verification) are most of the work. BENCH_WORKERS=0 leaves it out.
#
# This host's speed moves between minutes (a shared machine: nginx's own
# figures have moved by up to 70% between runs), so ktlsd and nginx are
# measured in turn, BENCH_ROUNDS times: each figure is the median of its
# rounds, each ratio the median of the rounds' ratios, its range shown.
#
# In the test VM (`make bench`, bench/run.sh: BENCH_KTLS=1), where kTLS is
# there, every hand-off ends with kTLS installed, and the row TLS 1.2
# resumed is measured for ktlsd too (its session cache).
#
# Environment: BENCH_SECONDS (10) a figure; BENCH_ROUNDS (3); BENCH_PROCS (4)
# client processes a load; BENCH_BEARSSL (1): 0 leaves the BearSSL-only
# build out; BENCH_KTLS (0): 1 where kTLS works; BENCH_SERVER_CPU (0), BENCH_CLIENT_CPU (1);
# BENCH_PORT (19443, the first of 13 a round and 2 more); BENCH_STRACE (100)
# handshakes under strace -c a protocol, 0 for none; BENCH_BUILD (build), BENCH_BUILD_BEARSSL (build-bearssl). As root, or
# ktlsd runs as the user who starts this (and strace cannot attach to it).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
PROCS=${BENCH_PROCS:-4}
T12_LOAD=${BENCH_T12_LOAD:-s_time}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
WORKERS_TOO=${BENCH_WORKERS:-1}
LATENCY_TOO=${BENCH_LATENCY:-1}
LAT_SECS=${BENCH_LATENCY_SECONDS:-5}
ALL_CPUS=0-$(($(nproc) - 1))
PORT=${BENCH_PORT:-19443}
STRACE_N=${BENCH_STRACE:-100}
BEARSSL_TOO=${BENCH_BEARSSL:-1}
KTLS=${BENCH_KTLS:-0}
B=$(realpath "${BENCH_BUILD:-build}")
BB=$(realpath -m "${BENCH_BUILD_BEARSSL:-build-bearssl}")
T12_ECDSA=ECDHE-ECDSA-AES128-GCM-SHA256
T12_RSA=ECDHE-RSA-AES128-GCM-SHA256
T13=TLS_AES_128_GCM_SHA256
TICK_NS=$((1000000000 / $(getconf CLK_TCK)))

say() { echo "bench-host: $*" >&2; }
die() { say "$*"; exit 1; }

for f in "$B/ktlsd" "$B/bench/hs_load" "$B/bench/handoff_server"; do
	[ -x "$f" ] || die "$f is missing: run make bench-host"
done
[ "$BEARSSL_TOO" = 0 ] || [ -x "$BB/ktlsd" ] || die "$BB/ktlsd is missing: run make bench-host"
NGINX=$(PATH=$PATH:/usr/sbin command -v nginx) ||
	die "nginx is not installed: make deps (or apt-get install nginx)"
command -v openssl >/dev/null || die "openssl is not installed"
[ "$SERVER_CPU" != "$CLIENT_CPU" ] || die "the servers and the clients need a CPU each"
# Pin ourselves, and with us every client, to the clients' CPU; servers are
# started on theirs explicitly.
taskset -pc "$CLIENT_CPU" $$ >/dev/null || die "cannot run on CPU $CLIENT_CPU"
taskset -c "$SERVER_CPU" true || die "cannot run on CPU $SERVER_CPU"

w=$(mktemp -d /tmp/ktlsd-bench-host.XXXXXX)
declare -A running=()	# our servers' pids: the only processes we ever stop
cleanup() {
	local pid
	for pid in "${!running[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$w"
}
trap cleanup EXIT

stop() { # PID
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	unset "running[$1]"
}

listening() { # PORT
	grep -qiE "^ *[0-9]+: [0-9A-F]+:$(printf %04X "$1") [0-9A-F]+:0000 0A" /proc/net/tcp
}

# Wait for PORT to listen while PID lives.
wait_port() { # PORT PID
	local i
	for i in $(seq 400); do
		listening "$1" && return 0
		alive "$2" || return 1
		sleep 0.05
	done
	return 1
}

# Start a server pinned to $server_cpus (the servers' CPU, but for the
# workers' figures); its pid in $started.
server_cpus=$SERVER_CPU
client_cpus=$CLIENT_CPU
start_server() { # LOG COMMAND...
	local log=$1
	shift
	taskset -c "$server_cpus" "$@" >"$log" 2>&1 </dev/null &
	started=$!
	running[$started]=1
}

# "NS STAT_NS": the CPU time PIDs have used so far. NS sums each live thread's
# /proc/PID/task/TID/schedstat (ns); STAT_NS is utime + stime of
# /proc/PID/stat, which keeps the time of threads that have exited too, in
# clock ticks.
cpu_now() { # PID...
	local pid t run f ns=0 ticks=0
	local -a stat
	for pid; do
		for t in /proc/"$pid"/task/*/schedstat; do
			{ read -r run _ <"$t"; } 2>/dev/null || continue
			ns=$((ns + run))
		done
		read -r f <"/proc/$pid/stat"
		read -ra stat <<<"${f##*) }"	# from field 3 on: utime is 14, stime 15
		ticks=$((ticks + stat[11] + stat[12]))
	done
	echo "$ns $((ticks * TICK_NS))"
}

# Running still, not a zombie waiting for us.
alive() { # PID
	local f
	{ read -r f <"/proc/$1/stat"; } 2>/dev/null || return 1
	f=${f##*) }
	[ "${f%% *}" != Z ]
}

now_us() { echo "${EPOCHREALTIME/./}"; }

declare -A US=() RATE=() BUSY=() PART=()
part_pid=	# a process among a measure's PIDS whose own share is kept in PART

# Run LOAD (a function printing the handshakes it completed) against the
# servers PIDS, and record their CPU per handshake and the handshake rate.
# ktlsd's closer threads come and go: when /proc/PID/stat says more time went
# by than the live threads' schedstat (by over two ticks a process), some
# exited during the load, and the coarser stat figure is the one that counts.
measure() { # ROW COLUMN PID... -- LOAD ARGS...
	local row=$1 col=$2 t0 t1 c0 c1 p0 p1 ns0 ns1 st0 st1 cpu how n pid
	local -a pids=()
	shift 2
	while [ "$1" != -- ]; do
		pids+=("$1")
		shift
	done
	shift
	say "$row, $col"
	: >"$w/load.raw"
	t0=$(now_us)
	c0=$(cpu_now "${pids[@]}")
	[ -z "$part_pid" ] || p0=$(cpu_now "$part_pid")
	n=$("$@")
	for pid in "${pids[@]}"; do
		alive "$pid" || die "$col: process $pid ended during the load ($row)"
	done
	c1=$(cpu_now "${pids[@]}")
	t1=$(now_us)
	if [ -n "$part_pid" ] && [ "${n:-0}" -gt 0 ]; then
		p1=$(cpu_now "$part_pid")
		PART[$row|$col]=$(awk -v a="${p0%% *}" -v b="${p1%% *}" -v n="$n" \
			'BEGIN { printf "%.1f", (b - a) / n / 1000 }')
	fi
	read -r ns0 st0 <<<"$c0"
	read -r ns1 st1 <<<"$c1"
	if [ "$ns1" -eq 0 ] || ((st1 - st0 - (ns1 - ns0) > 2 * TICK_NS * ${#pids[@]})); then
		cpu=$((st1 - st0)) how=stat
	else
		cpu=$((ns1 - ns0)) how=schedstat
	fi
	n=${n:-0}
	if [ "$n" -gt 0 ]; then
		US[$row|$col]=$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.1f", c / n / 1000 }')
		RATE[$row|$col]=$(awk -v n="$n" -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", n * 1e6 / t }')
		BUSY[$row|$col]=$(awk -v c="$cpu" -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", c / t / 10 }')
	fi
	printf 'raw: %s | %s | round %s | handshakes=%s seconds=%s server_cpu_ns=%s (%s) us_per_handshake=%s rate=%s server_busy=%s%% | %s\n' \
		"$row" "$col" "${round:-1}" "$n" "$(awk -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", t / 1e6 }')" "$cpu" "$how" \
		"${US[$row|$col]:-failed}" "${RATE[$row|$col]:--}" "${BUSY[$row|$col]:--}" \
		"$(tr '\n' ' ' <"$w/load.raw")" >>"$w/raw"
}

# The loads. Each prints the handshakes its clients completed, and leaves
# their own report in load.raw.


# Full TLS 1.2 handshakes from s_time or, with BENCH_T12_LOAD=hs_load, from
# bench/hs_load (BearSSL's client: slower, so less load on the server).
load_t12() { # SUITE PORT
	local out
	if [ "$T12_LOAD" != hs_load ]; then
		load_s_time "$2" -tls1_2 -cipher "$1"
		return
	fi
	out=$("$B/bench/hs_load" --procs "$PROCS" --seconds "$SECS" --suite "$1" 127.0.0.1 "$2") || true
	echo "hs_load: $out" >>"$w/load.raw"
	sed -n 's/^handshakes=\([0-9]*\) .*/\1/p' <<<"$out"
}

load_s_time() { # PORT S_TIME-ARGS...
	local port=$1 i aborted
	shift
	rm -f "$w"/st.*
	for i in $(seq "$PROCS"); do
		taskset -c "$client_cpus" openssl s_time -connect "127.0.0.1:$port" "$@" -new -time "$SECS" \
			>"$w/st.$i" 2>&1 </dev/null &
	done
	wait
	# An error ends an s_time before its summary; what it did until then counts.
	aborted=$(grep -L 'connections in' "$w"/st.* | wc -l)
	echo "s_time: $PROCS processes, $aborted ended by an error" >>"$w/load.raw"
	# One '*' per full handshake, printed as SSL_connect returns.
	cat "$w"/st.* | tr -cd '*' | wc -c
}

load_resumed() { # PORT TLSv1_3|TLSv1_2 [TLS1.2-SUITE]
	local i end
	rm -f "$w"/py.*
	end=$(awk -v t="$EPOCHREALTIME" -v s="$SECS" 'BEGIN { printf "%.6f", t + s }')
	for i in $(seq "$PROCS"); do
		python3 bench/resume.py 127.0.0.1 "$@" "$end" >"$w/py.$i" 2>&1 &
	done
	wait
	cat "$w"/py.* >>"$w/load.raw"
	if awk '$1 == "resumed" && $4 > 0 { bad = 1 } END { exit !bad }' "$w"/py.*; then
		say "some handshakes were not resumed: the figure mixes in full ones"
	fi
	awk '$1 == "resumed" { n += $2 } END { print n + 0 }' "$w"/py.*
}

# System calls per handshake of each of PIDS (named by NAMES) over
# BENCH_STRACE sequential full handshakes (one s_client each), from strace -c.
count_syscalls() { # LABEL PORT "PID..." "NAME..." S_CLIENT-ARGS...
	local label=$1 port=$2 hs i pid
	local -a pids names tracers=()
	read -ra pids <<<"$3"
	read -ra names <<<"$4"
	shift 4
	for i in "${!pids[@]}"; do
		strace -c -f -S calls -o "$w/strace.$i" -p "${pids[$i]}" 2>"$w/strace.$i.err" &
		tracers+=($!)
	done
	for pid in "${pids[@]}"; do
		for i in $(seq 200); do
			! grep -q '^TracerPid:[[:space:]]*0$' /proc/"$pid"/task/*/status && break
			sleep 0.05
		done
	done
	for i in $(seq "$STRACE_N"); do
		openssl s_client -connect "127.0.0.1:$port" "$@" </dev/null 2>&1 || true
	done | grep -c '^New, ' >"$w/strace.hs" || true
	kill -INT "${tracers[@]}" 2>/dev/null || true
	wait "${tracers[@]}" 2>/dev/null || true
	read -r hs <"$w/strace.hs"
	for i in "${!pids[@]}"; do
		if ! grep -q 'total$' "$w/strace.$i" 2>/dev/null; then
			echo "$label: ${names[$i]}: strace could not count ($(head -c 200 "$w/strace.$i.err" | tr '\n' ' '))"
			continue
		fi
		awk -v hs="$hs" -v who="${names[$i]}" -v what="$label" '
			/^-/ { sep++; next }
			sep == 1 && NF >= 5 { calls[$NF] = $4; order[++n] = $NF }
			sep == 2 { total = $4 }
			END {
				printf "%s: %s: %.1f system calls per handshake (%d handshakes):", what, who, total / hs, hs
				for (i = 1; i <= n && i <= 8; i++)
					printf " %s %.1f", order[i], calls[order[i]] / hs
				printf "\n"
			}' "$w/strace.$i"
	done >>"$w/syscalls"
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
	-keyout "$w/ec.key" -out "$w/ec.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-keyout "$w/rsa.key" -out "$w/rsa.crt" 2>/dev/null
[ "$ROUNDS" -ge 1 ] 2>/dev/null || die "BENCH_ROUNDS must be at least 1"
for i in $(seq 0 $((13 * ROUNDS + 1))); do
	! listening $((PORT + i)) || die "port $((PORT + i)) is taken: set BENCH_PORT"
done

# ktlsd's profiles: full handshakes without tickets (as nginx's full ones),
# resumed ones from its TLS 1.3 tickets.
if [ "$(id -u)" -eq 0 ]; then
	user=nobody allow=
else
	user=$(id -un) allow="allow_uid = $(id -u)"
fi
profile() { # NAME CERT-KIND TLS1.2-SUITE TICKETS
	printf '[profile %s]\ncert = %s\nkey = %s\nverify = none\nciphers = %s\n' \
		"$1" "$w/$2.crt" "$w/$2.key" "$3"
	printf 'ciphersuites = %s\ngroups = X25519\nsession_tickets = %s\n%s\n' "$T13" "$4" "$allow"
}
# The configuration with WORKERS workers; the key process signs for them.
ktlsd_conf() { # WORKERS
	printf '[daemon]\nsocket = %s\nhandshake_timeout = 120s\nuser = %s\nworkers = %s\n' \
		"$w/ktlsd.sock" "$user" "$1"
	profile ecdsa ec "$T12_ECDSA" no
	profile rsa rsa "$T12_RSA" no
	profile resume ec "$T12_ECDSA" yes
}
# One worker, as nginx has, for the CPU figures.
ktlsd_conf 1 >"$w/ktlsd.conf"

# Start BUILD-DIR/ktlsd on CONF, with WORKERS workers; its pids in $ktlsd,
# $workers (all of them, space-separated) and $keys, its EC code's name in $ec.
start_ktlsd() { # BUILD-DIR CONF WORKERS
	local i pid n
	rm -f "$w/ktlsd.sock"
	start_server "$w/ktlsd.log" "$1/ktlsd" -f -c "$2"
	ktlsd=$started
	for i in $(seq 400); do
		grep -q 'elliptic curves:' "$w/ktlsd.log" && break
		kill -0 "$ktlsd" 2>/dev/null || die "$1/ktlsd did not start: $(cat "$w/ktlsd.log")"
		sleep 0.05
	done
	ec=$(sed -n 's/.*elliptic curves: \([^;]*\).*/\1/p' "$w/ktlsd.log")
	for i in $(seq 200); do
		workers='' keys='' n=0
		for pid in $(pgrep -P "$ktlsd"); do
			case $(cat "/proc/$pid/comm" 2>/dev/null) in
			ktlsd-worker*) workers="$workers $pid" n=$((n + 1)) ;;
			ktlsd-keys) keys=$pid ;;
			esac
		done
		[ "$n" -eq "$3" ] && [ -n "$keys" ] && return 0
		sleep 0.05
	done
	die "$1/ktlsd: not $3 workers and a key process"
}

# One ktlsd build, its ports from BASE: every row but TLS 1.2 resumed, which
# only a host with kTLS can measure (BENCH_KTLS=1).
bench_ktlsd() { # COLUMN BUILD-DIR EC-NAME BASE
	local col=$1 base=$4 ktlsd ec i worker workers keys
	local -a app=() profiles=(ecdsa rsa resume ecdsa) procs=()
	start_ktlsd "$2" "$w/ktlsd.conf" 1
	worker=${workers// /}
	procs=("$ktlsd" "$worker" "$keys")
	part_pid=$keys
	case $ec in
	"$3"*) [ "$round" -gt 1 ] || echo "$col: elliptic curves: $ec;" \
		"RSA: $(sed -n 's/.*RSA: \([^;]*\).*/\1/p' "$w/ktlsd.log");" \
		"ECDSA signatures: $(sed -n 's/.*ECDSA signatures: \([^;]*\).*/\1/p' "$w/ktlsd.log");" \
		"SHA-256: $(sed -n 's/.*SHA-256: \([^;]*\).*/\1/p' "$w/ktlsd.log")" \
		>>"$w/versions" ;;
	*) die "$2/ktlsd says its elliptic curves are '$ec', not $3" ;;
	esac
	for i in 0 1 2; do
		start_server "$w/app.$i.log" "$B/bench/handoff_server" -S "$w/ktlsd.sock" \
			-p "${profiles[$i]}" -l $((base + i))
		app+=("$started")
		wait_port $((base + i)) "$started" || die "handoff_server did not listen on $((base + i))"
	done
	# The default build's one-shot row, on the round's port 12 (its ports 9 to 12 are free).
	if [ "$col" = "${COLS[0]}" ]; then
		start_server "$w/app.3.log" "$B/bench/handoff_server" -S "$w/ktlsd.sock" \
			-p ecdsa -l $((base + 12)) --one-shot
		app+=("$started")
		wait_port $((base + 12)) "$started" || die "handoff_server did not listen on $((base + 12))"
	fi
	measure "TLS 1.2 full, ECDSA" "$col" "${procs[@]}" "${app[0]}" -- load_t12 "$T12_ECDSA" "$base"
	measure "TLS 1.2 full, RSA-2048" "$col" "${procs[@]}" "${app[1]}" -- \
		load_t12 "$T12_RSA" $((base + 1))
	measure "TLS 1.3 full, ECDSA" "$col" "${procs[@]}" "${app[0]}" -- \
		load_s_time "$base" -tls1_3 -ciphersuites "$T13"
	measure "TLS 1.3 resumed" "$col" "${procs[@]}" "${app[2]}" -- load_resumed $((base + 2)) TLSv1_3
	[ "${#app[@]}" -lt 4 ] || measure "$ONE_SHOT_ROW" "$col" "${procs[@]}" "${app[3]}" -- \
		load_t12 "$T12_ECDSA" $((base + 12))
	# Without kTLS every connection ends with ktlsd's fatal alert, after
	# which its session may not resume (RFC 5246 §7.2.2).
	[ "$KTLS" = 0 ] || measure "TLS 1.2 resumed" "$col" "${procs[@]}" "${app[2]}" -- \
		load_resumed $((base + 2)) TLSv1_2 "$T12_ECDSA"
	part_pid=
	if [ "$col" = "ktlsd (default)" ] && [ "$STRACE_N" -gt 0 ] && [ "$round" -eq 1 ]; then
		if command -v strace >/dev/null; then
			say "system calls over $STRACE_N handshakes each, under strace"
			count_syscalls "TLS 1.2 full, ECDSA" "$base" "$worker $keys ${app[0]}" \
				"ktlsd-worker ktlsd-keys handoff_server" -tls1_2 -cipher "$T12_ECDSA"
			count_syscalls "TLS 1.3 full, ECDSA" "$base" "$worker $keys ${app[0]}" \
				"ktlsd-worker ktlsd-keys handoff_server" -tls1_3 -ciphersuites "$T13"
		else
			echo "strace is not installed: no system call counts" >>"$w/syscalls"
		fi
	fi
	# On SIGTERM each says how its hand-offs ended: without kTLS, as
	# failures after complete handshakes.
	for i in "${!app[@]}"; do
		stop "${app[$i]}"
		echo "raw: $col | handoff_server -p ${profiles[$i]}: $(tail -1 "$w/app.$i.log")" >>"$w/raw"
		# With kTLS, a failed hand-off means the figures are not what they say.
		[ "$KTLS" = 0 ] || tail -1 "$w/app.$i.log" | grep -q ' failed=0$' ||
			die "$col: hand-offs failed where kTLS should install: $(tail -1 "$w/app.$i.log")"
	done
	stop "$ktlsd"
}

# "p50 P99 N" of the numbers on stdin, one a line.
percentiles() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - 0"; exit }
		printf "%.0f %.0f %d", v[int((NR - 1) * 0.50) + 1], v[int((NR - 1) * 0.99) + 1], NR }'
}

declare -A LAT=()
# The hand-off's latency at one connection at a time (see the header): into LAT.
bench_latency() { # BASE
	local base=$1 ktlsd ec workers keys app
	start_ktlsd "$B" "$w/ktlsd.conf" 1
	start_server "$w/app.lat.log" "$B/bench/handoff_server" -S "$w/ktlsd.sock" -p ecdsa -l "$base" \
		--latency "$w/lat.app"
	app=$started
	wait_port "$base" "$app" || die "handoff_server did not listen on $base"
	say "hand-off latency, one connection at a time"
	"$B/bench/hs_load" --procs 1 --seconds "$LAT_SECS" --suite "$T12_ECDSA" --think "$w/lat.think" \
		127.0.0.1 "$base" >"$w/lat.load" || true
	stop "$app"
	start_server "$w/app.lat.log" "$B/bench/handoff_server" -S "$w/ktlsd.sock" -p no-such-profile \
		-l $((base + 1)) --latency "$w/lat.refused"
	app=$started
	wait_port $((base + 1)) "$app" || die "handoff_server did not listen on $((base + 1))"
	"$B/bench/hs_load" --procs 1 --seconds "$LAT_SECS" 127.0.0.1 $((base + 1)) >/dev/null || true
	stop "$app"
	stop "$ktlsd"
	LAT[full]="- - 0" LAT[refused]="- - 0"
	# The application's hand-off and the client's connection of the same port.
	[ ! -s "$w/lat.app" ] || [ ! -s "$w/lat.think" ] ||
		LAT[full]=$(awk 'NR == FNR { think[$1] = $2; next }
			($3 in think) && think[$3] >= 0 { print $1 - think[$3] }' "$w/lat.think" "$w/lat.app" | percentiles)
	[ ! -s "$w/lat.refused" ] || LAT[refused]=$(awk '{ print $1 }' "$w/lat.refused" | percentiles)
	echo "raw: hand-off latency | $(cat "$w/lat.load" 2>/dev/null) |" \
		"think p50/p99: $(awk '$2 >= 0 { print $2 }' "$w/lat.think" 2>/dev/null | percentiles)" >>"$w/raw"
}

# One nginx, WORKERS worker processes (1): full handshakes (MODE full) or resumed ones.
nginx_conf() { # MODE BASE [WORKERS]
	local cache=off tickets=off
	[ "$1" = full ] || cache=shared:bench:10m tickets=on
	mkdir -p "$w/nginx"
	cat <<-CONF
		worker_processes ${3:-1};
		daemon off;
		pid $w/nginx/nginx.pid;
		error_log $w/nginx/error.log;
		events { worker_connections 4096; }
		http {
			access_log off;
			client_body_temp_path $w/nginx/body;
			proxy_temp_path $w/nginx/proxy;
			fastcgi_temp_path $w/nginx/fastcgi;
			uwsgi_temp_path $w/nginx/uwsgi;
			scgi_temp_path $w/nginx/scgi;
			ssl_protocols TLSv1.2 TLSv1.3;
			ssl_ecdh_curve X25519;
			ssl_conf_command Ciphersuites $T13;
			ssl_session_cache $cache;
			ssl_session_tickets $tickets;
			server {
				listen 127.0.0.1:$2 ssl;
				ssl_certificate $w/ec.crt;
				ssl_certificate_key $w/ec.key;
				ssl_ciphers $T12_ECDSA;
				return 204;
			}
			server {
				listen 127.0.0.1:$(($2 + 1)) ssl;
				ssl_certificate $w/rsa.crt;
				ssl_certificate_key $w/rsa.key;
				ssl_ciphers $T12_RSA;
				return 204;
			}
		}
	CONF
}

# Start nginx with WORKERS (1) workers; the master's pid in $master, the
# workers' in $worker (space-separated).
start_nginx() { # MODE BASE [WORKERS]
	local i n=${3:-1}
	nginx_conf "$1" "$2" "$n" >"$w/nginx.$1.conf"
	start_server "$w/nginx.$1.log" "$NGINX" -e "$w/nginx/error.log" -p "$w/nginx" -c "$w/nginx.$1.conf"
	master=$started worker=
	wait_port $(($2 + 1)) "$master" || die "nginx did not start: $(cat "$w/nginx.$1.log" "$w/nginx/error.log")"
	for i in $(seq 200); do
		worker=$(pgrep -P "$master" | tr '\n' ' ') || true
		[ "$(wc -w <<<"$worker")" -eq "$n" ] && break
		sleep 0.05
	done
	[ "$(wc -w <<<"$worker")" -eq "$n" ] || die "nginx: not $n workers: '$worker'"
	worker=${worker% }
}

# Handshakes per second with 1 and 2 workers, RSA-2048 TLS 1.2, servers and
# clients on every CPU: ktlsd (its supervisor, workers, key process and
# handoff_server) and nginx (its workers).
bench_workers() { # BASE
	local base=$1 n ktlsd ec workers keys app
	server_cpus=$ALL_CPUS client_cpus=$ALL_CPUS
	for n in 1 2; do
		ktlsd_conf "$n" >"$w/ktlsd.$n.conf"
		start_ktlsd "$B" "$w/ktlsd.$n.conf" "$n"
		start_server "$w/app.workers.log" "$B/bench/handoff_server" -S "$w/ktlsd.sock" -p rsa -l "$base"
		app=$started
		wait_port "$base" "$app" || die "handoff_server did not listen on $base"
		# shellcheck disable=SC2086 # one pid a word
		measure "$n" "ktlsd workers" "$ktlsd" $workers "$keys" "$app" -- \
			load_s_time "$base" -tls1_2 -cipher "$T12_RSA"
		stop "$app"
		stop "$ktlsd"
		start_nginx full $((base + 1)) "$n"
		# shellcheck disable=SC2086
		measure "$n" "nginx workers" $worker -- load_s_time $((base + 2)) -tls1_2 -cipher "$T12_RSA"
		stop "$master"
	done
	server_cpus=$SERVER_CPU client_cpus=$CLIENT_CPU
}

bench_nginx() { # BASE
	local base=$1 col=nginx
	start_nginx full "$base"
	measure "TLS 1.2 full, ECDSA" $col "$worker" -- load_t12 "$T12_ECDSA" "$base"
	measure "TLS 1.2 full, RSA-2048" $col "$worker" -- load_t12 "$T12_RSA" $((base + 1))
	measure "TLS 1.3 full, ECDSA" $col "$worker" -- load_s_time "$base" -tls1_3 -ciphersuites "$T13"
	stop "$master"
	base=$((base + 2))
	start_nginx resumed "$base"
	measure "TLS 1.3 resumed" $col "$worker" -- load_resumed "$base" TLSv1_3
	measure "TLS 1.2 resumed" $col "$worker" -- load_resumed "$base" TLSv1_2 "$T12_ECDSA"
	stop "$master"
}

: >"$w/raw"
: >"$w/syscalls"
{
	"$NGINX" -v 2>&1
	openssl version
} >"$w/versions"
start_load=$(cut -d' ' -f1-3 /proc/loadavg)
ONE_SHOT_ROW="TLS 1.2 full, ECDSA, one-shot hand-offs"
ROWS=("TLS 1.2 full, ECDSA" "TLS 1.2 full, RSA-2048" "TLS 1.3 full, ECDSA" "TLS 1.3 resumed" "TLS 1.2 resumed"
	"$ONE_SHOT_ROW")
COLS=("ktlsd (default)" "ktlsd (BearSSL only)" nginx)
declare -A ROUND=()	# ARRAY|ROW|COLUMN|ROUND: each round's figures

# Move this round's figures out of US, RATE, BUSY and PART.
keep_round() { # ROUND
	local row col a
	for a in US RATE BUSY PART; do
		local -n arr=$a
		for row in "${ROWS[@]}"; do
			for col in "${COLS[@]}"; do
				[ -z "${arr[$row|$col]:-}" ] || ROUND[$a|$row|$col|$1]=${arr[$row|$col]}
				unset "arr[$row|$col]"
			done
		done
	done
}

# "MEDIAN MIN MAX COUNT" of the numbers on stdin, one a line; nothing if none.
spread() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], NR }'
}

# Each figure the median of its rounds, back in US, RATE, BUSY and PART.
settle_rounds() {
	local row col a r m
	for a in US RATE BUSY PART; do
		local -n arr=$a
		for row in "${ROWS[@]}"; do
			for col in "${COLS[@]}"; do
				m=$(for r in $(seq "$ROUNDS"); do
					[ -z "${ROUND[$a|$row|$col|$r]:-}" ] || echo "${ROUND[$a|$row|$col|$r]}"
				done | spread)
				[ -z "$m" ] || arr[$row|$col]=${m%% *}
			done
		done
	done
}

# "MEDIAN (MIN-MAX)" of ktlsd's / nginx's CPU per handshake, round by round; n/a if none.
ratio_of() { # ROW
	local r k n med lo hi count
	read -r med lo hi count <<<"$(for r in $(seq "$ROUNDS"); do
		k=${ROUND[US|$1|ktlsd (default)|$r]:-} n=${ROUND[US|$1|nginx|$r]:-}
		[ -z "$k" ] || [ -z "$n" ] || awk -v k="$k" -v n="$n" 'BEGIN { printf "%.3f\n", k / n }'
	done | spread)" || true
	if [ -z "${count:-}" ]; then
		printf 'n/a'
	elif [ "$count" -eq 1 ]; then
		printf '%.2f' "$med"
	else
		printf '%.2f (%.2f-%.2f)' "$med" "$lo" "$hi"
	fi
}

for round in $(seq "$ROUNDS"); do
	base=$((PORT + 13 * (round - 1)))
	bench_ktlsd "ktlsd (default)" "$B" libsodium "$base"
	[ "$round" -gt 1 ] || [ "$BEARSSL_TOO" = 0 ] ||
		bench_ktlsd "ktlsd (BearSSL only)" "$BB" BearSSL $((base + 3))
	bench_nginx $((base + 6))
	keep_round "$round"
done
settle_rounds
round=1
[ "$LATENCY_TOO" = 0 ] || bench_latency $((PORT + 13 * ROUNDS))
[ "$WORKERS_TOO" = 0 ] || bench_workers $((PORT + 10))
# A figure of ARRAY, rounded; n/a for a row ktlsd cannot do yet.
cell() { # ROW COLUMN ARRAY
	local -n a=$3
	if [ -n "${a[$1|$2]:-}" ]; then
		printf '%.0f' "${a[$1|$2]}"
	elif [ "$1" = "TLS 1.2 resumed" ] && [ "$2" != nginx ] && [ "$KTLS" = 0 ]; then
		printf 'n/a'
	elif [ "$2" = "${COLS[1]}" ] && [ "$BEARSSL_TOO" = 0 ]; then
		printf 'n/a'
	elif [ "$1" = "$ONE_SHOT_ROW" ] && [ "$2" != "${COLS[0]}" ]; then
		printf 'n/a'
	else
		printf 'failed'
	fi
}

echo
echo "Server CPU µs per handshake (ktlsd: daemon + handoff_server; nginx: its worker)."
echo "$(date -u +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r);" \
	"servers on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU, $SECS s a figure, the median of $ROUNDS rounds" \
	"$([ "$BEARSSL_TOO" = 0 ] || echo '(BearSSL only: one)')$([ "$KTLS" = 0 ] || echo ', kTLS installed');" \
	"load average at start $start_load."
echo
echo "| handshake | ktlsd (default) | ktlsd (BearSSL only) | nginx | ktlsd (default) / nginx (range) |"
echo "|---|---:|---:|---:|---:|"
for row in "${ROWS[@]}"; do
	printf '| %s | %s | %s | %s | %s |\n' "$row" "$(cell "$row" "${COLS[0]}" US)" \
		"$(cell "$row" "${COLS[1]}" US)" "$(cell "$row" nginx US)" "$(ratio_of "$row")"
done
echo
echo "Of which the key process (its signatures and their round trips), µs per handshake:"
for row in "${ROWS[@]}"; do
	printf '%s: %s (default), %s (BearSSL only)\n' "$row" "${PART[$row|${COLS[0]}]:-n/a}" \
		"${PART[$row|${COLS[1]}]:-n/a}"
done
echo
echo "Handshakes per second the clients completed (the server's CPU busy, %)."
echo
echo "| handshake | ktlsd (default) | ktlsd (BearSSL only) | nginx |"
echo "|---|---:|---:|---:|"
for row in "${ROWS[@]}"; do
	printf '| %s' "$row"
	for col in "${COLS[@]}"; do
		printf ' | %s' "$(cell "$row" "$col" RATE)"
		[ -z "${BUSY[$row|$col]:-}" ] || printf ' (%.0f%%)' "${BUSY[$row|$col]}"
	done
	printf ' |\n'
done
if [ "$LATENCY_TOO" != 0 ]; then
	read -r p50 p99 n <<<"${LAT[full]}"
	read -r r50 r99 rn <<<"${LAT[refused]}"
	echo
	echo "Hand-off latency, one connection at a time, µs: the application's request to its answer,"
	echo "less the time ktlsd waited for the client within the handshake."
	echo
	echo "| hand-off | p50 | p99 | hand-offs |"
	echo "|---|---:|---:|---:|"
	echo "| TLS 1.2 full, ECDSA (handshake included) | $p50 | $p99 | $n |"
	echo "| refused request (no handshake) | $r50 | $r99 | $rn |"
fi
if [ "$WORKERS_TOO" != 0 ]; then
	echo
	echo "Workers: TLS 1.2 full handshakes, RSA-2048, per second; servers and clients on CPUs $ALL_CPUS"
	echo "(server CPU µs per handshake)."
	echo
	echo "| workers | ktlsd | nginx |"
	echo "|---|---:|---:|"
	for n in 1 2; do
		printf '| %s | %s (%s µs) | %s (%s µs) |\n' "$n" "$(cell "$n" "ktlsd workers" RATE)" \
			"$(cell "$n" "ktlsd workers" US)" "$(cell "$n" "nginx workers" RATE)" \
			"$(cell "$n" "nginx workers" US)"
	done
	for col in "ktlsd workers" "nginx workers"; do
		a=${RATE[1|$col]:-} b=${RATE[2|$col]:-}
		[ -z "$a" ] || [ -z "$b" ] ||
			printf '%s: 2 workers do %s times what 1 does\n' "${col% workers}" \
				"$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
	done
fi
echo
cat "$w/syscalls"
echo
cat "$w/versions"
cat "$w/raw"
