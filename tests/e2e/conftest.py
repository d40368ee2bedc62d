"""Browser tests: a real uvicorn server in a thread and Debian's Chromium driven by Playwright.

Chromium is never downloaded: BOH_CHROMIUM (default /usr/bin/chromium) must exist. Without it these tests
skip with the reason, except in CI (CI=true) where they fail. They run on SQLite only; the API and service
tests cover PostgreSQL. Set BOH_E2E_SCREENSHOTS=<dir> to keep screenshots of the pages.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

CHROMIUM = os.environ.get("BOH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VENDOR = Path(__file__).resolve().parents[2] / "src" / "boh" / "http" / "static" / "vendor"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """e2e tests run on SQLite only: drop their PostgreSQL variants."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("e2e") is not None
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend") == "postgresql"  # type: ignore[attr-defined]
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM}: install Debian's chromium or set BOH_CHROMIUM")
    missing = [n for n in ("htmx.min.js", "pico.min.css") if not (VENDOR / n).is_file()]
    if missing:
        _unavailable(f"front-end files {missing} not built: run `npm ci && npm run build` in frontend/")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The test app served by uvicorn on 127.0.0.1 and a free port, for the browser to talk to."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def context(browser: Any, live_server: str) -> Iterator[Any]:
    """A browser context; the test fails if any of its pages reported a Content-Security-Policy violation."""
    from tests.e2e.helpers import watch_csp

    ctx = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    violations = watch_csp(ctx)
    yield ctx
    ctx.close()
    assert violations == [], "the pages broke the Content-Security-Policy"


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def shot() -> Any:
    """shot(page, name): keep a full-page screenshot when BOH_E2E_SCREENSHOTS is set."""
    target = os.environ.get("BOH_E2E_SCREENSHOTS")

    def _shot(page: Any, name: str, full_page: bool = True) -> None:
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=full_page)

    return _shot
