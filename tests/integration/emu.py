# SPDX-License-Identifier: GPL-2.0-only
"""Emulator runner for longbus integration tests.

Boots an ESP image (see tools/mkesp.py) in QEMU (AMD-V + NPT, backend
"svm-qemu") or in Bochs (VT-x + EPT, backend "vmx-bochs") and talks to the
guest's COM1. A third backend, "subprocess", runs any command as a fake
machine so the harness can test itself without an emulator.

    with Machine("svm-qemu", esp="esp.img", cpus=2, name="test_boot-svm-qemu") as m:
        m.wait_for("longbus: ready", timeout=m.boot_timeout)
        m.send("status")
        match = m.wait_for(re.compile(r"guests: (\\d+)"), timeout=10)

Serial transport. The harness listens on an ephemeral loopback TCP port
*before* starting the emulator, and the emulator connects to it as a client
(QEMU `-chardev socket,host=127.0.0.1,port=P`, Bochs `com1: mode=socket-client,
dev=localhost:P`). No port is ever guessed, so concurrent runs cannot clash,
and both emulators share one code path. Both emulators only take a byte off
the socket when the guest UART has room for it (measured: 114 bytes sent
while the guest polled nothing for 2 s all arrived, on both), so `send()`
writes a line in one go; no pacing is needed.

Matching. Serial output is decoded as UTF-8 (bad bytes become U+FFFD) and
every '\\r' is dropped, so patterns match on plain '\\n' line ends.
`wait_for()` searches from the end of the previous match (a cursor, like
pexpect), so a sequence of waits checks order too.

Synchronisation never sleeps: a reader thread appends serial data under a
condition variable and notices emulator exit through a pidfd.

Every run has a total time budget; on budget exhaustion, timeout, early exit
or leaving the `with` block the emulator's whole process group is killed and
Bochs lock files are removed. The serial log is written as it arrives to
<log_dir>/<name>.log, the emulator's own output to <log_dir>/<name>.emu.log.
"""

import atexit
import codecs
import ctypes
import os
import re
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

BACKENDS = ("svm-qemu", "vmx-bochs")

QEMU = "qemu-system-x86_64"
BOCHS = "bochs"
OVMF = "/usr/share/ovmf/OVMF.fd"
VGABIOS = "/usr/share/vgabios/vgabios.bin"

# Seconds from process start to the first line the EFI app prints. Measured on
# the 2-core dev VM (Debian 12), idle: QEMU 7.2 TCG + OVMF 2.6-3.3 s; Bochs 2.7
# + OVMF 9-14 s with 1 CPU, 13-19 s with 2. Two QEMU and two Bochs at once
# (plus a third Bochs): QEMU ~8 s, Bochs ~26 s. At least 4x that worst case.
BOOT_TIMEOUT = {"svm-qemu": 60.0, "vmx-bochs": 120.0, "subprocess": 10.0}

# How much slower than QEMU TCG the backend is once the app runs: scale
# post-boot timeouts with Machine.scale(). Bochs interprets every instruction
# (~75 M instructions/s on one host core, shared between its virtual CPUs)
# where TCG compiles. Measured with a GNU-EFI app: OVMF boot 4x slower, a
# tight integer/memory loop 19x (0.43 s vs 8.3 s), a typed line's echo 20x
# (2.4 ms vs 49 ms). 10x plus the usual >=3x margin in a QEMU timeout covers
# that.
SPEED_FACTOR = {"svm-qemu": 1.0, "vmx-bochs": 10.0, "subprocess": 1.0}

# Default total wall-clock budget of one Machine, from start to kill.
DEFAULT_BUDGET = 600.0

# Emulated instructions per emulated second in Bochs. Close to what Bochs
# really executes on this host (~75 M/s), so guest-visible time (timeouts,
# heartbeats, TCP) runs at roughly wall-clock speed.
BOCHS_IPS = 50_000_000
BOCHS_CPU_MODEL = "corei7_skylake_x"  # VMX with EPT, VPID, unrestricted guest

# How long an emulator may take to connect to the serial socket. Both connect
# while parsing their configuration, well under a second after exec.
CONNECT_TIMEOUT = 30.0

# Printed by OVMF when an EFI app returned an error and the firmware is back.
FIRMWARE_REGAINED = re.compile(
    r"BdsDxe: (failed to start Boot\w+|No bootable option or device was found)")

