"""The model code of forecasting: data frames in, data frames out, floats inside (the service turns them into
Decimals at the domain boundary). Nothing here touches the database, so the same functions run in-process, in
a local process pool over the cores, or on a Dask cluster (``run``), and ``bench/forecast.py`` scores them.

The pipeline, per chunk of series (a chunk is the unit of parallel work; chunks are formed the same way
whatever runs them, so a Dask run gives the same numbers as an in-process one):

1. the target is *latent demand*: stockout days are censored, recovered beforehand (``domain``) from the
   in-stock hours' share of the series' hourly profile, or imputed from same-weekday in-stock days;
2. series are classified (ADI / CV², Syntetos-Boylan): smooth ones get LightGBM (mlforecast, global over the
   chunk, with calendar, price/promotion, holiday and weather features) and a day-of-week exponential
   smoothing model; intermittent ones get Croston (optimized), ADIDA, IMAPA and TSB as well;
3. a rolling-origin backtest (``windows`` origins, ``step`` days apart) picks, per series, the candidate
   (or the mean of LightGBM and the best statistical one) with the least absolute error; only the families
   of a series' class are fitted on it;
   optionally (``bias_correction``, off) the chosen forecasts are then scaled by the chunk's ratio of actual
   to forecast demand on the last origin (in-stock periods);
4. quantiles come from conformal residuals of the chosen models in the backtest, pooled in bins of forecast
   size (Mondrian conformal), scored on in-stock days as the forecasts are;
5. series too short to model (new items, new stores) start from their category profile by weekday;
6. the first ``short_horizon`` periods of the modelled series also carry the demand forecast that store ordering
   reads, beside the sales forecast: the daily-ordering model's (``predict_short`` from the origin on the 2-day
   target ``SHORT_TARGET``, demand with stockouts recovered), its quantiles the conformal bands at that mean
   (``demand_days``; model version 1.12 stored it in place of the sales forecast, 1.13 beside it).
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "boh-numba"))

MODEL_VERSION = "boh-forecast-1.13"
QUANTILES: tuple[int, ...] = (10, 50, 80, 90, 95, 99)
EXOG: tuple[str, ...] = (
    "discount", "promo", "display", "holiday", "festival", "event", "temperature", "precipitation",
)  # fmt: skip
NEAR = ("hol_next", "hol_prev")  # holiday proximity (``Config.holiday_window``), added by ``fit_predict``
STATS_SMOOTH = ("dow_ses",)
STATS_INTERMITTENT = ("croston", "adida", "imapa", "tsb")
SEASON = {"D": 7, "W": 52, "h": 24, "H": 24}
# the 2-day model's training target in a history frame when it has this column (production runs: recovered demand,
# ``domain.SHORT_RECOVERY``, as the bench's 2-day model learns it); else ``y``, the 14-day model's
SHORT_TARGET = "y_short"
# ``Config.weekday_calendar``: each series' own country (``static``'s ``country``: its site's) instead of one for all
SITE_CALENDAR = "site"


@dataclass(frozen=True)
class Config:
    horizon: int = 28
    freq: str = "D"
    quantiles: tuple[int, ...] = QUANTILES
    windows: int = 2  # rolling origins of the model-choice backtest
    step: int = 7
    backtest_horizon: int = 14
    # series per chunk (one global LightGBM each): 4000 measured better than 1000 and 2000 on the validation split
    # (4,000 series: 0.331/0.320 -> 0.327/0.317) and costs less CPU (fewer, larger fits; docs/forecasting.md)
    chunk_size: int = 4000
    min_history: int = 56  # fewer days: a new series, forecast from its category profile (scaled to its own level)
    seed: int = 7
    exog: tuple[str, ...] = EXOG
    bins: int = 10  # conformal bins by forecast size
    # LightGBM objective: regression (mean), l1 (median), tweedie (counts: a log link, variance growing with the
    # mean). Chosen on a validation split inside the training data (bench/forecast.py --validate: the 14 days
    # before the hold-out, two samples of 300 series): tweedie had the lowest WAPE and bias (docs/forecasting.md)
    objective: str = "tweedie"
    scale: bool = False  # per-series standard scaling of the target before LightGBM (not with tweedie)
    # residual offsets times this, in the calibration across backtest origins and after it (the calibrated
    # factor is at least 0.8, so this sets how far it may narrow the bands): the backtest's residuals are those of
    # the model chosen on them (optimistic); 1.3 brought the 80/95% coverage of the validation split to nominal
    # on both samples (0.81/0.95 and 0.79/0.94; 1.0 gave 0.80/0.94 and 0.74/0.91), never tuned on the hold-out.
    # (1.4 went with ``holiday_window`` 3 in the seventh round, whose lower forecasts narrowed the bands; both were
    # set aside after a third validation sample, so 1.3 stays: docs/forecasting.md)
    band_widen: float = 1.3
    # a statistical model (or the mean of LightGBM and smoothing) replaces LightGBM only when its backtest MAE is
    # below margin x LightGBM's. 0.3 since the eighth round (b) (0.85 before; validation split, 2,000 series, seeds
    # 0 / 1: WAPE 0.3354 / 0.3077 -> 0.3287 / 0.3046, seed 2 0.3229 -> 0.3190; 0.7, 0.6, 0.5 and 0 gained less
    # on seeds 0 and 1): since the censored days left the loss LightGBM is rarely beaten; smoothing now takes the
    # few series where it fails (7 in 2,000). ``combo_margin``: the mean's own margin (0: ``margin``; 0.85 and 0.7
    # with margin 0.3 were worse); docs/forecasting.md
    margin: float = 0.3
    combo_margin: float = 0.0
    # LightGBM: boosting rounds, learning rate, leaves per tree (127: chosen on the validation split, better than
    # 15/31/63 on both samples; 255 no better on the second). 150 rounds at 0.1 since the fifth round: with two
    # models over the horizon (``horizon_models``) and the rows ``ml_dropna`` keeps, 300 at 0.05 would cost 3.1x
    # the CPU of before (over the 15-minute budget on 50,000 series) for no better WAPE (0.3580/0.3255 against
    # 0.3582/0.3252 at 150); the 2-day model keeps 300 at 0.05 (``short_trees``, ``short_learning_rate``)
    trees: int = 150
    learning_rate: float = 0.1
    leaves: int = 127
    min_child: int = 20  # LightGBM min_child_samples
    # the daily-ordering model (``predict_short``, 1-2 days ahead): the median (l1) with 63 leaves measured best
    # there on the validation split (tweedie and 127 leaves help the 14-day forecast, not this one)
    short_objective: str = "l1"
    short_leaves: int = 63
    short_trees: int = 300
    short_learning_rate: float = 0.05
    # the daily-ordering model is refitted every this many origins (days): 3 measured better than 7 (weekly) on the
    # validation split (0.254/0.236 -> 0.249/0.232) at 2.4x the fitting time; 1 (daily) little better again
    short_refit: int = 3
    short_direct: bool = False  # one model per step ahead (mlforecast max_horizon) instead of recursive steps
    short_level_features: bool = False  # the cross-series level signals (below) in the daily-ordering model
    # lag features: "base" (lags 1, 2, s, 2s; rolling means; the last four same-season periods' mean) or "rich"
    # (also an exponentially weighted mean and the median of the last eight same-season periods)
    # "rich" measured better on the validation split for both models, 14 days (0.338/0.295 -> 0.335/0.292) and
    # 2 days (0.264/0.246 -> 0.254/0.236); docs/forecasting.md
    lag_set: str = "rich"
    short_lag_set: str = "rich"
    # training-sample weights of LightGBM: a half-life in periods (0: every period weighs the same), so the model
    # follows the latest weeks; censored periods (their target is recovered or imputed, not observed) weigh this.
    # 0 since the sixth round: the 14-day model learns from in-stock periods only (their lags still read the filled
    # censored ones), the frame it is scored in. Validation split, 2,000 series, with the item and site ids below:
    # WAPE 0.3582/0.3252 -> 0.3361/0.3111, bias +10.3/+9.9 % -> +0.2/-0.0 % (0.5 and 0.25 halfway; docs/forecasting.md).
    # It forecasts sales on a day in stock, below the latent demand of the days that would stock out. Rows of weight
    # 0 are left out of the fit (``_skipping_lgbm``), not fitted with zero weights: the same loss, at 0.73x the CPU
    # of before (zero weights: 1.4x, LightGBM's weighted l1 leaf renewal)
    recency_halflife: float = 0.0
    censored_weight: float = 0.0
    # the same for the daily-ordering model, which learns and is scored on recovered demand: every day weighs the
    # same (its own setting since the sixth round; not measured otherwise)
    short_censored_weight: float = 1.0
    # cross-series level signals as features: the recent demand of the chain (the chunk), of the series' site,
    # category and site group relative to their last four seasons (known at each origin; frozen after it)
    level_features: bool = False
    # the same signals as mlforecast pooled lag transforms (global / by site group / by category), updated
    # step by step from the forecasts themselves over the horizon rather than frozen at the origin
    pooled_levels: bool = False
    # bias correction: the forecasts times (actual / forecast on the last backtest origin's in-stock periods,
    # over the chunk) to this power (0: none, 1: the whole ratio), the ratio kept within 0.8-1.25. Off: 1.0 won
    # on the validation split (WAPE 0.335/0.292 -> 0.322/0.287, bias +9.0/+4.5 % -> +0.8/-1.1 %) but the hold-out
    # run with it gave bias -14.6 % (the backtest weeks ran above the weeks after them; docs/forecasting.md)
    bias_correction: float = 0.0
    # forecast combination: LightGBM members "objective[:seed]" joined by "+", their mean is the LightGBM forecast
    # (a member without a seed takes ``seed``); empty: one model (``objective``, ``seed``: ``objective`` is used only
    # then). ``short_members``: the same for the 2-day model (empty: one ``short_objective`` model). Chosen on the
    # validation split: tweedie + l1
    # (2,000 series in chunks of 2,000: 0.336/0.305 -> 0.333/0.302) and two l1 seeds for the 2-day model
    # (0.254/0.236 -> 0.253/0.234); docs/forecasting.md, third round
    members: str = "tweedie+l1"
    short_members: str = "l1:7+l1:8"
    # per-series level scaling of LightGBM's target: each series divided by its mean over its last ``level_window``
    # periods before the origin (at least ``level_floor``) and the forecasts multiplied back, so the global model
    # pools shapes rather than levels
    level_scale: bool = False
    level_window: int = 28
    level_floor: float = 0.1
    # with level_scale: each series' rows weigh its level (the loss in units again; the level of the last periods
    # of the frame given, so in the backtest the weights see the windows' days). Neither measured better: both off
    level_weight: bool = False
    # LightGBM over the horizon: routes "start:lags" joined by ",": from step ``start`` on (1 = the first step after
    # the origin), the forecast is the mean of the models whose shortest lag is each of ``lags`` ("+"-joined); a
    # model whose shortest lag is L uses only actual demand for the first L steps (all its lags and rolling
    # statistics start L periods back) and its own forecasts after that. "1:1" (or empty): one recursive model
    # with lags from 1, every step after the first fed its own forecasts. E.g. "1:1,2:7,8:14": step 1 from the
    # recursive model, steps 2-7 from a lag-7 model, 8 on from a lag-14 model (three fits); "1:1+7": the mean of
    # the recursive and the lag-7 model at every step. Each model is the whole ``members`` combination.
    # "1:1+7" chosen in the fifth round (validation split, 2,000 series, with ``ml_dropna`` off and 150 rounds:
    # WAPE 0.3629/0.3299 -> 0.3582/0.3252, bias +11.9/+10.3 % -> +10.3/+9.9 %; the lag-7 model alone 0.3614/0.3294,
    # routed by step no better; docs/forecasting.md)
    horizon_models: str = "1:1+7"
    # drop the training rows whose lag features are not all known yet (a series' first weeks) or keep them
    # (LightGBM takes the missing values as such): with 90 days of history the 4-season rolling mean alone drops
    # the first 28 days of every series, and a model with longer lags drops more. Kept since the fifth round
    # (alone: 0.3629/0.3299 -> 0.3592/0.3281 on the validation split; with the lag-7 model see above)
    ml_dropna: bool = False
    tweedie_power: float = 1.5  # LightGBM's tweedie_variance_power of the tweedie members (1: Poisson, 2: gamma)
    # the static features of the 14-day LightGBM, columns of ``static`` joined by "+" (a column a frame lacks, or a
    # value that is not a number, is -1): "category", "group" (site group/format), "item" (the item's id: the same
    # product across sites), "site". ``static_categorical``: LightGBM takes them as categorical features, not as
    # numbers. "+item+site" as numbers since the sixth round (validation split, 2,000 series, with
    # ``censored_weight`` 0: WAPE 0.3383/0.3136 -> 0.3361/0.3111); categorical scored better with zero weights
    # (0.3361/0.3057 against 0.3363/0.3078 as numbers) but cost 1.7x the CPU of a chunk (as numbers about 4 %),
    # over the 15-minute budget on 50,000 series (docs/forecasting.md). The 2-day model keeps "category+group"
    static_features: str = "category+group+item+site"
    static_categorical: bool = False
    # quantile bands per group of horizon steps: the backtest horizon split into this many equal groups of steps
    # (2: the first and the second week of 14 days), each with its own conformal offsets and calibration (steps
    # beyond the backtest horizon take the last group's); 1: one set of offsets for every step (no better on the
    # validation split at 2: docs/forecasting.md, sixth round)
    band_steps: int = 1
    # seventh round (docs/forecasting.md), each off or at its value before unless taken there:
    # LightGBM's row subsample (bagging fraction, every round) and feature fraction per tree, and its L2 penalty on
    # leaf values (lambda_l2); the regularisation was tuned in the first rounds with censored rows in the fit.
    # Subsample 1.0 (no bagging) since the seventh round: validation split, 2,000 series, WAPE 0.3361/0.3111 ->
    # 0.3354/0.3077 alone, with ``holiday_window`` 3 0.3325/0.3033; feature fraction 0.6 or 1.0, lambda_l2 10,
    # ``min_child`` 50 or 100 and 63 leaves were mixed or worse. The 2-day model keeps ``short_subsample``
    subsample: float = 1.0
    short_subsample: float = 0.8
    colsample: float = 0.8
    lambda_l2: float = 0.0
    # a censored period's training weight from its in-stock share (``domain.stock_share``: the share of its demand
    # profile that was in stock) to this power, instead of ``censored_weight``: a stockout late in the day weighs
    # almost as an in-stock day, one from the morning little; periods too censored to recover keep
    # ``censored_weight``. 0: off. Needs ``demand`` (the recovered demand) in the history
    censored_share_weight: float = 0.0
    # holiday proximity: the periods to the next and since the last holiday (``holiday`` > 0), each capped at this
    # many + 1, as two more covariates of LightGBM (the calendar is known ahead, so the future's too). 0: off.
    # 3 won on seeds 0 and 1 in the seventh round (with subsample 1.0: WAPE 0.3354/0.3077 -> 0.3325/0.3033, bias
    # -0.2/+0.5 % -> -1.6/-1.4 %: the weekend before the Dragon Boat holiday, over-forecast by 4-16 % without it) but
    # put the bias at -3.1 % on a third sample (seed 2) and -2.0 % on the first 4,000 series: off (0), set aside for
    # a calendar of days off (docs/forecasting.md). The 14-day model only
    holiday_window: int = 0
    # product momentum: the item's (all its series in the chunk, as mlforecast pools them by ``item``) mean of the
    # last 2 periods over its mean of the last 7 (a product moving in every store), a lag feature of LightGBM; needs
    # "item" in ``static_features``
    item_momentum: bool = False
    # the item's level: its mean of the last 4 seasons over all its series in the chunk (a target encoding of the
    # product that follows it), a lag feature of LightGBM beside the series' own; needs "item" in ``static_features``
    item_level: bool = False
    # eighth round (docs/forecasting.md): the weekday model (``weekday``: the replenishment replay's forecaster, a
    # level x weekday index x promotion uplift x product momentum model re-fitted weekly, fed the same target) blended
    # into the point forecast, (1 - w) x engine + w x weekday model. ``weekday_blend_2d``: the 2-day model's
    # (``predict_short``), 0.5 since the eighth round (validation split, 2,000 series, seeds 0 / 1: wape_2d
    # 0.3332/0.3083 -> 0.3229/0.2970 with the replay's own inputs, bias -5.2/-5.0 % -> -4.1/-3.8 %).
    # ``weekday_blend``: the 14-day forecast's (``fit_predict``; its quantiles are the conformal bands of the blend's
    # own backtest residuals): with ``margin`` 0.85 every weight tried (0.2-0.5) gained WAPE but put the bias at +2 to
    # +9 %; with ``margin`` 0.3 (which lowers the forecast) 0.2 keeps it at +1.1/+1.3 % for WAPE 0.3287/0.3046 ->
    # 0.3244/0.3015 (0.3: +2.4 %), so 0.2 since model version 1.11 (docs/forecasting.md, "Eighth round (c)").
    # ``weekday_calendar``: the country whose make-up workdays count as Mondays and holidays on a weekday as
    # Saturdays in the weekday model ("": the plain weekday; ``bench/forecast.py`` sets its ``--country``; "site"
    # (``SITE_CALENDAR``): each series' site's country, ``static``'s ``country``, as production runs set it since
    # model version 1.12; a country the ``holidays`` package does not know counts as ""). Daily periods only
    weekday_blend: float = 0.2
    weekday_blend_2d: float = 0.5
    weekday_calendar: str = ""
    # the daily-ordering model in every run (``fit_predict``, so in every chunk however it runs): the first this many
    # periods after the origin also carry its forecast of demand (``predict_short`` from the origin, LightGBM blended
    # with the weekday model by ``weekday_blend_2d``, learnt on demand with stockouts recovered) in the ``demand``
    # columns, with the 14-day model's conformal bands at that mean; store ordering reads them, the 14-day metrics,
    # charts and accuracy the sales forecast (``mean``). 0: no demand columns. Model 1.12 stored it in place of the
    # sales forecast; 1.13 beside it (docs/forecasting.md, "Ninth round": hold-out, 50,000 series, days 1-2 on
    # recovered demand WAPE 0.3076 -> 0.3032, bias -8.1 -> -0.4 %; on in-stock sales 0.2989 -> 0.3279, bias +4.6 ->
    # +13.0 %: it learns demand, the 14-day model in-stock sales); daily periods only
    short_horizon: int = 2
    # the 14-day LightGBM's day-of-week feature as the weekday model counts the days (``weekday.calendar_weekdays``
    # in ``weekday_calendar``'s country: a make-up working day as a Monday, a public holiday's own day on a weekday as
    # a Saturday) instead of the calendar's (eighth round; the 2-day model keeps the calendar's)
    calendar_weekday: bool = False
    # eighth round (b), series by granularity (``domain.granularity``: a series is "fine" when some positive sale
    # of its history is off the chain's count unit, e.g. a weighed item; else a count series). "unit_share" and
    # "fine" may be named in ``static_features`` (computed per chunk from the history's sales, ``y_obs``).
    # ``fine_split``: separate LightGBM fits for the fine and the count series of a chunk; ``fine_members``: the
    # fine series' LightGBM members (as ``members``; set: split fits); ``fine_margin``: the margin by which a
    # statistical model replaces LightGBM on a fine series (0: ``margin``); ``fine_blend``: a fine series'
    # LightGBM forecast mixed with this share of the day-of-week smoothing (``dow_ses``), backtest and final alike
    fine_split: bool = False
    fine_members: str = ""
    fine_margin: float = 0.0
    fine_blend: float = 0.0
    # a fine series' final LightGBM forecast mixed with this share of AutoETS fitted on it (at the origin only:
    # the backtest, so the model choice and the bands, do not see it; AutoETS costs about 27 ms a series)
    fine_ets: float = 0.0

    @property
    def season(self) -> int:
        return SEASON.get(self.freq, 1)

    def describe(self) -> dict[str, Any]:
        return {**asdict(self), "model_version": MODEL_VERSION, "season": self.season}


@dataclass
class Result:
    forecasts: pd.DataFrame  # unique_id, ds, model, mean, q50, q80, ...
    choice: pd.DataFrame  # unique_id, cls, model, backtest MAE per candidate
    residuals: pd.DataFrame = field(default_factory=pd.DataFrame)  # backtest rows (for metrics)


# --- classification and cold start --------------------------------------------------------------------


def classify(hist: pd.DataFrame) -> pd.Series:
    """'intermittent' (ADI >= 1.32: demand on fewer than ~3 days in 4) or 'smooth', per unique_id."""
    g = hist.groupby("unique_id", sort=True)["y"]
    adi = g.size() / g.apply(lambda s: max(int((s > 0).sum()), 1))
    return pd.Series(np.where(adi >= 1.32, "intermittent", "smooth"), index=adi.index, name="cls")


def _profile(hist: pd.DataFrame, static: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Mean daily demand by (category, day of week) over the last four seasons of the modelled series."""
    recent = hist[hist["ds"] > hist["ds"].max() - pd.Timedelta(days=28)]
    recent = recent.merge(static[["unique_id", "category"]], on="unique_id", how="left")
    recent = recent.assign(dow=recent["ds"].dt.dayofweek)
    return recent.groupby(["category", "dow"], dropna=False)["y"].mean().rename("profile").reset_index()


