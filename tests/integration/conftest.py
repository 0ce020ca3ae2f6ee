# SPDX-License-Identifier: GPL-2.0-only
"""pytest fixtures for longbus integration tests (see docs/testing.md).

    def test_boots(boot):
        m = boot("cpus=2\\n")                    # runs on svm-qemu and vmx-bochs
        m.wait_for("longbus: ready", m.boot_timeout)

Fixtures:
  backend   "svm-qemu" or "vmx-bochs"; every test that uses it (directly or
            through `boot`) runs once per backend. Select with
            --backend=NAME (repeatable), LONGBUS_BACKENDS=a,b or -k NAME;
            restrict a test with @pytest.mark.backends("svm-qemu").
  efi_path  build/longbus.efi (or --efi / $LONGBUS_EFI); a missing file
            fails the test: `make test` builds it first.
  log_dir   build/test-logs (or --log-dir): serial and emulator logs.
  boot      factory: boot(cfg_text, cpus=2, ...) builds a fresh ESP and
            returns a started emu.Machine; all are killed at teardown.
"""

import hashlib
import os
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for p in (HERE, REPO / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import emu  # noqa: E402
import mkesp  # noqa: E402

_MACHINES = pytest.StashKey[list]()


def pytest_addoption(parser):
    g = parser.getgroup("longbus")
    g.addoption("--backend", action="append", choices=emu.BACKENDS, default=None,
                help="run only on this backend (repeatable; default: all, "
                     "or $LONGBUS_BACKENDS=svm-qemu,vmx-bochs)")
    g.addoption("--efi", default=None,
                help="UEFI app to boot (default $LONGBUS_EFI or build/longbus.efi)")
    g.addoption("--log-dir", default=None,
                help="where serial/emulator logs go (default build/test-logs)")
    g.addoption("--keep-tmp", action="store_true",
                help="keep each run's temp dir (bochsrc, emulator output)")
    g.addoption("--budget", type=float, default=emu.DEFAULT_BUDGET,
                help="total seconds one emulator run may take (default %(default)s)")


def pytest_configure(config):
    for line in (
        "slow: takes minutes (deselect with -m 'not slow')",
        "backends(*names): run only on these backends, e.g. "
        "@pytest.mark.backends('svm-qemu')",
        "interactive: types on the serial console (skipped where "
        "Machine.can_type is False)",
    ):
        config.addinivalue_line("markers", line)


def _selected_backends(config):
    chosen = config.getoption("backend")
    if not chosen and os.environ.get("LONGBUS_BACKENDS"):
        chosen = [b.strip() for b in os.environ["LONGBUS_BACKENDS"].split(",") if b.strip()]
        bad = [b for b in chosen if b not in emu.BACKENDS]
        if bad:
            raise pytest.UsageError(f"LONGBUS_BACKENDS: unknown backend(s) {bad}; "
                                    f"choose from {list(emu.BACKENDS)}")
    return list(chosen or emu.BACKENDS)


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    selected = _selected_backends(metafunc.config)
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None:
        selected = [b for b in selected if b in marker.args]
        if not selected:
            why = (f"runs only on {', '.join(marker.args)}, which is not selected")
            metafunc.parametrize("backend", [pytest.param(
                None, marks=pytest.mark.skip(reason=why), id="backend-not-selected")])
            return
    metafunc.parametrize("backend", selected, ids=selected)


@pytest.fixture(scope="session")
def efi_path(pytestconfig) -> Path:
    path = Path(pytestconfig.getoption("efi") or os.environ.get("LONGBUS_EFI")
                or REPO / "build" / "longbus.efi")
    if not path.is_file():
        pytest.fail(f"{path} does not exist: build it first (`make`; `make test` "
                    "does this before running the integration tests)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def log_dir(pytestconfig) -> Path:
    d = Path(pytestconfig.getoption("log_dir") or REPO / "build" / "test-logs")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _test_name(node) -> str:
    """'test_boot' + parameter ids, e.g. 'test_boot-svm-qemu'.

    Long ids (a whole config text as a parameter) are cut and given a short
    hash so file names stay readable, unique and under NAME_MAX.
    """
    name = getattr(node, "originalname", None) or node.name
    spec = getattr(node, "callspec", None)
    if spec is not None and spec.id:
        name += "-" + spec.id
    safe = re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("_")
    if len(safe) > 100:
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        safe = safe[:90].rstrip("_-.") + "-" + digest
    return safe


@pytest.fixture
def machines(request):
    """List of Machines the test started; closed (killed) at teardown."""
    started = request.node.stash.setdefault(_MACHINES, [])
    yield started
    for m in started:
        m.close()


@pytest.fixture
def boot(request, backend, efi_path, log_dir, machines, tmp_path):
    """Factory: boot(cfg_text, cpus=2, **kw) -> started emu.Machine.

    cfg_text:  contents of /EFI/BOOT/longbus.cfg; None leaves it out.
    cpus:      virtual CPUs.
    backend:   defaults to the test's `backend` parameter.
    files:     extra ESP files {name: str | bytes | path} beside the app.
    name:      machine name, added to the log file name (needed when one
               test boots several machines; defaults to m1, m2, ...).
    efi:       another UEFI app instead of efi_path.
    other keywords (memory_mb, extra_args, extra_bochsrc, fail_on, budget)
    go to emu.Machine.
    """
    base = _test_name(request.node)
    count = [0]

    def _boot(cfg_text="", cpus=2, backend=backend, files=None, name=None,
              efi=None, **kw):
        count[0] += 1
        label = name or (f"m{count[0]}" if count[0] > 1 else None)
        log_name = base if backend in base else f"{base}-{backend}"
        if label:
            log_name += f"-{label}"
        content = {}
        if cfg_text is not None:
            content["longbus.cfg"] = cfg_text
        content.update(files or {})
        # One image per machine: QEMU locks it, Bochs writes <img>.lock.
        esp = mkesp.build_esp(tmp_path / f"esp-{count[0]}.img", efi or efi_path, content)
        kw.setdefault("budget", request.config.getoption("budget"))
        kw.setdefault("keep_tmp", request.config.getoption("keep_tmp"))
        m = emu.Machine(backend, esp, cpus=cpus, name=log_name, log_dir=log_dir, **kw)
        machines.append(m)
        m.start()
        if request.node.get_closest_marker("interactive") and not m.can_type:
            pytest.skip(f"{backend}: serial input not available")
        return m

    return _boot


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    started = item.stash.get(_MACHINES, [])
    if started:
        lines = []
        for m in started:
            lines.append(f"{m.name}: serial {m.log_path}")
            lines.append(f"{' ' * len(m.name)}  emulator {m.emu_log_path}")
        rep.sections.append(("longbus logs", "\n".join(lines)))
