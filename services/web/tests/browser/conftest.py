"""The web app in a real browser: Debian's Chromium driven by Playwright, against the three
services and the web app started as processes on ports picked at run time (the shared local
Kafka and PostgreSQL, a database and a topic prefix of this run's own).

Fixtures for page areas' tests:
- ``web``: the running system (``web.url``, ``web.api(service)`` for setting data up through
  a service's API, ``web.exhibitor()`` a fresh signed-up holder with its owner's login);
- ``page``: a Playwright page on the web app, which fails the test on any request to another
  host (each is aborted and recorded), on any console error or uncaught exception (a CSP
  violation is one), and saves a screenshot under ``artifacts/`` (OCOP_WEB_ARTIFACTS);
- ``accessible(page)``: axe-core (ours, pinned) on the page as it is: no serious or critical
  violation.

Chromium: OCOP_CHROMIUM, else Debian's (services/web/assets/install.sh --browser installs
it); Playwright's own browser download is never used."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from ocop_shared.settings import CommonSettings
from ocop_testkit import TEST_DATABASE, new_prefix, valid_tax_code

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
AXE = HERE / "vendor" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("OCOP_WEB_ARTIFACTS", HERE / "artifacts"))
DATABASE = f"{TEST_DATABASE}_web"
SERVICES = ("registration", "booths", "sales")
ADMIN_TOKEN = "dev-admin-token-registration"  # the development default (OCOP_ENV=test)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the browser tests and runs them last: Playwright's sync API keeps an event loop
    running in the main thread until the session ends, and every test after it that calls
    asyncio.run() (the CLI's, the e2e's, the web app's unit tests) would fail."""
    browser = [i for i in items if HERE in Path(str(i.fspath)).parents]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    chosen = set(map(id, browser))
    items[:] = [i for i in items if id(i) not in chosen] + browser


def chromium() -> str:
    for candidate in (
        os.environ.get("OCOP_CHROMIUM"),
        "/usr/lib/chromium/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("Chromium not found: services/web/assets/install.sh --browser (or OCOP_CHROMIUM)")


def free_port() -> int:
    for _ in range(1000):
        port = random.randint(20000, 32767)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port")


@dataclass
class System:
    urls: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    envs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.urls["web"]

    def restart(self, name: str) -> None:
        """Starts a process again as it was started (after a test killed it) and waits until
        it is ready."""
        module = "ocop_web" if name == "web" else f"ocop_{name}"
        self.processes[name] = _start(name, module, self.envs[name], self.logs)
        _wait_ready(self, name, "/health/live" if name == "web" else "/health/ready")

    def api(self, service: str, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.urls[service], headers=headers, timeout=30)

    def exhibitor(self, name: str = "Hợp tác xã Chè Đường Hoa") -> Account:
        """A holder signed up through registration, with its owner's login and password."""
        tag = uuid.uuid4().hex[:10]
        login, password = f"an-{tag}@example.vn", f"mat-khau-{tag}"
        with self.api("registration") as reg:
            answer = reg.post(
                "/exhibitors",
                json={
                    "kind": "cooperative",
                    "name": name,
                    "tax_code": valid_tax_code(),
                    "province": "Quảng Ninh",
                    "owner": {"name": "Nguyễn Văn An", "email": login, "password": password},
                },
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        return Account(login, password, name, str(body["exhibitor"]["exhibitor_id"]), body["token"])

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-20:])
            for p in sorted(self.logs.glob("*.log"))
        )


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    organization: str
    organization_id: str
    token: str


def _start(name: str, module: str, env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    log = (logs / f"{name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", module, "serve"], env=env, stdout=log, stderr=log, cwd=REPO
    )