# --- candidates ---------------------------------------------------------------------------------------------


def members(cfg: Config) -> list[tuple[str, int]]:
    """The LightGBM members as (objective, seed): ``cfg.members`` ("objective:seed+..."; a member without a seed
    takes ``cfg.seed``), or the one model of ``cfg.objective``."""
    out = []
    for spec in filter(None, (m.strip() for m in cfg.members.split("+"))):
        objective, _, seed = spec.partition(":")
        out.append((objective or cfg.objective, int(seed) if seed else cfg.seed))
    return out or [(cfg.objective, cfg.seed)]


def horizon_routes(cfg: Config) -> list[tuple[int, tuple[int, ...]]]:
    """``cfg.horizon_models`` as (first step, shortest lags of the models averaged from it), by first step; the
    first route starts at step 1 (the recursive model alone when nothing is set)."""
    routes = []
    for spec in filter(None, (r.strip() for r in cfg.horizon_models.split(","))):
        start, _, lags = spec.partition(":")
        routes.append((int(start), tuple(sorted({int(x) for x in lags.split("+") if x.strip()}))))
    routes.sort()
    if not routes or routes[0][0] != 1 or any(not lags or min(lags) < 1 for _, lags in routes):
        if routes:
            raise ValueError(f"horizon_models {cfg.horizon_models!r}: routes 'start:lag+lag', the first at step 1")
        routes = [(1, (1,))]
    return routes


