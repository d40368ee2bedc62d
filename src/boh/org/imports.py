"""CSV/XLSX import and export of sites and users: every error of a file at once, all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tabular import Row, check_header, read_table, validate_rows, write_table
from boh.kernel.uow import UnitOfWork
from boh.org import grants, service
from boh.org import repository as repo
from boh.org.queries import list_regions, list_sites
from boh.org.schemas import SiteCreate, SiteFilter, SiteUpdate, UserCreate

SITE_COLUMNS = [
    "code",
    "name",
    "name_zh",
    "region_code",
    "kind",
    "format",
    "size_class",
    "timezone",
    "currency",
    "address",
    "city",
    "country",
    "latitude",
    "longitude",
    "area_m2",
    "negative_stock",
    "active",
]
USER_COLUMNS = ["username", "display_name", "email", "password", "locale", "role", "region_code", "site_code"]


class ImportResult(BaseModel):
    created: int
    updated: int
    rows: int


def _parse(filename: str, data: bytes, required: list[str], allowed: list[str]) -> list[Row]:
    header, rows = read_table(filename, data)
    errors = check_header(header, required, allowed)
    if errors:
        raise ValidationFailed(errors, "The file's columns are not right")
    return rows


def _duplicates(rows: list[tuple[Row, Any]], key: Callable[[Any], str], column: str) -> list[FieldError]:
    seen: dict[str, int] = {}
    errors = []
    for row, item in rows:
        k = key(item)
        if k in seen:
            errors.append(
                FieldError(
                    ("row", row.number, column),
                    f"'{k}' also appears in row {seen[k]}",
                    "duplicate",
                    row=row.number,
                    column=column,
                )
            )
        else:
            seen[k] = row.number
    return errors


def _unknown(rows: list[Row], column: str, known: set[str], what: str) -> list[FieldError]:
    return [
        FieldError(
            ("row", r.number, column),
            f"unknown {what} '{r.values[column]}'",
            "unknown_reference",
            row=r.number,
            column=column,
        )
        for r in rows
        if r.values.get(column) and r.values[column] not in known
    ]


def import_sites(uow: UnitOfWork, filename: str, data: bytes) -> ImportResult:
    uow.principal.scope("org.site.write")
    rows = _parse(filename, data, ["code", "name", "kind"], SITE_COLUMNS)
    good, errors = validate_rows(SiteCreate, rows)
    # duplicates and references are checked on every row, also rows with other errors: all errors at once
    codes = [(r, r.values["code"]) for r in rows if r.values.get("code")]
    errors += _duplicates(codes, lambda c: c, "code")
    known_regions = {r.code for r in list_regions(uow.session, uow.principal.scope("org.site.write"))}
    errors += _unknown(rows, "region_code", known_regions, "region")
    errors.sort(key=lambda e: (e.row or 0, SITE_COLUMNS.index(e.column) if e.column in SITE_COLUMNS else 99))
    if errors:
        raise ValidationFailed(errors, f"{len(errors)} problem(s) in the file; nothing was imported")
    created = updated = 0
    for _row, site in good:
        existing = repo.site_by_code(uow.session, uow.tenant_id, site.code)
        if existing is None:
            service.create_site(uow, site)
            created += 1
        else:
            # only the columns the file fills: a re-import must not wipe opening hours it does not carry
            changes = site.model_dump(exclude_unset=True, exclude={"code", "kind", "country"})
            service.update_site(uow, existing.id, SiteUpdate(**changes))
            updated += 1
    return ImportResult(created=created, updated=updated, rows=len(good))


def export_sites(uow: UnitOfWork, fmt: str) -> bytes:
    scope = uow.principal.scope("org.site.read")
    sites, _ = list_sites(uow.session, scope, SiteFilter(), limit=1_000_000, offset=0)
    return write_table(fmt, SITE_COLUMNS, ([getattr(s, c) for c in SITE_COLUMNS] for s in sites))


class _UserRow(BaseModel):
    username: str
    display_name: str
    email: str | None = None
    password: str
    locale: str = "zh_CN"
    role: str
    region_code: str | None = None
    site_code: str | None = None


def import_users(uow: UnitOfWork, filename: str, data: bytes) -> ImportResult:
    """One row per user and role; a user with several roles has several rows with the same username."""
    uow.principal.scope("org.user.write")
    rows = _parse(filename, data, ["username", "display_name", "password", "role"], USER_COLUMNS)
    good, errors = validate_rows(_UserRow, rows)
    users: dict[str, tuple[Row, dict[str, Any]]] = {}
    for row, u in good:
        entry = users.setdefault(
            u.username, (row, {**u.model_dump(exclude={"role", "region_code", "site_code"}), "roles": []})
        )
        entry[1]["roles"].append({"role": u.role, "region_code": u.region_code, "site_code": u.site_code})
    scope = uow.principal.scope("org.site.read")
    sites, _ = list_sites(uow.session, scope, SiteFilter(), limit=1_000_000, offset=0)
    errors += _unknown(rows, "site_code", {x.code for x in sites}, "site")
    errors += _unknown(rows, "region_code", {x.code for x in list_regions(uow.session, scope)}, "region")
    creates: list[UserCreate] = []
    assignments = []
    for username, (row, payload) in users.items():
        try:
            creates.append(UserCreate.model_validate(payload))
        except ValidationError as exc:
            for err in exc.errors():
                col = str(err["loc"][0]) if err["loc"] else ""
                if col == "roles":
                    col = "role"
                errors.append(FieldError(("row", row.number, col), err["msg"], err["type"], row=row.number, column=col))
            continue
        try:  # every grant is checked before the first user is written
            assignments.append(grants.resolve(uow, creates[-1].roles))
        except ValidationFailed as exc:
            errors += [_row_error(row.number, e) for e in exc.errors]
        if service.username_taken(uow, username):
            errors.append(
                FieldError(
                    ("row", row.number, "username"),
                    f"username '{username}' is already taken",
                    "duplicate",
                    row=row.number,
                    column="username",
                )
            )
    if errors:
        raise ValidationFailed(
            sorted(errors, key=lambda e: e.row or 0), f"{len(errors)} problem(s) in the file; nothing was imported"
        )
    for each in assignments:
        grants.check_can_grant(uow, each)
    for data_ in creates:
        service.create_user(uow, data_)
    return ImportResult(created=len(creates), updated=0, rows=len(good))


def _row_error(row: int, e: FieldError) -> FieldError:
    column = "role" if e.loc[-1] == "roles" else str(e.loc[-1])
    return FieldError(("row", row, column), e.message, e.code, row=row, column=column)


USER_EXPORT_COLUMNS = ["username", "display_name", "email", "locale", "active", "role", "region_code", "site_code"]


def export_users(uow: UnitOfWork, fmt: str) -> bytes:
    """One row per user and role (passwords are never exported)."""
    from boh.org.queries import list_users

    scope = uow.principal.scope("org.user.read")
    users, _ = list_users(uow.session, scope, None, limit=1_000_000, offset=0)
    regions = {r.id: r.code for r in list_regions(uow.session, scope)}
    sites, _ = list_sites(uow.session, uow.principal.scope("org.site.read"), SiteFilter(), 1_000_000, 0)
    site_codes = {s.id: s.code for s in sites}
    rows = []
    for u in users:
        for g in u.roles or [None]:  # type: ignore[list-item]
            rows.append(
                [
                    u.username,
                    u.display_name,
                    u.email,
                    u.locale,
                    u.active,
                    g.role if g else "",
                    regions.get(g.region_id) if g and g.region_id else "",
                    site_codes.get(g.site_id) if g and g.site_id else "",
                ]
            )
    return write_table(fmt, USER_EXPORT_COLUMNS, rows)
