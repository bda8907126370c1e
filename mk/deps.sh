#!/bin/bash
# Install what building and testing ktlsd needs, from Debian's packages only.
# Idempotent: a package already installed is not asked for again, and apt is
# not touched at all when nothing is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
guest_kernel="$here/../kmod-tests/vm/guest-kernel"

packages=(
	make gcc clang libclang-rt-14-dev pkg-config
	libbearssl-dev libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libinih-dev libgnutls28-dev libjson-c-dev
	qemu-system-x86 busybox-static linux-source-6.1 xz-utils cpio kmod
	openssl gnutls-bin curl ethtool iproute2
	# the privilege drop (libcap-ng), socket activation and sd_notify (libsystemd);
	# systemd-analyze, -sysusers and -tmpfiles for the units' test (no running systemd needed)
	libcap-ng-dev libsystemd-dev systemd
	# an independent AEAD the TLS 1.3 record test checks ours against
	python3-cryptography
	# nettle's elliptic curves (libhogweed) and GMP, which ec_nettle.c calls too
	nettle-dev libgmp-dev
	# X25519 (daemon/ec_nettle.c, X25519=sodium)
	libsodium-dev
	# the workers' system call filter (daemon/sandbox.c)
	libseccomp-dev
	# RSA's private operation in the key process (daemon/rsa.c)
	libssl-dev
)

say() { echo "deps: $*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		say "need root to run: $*"
		exit 1
	fi
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing_of() {
	local p
	for p in "$@"; do
		installed "$p" || printf '%s\n' "$p"
	done
}

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	say "apt-get update"
	as_root apt-get update -q >/dev/null
	apt_updated=1
}

install_missing() {
	local missing
	mapfile -t missing < <(missing_of "$@")
	[ "${#missing[@]}" -eq 0 ] && return 0
	apt_update_once
	say "installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

install_missing "${packages[@]}"

# Install PACKAGE, whose system service has the same name, without starting
# that service, and leave it disabled: bench/host.sh (make bench-host) runs
# nginx itself, with its own configuration, and Debian's nginx package would
# otherwise start the service on port 80 at once, and at every boot. A
# policy-rc.d refusing every action (exit 101) stops invoke-rc.d and
# deb-systemd-invoke while the package installs; a policy-rc.d the machine
# already has stays in charge, untouched.
install_without_service() { # PACKAGE
	local policy=/usr/sbin/policy-rc.d ours="" rc=0
	installed "$1" && return 0
	if [ ! -e "$policy" ]; then
		as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 0755 $policy"
		ours=1
		trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	install_missing "$1" || rc=$?
	if [ -n "$ours" ]; then
		as_root rm -f "$policy"
		trap - EXIT
	fi
	[ "$rc" -eq 0 ] || exit "$rc"
	# Both work without a running systemd: they only remove the boot links.
	if command -v systemctl >/dev/null; then
		as_root systemctl disable "$1.service" >/dev/null 2>&1 || true
	fi
	if command -v update-rc.d >/dev/null; then
		as_root update-rc.d "$1" disable >/dev/null 2>&1 || true
	fi
	say "installed $1, its service neither started nor enabled"
}
install_without_service nginx

# The ABI is resolved once here and pinned; the headers we build modules
# against and the image the VM boots are always the same kernel. Stale package
# lists can name an ABI the archive no longer has: refresh them and retry once.
guest_kernel_ready() {
	abi=$("$guest_kernel" resolve) &&
		install_missing "linux-headers-$abi" &&
		"$guest_kernel" fetch
}
if ! guest_kernel_ready 2>/dev/null; then
	apt_update_once
	guest_kernel_ready
fi
say "ok (guest kernel $abi)"