def statics(cfg: Config) -> list[str]:
    """The static features of LightGBM (``cfg.static_features``)."""
    return [c.strip() for c in cfg.static_features.split("+") if c.strip()]


def _min_lags(cfg: Config) -> list[int]:
    return sorted({lag for _, lags in horizon_routes(cfg) for lag in lags})


def _shifted_lags(lags: list[int], transforms: dict[int, list[Any]], s: int, min_lag: int) -> tuple[list[int], Any]:
    """The lag set of a model whose shortest lag is ``min_lag``: the two periods from ``min_lag`` back and the
    first two whole seasons at or beyond it; the rolling statistics taken ``min_lag`` periods back (those keyed by
    the season: the first whole season at or beyond it)."""
    if min_lag <= 1:
        return lags, transforms
    season = s if s > 1 else 1
    first = -(-min_lag // season) * season  # the first multiple of the season at or beyond min_lag
    shifted = sorted({min_lag, min_lag + 1, first, first + season} if s > 1 else {min_lag, min_lag + 1, min_lag + 2})
    out: dict[int, list[Any]] = {}
    for key, fs in transforms.items():
        out.setdefault(min_lag if key == 1 else max(first, key), []).extend(fs)
    return shifted, out


@functools.cache  # the class is made once; LightGBM is imported only when a model is fitted
def _skipping_lgbm() -> Any:
    """LightGBM's regressor, fitted without the rows of sample weight 0 (and without weights when the rest all
    weigh 1): the same loss as with the zero weights, but LightGBM's l1 objective renews its leaves by weighted
    percentiles whenever weights are given, which measured twice the CPU of an unweighted fit; dropping the rows
    also saves their share of the work (``censored_weight`` 0)."""
    from lightgbm import LGBMRegressor

    class SkippingLGBM(LGBMRegressor):  # type: ignore[misc]
        def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
            if sample_weight is not None:
                weight = np.asarray(sample_weight, dtype=float)
                keep = weight > 0
                if keep.any() and not keep.all():
                    X, y, weight = X[keep], y[keep], weight[keep]
                sample_weight = None if np.all(weight == 1.0) else weight
            return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    return SkippingLGBM


def _lgbm(cfg: Config, min_lag: int = 1) -> Any:
    from mlforecast import MLForecast
    from mlforecast.target_transforms import LocalStandardScaler

    s = cfg.season
    models = {}
    for k, (objective, seed) in enumerate(members(cfg)):
        extra: dict[str, Any] = {"tweedie_variance_power": cfg.tweedie_power} if objective == "tweedie" else {}
        models[f"lgbm_{k}"] = _skipping_lgbm()(
            objective=objective,
            n_estimators=cfg.trees, learning_rate=cfg.learning_rate, num_leaves=cfg.leaves,
            min_child_samples=cfg.min_child, subsample=cfg.subsample, subsample_freq=1,
            colsample_bytree=cfg.colsample, reg_lambda=cfg.lambda_l2, n_jobs=1,
            random_state=seed, deterministic=True, force_col_wise=True, verbose=-1,
            **extra,
        )  # fmt: skip
    transforms: list[Any] = []
    if cfg.scale:
        transforms.append(LocalStandardScaler())
    if cfg.level_scale:
        transforms.append(level_scaler(cfg.level_window, cfg.level_floor))
    lags, lag_transforms = _shifted_lags([1, 2, s, 2 * s] if s > 1 else [1, 2, 3], _lag_transforms(cfg), s, min_lag)
    one_calendar = cfg.calendar_weekday and cfg.freq == "D" and cfg.weekday_calendar != SITE_CALENDAR
    dow: Any = _calendar_dayofweek(cfg.weekday_calendar) if one_calendar else "dayofweek"
    return MLForecast(
        models=models, freq=cfg.freq, lags=lags,
        lag_transforms=lag_transforms,
        date_features=[dow, _doy_sin, _doy_cos], num_threads=1,
        target_transforms=transforms or None,
    )  # fmt: skip


def _combine(frame: pd.DataFrame) -> pd.DataFrame:
    """The members' columns (lgbm_0, lgbm_1, ...) replaced by their mean, ``lgbm``."""
    cols = [c for c in frame.columns if str(c).startswith("lgbm_")]
    return frame.drop(columns=cols).assign(lgbm=frame[cols].mean(axis=1)) if cols else frame


def _route(frames: dict[int, pd.DataFrame], cfg: Config, keys: list[str]) -> pd.DataFrame:
    """One forecast per row from the models by shortest lag (``frames``: keys, ds, lgbm each; the same rows):
    at each step after the origin (counted within ``keys``: a series, and a backtest origin) the mean of the
    models of its route (``horizon_routes``)."""
    lags = sorted(frames)
    out = frames[lags[0]].rename(columns={"lgbm": f"lgbm_l{lags[0]}"})
    if len(lags) == 1 and horizon_routes(cfg) == [(1, (lags[0],))]:
        return out.rename(columns={f"lgbm_l{lags[0]}": "lgbm"})
    for lag in lags[1:]:
        out = out.merge(frames[lag][[*keys, "ds", "lgbm"]].rename(columns={"lgbm": f"lgbm_l{lag}"}),
                        on=[*keys, "ds"], how="left")  # fmt: skip
    out = out.sort_values([*keys, "ds"], kind="stable").reset_index(drop=True)
    step = out.groupby(keys, sort=False).cumcount().to_numpy() + 1
    value = np.full(len(out), np.nan)
    routes = horizon_routes(cfg)
    for k, (start, route_lags) in enumerate(routes):
        end = routes[k + 1][0] if k + 1 < len(routes) else np.inf
        rows = (step >= start) & (step < end)
        value[rows] = out.loc[rows, [f"lgbm_l{lag}" for lag in route_lags]].mean(axis=1).to_numpy()
    return out.drop(columns=[f"lgbm_l{lag}" for lag in lags]).assign(lgbm=value)


def level_scaler(window: int, floor: float) -> Any:
    """An mlforecast target transform: each series divided by its mean over its last ``window`` periods (at
    least ``floor``), fitted on whatever history a fit (or a prediction from new data) gets, and the forecasts
    multiplied back. Built on the local scalers' base classes of coreforecast and mlforecast (private names: a
    version change of either may need a look here; ``tests/forecasting/test_signals.py`` checks it)."""
    from coreforecast.scalers import _BaseLocalScaler as CoreScaler
    from mlforecast.target_transforms import _BaseLocalScaler

    class CoreLevel(CoreScaler):  # type: ignore[misc]
        def fit(self, ga: Any) -> Any:
            data, indptr = np.asarray(ga.data), np.asarray(ga.indptr)
            stats = np.zeros((len(indptr) - 1, 2), dtype=data.dtype)  # (offset, scale): x / level
            for i in range(len(indptr) - 1):
                tail = data[max(indptr[i], indptr[i + 1] - window) : indptr[i + 1]]
                tail = tail[~np.isnan(tail)]
                stats[i, 1] = max(float(tail.mean()) if len(tail) else 0.0, floor)
            self.stats_ = stats
            return self

    class Level(_BaseLocalScaler):  # type: ignore[misc]
        scaler_factory = CoreLevel

    return Level()


def _lag_transforms(cfg: Config) -> dict[int, list[Any]]:
    from mlforecast.lag_transforms import (
        Combine,
        ExpandingMean,
        ExponentiallyWeightedMean,
        RollingMean,
        RollingQuantile,
        SeasonalRollingMean,
        SeasonalRollingQuantile,
    )

    s = cfg.season
    out: dict[int, list[Any]] = {
        1: [RollingMean(s), RollingMean(4 * s), ExpandingMean()],
        s: [SeasonalRollingMean(season_length=s, window_size=4)] if s > 1 else [RollingMean(4)],
    }
    if cfg.pooled_levels:  # the chain's (and each site group's, category's) last period and season over four seasons
        for scope in ({"global_": True}, {"groupby": ["group"]}, {"groupby": ["category"]}):
            for w in (1, s):
                ratio = (RollingMean(w, min_samples=1, **scope), RollingMean(4 * s, min_samples=1, **scope))
                out[1].append(Combine(*ratio, operator.truediv))
    if cfg.item_momentum and "item" in statics(cfg):
        short_long = (RollingMean(2, min_samples=1, groupby=["item"]), RollingMean(s, min_samples=1, groupby=["item"]))
        out[1].append(Combine(*short_long, operator.truediv))
    if cfg.item_level and "item" in statics(cfg):
        out[1].append(RollingMean(4 * s, min_samples=1, groupby=["item"]))
    if cfg.lag_set in ("rich", "rich2"):
        out[1].append(ExponentiallyWeightedMean(alpha=0.3))
        if s > 1:
            out[s].append(SeasonalRollingQuantile(p=0.5, season_length=s, window_size=8, min_samples=2))
    if cfg.lag_set == "rich2":
        out[1] += [ExponentiallyWeightedMean(alpha=0.1), ExponentiallyWeightedMean(alpha=0.6),
                   RollingQuantile(p=0.5, window_size=2 * s, min_samples=1)]  # fmt: skip
    return out


def _calendar_dayofweek(country: str) -> Callable[[pd.DatetimeIndex], Any]:
    """A date feature of mlforecast: the day of week as ``weekday.calendar_weekdays`` counts it in ``country``."""
    from boh.forecasting.weekday import calendar_weekdays

    def dayofweek_calendar(ds: pd.DatetimeIndex) -> Any:
        days, inverse = np.unique(np.asarray(ds, dtype="datetime64[ns]"), return_inverse=True)
        return calendar_weekdays(pd.DatetimeIndex(days), country)[inverse.reshape(-1)]

    return dayofweek_calendar


def _doy_sin(ds: pd.DatetimeIndex) -> Any:
    return np.sin(2 * np.pi * ds.dayofyear / 365.25)


def _doy_cos(ds: pd.DatetimeIndex) -> Any:
    return np.cos(2 * np.pi * ds.dayofyear / 365.25)


def _stats(names: Sequence[str], cfg: Config) -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        AutoETS,
        CrostonOptimized,
        SeasonalExponentialSmoothingOptimized,
        SeasonalNaive,
    )

    s = max(cfg.season, 1)
    make: dict[str, Callable[[], Any]] = {
        "dow_ses": lambda: SeasonalExponentialSmoothingOptimized(season_length=s, alias="dow_ses"),
        "croston": lambda: CrostonOptimized(alias="croston"),
        "adida": lambda: ADIDA(alias="adida"),
        "imapa": lambda: IMAPA(alias="imapa"),
        "tsb": lambda: TSB(alpha_d=0.2, alpha_p=0.2, alias="tsb"),
        "autoets": lambda: AutoETS(season_length=s, alias="autoets"),
        "snaive": lambda: SeasonalNaive(season_length=s, alias="snaive"),
    }
    return StatsForecast(models=[make[n]() for n in names], freq=cfg.freq, n_jobs=1)


