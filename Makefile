# SPDX-License-Identifier: GPL-2.0
# camgate: a thin front-end over Kbuild and the test scripts.
#
#   make [KDIR=...]     build camgate.ko (and camgate_kunit.ko if KDIR has KUnit) and camgatectl;
#                       ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- cross-builds
#   make module         only camgate.ko; make tools: only tools/camgatectl
#   make check          W=1 + sparse (C=2) against both stock Debian kernels (and
#                       the arm64 trees make test caches); any warning fails
#   make style          checkpatch --strict on the sources
#   make test           the whole suite in VMs (see README.md)
#   make test-kcsan     the integration tests on a KCSAN build of the 6.12 source (optional)
#   make demo           boot stock 6.1 with vivid, show an owner streaming and another user denied
#   make bench          camgate's cost, with and without it, on both stock kernels (VMs)
#   make install        install into /lib/modules/$(KVER)/updates
#   make tools-install  camgatectl into $(DESTDIR)/usr/sbin
#   make dkms-install   sources into /usr/src/camgate-<version>, dkms add + install for $(KVER)
#   make dist           build/camgate-<version>.tar.gz: the tracked files of the tree
#   make deb            build/deb/: the camgate-dkms and camgatectl packages (debhelper,
#                       dh-dkms), built from the dist tarball
#   make clean
#
# The version is dkms.conf's PACKAGE_VERSION, and nowhere else: Kbuild puts
# it in MODULE_VERSION, tools/Makefile in camgatectl --version, make deb
# checks that debian/changelog agrees.

KVER ?= $(shell uname -r)
# make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-: by default against
# Debian's arm64 headers or the arm64 test kernel, as make test caches them.
CACHE := $(or $(CAMGATE_CACHE),$(HOME)/.cache/camgate)
ARM64_KDIRS := $(wildcard $(CACHE)/stock/linux-image-*-arm64-*/lib/modules/*-arm64/build) \
	       $(patsubst %/.done,%/build,$(wildcard $(CACHE)/kernels/arm64-*/.done))
ifeq ($(ARCH),arm64)
KDIR ?= $(firstword $(ARM64_KDIRS))
endif
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
		    $(wildcard /usr/src/linux-headers-*-amd64))
# stock-latest: Debian 13's backports kernel, checked in its chroot.
STOCK_KDIRS ?= $(wildcard /usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64) \
	stock-latest $(ARM64_KDIRS)

DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(CURDIR)/dkms.conf)
DKMS_SRC := /usr/src/camgate-$(DKMS_VERSION)
DIST := build/camgate-$(DKMS_VERSION).tar.gz

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# A cross build (CROSS_COMPILE=aarch64-linux-gnu-) builds camgatectl with
# the same cross compiler as the module.
TOOLS_CC := $(if $(CROSS_COMPILE),CC=$(CROSS_COMPILE)gcc)

tools:
	$(MAKE) -C tools $(TOOLS_CC)

check:
	tests/check.sh $(STOCK_KDIRS)

style:
	tests/style.sh

test:
	tests/run.sh

test-kcsan:
	KERNELS=kcsan-6.12 tests/run.sh

demo:
	tests/demo.sh

bench:
	tests/bench.sh

# updates/ on every kernel (6.1's Kbuild says extra/, 6.12's updates/), as
# DKMS's updates/dkms/: depmod prefers it to an in-tree module.
install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install

tools-install: tools
	$(MAKE) -C tools $(TOOLS_CC) install

# What dkms builds from: Kbuild and the sources it names, nothing else
# (also what the camgate-dkms package installs, with DESTDIR).
dkms-src:
	mkdir -p $(DESTDIR)$(DKMS_SRC)/tests
	cp -r dkms.conf Kbuild module include $(DESTDIR)$(DKMS_SRC)/
	cp tests/*_kunit.c tests/*.h $(DESTDIR)$(DKMS_SRC)/tests/

dkms-install:
	-dkms remove camgate/$(DKMS_VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	$(MAKE) dkms-src DESTDIR=
	dkms add camgate/$(DKMS_VERSION)
	dkms install camgate/$(DKMS_VERSION) -k $(KVER)

dkms-uninstall:
	-dkms remove camgate/$(DKMS_VERSION) --all
	rm -rf $(DKMS_SRC)

# The files git tracks, as they are in the work tree (outside git: every
# file but build products).
dist:
	@mkdir -p build
	@if [ -e .git ]; then git ls-files -z; else \
		find . -path ./build -prune -o -type f ! -name '*.o' ! -name '*.ko' \
		! -name '.*.cmd' -printf '%P\0'; fi | \
	tar --null -T - --sort=name --owner=0 --group=0 --numeric-owner \
		--transform='s,^,camgate-$(DKMS_VERSION)/,' -czf $(DIST)
	@echo "$(DIST)"

# Debian packages, from the dist tarball: the version of debian/changelog
# must be dkms.conf's.
deb: dist
	@v=$$(dpkg-parsechangelog -l debian/changelog -SVersion) && \
	[ "$$v" = "$(DKMS_VERSION)" ] || { echo "debian/changelog says $$v, dkms.conf $(DKMS_VERSION)" >&2; exit 1; }
	rm -rf build/deb
	mkdir -p build/deb
	tar -xzf $(DIST) -C build/deb
	cd build/deb/camgate-$(DKMS_VERSION) && dpkg-buildpackage -us -uc
	@ls build/deb/*.deb

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
	rm -rf build

.PHONY: all module tools check style test test-kcsan demo bench install \
	tools-install dkms-src dkms-install dkms-uninstall dist deb clean
