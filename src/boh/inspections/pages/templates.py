"""The template builder (no code): a list with create and JSON import, and one form per template where sections
and items are added, edited, moved out and published. The form posts every field; the server rebuilds the
definition, reports every problem beside its field and saves the draft only when it is sound."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Annotated, Any

from fastapi import File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from boh.http.deps import UowDep, request_uow
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, redirect
from boh.http.templating import render
from boh.inspections import queries, service
from boh.inspections.definition import Definition, validate_definition
from boh.inspections.pages._common import KINDS, SEVERITIES, FormDep, error_title, router
from boh.inspections.routes._photos import photo_store, read_photo
from boh.inspections.schemas import TemplateCreate, TemplateExport, TemplateUpdate
from boh.inspections.service import T_READ, T_WRITE
from boh.inspections.service._common import template as template_row
from boh.kernel.errors import BohError, FieldError
from boh.kernel.uow import UnitOfWork

STARTER = {"sections": [{"key": "general", "title": "General", "items": [
    {"key": "item-1", "kind": "yes_no", "text": "Clean and tidy"}]}]}  # fmt: skip
ITEM_FIELDS = ("key", "kind", "text", "text_zh", "guidance", "guidance_zh", "weight", "severity", "pass_value",
               "scale_max", "pass_min", "min", "max", "unit")  # fmt: skip
FLAGS = ("critical", "food_safety", "required", "multi")


@router.get("/templates", perm=T_READ)
def template_list(request: Request, uow: UowDep) -> HTMLResponse:
    return _list(request, uow, {}, {})


def _list(request: Request, uow: UnitOfWork, values: dict[str, Any], errors: dict[str, str], status: int = 200,
          import_errors: list[FieldError] | None = None) -> HTMLResponse:  # fmt: skip
    rows, _n = queries.list_templates(uow.session, uow.tenant_id, limit=500)
    ctx = {"rows": rows, "values": values, "errors": errors, "can_write": uow.principal.can(T_WRITE),
           "import_errors": import_errors or []}  # fmt: skip
    return render(request, "inspections/templates.html", ctx, status_code=status)


@router.post("/templates", perm=T_WRITE)
def template_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    try:
        body = TemplateCreate.model_validate(
            {
                "code": data.get("code", ""),
                "name": data.get("name", ""),
                "name_zh": data.get("name_zh") or None,
                "definition": STARTER,
            }
        )
        row = service.create_template(uow, body)
    except ValidationError as exc:
        return _list(request, uow, data, {str(e["loc"][0]): e["msg"] for e in exc.errors()}, 422)
    except BohError as exc:
        uow.rollback()
        errs = {str(e.loc[-1]): e.message for e in getattr(exc, "errors", [])} or {"__all__": error_title(exc)}
        return _list(request, uow, data, errs, exc.status)
    uow.commit()
    return redirect(f"/inspections/templates/{row.id}")


@router.post("/templates/import", perm=T_WRITE)
async def template_import(request: Request, file: Annotated[UploadFile | None, File()] = None) -> Response:
    raw = (await file.read(2_000_001)) if file is not None else b""
    return await run_in_threadpool(_import, request, raw)


def _import(request: Request, raw: bytes) -> Response:
    with request_uow(request) as uow:
        try:
            doc = TemplateExport.model_validate(json.loads(raw or b"null"))
            row, _created = service.import_template(uow, doc, publish_it=False)
        except (ValueError, ValidationError) as exc:
            errs = [FieldError(tuple(e["loc"]), e["msg"]) for e in exc.errors()] if isinstance(exc, ValidationError) \
                else [FieldError(("file",), _("The file is not a BOH template export (JSON)."))]  # fmt: skip
            return _list(request, uow, {}, {}, 422, errs)
        except BohError as exc:
            uow.rollback()
            return _list(request, uow, {}, {}, exc.status, list(getattr(exc, "errors", [])) or
                         [FieldError(("file",), error_title(exc))])  # fmt: skip
        uow.commit()
    response = redirect(f"/inspections/templates/{row.id}")
    flash(response, _("Template imported as a draft: check it and publish it."))
    return response


# --- the builder --------------------------------------------------------------------------------------


def _options_text(options: list[dict[str, Any]]) -> str:
    return "\n".join("|".join([o["key"], o["label"], o.get("label_zh") or "", str(o.get("points", "0")),
                               "fails" if o.get("fails") else ""]).rstrip("|") for o in options)  # fmt: skip


def _parse_options(text: str) -> list[dict[str, Any]]:
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        parts += [""] * (5 - len(parts))
        out.append({"key": parts[0], "label": parts[1] or parts[0], "label_zh": parts[2] or None,
                    "points": parts[3] or "0", "fails": parts[4].lower() in ("fails", "fail", "x", "1")})  # fmt: skip
    return out


def _item_from(data: dict[str, str], p: str, existing: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {f: (data.get(f"{p}_{f}") or None) for f in ITEM_FIELDS}
    item = {k: v for k, v in item.items() if v is not None}
    for flag in FLAGS:
        item[flag] = data.get(f"{p}_{flag}") == "on"
    if item.get("kind") == "choice":
        item["options"] = _parse_options(data.get(f"{p}_options", ""))
    show = data.get(f"{p}_show_item")
    if show:
        when = data.get(f"{p}_show_when") or "failed"
        values = [v.strip() for v in (data.get(f"{p}_show_values") or "").split(",") if v.strip()]
        item["show_if"] = {"item": show, "equals": values} if when == "equals" else \
            {"item": show, "failed": when == "failed"}  # fmt: skip
    item["reference_photos"] = existing.get("reference_photos", [])
    return item


def definition_from_form(data: dict[str, str], draft: dict[str, Any]) -> dict[str, Any]:
    """The definition the builder's fields describe (reference photos kept from the draft by item key)."""
    old = {i["key"]: i for s in draft.get("sections", []) for i in s.get("items", [])}
    sections = []
    for si in range(int(data.get("sections") or 0)):
        items = []
        for ii in range(int(data.get(f"s{si}_items") or 0)):
            p = f"s{si}_i{ii}"
            if data.get(f"{p}_removed") == "1":
                continue
            items.append(_item_from(data, p, old.get(data.get(f"{p}_key", ""), {})))
        sections.append({"key": data.get(f"s{si}_key") or f"section-{si + 1}", "title": data.get(f"s{si}_title", ""),
                         "title_zh": data.get(f"s{si}_title_zh") or None, "items": items})  # fmt: skip
    return {"pass_score": data.get("pass_score") or "80", "sections": sections}