def _weighted(cfg: Config) -> bool:
    return (cfg.recency_halflife > 0 or cfg.censored_weight != 1.0 or cfg.censored_share_weight > 0
            or (cfg.level_scale and cfg.level_weight))  # fmt: skip


def censored_weights(hist: pd.DataFrame, cfg: Config) -> np.ndarray:
    """Each period's training weight for being censored: 1 in stock; ``censored_weight`` when censored, or (with
    ``censored_share_weight`` > 0 and ``demand`` given) its in-stock share to that power, ``censored_weight`` when
    too censored to recover."""
    if "in_stock" not in hist.columns:
        return np.ones(len(hist))
    censored = ~hist["in_stock"].astype(bool).to_numpy()
    w = np.where(censored, cfg.censored_weight, 1.0)
    if cfg.censored_share_weight > 0 and "demand" in hist.columns and "y_obs" in hist.columns:
        from boh.forecasting.domain import stock_share

        share = stock_share(hist).to_numpy(dtype=float) ** cfg.censored_share_weight
        w = np.where(censored & ~np.isnan(share), share, w)
    out: np.ndarray = w.astype(float)
    return out


def holiday_distance(frame: pd.DataFrame, window: int) -> pd.DataFrame:
    """unique_id, ds, hol_next (periods to the next holiday: 0 on one), hol_prev (since the last one), each capped
    at ``window`` + 1 (also when none is known), from ``frame``'s ``holiday`` column (history and future together:
    the calendar is known ahead)."""
    f = frame[["unique_id", "ds", "holiday"]].drop_duplicates(["unique_id", "ds"])
    f = f.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    day = f["ds"].where(f["holiday"].fillna(0) > 0)
    g = day.groupby(f["unique_id"], sort=False)
    cap = float(window + 1)
    nxt = ((g.bfill() - f["ds"]).dt.days.astype(float)).clip(upper=cap).fillna(cap)
    prv = ((f["ds"] - g.ffill()).dt.days.astype(float)).clip(upper=cap).fillna(cap)
    return f[["unique_id", "ds"]].assign(hol_next=nxt.to_numpy(), hol_prev=prv.to_numpy())


