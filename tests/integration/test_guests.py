# SPDX-License-Identifier: GPL-2.0-only
"""The test guests (tests/guests/*.c) under longbus, on both backends.

Each scenario boots one machine with several guests side by side, one or
two CPUs each, so one emulator boot covers several guests (Bochs boots are
the expensive part). Every guest prints `RESULT PASS|FAIL <name>` on its
COM1, which longbus shows as `[<name>] ...`, then stops itself through its
debug-exit port: longbus logs `guest <name> exited code 0` (1 on FAIL).

  test_single_cpu_guests        hello, cpuid, pio, mmio_decode, msr; then
                                `stats` shows the exits they caused
  test_interrupts_and_isolation smp (2 vCPUs), lapic_timer, isolation; then
                                the shell still answers, every CPU is still
                                online and no reset/power write got through
  test_memory_isolation_and_crash
                                crash (triple fault) next to canary, hammer
                                and revoke (`debug = on`): canary's RAM is
                                intact after hammer wrote everywhere outside
                                its own, a revoked page reads all-ones, and
                                the crash stops only its own guest
  test_two_guests_three_cpus    hello (1 CPU) beside smp (2 CPUs) on a
                                3-CPU machine

Waiting: a guest ends with exactly one `guest NAME exited code N` /
`crashed: ...` / `halted: ...` / `failed: ...` line. The helpers wait for
those lines (in any order) and fail at once when one ends the wrong way,
quoting that guest's own console lines, so a FAIL never waits for the
timeout. Nothing here sleeps.

Timeouts (QEMU figures, m.scale() multiplies them by 10 for Bochs): on
QEMU TCG each guest finishes within about 2 s of `longbus ready`; the
slowest is lapic_timer, which spends ~250 ms of TSC time in its waits,
plus the exits. GUEST_TIMEOUT gives every scenario 40 s (400 s on Bochs);
shell round trips get 10 s (100 s).
"""
import re
import time
from pathlib import Path

import pytest

READY = "longbus ready"
PROMPT = "longbus> "
FATAL = re.compile(r"FATAL:|ERROR:")
CTRL_RBRACKET = "\x1d"  # `console NAME` returns to the shell on Ctrl-]

REPO = Path(__file__).resolve().parents[2]
GUEST_DIR = REPO / "build" / "guests"

GUEST_TIMEOUT = 40  # seconds on QEMU for all guests of a scenario to end, see above
SHELL_TIMEOUT = 10

BASE_CFG = """\
# written by tests/integration/test_guests.py
[longbus]
serial = com1
log_level = info
"""

END = re.compile(r"guest (?P<name>[\w-]+)(?: (?P<how>exited code -?\d+|(?:crashed|halted|failed): "
                 r"[^\n]*)|: (?P<failed>not started))")


def image(name):
    path = GUEST_DIR / f"{name}.elf"
    if not path.is_file():
        pytest.fail(f"{path} does not exist: `make all` builds the test guests", pytrace=False)
    return path


def guest(name, cpus, testdev=False, cmdline=None, memory="16M"):
    """A [guest NAME] section for build/guests/NAME.elf with debug_exit = 0xf4."""
    lines = [f"[guest {name}]", f"cpus = {cpus}", f"memory = {memory}", f"image = {name}.elf",
             "debug_exit = 0xf4"]
    if testdev:
        lines.append("testdev = on")
    if cmdline is not None:
        lines.append(f"cmdline = {cmdline}")
    return "\n".join(lines) + "\n"


def boot_guests(boot, sections, names, cpus, debug=False):
    """Boots longbus with these [guest] sections and their images; waits for the prompt."""
    cfg = BASE_CFG + ("debug = on\n" if debug else "") + "".join(sections)
    m = boot(cfg, cpus=cpus, files={f"{n}.elf": image(n) for n in names}, fail_on=[FATAL])
    m.wait_for(READY, m.boot_timeout)
    return m


def guest_lines(m, name):
    """What guest NAME printed, for failure messages."""
    prefix = f"[{name}] "
    lines = [ln for ln in m.output.splitlines() if ln.startswith(prefix)]
    return "\n".join("    " + ln for ln in lines[-30:]) or "    (nothing)"


def ends(m):
    """{guest name: how it ended} from the whole serial log so far."""
    found = {}
    for match in END.finditer(m.output):
        found.setdefault(match.group("name"), match.group("how") or match.group("failed"))
    return found