Pattern = Union[str, "re.Pattern[str]"]

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_live: "set[Machine]" = set()
_live_lock = threading.Lock()


def _die_with_parent() -> None:
    """Child side of Popen: get SIGKILL when the thread that started us dies.

    Emulators run in their own session so kill() can take the whole group;
    this makes sure a pytest killed by SIGKILL/SIGTERM (CI timeout) does not
    leave them running either. Start a Machine from a thread that outlives it.
    """
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@atexit.register
def _kill_all() -> None:
    with _live_lock:
        live = list(_live)
    for m in live:
        try:
            m.kill()
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            pass


def timeout_factor() -> float:
    """Global multiplier for every timeout: LONGBUS_TIMEOUT_FACTOR (default 1)."""
    try:
        f = float(os.environ.get("LONGBUS_TIMEOUT_FACTOR", "1"))
    except ValueError:
        f = 1.0
    return f if f > 0 else 1.0


def _compile(pattern: Pattern):
    """Return (compiled, description). A str is a literal; pass
    re.compile(...) for a regular expression."""
    if isinstance(pattern, re.Pattern):
        return pattern, f"/{pattern.pattern}/"
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be str or re.Pattern, not {type(pattern).__name__}")
    return re.compile(re.escape(pattern)), repr(pattern)


_ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def _tail(text: str, lines: int = 40) -> str:
    """Last lines of text, indented, without terminal escapes (OVMF clears
    the screen with them)."""
    rows = _ANSI.sub("", text).splitlines()[-lines:]
    return "\n".join("    | " + r for r in rows) if rows else "    | (nothing)"


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("_") or "machine"


