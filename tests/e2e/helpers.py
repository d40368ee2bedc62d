"""Browser helpers shared by the e2e tests."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD


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
