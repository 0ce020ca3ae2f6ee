# SPDX-License-Identifier: GPL-2.0-only
"""longbus's own network (issue 4): NIC drivers, lwIP, [net], `net`, `ping`.

QEMU only (`-netdev user`, i.e. slirp, with hostfwd from host loopback),
once per NIC model: e1000 (82540EM), e1000e (82574, q35's default) and
virtio-net. slirp's network is 10.0.2.0/24: the gateway (and the host as
seen from the guest) is 10.0.2.2 and its DHCP server hands out 10.0.2.15.
All traffic stays inside QEMU and host loopback.

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
import subprocess
import threading

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
    iperf = shutil.which("iperf")
    if not iperf:
        pytest.fail("iperf (Debian package iperf) is missing: run `make deps`", pytrace=False)
    iperf_port = free_port()
    cfg = "[net]\nip = dhcp\niperf = on\n"
    m = booted(boot, cfg, nic, extra_args=user_net(nic, [(iperf_port, IPERF_PORT)]))
    m.wait_for(f"lwiperf (iperf 2) listening on tcp port {IPERF_PORT}", m.scale(5))
    m.wait_for(READY, m.scale(5))
    # The prompt came before: DHCP binds after the shell is up.
    m.wait_for(f"net: address {DHCP_IP}/24 gateway {GATEWAY} (dhcp)", m.scale(15))
    run(m, "net", f"ip: {DHCP_IP}/24 gateway {GATEWAY} (dhcp)\n")

    out = subprocess.run([iperf, "-c", "127.0.0.1", "-p", str(iperf_port), "-t", "2"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    transfer = re.search(r"sec\s+([\d.]+) ([KMG])Bytes\s+([\d.]+) ([KMG])bits/sec", out.stdout)
    assert transfer, out.stdout + out.stderr
    report = m.wait_for(re.compile(
        rf"iperf done \(server\): {GATEWAY}:\d+, (\d+) bytes in (\d+) ms, (\d+) kbit/s"),
        m.scale(20))
    assert int(report.group(1)) > 1 << 20  # more than a handshake got through


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