def _field_of(loc: tuple[Any, ...]) -> str:
    """('definition', 'sections', 0, 'items', 1, 'max') -> 's0_i1_max' (the builder's field name)."""
    parts = [p for p in loc if p != "definition"]
    if len(parts) >= 5 and parts[0] == "sections" and parts[2] == "items":
        return f"s{parts[1]}_i{parts[3]}_{parts[4]}"
    if len(parts) >= 3 and parts[0] == "sections":
        return f"s{parts[1]}_{parts[2]}"
    return str(parts[0]) if parts else "__all__"


def _builder(request: Request, uow: UnitOfWork, template_id: int, draft: dict[str, Any], meta: dict[str, Any],
             errors: dict[str, str], status: int = 200) -> HTMLResponse:  # fmt: skip
    t = queries.get_template(uow.session, uow.tenant_id, template_id)
    keys = [i["key"] for s in draft.get("sections", []) for i in s.get("items", [])]
    ctx = {"t": t, "draft": draft, "meta": meta, "errors": errors, "kinds": KINDS, "severities": SEVERITIES,
           "keys": keys, "options_text": _options_text, "can_write": uow.principal.can(T_WRITE),
           "client_id": uuid.uuid4().hex}  # fmt: skip
    return render(request, "inspections/builder.html", ctx, status_code=status)


@router.get("/templates/{template_id}", perm=T_READ)
def builder(request: Request, uow: UowDep, template_id: int) -> HTMLResponse:
    row = template_row(uow, template_id)
    meta = {"name": row.name, "name_zh": row.name_zh, "formats": ", ".join(row.formats)}
    return _builder(request, uow, template_id, row.draft, meta, {})


def _apply_op(op: str, d: dict[str, Any]) -> None:
    """Structural edits of the form's buttons: add an item or a section."""
    if op == "add_section":
        d["sections"].append({"key": f"section-{secrets.token_hex(3)}", "title": "", "items": []})
    elif op.startswith("add_item:"):
        si = int(op.split(":")[1])
        if 0 <= si < len(d["sections"]):
            d["sections"][si]["items"].append({"key": f"item-{secrets.token_hex(3)}", "kind": "yes_no", "text": ""})


SAFE: dict[str, Any] = {
    "text": "?",
    "title": "?",
    "weight": "1",
    "min": None,
    "max": None,
    "scale_max": 5,
    "pass_min": None,
    "kind": "text",
    "key": None,
    "options": [],
    "show_if": None,
    "severity": "medium",
    "pass_score": "80",
}


