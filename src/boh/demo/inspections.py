"""The demo chain's inspections: three checklists (food safety, display standards, opening checklist), one
inspector per region beside the chain-wide one, planning rules, three months of past inspections with scores
(some stores better kept than others, a few chillers too warm) whose corrective actions are closed, waiting for
review or still open (some overdue), and a plan for the coming quarter. Everything goes through the
inspections services with the clock set to each visit's day, so scores, actions and audit records are real."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.demo.inspections_data import TEMPLATES
from boh.demo.refs import DEMO_PASSWORD, DemoLogin, OrgRefs, UserRefs
from boh.inspections import service
from boh.inspections.api import BlobStore, Definition, Item
from boh.inspections.models import Action
from boh.inspections.schemas import (
    AnswerIn,
    AnswersIn,
    CheckinIn,
    EvidenceIn,
    InspectorIn,
    PlanCreate,
    ReviewIn,
    RuleCreate,
    SubmitIn,
    TemplateExport,
    VisitCreate,
)  # fmt: skip
from boh.kernel.clock import clock, utcnow
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org import service as org_service
from boh.org.api import site_points
from boh.org.schemas import RoleGrant, UserCreate

INSPECTORS = {"EAST": "demo.insp.east", "NORTH": "demo.insp.north", "SOUTH": "demo.insp.south", "SW": "demo.insp.sw"}
NAMES = {"EAST": "吴晓东", "NORTH": "赵建华", "SOUTH": "林雪梅", "SW": "罗志强"}


SIGNED = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
    "RU5ErkJggg=="
)


@dataclass
class InspectionRefs:
    templates: dict[str, int] = field(default_factory=dict)
    inspections: int = 0
    open_actions: int = 0
    planned: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _jpeg(seed: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (480, 360), (120 + seed % 100, 90, 60)).save(out, "JPEG", quality=70)
    return out.getvalue()


def _value(item: Item, good: bool, rng: random.Random) -> Any:
    """A plausible answer: passing when ``good``, failing otherwise."""
    if item.kind == "yes_no":
        return item.pass_value if good else ("no" if item.pass_value == "yes" else "yes")
    if item.kind == "scale":
        return str(rng.randint(3, 5) if good else rng.randint(1, 2))
    if item.kind == "temperature":
        if item.max is not None and item.max < 0:  # a freezer
            return str(Decimal(rng.randint(-23, -19)) if good else Decimal(rng.randint(-15, -10)))
        return str(Decimal(rng.randint(10, 45)) / 10 if good else Decimal(rng.randint(62, 95)) / 10)
    if item.kind == "number":
        top = int(item.max or 0)
        return str(rng.randint(0, top) if good else top + rng.randint(1, 4))
    if item.kind == "choice":
        ok = [o.key for o in item.options if not o.fails]
        bad = [o.key for o in item.options if o.fails]
        return rng.choice(ok) if good or not bad else bad[0]
    if item.kind == "signature":
        return SIGNED
    return None


def _answers(definition: Definition, quality: float, rng: random.Random, key: str) -> list[AnswerIn]:
    """Each item passes with the store's ``quality``; critical ones fail far less often (a few warm chillers)."""
    out = []
    for item in definition.items():
        if item.show_if is not None or item.kind == "photo":
            continue
        chance = 1 - (1 - quality) / 5 if item.critical else quality
        value = _value(item, rng.random() < chance, rng)
        if value is not None:
            out.append(AnswerIn(item_key=item.key, value=value, client_id=f"{key}-{item.key}"))
    return out


def _inspectors(uow: UnitOfWork, org: OrgRefs, users: UserRefs, refs: InspectionRefs) -> dict[str, int]:
    """One inspector per region (region-scoped role and planning profile); the chain-wide demo.inspector too."""
    stores = {s.code: s for s in site_points(uow.session, _scope(uow), kind="store")}
    by_region: dict[str, int] = {}
    for region, username in INSPECTORS.items():
        user = org_service.create_user(uow, UserCreate(
            username=username, display_name=NAMES[region], email=f"{username}@demo.freshnest.example",
            password=DEMO_PASSWORD, locale="zh_CN", roles=[RoleGrant(role="inspector", region_code=region)],
        ))  # fmt: skip
        refs.logins.append(DemoLogin(username, NAMES[region], "inspector", region))
        first = next(stores[c] for c in org.store_codes if org.store_regions.get(c) == region)
        service.put_inspector(uow, user.id, InspectorIn(
            region_id=org.region_ids[region], daily_capacity=3, home_lat=first.latitude, home_lon=first.longitude,
        ))  # fmt: skip
        by_region[region] = user.id
    return by_region  # demo.inspector (chain-wide) makes unplanned visits; the plan is the regional inspectors'


def _scope(uow: UnitOfWork) -> Scope:
    return Scope(uow.tenant_id)


def _rules(uow: UnitOfWork, templates: dict[str, int]) -> None:
    for body in (
        RuleCreate(name="Food safety every month", kind="every_n_days", template_id=templates["FS"], every_days=30),
        RuleCreate(name="Re-inspect food safety below 70 within 14 days", kind="reinspect_below",
                   template_id=templates["FS"], threshold=Decimal(70), within_days=14),
        RuleCreate(name="Display standards every 45 days (unannounced)", kind="every_n_days",
                   template_id=templates["DISPLAY"], site_format="hypermarket", every_days=45, unannounced=True),
        RuleCreate(name="Display standards every 45 days", kind="every_n_days", template_id=templates["DISPLAY"],
                   site_format="supermarket", every_days=45),
        RuleCreate(name="Monthly opening self-check", kind="self_monthly", template_id=templates["OPEN"]),
    ):  # fmt: skip
        service.create_rule(uow, body)


