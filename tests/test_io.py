"""Tests of carezones.io: reading and validating points and clients (fixtures made in tmp_path)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from carezones.errors import PROBLEM_COLUMNS, ValidationError
from carezones.io import Collected, ReadOptions, read_clients, read_points

# Oakham, Uppingham and Cottesmore in Rutland (lon, lat).
OAKHAM = (-0.7277, 52.6705)
UPPINGHAM = (-0.7233, 52.5874)
COTTESMORE = (-0.6655, 52.7134)
LONDON = (-0.1276, 51.5072)
RUTLAND = box(-0.85, 52.52, -0.42, 52.76)
TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def bng(lonlat: tuple[float, float]) -> tuple[int, int]:
    e, n = TO_BNG.transform(*lonlat)
    return round(e), round(n)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def clients_csv(tmp_path: Path, name: str = "clients.csv", sep: str = ",") -> Path:
    rows = [
        ["client_id", "lat", "lon", "hours_per_week", "name"],
        ["C1", OAKHAM[1], OAKHAM[0], "10", "Ann"],
        ["C2", UPPINGHAM[1], UPPINGHAM[0], "7.5", "Bob"],
        ["C3", COTTESMORE[1], COTTESMORE[0], "0", "Cat"],
    ]
    return write(tmp_path, name, "\n".join(sep.join(map(str, r)) for r in rows) + "\n")


def lookup_of(path: Path) -> ReadOptions:
    return ReadOptions(postcode_lookup=path)


def error_of(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value


def assert_covers(result: Collected, rows: set[int]) -> None:
    """Every input row is in valid or rejected, and no valid row was rejected."""
    valid_rows = set(result.valid["source_row"].tolist())
    rejected_rows = set(result.rejected["row"].dropna().astype(int).tolist())
    assert valid_rows | rejected_rows == rows
    assert not valid_rows & rejected_rows
    assert list(result.rejected.columns) == PROBLEM_COLUMNS


# --------------------------------------------------------------------------------------------
# Good inputs


def test_wgs84_csv(tmp_path: Path) -> None:
    gdf = read_clients(clients_csv(tmp_path))
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert gdf.crs.to_epsg() == 4326
    assert gdf["client_id"].tolist() == ["C1", "C2", "C3"]
    assert gdf["hours_per_week"].tolist() == [10.0, 7.5, 0.0]
    assert gdf["hours_per_week"].dtype == float
    assert gdf["name"].tolist() == ["Ann", "Bob", "Cat"]
    assert gdf["source_row"].tolist() == [2, 3, 4]
    assert gdf.geometry.iloc[0].equals_exact(Point(OAKHAM), 1e-9)
    report = gdf.attrs["carezones_read"]
    assert report["source"] == "clients.csv"
    assert report["rows_read"] == report["rows_valid"] == 3
    assert report["rows_rejected"] == 0
    assert report["crs"] == "EPSG:4326"
    assert "degrees" in report["crs_reason"]
    assert report["delimiter"] == ","
    assert report["encoding"] == "utf-8"
    assert report["geocoded_from_postcode"] == 0


def test_bng_csv(tmp_path: Path) -> None:
    (e1, n1), (e2, n2) = bng(OAKHAM), bng(UPPINGHAM)
    path = write(tmp_path, "c.csv", f"ID,Easting,Northing,Hours\nA,{e1},{n1},3\nB,{e2},{n2},4\n")
    gdf = read_clients(path)
    report = gdf.attrs["carezones_read"]
    assert report["crs"] == "EPSG:27700"
    assert report["crs_reason"] == (
        "detected from columns 'Easting'/'Northing' with values in the British National Grid range"
    )
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4
    assert list(gdf.columns[:3]) == ["client_id", "Easting", "Northing"]


def test_xy_columns_with_bng_values(tmp_path: Path) -> None:
    e, n = bng(OAKHAM)
    path = write(tmp_path, "p.csv", f"site,X,Y\ns1,{e},{n}\n")
    gdf = read_points(path)
    assert gdf.attrs["carezones_read"]["crs"] == "EPSG:27700"
    assert "British National Grid" in gdf.attrs["carezones_read"]["crs_reason"]
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4


def test_lat_lon_names_with_metres_are_read_as_bng_and_say_so(tmp_path: Path) -> None:
    e, n = bng(OAKHAM)
    path = write(tmp_path, "p.csv", f"site,lat,lon\ns1,{n},{e}\n")
    gdf = read_points(path)
    reason = gdf.attrs["carezones_read"]["crs_reason"]
    assert "named as latitude/longitude but hold values in metres" in reason
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4


def test_forced_crs(tmp_path: Path) -> None:
    e, n = bng(OAKHAM)
    path = write(tmp_path, "p.csv", f"site,a,b\ns1,{e},{n}\n")
    gdf = read_points(path, options=ReadOptions(x="a", y="b", crs="EPSG:27700"))
    assert gdf.attrs["carezones_read"]["crs_reason"] == "forced by crs='EPSG:27700'"
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4


def test_aliases_are_case_space_and_underscore_insensitive(tmp_path: Path) -> None:
    text = "Client Ref,LATITUDE,Lng,HRS,Notes\n7,52.67,-0.73,5h,x\n8,52.59,-0.72, 7.5 hrs ,y\n"
    gdf = read_clients(write(tmp_path, "c.csv", text))
    assert gdf["client_id"].tolist() == ["7", "8"]
    assert gdf["hours_per_week"].tolist() == [5.0, 7.5]
    assert "Notes" in gdf.columns and "LATITUDE" in gdf.columns


def test_explicit_columns(tmp_path: Path) -> None:
    text = "who,north_deg,east_deg,care\nA,52.67,-0.73,1\n"
    path = write(tmp_path, "c.csv", text)
    opts = ReadOptions(x="east_deg", y="north_deg", id_column="who")
    gdf = read_clients(path, options=opts, hours_column="care")
    assert gdf["client_id"].tolist() == ["A"]
    assert gdf.geometry.iloc[0].equals_exact(Point(-0.73, 52.67), 1e-9)


@pytest.mark.parametrize(
    ("name", "sep"), [("c.csv", ";"), ("c.tsv", "\t"), ("c.txt", "\t"), ("c.csv", "|")]
)
def test_delimiters(tmp_path: Path, name: str, sep: str) -> None:
    gdf = read_clients(clients_csv(tmp_path, name, sep))
    assert len(gdf) == 3
    assert gdf.attrs["carezones_read"]["delimiter"] == sep


def test_semicolon_with_decimal_commas_is_not_mistaken_for_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id;lat;lon;hours\nA;52,67;-0,73;2\n")
    err = error_of(read_clients, path)
    assert "row 2" in str(err)
    assert "no commas: a dot for decimals" in str(err)


def test_cp1252_encoding(tmp_path: Path) -> None:
    text = "client_id,lat,lon,hours,name,fee\nC1,52.67,-0.73,2,Zoë,£12\n"
    gdf = read_clients(write(tmp_path, "c.csv", text, encoding="cp1252"))
    assert gdf.attrs["carezones_read"]["encoding"] == "cp1252"
    assert gdf["name"].iloc[0] == "Zoë"
    assert gdf["fee"].iloc[0] == "£12"


def test_utf8_bom(tmp_path: Path) -> None:
    text = "client_id,lat,lon,hours,name\nC1,52.67,-0.73,2,Zoë\n"
    gdf = read_clients(write(tmp_path, "c.csv", text, encoding="utf-8-sig"))
    assert gdf.attrs["carezones_read"]["encoding"] == "utf-8-sig"
    assert gdf["client_id"].tolist() == ["C1"]
    assert gdf["name"].iloc[0] == "Zoë"


def test_utf16_with_bom(tmp_path: Path) -> None:
    text = "client_id\tlat\tlon\thours\nC1\t52.67\t-0.73\t2\n"
    gdf = read_clients(write(tmp_path, "c.txt", text, encoding="utf-16"))
    assert gdf.attrs["carezones_read"]["encoding"] == "utf-16"
    assert gdf.attrs["carezones_read"]["delimiter"] == "\t"
    assert len(gdf) == 1


def test_blank_lines_count_as_spreadsheet_rows(tmp_path: Path) -> None:
    text = "id,lat,lon,hours\nA,52.67,-0.73,1\n\nB,52.59,-0.72,1\nC,52.6,oops,1\n"
    result = read_clients(write(tmp_path, "c.csv", text), errors="collect")
    assert result.valid["source_row"].tolist() == [2, 4]
    assert result.rejected["row"].tolist() == [5]


def test_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    df = pd.DataFrame(
        {
            "Client ID": [1001, 1002],
            "Latitude": [OAKHAM[1], UPPINGHAM[1]],
            "Longitude": [OAKHAM[0], UPPINGHAM[0]],
            "Hours": [3, 4.5],
            "Name": ["Zoë", "£ Bob"],
        }
    )
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="About", index=False)
        df.to_excel(writer, sheet_name="Clients", index=False)
    gdf = read_clients(path, sheet="Clients")
    assert gdf["client_id"].tolist() == ["1001", "1002"]
    assert gdf["hours_per_week"].tolist() == [3.0, 4.5]
    assert gdf["source_row"].tolist() == [2, 3]
    assert gdf["Name"].tolist() == ["Zoë", "£ Bob"]
    assert gdf.attrs["carezones_read"]["delimiter"] is None
    assert read_clients(path, sheet=1)["client_id"].tolist() == ["1001", "1002"]
    err = error_of(read_clients, path, sheet="Nope")
    assert "'About', 'Clients'" in str(err)


def test_xlsx_row_numbers_and_problems(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    pd.DataFrame(
        {"id": ["A", "B", "C"], "lat": [52.67, None, 52.6], "lon": [-0.73, -0.72, -0.7]}
    ).assign(hours=[1, 2, "lots"]).to_excel(path, index=False)
    result = read_clients(path, errors="collect")
    assert result.valid["source_row"].tolist() == [2]
    assert result.rejected["row"].tolist() == [3, 4]
    assert_covers(result, {2, 3, 4})


def test_xlsx_table_not_in_the_top_left_corner(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    for col, name in zip("BCDE", ["id", "lat", "lon", "hours"], strict=True):
        ws[f"{col}3"] = name
    ws.append([None, "A", 52.67, -0.73, 1])
    ws.append([])
    ws.append([None, "B", "x", -0.73, 1, "stray"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    valid, rejected = read_clients(path, errors="collect")
    assert valid["source_row"].tolist() == [4]  # the row numbers Excel shows
    assert rejected["row"].tolist() == [6]
    assert "column_A" not in valid.columns  # the unused column A is dropped
    assert "column_F" in valid.columns  # an unlabelled column with data is kept


def test_typographic_minus_and_spaces(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,lat,lon,hours\nA, 52.67 ,\u22120.73,1\n")
    assert read_clients(path).geometry.iloc[0].equals_exact(Point(-0.73, 52.67), 1e-9)


def test_output_can_be_read_again(tmp_path: Path) -> None:
    first = read_clients(clients_csv(tmp_path))
    again = read_clients(first)
    assert again["client_id"].tolist() == ["C1", "C2", "C3"]
    assert again["source_row_input"].tolist() == [2, 3, 4]
    assert again["source_row"].tolist() == [1, 2, 3]


def test_geopackage_in_bng_is_transformed(tmp_path: Path) -> None:
    path = tmp_path / "clients.gpkg"
    gdf = gpd.GeoDataFrame(
        {"client_id": ["A", "B"], "hours": [1.0, 2.0]},
        geometry=[Point(OAKHAM), Point(UPPINGHAM)],
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")
    gdf.to_file(path, layer="clients")
    out = read_clients(path)
    report = out.attrs["carezones_read"]
    assert report["crs"] == "EPSG:27700"
    assert report["crs_reason"] == "from the file's layer"
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-6
    assert out["source_row"].tolist() == [1, 2]


def test_geopackage_with_several_layers_needs_sheet(tmp_path: Path) -> None:
    path = tmp_path / "many.gpkg"
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[Point(OAKHAM)], crs="EPSG:4326")
    layer.to_file(path, layer="clients")
    layer.to_file(path, layer="sites")
    err = error_of(read_points, path)
    assert "2 layers" in str(err) and "pass sheet=" in str(err)
    assert len(read_points(path, sheet="sites")) == 1


def test_polygons_for_sites(tmp_path: Path) -> None:
    path = tmp_path / "sites.gpkg"
    sites = gpd.GeoDataFrame(
        {"site": ["field", "house"]},
        geometry=[box(-0.74, 52.66, -0.72, 52.68), Point(UPPINGHAM)],
        crs="EPSG:4326",
    )
    sites.to_file(path)
    err = error_of(read_points, path)
    assert "row 1" in str(err)
    assert "not a point" in str(err)
    assert "pass allow_polygons=True" in str(err)
    result = read_points(path, errors="collect")
    assert result.valid["site"].tolist() == ["house"]
    assert_covers(result, {1, 2})
    out = read_points(path, area=RUTLAND, options=ReadOptions(allow_polygons=True))
    assert out.geom_type.tolist() == ["Polygon", "Point"]


def test_geojson_missing_geometry(tmp_path: Path) -> None:
    path = tmp_path / "carers.geojson"
    gdf = gpd.GeoDataFrame(
        {"carer": ["a", "b", "c"]},
        geometry=[Point(OAKHAM), None, Point(COTTESMORE)],
        crs="EPSG:4326",
    )
    gdf.to_file(path, driver="GeoJSON")
    err = error_of(read_points, path)
    assert "row 2" in str(err)
    assert "missing or empty geometry" in str(err)
    assert "give this feature a location" in str(err)
    result = read_points(path, errors="collect")
    assert result.valid["carer"].tolist() == ["a", "c"]
    assert_covers(result, {1, 2, 3})


def test_geojson_with_swapped_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "p.geojson"
    gdf = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[Point(OAKHAM), Point(UPPINGHAM[::-1])], crs="EPSG:4326"
    )
    gdf.to_file(path, driver="GeoJSON")
    err = error_of(read_points, path)
    assert "row 2" in str(err) and "look swapped" in str(err)


def test_dataframe_and_geodataframe_inputs() -> None:
    df = pd.DataFrame({"id": ["A", "B"], "lat": [52.67, 52.59], "lon": [-0.73, -0.72]})
    out = read_clients(df.assign(hours=[1, 2]))
    assert out.attrs["carezones_read"]["source"] == "DataFrame"
    assert out["source_row"].tolist() == [1, 2]
    gdf = gpd.GeoDataFrame(
        {"id": ["A"], "hours": [3]}, geometry=[Point(bng(OAKHAM))], crs="EPSG:27700"
    )
    out = read_clients(gdf)
    assert out.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4
    assert out.attrs["carezones_read"]["crs_reason"] == "from the GeoDataFrame"


def test_area_from_object_with_area_wgs84(tmp_path: Path) -> None:
    class Network:
        area_wgs84 = RUTLAND

    text = f"id,lat,lon,hours\nA,52.67,-0.73,1\nB,{LONDON[1]},{LONDON[0]},1\n"
    result = read_clients(write(tmp_path, "c.csv", text), area=Network(), errors="collect")
    assert result.valid["client_id"].tolist() == ["A"]
    assert "km outside the area of the road network" in result.rejected["reason"].iloc[0]


def test_logging_reports_counts_but_no_row_values(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="carezones"):
        read_clients(clients_csv(tmp_path))
    messages = [r.getMessage() for r in caplog.records if r.name == "carezones"]
    assert any("clients.csv: 3 rows, 3 valid, 0 rejected" in m for m in messages)
    assert all("Ann" not in m and "C1" not in m and "52.67" not in m for m in messages)


# --------------------------------------------------------------------------------------------
# Postcodes


def onspd(tmp_path: Path) -> Path:
    """A small ONS Postcode Directory-style file (pcd is the 7-character form)."""
    (e1, n1), (e2, n2) = bng(OAKHAM), bng(UPPINGHAM)
    lines = [
        "pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,osgrdind,lat,long",
        f"LE156AA,LE15 6AA,LE15 6AA,198001,,{e1},{n1},1,{OAKHAM[1]},{OAKHAM[0]}",
        f"LE159PB,LE15 9PB,LE15 9PB,198001,200506,{e2},{n2},1,{UPPINGHAM[1]},{UPPINGHAM[0]}",
        "LE157ZZ,LE15 7ZZ,LE15 7ZZ,198001,,,,9,99.999999,0.000000",
        "LE1 1AA,LE1  1AA,LE1 1AA,198001,,458000,304000,1,52.63,-1.13",
    ]
    return write(tmp_path, "ONSPD_TEST.csv", "\n".join(lines) + "\n")


def test_onspd_lookup_normalises_postcodes(tmp_path: Path) -> None:
    text = "id,postcode,hours\nA,le15 6aa,1\nB,LE159PB,2\nC, LE15  6AA ,3\nD,le11aa,4\n"
    gdf = read_clients(write(tmp_path, "c.csv", text), options=lookup_of(onspd(tmp_path)))
    assert gdf["client_id"].tolist() == ["A", "B", "C", "D"]
    assert gdf.geometry.iloc[0].equals_exact(Point(OAKHAM), 1e-9)
    assert gdf.geometry.iloc[1].equals_exact(Point(UPPINGHAM), 1e-9)  # terminated: still fine
    assert gdf.geometry.iloc[3].equals_exact(Point(-1.13, 52.63), 1e-9)
    report = gdf.attrs["carezones_read"]
    assert report["geocoded_from_postcode"] == 4
    assert report["crs"] == "EPSG:4326"
    assert "ONSPD_TEST.csv" in report["crs_reason"]
    assert gdf["postcode"].tolist()[2] == " LE15  6AA "  # original cells untouched


def test_onspd_new_style_upper_case_headers(tmp_path: Path) -> None:
    e, n = bng(OAKHAM)
    lines = [
        "PCD7,PCD8,PCDS,DOINTR,DOTERM,EAST1M,NORTH1M,LAT,LONG",
        f"LE156AA,LE15 6AA,LE15 6AA,198001,,{e},{n},{OAKHAM[1]},{OAKHAM[0]}",
    ]
    lookup = write(tmp_path, "ONSPD_NEW.csv", "\n".join(lines) + "\n", encoding="utf-8-sig")
    gdf = read_points(write(tmp_path, "p.csv", "Post Code\nLE15 6AA\n"), options=lookup_of(lookup))
    assert gdf.geometry.iloc[0].equals_exact(Point(OAKHAM), 1e-9)


def test_unknown_malformed_and_placeholder_postcodes(tmp_path: Path) -> None:
    text = "id,postcode,hours\nA,LE15 6AA,1\nB,LE15 8QQ,1\nC,not a postcode,1\nD,LE15 7ZZ,1\nE,,1\n"
    path = write(tmp_path, "c.csv", text)
    err = error_of(read_clients, path, options=lookup_of(onspd(tmp_path)))
    msg = str(err)
    assert "row 3, column 'postcode' (value 'LE15 8QQ'): unknown postcode" in msg
    assert "check the postcode, or add it to the lookup file 'ONSPD_TEST.csv'" in msg
    assert "row 4" in msg and "not a valid UK postcode" in msg
    assert "row 5" in msg  # ONSPD placeholder row (lat 99.999999) has no location
    assert "row 6" in msg and "missing postcode" in msg
    result = read_clients(path, options=lookup_of(onspd(tmp_path)), errors="collect")
    assert result.valid["client_id"].tolist() == ["A"]
    assert_covers(result, {2, 3, 4, 5, 6})


def test_code_point_open_lookup_without_header(tmp_path: Path) -> None:
    (e1, n1), (e2, n2) = bng(OAKHAM), bng(UPPINGHAM)
    lines = [
        f'"LE15 6AA",10,{e1},{n1},"E92000001","E19000001","E18000004","","E06000017","E05"',
        f'"LE15 9PB",10,{e2},{n2},"E92000001","E19000001","E18000004","","E06000017","E05"',
        '"LE15 7ZZ",90,0,0,"E92000001","","","","",""',
    ]
    lookup = write(tmp_path, "le.csv", "\n".join(lines) + "\n")
    text = "id,post code,hours\nA,LE156AA,1\nB,le15 9pb,1\n"
    gdf = read_clients(write(tmp_path, "c.csv", text), options=lookup_of(lookup))
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4
    assert gdf.geometry.iloc[1].distance(Point(UPPINGHAM)) < 1e-4
    err = error_of(
        read_clients,
        write(tmp_path, "d.csv", "id,postcode,hours\nA,LE15 7ZZ,1\n"),
        options=lookup_of(lookup),
    )
    assert "row 2" in str(err) and "unknown postcode" in str(err)


def test_code_point_open_folder_of_area_files(tmp_path: Path) -> None:
    folder = tmp_path / "CSV"
    folder.mkdir()
    e, n = bng(OAKHAM)
    write(folder, "le.csv", f'"LE15 6AA",10,{e},{n},"E92000001","","","","E06000017","E05"\n')
    write(folder, "pe.csv", '"PE9 1AA",10,503000,307000,"E92000001","","","","E06000017",""\n')
    path = write(tmp_path, "c.csv", "id,postcode,hours\nA,LE15 6AA,1\nB,PE9 1AA,2\n")
    gdf = read_clients(path, options=lookup_of(folder))
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4
    assert gdf.attrs["carezones_read"]["geocoded_from_postcode"] == 2


@pytest.mark.parametrize("layout", ["latlon", "bng"])
def test_simple_postcode_lookups(tmp_path: Path, layout: str) -> None:
    if layout == "latlon":
        lookup_text = f"postcode,lat,lon\nLE15 6AA,{OAKHAM[1]},{OAKHAM[0]}\n"
    else:
        e, n = bng(OAKHAM)
        lookup_text = f"Postcode,Easting,Northing\nLE15 6AA,{e},{n}\n"
    lookup = write(tmp_path, "lookup.csv", lookup_text)
    gdf = read_points(write(tmp_path, "p.csv", "postcode\nle15 6aa\n"), options=lookup_of(lookup))
    assert gdf.geometry.iloc[0].distance(Point(OAKHAM)) < 1e-4


def test_postcodes_without_lookup_name_the_parameter(tmp_path: Path) -> None:
    err = error_of(read_clients, write(tmp_path, "c.csv", "id,postcode,hours\nA,LE15 6AA,1\n"))
    assert "pass postcode_lookup=" in str(err)
    assert "ONS Postcode Directory" in str(err)


def test_missing_lookup_file(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,postcode,hours\nA,LE15 6AA,1\n")
    err = error_of(read_clients, path, options=lookup_of(tmp_path / "nope.csv"))
    assert "postcode lookup file 'nope.csv' not found" in str(err)


def test_rows_without_coordinates_fall_back_to_postcode(tmp_path: Path) -> None:
    text = "id,lat,lon,postcode,hours\nA,52.67,-0.73,,1\nB,,,LE15 9PB,1\nC,,,,1\n"
    path = write(tmp_path, "c.csv", text)
    result = read_clients(path, options=lookup_of(onspd(tmp_path)), errors="collect")
    assert result.valid["client_id"].tolist() == ["A", "B"]
    assert result.valid.attrs["carezones_read"]["geocoded_from_postcode"] == 1
    assert result.rejected["row"].tolist() == [4, 4]  # missing latitude and longitude
    err = error_of(read_clients, path)
    assert "row 3" in str(err) and "or pass postcode_lookup=" in str(err)


# --------------------------------------------------------------------------------------------
# Bad files


def test_empty_file(tmp_path: Path) -> None:
    err = error_of(read_points, write(tmp_path, "e.csv", ""))
    assert "the file is empty (0 bytes)" in str(err)
    assert err.problems["row"].isna().all()


def test_header_only(tmp_path: Path) -> None:
    err = error_of(read_clients, write(tmp_path, "h.csv", "id,lat,lon,hours\n"), errors="collect")
    assert "header row but no data rows" in str(err)
    assert "add the data rows below the header" in str(err)


def test_xlsx_renamed_to_csv(tmp_path: Path) -> None:
    xlsx = tmp_path / "real.xlsx"
    pd.DataFrame({"id": ["A"], "lat": [52.67], "lon": [-0.73]}).to_excel(xlsx, index=False)
    fake = tmp_path / "fake.csv"
    fake.write_bytes(xlsx.read_bytes())
    err = error_of(read_points, fake)
    assert "probably an Excel workbook" in str(err)
    assert "rename it to .xlsx" in str(err)


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "id,lat,lon\nA,52.67,-0.73\n", encoding="utf-16-le")
    err = error_of(read_points, path)
    assert "NUL bytes" in str(err)
    assert "save it as 'CSV UTF-8 (Comma delimited)'" in str(err)


def test_each_line_quoted_reads_as_single_column(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", '"id,lat,lon"\n"A,52.67,-0.73"\n')
    err = error_of(read_points, path)
    assert "single column" in str(err)
    assert "quotes only around single values" in str(err)


def test_no_coordinate_columns_names_columns_and_aliases(tmp_path: Path) -> None:
    err = error_of(read_points, write(tmp_path, "n.csv", "id,town\nA,Oakham\n"))
    assert "columns found: 'id', 'town'" in str(err)
    assert "oseast1m" in str(err) and "postcode" in str(err)


def test_unknown_crs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown coordinate reference system") as info:
        read_points(clients_csv(tmp_path), options=ReadOptions(crs="EPSG:999999"))
    assert isinstance(info.value, ValidationError)
    assert "crs='EPSG:27700'" in str(info.value)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_points(tmp_path / "missing.csv")
    err = error_of(read_points, write(tmp_path, "a.doc", "x"))
    assert "unsupported file type '.doc'" in str(err)
    err = error_of(read_points, write(tmp_path, "a.xls", "x"))
    assert "save it as 'CSV UTF-8" in str(err)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="errors="):
        read_points(clients_csv(tmp_path), errors="ignore")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="area="):
        read_points(clients_csv(tmp_path), area="Rutland")
    err = error_of(read_points, clients_csv(tmp_path), options=ReadOptions(x="nope", y="lat"))
    assert "column 'nope' given by x= is not in the file" in str(err)


# --------------------------------------------------------------------------------------------
# Bad rows: each names the row and the fix; collect mode returns valid + rejected


BAD_ROWS = [
    pytest.param(
        "A,,-0.73,1", "column 'lat'", "missing latitude", "fill in the latitude", id="missing-lat"
    ),
    pytest.param(
        "A,52.67,west,1",
        "(value 'west')",
        "longitude is not a number",
        "write the longitude as a decimal number",
        id="non-numeric-lon",
    ),
    pytest.param(
        "A,152.67,-0.73,1",
        "column 'lat'",
        "latitude out of range",
        "give the latitude in decimal degrees",
        id="lat-out-of-range",
    ),
    pytest.param(
        "A,52.67,-190,1",
        "column 'lon'",
        "longitude out of range",
        "give the longitude in decimal degrees",
        id="lon-out-of-range",
    ),
    pytest.param(
        "A,-0.72,52.66,1",
        "column 'lat, lon'",
        "latitude and longitude look swapped",
        "swap the values of 'lat' and 'lon'",
        id="swapped",
    ),
    pytest.param(
        ",52.67,-0.73,1", "column 'id'", "missing id", "give every row its own id", id="missing-id"
    ),
    pytest.param(
        "A,52.67,-0.73,",
        "column 'hours'",
        "missing hours",
        "fill in the weekly care hours",
        id="missing-hours",
    ),
    pytest.param(
        "A,52.67,-0.73,ten",
        "(value 'ten')",
        "hours is not a number",
        "write the weekly hours as a number",
        id="hours-text",
    ),
    pytest.param(
        "A,52.67,-0.73,-2",
        "(value '-2')",
        "negative hours",
        "hours per week must be 0 or more",
        id="negative-hours",
    ),
    pytest.param(
        "A,52.67,-0.73,200",
        "(value '200')",
        "more than 168 hours",
        "give hours per week, not per month or year",
        id="too-many-hours",
    ),
    pytest.param(
        "A,52.67,-0.73,1,extra",
        "row has 5 values but the header has 4",
        "",
        "a value probably contains the delimiter ','",
        id="too-many-values",
    ),
]


@pytest.mark.parametrize(("bad", "where", "reason", "fix"), BAD_ROWS)
def test_bad_row(tmp_path: Path, bad: str, where: str, reason: str, fix: str) -> None:
    text = f"id,lat,lon,hours\nOK1,52.67,-0.73,1\n{bad}\nOK2,52.59,-0.72,2\n"
    path = write(tmp_path, "c.csv", text)
    msg = str(error_of(read_clients, path))
    assert "row 3" in msg
    assert where in msg
    assert reason in msg
    assert f"Fix: {fix}" in msg
    result = read_clients(path, errors="collect")
    assert isinstance(result, Collected)
    valid, rejected = result
    assert valid["client_id"].tolist() == ["OK1", "OK2"]
    assert valid["source_row"].tolist() == [2, 4]
    assert set(rejected["row"]) == {3}
    assert_covers(result, {2, 3, 4})


def test_accepted_hours_formats(tmp_path: Path) -> None:
    text = "id,lat,lon,hours\nA,52.67,-0.73,5h\nB,52.67,-0.73,7.5 hrs\nC,52.67,-0.73,0\n"
    text += "D,52.67,-0.73,168\nE,52.67,-0.73,2 Hours\n"
    gdf = read_clients(write(tmp_path, "c.csv", text))
    assert gdf["hours_per_week"].tolist() == [5.0, 7.5, 0.0, 168.0, 2.0]


def test_duplicate_ids_name_the_first_row(tmp_path: Path) -> None:
    text = "id,lat,lon,hours\nA,52.67,-0.73,1\nB,52.6,-0.7,1\nA,52.59,-0.72,1\nA,52.6,-0.7,1\n"
    path = write(tmp_path, "c.csv", text)
    msg = str(error_of(read_clients, path))
    assert "row 4, column 'id' (value 'A'): duplicate id (first used in row 2)" in msg
    assert "row 5, column 'id' (value 'A'): duplicate id (first used in row 2)" in msg
    assert "Fix: give each row its own id, or delete the repeated row" in msg
    result = read_clients(path, errors="collect")
    assert result.valid["source_row"].tolist() == [2, 3]  # the first use is kept
    assert_covers(result, {2, 3, 4, 5})


def test_bng_out_of_range(tmp_path: Path) -> None:
    e, n = bng(OAKHAM)
    text = f"id,easting,northing,hours\nA,{e},{n},1\nB,{e},1400000,1\nC,-5,{n},1\n"
    path = write(tmp_path, "c.csv", text)
    msg = str(error_of(read_clients, path))
    assert "row 3, column 'northing' (value '1400000'): northing out of range" in msg
    assert "row 4, column 'easting'" in msg and "give metres" in msg
    assert_covers(read_clients(path, errors="collect"), {2, 3, 4})


def test_far_outside_area(tmp_path: Path) -> None:
    text = f"id,lat,lon,hours\nA,52.67,-0.73,1\nB,{LONDON[1]},{LONDON[0]},1\nC,52.77,-0.73,1\n"
    path = write(tmp_path, "c.csv", text)
    msg = str(error_of(read_clients, path, area=RUTLAND))
    assert "row 3" in msg
    assert "km outside the area of the road network" in msg
    assert "raise max_outside_km" in msg
    assert "row 4" not in msg  # about 1.1 km outside: within the 2 km allowed
    result = read_clients(
        path, area=RUTLAND, options=ReadOptions(max_outside_km=0.5), errors="collect"
    )
    assert result.valid["client_id"].tolist() == ["A"]
    assert_covers(result, {2, 3, 4})


def test_swapped_detected_against_area(tmp_path: Path) -> None:
    text = "id,lat,lon,hours\nA,-0.73,52.67,1\n"
    msg = str(error_of(read_clients, write(tmp_path, "c.csv", text), area=RUTLAND))
    assert "row 2" in msg and "look swapped" in msg and "network's area" in msg
    assert "km outside" not in msg  # reported once, as swapped


def test_required_and_numeric_columns(tmp_path: Path) -> None:
    text = "site,lat,lon,Capacity,Beds\nS1,52.67,-0.73,10,4\nS2,52.59,-0.72,lots,\n"
    path = write(tmp_path, "s.csv", text)
    result = read_points(
        path, required=[("capacity", "places")], numeric=["capacity", "beds"], errors="collect"
    )
    assert result.valid["capacity"].tolist() == [10.0]
    assert result.valid["beds"].tolist() == [4.0]  # renamed to the name asked for
    assert result.rejected["reason"].tolist() == ["capacity is not a number"]
    err = error_of(read_points, path, required=["manager"], errors="collect")
    assert "no 'manager' column" in str(err)
    assert "add a column named 'manager'" in str(err)


def test_missing_hours_column_is_reported_with_row_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,lat,lon\nA,52.67,-0.73\nB,x,-0.72\n")
    err = error_of(read_clients, path, errors="collect")
    msg = str(err)
    assert "no 'hours_per_week' column" in msg
    assert "also accepted: hours, weekly_hours" in msg
    assert "or pass hours_column=" in msg
    assert "row 3, column 'lat'" in msg


def test_all_problems_across_rows_reported_together(tmp_path: Path) -> None:
    text = (
        "id,lat,lon,hours\n"
        "A,52.67,-0.73,1\n"
        "B,,-0.72,1\n"
        "A,52.59,-0.72,ten\n"
        "D,-0.72,52.66,1\n"
        "E,52.6,-0.7,-1\n"
        "F,52.6,-0.7,2\n"
    )
    path = write(tmp_path, "c.csv", text)
    err = error_of(read_clients, path)
    assert list(err.problems["row"]) == [3, 4, 4, 5, 6]
    msg = str(err)
    assert msg.startswith("c.csv: 5 problem(s) in 4 row(s):")
    for expected in (
        "missing latitude",
        "duplicate id",
        "hours is not a number",
        "look swapped",
        "negative hours",
    ):
        assert expected in msg
    valid, rejected = read_clients(path, errors="collect")
    assert valid["client_id"].tolist() == ["A", "F"]
    assert len(rejected) == 5
    assert valid.attrs["carezones_read"]["rows_rejected"] == 4
    assert valid.attrs["carezones_read"]["rows_valid"] == 2
    assert_covers(Collected(valid, rejected), {2, 3, 4, 5, 6, 7})


def test_collect_with_every_row_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,lat,lon,hours\nA,x,-0.73,1\n")
    valid, rejected = read_clients(path, errors="collect")
    assert len(valid) == 0 and valid.crs.to_epsg() == 4326
    assert "client_id" in valid.columns and "source_row" in valid.columns
    assert rejected["row"].tolist() == [2]


def test_values_look_like_neither_degrees_nor_bng(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,x,y\nA,-80000,6800000\n")
    err = error_of(read_points, path)
    assert "neither latitude/longitude in degrees nor British National Grid" in str(err)
    assert "pass crs=" in str(err)
    gdf = read_points(path, options=ReadOptions(crs="EPSG:3857"))
    assert gdf.attrs["carezones_read"]["crs"] == "EPSG:3857"


# --------------------------------------------------------------------------------------------
# Problems are data: each fix names the argument that gives it; options are checked once


def test_a_problem_names_the_argument_that_fixes_it(tmp_path: Path) -> None:
    from carezones.errors import Argument, Ask

    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name in ("North", "South"):
            pd.DataFrame({"lat": [52.6, 52.61], "lon": [-0.7, -0.71]}).to_excel(xl, sheet_name=name)
    err = error_of(read_points, book, sheet="West")
    (problem,) = err.items
    assert problem.row is None and problem.fix.argument is Argument.SHEET
    assert problem.fix.ask is Ask.ONE_OF_OR_POSITION and problem.fix.choices == ("North", "South")
    assert err.problems.fix.tolist() == [str(problem.fix)]  # the table is the same words
    assert str(problem.fix) == "pass sheet= one of 'North', 'South' (or its 0-based position)"
    far = write(tmp_path, "far.csv", "lat,lon\n52.67,-0.73\n51.5,-0.12\n")
    (outside,) = error_of(read_points, far, area=RUTLAND).items
    assert outside.fix.argument is Argument.MAX_OUTSIDE_KM and outside.fix.ask is Ask.LARGER
    assert outside.reason.argument is Argument.MAX_OUTSIDE_KM and outside.reason.value == 2.0


def test_validation_errors_pickle_with_their_problems(tmp_path: Path) -> None:
    import pickle

    err = error_of(read_points, write(tmp_path, "e.csv", "lat,lon\n95,-0.7\n"))
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.items == err.items
    pd.testing.assert_frame_equal(again.problems, err.problems)


def test_read_options_are_checked_when_made() -> None:
    from carezones.errors import ArgumentError

    assert ReadOptions(max_outside_km=3).max_outside_km == 3.0
    for bad in ({"max_outside_km": -1}, {"max_outside_km": float("nan")}, {"x": 3}):
        with pytest.raises(ArgumentError):
            ReadOptions(**bad)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="allow_polygons"):
        read_clients(pd.DataFrame({"lat": [52.6]}), options=ReadOptions(allow_polygons=True))


# --------------------------------------------------------------------------------------------
# Tables carezones makes: the same table as the readers, without checking each row again


def _generated() -> tuple[pd.DataFrame, pd.DataFrame]:
    import numpy as np

    from carezones.county import visits_from_hours
    from carezones.county.teams import team_shifts

    rng = np.random.default_rng(3)
    n = 80
    clients = gpd.GeoDataFrame(
        {"client_id": [f"C{i}" for i in range(n)], "hours_per_week": rng.uniform(1, 30, n)},
        geometry=gpd.points_from_xy(rng.uniform(-0.8, -0.6, n), rng.uniform(52.5, 52.7, n)),
        crs=4326,
    )
    homes = np.c_[rng.uniform(-0.8, -0.6, 9), rng.uniform(52.5, 52.7, 9)]
    shifts = team_shifts({"early": 3, "split": 3, "late": 3}, homes).drop(columns="shift_kind")
    return visits_from_hours(clients), shifts


def _same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs and a.crs == b.crs


def test_generated_visits_and_shifts_make_the_readers_tables() -> None:
    from carezones.io import carers_table, read_carers, read_visits, visits_table

    visits, shifts = _generated()
    _same(visits_table(visits), read_visits(visits))
    _same(carers_table(shifts), read_carers(shifts))


def test_a_table_that_is_not_clean_is_read_and_checked() -> None:
    from carezones.io import carers_table, read_carers, visits_table

    visits, shifts = _generated()
    for bad in (
        visits.assign(window_end="25:00"),
        visits.assign(duration_minutes=0),
        visits.assign(carers_required=3),
        visits.assign(visit_id="same"),
        visits.assign(lat=visits.lon, lon=visits.lat),  # swapped
    ):
        with pytest.raises(ValidationError):
            visits_table(bad)
    overlapping = shifts.assign(carer_id="K001")
    with pytest.raises(ValidationError, match="overlap"):
        carers_table(overlapping)
    late_break = shifts.assign(break_window_start="23:00", break_window_end="23:45")
    with pytest.raises(ValidationError):
        carers_table(late_break.where(shifts.break_minutes.notna(), shifts))
    day = shifts.assign(day="Mon")  # a day column: read by the reader, which knows days
    _same(carers_table(day), read_carers(day))
