"""Debian's Chromium and axe-core for the accessibility tests: ``python3 scripts/chromium.py``.

The template's browser tests (tests/test_accessibility.py) drive a headless
Chromium and run axe-core in the pages. This script (standard library only)
makes both available on a fresh Debian machine, with no manual step:

1. :func:`chromium` finds Debian's Chromium (``/usr/bin/chromium``, or one on
   PATH), installing the ``chromium`` package with apt-get when it is missing
   (as root, or through ``sudo -n``). Test tools cannot download their own
   browsers here, so the tests always use this one. :func:`openssl` does the
   same for the ``openssl`` program, which makes the tile server's certificate.
2. :func:`axe_script` downloads the npm registry's tarball of a pinned
   axe-core version with urllib, checks it against the sha512 integrity the
   registry's metadata gives, and keeps ``axe.min.js`` under build/ (which git
   ignores), reusing it on later runs. No code of axe is committed.

From a shell it prints both paths.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "browser-tests"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
AXE_METADATA = f"https://registry.npmjs.org/axe-core/{AXE_VERSION}"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_MEMBER = "package/axe.min.js"
DOWNLOAD_TIMEOUT = 60  # seconds
# The flags Chromium needs on a machine with a closed network and no screen, with a fresh --user-data-dir each run.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserUnavailable(RuntimeError):
    """Chromium or axe-core could not be made available: the message says why and what to do."""


def find_chromium() -> Path | None:
    """Debian's Chromium, else a ``chromium`` on PATH; None when there is neither."""
    if DEBIAN_CHROMIUM.is_file():
        return DEBIAN_CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def chromium() -> Path:
    """The path of Chromium, installing Debian's ``chromium`` package with apt-get the first time."""
    if found := find_chromium():
        return found
    install_with_apt("chromium")
    if found := find_chromium():
        return found
    raise BrowserUnavailable("apt-get installed chromium, but there is no /usr/bin/chromium.")


def openssl() -> Path:
    """The path of the ``openssl`` program (the tests make a certificate for their tile server with it)."""
    if not shutil.which("openssl"):
        install_with_apt("openssl")
    if found := shutil.which("openssl"):
        return Path(found)
    raise BrowserUnavailable("apt-get installed openssl, but there is no `openssl` on PATH.")


def install_with_apt(package: str) -> None:
    """Install one Debian package (as root, or through sudo without a password prompt)."""
    if shutil.which("apt-get") is None:
        raise BrowserUnavailable(
            f"{package} was not found, and this is not a Debian-like system with apt-get. "
            f"Install {package} and put it on PATH."
        )
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise BrowserUnavailable(f"{package} was not found, and installing it needs root: `apt-get install {package}`.")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"Installing {package} with apt-get (once) ...", file=sys.stderr, flush=True)
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", package]):
        outcome = subprocess.run([*prefix, *command], env=environment, capture_output=True, text=True)
        if outcome.returncode != 0:
            raise BrowserUnavailable(
                f"`{' '.join(command)}` failed (exit status {outcome.returncode}):\n{outcome.stdout}{outcome.stderr}\n"
                f"Install it yourself: `sudo apt-get install {package}`."
            )


def axe_script(cache: Path = CACHE) -> Path:
    """The path of axe-core's ``axe.min.js``, downloaded and checked the first time, then reused."""
    target = cache / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if target.is_file():
        return target
    try:
        metadata = json.loads(_download(AXE_METADATA))
        integrity = metadata["dist"]["integrity"]
    except (ValueError, KeyError, TypeError) as error:
        raise BrowserUnavailable(
            f"The npm registry's metadata for axe-core {AXE_VERSION} gives no integrity: {error}"
        ) from error
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise BrowserUnavailable(
            f"axe-core {AXE_VERSION}: expected a sha512 integrity, the registry gave {integrity!r}"
        )
    tarball = _download(AXE_TARBALL)
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if actual != expected:
        raise BrowserUnavailable(
            f"{AXE_TARBALL} does not match the registry's integrity (expected sha512-{expected}, got sha512-{actual}). "
            "Try again; if it persists, the download is being altered."
        )
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(AXE_MEMBER)
        if member is None:
            raise BrowserUnavailable(f"{AXE_TARBALL} has no {AXE_MEMBER}.")
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(script)
    partial.replace(target)
    return target


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            return response.read()
    except OSError as error:
        raise BrowserUnavailable(
            f"Could not download {url}: {error}. The accessibility tests need the npm registry."
        ) from error


if __name__ == "__main__":
    try:
        print(f"chromium: {chromium()}")
        print(f"axe-core: {axe_script()}")
    except BrowserUnavailable as error:
        print(error, file=sys.stderr)
        sys.exit(1)