def _visit(uow: UnitOfWork, ctx: dict[str, Any], code: str, tpl: str, day: date, inspector: int, n: int) -> None:
    """One past inspection of store ``code`` on ``day``, answered, photographed and submitted."""
    rng: random.Random = ctx["rng"]
    store = ctx["stores"][code]
    at = datetime.combine(day, time(2 + n % 5, 15 * (n % 4)), tzinfo=UTC)
    key = f"demo-{tpl}-{code}-{day.isoformat()}"
    with clock.frozen(at):
        body = VisitCreate(site_id=store.id, template_id=ctx["templates"][tpl], inspector_id=inspector,
                           scheduled_for=day, idempotency_key=key)  # fmt: skip
        row = service.create_visit(uow, body)
        lat = store.latitude + Decimal(rng.randint(-30, 30)) / 100000
        service.checkin(uow, row.id, CheckinIn(latitude=lat, longitude=store.longitude, accuracy_m=Decimal(12)))
    with clock.frozen(at + timedelta(minutes=25)):
        definition = service.definition_of(uow, row)
        assert definition is not None
        answers = _answers(definition, ctx["quality"][code], rng, key)
        service.save_answers(uow, row.id, AnswersIn(answers=answers))
        if definition.item("chiller_fix") and any(a.item_key == "chiller" and Decimal(str(a.value)) > 5
                                                  for a in answers):  # fmt: skip
            fix = AnswerIn(item_key="chiller_fix", value="Technician called; food moved to the walk-in",
                           client_id=f"{key}-fix")  # fmt: skip
            service.save_answers(uow, row.id, AnswersIn(answers=[fix]))
        if ctx["photos"] is not None and definition.item("counter_photo"):
            target = service.Target(visit_id=row.id, item_key="counter_photo")
            service.add_photo(uow, ctx["photos"], target, _jpeg(row.id), f"{key}-photo")
    with clock.frozen(at + timedelta(minutes=40)):
        service.submit(uow, row.id, SubmitIn())
    ctx["refs"].inspections += 1


def _follow_up(uow: UnitOfWork, ctx: dict[str, Any], today: date) -> None:
    """Older actions closed, some answered and waiting for review, the rest still open (a photo is part of the
    evidence of serious ones: without a photo store they stay open)."""
    rng: random.Random = ctx["rng"]
    rows = uow.session.scalars(select(Action).where(Action.tenant_id == uow.tenant_id).order_by(Action.id)).all()
    for a in rows:
        age = (today - a.due_date).days
        roll = rng.random()
        if "photo" in a.evidence_required:
            if ctx["photos"] is None:
                ctx["refs"].open_actions += 1
                continue
            target = service.Target(action_id=a.id)
            service.add_photo(uow, ctx["photos"], target, _jpeg(a.id + 7), f"demo-evidence-{a.id}")
        if (age > 20 and roll < 0.8) or (age > 0 and roll < 0.35):
            with clock.frozen(a.created_at + timedelta(hours=rng.randint(3, 20))):
                service.submit_evidence(uow, a.id, EvidenceIn(note="Fixed and checked with the team."))
                service.review(uow, a.id, ReviewIn(note="OK"), accept=True)
        elif roll < 0.55:
            service.submit_evidence(uow, a.id, EvidenceIn(note="Done, photo on the shared drive."))
        else:
            ctx["refs"].open_actions += 1


def load_inspections(
    uow: UnitOfWork, seed: int, org: OrgRefs, users: UserRefs, photos: BlobStore | None = None
) -> InspectionRefs:
    refs = InspectionRefs()
    rng = random.Random(f"demo-inspections-{seed}")
    for doc in TEMPLATES:
        row, _created = service.import_template(uow, TemplateExport.model_validate(doc), publish_it=True)
        refs.templates[doc["code"]] = row.id
    inspectors = _inspectors(uow, org, users, refs)
    _rules(uow, refs.templates)
    today = utcnow().date()
    chain_wide = users.user_ids.get("demo.inspector")  # audits some stores too: inspector consistency shows
    ctx = {"rng": rng, "refs": refs, "templates": refs.templates, "photos": photos,
           "stores": {s.code: s for s in site_points(uow.session, _scope(uow), kind="store")},
           "quality": {c: rng.uniform(0.62, 0.98) for c in org.store_codes}}  # fmt: skip
    n = 0
    for code in org.store_codes:
        region = org.store_regions[code]
        for k in range(3):  # about monthly food-safety audits over the last quarter
            day = today - timedelta(days=k * 30 + rng.randint(2, 12))
            who = (
                chain_wide if k == 1 and chain_wide is not None and region in ("EAST", "NORTH") else inspectors[region]
            )
            _visit(uow, ctx, code, "FS", day, who, n)
            n += 1
        if org.store_formats.get(code) in ("hypermarket", "supermarket"):
            _visit(uow, ctx, code, "DISPLAY", today - timedelta(days=rng.randint(5, 40)), inspectors[region], n)
            n += 1
    _follow_up(uow, ctx, today)
    plan = service.create_plan(uow, PlanCreate(name="Next quarter", start=today, end=today + timedelta(days=90),
                                               seconds=Decimal(3)))  # fmt: skip
    refs.planned = int(plan.stats.get("planned", 0)) + int(plan.stats.get("self", 0))
    return refs
