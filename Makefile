# ktlsd: kernel TLS, and NIC TLS offload, under any application.
#
#   make              build everything into build/
#   make check        host tests, then the kselftests inside a VM (installs deps)
#   make demo         the main job, inside a VM (installs deps)
#   make modules      the kernel modules (top-level Kbuild), against the pinned kernel
#   make deps         install the Debian packages and the guest kernel we need
#   make install      DESTDIR=... PREFIX=... (default /usr/local)
#   make fuzz         each libFuzzer target for FUZZ_SECONDS (60) s (fuzz/README.md)
#   make clean
#
# SANITIZE=address,undefined builds everything with those sanitizers.

PREFIX    ?= /usr/local
DESTDIR   ?=
# systemd units, tmpfiles.d and sysusers.d snippets (systemd/); all three
# places are in systemd's search path under /usr/local/lib too.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
TMPFILES_DIR     ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERS_DIR     ?= $(PREFIX)/lib/sysusers.d
BUILD     := build
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -Wall -Wextra -Werror
SANITIZE  ?=
ifneq ($(SANITIZE),)
CFLAGS    += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=$(SANITIZE)
# gcc's object-size warnings read the sanitizers' instrumentation as null or
# zero-sized pointers and unbounded strings: warnings there, not errors.
ifeq ($(shell $(CC) --version 2>/dev/null | grep -c clang),0)
CFLAGS    += -Wno-error=stringop-overflow -Wno-error=nonnull -Wno-error=format-truncation
endif
endif

VERSION   := 0.1.0
SOVERSION := 0
PKGS      := libnl-3.0 libnl-genl-3.0 inih json-c libsystemd libcap-ng libseccomp
# Elliptic curves (daemon/ec.h): EC=nettle (default) puts nettle's
# (libhogweed; GMP is called directly too, and hogweed.pc leaves it out of
# its Libs) under BearSSL's EC hooks; EC=bearssl keeps BearSSL's own code.
EC        ?= nettle
ifeq ($(EC),nettle)
NETTLE_PKGS := hogweed nettle gmp
EC_SRCS     := daemon/ec_nettle.c
CPPFLAGS    += -DKTLSD_EC_NETTLE
else ifneq ($(EC),bearssl)
$(error EC must be nettle or bearssl, not $(EC))
endif
# X25519, with EC=nettle (daemon/ec_nettle.c): X25519=sodium (default) takes
# libsodium's, about twice nettle's speed here (its ladder, not GMP's); X25519=nettle
# keeps nettle's.
X25519    ?= sodium
ifeq ($(filter sodium nettle,$(X25519)),)
$(error X25519 must be sodium or nettle, not $(X25519))
endif
ifeq ($(EC)$(X25519),nettlesodium)
NETTLE_PKGS += libsodium
CPPFLAGS    += -DKTLSD_X25519_SODIUM
endif
# SHA-256 in our engine (daemon/hash.h): SHA=nettle (default) computes it
# with nettle's code (SHA-NI where the CPU has it); SHA=bearssl with BearSSL's.
SHA       ?= nettle
ifeq ($(SHA),nettle)
NETTLE_PKGS := $(if $(filter nettle,$(NETTLE_PKGS)),$(NETTLE_PKGS),$(NETTLE_PKGS) nettle)
CPPFLAGS    += -DKTLSD_SHA_NETTLE
else ifneq ($(SHA),bearssl)
$(error SHA must be nettle or bearssl, not $(SHA))
endif
# RSA's private operation (daemon/rsa.h): RSA=openssl (default) takes
# libcrypto's, several times faster than BearSSL's; RSA=bearssl keeps BearSSL's.
RSA       ?= openssl
ifeq ($(RSA),openssl)
RSA_LIBS     = $(shell pkg-config --libs libcrypto 2>/dev/null)
CPPFLAGS    += -DKTLSD_RSA_OPENSSL
else ifneq ($(RSA),bearssl)
$(error RSA must be openssl or bearssl, not $(RSA))
endif
# ECDSA's private operation (daemon/ecdsa.h): ECDSA=openssl takes libcrypto's,
# about twice nettle's speed for P-256 (the default when RSA=openssl brings
# libcrypto in); ECDSA=ec keeps the elliptic-curve code's (nettle's or BearSSL's).
ECDSA     ?= $(if $(filter openssl,$(RSA)),openssl,ec)
ifeq ($(ECDSA),openssl)
ifneq ($(RSA),openssl)
$(error ECDSA=openssl needs libcrypto: RSA=openssl)
endif
CPPFLAGS    += -DKTLSD_ECDSA_OPENSSL
else ifneq ($(ECDSA),ec)
$(error ECDSA must be openssl or ec, not $(ECDSA))
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
NL_LIBS    = $(shell pkg-config --libs libnl-3.0 2>/dev/null)
INIH_LIBS  = $(shell pkg-config --libs inih 2>/dev/null)
CTL_LIBS   = $(shell pkg-config --libs json-c libnl-genl-3.0 2>/dev/null)
CPPFLAGS  += -Iinclude -Ilib $(PKG_CFLAGS) $(if $(NETTLE_PKGS),$(shell pkg-config --cflags $(NETTLE_PKGS) 2>/dev/null))

