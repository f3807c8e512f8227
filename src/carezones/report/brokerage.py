"""What a brokered allocation shows: its card, a map of the offices, and its files.

:func:`write_allocation` writes ``providers.csv`` (one row per provider: clients, weekly
hours, capacity, office-to-client minutes), ``left-out.csv`` (clients no provider could take,
with the reason), ``summary.json`` (the model and its numbers) and ``map.html`` (the offices).
A provider's numbers stand for its clients, so a provider of fewer than five clients, and the
smallest others with it, show none (:func:`carezones.privacy.suppress`), as zones do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.io._cells import PathLike
from carezones.privacy import MIN_GROUP, suppress
from carezones.report._write import output_folder, plain, write_csv
from carezones.report.html import escape, html_card
from carezones.report.maps import add_context_roads, add_legend, base_map

if TYPE_CHECKING:
    import folium

    from carezones.county import Allocation

__all__ = ["allocation_card", "allocation_map", "published_providers", "write_allocation"]

_NUMBERS = ["clients", "hours_per_week", "mean_minutes", "max_minutes"]
_DIGITS = {
    "hours_per_week": 2,
    "capacity_hours": 2,
    "mean_minutes": 2,
    "max_minutes": 2,
    "lon": 6,
    "lat": 6,
}


def _blank(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _withheld(providers: pd.DataFrame) -> npt.NDArray[np.bool_]:
    clients = providers["clients"].to_numpy(dtype=float)
    key = providers["provider_id"].astype(str).tolist()
    small = suppress(clients, key=key) | ((clients > 0) & (clients < MIN_GROUP))
    return np.asarray(small, dtype=bool)


def published_providers(allocation: Allocation) -> pd.DataFrame:
    """Return the providers' table as published: small providers without their numbers.

    Parameters
    ----------
    allocation : carezones.county.Allocation
        The allocation.

    Returns
    -------
    pandas.DataFrame
        :attr:`Allocation.providers <carezones.county.Allocation.providers>` with the clients,
        hours and minutes of providers of fewer than five clients (and those withheld with
        them) blank, and a ``note`` saying why.

    Examples
    --------
    >>> published_providers(allocation)[["provider_id", "clients", "capacity_hours"]]
      provider_id clients  capacity_hours
    0          P1      10           110.0
    1          P2      15           335.0
    2          P3      23           290.0
    3          P4      12           160.0
    """
    out = allocation.providers.copy()
    small = _withheld(out)
    out[_NUMBERS] = out[_NUMBERS].astype(object)
    out.loc[small, _NUMBERS] = None
    out["note"] = [
        f"numbers not shown: fewer than {MIN_GROUP} clients, or withheld with such a provider"
        if s
        else ""
        for s in small
    ]
    return out


def allocation_card(allocation: Allocation) -> str:
    """Return an allocation's card for Jupyter: the model, its numbers and the providers."""
    k = allocation.kpis
    rows = [
        ("model", allocation.options.describe()),
        ("providers used", f"{k['providers_used']} of {k['providers']}"),
        ("clients allocated", k["clients_allocated"]),
        ("by the fallback", k["clients_fallback"]),
        ("left out", k["clients_left_out"]),
        ("office to client, mean min", k["mean_minutes"]),
        ("office to client, max min", k["max_minutes"]),
    ]
    cols = ["provider_id", *_NUMBERS, "capacity_hours"]
    return html_card(
        "Today by brokerage",
        rows,
        note=allocation.describe(),
        table=published_providers(allocation)[cols],
    )


def allocation_map(allocation: Allocation, *, offline: bool = True) -> folium.Map:
    """Draw the providers' offices with their clients, hours and minutes (none of a few).

    Offices only: no client's location.
    """
    import folium

    net = allocation.network
    if net is None:
        raise ValueError("the allocation has no network to draw on")
    m = base_map(net, title=f"Today: {allocation.options.describe()}", offline=offline)
    if net.provenance.synthetic:
        add_context_roads(m, net)
    table = published_providers(allocation)
    for row in table.itertuples(index=False):
        name = escape(str(row.provider_id), template=True)
        if row.note:
            tip = f"{name}: numbers not shown ({escape(row.note)})"
        elif not row.clients:
            tip = f"{name}: no clients"
        else:
            tip = (
                f"{name}: {int(row.clients)} clients, {float(row.hours_per_week):.0f} h a week, "
                f"{float(row.mean_minutes):.1f} min from the office on average "
                f"(at most {float(row.max_minutes):.1f})"
            )
        folium.CircleMarker(
            location=(float(row.lat), float(row.lon)),
            radius=6,
            color="#2c3e50",
            fill=True,
            fill_color="#2471a3",
            fill_opacity=0.8,
            tooltip=tip,
        ).add_to(m)
    add_legend(m, "Providers' offices", [("#2471a3", "an office")], allocation.describe())
    return m


def write_allocation(
    allocation: Allocation, out_dir: PathLike, *, offline: bool = True
) -> list[Path]:
    """Write an allocation's files: providers, clients left out, its numbers and a map.

    Parameters
    ----------
    allocation : carezones.county.Allocation
        The allocation.
    out_dir : str or os.PathLike
        The folder (replaced whole or not at all).
    offline : bool, default True
        Embed Leaflet in the map.

    Returns
    -------
    list of pathlib.Path
        ``providers.csv``, ``left-out.csv``, ``summary.json`` and ``map.html``.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_allocation(allocation, tempfile.mkdtemp())][:2]
    ['providers.csv', 'left-out.csv']
    """
    out = Path(out_dir)
    names = ["providers.csv", "left-out.csv", "summary.json", "map.html"]
    with output_folder(out) as tmp:
        table = published_providers(allocation)
        for column, digits in _DIGITS.items():  # offices to about 10 cm, the rest to 0.01
            table[column] = [None if _blank(v) else round(float(v), digits) for v in table[column]]
        write_csv(table, tmp / names[0], index=False)
        write_csv(allocation.left_out, tmp / names[1], index=False)
        summary = {"today": allocation.describe(), **allocation.kpis}
        text = json.dumps(plain(summary), indent=2, ensure_ascii=False, allow_nan=False)
        (tmp / names[2]).write_text(text + "\n", encoding="utf-8")
        allocation_map(allocation, offline=offline).save(str(tmp / names[3]))
    return [out / n for n in names]