def check_end(m, name, how, expect):
    if expect == "pass":
        ok = how == "exited code 0" and f"[{name}] RESULT PASS {name}" in m.output
    else:
        ok = how.startswith(expect)
    if not ok:
        want = f"RESULT PASS {name} and exited code 0" if expect == "pass" else repr(expect)
        raise AssertionError(f"guest {name} ended with {how!r}, expected {want}\n"
                             f"  its console:\n{guest_lines(m, name)}\n"
                             f"  serial log: {m.log_path}")


def wait_guests(m, expect, timeout):
    """Waits until every guest in `expect` ({name: "pass" | "crashed: ..."}) has ended.

    Fails as soon as one ends otherwise than expected. `timeout` is in
    seconds already scaled for the backend, for all of them together.
    """
    deadline = time.monotonic() + timeout * m.factor
    checked = set()
    while True:
        done = ends(m)
        for name in expect:
            if name in done and name not in checked:
                check_end(m, name, done[name], expect[name])
                checked.add(name)
        missing = [n for n in expect if n not in done]
        if not missing:
            return
        left = deadline - time.monotonic()
        pattern = re.compile(r"guest (?:%s)(?: exited code | crashed: | halted: | failed: |: not started)"
                             % "|".join(map(re.escape, missing)))
        try:
            m.wait_for(pattern, max(left, 0.1) / m.factor)
        except AssertionError as e:
            consoles = "\n".join(f"  [{n}] never ended; its console:\n{guest_lines(m, n)}"
                                 for n in missing)
            raise AssertionError(f"{consoles}\n{e}") from None


def wait_line(m, text, timeout):
    """Waits for text anywhere in the log, even before the wait_for cursor."""
    if text not in m.output:
        m.wait_for(text, timeout)


def run(m, command, expect, timeout=SHELL_TIMEOUT):
    """Types a shell command, waits for `expect`, then for the next prompt."""
    m.send(command)
    match = m.wait_for(expect, m.scale(timeout))
    m.wait_for(PROMPT, m.scale(timeout))
    return match


def type_to_guest(m, name, text):
    """`console NAME`, the text, then Ctrl-] back to the shell."""
    run(m, f"console {name}", f"console: typing goes to guest {name}")
    m.send(text, end="")


def leave_console(m):
    m.send(CTRL_RBRACKET, end="")
    m.wait_for("console: back to longbus", m.scale(SHELL_TIMEOUT))


def parse_stats(text):
    """`stats` output -> {(guest, vcpu): {exit kind: count}}, plus "total"."""
    stats, cur = {}, None
    for line in text.splitlines():
        head = re.match(r"(\S+) vcpu(\d+): (\d+) exits$", line)
        if head:
            cur = stats.setdefault((head.group(1), int(head.group(2))),
                                   {"total": int(head.group(3))})
            continue
        kind = re.match(r"  (\S+)\s+(\d+)$", line)
        if kind and cur is not None:
            cur[kind.group(1)] = int(kind.group(2))
        elif line.strip():
            cur = None
    return stats


def guests_table(m):
    """`guests` -> {name: state text}."""
    start = len(m.output)
    m.send("guests")
    m.wait_for(PROMPT, m.scale(SHELL_TIMEOUT))
    table = {}
    for line in m.output[start:].splitlines():
        row = re.match(r"(\S+)\s+(running|halted|crashed|exited\s+\d+|failed|created)\s+cpus",
                       line)
        if row:
            table[row.group(1)] = " ".join(row.group(2).split())
    return table


# --------------------------------------------------------------------------- scenarios

def test_single_cpu_guests(boot, backend):
    """hello, cpuid, pio, mmio_decode and msr side by side; then `stats`.

    hello shares cpu0 with the service loop (the shell), the others own a
    CPU each. hello also checks its command line.
    """
    names = ["hello", "cpuid", "pio", "mmio_decode", "msr"]
    m = boot_guests(boot, [
        guest("hello", "0", cmdline="hello-cmdline"),
        guest("pio", "1", testdev=True),
        guest("mmio_decode", "2", testdev=True),
        guest("msr", "3"),
        guest("cpuid", "4"),
    ], names, cpus=5)
    wait_guests(m, {n: "pass" for n in names}, m.scale(GUEST_TIMEOUT))
    assert "[hello] cmdline: hello-cmdline" in m.output

    start = len(m.output)
    m.send("stats")
    m.wait_for(re.compile(r"cpuid vcpu0: \d+ exits\n(  .*\n)*"), m.scale(SHELL_TIMEOUT))
    m.wait_for(PROMPT, m.scale(SHELL_TIMEOUT))
    stats = parse_stats(m.output[start:])
    for name in names:
        assert (name, 0) in stats, f"`stats` has no line for {name} vcpu0:\n{m.output[start:]}"
    # Every guest prints through the vUART and ends with a debug-exit write: io.
    for name in names:
        s = stats[(name, 0)]
        assert s.get("io", 0) > 0, (name, s)
        assert s["total"] >= sum(v for k, v in s.items() if k != "total"), (name, s)
    assert stats[("cpuid", 0)].get("cpuid", 0) >= 4, stats[("cpuid", 0)]
    assert stats[("mmio_decode", 0)].get("mmio", 0) >= 300, stats[("mmio_decode", 0)]
    assert stats[("msr", 0)].get("rdmsr", 0) >= 20, stats[("msr", 0)]
    assert stats[("msr", 0)].get("wrmsr", 0) >= 10, stats[("msr", 0)]
    assert stats[("pio", 0)].get("io", 0) >= 30, stats[("pio", 0)]

    table = guests_table(m)
    assert table == {n: "exited 0" for n in names}, table


