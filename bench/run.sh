#!/bin/bash
# bench/run.sh: the benchmark, run inside the test VM by `make bench`.
# First bench/host.sh here, where kTLS works: server CPU per handshake, ktlsd
# (every hand-off ending with kTLS installed) against nginx, the same rows as
# on the host plus TLS 1.2 resumed (ktlsd's session cache), as ratios; then
# ktlsd's memory with 1,000 handshakes in flight; then throughput over the
# emulated offload NIC.
# Absolute numbers under TCG mean little: the ratios are the result.
# BENCH_SECONDS (20) a figure, BENCH_ROUNDS (1), BENCH_PROCS (2) clients.
set -euo pipefail
cd "$(dirname "$0")/.."
B=$PWD/build
SUITE=ECDHE-ECDSA-AES128-GCM-SHA256

BENCH_KTLS=1 BENCH_BEARSSL=0 BENCH_STRACE=0 BENCH_WORKERS=0 BENCH_LATENCY=0 \
	BENCH_SECONDS=${BENCH_SECONDS:-20} BENCH_ROUNDS=${BENCH_ROUNDS:-1} BENCH_PROCS=${BENCH_PROCS:-2} \
	BENCH_BUILD="$B" bench/host.sh

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
server=
trap 'kill $daemon $server 2>/dev/null || true' EXIT
wait_port() { for _ in $(seq 400); do grep -qiE ":$(printf %04X "$1") [0-9A-F]+:0000 0A" /proc/net/tcp && return; sleep 0.05; done; return 1; }
# Up: listening, with a worker a CPU (the default) and the key process.
up=0
for _ in $(seq 400); do
	[ -S "$w/ktlsd.sock" ] && [ "$(pgrep -c -P "$daemon")" -ge $(($(nproc) + 1)) ] && up=1 && break
	sleep 0.05
done
[ "$up" = 1 ] || { echo "bench: ktlsd did not come up: $(cat "$w/ktlsd.log")" >&2; exit 1; }

# The daemon's resident memory: the supervisor and every child (workers, key process).
rss() {
	local pid kib=0
	for pid in "$daemon" $(pgrep -P "$daemon"); do
		kib=$((kib + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")))
	done
	echo "$kib"
}
idle_rss=$(rss)
"$B/bench/handoff_server" -S "$w/ktlsd.sock" -p bench -l 9445 --report 1000 >"$w/hs2.out" &
server=$!
wait_port 9445
exec 7>&-
exec 7> >("$B/bench/hs_load" --idle 1000 127.0.0.1 9445 >"$w/idle.out")
for _ in $(seq 600); do grep -q '^inflight 1000' "$w/hs2.out" && break; sleep 0.1; done
grep -q '^inflight 1000' "$w/hs2.out" || { echo "bench: 1000 hand-offs never in flight" >&2; exit 1; }
busy_rss=$(rss)
exec 7>&-

printf '\nktlsd RSS: %s KiB idle, %s KiB with 1000 handshakes in flight (%s KiB each)\n' \
	"$idle_rss" "$busy_rss" "$(( (busy_rss - idle_rss) / 1000 ))"
rm -rf "$w"

# Throughput over an emulated offload NIC: plaintext, software kTLS, TX and
# TX+RX on ktls_nsim, without and with 1% loss (bench/offload_tput.c).
echo
"$B/bench/offload_tput" "${BENCH_OFFLOAD_MIB:-1024}"
