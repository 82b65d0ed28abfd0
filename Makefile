# certconf — build, test and run. See README.md.
#
#   make deps         install the Debian packages the build and tests need (root)
#   make              build build/certconfd and build/libcertconf.a
#   make check        deps, the plain build, then build under ASan+UBSan and run every test
#   make limbo-full   the full x509-limbo suite (9,780 cases) from ../shared
#   make fuzz         fuzz the bundle and deployment parsers (libFuzzer)
#   make run          the demo: certconfd on etc/demo with files under ./run
#   make install      DESTDIR=... PREFIX=... (default /usr/local): what the packages install
#   make deb, rpm     the Debian and RPM packages, into build/ (packaging/README.md)
#   make clean

VERSION    := 0.1.0
O          ?= build
SAN        ?= 0
CC         ?= cc
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local

# Everything the build and the tests need, as Debian 12 package names.
# The agent's tests (tests/agent) run a real systemd --user, journald, D-Bus
# and Tomcat 10; tomcat10's postinst starts nothing where PID 1 is not systemd.
DEB_PKGS := build-essential pkg-config libssl-dev libyaml-dev libsystemd-dev check \
            openssl jq gzip clang libclang-rt-14-dev \
            systemd dbus-user-session util-linux iproute2 strace openjdk-17-jre-headless tomcat10 \
            python3-cryptography-vectors debhelper dpkg-dev lintian rpm man-db groff-base

PKGS := openssl yaml-0.1 libsystemd

# Recursive (=) so that `make deps` works before pkg-config knows the packages.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)

CFLAGS ?= -O1 -g
WARNFLAGS := -std=gnu17 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
             -Wstrict-prototypes -Wno-unused-parameter
DEFS := -D_GNU_SOURCE -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
        -DCERTCONF_VERSION='"$(VERSION)"'
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

ifeq ($(FUZZ),1)
SANFLAGS += -fsanitize=fuzzer-no-link
endif

ALL_CFLAGS = $(WARNFLAGS) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -iquote common $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

