# ktlsd: kernel TLS, and NIC TLS offload, under any application.
#
#   make              build everything into build/
#   make check        host tests, then the kselftests inside a VM (installs deps)
#   make demo         the main job, inside a VM (installs deps)
#   make modules      the kernel modules (top-level Kbuild), against the pinned kernel
#   make deps         install the Debian packages and the guest kernel we need
#   make install      DESTDIR=... PREFIX=... (default /usr/local)
#   make clean
#
# SANITIZE=address,undefined builds everything with those sanitizers.

PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     := build
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -Wall -Wextra -Werror
SANITIZE  ?=
ifneq ($(SANITIZE),)
CFLAGS    += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=$(SANITIZE)
endif

# kselftest framework headers, taken from Debian's kernel source at build time.
KSFT_TARBALL := /usr/src/linux-source-6.1.tar.xz
KSFT_DIR     := $(BUILD)/ksft
KSFT_HDRS    := $(KSFT_DIR)/kselftest.h $(KSFT_DIR)/kselftest_harness.h

SELFTESTS     := ktls_basic
SELFTEST_DIR  := $(BUILD)/selftests
SELFTEST_BINS := $(SELFTESTS:%=$(SELFTEST_DIR)/%)
SELFTEST_UTIL := $(SELFTEST_DIR)/ktls_util.o

GUEST_KERNEL := kmod-tests/vm/guest-kernel
KDIR          = $(shell $(GUEST_KERNEL) env 2>/dev/null | sed -n 's/^KDIR=//p')

.PHONY: all selftests modules deps check demo install clean
all: selftests

selftests: $(SELFTEST_BINS)

$(KSFT_HDRS) &:
	@test -f $(KSFT_TARBALL) || { echo "$(KSFT_TARBALL) is missing: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(KSFT_TARBALL) -C $(KSFT_DIR) --strip-components=4 --occurrence=1 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h
	@touch $(KSFT_HDRS)

$(SELFTEST_DIR)/%.o: kmod-tests/selftests/%.c kmod-tests/selftests/ktls_util.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The harness header is the kernel's, not ours: -isystem keeps its own
# warnings out of -Werror, while ours still count.
$(SELFTEST_DIR)/%: kmod-tests/selftests/%.c $(SELFTEST_UTIL) $(KSFT_HDRS) kmod-tests/selftests/ktls_util.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -isystem $(KSFT_DIR) -o $@ $< $(SELFTEST_UTIL) $(LDFLAGS)

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no headers for the pinned kernel: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	mk/deps.sh

check: deps
	$(MAKE) all
	mk/check.sh $(SELFTESTS)

demo: deps
	$(MAKE) all
	mk/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/libexec/ktlsd/selftests
	install -m 0755 $(SELFTEST_BINS) kmod-tests/selftests/run $(DESTDIR)$(PREFIX)/libexec/ktlsd/selftests/

clean:
	rm -rf $(BUILD)
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null; fi
