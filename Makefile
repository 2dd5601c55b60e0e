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

PKGS      := libbpf libmnl jansson libelf zlib
CFLAGS    ?= -O2 -g
CFLAGS    += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation -Wshadow -std=gnu11 \
	     -D_GNU_SOURCE -Iheaders -Iuser/lib -I$(OUT) \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null)
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

LIB_SRCS  := $(wildcard user/lib/*.c)
LIB_OBJS  := $(patsubst user/lib/%.c,$(OUT)/lib/%.o,$(LIB_SRCS))
LIB       := $(OUT)/libsfc.a
USER_HDRS := $(wildcard user/lib/*.h) $(wildcard headers/*.h)

BINS      := $(OUT)/sfcd $(OUT)/sfcctl $(OUT)/sfc-cni
UNIT_SRCS := $(wildcard tests/unit/unit_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

.PHONY: all deps test demo bench clean install vmtest
all: $(BINS) $(UNIT_BINS)

# --- bpf objects and skeletons
$(OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- user space
$(OUT)/lib/%.o: user/lib/%.c $(USER_HDRS) $(SKELS) | $(OUT)/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

# each program: user/NAME/*.c -> build/NAME
PROG_OBJS = $(patsubst user/%.c,$(OUT)/obj/%.o,$(wildcard user/$(1)/*.c))
SFCD_OBJS := $(call PROG_OBJS,sfcd)

$(OUT)/obj/sfcd/%.o: user/sfcd/%.c $(USER_HDRS) $(wildcard user/sfcd/*.h) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser/sfcd -c $< -o $@

$(OUT)/sfcd: $(SFCD_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

SFCCTL_OBJS := $(call PROG_OBJS,sfcctl)

$(OUT)/obj/sfcctl/%.o: user/sfcctl/%.c $(USER_HDRS) $(wildcard user/sfcctl/*.h) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser/sfcctl -c $< -o $@

$(OUT)/sfcctl: $(SFCCTL_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# sfcctl's grammar and batch parser, without a daemon or root (tests/unit_user)
all: $(OUT)/tests/unit_cli_grammar
$(OUT)/tests/unit_cli_grammar: tests/unit_user/cli_grammar.c $(filter-out %/main.o,$(SFCCTL_OBJS)) $(LIB) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser/sfcctl $^ $(LDLIBS) -o $@

SFC_CNI_OBJS := $(call PROG_OBJS,sfc-cni)

$(OUT)/obj/sfc-cni/%.o: user/sfc-cni/%.c $(USER_HDRS) $(wildcard user/sfc-cni/*.h) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser/sfc-cni -c $< -o $@

$(OUT)/sfc-cni: $(SFC_CNI_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB) $(USER_HDRS) $(SKELS) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(LIB) $(LDLIBS) -o $@

$(OUT) $(OUT)/lib $(OUT)/tests:
	$(Q)mkdir -p $@

# --- packages: installed only when something is missing
DEB_PKGS := clang llvm libbpf-dev bpftool libmnl-dev libelf-dev zlib1g-dev \
	    libjansson-dev pkg-config gcc make iproute2 nftables iputils-ping \
	    socat jq tcpdump python3-scapy ethtool procps coreutils \
	    containernetworking-plugins
# apt-get update once, and only when something is missing
deps:
	@missing=; \
	for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

test: deps
	$(MAKE) all
	tests/run.sh

demo: deps
	$(MAKE) all
	tests/demo.sh

# the unit tests and vm/guest/*.sh under another kernel, in a qemu VM:
# Debian 12's 6.1 by default (cached in build/vm/), or KERNEL_DEB=FILE.deb
vmtest: deps
	$(MAKE) all
	vm/vmtest.sh $(KERNEL_DEB)

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
	install -D -m 0644 dist/sfcctl.bash-completion \
		$(DESTDIR)/usr/share/bash-completion/completions/sfcctl
	install -d $(DESTDIR)/etc/systemd/system
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|' dist/sfcd.service \
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

$(BENCH_BINS): $(OUT)/bench/%: tests/bench/%.c tests/bench/bench.h $(BENCH_SKELS) $(LIB) $(USER_HDRS) $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/bench -Itests/bench $< $(LIB) $(LDLIBS) -lpthread -o $@

$(OUT)/bench:
	$(Q)mkdir -p $@

bench: deps
	$(MAKE) $(OUT)/sfcd $(BENCH_BINS)
	QUICK=$(QUICK) tests/bench/run.sh

clean:
	rm -rf $(OUT)
