# sfc: bpf objects -> skeletons -> binaries; test, demo, bench targets.
SHELL := /bin/bash
.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

OUT       := build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= gcc
ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# System libraries per layer: the common library and the model need only
# libmnl and jansson; the loader (libbpf) is linked by sfcd alone.
PKGS      := libbpf libmnl jansson libelf zlib
BASE_PKGS := libmnl jansson
CFLAGS    ?= -O2 -g
CFLAGS    += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation -Wshadow -std=gnu11 \
	     -D_GNU_SOURCE -Iheaders -Iuser/common -Iuser/model -Iuser/lib -I$(OUT) -MMD -MP \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
LDLIBS       := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
BASE_LDLIBS  := $(shell pkg-config --libs $(BASE_PKGS) 2>/dev/null)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Iheaders -Ibpf -I/usr/include/$(MULTIARCH)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/*.h) $(wildcard headers/*.h)

# user space: three libraries, one job each
#   libsfc-common.a  log, text forms, rtnetlink helper, JSON-lines socket (no libbpf)
#   libsfc-model.a   the desired-state document (no libbpf)
#   libsfc.a         the loader: load, pin, attach, apply (libbpf; sfcd only)
COMMON    := $(OUT)/libsfc-common.a
MODEL     := $(OUT)/libsfc-model.a
LIB       := $(OUT)/libsfc.a
lib_objs   = $(patsubst user/%.c,$(OUT)/obj/%.o,$(wildcard user/$(1)/*.c))

BINS      := $(OUT)/sfcd $(OUT)/sfcctl $(OUT)/sfc-cni
UNIT_SRCS := $(wildcard tests/unit/unit_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
LOGIC_SRCS := $(wildcard tests/logic/*.c)
LOGIC_BINS := $(patsubst tests/logic/%.c,$(OUT)/tests/logic_%,$(LOGIC_SRCS))

.PHONY: all deps test demo bench clean install vmtest fuzz fuzz-build sanitize
all: $(BINS) $(UNIT_BINS) $(LOGIC_BINS)

# --- bpf objects and skeletons
$(OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- user space: every object from user/DIR/NAME.c; headers tracked by -MMD.
# Objects of the loader and of sfcd may include the skeleton.
$(OUT)/obj/%.o: user/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser/$(firstword $(subst /, ,$*)) -c $< -o $@

$(call lib_objs,lib) $(call lib_objs,sfcd): $(SKELS)

$(COMMON): $(call lib_objs,common)
$(MODEL): $(call lib_objs,model)
$(LIB): $(call lib_objs,lib)
$(COMMON) $(MODEL) $(LIB):
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# PROGRAM(name, libraries, system libraries): user/name/*.c -> build/name
define PROGRAM
$(OUT)/$(1): $(call lib_objs,$(1)) $(2)
	$$(call msg,LINK,$$@)
	$$(Q)$$(CC) $$(CFLAGS) $$^ $(3) -o $$@
endef
$(eval $(call PROGRAM,sfcd,$(LIB) $(MODEL) $(COMMON),$(LDLIBS)))
$(eval $(call PROGRAM,sfcctl,$(MODEL) $(COMMON),$(BASE_LDLIBS)))
$(eval $(call PROGRAM,sfc-cni,$(COMMON),$(BASE_LDLIBS)))

# BPF unit tests (root: they load the datapath); logic tests (no root, no BPF)
# (their dependency files go to build/deps, so build/tests holds only tests)
TEST_DEPS = -MF $(OUT)/deps/$(@F).d
$(OUT)/tests/%: tests/unit/%.c $(LIB) $(MODEL) $(COMMON) $(SKELS) | $(OUT)/tests $(OUT)/deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TEST_DEPS) -Itests/unit -Itests/lib $< $(LIB) $(MODEL) $(COMMON) $(LDLIBS) -o $@

$(OUT)/tests/logic_%: tests/logic/%.c $(LIB) $(MODEL) $(COMMON) $(SKELS) | $(OUT)/tests $(OUT)/deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TEST_DEPS) -Itests/lib -Iuser/sfcctl $< $(LIB) $(MODEL) $(COMMON) $(LDLIBS) -lm -o $@

# sfcctl's grammar and batch parser, monitor's output: its objects but main's,
# no daemon (headers the dependency file adds to $^ are not inputs)
SFCCTL_LOGIC := $(OUT)/tests/logic_cli_grammar $(OUT)/tests/logic_monitor_output
$(SFCCTL_LOGIC): $(OUT)/tests/logic_%: tests/logic/%.c \
		$(filter-out %/main.o,$(call lib_objs,sfcctl)) $(MODEL) $(COMMON) | $(OUT)/tests $(OUT)/deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TEST_DEPS) -Itests/lib -Iuser/sfcctl $(filter %.c %.o %.a,$^) $(BASE_LDLIBS) -o $@

$(OUT) $(OUT)/tests $(OUT)/deps:
	$(Q)mkdir -p $@

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

# --- packages: installed only when something is missing
DEB_PKGS := clang llvm libbpf-dev bpftool libmnl-dev libelf-dev zlib1g-dev \
	    libjansson-dev pkg-config gcc make iproute2 nftables iputils-ping \
	    socat jq tcpdump tshark tmux python3-scapy ethtool procps coreutils \
	    containernetworking-plugins libfuzzer-14-dev libclang-rt-14-dev
# Servers the tests start themselves, on loopback in their namespaces: no
# recommended extras (exporters), and the package's own service, which
# would listen on every address, is not left enabled.
DEB_SERVERS := prometheus
# apt-get update once, and only when something is missing
deps:
	@missing=; servers=; \
	for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || missing="$$missing $$p"; done; \
	for p in $(DEB_SERVERS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || servers="$$servers $$p"; done; \
	if [ -n "$$missing$$servers" ]; then \
		echo "installing:$$missing$$servers"; \
		apt-get update -q || exit 1; \
	fi; \
	if [ -n "$$missing" ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing || exit 1; \
	fi; \
	if [ -n "$$servers" ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			$$servers || exit 1; \
		for p in $$servers; do systemctl disable --now $$p >/dev/null 2>&1 || true; done; \
	fi

# The package check runs once per machine (and again when this Makefile
# changes), not on every test run.
DEPS_OK := $(OUT)/.deps-ok
$(DEPS_OK): Makefile | $(OUT)
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)touch $@

test: $(DEPS_OK)
	$(MAKE) all
	@# the fuzz targets are built (not run: make fuzz), so that a change
	@# that breaks their build fails here and not only in CI
	$(MAKE) --no-print-directory fuzz-build
	tests/run.sh

demo: $(DEPS_OK)
	$(MAKE) all
	tests/demo.sh

# the unit tests and vm/guest/*.sh under another kernel, in a qemu VM:
# Debian 12's 6.1 by default (cached in build/vm/), or KERNEL_DEB=FILE.deb
vmtest: $(DEPS_OK)
	$(MAKE) all
	vm/vmtest.sh $(KERNEL_DEB)

# --- fuzzing (tests/fuzz/fuzz_*.c): libFuzzer with ASan and UBSan, its own
# objects in build/fuzz. Each target runs FUZZ_SECONDS on its corpus
# (tests/fuzz/corpus/TARGET; new inputs go to build/fuzz/corpus/TARGET) with
# its dictionary, FUZZ_JOBS (2) at a time; a crash fails the run and leaves
# TARGET-crash-* in build/fuzz.
FUZZ_OUT     := $(OUT)/fuzz
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = $(filter-out -Wno-format-truncation,$(CFLAGS)) -Wno-unknown-warning-option \
		$(FUZZ_SAN)
fuzz_objs     = $(patsubst user/%.c,$(FUZZ_OUT)/obj/%.o,$(wildcard user/$(1)/*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_OUT)/obj/%.o: user/%.c $(SKELS)
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Iuser/$(firstword $(subst /, ,$*)) \
		-c $< -o $@

$(FUZZ_OUT)/libsfc-common.a: $(call fuzz_objs,common)
$(FUZZ_OUT)/libsfc-model.a: $(call fuzz_objs,model)
$(FUZZ_OUT)/libsfc-common.a $(FUZZ_OUT)/libsfc-model.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# what each target runs besides its own file (the daemon's and the plugin's
# system calls are replaced by the stubs named here)
FUZZ_IN_fuzz_doc := $(FUZZ_OUT)/libsfc-model.a
FUZZ_IN_fuzz_cli := $(filter-out %/main.o,$(call fuzz_objs,sfcctl)) $(FUZZ_OUT)/libsfc-model.a
FUZZ_IN_fuzz_cni := $(filter-out %/main.o %/link.o,$(call fuzz_objs,sfc-cni)) \
		    $(FUZZ_OUT)/obj/fuzz/cni_stubs.o
FUZZ_IN_fuzz_api := $(FUZZ_OUT)/obj/sfcd/api.o $(FUZZ_OUT)/obj/fuzz/api_stubs.o \
		    $(FUZZ_OUT)/libsfc-model.a

$(FUZZ_OUT)/obj/fuzz/%.o: tests/fuzz/%.c $(SKELS)
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Iuser/sfcd -Iuser/sfc-cni \
		-Iuser/sfcctl -c $< -o $@

.SECONDEXPANSION:
$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/fuzz/fuzz_%.o $$(FUZZ_IN_fuzz_$$*) $(FUZZ_OUT)/libsfc-common.a
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(BASE_LDLIBS) -o $@

fuzz-build: $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))

fuzz: $(DEPS_OK)
	$(Q)$(MAKE) --no-print-directory fuzz-build
	tests/fuzz/run.sh $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# user space again with ASan and UBSan (build/san, its own objects), then
# the logic tests and the shell tests that drive sfcd, sfcctl and sfc-cni
# hardest, against those binaries; a sanitizer report fails the test.
# clang, as for fuzzing: gcc's UBSan ignores log_path, and the shell tests
# find reports by it (tests/lib/bins.sh).
SAN_OUT    := $(OUT)/san
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# the logic tests but model_scale, whose time limits are for an optimised build
SAN_LOGIC  := $(patsubst tests/logic/%.c,$(SAN_OUT)/tests/logic_%,$(filter-out %/model_scale.c,$(LOGIC_SRCS)))
SAN_TESTS  := tests/cli/sfcctl.sh tests/cni/protocol.sh tests/daemon/api_guard.sh \
	      tests/daemon/bad_state.sh tests/daemon/restart.sh
sanitize: $(DEPS_OK)
	$(Q)$(MAKE) --no-print-directory OUT=$(SAN_OUT) CC=$(FUZZ_CC) \
		EXTRA_CFLAGS="-Wno-unknown-warning-option $(SAN_FLAGS)" \
		$(SAN_OUT)/sfcd $(SAN_OUT)/sfcctl $(SAN_OUT)/sfc-cni $(SAN_LOGIC)
	$(Q)rm -rf $(SAN_OUT)/reports
	SFC_BIN_DIR=$(abspath $(SAN_OUT)) SFC_SANITIZER_LOGS=$(abspath $(SAN_OUT))/reports \
		tests/run.sh $(SAN_LOGIC) $(SAN_TESTS)
	@# a report written after a test's last check (a daemon stopped at cleanup)
	$(Q)if ls $(SAN_OUT)/reports/* >/dev/null 2>&1; then \
		echo "sanitizer reports:"; head -n 20 $(SAN_OUT)/reports/*; exit 1; fi

PREFIX ?= /usr/local
# CNI plugins live where runtimes look for them: /opt/cni/bin by default
# (containerd, CRI-O, Multus); CNI_BIN_DIR=$(PREFIX)/lib/cni for a
# distribution's layout (Debian's plugins are in /usr/lib/cni).
CNI_BIN_DIR ?= /opt/cni/bin
install: $(OUT)/sfcd $(OUT)/sfcctl $(OUT)/sfc-cni
	install -D -m 0755 $(OUT)/sfcd $(DESTDIR)$(PREFIX)/sbin/sfcd
	install -D -m 0755 $(OUT)/sfcctl $(DESTDIR)$(PREFIX)/sbin/sfcctl
	install -D -m 0755 $(OUT)/sfc-cni $(DESTDIR)$(CNI_BIN_DIR)/sfc-cni
	install -D -m 0644 doc/sfcctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/sfcctl.8
	install -D -m 0644 doc/sfcd.8 $(DESTDIR)$(PREFIX)/share/man/man8/sfcd.8
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/sfc/README.md
	install -D -m 0644 dist/sfcctl.bash-completion \
		$(DESTDIR)/usr/share/bash-completion/completions/sfcctl
	install -d $(DESTDIR)/etc/systemd/system
	sed 's|/usr/local/|$(PREFIX)/|g' dist/sfcd.service \
		> $(DESTDIR)/etc/systemd/system/sfcd.service

# --- benchmark: tests/bench/*.bpf.c -> skeletons -> tests/bench/*.c binaries in build/bench
BENCH_BPF   := $(wildcard tests/bench/*.bpf.c)
BENCH_SKELS := $(patsubst tests/bench/%.bpf.c,$(OUT)/bench/%.skel.h,$(BENCH_BPF))
BENCH_BINS  := $(patsubst tests/bench/%.c,$(OUT)/bench/%,$(filter-out %.bpf.c,$(wildcard tests/bench/*.c)))

$(OUT)/bench/%.bpf.o: tests/bench/%.bpf.c $(BPF_HDRS) | $(OUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/%.skel.h: $(OUT)/bench/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BENCH_BINS): $(OUT)/bench/%: tests/bench/%.c $(BENCH_SKELS) $(LIB) $(MODEL) $(COMMON) $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/bench -Itests/bench $< $(LIB) $(MODEL) $(COMMON) $(LDLIBS) -lpthread -o $@

$(OUT)/bench:
	$(Q)mkdir -p $@

bench: $(DEPS_OK)
	$(MAKE) $(OUT)/sfcd $(BENCH_BINS)
	QUICK=$(QUICK) tests/bench/run.sh

clean:
	rm -rf $(OUT)
