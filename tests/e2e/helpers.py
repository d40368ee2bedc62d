"""Browser helpers shared by the e2e tests."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD

_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__bohCspViolation(e.effectiveDirective + " refused " + (e.blockedURI || "inline") + " (" +
    (e.sourceFile || document.location.pathname) + ":" + e.lineNumber + ")");
});
"""


def watch_csp(ctx: Any) -> list[str]:
    """Collect every Content-Security-Policy violation of the context's pages: the `securitypolicyviolation`
    events (reported through a binding, so they survive navigation) and Chromium's console reports."""
    seen: list[str] = []
    ctx.expose_binding("__bohCspViolation", lambda source, text: seen.append(f"{source['page'].url}: {text}"))
    ctx.add_init_script(_CSP_LISTENER)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(f"console: {message.text}")

    ctx.on("page", lambda page: page.on("console", on_console))
    return seen


def sign_in(page: Any, username: str, password: str = PASSWORD, path: str = "/") -> None:
    page.goto(f"/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('Sign in'), button[type=submit]:has-text('登录')")


def csv_file(name: str, rows: list[list[str]]) -> dict[str, Any]:
    text = "\n".join(",".join(cells) for cells in rows) + "\n"
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def import_errors(page: Any) -> set[tuple[str, str]]:
    """(row, column) of every line of the import error table."""
    out = set()
    for line in page.locator("[data-testid=import-error]").all():
        cells = line.locator("td").all_inner_texts()
        out.add((cells[0].strip(), cells[1].strip()))
    return out


def body_overflows(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))
