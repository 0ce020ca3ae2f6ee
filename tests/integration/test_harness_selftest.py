# SPDX-License-Identifier: GPL-2.0-only
"""The harness must fail loudly and quickly. These tests use fake machines
(shell commands through the "subprocess" backend) and a dummy .efi file, so
they need no emulator and no build, and run in a few seconds."""

import os
import re
import selectors
import subprocess
import sys
import time

import pytest

import emu
import mkesp

# A fake machine that speaks over the same loopback TCP transport the
# emulators use: it connects to {serial_port}, prints a banner, then echoes
# every line back as "GOT [line]" until it reads "quit".
SOCKET_ECHO = r"""
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rwb", buffering=0)
f.write(b"BANNER\r\nREADY> ")
buf = b""
while True:
    c = f.read(1)
    if not c:
        break
    if c in b"\r\n":
        f.write(b"\r\nGOT [" + buf + b"]\r\n")
        if buf == b"quit":
            sys.exit(7)
        buf = b""
        f.write(b"READY> ")
    else:
        buf += c
        f.write(c)
"""


def fake(tmp_path, argv, **kw):
    kw.setdefault("name", "fake")
    kw.setdefault("log_dir", tmp_path)
    return emu.Machine("subprocess", argv=argv, **kw)


def sh(script):
    return ["sh", "-c", script]


def test_wait_for_returns_match_and_advances_cursor(tmp_path):
    with fake(tmp_path, sh("echo 'alpha 12'; echo beta; echo 'alpha 34'; sleep 30")) as m:
        first = m.wait_for(re.compile(r"alpha (\d+)"), timeout=10)
        assert first.group(1) == "12"
        m.wait_for("beta", timeout=10)
        second = m.wait_for(re.compile(r"alpha (\d+)"), timeout=10)
        assert second.group(1) == "34"
        assert "alpha 12\nbeta\nalpha 34\n" in m.output


def test_plain_string_is_literal(tmp_path):
    with fake(tmp_path, sh("echo 'cpu[0] up (1.5)'; sleep 30")) as m:
        m.wait_for("cpu[0] up (1.5)", timeout=10)


def test_wait_for_times_out_with_useful_message(tmp_path):
    with fake(tmp_path, sh("echo hello; echo 'second line'; sleep 30")) as m:
        m.wait_for("second line", timeout=10)
        t0 = time.monotonic()
        with pytest.raises(AssertionError) as e:
            m.wait_for("never printed", timeout=0.5)
        assert time.monotonic() - t0 < 5
    msg = str(e.value)
    assert "timed out after 0.5 s waiting for 'never printed'" in msg
    assert "| hello" in msg and "| second line" in msg  # serial tail
    assert str(m.log_path) in msg


def test_order_is_checked(tmp_path):
    """A marker printed before the previous match does not count."""
    with fake(tmp_path, sh("echo first; echo second; sleep 30")) as m:
        m.wait_for("second", timeout=10)
        with pytest.raises(AssertionError, match="timed out"):
            m.wait_for("first", timeout=0.3)


def test_exit_before_marker_is_detected_at_once(tmp_path):
    with fake(tmp_path, sh("echo 'dying now'; exit 3")) as m:
        t0 = time.monotonic()
        with pytest.raises(AssertionError) as e:
            m.wait_for("never printed", timeout=60)
        assert time.monotonic() - t0 < 10, "exit must end the wait, not the timeout"
    assert "exited with status 3 before 'never printed' appeared" in str(e.value)
    assert "dying now" in str(e.value)


def test_output_after_exit_is_still_matched(tmp_path):
    with fake(tmp_path, sh("echo 'last words'; exit 0")) as m:
        m.wait_for("last words", timeout=10)
        assert m.wait_exit(10) == 0


def test_wait_exit_returns_status(tmp_path):
    with fake(tmp_path, sh("exit 5")) as m:
        assert m.wait_exit(10) == 5


