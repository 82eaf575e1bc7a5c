"""Copies the pinned npm packages' files we serve (or inject in tests) to where they are used,
and checks each against manifest.json (SHA-256). Standard library only: it runs before the
Python workspace is needed.

    python3 services/web/assets/install.py            copy and check (after npm ci)
    python3 services/web/assets/install.py --check    check the copies only
    python3 services/web/assets/install.py --update   after changing a pinned version: copy and
                                                      write the new checksums into the manifest
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
MANIFEST = HERE / "manifest.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "--copy"
    manifest = json.loads(MANIFEST.read_text())
    problems: list[str] = []
    for entry in manifest["files"]:
        target = REPO / entry["to"]
        if mode != "--check":
            package_dir = HERE / "node_modules" / entry["package"]
            version = json.loads((package_dir / "package.json").read_text())["version"]
            if version != entry["version"]:
                problems.append(
                    f"{entry['package']} is {version}, the manifest pins {entry['version']}"
                )
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package_dir / entry["from"], target)
            if mode == "--update":
                entry["sha256"] = sha256(target)
        if not target.is_file():
            problems.append(f"missing {entry['to']}")
        elif sha256(target) != entry["sha256"]:
            problems.append(f"{entry['to']} does not match its checksum in {MANIFEST.name}")
    if mode == "--update":
        MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    for problem in problems:
        print(f"assets: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
