"""Write a chosen set of sites: tables, layers, map and summary, with no client location.

:func:`write_site_portfolio` writes through :func:`~carezones.io.output_folder` (the folder is
replaced whole or not at all) and :func:`~carezones.io.write_csv` (no cell starts a spreadsheet
formula). Demand is written by row without coordinates (``demand.csv``) and on the map and in
the GeoPackage only as hexagons (:meth:`SitePortfolio.demand_cells`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from carezones.io._cells import PathLike
from carezones.io._write import output_folder, write_csv

__all__ = ["write_site_portfolio"]

FILES = (
    "chosen.csv",
    "candidates.csv",
    "scenarios.csv",
    "stability.csv",
    "demand.csv",
    "left_out.csv",
    "portfolio.gpkg",
    "portfolio.html",
    "summary.json",
    "summary.md",
)


def write_site_portfolio(result: Any, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
    """Write a :class:`~carezones.sites.SitePortfolio` to ``out_dir``; return the paths.

    ===================  ===================================================================
    ``chosen.csv``       one row per chosen ``site_id``: score, serves, within_reach, adds,
                         mean_minutes, lon/lat of the site
    ``candidates.csv``   every candidate with its status and the demand within its reach
    ``scenarios.csv``    per scenario: its own best set, coverage, the proof, and the plan's
                         coverage in it
    ``stability.csv``    which scenarios choose each site
    ``demand.csv``       every demand row: id, area, weight, status, serving site, minutes,
                         reason (no coordinates)
    ``left_out.csv``     the demand rows left out, and why
    ``portfolio.gpkg``   layers ``chosen``, ``existing``, ``candidates``, ``catchments`` and
                         ``demand_hexagons`` (aggregated)
    ``portfolio.html``   the map (:func:`carezones.maps_portfolio.portfolio_map`)
    ``summary.json``     the metrics, the chosen sites, scenarios and stability
    ``summary.md``       the same for people
    ===================  ===================================================================

    Parameters
    ----------
    result : carezones.SitePortfolio
        The chosen set.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    offline : bool, default True
        Embed Leaflet in the map so it opens with no internet (``False``: link a CDN).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order above (``existing`` layer only with existing schemes).

    Examples
    --------
    >>> import tempfile
    >>> from carezones.io import write_site_portfolio
    >>> files = write_site_portfolio(portfolio, tempfile.mkdtemp())
    >>> [path.name for path in files if path.suffix == ".md"]
    ['summary.md']
    """
    r = result
    chosen, candidates = _with_lonlat(r.chosen), _with_lonlat(r.candidates)
    demand = pd.DataFrame(r.demand.drop(columns="geometry"))  # no coordinates
    with output_folder(out_dir) as tmp:
        write_csv(chosen, tmp / "chosen.csv", index=False)
        write_csv(candidates, tmp / "candidates.csv", index=False)
        write_csv(r.scenarios.round(4), tmp / "scenarios.csv", index=False)
        write_csv(r.stability, tmp / "stability.csv", index=False)
        write_csv(demand.round(4), tmp / "demand.csv", index=False)
        write_csv(r.left_out.round(4), tmp / "left_out.csv", index=False)
        gpkg = tmp / "portfolio.gpkg"
        r.chosen.to_file(gpkg, layer="chosen", driver="GPKG")
        if r.existing is not None:
            r.existing.to_file(gpkg, layer="existing", driver="GPKG")
        r.candidates.to_file(gpkg, layer="candidates", driver="GPKG")
        r.catchments().to_file(gpkg, layer="catchments", driver="GPKG")
        cells, _ = r.demand_cells()
        cells.to_file(gpkg, layer="demand_hexagons", driver="GPKG")
        r.to_map(offline=offline).save(str(tmp / "portfolio.html"))
        summary = {
            "metrics": r.metrics,
            "chosen": chosen.to_dict(orient="records"),
            "scenarios": r.scenarios.to_dict(orient="records"),
            "stability": r.stability.to_dict(orient="records"),
        }
        text = json.dumps(_plain(summary), indent=2, ensure_ascii=False, allow_nan=False)
        (tmp / "summary.json").write_text(text + "\n", encoding="utf-8")
        (tmp / "summary.md").write_text(_markdown(r), encoding="utf-8")
    return [Path(out_dir) / n for n in FILES]


def _with_lonlat(frame: Any) -> pd.DataFrame:
    """Return a sites table without geometry, with each site's lon/lat (inside a plot)."""
    pts = frame.geometry.to_crs("EPSG:4326").representative_point()
    out = pd.DataFrame(frame.drop(columns="geometry")).round(4)
    return out.assign(lon=pts.x.to_numpy(), lat=pts.y.to_numpy()).round({"lon": 6, "lat": 6})


def _plain(value: Any) -> Any:
    """Return ``value`` with numpy scalars as Python numbers and NaN as None (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _markdown(r: Any) -> str:
    m = r.metrics
    lines = [
        "# Sites chosen together",
        "",
        "```",
        r.summary(),
        "```",
        "",
        "## The chosen sites",
        "",
        _table(r.chosen.drop(columns="geometry")),
    ]
    if len(r.scenarios) > 1:
        lines += [
            "",
            "## Scenarios",
            "",
            _table(r.scenarios),
            "",
            "## Which sites stay chosen",
            "",
            _table(r.stability),
        ]
    if len(r.left_out):
        lines += [
            "",
            f"## Left out ({len(r.left_out)} demand rows)",
            "",
            _table(r.left_out.head(50)),
        ]
    lines += [
        "",
        f"Travel times: {m['network']['source']} ({m['mode']}), {m['network']['attribution']}.",
        "",
    ]
    return "\n".join(lines)


def _table(frame: pd.DataFrame) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if v != v else f"{v:,.2f}"
        return str(v).replace("|", "/").replace("\n", " ")

    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])
