#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""`make bench`: TCP throughput of longbus's own network, against Linux (issue 4).

For each NIC model QEMU offers longbus (e1000, e1000e, virtio-net), in one
session, each transfer RUNS times (median reported), SECONDS long:

  host -> longbus   host `iperf -c` (Debian iperf 2) through QEMU -netdev user
                    hostfwd to longbus's lwiperf (`[net] iperf = on`).
  longbus <-> longbus  two longbus QEMUs on a -netdev dgram link; A's shell
                    command `iperf <ip> <seconds>` sends to B's lwiperf.
  host -> Linux, Linux <-> Linux  the same two transfers with Debian's
                    kernel and iperf in a busybox initramfs
                    (tools/bench-linux-initramfs.sh) on plain QEMU, same
                    NIC model, same machine type and CPU model.

Every figure is the receiver's count (net/iperf_server.c's per-session log line on
longbus, `iperf -s` on Linux): bytes received over the connection's time.
Each longbus figure is also given as a ratio to the Linux one. The service
loop's CPU share comes from `status` before and after every longbus
transfer (the change of the work's busy time over the change of uptime),
and the cumulative "service: cpuN, X.Y% busy" of the last `status`.

Everything is pure TCG (no KVM here), -smp 1 per machine (the host has two
cores; two machines run at once on the dgram link), and stays on host
loopback. Every emulator run has a budget; every wait has a timeout.
Results: printed, and written to build/bench/results.md and .json; logs of
every machine in build/bench/logs/. docs/benchmarks.md records a run.

    tools/bench.py [--runs 3] [--seconds 10] [--nic e1000 ...] [--only longbus|linux]
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "integration"), str(REPO / "tools")]
import emu  # noqa: E402
import mkesp  # noqa: E402

OUT = REPO / "build" / "bench"
LOGS = OUT / "logs"
LINUX = OUT / "linux"
EFI = REPO / "build" / "longbus.efi"

# NIC model: (QEMU device, the Linux driver that must bind it).
NICS = {"e1000": ("e1000", "e1000"), "e1000e": ("e1000e", "e1000e"),
        "virtio-net": ("virtio-net-pci", "virtio_net")}

# The machine both guests get (emu.Machine uses the same for longbus).
MACHINE = ["-machine", "q35", "-cpu", "EPYC,+svm,+npt", "-smp", "1", "-m", "1024"]

SLIRP_GUEST = "10.0.2.15"
SLIRP_GW = "10.0.2.2"
IP_A, IP_B = "10.0.0.1", "10.0.0.2"
IPERF_PORT = 5001

READY = "longbus ready"
PROMPT = "longbus> "
FATAL = re.compile(r"FATAL:|ERROR:")
# net/iperf_server.c: "iperf: 10.0.2.2:57792 sent 177733692 bytes in 2.02 s = 703.3 Mbit/s"
LB_SERVER = re.compile(r"iperf: ([\d.]+):\d+ sent (\d+) bytes in (\d+\.\d\d) s = [\d.]+ Mbit/s\n")
LB_CLIENT = re.compile(r"iperf [\d.]+:\d+: ([^:\n]+): (\d+) bytes acked in (\d+) ms")
LB_STATUS = re.compile(r"uptime: (\d+)\.(\d+) s\nservice: cpu\d+, (\d+\.\d)% busy\n"
                       r"((?:  \S+ +runs \d+, busy \d+ us\n)+)")
LX_SERVER = re.compile(r"\[ *\d+\] +[\d.]+ *- *([\d.]+) sec +([\d.]+) KBytes +([\d.]+) Kbits/sec")
LX_PROMPT = "bench# "
HOST_CLIENT = re.compile(r"sec +[\d.]+ KBytes +([\d.]+) Kbits/sec")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_net(dev, host_port, mac="52:54:00:12:34:56"):
    return ["-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{host_port}-{SLIRP_GUEST}:{IPERF_PORT}",
            "-device", f"{dev},netdev=n0,mac={mac}"]


def dgram_pair(dev):
    """QEMU args for the two ends of one point-to-point link over UDP on loopback."""
    pa, pb = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)

    def end(local, remote, mac):
        return ["-netdev", f"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={local},"
                           f"remote.type=inet,remote.host=127.0.0.1,remote.port={remote}",
                "-device", f"{dev},netdev=n0,mac={mac}"]
    return end(pa, pb, "52:54:00:00:00:01"), end(pb, pa, "52:54:00:00:00:02")


