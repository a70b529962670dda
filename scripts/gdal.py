"""Debian's GDAL programs for the GIS client tests: ``python3 scripts/gdal.py``.

The engine's tests/test_gdal.py reads a served app with GDAL's ``ogrinfo`` and
``ogr2ogr``, as a GIS user would. This script (standard library only) makes
both available on a fresh Debian machine, with no manual step: it finds them
on PATH, or installs Debian's ``gdal-bin`` package with apt-get (as root, or
through ``sudo -n``). scripts/test.py calls :func:`gdal_programs` before the
engine's tests, and the tests fail, naming this script, when GDAL is missing.

From a shell it prints where the programs are and GDAL's version.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = "gdal-bin"
PROGRAMS = ("ogrinfo", "ogr2ogr")


class GdalUnavailable(RuntimeError):
    """GDAL's programs could not be made available: the message says why and what to do."""


def find_gdal() -> Path | None:
    """The folder holding both ogrinfo and ogr2ogr on PATH; None when either is missing."""
    found = [shutil.which(program) for program in PROGRAMS]
    if all(found):
        return Path(str(found[0])).parent
    return None


def gdal_programs() -> Path:
    """The folder of ogrinfo and ogr2ogr, installing Debian's ``gdal-bin`` the first time."""
    if folder := find_gdal():
        return folder
    install_with_apt(PACKAGE)
    if folder := find_gdal():
        return folder
    raise GdalUnavailable(f"apt-get installed {PACKAGE}, but ogrinfo and ogr2ogr are not on PATH.")


def version(folder: Path) -> str:
    """What ``ogrinfo --version`` prints, such as ``GDAL 3.6.2, released 2023/01/02``."""
    outcome = subprocess.run([str(folder / "ogrinfo"), "--version"], capture_output=True, text=True)
    if outcome.returncode != 0:
        raise GdalUnavailable(f"`ogrinfo --version` failed (exit status {outcome.returncode}): {outcome.stderr}")
    return outcome.stdout.strip()


def install_with_apt(package: str) -> None:
    """Install one Debian package (as root, or through sudo without a password prompt)."""
    if shutil.which("apt-get") is None:
        raise GdalUnavailable(
            "GDAL's ogrinfo and ogr2ogr were not found on PATH, and this is not a Debian-like system with apt-get. "
            "Install GDAL's command-line programs (3.6 or later) and put them on PATH."
        )
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise GdalUnavailable(
            f"GDAL's ogrinfo and ogr2ogr were not found, and installing them needs root: `apt-get install {package}`."
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"Installing {package} with apt-get (once) ...", file=sys.stderr, flush=True)
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", package]):
        outcome = subprocess.run([*prefix, *command], env=environment, capture_output=True, text=True)
        if outcome.returncode != 0:
            raise GdalUnavailable(
                f"`{' '.join(command)}` failed (exit status {outcome.returncode}):\n{outcome.stdout}{outcome.stderr}\n"
                f"Install it yourself: `sudo apt-get install {package}`."
            )


if __name__ == "__main__":
    try:
        folder = gdal_programs()
        print(f"{version(folder)}: {folder / 'ogrinfo'}, {folder / 'ogr2ogr'}")
    except GdalUnavailable as error:
        print(error, file=sys.stderr)
        sys.exit(1)
