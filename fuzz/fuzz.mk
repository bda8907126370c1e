# libFuzzer targets for every parser fed from outside (fuzz/README.md).
# Included by the top-level Makefile; needs clang and libclang-rt-14-dev.
#
#   make fuzz-build               the targets, and their seeds in build/fuzz/corpus
#   make fuzz [FUZZ_SECONDS=60]   each target in turn; fails on any finding
#   make fuzz-replay              every seed once through its target (TAP),
#                                 as make check runs it
#
# The project's sources are compiled again here, with clang, the sanitizers
# and libFuzzer's coverage; -Werror only for fuzz/ itself (the gcc build is
# the one that enforces it on the project). BearSSL is linked statically:
# the handshake targets replace its system seeder (see fuzz/hs.h).

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    := $(BUILD)/fuzz
FUZZ_TARGETS  := request config creds hs_server hs_client reply key_request record san t13_hello t13_msg t12_msg t13_ticket t13_server_msgs
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   := -std=c11 -O1 -g -Wall -Wextra $(FUZZ_SAN) -fsanitize=fuzzer-no-link
# ECDSA signs with the elliptic-curve code here, whose nonces come from the
# injected entropy (fuzz/hs.h): libcrypto's DRBG would make every signature,
# and so every recorded Finished after it, new.
FUZZ_CPPFLAGS  = $(CPPFLAGS) -UKTLSD_ECDSA_OPENSSL -Idaemon -Ifuzz -DFUZZ_DATA_DIR='"$(abspath $(FUZZ_BUILD)/data)"'
FUZZ_LIBS      = $(shell $(FUZZ_CC) -print-file-name=libbearssl.a) $(INIH_LIBS) $(NL_LIBS) \
		 $(if $(NETTLE_PKGS),$(shell pkg-config --libs $(NETTLE_PKGS) 2>/dev/null)) \
		 $(shell pkg-config --libs json-c 2>/dev/null) $(RSA_LIBS) -pthread

FUZZ_PROJECT_OBJS := $(DAEMON_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o) $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_PROJECT_A    := $(FUZZ_BUILD)/libktlsd-fuzz.a
FUZZ_COMMON       := $(FUZZ_BUILD)/obj/fuzz/fuzz.o
FUZZ_HS           := $(FUZZ_BUILD)/obj/fuzz/hs.o
FUZZ_CORPUS_DONE  := $(FUZZ_BUILD)/corpus/.done

.PHONY: fuzz fuzz-build fuzz-replay
.SECONDARY: $(FUZZ_PROJECT_OBJS) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/obj/fuzz/fuzz_%.o)

fuzz-build: $(FUZZ_BINS) $(FUZZ_CORPUS_DONE)

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run $(FUZZ_TARGETS)

fuzz-replay: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) fuzz/replay $(FUZZ_TARGETS)

$(FUZZ_BUILD)/obj/%.o: %.c $(wildcard include/*.h lib/*.h daemon/*.h daemon/tls13/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/obj/fuzz/%.o: fuzz/%.c $(wildcard fuzz/*.h include/*.h lib/*.h daemon/*.h daemon/tls13/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -Werror -c -o $@ $<

$(FUZZ_PROJECT_A): $(FUZZ_PROJECT_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# The handshake targets carry hs.o: its getrandom, setsockopt and BearSSL
# seeder replace the real ones, so it goes before the libraries.
$(FUZZ_BUILD)/fuzz_hs_%: $(FUZZ_BUILD)/obj/fuzz/fuzz_hs_%.o $(FUZZ_HS) $(FUZZ_COMMON) $(FUZZ_PROJECT_A)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/fuzz/fuzz_%.o $(FUZZ_COMMON) $(FUZZ_PROJECT_A)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

# Not a fuzzer: records real handshake flights (and writes the other binary seeds).
$(FUZZ_BUILD)/gen_seeds: $(FUZZ_BUILD)/obj/fuzz/gen_seeds.o $(FUZZ_HS) $(FUZZ_COMMON) $(FUZZ_PROJECT_A)
	$(FUZZ_CC) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

# Credentials (the selftests' PKI) and seeds, remade together: the recorded
# flights are only valid with the keys they were recorded with.
$(FUZZ_CORPUS_DONE): fuzz/make-corpus $(FUZZ_BUILD)/gen_seeds kmod-tests/selftests/make-certs.sh
	fuzz/make-corpus $(FUZZ_BUILD) $(FUZZ_BUILD)/gen_seeds
	@touch $@