class Bench:
    def __init__(self, args):
        self.args = args
        self.secs = args.seconds
        self.tmp = Path(tempfile.mkdtemp(prefix="longbus-bench-"))
        self.machines = []
        # results[nic][scenario] = {"mbps": [...], "share": {...}, "notes": [...]}
        self.results = {}
        # One machine's budget: boot, every run with a generous margin, status calls.
        self.budget = 120 + args.runs * (self.secs + 60)

    # ---- machines ------------------------------------------------------------

    def longbus(self, name, cfg, net_args):
        esp = mkesp.build_esp(self.tmp / f"{name}.img", EFI, {"longbus.cfg": cfg})
        m = emu.Machine("svm-qemu", esp, cpus=1, name=name, log_dir=LOGS, extra_args=net_args,
                        fail_on=[FATAL], budget=self.budget)
        self.machines.append(m)
        m.start()
        return m

    def longbus_ready(self, m):
        m.wait_for(READY, m.boot_timeout)
        m.wait_for(PROMPT, 30)

    def linux(self, name, ip, net_args):
        argv = ["qemu-system-x86_64", *MACHINE, "-display", "none", "-no-reboot", "-net", "none",
                "-kernel", str(LINUX / "vmlinuz"), "-initrd", str(LINUX / "initrd.gz"),
                "-append", f"console=ttyS0 quiet panic=-1 bench.ip={ip}",
                "-chardev", "socket,id=ser0,host=127.0.0.1,port={serial_port},nodelay=on",
                "-serial", "chardev:ser0", *net_args]
        m = emu.Machine("subprocess", argv=argv, name=name, log_dir=LOGS,
                        fail_on=[re.compile(r"Kernel panic")], budget=self.budget)
        self.machines.append(m)
        m.start()
        return m

    def linux_ready(self, m, drv):
        eth = m.wait_for(re.compile(r"bench: eth0 (\S+) (\S+) (\S+) (\S+)\n"), 120)
        if eth.group(1) != drv or eth.group(4) != "up":
            raise RuntimeError(f"{m.name}: eth0 driver {eth.group(1)} (want {drv}), "
                               f"link {eth.group(4)}")
        m.wait_for(LX_PROMPT, 30)

    def close_all(self):
        for m in self.machines:
            m.close()
        self.machines = []

    # ---- shell helpers -----------------------------------------------------------

    _mark = 0

    def sh(self, m, cmd, timeout=30):
        """Runs cmd in the Linux guest's shell and waits until it has finished."""
        Bench._mark += 1
        n = 1000 + Bench._mark
        m.send(f"{cmd}; echo @@$((0+{n}))")  # the echo of the line itself does not match
        m.wait_for(f"@@{n}\n", timeout)
        m.wait_for(LX_PROMPT, 10)

    def status(self, m):
        """(uptime s, busy s of all service work, printed busy %) from `status`."""
        m.send("status")
        s = m.wait_for(LB_STATUS, 30)
        m.wait_for(PROMPT, 30)
        busy_us = sum(int(x) for x in re.findall(r"busy (\d+) us", s.group(4)))
        return (int(s.group(1)) + int(s.group(2)) / 1000, busy_us / 1e6, float(s.group(3)))

    def net_counters(self, nic, scen, m, who):
        """Keeps `net`'s rx/tx lines after the runs (ring full, no buffer...) in the results."""
        m.send("net")
        c = m.wait_for(re.compile(r"\n(rx: .*)\n(tx: .*)\n"), 30)
        m.wait_for(PROMPT, 30)
        self.entry(nic, scen).setdefault("net", {})[who] = [c.group(1), c.group(2)]

    @staticmethod
    def share(before, after):
        dt = after[0] - before[0]
        return 100.0 * (after[1] - before[1]) / dt if dt > 0 else float("nan")

    def host_iperf(self, port):
        out = subprocess.run(["iperf", "-c", "127.0.0.1", "-p", str(port), "-t", str(self.secs),
                              "-f", "k"], capture_output=True, text=True,
                             timeout=self.secs + 60)
        m = HOST_CLIENT.search(out.stdout)
        if out.returncode != 0 or not m:
            raise RuntimeError(f"host iperf failed: {out.stdout}{out.stderr}")
        return float(m.group(1)) / 1000

    def entry(self, nic, scen):
        return self.results.setdefault(nic, {}).setdefault(
            scen, {"mbps": [], "sender_mbps": [], "share": {}, "printed": {}, "notes": []})

    def record(self, nic, scen, **kw):
        r = self.entry(nic, scen)
        for k, v in kw.items():
            if k in ("mbps", "sender_mbps"):
                r[k].append(v)
            elif k == "note":
                r["notes"].append(v)
                log(f"  note: {v}")
            elif k == "share":  # (who, % during this run)
                r[k].setdefault(v[0], []).append(v[1])
            else:  # printed: (who, the last `status` figure)
                r[k][v[0]] = v[1]

    def runs(self, nic, scen, one_run):
        """Runs one_run(i) RUNS times; a failed run is noted and the rest go on."""
        for i in range(self.args.runs):
            try:
                one_run(i)
            except (AssertionError, RuntimeError, subprocess.TimeoutExpired) as e:
                self.record(nic, scen, note=f"run {i + 1} failed: {str(e).splitlines()[0]}")
                if not all(m.alive for m in self.machines):
                    return

    # ---- the four transfers -------------------------------------------------------

    def host_to_longbus(self, nic, dev, drv):
        scen = "host->longbus"
        port = free_port()
        cfg = f"[net]\nip = {SLIRP_GUEST}/24\ngateway = {SLIRP_GW}\niperf = on\n"
        m = self.longbus(f"{nic}-host-longbus", cfg, user_net(dev, port))
        self.longbus_ready(m)

        def one(i):
            s0 = self.status(m)
            sender = self.host_iperf(port)
            r = m.wait_for(LB_SERVER, self.secs + 30)
            s1 = self.status(m)
            mbps = int(r.group(2)) * 8 / float(r.group(3)) / 1e6
            self.record(nic, scen, mbps=mbps, sender_mbps=sender,
                        share=("receiver", self.share(s0, s1)), printed=("receiver", s1[2]))
            log(f"  {scen} {nic} run {i + 1}: {mbps:.1f} Mbit/s "
                f"(host sent {sender:.1f}), service {self.share(s0, s1):.1f}% busy")
        self.runs(nic, scen, one)
        self.net_counters(nic, scen, m, "receiver")
        self.close_all()

    def longbus_to_longbus(self, nic, dev, drv):
        scen = "longbus<->longbus"
        na, nb = dgram_pair(dev)
        a = self.longbus(f"{nic}-lb-a", f"[net]\nip = {IP_A}/24\n", na)
        b = self.longbus(f"{nic}-lb-b", f"[net]\nip = {IP_B}/24\niperf = on\n", nb)
        for m in (a, b):
            self.longbus_ready(m)
        a.send(f"ping {IP_B} 1")
        a.wait_for(f"ping {IP_B}: 1 sent, 1 received", 30)

        def one(i):
            sa0, sb0 = self.status(a), self.status(b)
            a.send(f"iperf {IP_B} {self.secs}")
            r = b.wait_for(LB_SERVER, self.secs + 40)
            c = a.wait_for(LB_CLIENT, self.secs + 40)
            sa1, sb1 = self.status(a), self.status(b)
            if c.group(1) != "done":
                raise RuntimeError(f"server: {r.group(0).strip()}; client: {c.group(0)}")
            mbps = int(r.group(2)) * 8 / float(r.group(3)) / 1e6
            sender = int(c.group(2)) * 8 / int(c.group(3)) / 1000
            self.record(nic, scen, mbps=mbps, sender_mbps=sender,
                        share=("sender", self.share(sa0, sa1)), printed=("sender", sa1[2]))
            self.record(nic, scen, share=("receiver", self.share(sb0, sb1)),
                        printed=("receiver", sb1[2]))
            log(f"  {scen} {nic} run {i + 1}: {mbps:.1f} Mbit/s (sender acked {sender:.1f}), "
                f"service sender {self.share(sa0, sa1):.1f}% / receiver "
                f"{self.share(sb0, sb1):.1f}% busy")
        self.runs(nic, scen, one)
        self.net_counters(nic, scen, a, "sender")
        self.net_counters(nic, scen, b, "receiver")
        net = self.entry(nic, scen)["net"]
        self.link_loss(nic, scen, int(re.search(r"packets (\d+)", net["sender"][1]).group(1)),
                       int(re.search(r"packets (\d+)", net["receiver"][0]).group(1)))
        self.close_all()

    def host_to_linux(self, nic, dev, drv):
        scen = "host->linux"
        port = free_port()
        m = self.linux(f"{nic}-host-linux", f"{SLIRP_GUEST}/24", user_net(dev, port))
        self.linux_ready(m, drv)
        m.send("iperf -s -f k &")
        m.wait_for("Server listening on TCP port", 30)

        def one(i):
            sender = self.host_iperf(port)
            r = m.wait_for(LX_SERVER, self.secs + 30)
            mbps = float(r.group(3)) / 1000
            self.record(nic, scen, mbps=mbps, sender_mbps=sender)
            log(f"  {scen} {nic} run {i + 1}: {mbps:.1f} Mbit/s (host sent {sender:.1f})")
        self.runs(nic, scen, one)
        self.close_all()

    def linux_to_linux(self, nic, dev, drv):
        scen = "linux<->linux"
        na, nb = dgram_pair(dev)
        a = self.linux(f"{nic}-lx-a", f"{IP_A}/24", na)
        b = self.linux(f"{nic}-lx-b", f"{IP_B}/24", nb)
        for m in (a, b):
            self.linux_ready(m, drv)
        b.send("iperf -s -f k &")
        b.wait_for("Server listening on TCP port", 30)
        self.sh(a, f"ping -c 1 -W 10 {IP_B}", 30)
        retrans0 = self.lx_counter(a, "tcp-retrans")

        def one(i):
            self.sh(a, f"iperf -c {IP_B} -t {self.secs} -f k", self.secs + 60)
            r = b.wait_for(LX_SERVER, 30)
            mbps = float(r.group(3)) / 1000
            self.record(nic, scen, mbps=mbps)
            log(f"  {scen} {nic} run {i + 1}: {mbps:.1f} Mbit/s")
        self.runs(nic, scen, one)
        # Linux's frame counts are of TSO super-frames: count retransmissions instead.
        self.entry(nic, scen)["link"] = {"retransmitted": self.lx_counter(a, "tcp-retrans") -
                                         retrans0}
        log(f"  {scen} {nic}: A retransmitted {self.entry(nic, scen)['link']['retransmitted']} "
            "TCP segments")
        self.close_all()

    def lx_counter(self, m, command):
        """The number `command` prints in the Linux guest."""
        m.send(f"echo value=$({command})")  # the echoed line has no digits after '='
        v = int(m.wait_for(re.compile(r"value=(\d+)\n"), 30).group(1))
        m.wait_for(LX_PROMPT, 10)
        return v

    def link_loss(self, nic, scen, sent, received):
        """Frames A sent that B never got: lost on the dgram link (host UDP buffers)."""
        self.entry(nic, scen)["link"] = {"sent": sent, "received": received}
        log(f"  {scen} {nic}: A sent {sent} frames, B received {received} "
            f"({sent - received} lost on the link)")

    # ---- report --------------------------------------------------------------------

    def median(self, nic, scen, key="mbps"):
        v = self.results.get(nic, {}).get(scen, {}).get(key, [])
        return statistics.median(v) if v else None

    def report(self, started, elapsed):
        def f(x, fmt="{:.1f}"):
            return fmt.format(x) if x is not None else "n/a"

        qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
        cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                    if ln.startswith("model name")), platform.processor())
        kver = (LINUX / "kernel-version").read_text().strip() \
            if (LINUX / "kernel-version").exists() else "n/a"
        iperf = subprocess.run(["iperf", "-v"], capture_output=True, text=True)
        mem = next((int(ln.split()[1]) >> 20 for ln in open("/proc/meminfo")
                    if ln.startswith("MemTotal:")), 0)
        lines = [
            f"date: {started:%Y-%m-%d %H:%M} UTC; {self.args.runs} runs of {self.secs} s "
            f"per transfer, median; total {elapsed / 60:.1f} min",
            f"machine: {cpu}, {os.cpu_count()} cores, {mem} GiB; {platform.system()} "
            f"{platform.release()}; {qemu}, TCG; "
            f"Linux guest {kver}; {(iperf.stdout + iperf.stderr).strip()}",
            "",
            "| NIC | transfer | longbus Mbit/s | Linux Mbit/s | longbus / Linux | "
            "service loop busy (during transfer) | runs (longbus; Linux) |",
            "|---|---|---:|---:|---:|---|---|",
        ]
        for nic in self.results:
            for lb, lx, label in (("host->longbus", "host->linux", "host → guest"),
                                  ("longbus<->longbus", "linux<->linux", "guest ↔ guest")):
                a, b = self.median(nic, lb), self.median(nic, lx)
                r = self.results[nic].get(lb, {})
                shares = "; ".join(
                    f"{who} {statistics.median(v):.1f}% (status: {r['printed'][who]:.1f}%)"
                    for who, v in r.get("share", {}).items() if v)
                runs = (", ".join(f"{x:.1f}" for x in r.get("mbps", [])) + "; " +
                        ", ".join(f"{x:.1f}" for x in
                                  self.results[nic].get(lx, {}).get("mbps", [])))
                ratio = f"{a / b:.2f}" if a and b else "n/a"
                lines.append(f"| {nic} | {label} | {f(a)} | {f(b)} | {ratio} | "
                             f"{shares or 'n/a'} | {runs} |")
        lines += ["", "| NIC | guest ↔ guest, all runs: longbus frames A sent / B received "
                  "(lost) | Linux: TCP segments A retransmitted |", "|---|---|---|"]
        for nic in self.results:
            k = self.results[nic].get("longbus<->longbus", {}).get("link")
            x = self.results[nic].get("linux<->linux", {}).get("link")
            lines.append(f"| {nic} | "
                         + (f"{k['sent']} / {k['received']} ({k['sent'] - k['received']})"
                            if k else "n/a") + " | "
                         + (str(x["retransmitted"]) if x else "n/a") + " |")
        notes = [f"- {nic} {scen}: {n}" for nic in self.results
                 for scen, r in self.results[nic].items() for n in r["notes"]]
        if notes:
            lines += ["", "notes:"] + notes
        text = "\n".join(lines) + "\n"
        print("\n" + text)
        (OUT / "results.md").write_text(text)
        (OUT / "results.json").write_text(json.dumps(
            {"date": started.isoformat(), "runs": self.args.runs, "seconds": self.secs,
             "results": self.results}, indent=1))
        log(f"written {OUT / 'results.md'} and results.json; logs in {LOGS}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="transfers per figure (median)")
    ap.add_argument("--seconds", type=int, default=10, help="length of one transfer")
    ap.add_argument("--nic", action="append", choices=list(NICS), help="NIC model (repeatable)")
    ap.add_argument("--only", choices=["longbus", "linux"], help="skip the other side")
    args = ap.parse_args()
    for tool in ("qemu-system-x86_64", "iperf"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} missing: run `make deps`")
    if not EFI.is_file():
        sys.exit(f"bench: {EFI} missing: run `make`")
    LOGS.mkdir(parents=True, exist_ok=True)
    if args.only != "longbus":
        subprocess.run([str(REPO / "tools" / "bench-linux-initramfs.sh"), str(LINUX)],
                       check=True)

    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.monotonic()
    bench = Bench(args)
    try:
        for nic in args.nic or list(NICS):
            dev, drv = NICS[nic]
            steps = []
            if args.only != "linux":
                steps += [bench.host_to_longbus, bench.longbus_to_longbus]
            if args.only != "longbus":
                steps += [bench.host_to_linux, bench.linux_to_linux]
            for step in steps:
                log(f"{nic}: {step.__name__.replace('_', ' ')}")
                try:
                    step(nic, dev, drv)
                except (AssertionError, RuntimeError, subprocess.SubprocessError) as e:
                    scen = step.__name__
                    bench.record(nic, scen, note=f"failed: {str(e).splitlines()[0]}")
                    print(e, file=sys.stderr)
                finally:
                    bench.close_all()
    finally:
        bench.close_all()
        shutil.rmtree(bench.tmp, ignore_errors=True)
    bench.report(started, time.monotonic() - t0)


if __name__ == "__main__":
    main()
