"""A whole simulation study: the forecasts, both policies swept over their knob (the baseline's days of cover,
BOH's service level) on the same latent demand, the trade-off curves, the comparison at equal waste, and a
few sample series' day-by-day traces for the console.

Periods (day indices of the history): the forecaster's first origin is day ``first_origin``; a *validation*
window picks BOH's operating service level (the one that best meets the target against the baseline at equal
waste); the *test* window, later and disjoint in its measured days, reports the figures at that level. Nothing
is chosen on the test window. Each window starts with ``warmup`` days left out of the metrics (the stock
settles from a neutral start)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from boh.replenishment.simulation import engine, forecast, policies
from boh.replenishment.simulation.data import History

TARGET_TURNOVER, TARGET_STOCKOUT = 1.15, 0.90  # policy / baseline at no more waste
VENDOR_TURNOVER, VENDOR_STOCKOUT = 1.35, 0.78


@dataclass(frozen=True)
class CategoryParams:
    """Replenishment parameters of one category (fresh-goods defaults: daily ordering and delivery next
    morning, three days on the shelf, cases of 0.1 of the data's abstract unit - a tenth of the median series'
    daily demand of 0.7)."""

    shelf_life: int = 3
    lead_time: int = 1
    case_pack: float = 0.1
    order_days: str = "1111111"  # Monday first


@dataclass(frozen=True)
class Study:
    covers: tuple[float, ...] = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0)
    levels: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)
    defaults: CategoryParams = CategoryParams()
    categories: dict[int, CategoryParams] = field(default_factory=dict)
    first_origin: int = 27
    validation: tuple[int, int] = (35, 63)  # simulated days [a, b)
    test: tuple[int, int] = (56, 90)
    warmup: int = 7
    forecast: forecast.ForecastConfig = field(default_factory=forecast.ForecastConfig)
    samples: int = 4  # series whose day-by-day traces are kept
    policies: tuple[str, ...] = ("baseline", "boh")

    def describe(self) -> dict[str, Any]:
        d = asdict(self)
        d["categories"] = {str(k): asdict(v) for k, v in self.categories.items()}
        return d


def params_for(h: History, study: Study) -> engine.Params:
    cats = [study.categories.get(int(c), study.defaults) for c in h.category]
    days = np.array([[ch == "1" for ch in c.order_days] for c in cats], dtype=bool).reshape(h.n, 7)
    return engine.Params(np.array([c.lead_time for c in cats], dtype=np.int64),
                         np.array([c.shelf_life for c in cats], dtype=np.int64),
                         np.array([c.case_pack for c in cats], dtype=float), days)  # fmt: skip


def _interp(curve: list[dict[str, Any]], waste: float, key: str) -> float | None:
    pts = sorted((p["metrics"]["waste_rate"], p["metrics"][key]) for p in curve)
    xs = [x for x, _ in pts]
    if not pts or waste < xs[0] - 1e-12 or waste > xs[-1] + 1e-12:
        return None
    return float(np.interp(waste, xs, [y for _, y in pts]))


def compare(base: list[dict[str, Any]], boh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per BOH point: the baseline's turnover and stockout rate at the same waste (along its cover curve),
    and the ratios; None where the baseline never reaches that waste."""
    rows = []
    for p in boh:
        m = p["metrics"]
        bt = _interp(base, m["waste_rate"], "turnover")
        bs = _interp(base, m["waste_rate"], "stockout_rate")
        row = {"level": p["param"], "waste_rate": m["waste_rate"], "turnover": m["turnover"],
               "stockout_rate": m["stockout_rate"], "baseline_turnover": bt, "baseline_stockout_rate": bs,
               "turnover_ratio": m["turnover"] / bt if bt else None,
               "stockout_ratio": m["stockout_rate"] / bs if bs else None}  # fmt: skip
        rows.append(row)
    return rows


def score(row: dict[str, Any]) -> float:
    """How far a point is from the target on its weaker side (>= 0: the target is met)."""
    if row["turnover_ratio"] is None or row["stockout_ratio"] is None:
        return -np.inf
    return float(min(row["turnover_ratio"] - TARGET_TURNOVER, TARGET_STOCKOUT - row["stockout_ratio"]))