def _wait_ready(system: System, name: str, path: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as http:
        while True:
            process = system.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{system.tail()}")
            try:
                if http.get(system.urls[name] + path).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} not ready within {timeout} s:\n{system.tail()}")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def web(
    stack_settings: CommonSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    async def fresh_database() -> None:
        conn = await asyncpg.connect(stack_settings.admin_dsn("postgres"))
        try:
            await conn.execute(f'drop database if exists "{DATABASE}" with (force)')
            await conn.execute(f'create database "{DATABASE}"')
        finally:
            await conn.close()

    asyncio.run(fresh_database())
    ports = {name: free_port() for name in (*SERVICES, "web")}
    system = System(
        urls={name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
        logs=tmp_path_factory.mktemp("web-logs"),
    )
    common = {
        **os.environ,
        "OCOP_ENV": "test",
        "OCOP_PG_DATABASE": DATABASE,
        "OCOP_KAFKA_BOOTSTRAP": stack_settings.kafka_bootstrap,
        "OCOP_TOPIC_PREFIX": new_prefix(),
        "OCOP_LOG_LEVEL": "WARNING",
        "OCOP_LOG_FORMAT": "json",
    }
    try:
        for name in SERVICES:
            env = {**common, "OCOP_HTTP_PORT": str(ports[name])}
            system.envs[name] = env
            system.processes[name] = _start(name, f"ocop_{name}", env, system.logs)
            time.sleep(0.5)  # a moment apart: light on two cores
        web_env = {
            **common,
            "OCOP_HTTP_PORT": str(ports["web"]),
            **{f"OCOP_{s.upper()}_URL": system.urls[s] for s in SERVICES},
        }
        system.envs["web"] = web_env
        system.processes["web"] = _start("web", "ocop_web", web_env, system.logs)
        for name in SERVICES:
            _wait_ready(system, name, "/health/ready")
        _wait_ready(system, "web", "/health/live")
        yield system
    finally:
        for process in system.processes.values():
            process.terminate()
        for process in system.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage"] if os.getuid() == 0 else [],
        )
        yield launched
        launched.close()


@dataclass
class Watch:
    foreign: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    shots: int = 0


@pytest.fixture
def page(web: System, browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    if not AXE.is_file():
        pytest.fail("axe-core not installed: services/web/assets/install.sh")
    context = browser.new_context(
        base_url=web.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 900},
    )
    context.add_init_script(path=str(AXE))  # not subject to the page's CSP; no request
    watch = Watch()
    origin = web.url

    def guard(route: Any) -> None:
        url = route.request.url
        if url == origin or url.startswith(origin + "/"):
            route.continue_()
        else:
            watch.foreign.append(url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    documents: set[str] = set()
    logged: list[tuple[str, str]] = []
    # A page answered 4xx on purpose, or an htmx form's 422 swapped in (its error summary).
    tab.on(
        "response",
        lambda r: (
            documents.add(r.url)
            if r.request.resource_type == "document"
            or (r.status == 422 and r.request.headers.get("hx-request") == "true")
            else None
        ),
    )
    tab.on(
        "console",
        lambda m: logged.append((m.text, m.location.get("url", ""))) if m.type == "error" else None,
    )
    tab.on("pageerror", lambda e: watch.console.append(f"uncaught: {e}"))
    tab.watch = watch
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{name}--end.png"), full_page=True)
    finally:
        context.close()
    # A page answered 4xx on purpose (a form's 422, a 404 page) is logged by Chromium as a
    # failed load; the tests assert those pages themselves. Any other error counts.
    watch.console += [
        text
        for text, url in logged
        if not (text.startswith("Failed to load resource") and url in documents)
    ]
    assert not watch.foreign, f"requests to other hosts: {watch.foreign}"
    assert not watch.console, f"console errors: {watch.console}"


def shoot(page: Any, label: str) -> Path:
    """A screenshot of the page now, under artifacts/ (named after the test and ``label``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
    path = ARTIFACTS / f"{test}--{label}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def accessible() -> Callable[[Any], None]:
    def check(page: Any) -> None:
        # Measure the page as it settles: axe's target-size check measured header links while
        # the web font swapped in, failing a page at random.
        page.wait_for_load_state("load")
        page.evaluate("async () => { await document.fonts.ready; return true; }")
        violations = page.evaluate(
            """async () => (await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}
            })).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"accessibility (axe-core) on {page.url}: {bad}"

    return check