def all_problems(draft: dict[str, Any]) -> dict[str, str]:
    """Every problem of the builder's fields at once: the field errors first (each bad field is set aside with a
    harmless value so that the rest can be checked), then the definition's own rules."""
    work = json.loads(json.dumps(draft))
    found: dict[str, str] = {}
    for attempt in range(20):
        try:
            definition = Definition.model_validate(work)
            break
        except ValidationError as exc:
            for e in exc.errors():
                loc = tuple(e["loc"])
                found.setdefault(_field_of(loc), e["msg"].removeprefix("Value error, "))
                _set_aside(work, loc, attempt)
    else:
        return found
    for problem in validate_definition(definition):
        found.setdefault(_field_of(problem.loc), problem.message)
    return found


def _set_aside(work: dict[str, Any], loc: tuple[Any, ...], n: int) -> None:
    node: Any = work
    for part in loc[:-1]:
        if isinstance(node, dict | list) and (part in node if isinstance(node, dict) else part < len(node)):
            node = node[part]
        else:
            return
    last = loc[-1]
    if not isinstance(node, dict):
        return
    value = f"set-aside-{n}-{len(node)}" if last == "key" else SAFE.get(str(last))
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


@router.post("/templates/{template_id}", perm=T_WRITE)
def builder_save(request: Request, uow: UowDep, template_id: int, data: FormDep) -> Response:
    row = template_row(uow, template_id)
    draft = definition_from_form(data, row.draft)
    meta = {"name": data.get("name") or row.name, "name_zh": data.get("name_zh") or None,
            "formats": data.get("formats", "")}  # fmt: skip
    op = data.get("op") or "save"
    if op != "save" and op != "publish":
        _apply_op(op, draft)
        return _builder(request, uow, template_id, draft, meta, {})
    errors = all_problems(draft)
    if errors:
        return _builder(request, uow, template_id, draft, meta, errors, 422)
    try:
        definition = Definition.model_validate(draft)
        formats = [f.strip() for f in str(meta["formats"] or "").split(",") if f.strip()]
        update = TemplateUpdate(name=meta["name"], formats=formats, definition=definition)
        if meta["name_zh"]:
            update = update.model_copy(update={"name_zh": meta["name_zh"]})
        service.update_template(uow, template_id, update)
        if op == "publish":
            service.publish(uow, template_id)
    except ValidationError as exc:
        return _builder(request, uow, template_id, draft, meta, {_field_of(tuple(e["loc"])): e["msg"]
                                                                   for e in exc.errors()}, 422)  # fmt: skip
    except BohError as exc:
        uow.rollback()
        errs = {_field_of(e.loc): e.message for e in getattr(exc, "errors", [])} or {"__all__": error_title(exc)}
        return _builder(request, uow, template_id, draft, meta, errs, exc.status)
    uow.commit()
    response = redirect(f"/inspections/templates/{template_id}")
    flash(response, _("Published as a new version.") if op == "publish" else _("Draft saved."))
    return response


@router.post("/templates/{template_id}/photos", perm=T_WRITE)
async def reference_photo(
    request: Request, template_id: int, file: Annotated[UploadFile | None, File()] = None
) -> Response:  # fmt: skip
    form = await request.form()
    item_key = str(form.get("item_key") or "")
    client_id = str(form.get("client_id") or uuid.uuid4().hex)[:64]
    data = await read_photo(file) if file is not None else b""
    return await run_in_threadpool(_reference, request, template_id, item_key, data, client_id)


def _reference(request: Request, template_id: int, item_key: str, data: bytes, client_id: str) -> Response:
    with request_uow(request) as uow:
        row = template_row(uow, template_id)
        response = redirect(f"/inspections/templates/{template_id}")
        draft = json.loads(json.dumps(row.draft))
        item = next((i for s in draft["sections"] for i in s["items"] if i["key"] == item_key), None)
        if item is None or not data:
            flash(response, _("Choose an item and a photo."), "error")
            return response
        try:
            photo = service.add_photo(uow, photo_store(request), service.Target(template_id=template_id), data,
                                      client_id)  # fmt: skip
            item["reference_photos"] = [*item.get("reference_photos", []), photo.id][-10:]
            service.update_template(uow, template_id, TemplateUpdate(definition=Definition.model_validate(draft)))
        except BohError as exc:
            uow.rollback()
            flash(response, f"{error_title(exc)}: {exc.detail}", "error")
            return response
        uow.commit()
    flash(response, _("Reference photo added to the draft."))
    return response
