#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Does camgate call an IBT-sealed kernel function?  (host side)

On a CPU with IBT, the kernel seals at boot every function whose address
it never takes: apply_seal_endbr() overwrites its ENDBR with a NOP, and an
indirect call to it traps (#CP).  The sealed set is the .ibt_endbr_seal
section of the vmlinux (s32 offsets, each relative to its own address).
qemu's TCG has no IBT, so the test VMs never seal anything and cannot trap:
this script does what the CPU would have done.

  ibt-seal.py --sealed VMLINUZ         exit 0 if the kernel seals functions
  ibt-seal.py --sites CAMGATE_KO       camgate's indirect call sites, as
                                       camgate_icall.ko's sites= wants them
  ibt-seal.py KERNEL VMLINUZ CONSOLE   check where those calls landed

The sites are every call or jmp in camgate.ko to a retpoline thunk
(__x86_indirect_thunk_REG and its call/jump variants) or through a
register; any other indirect form fails the check, since its target could
not be read.  In the VM (tests/vm/init, camgatevm.calltargets=1)
camgate_icall.ko (tests/icall_probe.c) puts a kprobe on each site before
camgate's init runs and records the register at each hit, from camgate's
insmod through an owner's v4l2-compliance run and a refused open.  Targets
in vmlinux are checked against its seal list; targets in modules are listed
but not checked (each module has its own seal list, applied at its load).

Prints "ok|not ok KERNEL ibt-seal ..." lines, "# " diagnostics.
"""
import os
import re
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


THUNK = re.compile(r"R_X86_64_PLT32\s+__x86_indirect_(?:call_|jump_)?thunk_(r\w+)-0x4$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(?:cs\s+)?(\S+)\s*(\S*)")
FUNC = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")


def call_sites(ko):
    """["FUNC+0xOFF:REG", ...]: camgate.ko's indirect call and jump sites.

    A retpoline build calls through a thunk (a relocation on the call or
    jmp); other builds call through a register.  A conditional jump to a
    thunk or a call through memory fails: the register a probe would read
    there is not, or not only, the target.
    """
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", ko], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    sites, func, start, insn = [], None, 0, None
    for line in out:
        m = FUNC.match(line)
        if m:
            start, func, insn = int(m.group(1), 16), m.group(2), None
            continue
        if " R_X86_64_" in line:	# a relocation, of the instruction above
            m = THUNK.search(line)
            if m and (not insn or insn[1] not in ("call", "jmp")):
                raise RuntimeError("%s+%#x: %s to a retpoline thunk: only call and jmp can be "
                                   "probed" % (func, insn[0] if insn else 0,
                                               insn[1] if insn else "?"))
            if m:
                sites.append("%s+%#x:%s" % (func, insn[0], m.group(1)))
            continue
        m = INSN.match(line)
        if m:
            insn = (int(m.group(1), 16) - start, m.group(2), m.group(3))
            if insn[1] in ("call", "jmp") and insn[2].startswith("*"):
                if not insn[2].startswith("*%"):
                    raise RuntimeError("%s+%#x: %s through memory (%s): its target cannot be "
                                       "probed" % (func, insn[0], insn[1], insn[2]))
                sites.append("%s+%#x:%s" % (func, insn[0], insn[2][2:]))
            continue
    return sites


def console_targets(path):
    """(_text, [(site, address or None, symbol)]) from the VM's console."""
    text, targets, inside = None, [], False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line == "camgate-calltargets-begin":
                inside = True
            elif line == "camgate-calltargets-end":
                return text, targets
            elif inside and line.startswith("camgate-calltarget-text "):
                text = int(line.split()[1], 16)
            elif inside and line.startswith("camgate-calltarget "):
                f = line.split(" ", 3)
                targets.append((f[1], None if f[2] == "-" else int(f[2], 16),
                                f[3] if len(f) > 3 else ""))
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
    if rec is None or rec[0] is None or not rec[1]:
        print("# no complete camgate-calltargets block on the console")
        print("not ok %s the VM recorded where camgate's indirect calls land" % name)
        return False
    text, targets = rec
    hit = [t for t in targets if t[1] is not None]
    missed = sorted({t[0] for t in targets if t[1] is None})
    ok = True
    lost = any(t[0] == "overflow" for t in targets)
    if lost:
        print("# camgate_icall ran out of room for targets")
    print("%s %s the VM recorded where camgate's indirect calls land (%d targets from %d "
          "sites)" % ("not ok" if lost else "ok", name, len(hit), len({t[0] for t in hit})))
    ok = not lost
    # A control: vivid's ioctl handler, reached through the driver's table
    # at cg_ioctl's (or its slow path's) site.  Without it the probes saw
    # nothing and prove nothing.
    if any(t[2].startswith(CONTROL + "+") for t in hit):
        print("ok %s the probes saw camgate call the driver's %s" % (name, CONTROL))
    else:
        print("not ok %s the probes saw camgate call the driver's %s" % (name, CONTROL))
        ok = False
    if missed:
        print("# sites the run did not reach (not checked): " + " ".join(missed))
    # Runtime to link time: the VM may run with KASLR.
    delta = secs[".text"][0] - text
    bad = ["%s -> %s (%x, %x at link time) is sealed: this call traps on an IBT CPU"
           % (site, sym, addr, addr + delta)
           for site, addr, sym in hit if " [" not in sym and addr + delta in sealed]
    core = sum(1 for t in hit if " [" not in t[2])
    for b in bad:
        print("# " + b)
    print("%s %s no indirect call lands on a sealed function (%d targets in vmlinux, %d in "
          "modules; %d functions sealed)" % ("not ok" if bad else "ok", name, core,
                                              len(hit) - core, len(sealed)))
    return ok and not bad


def main(argv):
    if len(argv) == 3 and argv[1] == "--sites":
        try:
            print(",".join(call_sites(argv[2])))
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            print("camgate: %s" % e, file=sys.stderr)
            return 1
        return 0
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