class Machine:
    """One emulator run with a readable and writable serial console.

    backend:  "svm-qemu", "vmx-bochs" or "subprocess".
    esp:      ESP image (tools/mkesp.py); needed by the emulator backends.
              Give each concurrent Machine its own image: QEMU locks the
              file and Bochs keeps a <esp>.lock beside it.
    cpus:     QEMU -smp / Bochs cpu: count.
    memory_mb: guest RAM (OVMF wants >= 512 MiB on Bochs; 1024 is safe).
    name:     base name of the log files (e.g. "test_boot-svm-qemu").
    log_dir:  where logs go (created); None keeps them in the temp dir only.
    extra_args:    appended to the QEMU command line (network devices...).
    extra_bochsrc: lines appended to the generated bochsrc.
    argv:     command for the "subprocess" backend; if an argument contains
              "{serial_port}" the fake machine gets a TCP port to connect to,
              otherwise its stdin/stdout are the serial line.
    budget:   total seconds the run may take (scaled by LONGBUS_TIMEOUT_FACTOR).
    fail_on:  patterns that end any wait_for() at once when they appear
              (e.g. a panic banner), unless the awaited pattern matched.
    keep_tmp: keep the temp dir (bochsrc, emulator logs) after the run.
    """

    def __init__(self, backend: str, esp: Union[str, os.PathLike, None] = None, *,
                 cpus: int = 2, memory_mb: int = 1024, name: str = "machine",
                 log_dir: Union[str, os.PathLike, None] = None,
                 extra_args: Sequence[str] = (), extra_bochsrc: Sequence[str] = (),
                 argv: Optional[Sequence[str]] = None,
                 budget: float = DEFAULT_BUDGET,
                 fail_on: Iterable[Pattern] = (),
                 bochs_ips: int = BOCHS_IPS, keep_tmp: bool = False):
        if backend not in BACKENDS + ("subprocess",):
            raise ValueError(f"unknown backend {backend!r}; use one of "
                             f"{BACKENDS + ('subprocess',)}")
        if backend != "subprocess" and esp is None:
            raise ValueError(f"backend {backend} needs an ESP image")
        if backend == "subprocess" and not argv:
            raise ValueError("backend subprocess needs argv")
        self.backend = backend
        self.esp = Path(esp).resolve() if esp is not None else None
        self.cpus = cpus
        self.memory_mb = memory_mb
        self.name = _safe_name(name)
        self.log_dir = Path(log_dir) if log_dir is not None else None
        self.extra_args = list(extra_args)
        self.extra_bochsrc = list(extra_bochsrc)
        self.argv = list(argv) if argv else None
        self.factor = timeout_factor()
        self.budget = budget * self.factor
        self.fail_on = [_compile(p) for p in fail_on]
        self.bochs_ips = bochs_ips
        self.keep_tmp = keep_tmp
        self.boot_timeout = BOOT_TIMEOUT[backend] * self.factor
        # Measured: serial input works on both emulators (socket transport).
        self.can_type = True

        self.tmpdir: Optional[Path] = None
        self.log_path: Optional[Path] = None
        self.emu_log_path: Optional[Path] = None
        self.command: list = []
        self.proc: Optional[subprocess.Popen] = None
        self.returncode: Optional[int] = None

        self._cond = threading.Condition()
        self._text = ""           # decoded serial output, '\r' removed
        self._cursor = 0          # where the next wait_for() starts searching
        self._serial_open = False
        self._exited = False
        self._budget_expired = False
        self._started_at = 0.0
        self._deadline = 0.0
        self._sock: Optional[socket.socket] = None
        self._rfd: Optional[int] = None
        self._wfile = None
        self._pidfd: Optional[int] = None
        self._reader: Optional[threading.Thread] = None
        self._logf = None
        self._emu_out = None
        self._send_lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ setup

    def __enter__(self) -> "Machine":
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Machine {self.name} {self.backend} cpus={self.cpus}>"

    def start(self) -> "Machine":
        """Start the emulator and connect its serial line. Returns self."""
        if self.proc is not None:
            raise RuntimeError("machine already started")
        self.tmpdir = Path(tempfile.mkdtemp(prefix=f"longbus-{self.name}-"))
        logs = self.log_dir if self.log_dir is not None else self.tmpdir
        logs.mkdir(parents=True, exist_ok=True)
        self.log_path = logs / f"{self.name}.log"
        self.emu_log_path = logs / f"{self.name}.emu.log"
        self._logf = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self._emu_out = open(self.tmpdir / "emu-output.txt", "wb")
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        listener = None
        use_socket = self.backend != "subprocess" or any(
            "{serial_port}" in a for a in self.argv)
        if use_socket:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("127.0.0.1", 0))  # the kernel picks a free port
            listener.listen(1)
            port = listener.getsockname()[1]
        else:
            port = None
        try:
            if self.backend == "svm-qemu":
                self.command = self._qemu_command(port)
            elif self.backend == "vmx-bochs":
                self.command = self._bochs_command(port)
            else:
                self.command = [a.replace("{serial_port}", str(port)) for a in self.argv]
            self._remove_locks()
            self._emu_out.write(("# cwd: %s\n# command: %s\n" % (
                self.tmpdir, shlex.join(self.command))).encode())
            self._emu_out.flush()

            self._started_at = time.monotonic()
            self._deadline = self._started_at + self.budget
            pipe = subprocess.PIPE if not use_socket else None
            try:
                self.proc = subprocess.Popen(
                    self.command, cwd=self.tmpdir,
                    stdin=pipe if pipe else subprocess.DEVNULL,
                    stdout=pipe if pipe else self._emu_out,
                    stderr=self._emu_out, start_new_session=True,
                    preexec_fn=_die_with_parent)
            except FileNotFoundError as e:
                raise AssertionError(f"{self.name}: cannot run {self.command[0]}: {e} "
                                     "(install it: make deps)") from None
            with _live_lock:
                _live.add(self)
            self._pidfd = os.pidfd_open(self.proc.pid)
            if use_socket:
                self._sock = self._accept(listener)
                self._rfd = self._sock.fileno()
            else:
                self._rfd = self.proc.stdout.fileno()
                self._wfile = self.proc.stdin
            self._serial_open = True
            self._reader = threading.Thread(target=self._read_loop,
                                            name=f"serial-{self.name}", daemon=True)
            self._reader.start()
        finally:
            if listener is not None:
                listener.close()

    def _accept(self, listener: socket.socket) -> socket.socket:
        """Wait for the emulator to connect; fail if it exits or takes too long."""
        sel = selectors.DefaultSelector()
        sel.register(listener, selectors.EVENT_READ, "conn")
        sel.register(self._pidfd, selectors.EVENT_READ, "exit")
        try:
            deadline = time.monotonic() + CONNECT_TIMEOUT * self.factor
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise AssertionError(self._failure(
                        f"{self.backend} did not connect to the serial socket "
                        f"within {CONNECT_TIMEOUT * self.factor:.0f} s", emu_tail=True))
                for key, _ in sel.select(left):
                    if key.data == "conn":
                        conn, _ = listener.accept()
                        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        return conn
                    self.returncode = self.proc.wait()
                    self._exited = True
                    raise AssertionError(self._failure(
                        f"{self.backend} exited with status {self.returncode} before "
                        "connecting its serial port", emu_tail=True))
        finally:
            sel.close()

    def _qemu_command(self, port: int) -> list:
        return [
            QEMU, "-machine", "q35", "-cpu", "EPYC,+svm,+npt",
            "-smp", str(self.cpus), "-m", str(self.memory_mb),
            "-bios", OVMF,
            "-drive", f"format=raw,file={self.esp}",
            "-display", "none",
            "-chardev", f"socket,id=ser0,host=127.0.0.1,port={port},nodelay=on",
            "-serial", "chardev:ser0",
            "-net", "none", "-no-reboot",
        ] + self.extra_args

    def _bochs_command(self, port: int) -> list:
        rc = [
            f"megs: {self.memory_mb}",
            f"romimage: file={OVMF}, address=0xffe00000",
            f"vgaromimage: file={VGABIOS}",
            # reset_on_triple_fault=0 + panic fatal: a triple fault ends the
            # run (like QEMU -no-reboot) instead of rebooting into OVMF.
            f"cpu: count={self.cpus}, ips={self.bochs_ips}, model={BOCHS_CPU_MODEL}, "
            "reset_on_triple_fault=0",
            "pci: enabled=1, chipset=i440fx",
            f"ata0-master: type=disk, path={self.esp}, mode=flat",
            "boot: disk",
            # No nogui in Debian's build. RFB binds the first free port in
            # 5900..5949 itself, so concurrent runs do not clash; timeout=0
            # means it does not wait for a VNC client.
            'display_library: rfb, options="timeout=0"',
            "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
            "log: bochs.log",
            "panic: action=fatal",
            "error: action=report",
            "info: action=report",
            "debug: action=ignore",
            # socket-client: Bochs connects to our listener at start-up.
            f"com1: enabled=1, mode=socket-client, dev=localhost:{port}",
        ] + self.extra_bochsrc
        (self.tmpdir / "bochsrc").write_text("\n".join(rc) + "\n")
        # The debugger is compiled in: 'c' continues at once; stdin is
        # /dev/null so any later debugger prompt reads EOF and quits.
        (self.tmpdir / "dbg").write_text("c\n")
        return [BOCHS, "-q", "-f", "bochsrc", "-rc", "dbg"]

    def _remove_locks(self) -> None:
        if self.esp is not None:
            for lock in self.esp.parent.glob(self.esp.name + "*.lock"):
                lock.unlink(missing_ok=True)

    # ----------------------------------------------------------------- reader

    def _read_loop(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        sel = selectors.DefaultSelector()
        sel.register(self._rfd, selectors.EVENT_READ, "serial")
        sel.register(self._pidfd, selectors.EVENT_READ, "exit")
        serial_open, exited = True, False
        try:
            while serial_open:
                # Once the process is gone the kernel has closed its end, so
                # the socket reports EOF promptly; the 2 s bound only covers a
                # stray grandchild still holding it.
                left = self._deadline - time.monotonic()
                if not exited and left <= 0:
                    # Budget used up with nobody waiting: stop the run here.
                    self._budget_expired = True
                    self._killpg()
                    left = 0
                events = sel.select(2.0 if exited else max(left, 0.05))
                if not events and exited:
                    break
                for key, _ in events:
                    if key.data == "exit":
                        sel.unregister(self._pidfd)
                        self.returncode = self.proc.wait()
                        exited = True
                        continue
                    try:
                        data = os.read(self._rfd, 65536)
                    except OSError:
                        data = b""
                    if not data:
                        sel.unregister(self._rfd)
                        serial_open = False
                        text = decoder.decode(b"", final=True)
                    else:
                        text = decoder.decode(data)
                    text = text.replace("\r", "")
                    with self._cond:
                        if text:
                            self._text += text
                            self._logf.write(text)
                            self._logf.flush()
                        if not serial_open:
                            self._serial_open = False
                        self._cond.notify_all()
            while not exited:
                # Serial closed but the process lives on: keep watching it.
                left = self._deadline - time.monotonic()
                if left <= 0:
                    self._budget_expired = True
                    self._killpg()
                if sel.select(max(left, 0.05)):
                    self.returncode = self.proc.wait()
                    exited = True
        finally:
            sel.close()
            with self._cond:
                self._serial_open = False
                self._exited = True
                self._cond.notify_all()

    # -------------------------------------------------------------------- API

    @property
    def output(self) -> str:
        """Everything read from the serial line so far ('\\r' removed)."""
        with self._cond:
            return self._text

    @property
    def alive(self) -> bool:
        with self._cond:
            return self.proc is not None and not self._exited

    @property
    def elapsed(self) -> float:
        """Seconds since the emulator process started."""
        return time.monotonic() - self._started_at if self._started_at else 0.0

    def scale(self, seconds: float) -> float:
        """A QEMU-calibrated post-boot timeout, scaled for this backend."""
        return seconds * SPEED_FACTOR[self.backend] * self.factor

    def wait_for(self, pattern: Pattern, timeout: float,
                 fail_on: Optional[Iterable[Pattern]] = None) -> "re.Match[str]":
        """Wait until `pattern` appears after the previous match; return the match.

        A str is matched literally; pass re.compile(...) for a regex. The
        timeout is in seconds, multiplied by LONGBUS_TIMEOUT_FACTOR and cut
        to the run's budget. Raises AssertionError (with the tail of the
        serial log and the log's path) on timeout, when the emulator exits
        or closes the serial line first, or when a fail_on pattern (this
        call's, else the Machine's) shows up and `pattern` has not matched.
        """
        rx, want = _compile(pattern)
        stops = self.fail_on if fail_on is None else [_compile(p) for p in fail_on]
        if self.proc is None:
            raise RuntimeError("machine not started")
        timeout = timeout * self.factor
        deadline = time.monotonic() + timeout
        budget_hit = False
        closed_grace = None
        if deadline > self._deadline:
            deadline, budget_hit = self._deadline, True
        with self._cond:
            while True:
                m = rx.search(self._text, self._cursor)
                if m:
                    self._cursor = m.end()
                    return m
                for stop, stop_desc in stops:
                    bad = stop.search(self._text, self._cursor)
                    if bad:
                        reason = (f"saw fail pattern {stop_desc} "
                                  f"({bad.group(0)!r}) while waiting for {want}")
                        break
                else:
                    bad = None
                if bad:
                    break
                now = time.monotonic()
                if not self._serial_open:
                    if self._budget_expired:
                        reason = (f"run budget of {self.budget:.0f} s used up (emulator "
                                  f"killed) before {want} appeared")
                        break
                    if self._exited:
                        reason = (f"{self.backend} exited with status {self.returncode} "
                                  f"before {want} appeared")
                        break
                    # EOF usually comes just before the exit status: give
                    # the reader a moment so the message can say which.
                    if closed_grace is None:
                        closed_grace = now + 2.0
                    if now >= closed_grace:
                        reason = (f"{self.backend} closed the serial line before "
                                  f"{want} appeared")
                        break
                if now >= deadline:
                    if budget_hit:
                        reason = (f"run budget of {self.budget:.0f} s used up while waiting "
                                  f"for {want}")
                    else:
                        reason = f"timed out after {timeout:.1f} s waiting for {want}"
                    break
                wake = deadline if closed_grace is None else min(deadline, closed_grace)
                self._cond.wait(wake - now)
        ended = self._exited
        if budget_hit or self._budget_expired:
            self.kill()
        raise AssertionError(self._failure(reason, emu_tail=ended))

    def expect_absent(self, pattern: Pattern) -> None:
        """Fail if `pattern` occurs anywhere in the output so far."""
        rx, what = _compile(pattern)
        m = rx.search(self.output)
        if m:
            raise AssertionError(self._failure(
                f"unexpected {what} in serial output: {m.group(0)!r}"))

    def send(self, line: str, end: str = "\r", paced: bool = False,
             timeout: float = 10.0) -> None:
        """Type `line` followed by `end` (Enter is '\\r', as a terminal sends it).

        The whole line goes out at once: both emulators hold bytes back until
        the guest UART has room, so nothing is lost to the 16-byte FIFO. With
        paced=True each printable character waits for its echo first (for a
        console that drops input while busy); the echo then also moves the
        wait_for() cursor past it.
        """
        if not self.can_type:
            raise AssertionError(f"{self.backend}: this machine cannot take serial input")
        if not self.alive:
            raise AssertionError(self._failure(
                f"cannot send {line!r}: {self.backend} has exited", emu_tail=True))
        if not paced:
            self._write((line + end).encode())
            return
        for ch in line:
            self._write(ch.encode())
            if ch.isprintable() and not ch.isspace():
                self.wait_for(ch, timeout)
        self._write(end.encode())

    def _write(self, data: bytes) -> None:
        with self._send_lock:
            try:
                if self._sock is not None:
                    self._sock.sendall(data)
                else:
                    self._wfile.write(data)
                    self._wfile.flush()
            except OSError as e:
                raise AssertionError(self._failure(
                    f"serial write failed ({e}); {self.backend} probably exited",
                    emu_tail=True)) from None

    def wait_exit(self, timeout: float) -> int:
        """Wait for the emulator to exit by itself; return its status.

        QEMU exits 0 on ACPI/UEFI power-off (with -no-reboot also on reset or
        triple fault). Bochs exits only with 0 or 1 (power-off gives 1), so
        check serial markers for what happened.
        """
        if self.proc is None:
            raise RuntimeError("machine not started")
        timeout = timeout * self.factor
        deadline = time.monotonic() + timeout
        budget_hit = deadline > self._deadline
        deadline = min(deadline, self._deadline)
        with self._cond:
            while not self._exited:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._exited and not self._budget_expired:
                return self.returncode
        self.kill()
        if budget_hit or self._budget_expired:
            raise AssertionError(self._failure(
                f"run budget of {self.budget:.0f} s used up (emulator killed) "
                "while waiting for it to exit"))
        raise AssertionError(self._failure(
            f"{self.backend} still running {timeout:.1f} s later (killed)"))

    def kill(self) -> None:
        """Kill the emulator's process group (idempotent) and reap it."""
        if self.proc is None:
            return
        self._killpg()
        self.proc.wait()
        with _live_lock:
            _live.discard(self)
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(10)
        self._remove_locks()

    def _killpg(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """Kill, collect the emulator's logs, release everything (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.kill()
        if self._sock is not None:
            self._sock.close()
        for f in (self.proc.stdin if self.proc else None,
                  self.proc.stdout if self.proc else None):
            if f is not None:
                f.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
        if self._logf is not None:
            self._logf.close()
        if self._emu_out is not None:
            self._emu_out.close()
            self._collect_emu_log()
        if self.tmpdir is not None and not self.keep_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        self._remove_locks()

    def _collect_emu_log(self) -> None:
        """emu.log = emulator stdout/stderr, then bochs.log if any."""
        if self.emu_log_path is None or self.tmpdir is None:
            return
        parts = [self.tmpdir / "emu-output.txt", self.tmpdir / "bochs.log"]
        with open(self.emu_log_path, "wb") as out:
            for p in parts:
                if p.exists():
                    if p.name != "emu-output.txt":
                        out.write(f"\n# ---- {p.name} ----\n".encode())
                    with open(p, "rb") as f:
                        shutil.copyfileobj(f, out)

    def _emu_tail(self, lines: int = 15) -> str:
        if self.tmpdir is None:
            return ""
        out = []
        for p in (self.tmpdir / "emu-output.txt", self.tmpdir / "bochs.log"):
            try:
                text = p.read_text(errors="replace")
            except OSError:
                continue
            out.append(f"  {p.name}:\n{_tail(text, lines)}")
        return "\n".join(out)

    def _failure(self, reason: str, emu_tail: bool = False) -> str:
        """The AssertionError text: reason, log paths, serial tail and, when
        the emulator itself is the story (exit, no connect), its log tail."""
        what = (self.backend if self.backend == "subprocess"
                else f"{self.backend}, {self.cpus} cpu")
        msg = [f"{self.name} [{what}] {reason} "
               f"(t={self.elapsed:.1f} s)",
               f"  serial log: {self.log_path}",
               f"  emulator log: {self.emu_log_path}",
               "  serial tail:", _tail(self.output)]
        if emu_tail:
            msg.append(self._emu_tail())
        return "\n".join(msg)