def _ml_frame(
    hist: pd.DataFrame, static: pd.DataFrame, cfg: Config, levels: pd.DataFrame | None = None
) -> pd.DataFrame:
    cols = ["unique_id", "ds", "y", *[c for c in (*cfg.exog, *NEAR) if c in hist.columns]]
    names = statics(cfg)
    st = static.reindex(columns=["unique_id", *names])
    st[names] = st[names].apply(pd.to_numeric, errors="coerce").fillna(-1).astype(float)
    if cfg.static_categorical:
        st[names] = st[names].astype("category")
    df = hist[cols].merge(st, on="unique_id", how="left")
    if levels is not None and len(levels):
        df = df.merge(levels, on=["unique_id", "ds"], how="left")
    if _weighted(cfg):
        age = (df["ds"].max() - df["ds"]) / _step(cfg)
        w = np.power(0.5, age.to_numpy(dtype=float) / cfg.recency_halflife) if cfg.recency_halflife > 0 else 1.0
        df["w"] = w * censored_weights(hist, cfg)
        if not (df["w"] > 0).any():  # nothing in stock to learn from (censored weight 0): every period counts
            df["w"] = w * np.ones(len(df))
        if cfg.level_scale and cfg.level_weight:
            recent = df[df["ds"] > df["ds"].max() - cfg.level_window * _step(cfg)]
            level = recent.groupby("unique_id")["y"].mean().clip(lower=cfg.level_floor)
            df["w"] = df["w"] * df["unique_id"].map(level).fillna(cfg.level_floor).to_numpy()
    return df if cfg.static_categorical else df.fillna(dict.fromkeys(names, -1))


def _step(cfg: Config) -> pd.Timedelta:
    return pd.Timedelta(days=1) if cfg.freq == "D" else pd.Timedelta(pd.tseries.frequencies.to_offset(cfg.freq))


LEVELS = ("chain", "site", "category", "group")