def test_wait_exit_times_out_and_kills(tmp_path):
    with fake(tmp_path, sh("sleep 30")) as m:
        with pytest.raises(AssertionError, match="still running"):
            m.wait_exit(0.3)
        assert not m.alive


def test_fail_on_pattern_ends_wait_early(tmp_path):
    with fake(tmp_path, sh("echo 'PANIC: cpu1 lost'; sleep 30"), fail_on=["PANIC"]) as m:
        t0 = time.monotonic()
        with pytest.raises(AssertionError) as e:
            m.wait_for("ready", timeout=60)
        assert time.monotonic() - t0 < 10
    assert "saw fail pattern 'PANIC'" in str(e.value)


def test_awaited_pattern_beats_fail_on(tmp_path):
    with fake(tmp_path, sh("echo 'PANIC: expected'; sleep 30"), fail_on=["PANIC"]) as m:
        m.wait_for("PANIC: expected", timeout=10)


def test_expect_absent(tmp_path):
    with fake(tmp_path, sh("echo 'W+X mapping at 0x1000'; sleep 30")) as m:
        m.wait_for("0x1000", timeout=10)
        m.expect_absent("RWX")
        with pytest.raises(AssertionError, match="unexpected 'W\\+X'"):
            m.expect_absent("W+X")


def test_budget_kills_the_run(tmp_path):
    with fake(tmp_path, sh("echo started; sleep 30"), budget=1.0) as m:
        t0 = time.monotonic()
        with pytest.raises(AssertionError, match="budget of 1 s used up"):
            m.wait_for("never", timeout=60)
        assert time.monotonic() - t0 < 10
        m.kill()
        assert not m.alive


def test_budget_is_enforced_without_a_waiter(tmp_path):
    with fake(tmp_path, sh("sleep 30"), budget=0.5) as m:
        # Nobody calls wait_for: the reader thread must still end the run.
        with pytest.raises(AssertionError, match="budget"):
            m.wait_exit(20)
        assert not m.alive


def test_kill_takes_the_whole_process_group(tmp_path):
    with fake(tmp_path, sh("sleep 60 & echo child=$!; wait")) as m:
        pid = int(m.wait_for(re.compile(r"child=(\d+)"), timeout=10).group(1))
        pidfd = os.pidfd_open(pid)
    try:
        sel = selectors.DefaultSelector()
        sel.register(pidfd, selectors.EVENT_READ)
        assert sel.select(10), f"grandchild {pid} survived Machine.close()"
    finally:
        os.close(pidfd)


def test_emulator_dies_with_a_killed_pytest(tmp_path):
    """A CI timeout that SIGKILLs pytest must not leave emulators behind."""
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(emu.__file__)!r}); import emu\n"
            f"m = emu.Machine('subprocess', argv=['sleep', '60'], log_dir={str(tmp_path)!r})\n"
            "m.start(); print(m.proc.pid, flush=True); sys.stdin.read()\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    pidfd = os.pidfd_open(pid)
    try:
        parent.kill()
        parent.wait()
        sel = selectors.DefaultSelector()
        sel.register(pidfd, selectors.EVENT_READ)
        assert sel.select(10), f"emulator {pid} outlived its killed parent"
    finally:
        os.close(pidfd)
        parent.stdin.close()
        parent.stdout.close()


def test_serial_log_file_is_written(tmp_path):
    with fake(tmp_path, sh(r"printf 'one\r\ntwo\r\n'; sleep 30"), name="logtest") as m:
        m.wait_for("two", timeout=10)
        assert m.log_path == tmp_path / "logtest.log"
        assert m.log_path.read_text() == "one\ntwo\n"  # written as it arrives
    assert (tmp_path / "logtest.emu.log").exists()


def test_send_over_pipe(tmp_path):
    script = 'while read l; do echo "GOT [$l]"; done'
    with fake(tmp_path, sh(script)) as m:
        m.send("hello world", end="\n")
        m.wait_for("GOT [hello world]", timeout=10)


