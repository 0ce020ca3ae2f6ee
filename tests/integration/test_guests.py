# SPDX-License-Identifier: GPL-2.0-only
"""The test guests (tests/guests/*.c) under longbus, on both backends.

Each scenario boots one machine with several guests side by side, one or
two CPUs each, so one emulator boot covers several guests (Bochs boots are
the expensive part). Every guest prints `RESULT PASS|FAIL <name>` on its
COM1, which longbus shows as `[<name>] ...`, then stops itself through its
debug-exit port: longbus logs `guest <name> exited code 0` (1 on FAIL).

  test_single_cpu_guests        hello, cpuid, pio, mmio_decode, msr (5 CPUs);
                                then `stats` shows the exits they caused
  test_two_guests_interrupts_and_smp
                                smp (2 vCPUs) beside lapic_timer on a 3-CPU
                                machine
  test_isolation_memory_and_crash
                                isolation, crash, canary, hammer and revoke
                                (5 CPUs, `debug = on`): the isolation probes
                                and a triple fault leave the neighbours, the
                                CPUs and the shell alone; canary's RAM is
                                intact after hammer wrote everywhere outside
                                its own; a revoked page reads all-ones

Waiting: a guest ends with exactly one `guest NAME exited code N` /
`crashed: ...` / `halted: ...` / `failed: ...` line. wait_guests() waits
for those lines (in any order). A guest that ends the wrong way is recorded
with its own console lines at once, so a FAIL never waits for a timeout;
the scenario still lets the other guests end and runs its remaining checks,
then reports every failure together. Nothing here sleeps.

Timeouts (QEMU figures; m.scale() multiplies them by 10 for Bochs). Each
scenario's guests end within 1-2 s of `longbus ready` on QEMU TCG and
within 15-30 s on Bochs (measured on the 2-core dev VM: whole tests 4 s /
25 s, 4 s / 18 s and 5 s / 33 s including boot). lapic_timer is the
slowest guest: it spends ~300 ms of TSC time in its waits, plus the exits.
GUEST_TIMEOUT gives the guests of a scenario 40 s (400 s on Bochs) to end;
shell round trips get 10 s (100 s). revoke gives up by itself 60 s of TSC
time after printing its page, so its wait adds REVOKE_GUEST_TIMEOUT.
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
# tests/guests/revoke.c gives up this long (TSC time) after printing its page.
REVOKE_GUEST_TIMEOUT = 60

BASE_CFG = """\
# written by tests/integration/test_guests.py
[longbus]
serial = com1
log_level = info
"""

# A guest's end, as vm_end() logs it. Only whole lines count: the serial
# line delivers bytes one by one, and "exited code 1" must not be read as
# "exited code " plus a digit still to come.
END_TAIL = (r"(?: (?P<how>exited code -?\d+|(?:crashed|halted|failed): [^\n]*)"
            r"|: (?P<failed>not started))\n")
END = re.compile(r"guest (?P<name>[\w-]+)" + END_TAIL)


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
    """Boots longbus with these [guest] sections and their images; waits for READY."""
    cfg = BASE_CFG + ("debug = on\n" if debug else "") + "".join(sections)
    m = boot(cfg, cpus=cpus, files={f"{n}.elf": image(n) for n in names}, fail_on=[FATAL])
    m.wait_for(READY, m.boot_timeout)
    return m


def guest_lines(m, name):
    """What guest NAME printed, for failure messages (a line may follow a prompt)."""
    prefix = f"[{name}] "
    lines = [ln[ln.index(prefix):] for ln in m.output.splitlines() if prefix in ln]
    return "\n".join("    " + ln for ln in lines[-30:]) or "    (nothing)"


def guest_said(m, name, text):
    """Whether guest NAME printed `text` as (the start of) one console line.

    The vUART flushes a partial line after 50 ms without output (so prompts
    show). Bochs runs a 5-CPU machine slowly enough that a guest can pause
    that long mid-line, which splits it into "[NAME] st" + "[NAME] ill ...".
    Such a split is the documented behaviour, so it is accepted here.
    """
    glue = r"(?:\n(?:.*\n)*?\[" + re.escape(name) + r"\] )?"
    body = glue.join(re.escape(c) for c in text)
    return re.search(r"\[" + re.escape(name) + r"\] " + body, m.output) is not None


def ends(m):
    """{guest name: how it ended} from the whole serial log so far."""
    found = {}
    for match in END.finditer(m.output):
        found.setdefault(match.group("name"), match.group("how") or match.group("failed"))
    return found


def check_end(m, name, how, expect):
    """None if guest `name` ended as expected, else the failure message."""
    if expect == "pass":
        ok = how == "exited code 0" and guest_said(m, name, f"RESULT PASS {name}")
    else:
        ok = how.startswith(expect)
    if ok:
        return None
    want = f"RESULT PASS {name} and exited code 0" if expect == "pass" else repr(expect)
    return (f"guest {name} ended with {how!r}, expected {want}\n"
            f"  its console:\n{guest_lines(m, name)}\n"
            f"  serial log: {m.log_path}")


def wait_guests(m, expect, timeout, failures=None):
    """Waits until every guest in `expect` ({name: "pass" | "crashed: ..."}) has ended.

    A guest that ends otherwise than expected fails the test at once; with a
    `failures` list it is recorded there instead and the wait goes on for
    the others (they end within moments), so one failure does not hide
    another and the checks after the run still happen. A guest that never
    ends fails the test when `timeout` (seconds, already scaled for the
    backend, for all of them together) runs out.
    """
    deadline = time.monotonic() + timeout * m.factor
    checked = set()
    while True:
        done = ends(m)
        for name in expect:
            if name in done and name not in checked:
                checked.add(name)
                bad = check_end(m, name, done[name], expect[name])
                if bad and failures is None:
                    raise AssertionError(bad)
                if bad and bad not in failures:
                    failures.append(bad)
        missing = [n for n in expect if n not in done]
        if not missing:
            return
        left = deadline - time.monotonic()
        pattern = re.compile(r"guest (?:%s)" % "|".join(map(re.escape, missing)) + END_TAIL)
        try:
            m.wait_for(pattern, max(left, 0.1) / m.factor)
        except AssertionError as e:
            consoles = "\n".join(f"  [{n}] never ended; its console:\n{guest_lines(m, n)}"
                                 for n in missing)
            earlier = "".join(f"\n{f}" for f in failures or [])
            raise AssertionError(f"{consoles}\n{e}{earlier}") from None


def table_state(how):
    """What `guests` shows for a guest that ended with `how` (an END match)."""
    code = re.match(r"exited code (-?\d+)", how)
    return f"exited {code.group(1)}" if code else how.split(":")[0].replace("not started", "failed")


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
    """`console NAME`, then the text (typed into that guest's COM1); see leave_console()."""
    run(m, f"console {name}", f"console: typing goes to guest {name}")
    m.send(text, end="")


def leave_console(m):
    """Ctrl-] ends `console NAME`: back to the shell."""
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
    failures = []
    wait_guests(m, {n: "pass" for n in names}, m.scale(GUEST_TIMEOUT), failures)
    assert guest_said(m, "hello", "cmdline: hello-cmdline")

    start = len(m.output)
    m.send("stats")
    m.wait_for(re.compile(r"cpuid vcpu0: \d+ exits\n(  .*\n)*"), m.scale(SHELL_TIMEOUT))
    m.wait_for(PROMPT, m.scale(SHELL_TIMEOUT))
    stats = parse_stats(m.output[start:])
    # What each guest must have caused at least (each guest's own count is far higher
    # when it passes; the minimums hold even for a guest that stopped early).
    minimum = {
        ("hello", "io"): 20,  # its console lines, through the vUART
        ("pio", "io"): 30,
        ("cpuid", "cpuid"): 4,
        ("cpuid", "io"): 20,
        ("mmio_decode", "mmio"): 100,  # one pass over the forms is ~150
        ("msr", "rdmsr"): 20,
        ("msr", "wrmsr"): 10,
    }
    for (name, kind), at_least in minimum.items():
        got = stats.get((name, 0), {}).get(kind, 0)
        if got < at_least:
            failures.append(f"`stats`: {name} vcpu0 shows {got} {kind} exits, expected at "
                            f"least {at_least}:\n{m.output[start:]}")
    for (name, vcpu), s in stats.items():
        if s["total"] != sum(v for k, v in s.items() if k != "total"):
            failures.append(f"`stats`: {name} vcpu{vcpu}: the kinds do not add up to the "
                            f"total: {s}")

    table = guests_table(m)
    assert table == {n: table_state(how) for n, how in ends(m).items()}, table
    assert not failures, "\n\n".join(failures)


def test_two_guests_interrupts_and_smp(boot, backend):
    """The two-guest scenario on a 3-CPU machine: smp (2 vCPUs on cpus 0 and
    2, its boot vCPU sharing cpu0 with the shell) and lapic_timer (cpu 1)."""
    names = ["smp", "lapic_timer"]
    m = boot_guests(boot, [
        guest("smp", "0,2"),
        guest("lapic_timer", "1"),
    ], names, cpus=3)
    failures = []
    wait_guests(m, {n: "pass" for n in names}, m.scale(GUEST_TIMEOUT), failures)
    if "smp" not in ends(m) or ends(m)["smp"] == "exited code 0":
        assert guest_said(m, "smp", "AP up: APIC ID 1\n")
        assert "smp vcpu1: started at 100:0000" in m.output
    table = guests_table(m)
    assert table == {n: table_state(how) for n, how in ends(m).items()}, table
    assert not failures, "\n\n".join(failures)


def test_isolation_memory_and_crash(boot, backend):
    """isolation, crash, canary, hammer and revoke (`debug = on`) side by side.

    isolation runs on cpu0 beside the shell: it writes the reset and
    power-off ports, sends INIT/SIPI/NMI to APIC IDs it does not own and
    probes memory outside its RAM. crash triple-faults at once. canary fills
    its RAM and is armed; hammer waits for a key; the test types one into
    hammer, which writes everywhere outside its own RAM, then one into
    canary, which checks every word. Then every CPU must still be online
    and the shell must answer. Last, the `revoke` command takes away the
    page that revoke has been spinning on since it started (it gives up
    REVOKE_GUEST_TIMEOUT after printing the page).
    """
    names = ["isolation", "crash", "canary", "hammer", "revoke"]
    m = boot_guests(boot, [
        guest("isolation", "0"),
        guest("crash", "1"),
        guest("canary", "2"),
        guest("hammer", "3"),
        guest("revoke", "4"),
    ], names, cpus=5, debug=True)
    expect = {"isolation": "pass", "crash": "crashed: triple fault", "canary": "pass",
              "hammer": "pass", "revoke": "pass"}
    failures = []

    t = m.scale(GUEST_TIMEOUT)
    wait_guests(m, {n: expect[n] for n in ("isolation", "crash")}, t, failures)
    wait_line(m, "[canary] canary armed", t)
    wait_line(m, "[hammer] hammer ready", t)
    type_to_guest(m, "hammer", "h")
    wait_guests(m, {"hammer": expect["hammer"]}, t, failures)
    leave_console(m)
    type_to_guest(m, "canary", "c")
    wait_guests(m, {"canary": expect["canary"]}, t, failures)
    leave_console(m)

    assert "[crash] RESULT" not in m.output
    if ends(m)["isolation"] == "exited code 0":
        assert guest_said(m, "isolation", "still alive after reset and power-off writes\n")
        # The refused ports are named in the log, once per write.
        assert "refused reset control (0xcf9) write 0x6\n" in m.output
        assert re.search(r"refused (ICH9|PIIX4) power management write 0x2000\n", m.output)
    run(m, "cpus", re.compile(r"cpu4 apic \d+ \w+.*\n"))
    cpus = dict(re.findall(r"^cpu(\d) apic \d+ (\w+)", m.output, re.M))
    assert len(cpus) == 5 and all(st == "online" for st in cpus.values()), cpus

    page_rx = re.compile(r"\[revoke\] revoke page (0x[0-9a-f]+)\n")
    page = page_rx.search(m.output) or m.wait_for(page_rx, t)
    run(m, f"revoke revoke {page.group(1)}",
        f"revoke: {page.group(1)} unmapped from revoke, every vCPU flushed")
    wait_guests(m, {"revoke": expect["revoke"]}, t + REVOKE_GUEST_TIMEOUT, failures)

    table = guests_table(m)
    assert table == {n: table_state(how) for n, how in ends(m).items()}, table
    assert not failures, "\n\n".join(failures)
