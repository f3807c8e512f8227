"""Legs classed by the ONS rural-urban classification of areal units (an AreaRule)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from carezones import testing
from carezones.calibration import CalibrationOptions, calibrate
from carezones.cli import main
from carezones.errors import ConfigError, ValidationError
from carezones.io import read_rural_urban
from carezones.network import AreaRule, ClassTimes, TravelProfile
from carezones.synthetic import LogOptions, visit_log


@pytest.fixture(scope="module")
def units() -> gpd.GeoDataFrame:
    """Square units over the tiny county, coded by the 2021 classification.

    A unit is urban (UN1) when its centre is urban by the density rule the tiny county's truth
    uses, rural (RSN1 or RLF1) otherwise, so that both rules class most places alike.
    """
    w, s, e, n = testing.county().bounds
    step = 0.004
    xs, ys = np.arange(w - step, e + step, step), np.arange(s - step, n + step, step)
    cells = [shapely.box(x, y, x + step, y + step) for x in xs for y in ys]
    centres = np.array([c.centroid.coords[0] for c in cells])
    urban = testing.net().urban_places(centres, testing.TRUTH.rule)
    codes = np.where(urban, "UN1", np.where(np.arange(len(cells)) % 2, "RSN1", "RLF1"))
    ids = [f"E0{i:07d}" for i in range(len(cells))]
    return gpd.GeoDataFrame({"LSOA21CD": ids, "RUC21CD": codes}, geometry=cells, crs=4326)


@pytest.fixture(scope="module")
def rule(units) -> AreaRule:
    classed = read_rural_urban(units)
    assert classed.attrs["column"] == "RUC21CD"
    return AreaRule.from_units(classed)


def test_the_classification_is_read_from_the_units_or_joined_from_the_lookup(units):
    direct = read_rural_urban(units)
    lookup = pd.DataFrame(
        {
            "lsoa21cd": units["LSOA21CD"],
            "RUC21NM": np.where(
                units.RUC21CD == "UN1",
                "Urban: Nearer to a major town or city",
                "Smaller rural: Further from a major town",
            ),
        }
    )
    joined = read_rural_urban(units[["LSOA21CD", "geometry"]], lookup=lookup)
    assert joined.attrs["column"] == "RUC21NM"
    assert direct["urban"].tolist() == joined["urban"].tolist()
    assert 0 < direct["urban"].sum() < len(direct)
    flags = units.assign(RUC21CD="x", flag=np.where(units.RUC21CD == "UN1", "Urban", "Rural"))
    assert read_rural_urban(flags, column="flag")["urban"].tolist() == direct["urban"].tolist()


def test_units_with_unknown_classes_or_missing_from_the_lookup_are_named_together(units):
    bad = units.head(4).assign(RUC21CD=["UN1", "Q9", None, "E1"])
    with pytest.raises(ValidationError) as err:
        read_rural_urban(bad)
    text = str(err.value)
    assert "row 2, column 'RUC21CD' (value 'Q9'): not a rural-urban class" in text
    assert "row 3, column 'RUC21CD': no rural-urban class" in text
    lookup = pd.DataFrame({"LSOA21CD": units.LSOA21CD[:2], "RUC11CD": ["A1", "F2"]})
    with pytest.raises(ValidationError, match=r"row 3, column 'LSOA21CD'.*not in the lookup"):
        read_rural_urban(units.head(3)[["LSOA21CD", "geometry"]], lookup=lookup)
    with pytest.raises(ValidationError, match="no rural-urban class column"):
        read_rural_urban(units[["LSOA21CD", "geometry"]])
    with pytest.raises(ConfigError, match="no unit is urban"):
        AreaRule.from_units(read_rural_urban(units.assign(RUC21CD="RSN1")))


def test_an_area_profile_round_trips_with_its_urban_area_and_refuses_a_changed_one(rule, tmp_path):
    profile = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5), rule=rule, name="ons")
    (tmp_path / "travel-profile.toml").write_text(profile.to_toml(), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"urban-areas\.geojson is not next to the profile"):
        TravelProfile.load(tmp_path / "travel-profile.toml")
    (tmp_path / rule.file).write_text(rule.geojson(), encoding="utf-8")
    back = TravelProfile.load(tmp_path / "travel-profile.toml")
    assert back == profile and back.rule.describe() == rule.describe()
    lon, lat = testing.points().T
    assert (back.rule.urban_at(lon, lat) == rule.urban_at(lon, lat)).all()
    moved = rule.geojson().replace('"coordinates":[[[[', '"coordinates":[[[[0.1', 1)
    (tmp_path / rule.file).write_text(moved, encoding="utf-8")
    with pytest.raises(ConfigError, match="not the file the profile was fitted with"):
        TravelProfile.load(tmp_path / "travel-profile.toml")


def test_calibration_by_units_recovers_a_truth_classed_by_the_same_units(rule):
    truth = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5), rule=rule, name="truth")
    net = testing.net()
    log = visit_log(testing.county(), net, truth, LogOptions(days=40, seed=2, noise_minutes=0.3))
    opts = CalibrationOptions(rule=rule, fitted_at="-")
    result = calibrate(log.drop(columns="waited_minutes"), net, options=opts)
    for c in ("urban", "rural"):
        got, want = result.profile.times(c), truth.times(c)
        assert got.multiplier == pytest.approx(want.multiplier, rel=0.05), c
        assert got.overhead_minutes == pytest.approx(want.overhead_minutes, abs=1.0), c
        assert result.kpis[f"{c}_legs"] > 100
    assert result.kpis["mae_after_minutes"] <= 0.5 * result.kpis["mae_before_minutes"]
    # the profile applies by the same units: a leg's time is multiplier × model + overhead
    points = testing.points()[:12]
    model = net.with_profile(None).travel_times(points, engine="builtin")
    urban = net.urban_places(points, rule)
    assert 0 < urban.sum() < len(urban)
    want = result.profile.leg_minutes(model, urban, urban, np.eye(len(points), dtype=bool))
    got = net.with_profile(result.profile).travel_times(points, engine="builtin")
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_calibrate_command_classes_legs_by_the_units_it_is_given(units, tmp_path, cache, capsys):
    county = testing.county()
    truth = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5), rule=testing.TRUTH.rule)
    log = visit_log(county, testing.net(), truth, LogOptions(days=12, seed=3))
    path = tmp_path / "visits-log.csv"
    log.drop(columns="waited_minutes").to_csv(path, index=False)
    units[["LSOA21CD", "geometry"]].to_file(tmp_path / "lsoa.gpkg")
    units[["LSOA21CD", "RUC21CD"]].to_csv(tmp_path / "ruc.csv", index=False)
    out = tmp_path / "calibrated"
    args = ["calibrate", "--osm", str(county.osm_path), "--log", str(path), "--cdn"]
    args += ["--units", str(tmp_path / "lsoa.gpkg"), "--units-lookup", str(tmp_path / "ruc.csv")]
    assert main([*args, "--out", str(out)]) == 0
    profile = TravelProfile.load(out / "travel-profile.toml")
    assert isinstance(profile.rule, AreaRule)
    assert (profile.rule.source, profile.rule.column) == ("lsoa.gpkg", "RUC21CD")
    assert "RUC21CD of lsoa.gpkg" in (out / "summary.md").read_text()
    travel = ["travel-times", "--osm", str(county.osm_path), "--points", str(county.clients_path)]
    travel += ["--travel-profile", str(out / "travel-profile.toml"), "-q"]
    assert main([*travel, "--out", str(tmp_path / "times.csv")]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "calibrate",
                "--osm",
                str(county.osm_path),
                "--log",
                str(path),
                "--units-column",
                "RUC21CD",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )
    assert "--units-column go with --units" in capsys.readouterr().err
