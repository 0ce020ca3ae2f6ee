# SPDX-License-Identifier: GPL-2.0-only
"""Service work is never starved (issue: guests, "service_tick").

A guest on the service CPU that spins with interrupts off must not silence
the console: the backend's exit deadline (VMX preemption timer, a host LAPIC
timer on SVM) brings control back every service_tick, and the vCPU loop runs
the service pass (log drain, shell). Timeouts: m.boot_timeout for the boot,
m.scale() for shell round trips (grown for Bochs).
"""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUESTS = REPO / "build" / "guests"

CFG = """\
[longbus]
service_cpu = 0
service_tick = 1ms

[guest spin]
cpus = 0
memory = 16M
image = spin.elf
"""


def test_spinning_guest_on_the_service_cpu_leaves_the_shell_alive(boot, backend):
    m = boot(CFG, cpus=2, files={"spin.elf": GUESTS / "spin.elf"},
             fail_on=[re.compile(r"FATAL:|guest spin (crashed|failed)")])
    m.wait_for("longbus ready", m.boot_timeout)
    m.wait_for("[spin] spinning with interrupts off", m.scale(30))
    for _ in range(2):
        m.send("status")
        m.wait_for(re.compile(r"cpus online: 2/2\n(?s:.*)service: cpu0"), m.scale(20))
    m.send("stats")
    # The deadline exits are what kept the shell alive.
    m.wait_for(re.compile(r"spin vcpu0: \d+ exits\n(?:  \S+ +\d+\n)*?  (timer|host-irq) +\d+\n"),
               m.scale(20))
    m.send("guests")
    m.wait_for(re.compile(r"spin +running +cpus 0"), m.scale(20))
