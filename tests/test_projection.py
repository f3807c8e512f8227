"""Demand projected from population projections (issue 30): readers, the engine, the CLI.

A hand-calculated projection, the spread in proportion to the areas' weights, every bad table
named with its row and column, and ``choose-sites --projections`` on the tiny synthetic county
(SYNTHETIC projections, ILLUSTRATIVE rates).
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import carezones as cz
from carezones.errors import ArgumentError
from carezones.io import read_prevalence, read_projection_areas, read_projections
from carezones.synthetic import write_projection_example

from .conftest import cache_at

YEARS = ["2022", "2030", "2038"]
PEOPLE = {  # people by age and year of one authority: ages 74 to 77 and "78 and over"
    "74": [100, 100, 100],
    "75": [200, 250, 300],
    "76": [300, 350, 400],
    "77": [400, 450, 500],
    "78 and over": [1000, 1500, 2000],
}


def ons_table(people=PEOPLE, code="E06000099", name="Hartside") -> pd.DataFrame:
    """A projection in the layout of ONS's SNPP persons table (with its 'All ages' total)."""
    rows = [[code, name, "Population", "persons", age, *v] for age, v in people.items()]
    total = np.sum(list(people.values()), axis=0).tolist()
    rows.append([code, name, "Population", "persons", "All ages", *total])
    cols = ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", *YEARS]
    return pd.DataFrame(rows, columns=cols).astype(object)


RATES = pd.DataFrame({"age_band": ["75-76", "77+"], "per_1000": [10, 50]})  # illustrative


def two_areas(**extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["A1", "A2"],
            "lat": [54.39, 54.40],
            "lon": [1.59, 1.60],
            "aged_75_plus": [300, 100],
            "clients": [1, 3],
            **extra,
        }
    )


# ---------------------------------------------------------------------- the calculation
def test_a_hand_calculated_projection_for_two_areas_and_two_years():
    got = cz.project_demand(two_areas(), ons_table(), RATES, [2038, 2030])
    # homes = people of each band x per_1000 / 1000; the open band 77+ holds "78 and over"
    # 2022: (200 + 300) x 10 / 1000 + (400 + 1000) x 50 / 1000 = 5 + 70 = 75
    # 2030: (250 + 350) x 0.01 + (450 + 1500) x 0.05 = 6 + 97.5 = 103.5
    # 2038: (300 + 400) x 0.01 + (500 + 2000) x 0.05 = 7 + 125 = 132
    assert got.years == (2030, 2038) and got.base_year == 2022
    assert got.totals.to_dict() == pytest.approx({2022: 75.0, 2030: 103.5, 2038: 132.0})
    band = got.homes.set_index(["year", "age_band"])
    assert band.loc[(2030, "77+"), "persons"] == 1950 and band.loc[(2030, "75-76"), "homes"] == 6
    # spread 300 : 100 (today's older people): A1 has three quarters
    d = got.demand.set_index("area")
    assert d["share"].to_dict() == pytest.approx({"A1": 0.75, "A2": 0.25})
    assert d["weight"].to_dict() == pytest.approx({"A1": 56.25, "A2": 18.75})
    assert d["homes_2030"].to_dict() == pytest.approx({"A1": 77.625, "A2": 25.875})
    assert d["homes_2038"].to_dict() == pytest.approx({"A1": 99.0, "A2": 33.0})
    g = got.growth.set_index("area")
    assert list(g.columns) == ["2030", "2038", "source_row"]
    assert g["2030"].tolist() == pytest.approx([1.38, 1.38])
    assert g["2038"].tolist() == pytest.approx([1.76, 1.76])
    assert got.demand.attrs["carezones_demand"]["unit"] == "homes of housing with care"
    assert "2022 (base, 'now') 75.0; 2030 103.5; 2038 132.0" in got.summary()
    # a base year of its own: 'now' is 2030
    later = cz.project_demand(
        two_areas(), ons_table(), RATES, 2038, options=cz.ProjectionOptions(base_year=2030)
    )
    assert later.base_year == 2030 and later.growth["2038"].iloc[0] == pytest.approx(132 / 103.5)


