"""Template use cases: create, edit the draft, publish a version, import and export as JSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from boh.inspections import models
from boh.inspections.definition import Definition, validate_definition
from boh.inspections.schemas import TemplateCreate, TemplateExport, TemplateUpdate
from boh.inspections.service._common import T_WRITE, template
from boh.kernel.errors import Conflict, FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.org.api import region_refs


def _dump(d: Definition) -> dict[str, Any]:
    return d.model_dump(mode="json")


def _check(uow: UnitOfWork, d: Definition, region_ids: list[int], template_id: int | None) -> None:
    """Every problem of the definition and the region references, at once."""
    errors = validate_definition(d)
    known = {r.id for r in region_refs(uow.session, uow.tenant_id)}
    errors += [
        FieldError(("region_ids", i), f"region {rid} not found", "unknown_reference")
        for i, rid in enumerate(region_ids)
        if rid not in known
    ]
    photo_ids = {pid for item in d.items() for pid in item.reference_photos}
    if photo_ids:
        own: set[int] = set()
        if template_id is not None:
            own = set(
                uow.session.scalars(
                    select(models.Photo.id).where(
                        models.Photo.tenant_id == uow.tenant_id, models.Photo.template_id == template_id
                    )
                )
            )
        errors += [
            FieldError(("definition", "reference_photos"), f"photo {pid} is not a photo of this template",
                       "unknown_reference")
            for pid in sorted(photo_ids - own)
        ]  # fmt: skip
    if errors:
        raise ValidationFailed(errors)


def create_template(uow: UnitOfWork, body: TemplateCreate) -> models.Template:
    uow.principal.scope(T_WRITE)
    _check(uow, body.definition, body.region_ids, None)
    exists = uow.session.scalars(
        select(models.Template.id).where(models.Template.tenant_id == uow.tenant_id, models.Template.code == body.code)
    ).first()
    if exists is not None:
        raise ValidationFailed([FieldError(("code",), f"a template with code {body.code} exists", "duplicate")])
    row = models.Template(
        tenant_id=uow.tenant_id, code=body.code, name=body.name, name_zh=body.name_zh, formats=body.formats,
        region_ids=body.region_ids, draft=_dump(body.definition), latest_version=0, active=True,
    )  # fmt: skip
    uow.session.add(row)
    uow.flush()
    uow.audit("inspections.template.create", "inspections_template", row.id, after={"code": row.code})
    return row


def update_template(uow: UnitOfWork, template_id: int, body: TemplateUpdate) -> models.Template:
    uow.principal.scope(T_WRITE)
    row = template(uow, template_id, lock=True)
    changes = body.model_dump(exclude_unset=True)
    definition = body.definition if "definition" in changes else None
    _check(uow, definition or Definition.model_validate(row.draft), changes.get("region_ids", row.region_ids), row.id)
    before = {k: getattr(row, k) for k in changes if k != "definition"}
    for key, value in changes.items():
        if key == "definition":
            row.draft = _dump(body.definition) if body.definition else row.draft
        else:
            setattr(row, key, value)
    uow.flush()
    after = {k: getattr(row, k) for k in changes if k != "definition"}
    if definition is not None:
        before["draft"], after["draft"] = "…", "changed"
    uow.audit("inspections.template.update", "inspections_template", row.id, before=before, after=after)
    return row


def latest_version(uow: UnitOfWork, template_id: int) -> models.TemplateVersion | None:
    return uow.session.scalars(
        select(models.TemplateVersion)
        .where(models.TemplateVersion.template_id == template_id, models.TemplateVersion.tenant_id == uow.tenant_id)
        .order_by(models.TemplateVersion.version.desc())
        .limit(1)
    ).first()


def publish(uow: UnitOfWork, template_id: int) -> models.TemplateVersion:
    """Freeze the draft as the next version (a draft equal to the latest version publishes nothing new)."""
    uow.principal.scope(T_WRITE)
    row = template(uow, template_id, lock=True)
    definition = Definition.model_validate(row.draft)
    _check(uow, definition, row.region_ids, row.id)
    latest = latest_version(uow, row.id)
    if latest is not None and latest.definition == _dump(definition):
        return latest
    version = models.TemplateVersion(
        tenant_id=uow.tenant_id, template_id=row.id, version=row.latest_version + 1, definition=_dump(definition),
        published_by=uow.principal.actor,
    )  # fmt: skip
    uow.session.add(version)
    row.latest_version = version.version
    uow.flush()
    uow.audit("inspections.template.publish", "inspections_template", row.id, after={"version": version.version})
    return version


def export_template(uow: UnitOfWork, template_id: int) -> TemplateExport:
    row = template(uow, template_id)
    codes = {r.id: r.code for r in region_refs(uow.session, uow.tenant_id)}
    return TemplateExport(
        code=row.code, name=row.name, name_zh=row.name_zh, formats=list(row.formats),
        regions=[codes[r] for r in row.region_ids if r in codes],
        definition=Definition.model_validate(row.draft),
    )  # fmt: skip


def _strip_photos(d: Definition) -> Definition:
    """Reference photos are ids of this tenant's uploads: they do not travel with an export."""
    data = d.model_dump()
    for section in data["sections"]:
        for item in section["items"]:
            item["reference_photos"] = []
    return Definition.model_validate(data)


def import_template(uow: UnitOfWork, doc: TemplateExport, *, publish_it: bool) -> tuple[models.Template, bool]:
    """Create the template of ``doc``, or replace the draft of the tenant's template with its code (every
    problem reported at once, nothing written on error). Returns (template, created)."""
    uow.principal.scope(T_WRITE)
    by_code = {r.code: r.id for r in region_refs(uow.session, uow.tenant_id)}
    missing = [
        FieldError(("regions", i), f"no region with code {c}", "unknown_reference")
        for i, c in enumerate(doc.regions)
        if c not in by_code
    ]
    definition = _strip_photos(doc.definition)
    problems = missing + validate_definition(definition)
    if problems:
        raise ValidationFailed(problems)
    region_ids = [by_code[c] for c in doc.regions]
    existing = uow.session.scalars(
        select(models.Template).where(models.Template.tenant_id == uow.tenant_id, models.Template.code == doc.code)
    ).first()
    if existing is None:
        body = TemplateCreate(code=doc.code, name=doc.name, name_zh=doc.name_zh, formats=doc.formats,
                              region_ids=region_ids, definition=definition)  # fmt: skip
        row, created = create_template(uow, body), True
    else:
        fields: dict[str, Any] = {"name": doc.name, "formats": doc.formats, "region_ids": region_ids}
        if doc.name_zh is not None:
            fields["name_zh"] = doc.name_zh
        update = TemplateUpdate(**fields, definition=definition)
        row, created = update_template(uow, existing.id, update), False
    if publish_it:
        publish(uow, row.id)
    return row, created


def require_published(uow: UnitOfWork, template_id: int) -> models.TemplateVersion:
    version = latest_version(uow, template_id)
    if version is None:
        raise Conflict(f"template {template_id} has no published version", code="inspections.template_not_published")
    return version
