"""What certificates tell people: the expiry notifications, and the labels of certificate types, receipt
actions and statuses (msgids marked for Babel)."""

from __future__ import annotations

from boh.http.pages import N_

TYPES: dict[str, str] = {
    "food_safety": N_("Food safety"),
    "organic": N_("Organic"),
    "halal": N_("Halal"),
    "business_licence": N_("Business licence"),
    "food_licence": N_("Food licence"),
    "other": N_("Other certificate"),
}
ACTIONS: dict[str, str] = {"block": N_("Block the receipt"), "quarantine": N_("Quarantine the lots")}
STATUSES: dict[str, str] = {"active": N_("Active"), "revoked": N_("Revoked")}
LABELS = {"types": TYPES, "actions": ACTIONS, "statuses": STATUSES}

EXPIRES = N_("Certificate %(type)s %(number)s of %(supplier)s expires on %(date)s (%(days)s days left)")
EXPIRED = N_("Certificate %(type)s %(number)s of %(supplier)s expired on %(date)s")
# the type inside a notification, in both languages (a notification's params carry {"en", "zh"} pairs)
TYPE_NAMES: dict[str, dict[str, str]] = {
    "food_safety": {"en": "food safety", "zh": "食品安全"},
    "organic": {"en": "organic", "zh": "有机"},
    "halal": {"en": "halal", "zh": "清真"},
    "business_licence": {"en": "business licence", "zh": "营业执照"},
    "food_licence": {"en": "food licence", "zh": "食品经营许可证"},
    "other": {"en": "other", "zh": "其他"},
}
