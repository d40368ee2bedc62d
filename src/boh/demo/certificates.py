"""The demo chain's supplier certificates: every supplier holds a business licence and a food business
licence; the produce cooperative's organic certificate runs out in 13 days (a warning on the today page
and in the buyers' notifications); the seafood supplier's HACCP food-safety certificate expired 5 days ago,
and the policy quarantines seafood deliveries from a supplier without a valid food-safety certificate (so
its next receipt is taken in with its lots held)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from boh.catalog.certificates import service
from boh.catalog.certificates.schemas import CertificateCreate, RequirementCreate
from boh.catalog.certificates.tasks import warn_expiring
from boh.demo.refs import CatalogRefs
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

ISSUER_LICENCE = "State Administration for Market Regulation (市场监督管理局)"


@dataclass
class CertificateRefs:
    certificates: int = 0
    requirements: int = 0
    warnings: int = 0


def _specs(today: date) -> list[tuple[str, str, str, str, date, date, str | None]]:
    """(supplier, type, number, issuer, valid_from, valid_to, scope) of the special cases."""
    return [
        ("SUP05", "organic", "CN-ORG-2024-0518", "China Quality Certification Centre (中国质量认证中心)",
         today - timedelta(days=352), today + timedelta(days=13), "Vegetables and fruit · 蔬菜与水果"),
        ("SUP08", "food_safety", "HACCP-ZS-2023-117", "SGS China (通标标准技术服务)",
         today - timedelta(days=1100), today - timedelta(days=5), "Frozen and chilled seafood · 冷冻冷藏水产品"),
        ("SUP07", "food_safety", "HACCP-NJ-2025-042", "Bureau Veritas (必维国际检验集团)",
         today - timedelta(days=200), today + timedelta(days=895), "Pork, beef and poultry · 猪牛禽肉"),
        ("SUP09", "food_safety", "ISO22000-SH-2025-009", "China Quality Certification Centre (中国质量认证中心)",
         today - timedelta(days=90), today + timedelta(days=1005), "Pasteurised milk and yoghurt · 巴氏奶与酸奶"),
    ]  # fmt: skip


def load_certificates(uow: UnitOfWork, seed: int, catalog: CatalogRefs) -> CertificateRefs:
    today = utcnow().date()
    refs = CertificateRefs()
    for n, (code, sid) in enumerate(sorted(catalog.supplier_ids.items()), start=1):
        for cert_type, prefix, years in (("business_licence", "91310", 5), ("food_licence", "JY1310", 3)):
            start = today - timedelta(days=300 + 37 * n)
            number = f"{prefix}{seed:02d}{n:04d}{len(code)}"
            data = CertificateCreate(type=cert_type, number=number, issuer=ISSUER_LICENCE,  # type: ignore[arg-type]
                                     valid_from=start, valid_to=start + timedelta(days=365 * years))  # fmt: skip
            service.create_certificate(uow, sid, data)
            refs.certificates += 1
    for code, cert_type, number, issuer, start, end, scope in _specs(today):
        data = CertificateCreate(type=cert_type, number=number, issuer=issuer, valid_from=start, valid_to=end,  # type: ignore[arg-type]
                                 scope_note=scope)  # fmt: skip
        service.create_certificate(uow, catalog.supplier_ids[code], data)
        refs.certificates += 1
    for req in (
        RequirementCreate(type="food_licence", action="block", note="食品经营许可证 required of every supplier"),
        RequirementCreate(type="food_safety", action="quarantine", category_id=catalog.category_ids["SEAFOOD"],
                          note="HACCP or ISO 22000 for seafood · 水产品须有HACCP或ISO 22000认证"),
        RequirementCreate(type="organic", action="quarantine", supplier_id=catalog.supplier_ids["SUP05"],
                          note="Sold as organic · 以有机产品销售"),
    ):  # fmt: skip
        service.create_requirement(uow, req)
        refs.requirements += 1
    refs.warnings = warn_expiring(uow, today)
    return refs
