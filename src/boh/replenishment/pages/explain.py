"""A line's explanation (the structured JSON of ``domain.compute_line``) in words, in the reader's language:
one sentence per part (cover period, forecast and promotion uplift, safety stock, stock position, raw need),
then each rounding or constraint in the order applied with its before and after, then the binding one."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from boh.http.pages import N_

Gettext = Callable[[str], str]

BINDING = {
    "case_round": N_("case rounding"), "pallet_round": N_("pallet rounding"), "moq": N_("minimum order quantity"),
    "moq_wait": N_("minimum order quantity (wait)"), "shelf_capacity": N_("shelf capacity"),
    "shelf_life": N_("shelf life"), "budget": N_("budget"),
}  # fmt: skip
METHODS = {"order_up_to": N_("order up to"), "min_max": N_("min/max"), "fixed_qty": N_("fixed quantity")}
STEPS = {
    ("case_round", "up"): N_("Rounded to the nearest case of %(case)s: %(before)s → %(after)s"),
    ("case_round", "down"): N_("Rounded to the nearest case of %(case)s: %(before)s → %(after)s"),
    ("case_round", "exact"): N_("Already whole cases of %(case)s: %(after)s"),
    ("case_round", "up_protect"): N_(
        "Rounded up to a case of %(case)s (rounding down would run out before the next delivery): "
        "%(before)s → %(after)s"),
    ("pallet_round", "up"): N_("Rounded to the nearest pallet of %(pallet)s: %(before)s → %(after)s"),
    ("pallet_round", "down"): N_("Rounded to the nearest pallet of %(pallet)s: %(before)s → %(after)s"),
    ("pallet_round", "exact"): N_("Already whole pallets of %(pallet)s: %(after)s"),
    ("pallet_round", "up_protect"): N_(
        "Rounded up to a pallet of %(pallet)s (rounding down would run out before the next delivery): "
        "%(before)s → %(after)s"),
    ("moq", None): N_("Raised to the minimum order quantity %(moq)s: %(before)s → %(after)s"),
    ("moq_wait", None): N_(
        "Less than half the minimum order quantity %(moq)s and the stock covers the period: wait for the next "
        "order day (%(before)s → 0)"),
    ("shelf_capacity", None): N_("Capped by the shelf capacity %(max_qty)s: %(before)s → %(after)s"),
    ("shelf_life", None): N_(
        "Capped to what sells within %(shelf_life_days)s days of shelf life (%(sellable)s): %(before)s → %(after)s"),
    ("budget", None): N_("Trimmed to the budget %(budget)s: %(before)s → %(after)s"),
}  # fmt: skip
REASONS = {
    "above_min": N_("The stock position is above the minimum: nothing to order."),
    "above_reorder_point": N_("The stock position is above the reorder point: nothing to order."),
    "min_max_unset": N_("Min/max policy without a minimum and maximum on the assortment."),
}


def num(value: Any) -> str:
    """A quantity as people write it: no trailing zeros (12.500 -> 12.5, 36.000 -> 36)."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{d.normalize():f}"
    return text