LIB_SRCS    := $(sort $(wildcard common/*.c))
DAEMON_SRCS := $(sort $(wildcard daemon/*.c))
TEST_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
TESTLIB_SRCS:= $(sort $(wildcard tests/lib/*.c))

LIB_OBJS    := $(LIB_SRCS:%.c=$(O)/%.o)
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(O)/%.o)
TESTLIB_OBJS:= $(TESTLIB_SRCS:%.c=$(O)/%.o)
TEST_BINS   := $(TEST_SRCS:tests/unit/%.c=$(O)/tests/%)
LIMBO_BIN   := $(O)/tests/limbo-harness

LIB    := $(O)/libcertconf.a
DAEMON := $(O)/certconfd

.PHONY: all deps check check-run unit limbo-full limbo-full-run fuzz fuzz-run fuzz-bins run clean format \
        install deb rpm
.DEFAULT_GOAL := all

all: $(DAEMON)

# Objects depend on the flags they were built with: switching SAN=1, FUZZ=1
# or CC in the same O= directory rebuilds everything instead of mixing.
FLAGS_STAMP := $(O)/.flags
FLAGS_TEXT = $(subst ',,$(subst ",,$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)))

$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' "$(FLAGS_TEXT)" | cmp -s - $@ || printf '%s\n' "$(FLAGS_TEXT)" > $@

.PHONY: FORCE
FORCE:

$(O)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(DAEMON): $(DAEMON_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(DAEMON_OBJS) $(LIB) $(PKG_LIBS)

$(O)/tests/%.o: tests/unit/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/lib -DTOP_SRCDIR='"$(CURDIR)"' -c -o $@ $<

$(O)/tests/test_%: $(O)/tests/test_%.o $(TESTLIB_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIB) $(CHECK_LIBS) $(PKG_LIBS)

$(O)/tests/limbo-harness: $(O)/tests/limbo/harness.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

FUZZ_BINS := $(O)/tests/fuzz_bundle $(O)/tests/fuzz_deploy $(O)/tests/fuzz_check $(O)/tests/fuzz_agentconf \
             $(O)/tests/fuzz_loader

$(O)/tests/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(PKG_LIBS)

# ---- dependencies --------------------------------------------------------

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	        dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done | tr '\n' ' '); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	        echo "deps: missing packages; run as root:"; \
	        echo "  apt-get update && apt-get install -y --no-install-recommends $$missing"; \
	        exit 1; \
	fi; \
	echo "deps: installing $$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

# ---- tests ---------------------------------------------------------------

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CK_FORK=no

# The whole suite, sanitizers on (build/san). The plain build (build/) is made
# first: some warnings only show without the sanitizers' instrumentation.
check: deps
	$(MAKE) --no-print-directory O=build all
	$(MAKE) --no-print-directory SAN=1 O=build/san check-run

check-run: $(DAEMON) $(TEST_BINS) $(LIMBO_BIN)
	$(MAKE) --no-print-directory CC=clang SAN=1 FUZZ=1 O=build/fuzz fuzz-bins
	@$(SAN_ENV) FUZZ_DIR=build/fuzz FUZZ_RUNS=20000 tests/run-all.sh "$(O)"

# Fuzz the parsers of uploaded files with libFuzzer (clang), sanitizers on.
# make fuzz FUZZ_RUNS=1000000 for a longer run.
FUZZ_RUNS ?= 200000
fuzz: deps
	$(MAKE) --no-print-directory O=build/fuzz fuzz-run

fuzz-run:
	$(MAKE) --no-print-directory CC=clang SAN=1 FUZZ=1 O=$(O) fuzz-bins
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	        tests/fuzz/run.sh "$(O)" "$(FUZZ_RUNS)"

fuzz-bins: $(FUZZ_BINS)

unit: $(TEST_BINS)
	@for t in $(TEST_BINS); do $(SAN_ENV) $$t || exit 1; done

limbo-full: deps
	$(MAKE) --no-print-directory O=build limbo-full-run

LIMBO_FULL ?= ../shared/corpora/x509-limbo/limbo.json.gz

limbo-full-run: $(LIMBO_BIN)
	@if [ ! -f "$(LIMBO_FULL)" ]; then \
	        echo "limbo-full: $(LIMBO_FULL) is not there (set LIMBO_FULL=path/to/limbo.json.gz)"; exit 1; \
	fi
	tests/limbo/run.sh "$(LIMBO_BIN)" "$(LIMBO_FULL)" full

# ---- install and packages -------------------------------------------------
# `make install` installs what the packages install (packaging/README.md);
# the packages run it with PREFIX=/usr. The binary's default configuration
# is /etc/certconf/certconf.yaml whatever PREFIX is; an existing one is kept.

SBINDIR     ?= $(PREFIX)/sbin
UNITDIR     ?= $(PREFIX)/lib/systemd/system
CATALOGDIR  ?= $(PREFIX)/lib/systemd/catalog
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/certconf
SYSCONFDIR  ?= /etc
UNIT        := $(O)/systemd/certconfd.service
DOCS        := README.md docs/deployment-yaml.md

# Rebuilt whenever SBINDIR may have changed (it is cheap).
$(UNIT): systemd/certconfd.service.in FORCE
	@mkdir -p $(@D)
	sed 's|@SBINDIR@|$(SBINDIR)|g' $< >$@.tmp && mv $@.tmp $@

install: $(DAEMON) $(UNIT)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CATALOGDIR) \
	        $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
	        $(DESTDIR)$(SYSCONFDIR)/certconf/xcap $(DESTDIR)$(SYSCONFDIR)/certconf/bsf
	install -m 0755 $(DAEMON) $(DESTDIR)$(SBINDIR)/certconfd
	install -m 0644 $(UNIT) $(DESTDIR)$(UNITDIR)/certconfd.service
	install -m 0644 systemd/certconf.catalog $(DESTDIR)$(CATALOGDIR)/certconf.catalog
	install -m 0644 systemd/certconf.tmpfiles $(DESTDIR)$(TMPFILESDIR)/certconf.conf
	install -m 0644 man/certconfd.8 $(DESTDIR)$(MANDIR)/man8/certconfd.8
	install -m 0644 man/certconf.yaml.5 $(DESTDIR)$(MANDIR)/man5/certconf.yaml.5
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/certconf/certconf.yaml ]; then \
	        echo "install: kept $(DESTDIR)$(SYSCONFDIR)/certconf/certconf.yaml (etc/certconf.yaml is the shipped one)"; \
	else \
	        echo "install -m 0644 etc/certconf.yaml $(DESTDIR)$(SYSCONFDIR)/certconf/certconf.yaml"; \
	        install -m 0644 etc/certconf.yaml $(DESTDIR)$(SYSCONFDIR)/certconf/certconf.yaml; \
	fi

# The source tree as the packages build it: the working tree (uncommitted
# changes too) without build output. The package builds run without this
# make's MAKEFLAGS and without SAN, FUZZ and O (make exports command-line
# variables to recipes), so that `make SAN=1 deb` still builds without
# sanitizers.
PKG_TREE_EXCLUDES := --exclude=./build --exclude=./run --exclude=./.git
DEB_BUILD_OPTIONS ?= parallel=2

# build/certconf_VERSION_ARCH.deb: dpkg-buildpackage in a copy under build/deb.
deb: deps
	rm -rf build/deb && mkdir -p build/deb/certconf-$(VERSION)
	tar -c $(PKG_TREE_EXCLUDES) -f - . | tar -x -C build/deb/certconf-$(VERSION)
	cp -r packaging/debian build/deb/certconf-$(VERSION)/debian
	cd build/deb/certconf-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SAN -u FUZZ -u O \
	        DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" dpkg-buildpackage -b -us -uc
	cp build/deb/certconf_$(VERSION)_*.deb build/
	@ls -l build/certconf_$(VERSION)_*.deb

# build/certconf-VERSION-1.ARCH.rpm: rpmbuild with _topdir build/rpm, from a
# tarball of the tree. --nodeps: the BuildRequires name Fedora packages,
# which Debian's rpm database does not know (make deps installs the real ones).
rpm: deps
	rm -rf build/rpm && mkdir -p build/rpm/SOURCES build/rpm/SPECS
	tar -c $(PKG_TREE_EXCLUDES) --transform 's|^\./|certconf-$(VERSION)/|' -zf build/rpm/SOURCES/certconf-$(VERSION).tar.gz .
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SAN -u FUZZ -u O \
	        rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/build/rpm" --define "_smp_mflags -j2" \
	        packaging/rpm/certconf.spec
	cp build/rpm/RPMS/*/certconf-$(VERSION)-*.rpm build/
	@ls -l build/certconf-$(VERSION)-*.rpm

# ---- demo ----------------------------------------------------------------

run: deps $(DAEMON)
	etc/demo/run.sh "$(DAEMON)"

clean:
	rm -rf build run

format:
	clang-format -i common/*.[ch] daemon/*.[ch] tests/unit/*.c tests/lib/*.[ch] tests/limbo/*.c

# Keep the objects of test and fuzz binaries (they are otherwise intermediate).
.SECONDARY:

# Not the package builds' trees (build/deb, build/rpm): their tmpfiles.d
# directories and their own dependency files are not ours.
-include $(shell find $(O) \( -path $(O)/deb -o -path $(O)/rpm \) -prune -o -name '*.d' -type f -print 2>/dev/null)