def test_the_long_form_and_the_sexes_added_up_give_the_same():
    long = pd.DataFrame(
        [
            {"area_code": "E06000099", "age": age, "year": int(year), "persons": v[i]}
            for age, v in PEOPLE.items()
            for i, year in enumerate(YEARS)
        ]
    )
    a = cz.project_demand(two_areas(), long, RATES, [2030, 2038])
    halves = ons_table({k: [x / 2 for x in v] for k, v in PEOPLE.items()})
    both = pd.concat([halves.assign(SEX="male"), halves.assign(SEX="female")])
    b = cz.project_demand(two_areas(), both, RATES, [2030, 2038])
    assert a.totals.to_dict() == pytest.approx(b.totals.to_dict())
    assert a.totals[2038] == pytest.approx(132.0)
    assert read_projections(long).attrs["carezones_projection"]["form"] == "long"


def test_the_spread_is_in_proportion_to_the_weights_of_each_authority():
    west = ons_table(code="W1", name="West")
    east = ons_table({k: [x * 2 for x in v] for k, v in PEOPLE.items()}, code="E1", name="East")
    east[YEARS] = east[YEARS].astype(float) * np.array([1.0, 1.1, 1.3])  # grows faster
    proj = pd.concat([west, east], ignore_index=True)
    rng = np.random.default_rng(3)
    n = 12
    areas = pd.DataFrame(
        {
            "lsoa21cd": [f"L{i:02d}" for i in range(n)],
            "lad22cd": ["W1"] * 5 + ["E1"] * 7,
            "lat": 54.4 + rng.random(n) / 50,
            "lon": 1.6 + rng.random(n) / 50,
            "aged_75_plus": rng.integers(0, 400, n),
            "client_count": rng.integers(1, 30, n),
        }
    )
    for spread_by, column in (("population", "aged_75_plus"), ("clients", "client_count")):
        got = cz.project_demand(
            areas, proj, RATES, [2030, 2038], options=cz.ProjectionOptions(spread_by=spread_by)
        )
        d = got.demand
        w = areas[column].to_numpy(float)
        assert d["spread_weight"].tolist() == w.tolist()
        for code in ("W1", "E1"):
            mine = (d["authority"] == code).to_numpy()
            for year in (2030, 2038):
                total = got.homes.query("authority == @code and year == @year")["homes"].sum()
                homes = d.loc[mine, f"homes_{year}"].to_numpy()
                assert homes.sum() == pytest.approx(total)
                assert homes == pytest.approx(total * w[mine] / w[mine].sum())
        g = got.growth.set_index("area")["2038"]
        assert g["L00"] == pytest.approx(132 / 75) and g["L11"] == pytest.approx(132 * 1.3 / 75)
        assert f"(column {column})" in got.summary()


def test_choose_sites_takes_the_projected_demand_and_a_scenario_per_year(tmp_path):
    from carezones import testing

    with cache_at(tmp_path / "cache"):
        projected, net = testing.projected(), testing.net()
        sites = testing.clients().head(8)[["geometry"]]
        res = cz.choose_sites(
            sites,
            projected.demand,
            net,
            2,
            growth=projected.growth,
            options=cz.PortfolioOptions(minutes=3.0),
        )
    assert res.scenarios.scenario.tolist() == ["now", "2030", "2038"]
    assert res.kpis["plan_for"] == "2038" and res.kpis["unit"] == "homes of housing with care"
    demand = res.scenarios.set_index("scenario")["demand"]
    assert demand.to_dict() == pytest.approx(projected.totals.set_axis(demand.index).to_dict())
    assert any("'now' is 2022" in n for n in res.kpis["notes"])


# ---------------------------------------------------------------------- bad tables, named
def problems(exc: pytest.ExceptionInfo[cz.ValidationError]) -> list[tuple]:
    return [(p.row, p.column, str(p.reason)) for p in exc.value.items]


def test_ages_as_bands_and_negative_counts_are_named_together():
    table = ons_table()
    table.loc[1, "AGE_GROUP"] = "75-79"
    table.loc[2, "2030"] = -5
    with pytest.raises(cz.ValidationError) as exc:
        read_projections(table)
    got = problems(exc)
    assert (2, "AGE_GROUP", "an age band (75 to 79) where single years of age are needed") in got
    assert (3, "2030", "a negative count") in got and len(got) == 2
    assert "single year of age" in str(exc.value)


