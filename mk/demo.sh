#!/bin/bash
# demo.sh: the main job, in the test VM, the way a new user would do it:
# make a certificate, start ktlsd, serve a file with ktlscat (which hands
# its connection to ktlsd), fetch it with curl, and look at what happened.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --in-vm ]; then
	echo "ktlsd demo: booting the test VM (Debian's 6.1 kernel, which has kTLS)..."
	exec kmod-tests/vm/vmrun --timeout "$(build/test-time 600)" -- "$0" --in-vm
fi

B=$PWD/build
demo=/tmp/ktlsd-demo
mkdir -p "$demo"
step() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1. A certificate for localhost"
show openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost \
	-keyout "$demo/web.key" -out "$demo/web.crt" 2>/dev/null

# Root's, readable by the group of the user ktlsd runs as (nobody's here: this
# VM has no ktlsd user, which make install creates): reloads read it as that user.
chgrp nogroup "$demo/web.key" && chmod 0640 "$demo/web.key"

step "2. ktlsd's configuration"
cat >"$demo/ktlsd.conf" <<EOF
[daemon]
socket = $demo/ktlsd.sock
handshake_timeout = 10s
user = nobody

[profile web]
cert = $demo/web.crt
key = $demo/web.key
verify = none
EOF
cat "$demo/ktlsd.conf"

step "3. Start ktlsd"
show "$B/ktlsd" -c "$demo/ktlsd.conf" -t
"$B/ktlsd" -f -c "$demo/ktlsd.conf" 2>"$demo/ktlsd.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S "$demo/ktlsd.sock" ] && break; sleep 0.05; done

step "4. A file to serve: 32 MiB of random bytes"
head -c 33554432 /dev/urandom >"$demo/file"
sha256sum "$demo/file" | tee "$demo/file.sha256"
before=$(awk '/TlsTxSw/ {print $2}' /proc/net/tls_stat)

step "5. ktlscat serves it: accept, hand the socket to ktlsd, then sendfile(2)"
echo "\$ ktlscat -v -S $demo/ktlsd.sock -l 8443 -p web --once --sendfile $demo/file &"
"$B/ktlscat" -v -S "$demo/ktlsd.sock" -l 8443 -p web --once --sendfile "$demo/file" \
	2>"$demo/ktlscat.log" &
server=$!
# Wait until port 8443 (hex 20FB) is listening.
for _ in $(seq 100); do grep -qE ':20FB [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 && break; sleep 0.05; done

step "6. curl fetches it (TLS 1.3, ktlsd's own engine), verifying the certificate"
show curl -sS --http0.9 --cacert "$demo/web.crt" -o "$demo/received" https://localhost:8443/
wait $server

step "7. What happened"
cat "$demo/ktlscat.log"
sed 's/^/  /' "$demo/ktlsd.log"
echo "TlsTxSw (kernel TLS sockets that sent): $before -> $(awk '/TlsTxSw/ {print $2}' /proc/net/tls_stat)"
sent=$(cut -d' ' -f1 "$demo/file.sha256")
got=$(sha256sum "$demo/received" | cut -d' ' -f1)
echo "sent     $sent"
echo "received $got"
if [ "$sent" = "$got" ]; then
	echo "received file: SHA-256 identical -- the kernel encrypted every byte curl got"
else
	echo "received file: SHA-256 differs" >&2
	exit 1
fi
grep -q 'kTLS tx sw, rx sw' "$demo/ktlscat.log"

step "8. The same through a NIC with TLS offload: ktls_nsim, the emulated one"
echo "(NIC offload in Linux 6.1 carries TLS 1.2 only, so curl asks for 1.2 here: a"
echo " TLS 1.3 socket on the same NIC runs in software)"
modprobe -q gf128mul || true
show insmod kmod-tests/nsim/ktls_nsim.ko
show ip netns add demo
show ip link set knsim1 netns demo
ip addr add 192.0.2.1/24 dev knsim0 && ip link set knsim0 up
ip -n demo addr add 192.0.2.2/24 dev knsim1 && ip -n demo link set knsim1 up
echo "\$ ktlscat -v -S $demo/ktlsd.sock -b 192.0.2.1 -l 8443 -p web --once --sendfile $demo/file &"
"$B/ktlscat" -v -S "$demo/ktlsd.sock" -b 192.0.2.1 -l 8443 -p web --once --sendfile "$demo/file" \
	2>"$demo/ktlscat-hw.log" &
server=$!
for _ in $(seq 100); do grep -qE ':20FB [0-9A-F]+:0000 0A' /proc/net/tcp && break; sleep 0.05; done
show ip netns exec demo curl -sS --http0.9 --tls-max 1.2 --cacert "$demo/web.crt" \
	--resolve localhost:8443:192.0.2.1 -o "$demo/received-hw" https://localhost:8443/
wait $server
cat "$demo/ktlscat-hw.log"
got=$(sha256sum "$demo/received-hw" | cut -d' ' -f1)
echo "received $got"
[ "$sent" = "$got" ] || { echo "received file: SHA-256 differs" >&2; exit 1; }
grep -q 'kTLS tx hw, rx hw' "$demo/ktlscat-hw.log"
echo "SHA-256 identical: this time the (emulated) NIC encrypted every record"

step "9. What an operator sees: ktlsctl"
show "$B/ktlsctl" dev show knsim0
# A connection that stays open while we look: an echo server, a quiet client
# behind a second ktlsd in the other namespace.
"$B/ktlscat" -S "$demo/ktlsd.sock" -b 192.0.2.1 -l 8444 -p web --once --echo 2>/dev/null &
echo_server=$!
for _ in $(seq 100); do grep -qE ':20FC [0-9A-F]+:0000 0A' /proc/net/tcp && break; sleep 0.05; done
printf '[daemon]\nsocket = %s/client/ktlsd.sock\nuser = nobody\n[profile browse]\nca = %s/web.crt\n' \
	"$demo" "$demo" >"$demo/ktlsd-client.conf"
ip netns exec demo "$B/ktlsd" -f -c "$demo/ktlsd-client.conf" 2>/dev/null &
client_daemon=$!
trap 'kill $daemon $client_daemon 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S "$demo/client/ktlsd.sock" ] && break; sleep 0.05; done
rm -f "$demo/hold" && mkfifo "$demo/hold"
ip netns exec demo "$B/ktlscat" -S "$demo/client/ktlsd.sock" -p browse -n localhost \
	192.0.2.1 8444 <"$demo/hold" >/dev/null 2>&1 &
client=$!
exec 3>"$demo/hold"
for _ in $(seq 200); do "$B/ktlsctl" sockets sport 8444 | grep -q hw && break; sleep 0.05; done
show "$B/ktlsctl" sockets
show "$B/ktlsctl" sockets -n demo
exec 3>&-
wait $client $echo_server || true
show "$B/ktlsctl" stats -s "$demo/ctl.sock"
show "$B/ktlsctl" daemon -s "$demo/ctl.sock" status