def render(expl: dict[str, Any], _: Gettext) -> list[str]:
    """The explanation as sentences in the language of ``_``."""
    if not expl:
        return []
    out: list[str] = []
    c, f, s, p = expl["cover"], expl["forecast"], expl["safety"], expl["position"]
    if int(c.get("lead_time_samples") or 0) > 0:
        out.append(_("Lead time %(lead)s days (± %(std)s, from %(n)s deliveries) + review period %(review)s days "
                     "= %(days)s days of cover") % {"lead": num(c["lead_time_days"]), "std": num(c["lead_time_std"]),
                                                   "n": c["lead_time_samples"], "review": c["review_days"],
                                                   "days": c["days"]})  # fmt: skip
    else:
        out.append(_("Lead time %(lead)s days (supplier's nominal) + review period %(review)s days = %(days)s days "
                     "of cover") % {"lead": num(c["lead_time_days"]), "review": c["review_days"],
                                    "days": c["days"]})  # fmt: skip
    dl = expl.get("delivery")
    if dl:
        out.append(_("The site takes deliveries only on its receiving days: arrival moved %(n)s day(s) to %(day)s")
                   % {"n": dl["moved_days"], "day": dl["arrival"]})  # fmt: skip
    out.append(_("Forecast over the cover period (%(start)s to %(end)s): %(qty)s (%(daily)s a day)")
               % {"start": c["from"], "end": c["to"], "qty": num(f["cover"]), "daily": num(f["daily"])})  # fmt: skip
    if f.get("baseline") is not None:
        promo = N_("Promotion: %(pct)s %% above the last 4 weeks' sales (%(base)s over the same days)")
        usual = N_("Last 4 weeks' sales over the same days: %(base)s (forecast %(pct)s %% against them)")
        key = promo if f.get("promo") else usual
        out.append(_(key) % {"base": num(f["baseline"]), "pct": num(f.get("uplift_pct") or "0")})
    if s["source"] == "assortment":
        out.append(_("Safety stock %(ss)s: the minimum set for this item at this site (the forecast alone gives "
                     "%(stat)s)") % {"ss": num(s["safety_stock"]), "stat": num(s["statistical"])})  # fmt: skip
    else:
        out.append(_("Safety stock %(ss)s for a %(sl)s %% service level (z = %(z)s × spread %(sigma)s over the cover "
                     "period; %(daily)s a day from the forecast's quantiles)")
                   % {"ss": num(s["safety_stock"]), "sl": num(Decimal(s["service_level"]) * 100), "z": s["z"],
                      "sigma": num(s["sigma_cover"]), "daily": num(s["sigma_daily"])})  # fmt: skip
    out.append(_("Stock position %(pos)s = on hand %(oh)s + on order %(oo)s + in transit %(it)s − reserved %(res)s "
                 "− expiring before arrival %(exp)s")
               % {"pos": num(p["position"]), "oh": num(p["on_hand"]), "oo": num(p["on_order"]),
                  "it": num(p["in_transit"]), "res": num(p["reserved"]), "exp": num(p["expiring"])})  # fmt: skip
    out.append(_need(expl, _))
    for step in expl.get("steps", []):
        out.append(_step(step, _))
    if expl.get("reason") in REASONS:
        out.append(_(REASONS[expl["reason"]]))
    binding = expl.get("binding")
    if binding:
        out.append(
            _("Suggested %(qty)s, bound by: %(what)s")
            % {"qty": num(expl["qty"]), "what": _(BINDING.get(binding, binding))}
        )
    else:
        out.append(_("Suggested %(qty)s") % {"qty": num(expl["qty"])})
    return out


def _need(expl: dict[str, Any], _: Gettext) -> str:
    vals = {"target": num(expl["target"]), "pos": num(expl["position"]["position"]), "need": num(expl["raw_need"])}
    if expl["method"] == "min_max":
        return _("Min/max: order up to the maximum %(target)s − position %(pos)s = %(need)s") % vals
    if expl["method"] == "fixed_qty":
        return _("Fixed quantity %(need)s when the position is at or below %(target)s") % vals
    return _("Order-up-to level %(target)s (forecast + safety stock) − position %(pos)s = need %(need)s") % vals


def _step(step: dict[str, Any], _: Gettext) -> str:
    detail = step.get("detail", {})
    key = (
        (step["rule"], detail.get("direction"))
        if step["rule"] in ("case_round", "pallet_round")
        else (step["rule"], None)
    )
    msg = STEPS.get(key)
    vals = {k: num(v) for k, v in detail.items() if v is not None} | {
        "before": num(step["before"]),
        "after": num(step["after"]),
    }
    if msg is None:
        return f"{step['rule']}: {vals['before']} → {vals['after']}"
    return _(msg) % vals
