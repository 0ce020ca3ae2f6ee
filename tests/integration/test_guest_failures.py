# SPDX-License-Identifier: GPL-2.0-only
"""A broken guest fails alone (issue: guests, "Guest image format").

One guest's image is not a Multiboot kernel: that guest logs why and is
`failed`; its neighbour starts and finishes as usual. Timeouts: m.boot_timeout
for the boot, m.scale() for the rest (grown for Bochs).
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUESTS = REPO / "build" / "guests"

CFG = """\
[guest bad]
cpus = 0
memory = 16M
image = bad.elf

[guest hello]
cpus = 1
memory = 16M
image = hello.elf
cmdline = next to a broken neighbour
debug_exit = 0xf4
"""


def test_malformed_image_fails_only_that_guest(boot, backend):
    m = boot(CFG, cpus=2, files={"hello.elf": GUESTS / "hello.elf",
                                 "bad.elf": b"this is not an ELF file\n" * 64},
             fail_on=[re.compile(r"FATAL:|guest hello (crashed|failed)")])
    m.wait_for(re.compile(r"guest bad: image bad\.elf: .*\n"), m.boot_timeout)
    m.wait_for("guest bad: not started", m.scale(10))
    m.wait_for("longbus ready", m.scale(20))
    m.wait_for("guest hello exited code 0", m.scale(30))
    # The vUART may split a line after 50 ms without output (slow Bochs): glue it back.
    assert "RESULT PASS hello" in m.output.replace("\n[hello] ", "")
    m.send("guests")
    m.wait_for(re.compile(r"bad +failed"), m.scale(10))
    m.wait_for(re.compile(r"hello +exited +0"), m.scale(10))
