# SPDX-License-Identifier: GPL-2.0-only
"""longbus's own network (issue 4): NIC drivers, lwIP, [net], `net`, `ping`.

- Per NIC model (e1000 82540EM, e1000e 82574 = q35's default, virtio-net),
  on QEMU `-netdev user` (slirp) with hostfwd from host loopback: a static
  address, ping and a 4 MiB echo with checksum; DHCP and a host `iperf -c`
  against longbus's iperf 2 server. slirp's network is 10.0.2.0/24: the
  gateway (the host as seen from the guest) is 10.0.2.2, its DHCP server
  hands out 10.0.2.15; slirp keeps the host client's source port.
- The iperf server under abuse (e1000e): clients reset mid-stream, one
  client too many, and a header asking for a connection back; lwIP's pools
  stay consistent and a normal run still completes.
- [net] absent, and a `nic` BDF that is not there: no network, no crash.
- Two longbus instances on a QEMU dgram link: ping, 64 MiB over TCP with
  matching CRC-32s on both sides.
- Bochs (the VT-x emulator) with its e1000 and slirp reaching a TCP echo
  server on host loopback.
- Hostile frames (bad IP/UDP/TCP checksums and lengths) from a raw sender
  on a dgram link move exactly their lwIP drop counters.
All traffic stays inside the emulators and host loopback.

Host ports for hostfwd are picked free by the kernel just before QEMU
starts. Timeouts: boot waits use m.boot_timeout (QEMU reaches the app in
~4 s); DHCP binds ~1 s after boot (lwIP's ARP check of the offered address
takes 0.5-1 s); shell round trips take well under a second; the 2 s iperf
run and the 4 MiB echo take ~3 s each on TCG. Each timeout is several times
that. Nothing here sleeps.
"""
import hashlib
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

READY = "longbus ready"
PROMPT = "longbus> "
FATAL = re.compile(r"FATAL:|ERROR:")

# QEMU device name -> the netdev name longbus reports for it.
NICS = {
    "e1000": "e1000",
    "e1000e": "e1000e",
    "virtio-net-pci": "virtio-net",
}

STATIC_IP = "10.0.2.20"  # in slirp's subnet; its DHCP server would hand out .15 first
GATEWAY = "10.0.2.2"
DHCP_IP = "10.0.2.15"
ECHO_PORT = 7
IPERF_PORT = 5001
ECHO_BYTES = 4 << 20
IPERF_SESSIONS = 4  # NET_IPERF_MAX_SESSIONS
# The server's line at the end of a session (net/iperf_server.c).
IPERF_SENT = re.compile(r"iperf: 10\.0\.2\.2:(\d+) sent (\d+) bytes in (\d+\.\d\d) s = "
                        r"(\d+\.\d) Mbit/s\n")
IPERF_RESET = re.compile(r"iperf: 10\.0\.2\.2:(\d+) reset by peer after (\d+) bytes "
                         r"\(\d+\.\d\d s\)\n")

pytestmark = pytest.mark.backends("svm-qemu")