def test_a_year_asked_that_the_table_lacks_names_the_years_it_has():
    with pytest.raises(
        cz.ValidationError, match="year 2050 is not in the projections: they have 2022, 2030, 2038"
    ):
        cz.project_demand(two_areas(), ons_table(), RATES, [2030, 2050])
    with pytest.raises(cz.ValidationError, match="2020 is not in the projections"):
        cz.project_demand(
            two_areas(), ons_table(), RATES, [2030], options=cz.ProjectionOptions(base_year=2020)
        )


def test_an_area_whose_authority_the_projections_lack_is_named_by_row():
    proj = pd.concat([ons_table(code="W1"), ons_table(code="E1")], ignore_index=True)
    areas = two_areas(lad22cd=["W1", "X9"])
    with pytest.raises(cz.ValidationError) as exc:
        cz.project_demand(areas, proj, RATES, [2030])
    assert problems(exc)[0][:2] == (2, "lad22cd") and "'E1', 'W1'" in problems(exc)[0][2]
    with pytest.raises(cz.ValidationError, match="does not say which each small area is in"):
        cz.project_demand(two_areas(), proj, RATES, [2030])  # no authority column
    with pytest.raises(ArgumentError, match="authority='X9' is not in"):
        cz.project_demand(
            two_areas(), proj, RATES, 2030, options=cz.ProjectionOptions(authority="X9")
        )
    one = cz.project_demand(
        two_areas(), proj, RATES, 2030, options=cz.ProjectionOptions(authority="E1")
    )
    assert set(one.demand.authority) == {"E1"}


@pytest.mark.parametrize(
    ("bands", "rates", "row", "column", "reason"),
    [
        (["75-79", "79-84", "85+"], [10, 25, 60], 3, "age_band", "overlaps the band '75-79'"),
        (["75-79", "85+"], [10, 60], 3, "age_band", "ages 80 to 84 fall between"),
        (["75-79", "80+", "90+"], [10, 25, 60], 4, "age_band", "overlaps the band '80+'"),
        (["75-79", "80-84", "85+"], [10, -25, 60], 3, "per_1000", "a negative rate"),
        (["75-79", "80-84", "85+"], [10, "", 60], 3, "per_1000", "missing rate"),
        (["75-79", "eighty", "85+"], [10, 25, 60], 3, "age_band", "not an age band"),
        (["79-75"], [10], 2, "age_band", "the band runs backwards"),
    ],
)
def test_bad_prevalence_tables_are_named_by_row_and_column(
    tmp_path, bands, rates, row, column, reason
):
    path = tmp_path / "rates.csv"
    pd.DataFrame({"age_band": bands, "per_1000": rates}).to_csv(path, index=False)
    with pytest.raises(cz.ValidationError) as exc:
        read_prevalence(path)
    assert exc.value.source == "rates.csv"
    assert any(r == row and c == column and reason in why for r, c, why in problems(exc))


def test_rate_bands_the_projections_ages_cannot_give_are_refused():
    split = pd.DataFrame({"age_band": ["75-76", "77-79", "80+"], "per_1000": [10, 20, 50]})
    with pytest.raises(cz.ValidationError, match="as one group, which a band must hold whole"):
        cz.project_demand(two_areas(), ons_table(), split, [2030])
    young = pd.DataFrame({"age_band": ["65-74", "75+"], "per_1000": [1, 20]})
    with pytest.raises(cz.ValidationError, match="start at age 74"):
        cz.project_demand(two_areas(), ons_table(), young, [2030])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda t: t.drop(index=2), "has no rows for age 76"),
        (lambda t: pd.concat([t, t.iloc[[1]]]), r"age 75 repeated \(first in row 2\)"),
        (lambda t: t.assign(SEX="male"), "male rows only"),
        (lambda t: t.assign(SEX="x"), "not a sex ONS's tables use"),
        (lambda t: t.rename(columns={"AGE_GROUP": "band"}), "not a population projection"),
        (lambda t: t.assign(**{"2030": "lots"}), "a count must be a number"),
    ],
)
def test_bad_projection_tables_are_named(change, reason):
    with pytest.raises(cz.ValidationError, match=reason):
        read_projections(change(ons_table()))


