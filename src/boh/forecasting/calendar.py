"""Public holidays and festivals per country (the ``holidays`` package): a daily calendar frame the models use
as features. China gets the Spring Festival effect (the week before it, when shopping peaks, and the days
off after it) on top of the public holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd


def holiday_days(country: str, start: date, end: date) -> dict[date, str]:
    import holidays

    years = list(range(start.year, end.year + 1))
    try:
        cal = holidays.country_holidays(country.upper(), years=years)
    except (NotImplementedError, KeyError):
        return {}
    return {d: str(n) for d, n in sorted(cal.items()) if start <= d <= end}


def spring_festival(year: int) -> date | None:
    import holidays

    days = holidays.country_holidays("CN", years=[year], language="en_US")
    spring = [d for d, name in days.items() if "Spring Festival" in str(name) or "Chinese New Year" in str(name)]
    return min(spring) if spring else None


def calendar_frame(country: str, start: date, end: date) -> pd.DataFrame:
    """ds, holiday (1 on a public holiday), festival (China: 1 in the 7 days before the Spring Festival, 2 on
    its days off)."""
    days = pd.date_range(start, end, freq="D")
    hol = holiday_days(country, start, end)
    out = pd.DataFrame({"ds": days, "holiday": [1.0 if d.date() in hol else 0.0 for d in days]})
    out["festival"] = 0.0
    if country.upper() == "CN":
        for y in range(start.year, end.year + 2):
            sf = spring_festival(y)
            if sf is None:
                continue
            before = (out["ds"].dt.date >= sf - timedelta(days=7)) & (out["ds"].dt.date < sf)
            off = (out["ds"].dt.date >= sf) & (out["ds"].dt.date <= sf + timedelta(days=6))
            out.loc[before, "festival"] = 1.0
            out.loc[off, "festival"] = 2.0
    return out