def best_pair(base: list[dict[str, Any]], boh: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Over every (baseline cover, BOH level) pair where BOH wastes no more: the pair nearest the target (for
    the report: it looks at the test window's curves, so it is not the chosen operating point)."""
    best: dict[str, Any] | None = None
    for b in base:
        for p in boh:
            mb, mp = b["metrics"], p["metrics"]
            if mp["waste_rate"] > mb["waste_rate"] or not mb["turnover"] or not mb["stockout_rate"]:
                continue
            row = {"cover": b["param"], "level": p["param"], "turnover_ratio": mp["turnover"] / mb["turnover"],
                   "stockout_ratio": mp["stockout_rate"] / mb["stockout_rate"],
                   "waste_ratio": mp["waste_rate"] / mb["waste_rate"] if mb["waste_rate"] else None}  # fmt: skip
            if best is None or score(row) > score(best):
                best = row
    return best


def _run(h: History, prm: engine.Params, pol: engine.Policy, window: tuple[int, int], warmup: int) -> engine.Trace:
    a, b = window
    init = h.demand[:, max(0, a - 7) : a].mean(axis=1) if a > 0 else None
    return engine.simulate(h.demand, h.sales, h.profile, prm, pol, a, b, h.weekday0, warmup, init)


def _curve(h: History, prm: engine.Params, study: Study, window: tuple[int, int], F: np.ndarray,
           Q: dict[float, dict[int, np.ndarray]], keep: np.ndarray | None = None) -> dict[str, Any]:  # fmt: skip
    groups = {"dc": h.city * 100000 + h.product}
    out: dict[str, Any] = {"baseline": [], "boh": [], "traces": {}}
    runs: list[tuple[str, float, engine.Policy]] = [("baseline", c, policies.Baseline(c)) for c in study.covers]
    runs += [("boh", lv, policies.Boh(lv, F, Q[lv])) for lv in study.levels]
    for kind, param, pol in runs:
        tr = _run(h, prm, pol, window, study.warmup)
        cats = {str(k): v for k, v in engine.by_group(tr, h.category).items()}
        out[kind].append({"param": param, "metrics": engine.metrics(tr, groups), "categories": cats})
        if keep is not None:
            out["traces"][f"{kind}:{param}"] = {k: getattr(tr, k)[keep][:, tr.warmup :].round(4).tolist()
                                                for k in ("closing", "orders", "lost", "waste", "demand")}  # fmt: skip
    return out


def run(h: History, study: Study = Study(), log: Any = None) -> dict[str, Any]:
    """The whole study: curves on both windows, the comparison, the chosen level and the test figures."""
    say = log or (lambda *_: None)
    t0 = time.perf_counter()
    prm = params_for(h, study)
    horizon = int((prm.lead + prm.shelf).max()) + 7
    F = forecast.forecasts(h, study.first_origin, horizon, study.forecast)
    protect = sorted({int(p) for wd in range(7) for p in np.unique(prm.lead + prm.review(wd))})
    Qp = {p: forecast.quantile_sums(F, h.demand, p, list(study.levels), study.first_origin, study.forecast)
          for p in protect}  # fmt: skip
    Q = {lv: {p: Qp[p][lv] for p in protect} for lv in study.levels}
    t_fc = time.perf_counter() - t0
    say(f"forecasts and quantiles: {t_fc:.1f}s")
    ta, tb = study.test
    measured = range(ta + study.warmup - 2, tb - 2)
    in_stock = h.out_hours == 0
    wape_all = forecast.wape(F, h.demand, 2, measured)
    num = den = 0.0
    for o in measured:
        d = o + 2
        m = in_stock[:, d]
        num += float(np.abs(h.demand[m, d] - F[o, m, 1]).sum())
        den += float(h.demand[m, d].sum())
    rng = np.random.default_rng(7)
    keep = np.sort(rng.choice(h.n, size=min(study.samples, h.n), replace=False))
    val = _curve(h, prm, study, study.validation, F, Q)
    say(f"validation window: {time.perf_counter() - t0:.1f}s")
    test = _curve(h, prm, study, study.test, F, Q, keep)
    say(f"test window: {time.perf_counter() - t0:.1f}s")
    cmp_val, cmp_test = compare(val["baseline"], val["boh"]), compare(test["baseline"], test["boh"])
    chosen = max(cmp_val, key=score)["level"] if cmp_val else None
    at = next((r for r in cmp_test if r["level"] == chosen), None)
    boh_pt = next((p for p in test["boh"] if p["param"] == chosen), None)
    ma, mb = ta + study.warmup, tb
    recorded = {"stockout_hours_rate": float(h.out_hours[:, ma:mb].mean() / 16),
                "stockout_rate": float((h.out_hours[:, ma:mb] > 0).mean()),
                "fill_rate": float(h.sales[:, ma:mb].sum() / max(h.demand[:, ma:mb].sum(), 1e-12))}  # fmt: skip
    return {
        "study": study.describe(), "series": h.n, "days": [str(d.date()) for d in h.days],
        "seconds": round(time.perf_counter() - t0, 1), "forecast_seconds": round(t_fc, 1),
        "forecast_wape_2d": wape_all, "forecast_wape_2d_in_stock": num / den if den else None,
        "validation": {"baseline": val["baseline"], "boh": val["boh"], "compare": cmp_val},
        "test": {"baseline": test["baseline"], "boh": test["boh"], "compare": cmp_test},
        "chosen_level": chosen, "at_chosen": at, "boh_at_chosen": boh_pt["metrics"] if boh_pt else None,
        "best_test_score": max((score(r) for r in cmp_test), default=None),
        "no_more_waste": best_pair(test["baseline"], test["boh"]),
        "recorded": recorded, "traces": test["traces"],
        "samples": [{"store": int(h.store[i]), "product": int(h.product[i]), "category": int(h.category[i])}
                    for i in keep],
        "trace_days": [str(d.date()) for d in h.days[ta + study.warmup : tb]],
    }  # fmt: skip


def summary_lines(res: dict[str, Any]) -> list[str]:
    """The figures as text (the CLI and the bench print them)."""
    lines = [f"{res['series']} series, forecasts WAPE 2 days ahead {res['forecast_wape_2d']:.3f} "
             f"(in-stock days {res['forecast_wape_2d_in_stock'] or float('nan'):.3f})"]  # fmt: skip
    for kind, label, key in (("baseline", "baseline cover", "days"), ("boh", "BOH level", "")):
        lines.append(f"-- {label} (test window) --")
        for p in res["test"][kind]:
            m = p["metrics"]
            lines.append(
                f"  {p['param']:>5} turnover {m['turnover']:7.1f}/yr  stock {m['days_of_cover']:.2f} d  "
                f"fill {m['fill_rate']:.3f}  stockout days {m['stockout_rate']:.3f}  "
                f"hours {m['stockout_hours_rate']:.3f}"
                f"  lost {m['lost_rate']:.3f}  waste {m['waste_rate']:.3f}  lines {int(m['order_lines'])}"
                f"  bullwhip store {m['bullwhip_store']:.2f} dc {m.get('bullwhip_dc', float('nan')):.2f}"
            )  # fmt: skip
        del key
    a = res["at_chosen"]
    rec = res["recorded"]
    if a is not None:
        lines.append(f"chosen level (validation) {res['chosen_level']}: at equal waste {a['waste_rate']:.3f} turnover x"
                     f"{_f(a['turnover_ratio'])} stockout item-days x{_f(a['stockout_ratio'])} "
                     f"(target x{TARGET_TURNOVER} and x{TARGET_STOCKOUT}; "
                     f"vendor x{VENDOR_TURNOVER} and x{VENDOR_STOCKOUT})")  # fmt: skip
    if res.get("no_more_waste"):
        b = res["no_more_waste"]
        lines.append(f"best pair with no more waste (test curves, for reference): level {b['level']} vs cover "
                     f"{b['cover']}: turnover x{_f(b['turnover_ratio'])} "
                     f"stockout item-days x{_f(b['stockout_ratio'])}")  # fmt: skip
    lines.append(f"chain as recorded: stockout hours {rec['stockout_hours_rate']:.3f}, item-days with a stockout "
                 f"{rec['stockout_rate']:.3f}, sales/latent demand {rec['fill_rate']:.3f}")  # fmt: skip
    return lines


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def levels_arg(text: str | None, default: Sequence[float]) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(",") if x.strip()) if text else tuple(default)
