"""The official AsyncAPI parser (@asyncapi/parser, pinned in tools/asyncapi) accepts the
checked-in documents, and the ones the contracts generate now, with no error and no warning.

Needs Node.js (CI has Node 20); installs the parser with ``npm ci`` when it is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ocop_shared import asyncapi

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "asyncapi"
DOCS = REPO / "docs" / "asyncapi"


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "Node.js is required to validate the AsyncAPI documents (apt-get install nodejs)"
        )
    if not (TOOLS / "node_modules" / "@asyncapi" / "parser" / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is required to install the AsyncAPI parser (tools/asyncapi)")
        done = _run([npm, "ci", "--prefix", str(TOOLS)], timeout=600)
        assert done.returncode == 0, (
            f"npm ci --prefix tools/asyncapi failed:\n{done.stdout}{done.stderr}"
        )
    return found


def test_the_asyncapi_parser_accepts_the_documents(node: str, tmp_path: Path) -> None:
    checked_in = sorted(DOCS.glob("*.json"))
    assert {p.stem for p in checked_in} >= set(asyncapi.SERVICES), checked_in
    generated = asyncapi.write(tmp_path)
    files = [*checked_in, *generated]
    done = _run([node, str(TOOLS / "validate.mjs"), *map(str, files)], timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, f"the AsyncAPI parser refused a document:\n{report}"
    for path in files:
        assert f"{path}: ok (AsyncAPI 3.0.0;" in report, report
