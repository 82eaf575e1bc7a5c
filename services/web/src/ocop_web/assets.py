"""The files under ``static/``: our own (CSS, the small script, icons) and the vendored ones
(htmx, the font), copied from pinned npm packages by ``services/web/assets/install.sh`` and
checked here against ``assets/manifest.json`` before the app serves anything. URLs carry a
fingerprint of the file (``?v=``) so browsers may keep them for a year."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
REPO = Path(__file__).resolve().parents[4]
MANIFEST = REPO / "services" / "web" / "assets" / "manifest.json"
STATIC_PREFIX = "/static/"


class AssetsMissing(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(manifest: Path = MANIFEST, static: Path = STATIC) -> list[str]:
    """Checks every vendored file the app serves; returns the problems (none: empty)."""
    entries = json.loads(manifest.read_text())["files"]
    relative = static.relative_to(REPO).as_posix() + "/"
    problems = []
    for entry in entries:
        if not entry["to"].startswith(relative):
            continue  # the shared docs' and the tests' files
        path = REPO / entry["to"]
        if not path.is_file():
            problems.append(f"missing {entry['to']}")
        elif _sha256(path) != entry["sha256"]:
            problems.append(f"{entry['to']} differs from its checksum")
    return problems


def require_installed() -> None:
    problems = verify()
    if problems:
        raise AssetsMissing(
            "browser assets not installed or changed ("
            + "; ".join(problems[:3])
            + "): run services/web/assets/install.sh"
        )


class Fingerprints:
    """``asset("css/app.css")`` → ``/static/css/app.css?v=<first 12 hex of its SHA-256>``."""

    def __init__(self, static: Path = STATIC) -> None:
        self.static = static
        self._seen: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        url = self._seen.get(name)
        if url is None:
            path = (self.static / name).resolve()
            if not path.is_relative_to(self.static) or not path.is_file():
                raise FileNotFoundError(f"no static file {name}")
            url = f"{STATIC_PREFIX}{name}?v={_sha256(path)[:12]}"
            self._seen[name] = url
        return url