def test_bad_areas_are_named():
    with pytest.raises(cz.ValidationError, match="no column of the clients counted"):
        read_projection_areas(two_areas().drop(columns="clients"), spread_by="clients")
    with pytest.raises(cz.ValidationError, match="a negative count"):
        read_projection_areas(two_areas(aged_75_plus=[5, -1]))
    with pytest.raises(cz.ValidationError, match="weigh nothing together"):
        cz.project_demand(two_areas(aged_75_plus=[0, 0]), ons_table(), RATES, [2030])
    with pytest.raises(ArgumentError, match="spread_by must be"):
        cz.ProjectionOptions(spread_by="homes")
    with pytest.raises(ArgumentError, match="asked twice"):
        cz.project_demand(two_areas(), ons_table(), RATES, [2030, 2030])


def test_polygon_areas_are_counted_at_a_point_inside():
    boxes = gpd.GeoDataFrame(
        {"lsoa21cd": ["A1", "A2"], "aged_75_plus": [300, 100]},
        geometry=gpd.GeoSeries.from_wkt(
            [
                "POLYGON((1.58 54.38,1.60 54.38,1.60 54.40,1.58 54.40,1.58 54.38))",
                "POLYGON((1.60 54.38,1.62 54.38,1.62 54.40,1.60 54.40,1.60 54.38))",
            ]
        ),
        crs=4326,
    )
    got = cz.project_demand(boxes, ons_table(), RATES, [2038])
    assert (got.demand.geom_type == "Point").all()
    assert got.demand["homes_2038"].tolist() == pytest.approx([99.0, 33.0])


