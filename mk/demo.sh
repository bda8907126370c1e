#!/bin/bash
# demo.sh: the main job, shown in the test VM.
#
# The daemon (ktlsd) does not exist yet. Until it does, the demo shows the
# ground it will stand on: the pinned Debian kernel booting under QEMU with
# real kernel TLS, and ktls_basic moving data through it for each cipher.
set -euo pipefail
cd "$(dirname "$0")/.."

cat <<'EOF'
ktlsd demo: the daemon is not built yet, so this runs the kTLS basic check
(kmod-tests/selftests/ktls_basic) inside the test VM: Debian's 6.1 kernel,
software kTLS, AES-GCM-128/256 and ChaCha20-Poly1305.
EOF
exec kmod-tests/selftests/run ktls_basic
