"""Each service's /docs page loads Swagger UI from the service itself, never from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ocop_shared import docs


def app_with_docs(assets: Path) -> FastAPI:
    app = FastAPI(title="ocop-fairs test", docs_url=None, redoc_url=None)
    docs.install(app, assets=assets)
    return app


def test_the_page_names_only_its_own_host(tmp_path: Path) -> None:
    for name in docs.REQUIRED:
        (tmp_path / name).write_text(f"/* {name} */")
    client = TestClient(app_with_docs(tmp_path))
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert "/docs-assets/swagger-ui-bundle.js" in urls
    assert "/docs-assets/swagger-ui.css" in urls
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "//" not in " ".join(u for u in urls)
    assert client.get("/docs-assets/swagger-ui.css").text == "/* swagger-ui.css */"
    assert client.get("/redoc").status_code == 404


def test_without_the_assets_the_page_says_how_to_install_them(tmp_path: Path) -> None:
    client = TestClient(app_with_docs(tmp_path / "absent"))
    page = client.get("/docs")
    assert page.status_code == 200
    assert "services/web/assets/install.sh" in page.text
    assert "cdn" not in page.text.lower()


def test_the_installed_assets_are_the_pinned_ones() -> None:
    """After services/web/assets/install.sh: the files match the manifest's checksums."""
    import hashlib
    import json

    import pytest

    repo = Path(__file__).resolve().parents[3]
    manifest = json.loads((repo / "services/web/assets/manifest.json").read_text())
    ours = [e for e in manifest["files"] if e["to"].startswith("shared/")]
    assert {e["to"].rsplit("/", 1)[1] for e in ours} >= set(docs.REQUIRED)
    if not docs.installed():
        pytest.skip("Swagger UI not installed (services/web/assets/install.sh)")
    for entry in ours:
        data = (repo / entry["to"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["to"]