# ---------------------------------------------------------------------- the synthetic county
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny synthetic county, its projection example, and 12 candidate sites."""
    folder = tmp_path_factory.mktemp("projection")
    county = cz.make_synthetic_county(folder, size="tiny", seed=0)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    example = write_projection_example(county)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert {k: after[k] for k in before} == before  # the county's own files are untouched
    clients = pd.read_csv(county.clients_path)
    sites = folder / "sites.csv"
    clients.iloc[::5][["lat", "lon"]].assign(
        site_id=[f"S{i:02d}" for i in range(len(clients.iloc[::5]))]
    ).to_csv(sites, index=False)
    return folder, county, example, sites


def test_the_synthetic_example_is_labelled_and_the_same_every_time(tiny, tmp_path):
    _, county, example, _ = tiny
    again = write_projection_example(county, tmp_path)
    for a, b in (
        (example.projections_path, again.projections_path),
        (example.prevalence_path, again.prevalence_path),
        (example.areas_path, again.areas_path),
    ):
        assert a.read_bytes() == b.read_bytes()
    snpp = pd.read_csv(example.projections_path)
    assert list(snpp.columns[:5]) == ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP"]
    assert snpp.columns[5] == "2022" and snpp.columns[-1] == "2047"
    assert snpp.AREA_NAME.str.contains("SYNTHETIC").all()
    assert "90 and over" in set(snpp.AGE_GROUP) and "All ages" in set(snpp.AGE_GROUP)
    assert pd.read_csv(example.prevalence_path).note.str.contains("ILLUSTRATIVE").all()
    areas = pd.read_csv(example.areas_path)
    assert areas.clients.sum() == county.n_clients and set(areas.lad_code) == {
        "SYNLA01",
        "SYNLA02",
    }


def run_cli(tiny, tmp_path, *extra, out="out"):
    from carezones.cli import main

    folder, county, _, sites = tiny
    args = [
        "choose-sites",
        "--osm",
        str(county.osm_path),
        "--sites",
        str(sites),
        "--k",
        "2",
        "--minutes",
        "4",
        "--out",
        str(tmp_path / out),
        "-q",
        *extra,
    ]
    with cache_at(folder / "cache"):
        return main(args)


def test_choose_sites_with_projections_writes_one_scenario_per_year(tiny, tmp_path, capsys):
    _, _, example, _ = tiny
    code = run_cli(
        tiny,
        tmp_path,
        "--projections",
        str(example.projections_path),
        "--prevalence",
        str(example.prevalence_path),
        "--areas",
        str(example.areas_path),
        "--years",
        "2038",
        "2030",
    )
    assert code == 0, capsys.readouterr().err
    out = tmp_path / "out"
    scen = pd.read_csv(out / "scenarios.csv")
    assert scen.scenario.astype(str).tolist() == ["now", "2030", "2038"]
    expected = cz.project_demand(
        example.areas_path, example.projections_path, example.prevalence_path, [2030, 2038]
    ).totals
    assert scen.demand.tolist() == pytest.approx(expected.tolist(), abs=1e-3)
    summary = (out / "summary.md").read_text()
    assert "for '2038'" in summary and "homes of housing with care" in summary
    assert "'now' is 2022" in summary
    # spread by clients, chosen for 2030
    code = run_cli(
        tiny,
        tmp_path,
        "--projections",
        str(example.projections_path),
        "--prevalence",
        str(example.prevalence_path),
        "--areas",
        str(example.areas_path),
        "--years",
        "2030",
        "2038",
        "--spread-by",
        "clients",
        "--plan-for",
        "2030",
        out="o2",
    )
    assert code == 0
    assert "for '2030'" in (tmp_path / "o2" / "summary.md").read_text()


def test_bad_tables_and_options_exit_2(tiny, tmp_path, capsys):
    _, _, example, _ = tiny
    snpp = pd.read_csv(example.projections_path, dtype=str)
    snpp.loc[80, "AGE_GROUP"] = "80-84"
    snpp.loc[81, "2030"] = "-12"
    bad = tmp_path / "snpp.csv"
    snpp.to_csv(bad, index=False)
    rates = tmp_path / "rates.csv"
    rates.write_text("age_band,per_1000\n75-79,10\n80-84,-1\n86+,60\n")
    base = ["--prevalence", str(example.prevalence_path), "--areas", str(example.areas_path)]
    code = run_cli(tiny, tmp_path, "--projections", str(bad), *base, "--years", "2030")
    err = capsys.readouterr().err
    assert code == 2
    assert "row 82, column 'AGE_GROUP' (value '80-84'): an age band" in err
    assert "row 83, column '2030' (value '-12'): a negative count" in err
    good = ["--projections", str(example.projections_path)]
    code = run_cli(tiny, tmp_path, *good, *base, "--years", "2030", "2050")
    err = capsys.readouterr().err
    assert code == 2 and "year 2050 is not in the projections: they have 2022 to 2047" in err
    assert "give --years years the projections have (2022 to 2047)" in err  # the option's words
    code = run_cli(
        tiny,
        tmp_path,
        *good,
        "--prevalence",
        str(rates),
        "--areas",
        str(example.areas_path),
        "--years",
        "2030",
    )
    err = capsys.readouterr().err
    assert code == 2 and "rates.csv" in err and "a negative rate" in err
    areas = pd.read_csv(example.areas_path)
    areas.loc[0, "lad_code"] = "SYNLA99"
    wrong = tmp_path / "areas.csv"
    areas.to_csv(wrong, index=False)
    code = run_cli(
        tiny,
        tmp_path,
        *good,
        "--prevalence",
        str(example.prevalence_path),
        "--areas",
        str(wrong),
        "--years",
        "2030",
    )
    err = capsys.readouterr().err
    assert code == 2 and "row 2, column 'lad_code' (value 'SYNLA99')" in err
    code = run_cli(tiny, tmp_path, *good, "--years", "2030")
    assert code == 2 and "--projections needs --prevalence, --areas too" in capsys.readouterr().err
    code = run_cli(tiny, tmp_path, *good, *base, "--years", "2030", "--demand", str(wrong))
    assert code == 2 and "not both" in capsys.readouterr().err
    code = run_cli(tiny, tmp_path)
    assert code == 2 and "give the demand" in capsys.readouterr().err
    code = run_cli(tiny, tmp_path, *good, *base, "--years", "2030", "--count-column", "homes")
    err = capsys.readouterr().err
    assert code == 2 and "given by --count-column is not in the file" in err
