#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Does camgate call an IBT-sealed kernel function?  (host side)

On a CPU with IBT, the kernel seals at boot every function whose address
it never takes: apply_seal_endbr() overwrites its ENDBR with a NOP, and an
indirect call to it traps (#CP).  The sealed set is the .ibt_endbr_seal
section of the vmlinux (s32 offsets, each relative to its own address).
qemu's TCG has no IBT, so the test VMs never seal anything and cannot trap:
this script does what the CPU would have done.

  ibt-seal.py --sealed VMLINUZ        exit 0 if the kernel seals functions
  ibt-seal.py KERNEL VMLINUZ CONSOLE  check the VM's call targets

The VM (tests/vm/init, camgatevm.calltargets=1) records with the function
graph tracer every function entered directly below a camgate frame, from
camgate's insmod through an owner's v4l2-compliance run, and prints them
with their runtime addresses and the runtime address of _text.  A module
can call only exported functions directly, and those are address-taken,
never sealed: any sealed function among them was called through a pointer.
Functions in modules are listed but not checked (each module has its own
seal list; camgate reaches module code only through the ops tables that
hold those functions' addresses).

Prints "ok|not ok KERNEL ibt-seal ..." lines, "# " diagnostics.
"""
import os
import struct
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = "/usr/src/linux-source-6.12.tar.xz"
# A function the trace must show camgate calling through a pointer: vivid's
# ioctl handler, reached through the driver's v4l2_file_operations.  If it
# is missing, the trace saw nothing and proves nothing.
CONTROL = "video_ioctl2"


def extract_vmlinux(image):
    """The ELF vmlinux inside a bzImage, with the kernel's own script."""
    cache = os.environ.get("CAMGATE_CACHE", os.path.expanduser("~/.cache/camgate"))
    script = os.path.join(cache, "extract-vmlinux")
    if not os.path.exists(script):
        os.makedirs(cache, exist_ok=True)
        data = subprocess.run(["tar", "-xOf", SOURCE, "linux-source-6.12/scripts/extract-vmlinux"],
                              check=True, capture_output=True).stdout
        with open(script + ".tmp", "wb") as f:
            f.write(data)
        os.chmod(script + ".tmp", 0o755)
        os.replace(script + ".tmp", script)
    out = subprocess.run([script, image], capture_output=True)
    if out.returncode != 0 or out.stdout[:4] != b"\x7fELF":
        raise RuntimeError("extract-vmlinux found no ELF image in %s" % image)
    return out.stdout


def sections(elf):
    """{name: (address, file offset, size)} of an ELF64 little-endian file."""
    if elf[4] != 2 or elf[5] != 1:
        raise RuntimeError("not an ELF64 little-endian image")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    strtab = hdrs[shstrndx][4]
    out = {}
    for h in hdrs:
        name = elf[strtab + h[0]:elf.index(b"\0", strtab + h[0])].decode()
        out[name] = (h[3], h[4], h[5])
    return out


def sealed_set(elf, secs):
    """Link-time addresses of every function the kernel seals at boot."""
    if ".ibt_endbr_seal" not in secs:
        return None
    addr, off, size = secs[".ibt_endbr_seal"]
    return {addr + 4 * i + struct.unpack_from("<i", elf, off + 4 * i)[0] for i in range(size // 4)}


def console_targets(path):
    """(_text, overrun, [(address or None, name)]) from the VM's console."""
    text, overrun, targets, inside = None, None, [], False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line == "camgate-calltargets-begin":
                inside = True
            elif line == "camgate-calltargets-end":
                return text, overrun, targets
            elif inside and line.startswith("camgate-calltarget-text "):
                text = int(line.split()[1], 16)
            elif inside and line.startswith("camgate-calltarget-overrun "):
                overrun = int(line.split()[1])
            elif inside and line.startswith("camgate-calltarget "):
                _, addr, name = line.split(" ", 2)
                targets.append((None if addr == "?" else int(addr, 16), name))
    return None


def check(kernel, image, console):
    name = "%s ibt-seal" % kernel
    elf = extract_vmlinux(image)
    secs = sections(elf)
    sealed = sealed_set(elf, secs)
    if sealed is None:
        print("ok %s camgate calls no sealed function # SKIP %s is built without "
              "X86_KERNEL_IBT: it seals nothing" % (name, kernel))
        return True
    rec = console_targets(console)
    if rec is None or rec[0] is None:
        print("# no complete camgate-calltargets block on the console")
        print("not ok %s the VM recorded camgate's call targets" % name)
        return False
    text, overrun, targets = rec
    print("ok %s the VM recorded camgate's call targets (%d functions)" % (name, len(targets)))
    ok = True
    # Runtime to link time: the VM may run with KASLR.
    delta = secs[".text"][0] - text
    names = {n for _, n in targets}
    if CONTROL in names and not overrun:
        print("ok %s the trace is complete and shows calls through the driver's table (%s)"
              % (name, CONTROL))
    else:
        print("# %s in the trace: %s; events lost: %s" % (CONTROL, CONTROL in names, overrun))
        print("not ok %s the trace is complete and shows calls through the driver's table (%s)"
              % (name, CONTROL))
        ok = False
    bad = []
    for addr, fn in sorted(targets, key=lambda t: t[1]):
        if " [" in fn:
            continue	# in a module: not in vmlinux's seal list
        if addr is None:
            bad.append("%s: not in /proc/kallsyms, cannot be checked" % fn)
        elif addr + delta in sealed:
            bad.append("%s (%x, %x at link time) is sealed: an indirect call to it traps on IBT"
                       % (fn, addr, addr + delta))
    core = sum(1 for _, fn in targets if " [" not in fn)
    for b in bad:
        print("# " + b)
    print("%s %s camgate calls no sealed function (%d vmlinux functions checked against "
          "%d sealed)" % ("not ok" if bad else "ok", name, core, len(sealed)))
    return ok and not bad


def main(argv):
    if len(argv) == 3 and argv[1] == "--sealed":
        elf = extract_vmlinux(argv[2])
        return 0 if sealed_set(elf, sections(elf)) else 1
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return 0 if check(*argv[1:]) else 1
    except (OSError, RuntimeError, subprocess.CalledProcessError, struct.error) as e:
        print("# %s" % e)
        print("not ok %s ibt-seal the kernel's sealed functions could be read" % argv[1])
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