def test_send_over_socket_like_the_emulators(tmp_path):
    argv = [sys.executable, "-c", SOCKET_ECHO, "{serial_port}"]
    with fake(tmp_path, argv) as m:
        m.wait_for("READY> ", timeout=10)
        line = "0123456789abcdef" * 8  # far more than a 16550 FIFO
        m.send(line)
        m.wait_for(f"GOT [{line}]", timeout=10)
        m.send("paced", paced=True)
        m.wait_for("GOT [paced]", timeout=10)
        m.send("quit")
        m.wait_for("GOT [quit]", timeout=10)
        assert m.wait_exit(10) == 7
        with pytest.raises(AssertionError, match="has exited"):
            m.send("too late")


def test_emulator_that_never_connects_fails_fast(tmp_path):
    with pytest.raises(AssertionError) as e:
        with fake(tmp_path, sh("echo 'bad config {serial_port}' >&2; exit 1")):
            pass
    msg = str(e.value)
    assert "exited with status 1 before connecting its serial port" in msg
    assert "bad config" in msg  # emulator's own output is shown


def test_missing_emulator_binary_is_reported(tmp_path):
    with pytest.raises(AssertionError, match="cannot run /nonexistent/qemu"):
        with fake(tmp_path, ["/nonexistent/qemu"]):
            pass


def _mtype(img, path):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(["mtype", "-i", str(img), "::" + path], env=env,
                          check=True, stdout=subprocess.PIPE).stdout


def test_mkesp_layout(tmp_path):
    efi = tmp_path / "app.efi"
    efi.write_bytes(b"MZ fake efi")
    guest = tmp_path / "guest.elf"
    guest.write_bytes(b"\x7fELF")
    img = mkesp.build_esp(tmp_path / "esp.img", efi,
                          {"longbus.cfg": "cpus=2\n", "guest.elf": guest,
                           "sub/blob.bin": b"\x00\x01"})
    assert img.stat().st_size == 64 * 1024 * 1024
    assert _mtype(img, "/EFI/BOOT/BOOTX64.EFI") == b"MZ fake efi"
    assert _mtype(img, "/EFI/BOOT/longbus.cfg") == b"cpus=2\n"
    assert _mtype(img, "/EFI/BOOT/guest.elf") == b"\x7fELF"
    assert _mtype(img, "/EFI/BOOT/sub/blob.bin") == b"\x00\x01"


def test_mkesp_cli(tmp_path):
    efi = tmp_path / "app.efi"
    efi.write_bytes(b"MZ")
    cfg = tmp_path / "my.cfg"
    cfg.write_text("name=x\n")
    tool = mkesp.__file__
    subprocess.run([sys.executable, tool, "--efi", str(efi), "--cfg", str(cfg),
                    "--file", f"{cfg}=copy.txt", "--out", str(tmp_path / "o.img")],
                   check=True)
    assert _mtype(tmp_path / "o.img", "/EFI/BOOT/longbus.cfg") == b"name=x\n"
    assert _mtype(tmp_path / "o.img", "/EFI/BOOT/copy.txt") == b"name=x\n"


def test_mkesp_rejects_bad_input(tmp_path):
    efi = tmp_path / "app.efi"
    efi.write_bytes(b"MZ")
    with pytest.raises(mkesp.EspError, match="no such file"):
        mkesp.build_esp(tmp_path / "x.img", tmp_path / "missing.efi")
    with pytest.raises(mkesp.EspError, match="64 MiB"):
        mkesp.build_esp(tmp_path / "x.img", efi, size_mb=32)
    with pytest.raises(mkesp.EspError, match="bad ESP file name"):
        mkesp.build_esp(tmp_path / "x.img", efi, {"../evil": "x"})
    assert not (tmp_path / "x.img").exists()