def test_interrupts_and_isolation(boot, backend):
    """smp (2 vCPUs), lapic_timer and isolation together.

    isolation runs on cpu0 beside the shell and writes the reset and
    power-off ports, sends INIT/SIPI/NMI to APIC IDs it does not own and
    probes memory outside its RAM; its neighbours must still pass, every
    CPU must still be online and the shell must answer.
    """
    names = ["isolation", "smp", "lapic_timer"]
    m = boot_guests(boot, [
        guest("isolation", "0"),
        guest("smp", "1-2"),
        guest("lapic_timer", "3"),
    ], names, cpus=4)
    wait_guests(m, {n: "pass" for n in names}, m.scale(GUEST_TIMEOUT))

    assert "[smp] AP up: APIC ID 1" in m.output
    assert re.search(r"smp vcpu1: started at 100:0000", m.output)
    assert "[isolation] still alive after reset and power-off writes" in m.output
    # The refused ports are named in the log (once per write).
    assert "refused reset control (0xcf9) write 0x6" in m.output
    assert re.search(r"refused (ICH9|PIIX4) power management write", m.output)

    run(m, "cpus", re.compile(r"cpu3 apic \d+ \w+"))
    cpus = dict(re.findall(r"^cpu(\d) apic \d+ (\w+)", m.output, re.M))
    assert all(state == "online" for state in cpus.values()) and len(cpus) == 4, cpus
    table = guests_table(m)
    assert table == {n: "exited 0" for n in names}, table


def test_memory_isolation_and_crash(boot, backend):
    """crash triple-faults at once; canary, hammer and revoke carry on.

    Order: canary fills its RAM and is armed; hammer waits for a key; the
    test types one into hammer, which writes everywhere outside its own
    RAM; then one into canary, which checks every word. Meanwhile revoke
    spins on a page that the `revoke` command takes away.
    """
    names = ["crash", "canary", "hammer", "revoke"]
    m = boot_guests(boot, [
        guest("crash", "0"),
        guest("canary", "1"),
        guest("hammer", "2"),
        guest("revoke", "3"),
    ], names, cpus=4, debug=True)
    expect = {"crash": "crashed: triple fault", "canary": "pass", "hammer": "pass",
              "revoke": "pass"}

    t = m.scale(GUEST_TIMEOUT)
    wait_guests(m, {"crash": expect["crash"]}, t)
    wait_line(m, "[canary] canary armed", t)
    wait_line(m, "[hammer] hammer ready", t)
    page = re.search(r"\[revoke\] revoke page (0x[0-9a-f]+)", m.output) or \
        m.wait_for(re.compile(r"\[revoke\] revoke page (0x[0-9a-f]+)"), t)

    run(m, f"revoke revoke {page.group(1)}",
        f"revoke: {page.group(1)} unmapped from revoke, every vCPU flushed")
    type_to_guest(m, "hammer", "h")
    wait_guests(m, {"hammer": "pass"}, t)
    leave_console(m)
    type_to_guest(m, "canary", "c")
    wait_guests(m, expect, t)
    leave_console(m)

    assert "[crash] RESULT" not in m.output
    table = guests_table(m)
    assert table == {"crash": "crashed", "canary": "exited 0", "hammer": "exited 0",
                     "revoke": "exited 0"}, table


def test_two_guests_three_cpus(boot, backend):
    """Two guests at once on a 3-CPU machine: hello on cpu1, smp on cpus 0 and 2."""
    names = ["hello", "smp"]
    m = boot_guests(boot, [
        guest("hello", "1", cmdline="two-guests"),
        guest("smp", "0,2"),
    ], names, cpus=3)
    wait_guests(m, {n: "pass" for n in names}, m.scale(GUEST_TIMEOUT))
    assert "[hello] cmdline: two-guests" in m.output
    table = guests_table(m)
    assert table == {n: "exited 0" for n in names}, table