# libktlsd: the hand-off, the record helpers, the kTLS key installation.
LIB_SRCS  := lib/handoff.c lib/record.c lib/ktls.c lib/sockdiag.c lib/tlsdiag.c
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_A     := $(BUILD)/libktlsd.a
LIB_SO    := $(BUILD)/libktlsd.so.$(SOVERSION)
LIB_LIBS   = $(NL_LIBS)

# ktlsd: everything but main.o is also linked into the unit tests.
DAEMON_SRCS := daemon/client_store.c daemon/closer.c daemon/config.c daemon/control.c daemon/creds.c daemon/ec.c $(EC_SRCS) daemon/ecdsa.c daemon/entropy.c \
	       daemon/failure.c daemon/fdpass.c daemon/generation.c daemon/handshake.c daemon/hash.c daemon/intake.c \
	       daemon/key_client.c daemon/keyproc.c daemon/keys.c daemon/log.c daemon/metrics.c daemon/policy.c daemon/privilege.c daemon/quota.c \
	       daemon/request.c daemon/rsa.c daemon/sandbox.c daemon/san.c daemon/server.c daemon/session_cache.c daemon/shm.c daemon/supervisor.c daemon/symmetric.c daemon/unixsock.c daemon/verify.c \
	       $(sort $(wildcard daemon/tls13/*.c))
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
# libsystemd: socket activation (sd_listen_fds) and sd_notify; libcap-ng: the
# privilege drop; libseccomp: the workers' system call filter.
DAEMON_LIBS  = -lbearssl $(if $(NETTLE_PKGS),$(shell pkg-config --libs $(NETTLE_PKGS) 2>/dev/null)) $(INIH_LIBS) \
	       $(shell pkg-config --libs json-c libsystemd libcap-ng libseccomp 2>/dev/null) $(RSA_LIBS) -pthread

# ktlsctl: one file per object, and the ethtool netlink client.
CTL_SRCS := $(wildcard tools/ktlsctl/*.c)
CTL_OBJS := $(CTL_SRCS:%.c=$(BUILD)/%.o)

PROGRAMS := $(BUILD)/ktlsd $(BUILD)/ktlscat $(BUILD)/ktlsctl
BENCH_PROGRAMS := $(BUILD)/bench/hs_load $(BUILD)/bench/handoff_server $(BUILD)/bench/offload_tput

UNIT_TESTS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(wildcard daemon/tests/test_*.c lib/tests/test_*.c tools/ktlsctl/tests/test_*.c)))
ifneq ($(EC),nettle)
UNIT_TESTS := $(filter-out $(BUILD)/tests/test_ec_nettle,$(UNIT_TESTS))
endif
# Every test limit scales with KTLSD_TEST_TIMEOUT_SCALE: test_time.h, shared by
# the host tests, the kselftests and (through test-time) the scripts.
TEST_TIME_H   := kmod-tests/selftests/test_time.h
HOST_TEST_INC := -Ilib/tests -Ikmod-tests/selftests
TEST_TIME     := $(BUILD)/test-time

# kselftest framework headers, taken from Debian's kernel source at build time.
KSFT_TARBALL := /usr/src/linux-source-6.1.tar.xz
KSFT_DIR     := $(BUILD)/ksft
KSFT_HDRS    := $(KSFT_DIR)/kselftest.h $(KSFT_DIR)/kselftest_harness.h

SELFTESTS     := ktls_basic ktls_offload ktls_nsim_lifecycle ktlsctl_test ktlsd_control ktlsd_handoff ktlsd_failures ktlsd_records ktlsd_hostile ktlsd_tls13
SELFTEST_DIR  := $(BUILD)/selftests
SELFTEST_BINS := $(SELFTESTS:%=$(SELFTEST_DIR)/%)
# Peers the suites drive that no Debian package provides.
SELFTEST_HELPERS := $(SELFTEST_DIR)/flight_peer
SELFTEST_UTIL := $(SELFTEST_DIR)/ktls_util.o $(SELFTEST_DIR)/ktlsd_env.o $(SELFTEST_DIR)/offload_env.o

# Shared by every suite: keep them between builds.
.SECONDARY: $(SELFTEST_UTIL)

GUEST_KERNEL := kmod-tests/vm/guest-kernel
KDIR          = $(shell $(GUEST_KERNEL) env 2>/dev/null | sed -n 's/^KDIR=//p')

.PHONY: all lib programs tests selftests bench-programs modules deps check demo bench bench-host install clean
all: lib programs tests selftests bench-programs

lib: $(LIB_A) $(LIB_SO) $(BUILD)/libktlsd.pc
programs: $(PROGRAMS)
tests: $(UNIT_TESTS) $(TEST_TIME)
selftests: $(SELFTEST_BINS) $(SELFTEST_HELPERS) $(TEST_TIME)
bench-programs: $(BENCH_PROGRAMS)

$(BUILD)/lib/%.o: lib/%.c $(wildcard include/*.h lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=default -c -o $@ $<

# daemon/tls13/: the TLS 1.3 engine, on BearSSL's primitives.
$(BUILD)/daemon/%.o: daemon/%.c $(wildcard include/*.h lib/*.h daemon/*.h daemon/tls13/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c $(wildcard include/*.h tools/ktlsctl/*.h lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/ktlsctl: $(CTL_OBJS) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(CTL_LIBS) $(LIB_LIBS)

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libktlsd.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)
	ln -sf libktlsd.so.$(SOVERSION) $(BUILD)/libktlsd.so

$(BUILD)/libktlsd.pc: lib/libktlsd.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< >$@

$(BUILD)/ktlsd: $(BUILD)/daemon/main.o $(DAEMON_OBJS) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(LIB_LIBS)

$(BUILD)/bench/hs_load: bench/hs_load.c $(BUILD)/daemon/verify.o $(BUILD)/daemon/san.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Idaemon $(CFLAGS) -o $@ $< $(BUILD)/daemon/verify.o $(BUILD)/daemon/san.o $(LIB_A) $(LDFLAGS) -lbearssl $(LIB_LIBS)

$(BUILD)/bench/handoff_server: bench/handoff_server.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(LIB_LIBS)

$(BUILD)/bench/offload_tput: bench/offload_tput.c $(SELFTEST_DIR)/offload_env.o $(SELFTEST_DIR)/ktls_util.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ikmod-tests/selftests $(CFLAGS) -o $@ $< $(SELFTEST_DIR)/offload_env.o \
		$(SELFTEST_DIR)/ktls_util.o $(LIB_A) $(LDFLAGS) $(LIB_LIBS)

$(BUILD)/ktlscat: $(BUILD)/tools/ktlscat.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/tests/%: daemon/tests/%.c $(DAEMON_OBJS) $(LIB_A) $(wildcard lib/tests/*.h daemon/tests/*.h) $(TEST_TIME_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Idaemon $(HOST_TEST_INC) $(CFLAGS) -o $@ $< $(DAEMON_OBJS) $(LIB_A) $(LDFLAGS) $(DAEMON_LIBS) $(LIB_LIBS)

$(BUILD)/tests/%: tools/ktlsctl/tests/%.c $(BUILD)/ktlsctl $(wildcard lib/tests/*.h) $(TEST_TIME_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HOST_TEST_INC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(CTL_LIBS)

$(BUILD)/tests/%: lib/tests/%.c $(LIB_A) $(wildcard lib/tests/*.h) $(TEST_TIME_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(HOST_TEST_INC) $(CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(LIB_LIBS)

$(TEST_TIME): mk/test-time.c $(TEST_TIME_H)
	@mkdir -p $(@D)
	$(CC) -Ikmod-tests/selftests $(CFLAGS) -o $@ $< $(LDFLAGS)

$(KSFT_HDRS) &:
	@test -f $(KSFT_TARBALL) || { echo "$(KSFT_TARBALL) is missing: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(KSFT_TARBALL) -C $(KSFT_DIR) --strip-components=4 --occurrence=1 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h
	@touch $(KSFT_HDRS)

$(SELFTEST_DIR)/%.o: kmod-tests/selftests/%.c $(wildcard kmod-tests/selftests/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -c -o $@ $<

# The harness header is the kernel's, not ours: -isystem keeps its own
# warnings out of -Werror, while ours still count.
# Its TEST() and EXPECT macros expand, in our files, to an unused parameter
# and empty loop bodies, which clang's -Wextra reports: those two only.
KSFT_CFLAGS := -Wno-unused-parameter -Wno-empty-body
$(SELFTEST_DIR)/%: kmod-tests/selftests/%.c $(SELFTEST_UTIL) $(LIB_A) $(KSFT_HDRS) $(wildcard kmod-tests/selftests/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(KSFT_CFLAGS) -Iinclude -isystem $(KSFT_DIR) -o $@ $< $(SELFTEST_UTIL) $(LIB_A) \
		$(LDFLAGS) -lbearssl $(NL_LIBS) $(shell pkg-config --libs json-c)

$(SELFTEST_DIR)/flight_peer: kmod-tests/selftests/flight_peer.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags gnutls) -o $@ $< $(LDFLAGS) $(shell pkg-config --libs gnutls)

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no headers for the pinned kernel: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	mk/deps.sh

check: deps
	$(MAKE) all modules fuzz-build
	mk/check.sh $(SELFTESTS)

demo: deps
	$(MAKE) all modules
	mk/demo.sh

# In one VM run, with real kTLS installs: server CPU per handshake, ktlsd
# against nginx (bench/host.sh), then memory and offload throughput (ratios
# are the result; absolute numbers under TCG are not).
bench: deps
	$(MAKE) all modules
	kmod-tests/vm/vmrun --timeout 3600 -- bench/run.sh

# Server CPU per handshake, ktlsd (as built, and with BearSSL's code only:
# EC=bearssl RSA=bearssl SHA=bearssl) against nginx, on this machine's own CPU: no VM, no
# kTLS needed (bench/host.sh). nginx comes from make deps. The BearSSL-only
# daemon gets a build folder of its own.
BUILD_BEARSSL ?= build-bearssl
ifeq ($(EC),nettle)
bench-host: $(BUILD)/ktlsd $(BUILD)/bench/hs_load $(BUILD)/bench/handoff_server
	$(MAKE) EC=bearssl RSA=bearssl SHA=bearssl BUILD=$(BUILD_BEARSSL) $(BUILD_BEARSSL)/ktlsd
	BENCH_BUILD=$(BUILD) BENCH_BUILD_BEARSSL=$(BUILD_BEARSSL) bench/host.sh
else
bench-host:
	@echo "bench-host: compares EC=nettle (in $(BUILD)) with EC=bearssl: leave EC unset" >&2; exit 1
endif

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/libexec/ktlsd/selftests
	install -m 0755 $(BUILD)/ktlsd $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(BUILD)/ktlscat $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(BUILD)/ktlsctl $(DESTDIR)$(PREFIX)/sbin/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 tools/ktlsctl/ktlsctl.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ktlsctl
	install -m 0644 include/ktlsd.h include/ktlsd_ktls.h $(DESTDIR)$(PREFIX)/include/
	install -m 0644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libktlsd.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libktlsd.so
	install -m 0644 $(BUILD)/libktlsd.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 man/ktlscat.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/ktlsd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/ktlsd.8 man/ktlsctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0755 $(SELFTEST_BINS) $(SELFTEST_HELPERS) kmod-tests/selftests/run kmod-tests/selftests/make-certs.sh \
		$(DESTDIR)$(PREFIX)/libexec/ktlsd/selftests/
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(TMPFILES_DIR) $(DESTDIR)$(SYSUSERS_DIR)
	sed 's|^ExecStart=/usr/sbin/ktlsd |ExecStart=$(PREFIX)/sbin/ktlsd |' systemd/ktlsd.service \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/ktlsd.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/ktlsd.service
	install -m 0644 systemd/ktlsd.socket systemd/ktlsd-control.socket $(DESTDIR)$(SYSTEMD_UNIT_DIR)/
	install -m 0644 systemd/ktlsd.tmpfiles $(DESTDIR)$(TMPFILES_DIR)/ktlsd.conf
	install -m 0644 systemd/ktlsd.sysusers $(DESTDIR)$(SYSUSERS_DIR)/ktlsd.conf
	@# The user ktlsd runs as: made here for a real install by root; a package
	@# (DESTDIR set) gets it from the sysusers snippet at its own install time.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && ! getent passwd ktlsd >/dev/null; then \
		echo "useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ktlsd"; \
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --comment "ktlsd TLS handshake daemon" ktlsd; \
	fi

clean:
	rm -rf $(BUILD) $(BUILD_BEARSSL)
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null; fi

# libFuzzer targets: make fuzz-build, make fuzz FUZZ_SECONDS=N, make fuzz-replay.
include fuzz/fuzz.mk
