"""Numbers are numbers in every table a reader returns: coordinates, hours, counts, times."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pandas.api.types import is_numeric_dtype

import carezones as cz
from carezones import testing
from carezones.io import DemandColumns, read_demand, read_visit_log
from carezones.synthetic import LogOptions, visit_log

DATA = Path(__file__).resolve().parents[1] / "data"


def _numeric(table: pd.DataFrame, columns: list[str]) -> list[str]:
    """Return the columns of ``columns`` that are not numeric (absent ones count as wrong)."""
    return [c for c in columns if c not in table or not is_numeric_dtype(table[c])]


def _log_file(tmp_path: Path) -> Path:
    log = visit_log(testing.county(), testing.net(), testing.TRUTH, LogOptions(days=2, seed=1))
    path = tmp_path / "log.csv"
    log.drop(columns="waited_minutes").to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("read", "columns"),
    [
        (lambda _: cz.read_clients(DATA / "example-clients.csv"), ["lat", "lon", "hours_per_week"]),
        (
            lambda _: cz.read_clients(DATA / "example-clients-bng.csv"),
            ["easting", "northing", "hours_per_week"],
        ),
        (lambda _: cz.read_points(DATA / "example-sites.csv"), ["lat", "lon"]),
        (
            lambda _: cz.read_visits(DATA / "example-visits.csv"),
            ["lat", "lon", "window_start", "window_end", "duration_minutes", "carers_required"],
        ),
        (
            lambda _: cz.read_carers(DATA / "example-carers.csv"),
            ["lat", "lon", "shift_start", "shift_end", "break_minutes"],
        ),
        (
            lambda _: cz.read_providers(testing.county().providers_path),
            ["lat", "lon", "capacity_hours"],
        ),
        (
            lambda _: read_demand(
                DATA / "example-areas.csv", columns=DemandColumns(count="aged_65_plus")
            ),
            ["lat", "lon", "aged_65_plus", "weight"],
        ),
        (lambda p: read_visit_log(_log_file(p)), ["source_row"]),  # places as geometry
    ],
    ids=["clients", "clients-bng", "points", "visits", "carers", "providers", "demand", "log"],
)
def test_every_reader_returns_numbers_as_numbers(read, columns, tmp_path):
    table = read(tmp_path)
    assert len(table)
    assert not _numeric(table, columns), table.dtypes.to_dict()
    assert table[columns].mean().notna().all()  # arithmetic works on them
