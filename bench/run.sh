#!/bin/bash
# bench/run.sh: the handshake benchmark, run inside the test VM by `make bench`.
# Full TLS 1.2 handshakes (ECDHE-ECDSA-AES128-GCM-SHA256, P-256 certificate)
# from the same load generator against ktlsd (behind an event-driven
# application) and against openssl s_server, side by side in one run; TLS 1.3
# full handshakes (TLS_AES_128_GCM_SHA256, X25519) from openssl s_time and
# resumed ones from bench/resume.py against both; then ktlsd's memory with
# 1,000 handshakes in flight.
# Absolute numbers under TCG mean little: the ratios are the result.
set -euo pipefail
cd "$(dirname "$0")/.."
B=$PWD/build
SECONDS_EACH=${BENCH_SECONDS:-20}
PROCS=${BENCH_PROCS:-2}
SUITE=ECDHE-ECDSA-AES128-GCM-SHA256
w=$(mktemp -d /tmp/ktlsd-bench.XXXXXX)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
	-keyout "$w/k.pem" -out "$w/c.pem" 2>/dev/null
cat >"$w/ktlsd.conf" <<CONF
[daemon]
socket = $w/ktlsd.sock
handshake_timeout = 120s
user = nobody
[profile bench]
cert = $w/c.pem
key = $w/k.pem
verify = none
ciphers = $SUITE
CONF
"$B/ktlsd" -f -c "$w/ktlsd.conf" 2>"$w/ktlsd.log" &
daemon=$!
trap 'kill $daemon $server $sserver 2>/dev/null || true' EXIT
server= sserver=
wait_port() { for _ in $(seq 400); do grep -qiE ":$(printf %04X "$1") [0-9A-F]+:0000 0A" /proc/net/tcp && return; sleep 0.05; done; return 1; }
for _ in $(seq 200); do [ -S "$w/ktlsd.sock" ] && break; sleep 0.05; done

"$B/bench/handoff_server" -S "$w/ktlsd.sock" -p bench -l 9443 >"$w/hs.out" &
server=$!
wait_port 9443
k=$("$B/bench/hs_load" --procs "$PROCS" --seconds "$SECONDS_EACH" --suite "$SUITE" 127.0.0.1 9443)

openssl s_server -accept 127.0.0.1:9444 -cert "$w/c.pem" -key "$w/k.pem" -tls1_2 -cipher "$SUITE" \
	-quiet -no_ticket >/dev/null 2>&1 </dev/null &
sserver=$!
wait_port 9444
o=$("$B/bench/hs_load" --procs "$PROCS" --seconds "$SECONDS_EACH" --suite "$SUITE" 127.0.0.1 9444)
kill $sserver

# TLS 1.3 full handshakes per second from PROCS s_time clients at once.
s_time_rate() { # port
	local pids=() i
	for i in $(seq "$PROCS"); do
		openssl s_time -connect "127.0.0.1:$1" -tls1_3 -new -time "$SECONDS_EACH" \
			>"$w/stime.$1.$i" 2>&1 </dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$w"/stime."$1".* |
		awk '/connections in [0-9]+ real seconds/ {n += $1; if ($4 > t) t = $4}
		     END {printf "%.1f", t ? n / t : 0}'
}
# Resumed ones from PROCS bench/resume.py clients, each from its first
# connection's ticket (s_time -reuse never reads a TLS 1.3 ticket: it would
# count full handshakes). Only handshakes that did resume are counted.
resumed_rate() { # port
	local pids=() i end
	end=$(awk -v t="$(date +%s.%N)" -v s="$SECONDS_EACH" 'BEGIN { printf "%.6f", t + s }')
	for i in $(seq "$PROCS"); do
		python3 bench/resume.py 127.0.0.1 "$1" TLSv1_3 "$end" >"$w/resume.$1.$i" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$w"/resume."$1".* | awk -v s="$SECONDS_EACH" '$1 == "resumed" { n += $2 } END { printf "%.1f", n / s }'
}
k13=$(s_time_rate 9443)
k13r=$(resumed_rate 9443)
openssl s_server -accept 127.0.0.1:9446 -cert "$w/c.pem" -key "$w/k.pem" -tls1_3 -quiet \
	>/dev/null 2>&1 </dev/null &
sserver=$!
wait_port 9446
o13=$(s_time_rate 9446)
o13r=$(resumed_rate 9446)
kill $sserver

get() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
# The daemon's resident memory: the supervisor and every child (workers, key process).
rss() {
	local pid kib=0
	for pid in "$daemon" $(pgrep -P "$daemon"); do
		kib=$((kib + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")))
	done
	echo "$kib"
}
idle_rss=$(rss)
kill $server
"$B/bench/handoff_server" -S "$w/ktlsd.sock" -p bench -l 9445 --report 1000 >"$w/hs2.out" &
server=$!
wait_port 9445
exec 7>&-
exec 7> >("$B/bench/hs_load" --idle 1000 127.0.0.1 9445 >"$w/idle.out")
for _ in $(seq 600); do grep -q '^inflight 1000' "$w/hs2.out" && break; sleep 0.1; done
grep -q '^inflight 1000' "$w/hs2.out" || { echo "bench: 1000 hand-offs never in flight" >&2; exit 1; }
busy_rss=$(rss)
exec 7>&-

printf '\n%-28s %12s %12s %10s\n' "handshakes, 1 core each" "ktlsd" "s_server" "ratio"
printf '%-28s %12s %12s %10.2f\n' "full handshakes/s" "$(get rate "$k")" "$(get rate "$o")" \
	"$(awk "BEGIN{print $(get rate "$k")/$(get rate "$o")}")"
printf '%-28s %12s %12s %10.2f\n' "hand-off latency p50 (ms)" "$(get p50_ms "$k")" "$(get p50_ms "$o")" \
	"$(awk "BEGIN{print $(get p50_ms "$k")/$(get p50_ms "$o")}")"
printf '%-28s %12s %12s %10.2f\n' "hand-off latency p99 (ms)" "$(get p99_ms "$k")" "$(get p99_ms "$o")" \
	"$(awk "BEGIN{print $(get p99_ms "$k")/$(get p99_ms "$o")}")"
printf '%-28s %12s %12s\n' "failures" "$(get failures "$k")" "$(get failures "$o")"
ratio() { awk "BEGIN{print ($2 > 0) ? $1 / $2 : 0}"; }
printf '\n%-28s %12s %12s %10s\n' "TLS 1.3, openssl s_time" "ktlsd" "s_server" "ratio"
printf '%-28s %12s %12s %10.2f\n' "full handshakes/s" "$k13" "$o13" "$(ratio "$k13" "$o13")"
printf '%-28s %12s %12s %10.2f\n' "resumed handshakes/s" "$k13r" "$o13r" "$(ratio "$k13r" "$o13r")"
printf '\nktlsd RSS: %s KiB idle, %s KiB with 1000 handshakes in flight (%s KiB each)\n' \
	"$idle_rss" "$busy_rss" "$(( (busy_rss - idle_rss) / 1000 ))"
echo "raw: ktlsd: $k"
echo "raw: s_server: $o"
rm -rf "$w"

# Throughput over an emulated offload NIC: plaintext, software kTLS, TX and
# TX+RX on ktls_nsim, without and with 1% loss (bench/offload_tput.c).
echo
"$B/bench/offload_tput" "${BENCH_OFFLOAD_MIB:-1024}"
