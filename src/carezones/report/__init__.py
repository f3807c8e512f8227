"""The presentation layer: every map, chart, HTML page, notebook card, run sheet and file writer.

The engines (:mod:`carezones.zones`, :mod:`carezones.rounds`, :mod:`carezones.sites`,
:mod:`carezones.county`, :mod:`carezones.network`) return typed results and never draw or
write; a result's ``to_map()``, ``to_files()`` and ``_repr_html_()`` hand off to this package
(with an import inside the method, as geopandas' ``to_file`` hands off to its writers). One
module per result, plus what they share:

==================================  ==========================================================
:mod:`carezones.report.zones`       a :class:`~carezones.ZonePlan`: map, card, files
:mod:`carezones.report.rounds`      :class:`~carezones.Rounds` and :class:`~carezones.Week`:
                                    map, cards, files
:mod:`carezones.report.timeline`    the day (or week) as an HTML timeline
:mod:`carezones.report.sheets`      carers' printable run sheets
:mod:`carezones.report.sites`       :class:`~carezones.SiteScores`: map, card, files
:mod:`carezones.report.portfolio`   a :class:`~carezones.SitePortfolio`: map, card, files
:mod:`carezones.report.county`      :class:`~carezones.CountyPlan` and
                                    :class:`~carezones.Comparison`: maps, cards, the report
:mod:`carezones.report.network`     a :class:`~carezones.RoadNetwork`: map, card, travel times
:mod:`carezones.report.maps`        what every folium map shares (base, attribution, legend,
                                    roads, hexagons of clients, many features as one layer)
:mod:`carezones.report.html`        the one escaper, notebook cards and SVG thumbnails
:mod:`carezones.report.markdown`    the one Markdown escaper, Markdown tables and blocks
==================================  ==========================================================

Every writer goes through :func:`output_folder` (a folder is replaced whole or not at all, and
only when everything in it is listed in the manifest of what carezones wrote there) and
:func:`write_csv` (no CSV cell starts a spreadsheet formula). No shareable output carries a
client's location unless asked.
"""

from carezones.report._write import (
    check_output_file,
    check_output_folder,
    file_names,
    foreign_files,
    output_file,
    output_folder,
    write_csv,
)
from carezones.report.county import write_comparison
from carezones.report.maps import map_tiles
from carezones.report.network import network_map, write_travel_times
from carezones.report.portfolio import write_site_portfolio
from carezones.report.rounds import write_rounds, write_run_sheets, write_week
from carezones.report.sites import write_site_scores
from carezones.report.zones import write_zone_plan

__all__ = [
    "check_output_file",
    "check_output_folder",
    "file_names",
    "foreign_files",
    "map_tiles",
    "network_map",
    "output_file",
    "output_folder",
    "write_comparison",
    "write_csv",
    "write_rounds",
    "write_run_sheets",
    "write_site_portfolio",
    "write_site_scores",
    "write_travel_times",
    "write_week",
    "write_zone_plan",
]
