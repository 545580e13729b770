# SPDX-License-Identifier: GPL-2.0
# camgate: a thin front-end over Kbuild and the test scripts.
#
#   make [KDIR=...]     build camgate.ko (and camgate_kunit.ko if KDIR has KUnit)
#   make check          W=1 + sparse (C=2) against both stock Debian kernels; any warning fails
#   make style          checkpatch --strict on the sources
#   make test           the whole suite in VMs (see README.md)
#   make demo           boot stock 6.1 with vivid, show an owner streaming and another user denied
#   make bench          camgate's cost, with and without it, on both stock kernels (VMs)
#   make install        install into /lib/modules/$(KVER)/extra
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
		    $(wildcard /usr/src/linux-headers-*-amd64))
STOCK_KDIRS ?= $(wildcard /usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

check:
	tests/check.sh $(STOCK_KDIRS)

style:
	tests/style.sh

test:
	tests/run.sh

demo:
	tests/demo.sh

bench:
	tests/bench.sh

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build

.PHONY: all module check style test demo bench install clean
