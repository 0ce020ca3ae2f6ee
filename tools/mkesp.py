#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Build an EFI System Partition image for longbus, without root.

The image is a bare FAT32 file system (no partition table) made with mtools:

    /EFI/BOOT/BOOTX64.EFI     the UEFI application (build/longbus.efi)
    /EFI/BOOT/<extra files>   longbus.cfg and whatever it names, beside the app

Why a bare FAT32 of >= 64 MiB: Bochs boots OVMF from an ATA disk and OVMF
finds the file system on the whole disk; `mformat -F` refuses smaller images
(FAT32 needs >= 65525 clusters). QEMU boots the same image as a raw -drive, so
both emulators share one builder.

Module use:
    from mkesp import build_esp
    build_esp("esp.img", "build/longbus.efi", {"longbus.cfg": "cpus=2\\n"})

CLI use:
    tools/mkesp.py --efi build/longbus.efi --cfg longbus.cfg --out esp.img \\
                   [--file guest.elf] [--file path/to/x=name-on-esp] [--size-mb 64]
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, Union

ESP_DIR = "EFI/BOOT"
APP_NAME = "BOOTX64.EFI"
MIN_SIZE_MB = 64  # smallest image `mformat -F` accepts (FAT32 cluster count)

Content = Union[str, bytes, os.PathLike]
Files = Union[Mapping[str, Content], Iterable[os.PathLike], Iterable[str], None]


class EspError(RuntimeError):
    """An mtools command failed or an input is unusable."""


def _mtools_env() -> dict:
    env = dict(os.environ)
    # Bare FAT image, no partition table: skip mtools' sanity check of the
    # boot sector geometry, and ignore any user ~/.mtoolsrc drive setup.
    env["MTOOLS_SKIP_CHECK"] = "1"
    env["MTOOLSRC"] = os.devnull
    return env


def _run(argv: list) -> None:
    proc = subprocess.run(argv, env=_mtools_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    if proc.returncode != 0:
        raise EspError(f"{' '.join(map(str, argv))} failed "
                       f"(status {proc.returncode}): {proc.stdout.strip()}")


def _normalise(files: Files) -> dict:
    """Return {relative name under /EFI/BOOT: bytes} from a mapping or a list."""
    out = {}
    if files is None:
        return out
    if isinstance(files, Mapping):
        items = files.items()
    else:
        items = ((Path(p).name, Path(p)) for p in files)
    for name, content in items:
        name = str(name).replace("\\", "/").strip("/")
        if not name or any(part in ("", ".", "..") for part in name.split("/")):
            raise EspError(f"bad ESP file name {name!r}")
        if isinstance(content, bytes):
            data = content
        elif isinstance(content, str):
            data = content.encode()
        else:
            path = Path(content)
            if not path.is_file():
                raise EspError(f"{path}: no such file")
            data = path.read_bytes()
        out[name] = data
    return out


def build_esp(out: Union[str, os.PathLike], efi: Union[str, os.PathLike],
              files: Files = None, size_mb: int = MIN_SIZE_MB,
              label: str = "LONGBUS") -> Path:
    """Create (or overwrite) the FAT32 ESP image `out`; return its path.

    efi:   the UEFI application, installed as /EFI/BOOT/BOOTX64.EFI.
    files: either a mapping {name: content} where content is str (written
           as UTF-8), bytes, or a path to copy; or an iterable of paths,
           each copied under its own base name. Names are relative to
           /EFI/BOOT and may contain '/' to create subdirectories.
    """
    out = Path(out)
    efi = Path(efi)
    if not efi.is_file():
        raise EspError(f"{efi}: no such file (build it first)")
    if size_mb < MIN_SIZE_MB:
        raise EspError(f"size {size_mb} MiB < {MIN_SIZE_MB} MiB: mformat -F "
                       "cannot make FAT32 that small and Bochs needs FAT32")
    extra = _normalise(files)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".tmp")
    # Sparse file: 64 MiB of zeros costs nothing on disk.
    with open(tmp_out, "wb") as f:
        f.truncate(size_mb * 1024 * 1024)
    img = str(tmp_out)
    try:
        # -F: FAT32. Geometry 16 heads x 63 sectors matches what Bochs
        # derives for a flat ATA image, so the BPB and the disk agree.
        _run(["mformat", "-i", img, "-F", "-h", "16", "-s", "63",
              "-T", str(size_mb * 2048), "-v", label[:11], "::"])
        _run(["mmd", "-i", img, "::/EFI", "::/" + ESP_DIR])
        _run(["mcopy", "-i", img, "-o", str(efi), f"::/{ESP_DIR}/{APP_NAME}"])
        made = {"", ESP_DIR}
        with tempfile.TemporaryDirectory(prefix="mkesp-") as td:
            for i, (name, data) in enumerate(sorted(extra.items())):
                dest = f"{ESP_DIR}/{name}"
                parent = dest.rsplit("/", 1)[0]
                todo = []
                while parent not in made:
                    todo.append(parent)
                    parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
                for d in reversed(todo):
                    _run(["mmd", "-i", img, "::/" + d])
                    made.add(d)
                src = Path(td) / f"f{i}"
                src.write_bytes(data)
                _run(["mcopy", "-i", img, "-o", str(src), "::/" + dest])
        os.replace(tmp_out, out)
    except BaseException:
        tmp_out.unlink(missing_ok=True)
        raise
    return out


def _parse_file_arg(arg: str):
    """'path' -> (basename, path); 'path=name' -> (name, path)."""
    if "=" in arg:
        path, name = arg.split("=", 1)
    else:
        path, name = arg, Path(arg).name
    return name, Path(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--efi", required=True, help="UEFI app (-> /EFI/BOOT/BOOTX64.EFI)")
    ap.add_argument("--cfg", help="config file, installed as /EFI/BOOT/longbus.cfg")
    ap.add_argument("--file", action="append", default=[], metavar="PATH[=NAME]",
                    help="extra file for /EFI/BOOT (repeatable)")
    ap.add_argument("--out", required=True, help="image to write")
    ap.add_argument("--size-mb", type=int, default=MIN_SIZE_MB)
    args = ap.parse_args(argv)

    files = {}
    if args.cfg:
        files["longbus.cfg"] = Path(args.cfg)
    for arg in args.file:
        name, path = _parse_file_arg(arg)
        files[name] = path
    try:
        build_esp(args.out, args.efi, files, size_mb=args.size_mb)
    except EspError as e:
        print(f"mkesp: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