def free_port():
    """A loopback TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_net(nic, forwards, guest=""):
    """QEMU args: slirp with host 127.0.0.1:host_port -> guest:guest_port."""
    fwd = "".join(f",hostfwd=tcp:127.0.0.1:{hp}-{guest}:{gp}" for hp, gp in forwards)
    return ["-netdev", f"user,id=n0{fwd}", "-device", f"{nic},netdev=n0"]


def run(m, command, expect, timeout=10):
    """Type a shell command, wait for `expect`, then for the next prompt."""
    m.send(command)
    match = m.wait_for(expect, m.scale(timeout))
    m.wait_for(PROMPT, m.scale(timeout))
    return match


def booted(boot, cfg, nic, **kw):
    """Boots and waits for the NIC to be taken (init logs it before READY)."""
    m = boot(cfg, cpus=2, fail_on=[FATAL], **kw)
    m.wait_for(re.compile(rf"nic: [0-9a-f:.]+: \S+ [0-9a-f]{{4}}:[0-9a-f]{{4}} taken by the "
                          rf"hypervisor\n.*net: {NICS[nic]} 52:54:00:12:34:56"), m.boot_timeout)
    return m


def net_counters(m):
    """Runs `net` and returns its counters as {name: value}."""
    match = run(m, "net", re.compile(r"\nrx: (.*)\ntx: (.*)\ndrops: (.*)\nlwip: (.*)\n"))
    counters = {}
    for section, text in zip(("rx", "tx", "drops", "lwip"), match.groups()):
        for name, value in re.findall(r"([a-z][a-z ]*?) (\d+)", text):
            counters[f"{section} {name.strip()}"] = int(value)
    return counters


def host_iperf(port, seconds=2):
    """Runs Debian's iperf 2 client against longbus through hostfwd.

    Returns (the client's local port, the bytes it reports sent). slirp
    keeps that port, so longbus's log line names it. iperf exits 0 even
    when it cannot connect: the report line is what proves a transfer.
    """
    iperf = shutil.which("iperf")
    if not iperf:
        pytest.fail("iperf (Debian package iperf) is missing: run `make deps`", pytrace=False)
    out = subprocess.run([iperf, "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds),
                          "-f", "k"], capture_output=True, text=True, timeout=60 + seconds)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    local = re.search(r"local 127\.0\.0\.1 port (\d+) connected with", out.stdout)
    transfer = re.search(r"sec\s+(\d+) KBytes\s+(\d+) Kbits/sec", out.stdout)
    assert local and transfer, text
    return int(local.group(1)), int(transfer.group(1)) << 10


def check_iperf_line(line, client_port, client_bytes):
    """longbus's line for one host iperf run: its port, and the bytes the client sent."""
    port, got, secs, mbits = line.groups()
    assert int(port) == client_port, line.group(0)
    # The server counts every byte; the client prints its count in whole KBytes.
    assert abs(int(got) - client_bytes) <= 1024, (line.group(0), client_bytes)
    assert int(got) > 1 << 20  # more than a handshake got through
    assert float(secs) > 0 and float(mbits) > 0, line.group(0)


def echo_roundtrip(port, data, timeout=60):
    """Sends data to the echo server and returns what came back until EOF."""
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        def send():
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        sender.join(timeout)
    return bytes(received)


@pytest.mark.parametrize("nic", NICS)
def test_net_static_address_ping_and_echo_checksum(boot, nic):
    echo_port = free_port()
    cfg = (f"[net]\nnic = auto\nip = {STATIC_IP}/24\ngateway = {GATEWAY}\n"
           "echo = on\n")
    m = booted(boot, cfg, nic, extra_args=user_net(nic, [(echo_port, ECHO_PORT)], STATIC_IP))
    m.wait_for(f"net: address {STATIC_IP}/24 gateway {GATEWAY} (static)", m.scale(5))
    m.wait_for(f"echo server listening on tcp port {ECHO_PORT}", m.scale(5))
    m.wait_for(READY, m.scale(5))
    m.wait_for(PROMPT, m.scale(10))

    run(m, "net", re.compile(
        rf"nic: {NICS[nic]} at [0-9a-f]{{2}}:[0-9a-f]{{2}}\.\d, "
        rf"mac 52:54:00:12:34:56, link up\nip: {STATIC_IP}/24 gateway {GATEWAY} \(static\)"))

    m.send(f"ping {GATEWAY} 2")
    m.wait_for(re.compile(rf"bytes from {GATEWAY}: seq=1 time=\d+\.\d{{3}} ms"), m.scale(5))
    m.wait_for(re.compile(rf"ping {GATEWAY}: 2 sent, 2 received, rtt min/avg/max "
                          r"[\d.]+/[\d.]+/[\d.]+ ms"), m.scale(10))

    data = os.urandom(ECHO_BYTES)
    back = echo_roundtrip(echo_port, data)
    assert len(back) == len(data)
    assert hashlib.sha256(back).hexdigest() == hashlib.sha256(data).hexdigest()

    c = net_counters(m)
    # Every echoed byte crossed the NIC both ways.
    assert c["rx bytes"] > ECHO_BYTES and c["tx bytes"] > ECHO_BYTES
    for name in ("ip checksum", "ip length", "tcp checksum", "tcp length",
                 "udp checksum", "udp length"):
        assert c[f"drops {name}"] == 0, name
    assert c["rx errors"] == 0 and c["rx bad length"] == 0


@pytest.mark.parametrize("nic", NICS)
def test_net_dhcp_address_and_host_iperf(boot, nic):
    iperf_port = free_port()
    cfg = "[net]\nip = dhcp\niperf = on\n"
    m = booted(boot, cfg, nic, extra_args=user_net(nic, [(iperf_port, IPERF_PORT)]))
    m.wait_for(f"iperf (iperf 2) server listening on tcp port {IPERF_PORT}", m.scale(5))
    m.wait_for(READY, m.scale(5))
    # The prompt came before: DHCP binds after the shell is up.
    m.wait_for(f"net: address {DHCP_IP}/24 gateway {GATEWAY} (dhcp)", m.scale(15))
    run(m, "net", f"ip: {DHCP_IP}/24 gateway {GATEWAY} (dhcp)\n")

    client_port, client_bytes = host_iperf(iperf_port)
    check_iperf_line(m.wait_for(IPERF_SENT, m.scale(20)), client_port, client_bytes)


# iperf 2's client header: flags, threads, port, buffer length, window, amount.
IPERF_HEADER = struct.Struct(">6I")
IPERF_TEST_BACK = 0x80000001  # iperf -d: "connect back to me at the header's port, now"


def iperf_header(flags=0, port=IPERF_PORT, seconds=10):
    """A negative amount is a duration, in 10 ms units."""
    return IPERF_HEADER.pack(flags, 1, port, 0, 0, (-seconds * 100) & 0xffffffff)


def iperf_state(m):
    """Runs `net`; returns (pools, server counters, sessions).

    pools: {name: (used, size, max, err)} from lwIP's memp stats;
    counters: {"sessions", "done", "reset", "refused"};
    sessions: {client port: bytes received so far}.
    """
    m.send("net")
    r = m.wait_for(re.compile(
        r"\nmemp: (.*)\nheap: .*\n"
        rf"iperf: port {IPERF_PORT}, sessions (\d+)/{IPERF_SESSIONS}, done (\d+), reset (\d+), "
        r"refused (\d+)\n((?:  10\.0\.2\.2:\d+: \d+ bytes in \d+\.\d\d s\n)*)(?=[^ ])"),
        m.scale(10))
    m.wait_for(PROMPT, m.scale(10))
    pools = {name: tuple(int(v) for v in values) for name, *values in re.findall(
        r"([a-z][a-z ]*?) (\d+)/(\d+) \(max (\d+), err (\d+)\)", r.group(1))}
    counters = dict(zip(("sessions", "done", "reset", "refused"),
                        (int(v) for v in r.group(2, 3, 4, 5))))
    sessions = {int(p): int(b) for p, b in
                re.findall(r"  10\.0\.2\.2:(\d+): (\d+) bytes in", r.group(6))}
    return pools, counters, sessions


def wait_iperf_state(m, timeout, done):
    """Runs `net` until done(pools, counters, sessions); returns those.

    Each round is one shell command and its output: no sleeping. The
    deadline bounds the number of rounds.
    """
    deadline = time.monotonic() + timeout
    while True:
        state = iperf_state(m)
        if done(*state):
            return state
        assert time.monotonic() < deadline, f"`net` still shows {state}"


def assert_pools_sane(pools):
    """No pool over its size (a double free wraps `used` below zero), no failed allocation."""
    assert {"tcp pcb", "tcp listen", "tcp seg", "pbuf pool"} <= pools.keys(), pools
    for name, (used, size, peak, err) in pools.items():
        assert used <= size and peak <= size and err == 0, (name, pools[name])


def test_net_iperf_server_survives_resets_extra_clients_and_test_back_requests(boot):
    """longbus's iperf 2 server under abuse from the host, through slirp (e1000e).

    lwIP's own lwiperf server, which this one replaced, could be made to free
    a pcb twice from outside: step 3 below did it (lwIP's TCP_PCB pool then
    showed 4294967295 in use). In order:
    1. a normal host `iperf -c`: longbus logs the session's line;
    2. four clients send a header and 64 KiB, and a fifth, over the session
       limit, is refused; the four then reset (SO_LINGER 0) in the middle of
       their 10 s test. They reset once `net` shows all their bytes taken:
       slirp passes a host's reset on as a RST only when nothing is left to
       read from its socket (otherwise the guest sees a FIN);
    3. a header asking for a test back (iperf -d) to a host port where
       nothing listens;
    then longbus still answers a ping from its shell, lwIP's pools have
    neither leaked nor been freed twice, and a second host iperf completes.
    Timeouts: each step takes well under a second on TCG, the iperf runs 2 s.
    """
    iperf_port = free_port()
    cfg = f"[net]\nip = {STATIC_IP}/24\ngateway = {GATEWAY}\niperf = on\n"
    m = booted(boot, cfg, "e1000e",
               extra_args=user_net("e1000e", [(iperf_port, IPERF_PORT)], STATIC_IP))
    m.wait_for(f"iperf (iperf 2) server listening on tcp port {IPERF_PORT}", m.scale(5))
    m.wait_for(READY, m.scale(5))
    m.wait_for(PROMPT, m.scale(10))

    # 1. A normal run.
    client_port, client_bytes = host_iperf(iperf_port)
    check_iperf_line(m.wait_for(IPERF_SENT, m.scale(20)), client_port, client_bytes)

    # 2. Resets in mid-test, and one client too many.
    data = iperf_header() + b"0123456789" * 6554
    clients = []
    try:
        for _ in range(IPERF_SESSIONS):
            c = socket.create_connection(("127.0.0.1", iperf_port), timeout=m.scale(10))
            clients.append(c)
            c.sendall(data)
        want = {c.getsockname()[1]: len(data) for c in clients}
        wait_iperf_state(m, m.scale(20), lambda pools, counters, sessions: sessions == want)

        with socket.create_connection(("127.0.0.1", iperf_port), timeout=m.scale(10)) as extra:
            refused = m.wait_for(re.compile(
                rf"iperf: refused 10\.0\.2\.2:(\d+): {IPERF_SESSIONS} sessions already "
                r"running\n"), m.scale(10))
            assert int(refused.group(1)) == extra.getsockname()[1]
            try:  # slirp passes longbus's reset on: the host side ends
                assert extra.recv(1) == b""
            except ConnectionResetError:
                pass

        for c in clients:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
    finally:
        for c in clients:
            c.close()
    resets = {}
    for _ in clients:
        r = m.wait_for(IPERF_RESET, m.scale(10))
        resets[int(r.group(1))] = int(r.group(2))
    assert resets == want

    # 3. A test back to a port nobody listens on: this server never connects out.
    with socket.create_connection(("127.0.0.1", iperf_port), timeout=m.scale(10)) as c:
        c.sendall(iperf_header(IPERF_TEST_BACK, port=free_port()))
        back_port = c.getsockname()[1]
        m.wait_for(f"iperf: 10.0.2.2:{back_port} asks for a test back (iperf -d/-r): "
                   "not supported, only receiving\n", m.scale(10))
    m.wait_for(re.compile(rf"iperf: 10\.0\.2\.2:{back_port} sent {IPERF_HEADER.size} bytes "
                          r"in [\d.]+ s = [\d.]+ Mbit/s\n"), m.scale(10))

    # Still serving, and lwIP's pools are sound.
    m.send(f"ping {GATEWAY} 2")
    m.wait_for(f"ping {GATEWAY}: 2 sent, 2 received", m.scale(10))
    # The last session's pcb is freed when its FIN is acknowledged: a round trip or so.
    pools, counters, _ = wait_iperf_state(
        m, m.scale(10), lambda pools, counters, sessions: pools["tcp pcb"][0] == 0)
    assert_pools_sane(pools)
    assert counters == {"sessions": 0, "done": 2, "reset": IPERF_SESSIONS, "refused": 1}

    client_port, client_bytes = host_iperf(iperf_port)
    check_iperf_line(m.wait_for(IPERF_SENT, m.scale(20)), client_port, client_bytes)
    pools, counters, _ = wait_iperf_state(
        m, m.scale(10), lambda pools, counters, sessions: pools["tcp pcb"][0] == 0)
    assert_pools_sane(pools)
    assert counters == {"sessions": 0, "done": 3, "reset": IPERF_SESSIONS, "refused": 1}


def test_net_absent_section_runs_without_network(boot):
    m = boot("[longbus]\nlog_level = info\n", cpus=1, fail_on=[FATAL])
    m.wait_for("net: no [net] section: running without network", m.boot_timeout)
    m.wait_for(READY, m.scale(5))
    m.wait_for(PROMPT, m.scale(10))
    run(m, "net", "net: down")
    run(m, "ping 10.0.2.2", "ping: no network")


def test_net_nic_bdf_that_is_absent_is_an_error_not_a_crash(boot):
    # 00:1e.7 does not exist on q35; the e1000 given is at another slot.
    m = boot("[net]\nnic = 00:1e.7\n", cpus=1, fail_on=[re.compile("FATAL:")],
             extra_args=user_net("e1000", []))
    m.wait_for("ERROR: nic 00:1e.7: no such PCI device", m.boot_timeout)
    m.wait_for(READY, m.scale(10))
    m.wait_for(PROMPT, m.scale(10))
    # The e1000 was left alone: nobody claimed it.
    run(m, "pci", re.compile(r"8086:100e class 02\.00\.00 owner=none"))


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dgram_net(nic, local, remote):
    """QEMU args: a point-to-point Ethernet link over UDP on host loopback."""
    return ["-netdev", f"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={local},"
                       f"remote.type=inet,remote.host=127.0.0.1,remote.port={remote}",
            "-device", f"{nic},netdev=n0,mac={'52:54:00:00:00:%02x' % (local % 250 + 1)}"]


TCPCHECK_RESULT = re.compile(
    r"tcpcheck (\S+): (\S+): sent (\d+) bytes crc32 (0x[0-9a-f]{8}), "
    r"received (\d+) bytes crc32 (0x[0-9a-f]{8}) in (\d+) ms \((\d+) kbit/s\)")


def test_net_two_machines_ping_and_move_64mib_with_matching_crc(boot):
    """Two longbus instances on one dgram link: ARP, ICMP, then 64 MiB over TCP.

    B runs the echo server; A's `tcpcheck` sends 64 MiB of its pattern, checks
    every echoed byte, and prints both CRC-32s; B logs the CRC-32 of what it
    received. All three must agree. e1000e, q35's default NIC. -smp 1: the
    host has two cores for two emulators. The transfer takes ~20-40 s on TCG
    (64 MiB each way through two emulated NICs); 240 s allows for a loaded CI.
    """
    pa, pb = free_udp_port(), free_udp_port()
    a = boot("[net]\nip = 10.0.0.1/24\n", cpus=1, name="a", fail_on=[FATAL],
             extra_args=dgram_net("e1000e", pa, pb))
    b = boot("[net]\nip = 10.0.0.2/24\necho = on\n", cpus=1, name="b", fail_on=[FATAL],
             extra_args=dgram_net("e1000e", pb, pa))
    for m in (a, b):
        m.wait_for(READY, m.boot_timeout)
        m.wait_for(PROMPT, m.scale(10))
    a.send("ping 10.0.0.2 2")  # replies print after the prompt comes back
    a.wait_for(re.compile(r"bytes from 10\.0\.0\.2: seq=1 time="), a.scale(5))
    a.wait_for("ping 10.0.0.2: 2 sent, 2 received", a.scale(10))

    a.send("tcpcheck 10.0.0.2 7 64M")
    res = a.wait_for(TCPCHECK_RESULT, a.scale(240))
    peer, verdict, sent, tx_crc, got, rx_crc, ms, kbps = res.groups()
    assert (peer, verdict) == ("10.0.0.2:7", "ok"), res.group(0)
    assert int(sent) == int(got) == 64 << 20
    assert tx_crc == rx_crc
    echo = b.wait_for(re.compile(r"echo: 10\.0\.0\.1:\d+ closed after (\d+) bytes, crc32 (0x[0-9a-f]{8})"),
                      b.scale(20))
    assert int(echo.group(1)) == 64 << 20
    assert echo.group(2) == tx_crc


class HostEcho:
    """A TCP echo server on host loopback that records the CRC-32 of what it got."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(300)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self.crc = 0
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import zlib
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.settimeout(300)
                while True:
                    data = conn.recv(1 << 16)
                    if not data:
                        break
                    self.received += len(data)
                    self.crc = zlib.crc32(data, self.crc)
                    conn.sendall(data)
        except OSError:
            pass
        finally:
            self.done.set()
            self.sock.close()


@pytest.mark.backends("vmx-bochs")
def test_net_bochs_e1000_slirp_reaches_a_host_tcp_service(boot):
    """The e1000 driver on the VT-x emulator: Bochs's slirp carries TCP.

    Bochs's slirp, like QEMU's, maps 10.0.2.2 to host loopback, so longbus's
    `tcpcheck` reaches an echo server on 127.0.0.1 and checks every byte. Bochs
    runs ~50 M instructions/s: 1 MiB each way takes ~2 s, the 60 s
    (scaled x4) allows for a loaded host. Unmeasured for throughput.
    """
    echo = HostEcho()
    m = boot(f"[net]\nip = 10.0.2.15/24\ngateway = {GATEWAY}\n", cpus=1, fail_on=[FATAL],
             extra_bochsrc=["e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp"])
    m.wait_for(re.compile(r"nic: [0-9a-f:.]+: e1000 8086:100e taken by the hypervisor"),
               m.boot_timeout)
    m.wait_for(READY, m.scale(10))
    m.wait_for(PROMPT, m.scale(10))
    m.send(f"tcpcheck {GATEWAY} {echo.port} 1M")
    res = m.wait_for(TCPCHECK_RESULT, m.scale(60))
    peer, verdict, sent, tx_crc, got, rx_crc, ms, kbps = res.groups()
    assert (peer, verdict) == (f"{GATEWAY}:{echo.port}", "ok"), res.group(0)
    assert int(sent) == int(got) == 1 << 20
    assert echo.done.wait(30)
    assert echo.received == 1 << 20
    assert f"0x{echo.crc:08x}" == tx_crc == rx_crc


# ---- hostile frames from a raw sender on a dgram link ------------------------------

LB_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("5254009a0001")
LB_IP = bytes([10, 0, 0, 1])
PEER_IP = bytes([10, 0, 0, 9])


def inet_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(proto, payload, *, ihl=5, total=None, bad_sum=False):
    hdr = bytearray(20)
    hdr[0] = 0x40 | ihl
    hdr[2:4] = (total if total is not None else 20 + len(payload)).to_bytes(2, "big")
    hdr[8] = 64
    hdr[9] = proto
    hdr[12:16] = PEER_IP
    hdr[16:20] = LB_IP
    hdr[10:12] = inet_sum(bytes(hdr)).to_bytes(2, "big")
    if bad_sum:
        hdr[10] ^= 0x55
    return bytes(hdr) + payload


def l4(proto, segment, sum_at, bad_sum=False):
    """segment with its checksum (at sum_at) over the IPv4 pseudo-header."""
    seg = bytearray(segment)
    pseudo = PEER_IP + LB_IP + bytes([0, proto]) + len(seg).to_bytes(2, "big")
    seg[sum_at:sum_at + 2] = inet_sum(pseudo + bytes(seg)).to_bytes(2, "big")
    if bad_sum:
        seg[sum_at] ^= 0x55
    return bytes(seg)


def udp(payload, bad_sum=False):
    seg = (40000).to_bytes(2, "big") + (9).to_bytes(2, "big") + \
        (8 + len(payload)).to_bytes(2, "big") + b"\0\0" + payload
    return l4(17, seg, 6, bad_sum)


def tcp(data_offset_words=5, bad_sum=False):
    seg = bytearray(20)
    seg[0:2] = (40000).to_bytes(2, "big")
    seg[2:4] = (9).to_bytes(2, "big")
    seg[12] = data_offset_words << 4
    seg[13] = 0x02  # SYN
    seg[14:16] = (8192).to_bytes(2, "big")
    return l4(6, bytes(seg), 16, bad_sum)


def ether(ethertype, payload, dst=LB_MAC):
    return dst + PEER_MAC + ethertype.to_bytes(2, "big") + payload


# Each frame, and the one lwIP counter it must move (lwIP's `net` names).
HOSTILE = [
    ("ip checksum", ether(0x0800, ipv4(17, udp(b"x" * 8), bad_sum=True))),
    ("ip length", ether(0x0800, ipv4(17, udp(b"x" * 8), ihl=15))),        # header past the frame
    ("ip length", ether(0x0800, ipv4(17, udp(b"x" * 8), total=1400))),    # total past the frame
    ("udp checksum", ether(0x0800, ipv4(17, udp(b"hello", bad_sum=True)))),
    ("udp length", ether(0x0800, ipv4(17, b"\x9c\x40\x00\x09"))),         # 4 of UDP's 8 bytes
    ("tcp checksum", ether(0x0800, ipv4(6, tcp(bad_sum=True)))),
    ("tcp length", ether(0x0800, ipv4(6, tcp(data_offset_words=15)))),   # options past the end
]


class RawPeer:
    """The far end of a dgram link: raw Ethernet frames as UDP datagrams."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.qemu_port = free_udp_port()

    def send(self, frame):
        self.sock.sendto(frame, ("127.0.0.1", self.qemu_port))

    def ping(self, timeout):
        """ICMP echo to longbus, answering its ARP; True when the reply arrives."""
        icmp = bytearray(b"\x08\x00\x00\x00\x12\x34\x00\x01" + b"longbus" * 4)
        icmp[2:4] = inet_sum(bytes(icmp)).to_bytes(2, "big")
        self.send(ether(0x0800, ipv4(1, bytes(icmp))))
        self.sock.settimeout(timeout)
        try:
            while True:
                frame = self.sock.recv(2048)
                kind = int.from_bytes(frame[12:14], "big")
                if kind == 0x0806 and frame[21] == 1 and frame[38:42] == PEER_IP:
                    reply = (b"\x00\x01\x08\x00\x06\x04\x00\x02" + PEER_MAC + PEER_IP +
                             frame[22:28] + frame[28:32])
                    self.send(ether(0x0806, reply, dst=frame[6:12]))
                elif kind == 0x0800 and frame[23] == 1 and frame[34] == 0 and \
                        frame[38:40] == b"\x12\x34":
                    return True
        except socket.timeout:
            return False


def test_net_hostile_frames_move_exact_drop_counters_and_longbus_still_serves(boot):
    """Bad IP/UDP/TCP checksums and lengths, sent raw; QEMU's dgram passes them through.

    Each frame must move exactly its own lwIP counter (the `drops:` line of
    `net`), nothing may crash, and longbus must still answer a ping. e1000e.
    """
    peer = RawPeer()
    m = boot("[net]\nip = 10.0.0.1/24\n", cpus=1, fail_on=[FATAL],
             extra_args=["-netdev", f"dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                                    f"local.port={peer.qemu_port},remote.type=inet,"
                                    f"remote.host=127.0.0.1,remote.port={peer.port}",
                         "-device", "e1000e,netdev=n0,mac=52:54:00:12:34:56"])
    m.wait_for(READY, m.boot_timeout)
    m.wait_for(PROMPT, m.scale(10))
    before = net_counters(m)
    for _, frame in HOSTILE:
        peer.send(frame)
    # One valid exchange after the hostile frames: they were all processed by then.
    assert peer.ping(m.scale(10)), "longbus did not answer a ping after hostile frames"
    after = net_counters(m)
    want = {}
    for name, _ in HOSTILE:
        want[f"drops {name}"] = want.get(f"drops {name}", 0) + 1
    for key in [k for k in after if k.startswith("drops ")]:
        assert after[key] - before[key] == want.get(key, 0), key
    # The NIC delivered every frame (the hostile ones, the ping and the ARP reply).
    assert after["rx packets"] - before["rx packets"] == len(HOSTILE) + 2
    assert after["rx errors"] == before["rx errors"]