def level_frame(hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Cross-series level signals per (unique_id, ds): for the chain (all series given), the series' site,
    category and site group, the demand of the last period and of the last season relative to the last four
    seasons (``lvl_<level>_1``, ``lvl_<level>_s``), from the history before ``ds`` only; after the last history
    period (the forecast origin) the values known at the origin are carried forward. ``site`` comes from
    ``static`` when it has that column."""
    s = max(cfg.season, 1)
    keys = static[["unique_id"]].copy()
    keys["chain"] = 0.0
    for c in ("site", "category", "group"):
        keys[c] = static[c].astype(str) if c in static.columns else "-"
    dates = pd.DatetimeIndex(sorted(set(hist["ds"]) | set(future["ds"])))
    step = _step(cfg)
    y = hist[["unique_id", "ds", "y"]].merge(keys, on="unique_id", how="left")
    out = pd.DataFrame({"unique_id": np.repeat(keys["unique_id"].to_numpy(), len(dates)),
                        "ds": np.tile(dates.to_numpy(), len(keys))})  # fmt: skip
    out = out.merge(keys, on="unique_id", how="left")
    for level in LEVELS:
        if level != "chain" and level not in static.columns:
            continue
        tot = y.pivot_table(index="ds", columns=level, values="y", aggfunc="mean")
        tot = tot.reindex(pd.date_range(tot.index.min(), tot.index.max(), freq=step))
        base = tot.rolling(4 * s, min_periods=s).mean()
        f1 = (tot / base).shift(1, freq=step)  # known the period after
        fs = (tot.rolling(s, min_periods=1).mean() / base).shift(1, freq=step)
        for name, f in ((f"lvl_{level}_1", f1), (f"lvl_{level}_s", fs)):
            f = f.reindex(dates).ffill().clip(0, 5)  # after the origin: frozen at what the origin knew
            long = f.stack(future_stack=True).rename(name).reset_index()
            long.columns = ["ds", level, name]
            long[level] = long[level].astype(out[level].dtype)
            out = out.merge(long, on=["ds", level], how="left")
    return out.drop(columns=["chain", "site", "category", "group"])


def _stat_forecast(hist: pd.DataFrame, names: Sequence[str], h: int, cfg: Config) -> pd.DataFrame:
    if hist.empty or not names:
        return pd.DataFrame(columns=["unique_id", "ds", *names])
    out = _stats(names, cfg).forecast(df=hist[["unique_id", "ds", "y"]], h=h)
    return out.reset_index() if "unique_id" not in out.columns else out


def _stat_cv(hist: pd.DataFrame, names: Sequence[str], cfg: Config, h: int) -> pd.DataFrame:
    if hist.empty or not names:
        return pd.DataFrame(columns=["unique_id", "ds", "cutoff", *names])
    out = _stats(names, cfg).cross_validation(
        df=hist[["unique_id", "ds", "y"]], h=h, n_windows=cfg.windows, step_size=cfg.step
    )
    out = out.reset_index() if "unique_id" not in out.columns else out
    return out.drop(columns=["y"])


# --- one chunk -----------------------------------------------------------------------------------------------


def fit_predict(hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, cfg: Config) -> Result:
    """Forecast every series of ``hist`` for ``cfg.horizon`` periods after its last one.

    ``hist``: unique_id, ds, y (latent demand: recovered or imputed), y_obs (sales), in_stock (bool: an
    uncensored period, scored), exogenous columns; ``future``: unique_id, ds and the exogenous columns for the
    horizon; ``static``: unique_id, category, group (ints; a site group/format)."""
    hist = hist.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    given = hist
    counts = hist.groupby("unique_id")["y"].size()
    known = counts[counts >= cfg.min_history].index
    modelled = hist[hist["unique_id"].isin(known)]
    classes = classify(modelled) if len(modelled) else pd.Series(dtype=object, name="cls")
    h_bt = min(cfg.horizon, cfg.backtest_horizon)
    exog = [c for c in cfg.exog if c in hist.columns]
    if cfg.holiday_window > 0 and "holiday" in hist.columns and "holiday" in future.columns:
        near = holiday_distance(pd.concat([hist, future], ignore_index=True), cfg.holiday_window)
        hist = hist.merge(near, on=["unique_id", "ds"], how="left")
        future = future.merge(near, on=["unique_id", "ds"], how="left")
        modelled = hist[hist["unique_id"].isin(known)]
        exog = [*exog, "hol_next", "hol_prev"]

    cv, final, margin = _by_granularity(modelled, future, static, classes, cfg, h_bt, exog)
    choice = _choose(cv, classes, margin, cfg.combo_margin)
    final = final.merge(choice[["unique_id", "model"]], on="unique_id", how="left")
    final["mean"] = _pick(final)
    cv = cv.merge(choice[["unique_id", "model"]], on="unique_id", how="left")
    cv["mean"] = _pick(cv)
    if cfg.bias_correction and len(cv):
        ratio = _recent_ratio(cv) ** cfg.bias_correction
        final["mean"], cv["mean"] = final["mean"] * ratio, cv["mean"] * ratio
    if cfg.weekday_blend > 0 and cfg.freq == "D" and len(final):
        final, cv = _weekday_14(modelled, future, static, final, cv, cfg)
    out = final[["unique_id", "ds", "model", "mean"]]
    cold = _cold_start(hist, future, static, known, cfg)
    out = pd.concat([out, cold], ignore_index=True) if len(cold) else out
    out = _banded(out, cv, cfg, h_bt)
    if cfg.short_horizon > 0 and cfg.freq == "D" and len(final):
        out = demand_days(given, future, static, out, known, cv, cfg, h_bt)
    return Result(out.sort_values(["unique_id", "ds"]).reset_index(drop=True), choice, cv)


def short_frame(hist: pd.DataFrame) -> pd.DataFrame:
    """``hist`` with the 2-day model's target as ``y`` (``SHORT_TARGET`` when it has that column)."""
    return hist.assign(y=hist[SHORT_TARGET].astype(float)) if SHORT_TARGET in hist.columns else hist


def short_series(hist: pd.DataFrame, known: pd.Index) -> pd.Index:
    """The series of ``hist`` the 2-day model forecasts in a run: modelled (in ``known``: at least ``min_history``
    periods) and with history up to the run's origin (the last period of ``hist``)."""
    last = hist.groupby("unique_id")["ds"].max()
    return pd.Index(last[(last == hist["ds"].max()) & last.index.isin(known)].index)


DEMAND = "demand"  # the demand forecast's columns in ``Result.forecasts``: ``demand`` and ``demand_q<q>``


def demand_days(hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, out: pd.DataFrame, known: pd.Index,
                cv: pd.DataFrame, cfg: Config, h_bt: int) -> pd.DataFrame:  # fmt: skip
    """``out`` (the sales forecast with its quantiles) with the demand forecast beside it on its first
    ``cfg.short_horizon`` periods after the origin, for the ``short_series``: ``demand``, the daily-ordering forecast
    (``predict_short`` from the origin, fitted on those series' ``short_frame``: demand with stockouts recovered,
    the plan from the history and ``future``), and ``demand_q<q>``, the conformal bands of the backtest at that
    mean (``_banded``); NaN on the other rows. The sales forecast (``mean``, ``q<q>``, ``model``) is unchanged."""
    cols = [DEMAND, *(f"{DEMAND}_q{q}" for q in cfg.quantiles)]
    ids = short_series(hist, known)
    h = min(cfg.short_horizon, cfg.horizon)
    if not len(ids) or h <= 0:
        return out.assign(**dict.fromkeys(cols, np.nan))
    frame = short_frame(hist[hist["unique_id"].isin(ids)])
    exog = [c for c in cfg.exog if c in frame.columns]
    ahead = future[future["unique_id"].isin(ids)].reindex(columns=["unique_id", "ds", *exog])
    plan = pd.concat([frame[["unique_id", "ds", *exog]], ahead], ignore_index=True)
    short = predict_short(frame, plan, static[static["unique_id"].isin(ids)], cfg, [frame["ds"].max()], h)
    keys = ["unique_id", "ds"]
    days = short[[*keys, "mean"]].merge(out[keys], on=keys)  # the series and days the sales forecast has
    banded = _banded(days.assign(model="short"), cv, cfg, h_bt)
    banded = banded.rename(columns={"mean": DEMAND, **{f"q{q}": f"{DEMAND}_q{q}" for q in cfg.quantiles}})
    return out.merge(banded[[*keys, *cols]], on=keys, how="left")


def _by_granularity(
    hist: pd.DataFrame,
    future: pd.DataFrame,
    static: pd.DataFrame,
    classes: pd.Series,
    cfg: Config,
    h: int,
    exog: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, float | pd.Series]:
    """The backtest and final candidates of the modelled series ``hist``, and the margin of the model choice
    (per series when fine series have their own): with the eighth round's (b) options by granularity
    (``domain.granularity`` of the history's sales), one fit over all series without them."""
    names = statics(cfg)
    split = cfg.fine_split or bool(cfg.fine_members)
    wanted = (
        split or cfg.fine_margin > 0 or cfg.fine_blend > 0 or cfg.fine_ets > 0 or {"unit_share", "fine"} & set(names)
    )
    if not wanted or hist.empty:
        return (
            _backtest(hist, static, classes, cfg, h, exog),
            _final(hist, future, static, classes, cfg, exog),
            cfg.margin,
        )
    from boh.forecasting.domain import granularity

    gran = granularity(hist, "y_obs" if "y_obs" in hist.columns else "y")
    static = static.drop(columns=["unit_share", "fine"], errors="ignore").merge(gran, on="unique_id", how="left")
    fine = pd.Index(gran.loc[gran["fine"] > 0, "unique_id"])
    if split:  # each group its own LightGBM (the fine series with ``fine_members`` when set)
        fine_cfg = replace(cfg, members=cfg.fine_members or cfg.members)
        groups = [(hist[~hist["unique_id"].isin(fine)], cfg), (hist[hist["unique_id"].isin(fine)], fine_cfg)]
    else:
        groups = [(hist, cfg)]
    groups = [(part, c) for part, c in groups if len(part)]
    cv = pd.concat([_backtest(part, static, classes, c, h, exog) for part, c in groups], ignore_index=True)
    final = pd.concat([_final(part, future, static, classes, c, exog) for part, c in groups], ignore_index=True)
    if cfg.fine_blend > 0 and "dow_ses" in final.columns:
        for frame in (cv, final):
            rows = frame["unique_id"].isin(fine) & frame["lgbm"].notna() & frame["dow_ses"].notna()
            mix = blend_weekday(frame["lgbm"].to_numpy(), frame["dow_ses"].to_numpy(), cfg.fine_blend)
            frame.loc[rows, "lgbm"] = mix[rows.to_numpy()]
    if cfg.fine_ets > 0 and len(fine):
        ets = _stat_forecast(hist[hist["unique_id"].isin(fine)], ("autoets",), cfg.horizon, cfg)
        final = final.merge(ets[["unique_id", "ds", "autoets"]], on=["unique_id", "ds"], how="left")
        rows = final["autoets"].notna() & final["lgbm"].notna()
        mix = blend_weekday(final["lgbm"].to_numpy(), final["autoets"].to_numpy(), cfg.fine_ets)
        final.loc[rows, "lgbm"] = mix[rows.to_numpy()]
        final = final.drop(columns=["autoets"])
    ids = pd.Index(gran["unique_id"])
    margin = pd.Series(np.where(ids.isin(fine) & (cfg.fine_margin > 0), cfg.fine_margin, cfg.margin), index=ids)
    return cv, final, margin


def _recent_ratio(cv: pd.DataFrame) -> float:
    last = cv[(cv["cutoff"] == cv["cutoff"].max()) & cv["in_stock"].astype(bool)]
    f = float(last["mean"].sum())
    return float(np.clip(last["y_obs"].sum() / f, 0.8, 1.25)) if f > 0 else 1.0


def _backtest(
    hist: pd.DataFrame, static: pd.DataFrame, classes: pd.Series, cfg: Config, h: int, exog: list[str]
) -> pd.DataFrame:
    base = hist[["unique_id", "ds", "y", "y_obs", "in_stock"]]
    if hist.empty:
        return base.assign(cutoff=pd.NaT)
    if cfg.level_features:  # the level signals must be frozen at each origin: one fit per origin, as CV does
        last = hist["ds"].max()
        parts_ml = []
        for k in range(cfg.windows, 0, -1):
            cutoff = last - (h + (k - 1) * cfg.step) * _step(cfg)
            test = hist[(hist["ds"] > cutoff) & (hist["ds"] <= cutoff + h * _step(cfg))]
            p = _fit_ml(hist[hist["ds"] <= cutoff], test, static, cfg, h, exog)
            parts_ml.append(p.assign(cutoff=cutoff))
        ml = pd.concat(parts_ml, ignore_index=True)
    else:
        frame = _ml_frame(hist, static, cfg)
        by_lag = {
            lag: _combine(_lgbm(cfg, lag).cross_validation(
                frame, n_windows=cfg.windows, h=h, step_size=cfg.step, dropna=cfg.ml_dropna,
                static_features=statics(cfg), weight_col="w" if _weighted(cfg) else None,
            ))[["unique_id", "ds", "cutoff", "lgbm"]]
            for lag in _min_lags(cfg)
        }  # fmt: skip
        ml = _route(by_lag, cfg, ["unique_id", "cutoff"])
    ml = ml[["unique_id", "ds", "cutoff", "lgbm"]]
    smooth = classes[classes == "smooth"].index
    parts = [
        _stat_cv(hist[hist["unique_id"].isin(smooth)], STATS_SMOOTH, cfg, h),
        _stat_cv(hist[~hist["unique_id"].isin(smooth)], (*STATS_SMOOTH, *STATS_INTERMITTENT), cfg, h),
    ]
    st = pd.concat([p for p in parts if len(p)], ignore_index=True)
    cv = ml.merge(st, on=["unique_id", "ds", "cutoff"], how="left")
    return cv.merge(base, on=["unique_id", "ds"], how="left")


def _candidates(frame: pd.DataFrame) -> list[str]:
    return [c for c in ("lgbm", *STATS_SMOOTH, *STATS_INTERMITTENT) if c in frame.columns]


def _with_combo(frame: pd.DataFrame) -> pd.DataFrame:
    stats = [c for c in (*STATS_SMOOTH, *STATS_INTERMITTENT) if c in frame.columns]
    frame = frame.copy()
    for c in ("lgbm", "dow_ses"):  # absent when no series had enough history to be modelled
        if c not in frame.columns:
            frame[c] = np.nan
    frame[stats] = frame[stats].clip(lower=0)
    frame["lgbm"] = frame["lgbm"].clip(lower=0)
    frame["combo"] = (frame["lgbm"] + frame["dow_ses"]) / 2
    return frame


def _choose(
    cv: pd.DataFrame, classes: pd.Series, margin: float | pd.Series = 1.0, combo_margin: float = 0.0
) -> pd.DataFrame:
    """Per series, the candidate with the least mean absolute error over the backtest origins (another than
    LightGBM only when it beats LightGBM's by the margin: one for all, or per unique_id; the mean of LightGBM and
    smoothing by ``combo_margin`` when that is set)."""
    if cv.empty:
        return pd.DataFrame(columns=["unique_id", "cls", "model"])
    cv = _with_combo(cv)
    names = [*_candidates(cv), "combo"]
    err = cv[names].sub(cv["y"], axis=0).abs().assign(unique_id=cv["unique_id"])
    mae = err.groupby("unique_id")[names].mean()
    best = mae.idxmin(axis=1, skipna=True).fillna("lgbm")
    if isinstance(margin, pd.Series):
        margin = margin.reindex(mae.index).fillna(1.0)
    if combo_margin > 0:  # each candidate against its own margin, the least error among those within theirs
        others = [n for n in names if n != "lgbm"]
        within = pd.DataFrame({n: mae[n] < (combo_margin if n == "combo" else margin) * mae["lgbm"] for n in others})
        best = mae[others].where(within, np.inf).idxmin(axis=1).where(within.any(axis=1), "lgbm")
    else:
        best = best.where(mae.min(axis=1) < margin * mae["lgbm"], "lgbm")
    return mae.add_prefix("mae_").assign(model=best, cls=classes.reindex(mae.index)).reset_index()


def _final(
    hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, classes: pd.Series, cfg: Config, exog: list[str]
) -> pd.DataFrame:
    if hist.empty:
        return pd.DataFrame(columns=["unique_id", "ds", "lgbm", *STATS_SMOOTH])
    ids = hist["unique_id"].unique()
    ml = _fit_ml(hist, future[future["unique_id"].isin(ids)], static, cfg, cfg.horizon, exog)
    smooth = classes[classes == "smooth"].index
    parts = [
        _stat_forecast(hist[hist["unique_id"].isin(smooth)], STATS_SMOOTH, cfg.horizon, cfg),
        _stat_forecast(hist[~hist["unique_id"].isin(smooth)], (*STATS_SMOOTH, *STATS_INTERMITTENT), cfg.horizon, cfg),
    ]
    st = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return ml.merge(st, on=["unique_id", "ds"], how="left")


def _fit_ml(
    hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, cfg: Config, h: int, exog: list[str]
) -> pd.DataFrame:
    """LightGBM fitted on ``hist``, forecasting ``h`` periods after it with ``future``'s covariates."""
    levels = level_frame(hist, future, static, cfg) if cfg.level_features else None
    frame = _ml_frame(hist, static, cfg, levels)
    xcols = [*exog, *([c for c in levels.columns if c.startswith("lvl_")] if levels is not None else [])]
    xdf = future[["unique_id", "ds", *exog]]
    if levels is not None:
        xdf = xdf.merge(levels, on=["unique_id", "ds"], how="left")
    by_lag = {}
    for lag in _min_lags(cfg):
        mlf = _lgbm(cfg, lag).fit(frame, static_features=statics(cfg), dropna=cfg.ml_dropna,
                                  weight_col="w" if _weighted(cfg) else None)  # fmt: skip
        p = mlf.predict(h=h, X_df=xdf[["unique_id", "ds", *xcols]]) if xcols else mlf.predict(h=h)
        by_lag[lag] = _combine(p)[["unique_id", "ds", "lgbm"]]
    return _route(by_lag, cfg, ["unique_id"])


def _pick(frame: pd.DataFrame) -> np.ndarray:
    frame = _with_combo(frame)
    names = [*_candidates(frame), "combo"]
    values = frame[names].to_numpy(dtype=float)
    idx = frame["model"].map({n: i for i, n in enumerate(names)}).fillna(0).to_numpy(dtype=int)
    picked = values[np.arange(len(frame)), idx]
    out: np.ndarray = np.where(np.isnan(picked), frame["lgbm"].to_numpy(dtype=float), picked).clip(min=0)
    return out


def _cold_start(
    hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, known: pd.Index, cfg: Config
) -> pd.DataFrame:
    new = future[~future["unique_id"].isin(known)][["unique_id", "ds"]]
    if new.empty:
        return pd.DataFrame(columns=["unique_id", "ds", "model", "mean"])
    prof = _profile(hist[hist["unique_id"].isin(known)], static, cfg)
    new = new.merge(static[["unique_id", "category"]], on="unique_id", how="left")
    new["dow"] = new["ds"].dt.dayofweek
    new = new.merge(prof, on=["category", "dow"], how="left")
    overall = prof.groupby("dow")["profile"].mean()
    fallback = new["dow"].map(overall).fillna(0.0)
    new["mean"] = new["profile"].fillna(fallback).fillna(0.0)
    # a series with a week or more of its own history keeps the profile's weekday shape at its own level
    own = hist[~hist["unique_id"].isin(known)].groupby("unique_id")["y"].agg(["mean", "size"])
    own = own[own["size"] >= 7]["mean"]
    cat_level = new.groupby("unique_id")["mean"].transform("mean")
    ratio = new["unique_id"].map(own) / cat_level.where(cat_level > 0)
    new["mean"] = np.where(ratio.notna(), new["mean"] * ratio.fillna(1.0), new["mean"])
    return new.assign(model="profile")[["unique_id", "ds", "model", "mean"]]


# --- quantiles ----------------------------------------------------------------------------------------------


def _conformal(cv: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Residual quantiles (actual - forecast) of the chosen models on in-stock backtest periods, in bins of
    forecast size: edges and one row of offsets per bin. With two or more backtest origins the spread is
    calibrated first: offsets from the earlier origins are widened (or narrowed) until they cover the nominal
    share on the last origin, and that factor applies to the offsets from all origins (demand drifts, so
    yesterday's residuals understate tomorrow's)."""
    ok = cv[cv["in_stock"].astype(bool)] if len(cv) else cv
    widen = {q: cfg.band_widen for q in cfg.quantiles}
    cutoffs = sorted(ok["cutoff"].dropna().unique()) if len(ok) else []
    if len(cutoffs) >= 2:
        early, last = ok[ok["cutoff"] < cutoffs[-1]], ok[ok["cutoff"] == cutoffs[-1]]
        if len(early) >= 20 and len(last) >= 20:
            bands = _offsets(early, cfg, widen)
            for q in cfg.quantiles:
                widen[q] = _fit_widen(bands, last, q) * cfg.band_widen
    return _offsets(ok, cfg, widen)


def step_group(step: np.ndarray, groups: int, h: int) -> np.ndarray:
    """The group of each horizon step (1 = the first period after the origin) when the ``h`` steps of the backtest
    are split into ``groups`` equal groups; later steps fall in the last group."""
    g = (np.asarray(step, dtype=int) - 1) * max(groups, 1) // max(h, 1)
    out: np.ndarray = np.clip(g, 0, max(groups, 1) - 1)
    return out


def _banded(out: pd.DataFrame, cv: pd.DataFrame, cfg: Config, h: int) -> pd.DataFrame:
    """``out`` with its quantiles: conformal offsets from the backtest ``cv``, one set for every step, or one per
    group of horizon steps (``cfg.band_steps``)."""
    if cfg.band_steps <= 1 or cv.empty:
        return _apply_bands(out, _conformal(cv, cfg), cfg)
    out = out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    g_out = step_group(out.groupby("unique_id", sort=False).cumcount().to_numpy() + 1, cfg.band_steps, h)
    cv_step = ((cv["ds"] - cv["cutoff"]) / _step(cfg)).round().astype(int).to_numpy()
    g_cv = step_group(cv_step, cfg.band_steps, h)
    parts = [_apply_bands(out[g_out == g], _conformal(cv[g_cv == g], cfg), cfg) for g in range(cfg.band_steps)]
    return pd.concat(parts).sort_index()


def _fit_widen(bands: pd.DataFrame, last: pd.DataFrame, q: int) -> float:
    mean = last["mean"].to_numpy(dtype=float)
    actual = last["y_obs"].to_numpy(dtype=float)
    edges = np.r_[bands["lo"].to_numpy(), bands["hi"].to_numpy()[-1:]]
    which = np.clip(np.searchsorted(edges, mean, side="right") - 1, 0, len(bands) - 1)
    med, off = bands["r50"].to_numpy()[which] if "r50" in bands else 0.0, bands[f"r{q}"].to_numpy()[which]
    for f in np.arange(0.8, 3.0, 0.05):  # the narrowest band that covers the nominal share (upper quantiles)
        share = (actual <= np.maximum(mean + med + f * (off - med), 0.0) + 1e-9).mean()
        if (share >= q / 100) if q >= 50 else (share <= q / 100):  # lower quantiles: at most the share below
            return float(f)
    return 3.0


def _offsets(ok: pd.DataFrame, cfg: Config, widen: dict[int, float]) -> pd.DataFrame:
    qs = [q / 100 for q in cfg.quantiles]
    if len(ok) < 20:
        return pd.DataFrame({"lo": [-np.inf], "hi": [np.inf], **{f"r{q}": [0.0] for q in cfg.quantiles}})
    n_bins = max(1, min(cfg.bins, len(ok) // 50))
    edges = np.unique(np.quantile(ok["mean"], np.linspace(0, 1, n_bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    which = np.clip(np.searchsorted(edges, ok["mean"], side="right") - 1, 0, len(edges) - 2)
    resid = (ok["y_obs"] - ok["mean"]).to_numpy(dtype=float)
    rows = []
    for b in range(len(edges) - 1):
        r = resid[which == b]
        r = r if len(r) else resid
        med = float(np.quantile(r, 0.5))
        offsets = {f"r{q}": med + widen[q] * (float(np.quantile(r, p)) - med)
                   for q, p in zip(cfg.quantiles, qs, strict=True)}  # fmt: skip
        rows.append({"lo": edges[b], "hi": edges[b + 1], **offsets})
    return pd.DataFrame(rows)


def _apply_bands(out: pd.DataFrame, bands: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    out = out.copy()
    mean = out["mean"].to_numpy(dtype=float)
    edges = np.r_[bands["lo"].to_numpy(), bands["hi"].to_numpy()[-1:]]
    which = np.clip(np.searchsorted(edges, mean, side="right") - 1, 0, len(bands) - 1)
    prev = np.zeros(len(out))
    for q in cfg.quantiles:
        val = np.maximum(mean + bands[f"r{q}"].to_numpy()[which], 0.0)
        prev = np.maximum(val, prev)  # quantiles never cross
        out[f"q{q}"] = prev
    return out


# --- many chunks: in-process, over the cores, or on Dask --------------------------------------------------


def chunks(ids: Sequence[str], size: int) -> list[list[str]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _run_chunk(args: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Config]) -> Result:
    return fit_predict(*args)


def run(
    hist: pd.DataFrame,
    future: pd.DataFrame,
    static: pd.DataFrame,
    cfg: Config,
    *,
    processes: int = 1,
    dask_address: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> Result:
    """Forecast all series, chunk by chunk: in this process (``processes=1``), in a pool of local processes,
    or on the Dask cluster at ``dask_address`` (``tcp://host:8786``). Same chunks, same numbers. ``progress``
    is told the share of chunks done (0-1) after each chunk."""
    parts = []
    for ids in chunks(hist["unique_id"].unique().tolist() + future["unique_id"].unique().tolist(), cfg.chunk_size):
        sel = set(ids)
        parts.append((hist[hist["unique_id"].isin(sel)], future[future["unique_id"].isin(sel)],
                      static[static["unique_id"].isin(sel)], cfg))  # fmt: skip
    total = max(len(parts), 1)

    def tell(done: int) -> None:
        if progress is not None:
            progress(done / total)

    results: list[Result] = []
    if dask_address:
        from distributed import Client, as_completed

        with Client(dask_address) as client:  # type: ignore[no-untyped-call]
            futures = client.map(_run_chunk, parts, pure=False)
            for n, _done in enumerate(as_completed(futures), 1):  # type: ignore[no-untyped-call]
                tell(n)
            results = client.gather(futures)
    elif processes > 1 and len(parts) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=processes) as pool:
            for r in pool.map(_run_chunk, parts):
                results.append(r)
                tell(len(results))
    else:
        for p in parts:
            results.append(_run_chunk(p))
            tell(len(results))
    return Result(
        pd.concat([r.forecasts for r in results], ignore_index=True),
        pd.concat([r.choice for r in results], ignore_index=True),
        pd.concat([r.residuals for r in results], ignore_index=True),
    )


def predict_short(
    hist: pd.DataFrame,
    exog_all: pd.DataFrame,
    static: pd.DataFrame,
    cfg: Config,
    origins: Sequence[pd.Timestamp],
    h: int,
    refit_every: int = 0,
) -> pd.DataFrame:
    """Daily-ordering horizon: LightGBM fitted at the first origin (and again every ``refit_every`` origins, as
    a weekly retraining would; 0: never), then from each origin forecasts the next ``h`` periods from the
    history up to it: unique_id, ds, origin, lgbm (LightGBM), weekday (the weekday model from the same origin, its
    refits weekly from the first origin; NaN when ``weekday_blend_2d`` is 0), mean (the forecast: the two blended
    by ``weekday_blend_2d``, ``blend_weekday``; LightGBM's clipped at 0 alone). ``hist``'s ``y`` is what both
    learn; the weekday model reads ``exog_all``'s discount and promo as the plan."""
    exog = [c for c in cfg.exog if c in exog_all.columns]
    cfg = replace(cfg, objective=cfg.short_objective, leaves=cfg.short_leaves, trees=cfg.short_trees,
                  learning_rate=cfg.short_learning_rate,
                  level_features=cfg.short_level_features, lag_set=cfg.short_lag_set,
                  members=cfg.short_members, static_features="category+group", static_categorical=False,
                  censored_weight=cfg.short_censored_weight, censored_share_weight=0.0,
                  subsample=cfg.short_subsample, calendar_weekday=False)  # fmt: skip
    frames = []
    mlf: Any = None
    blend = cfg.weekday_blend_2d if cfg.freq == "D" else 0.0
    for n, o in enumerate(sorted(origins)):
        step = _step(cfg)
        past = hist[hist["ds"] <= o]
        xdf = exog_all[(exog_all["ds"] > o) & (exog_all["ds"] <= o + h * step)][["unique_id", "ds", *exog]]
        levels = level_frame(past, xdf, static, cfg) if cfg.level_features else None
        new = _ml_frame(past, static, cfg, levels)
        if mlf is None or (refit_every and n % refit_every == 0):
            mlf = _lgbm(cfg).fit(new, static_features=statics(cfg), weight_col="w" if "w" in new else None,
                                 max_horizon=h if cfg.short_direct else None)  # fmt: skip
        new = new.drop(columns=["w"], errors="ignore")
        if levels is not None:
            xdf = xdf.merge(levels, on=["unique_id", "ds"], how="left")
        p = mlf.predict(h=h, new_df=new, X_df=xdf) if len(xdf.columns) > 2 else mlf.predict(h=h, new_df=new)
        frames.append(_combine(p).assign(origin=o))
    out = pd.concat(frames, ignore_index=True)
    if blend <= 0 or out.empty:
        return out.assign(weekday=np.nan, mean=out["lgbm"].clip(lower=0))
    wd = weekday_frame(hist, exog_all, static, sorted(origins), h, cfg)
    out = out.merge(wd, on=["unique_id", "origin", "ds"], how="left")
    return out.assign(mean=blend_weekday(out["lgbm"].to_numpy(), out["weekday"].to_numpy(), blend))


def weekday_config(cfg: Config, calendar: str | None = None) -> Any:
    """The weekday model's settings in the engine: the replay's (``weekday.WeekdayConfig``), the calendar
    ``cfg.weekday_calendar`` (or ``calendar``; "site" and a country ``holidays`` does not know: none)."""
    from boh.forecasting.weekday import WeekdayConfig, known_calendar

    return WeekdayConfig(calendar=known_calendar(cfg.weekday_calendar if calendar is None else calendar))


def series_calendars(static: pd.DataFrame, ids: Sequence[str]) -> pd.Series:
    """The weekday model's calendar of each of ``ids`` with ``weekday_calendar`` "site": its ``static`` country when
    ``holidays`` knows it, else "" (the plain weekday)."""
    from boh.forecasting.weekday import known_calendar

    st = static.drop_duplicates("unique_id").set_index("unique_id")
    country = st["country"] if "country" in st.columns else pd.Series("", index=st.index, dtype=object)
    return country.reindex(list(ids)).fillna("").astype(str).map(known_calendar)


def weekday_frame(hist: pd.DataFrame, plan: pd.DataFrame, static: pd.DataFrame, origins: Sequence[pd.Timestamp],
                  h: int, cfg: Config) -> pd.DataFrame:  # fmt: skip
    """``weekday.frame_forecasts`` with the engine's settings (``weekday_config``); with ``weekday_calendar``
    "site" the series of each country in one call with that country's calendar (its uplifts, category indices
    and momentum pooled over those series: all of them in a one-country chain)."""
    from boh.forecasting import weekday

    if cfg.weekday_calendar != SITE_CALENDAR:
        return weekday.frame_forecasts(hist, plan, static, origins, h, weekday_config(cfg))
    cal = series_calendars(static, hist["unique_id"].unique())
    parts = []
    for country in sorted(set(cal)):
        ids = set(cal.index[cal == country])
        parts.append(weekday.frame_forecasts(hist[hist["unique_id"].isin(ids)], plan[plan["unique_id"].isin(ids)],
                                             static[static["unique_id"].isin(ids)], origins, h,
                                             weekday_config(cfg, country)))  # fmt: skip
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else weekday.frame_forecasts(hist, plan, static, origins, h, weekday_config(cfg, ""))
    )


def blend_weekday(base: np.ndarray, weekday: np.ndarray, w: float) -> np.ndarray:
    """(1 - w) x base + w x weekday, each clipped at 0; ``base`` alone (clipped) where the weekday model has no
    forecast (NaN). Also the fine series' mixes with smoothing or AutoETS (``fine_blend``, ``fine_ets``)."""
    b = np.clip(np.asarray(base, dtype=float), 0.0, None)
    x = np.asarray(weekday, dtype=float)
    out: np.ndarray = np.where(np.isnan(x), b, (1.0 - w) * b + w * np.clip(x, 0.0, None))
    return out


def _weekday_14(hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, final: pd.DataFrame,
                cv: pd.DataFrame, cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """``final`` and ``cv`` with their ``mean`` blended with the weekday model (``cfg.weekday_blend``) forecast
    from the same origins: the last period of ``hist`` and the backtest's cutoffs (so the bands come from the
    blend's own residuals)."""
    cuts = sorted(pd.Timestamp(c) for c in cv["cutoff"].dropna().unique()) if len(cv) else []
    last = pd.Timestamp(hist["ds"].max())
    wd = weekday_frame(hist, future, static, [*cuts, last], cfg.horizon, cfg)
    keys = ["unique_id", "ds"]
    fin = final[keys].merge(wd[wd["origin"] == last].drop(columns="origin"), on=keys, how="left")
    final = final.assign(mean=blend_weekday(final["mean"].to_numpy(), fin["weekday"].to_numpy(), cfg.weekday_blend))
    if len(cv):
        back = cv[[*keys, "cutoff"]].merge(wd.rename(columns={"origin": "cutoff"}), on=[*keys, "cutoff"], how="left")
        cv = cv.assign(mean=blend_weekday(cv["mean"].to_numpy(), back["weekday"].to_numpy(), cfg.weekday_blend))
    return final, cv
