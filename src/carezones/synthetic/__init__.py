"""A deterministic synthetic county written as a real OpenStreetMap XML file.

Everything this package makes is SYNTHETIC DATA about an invented place. The county sits in the
North Sea about 140 km east of the Yorkshire coast (centred near 54.4 N, 1.6 E), so it can never
be mistaken for a real place, yet it projects cleanly into British National Grid (EPSG:27700).

The roads, buildings and amenities are tagged as OpenStreetMap mappers in the United Kingdom tag
them: market towns with street grids, a roundabout, one-way streets and a park; villages strung
along A roads, B roads and narrow winding lanes; farm tracks and a bridleway; a reservoir that
keeps two villages far apart by road although they are close as the crow flies; a river with
bridges; and one deliberately disconnected road. Clients (people receiving home care) are placed
on residential buildings with weekly hours of care drawn from a right-skewed distribution whose
mean (11.4 hours a week) matches what English councils buy for older people.

Sizes run from ``tiny`` (one town and three villages, for unit tests) to ``large`` (ten towns),
and ``county``, the scale of Dorset: about 3,000 square kilometres, twelve market towns, 220
villages and 330 hamlets on over 4,000 km of drivable road, about half the homes outside the
towns, and 1,210 clients needing 13,800 hours of care a week between them (Dorset's market
position statement).

The same ``size`` and ``seed`` always give byte-identical files.

One module per stage, each importing only those above it:

- ``geometry``: where the county is (:data:`CENTRE_LAT`, :data:`CENTRE_LON`), local metres to
  latitude and longitude, rectangles and winding lines, and shapes kept with their bounding
  boxes for quick clash tests.
- ``sizes``: :data:`SIZES` and what each size holds; ``names``: invented names.
- ``builder``: the nodes and ways being built, and roads bridging the river.
- ``layout``: the reservoir, where towns, villages, hamlets and exits sit, and the river.
- ``road_plan``: which places are joined by which class of road.
- ``houses``: candidate houses and farms, the ones that fit, and residential landuse.
- ``towns`` and ``villages``: the streets, amenities and houses of each settlement.
- ``country_roads``: the roads between places, drawn after the settlements.
- ``osm_xml``: the OSM XML writer (:data:`TIMESTAMP`, :data:`GENERATOR`).
- ``county``: :func:`make_synthetic_county` runs the stages in order and writes the files.
- ``clients``: :func:`clients_on_buildings` and the weekly hours of care (made to add up to a
  given total for the ``county`` size).
- ``day``: :func:`~carezones.synthetic.day.example_day`, an invented day of visits and carers.
- ``projection``: :func:`write_projection_example`, SYNTHETIC population projections in ONS's
  layout, ILLUSTRATIVE prevalence rates and small areas, for :func:`carezones.project_demand`.
- ``visit_log``: :func:`visit_log`, a visit log (when carers arrived at and left each visit)
  whose journeys follow a stated true travel profile, with noise and waits: for calibration.
"""

from carezones.io.osm import RESIDENTIAL_BUILDINGS
from carezones.synthetic.clients import clients_on_buildings
from carezones.synthetic.county import SyntheticCounty, make_synthetic_county
from carezones.synthetic.day import example_day, example_week
from carezones.synthetic.geometry import CENTRE_LAT, CENTRE_LON
from carezones.synthetic.osm_xml import GENERATOR, TIMESTAMP
from carezones.synthetic.projection import ProjectionExample, write_projection_example
from carezones.synthetic.sizes import SIZES
from carezones.synthetic.visit_log import LogOptions, visit_log

__all__ = [
    "CENTRE_LAT",
    "CENTRE_LON",
    "GENERATOR",
    "RESIDENTIAL_BUILDINGS",
    "SIZES",
    "TIMESTAMP",
    "LogOptions",
    "ProjectionExample",
    "SyntheticCounty",
    "clients_on_buildings",
    "example_day",
    "example_week",
    "make_synthetic_county",
    "visit_log",
    "write_projection_example",
]
