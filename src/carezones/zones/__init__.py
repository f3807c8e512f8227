"""Home-care zones: balanced in weekly hours, compact in road travel time, contiguous, tiling.

How :func:`build_zones` works
-----------------------------
1. **Places and the zoning graph.** Clients at the same location form one *place*. The zoning
   graph (:mod:`carezones.zones.graph`) has a node per road junction and per place, joined
   along each road in the order they lie on it, plus a node where two roads cross without
   meeting (a bridge: a map cannot draw both roads in different zones there). A zone connected
   in this graph is connected on the roads and on the map. A client more than the network's
   ``max_snap_m`` from any road joins its nearest road by a straight line at the access speed
   (flagged ``far_from_road``); clients outside the study area are listed in
   ``ZonePlan.unassigned`` with the reason.
2. **Centres.** Every centre is a road junction where three or more roads meet, never a
   client's home (no junction within :data:`~carezones.privacy.CENTRE_CLEARANCE_M` of a
   client's home or of the road point it snaps to): the centre is published (the map's
   marker, ``centre_lon``/``centre_lat``) and the sites a demo scores start from it.
   k-means++ seeds and Lloyd's iterations with the hours balanced (straight lines) give
   starting positions, taken to the nearest junctions;
   centres then move to the hours-weighted *road* medoid of their zones among the zone's
   junctions, under a transportation LP (HiGHS) that assigns places by hours x road minutes
   with every zone inside the band. Fixed centres (provider bases) or a previous plan's zones
   replace this step.
3. **A contiguous start.** The LP's dual prices on the balance constraints turn it into an
   additively weighted Voronoi diagram on the roads: each node goes to the zone of least
   minutes-plus-price. Every node on the shortest path from a centre to a node of its zone then
   belongs to that zone, so zones are connected and nearly balanced; stretches of road where
   zones tie go whole to the tied zone with fewest hours.
4. **Balancing.** A minimum-cost flow of hours over the zones' adjacency says which neighbour
   should hand how many hours to which; each step hands over a whole subtree of the giving
   zone's shortest-path tree that touches the receiver (so neither is cut in two), the closest
   fit with the fewest added minutes (never more than the flow plus three band widths, so that
   one step cannot swap one zone's excess for another's). Zones are brought inside 90% of the
   band when possible, so that small changes at the tiling stage cannot push them out.
5. **Polishing.** Boundary nodes move to the neighbouring zone whose centre is nearer when the
   band allows and no zone is cut; centres move to their zones' medoids and this repeats; a
   second round restarts from the LP with the final centres, and the best round is kept.
6. **Tiling.** The study area is cut into Voronoi cells of public points only: road nodes,
   points along the roads and every building of the OSM file the network was read from
   (:attr:`RoadNetwork.buildings <carezones.RoadNetwork.buildings>`, homes and others alike;
   or ``ZoneAreas(buildings=...)``), each carrying the zone of the road it snaps to; never a
   client's or a carer's location, so no boundary can trace where anyone lives, and the same
   request gives the same zones in every command. The cells are the zones' atoms: each client
   takes the zone of the cell it lies in, so that assignments and polygons always agree (and
   a new referral at a client's address gets the same zone). Over the cells' adjacency, a
   piece cut off from its zone's centre joins the neighbour it touches most, a zone of fewer
   than 5 clients takes cells from its neighbours, and whole cells are handed over (step 4)
   where the hours left the band.
   Cells are dissolved by zone: polygons with no gaps or overlaps, one piece each.
7. **Publishing.** Unless ``ZoneOptions(show_clients=True)``, there can be at most one zone
   per 5 clients (``build_zones`` refuses more, naming the most it can make), and a zone that
   still holds 1 to 4 clients has its figures and centre withheld in every output, and so
   has the smallest other zone (and, with units, units), so that no withheld figure can be
   worked out from the published ones and the totals (:func:`carezones.privacy.suppress`).
   The summary says when a zone is empty, in pieces, withheld or out of balance.

With localities (``ZoneAreas(localities=...)``), each locality gets a share of the zones by
hours and steps 2 to 6 run on each one alone, so that no zone crosses a locality's border.
With units (``ZoneAreas(units=...)``: postcode sectors, wards, parishes, LSOAs), zones are
unions of whole units instead, built by the same centres, LP, balancing and polishing over the
units' adjacency (:mod:`carezones.zones.units`); the plan lists each unit's zone
(``units.csv``), the way zones are published to providers.

Modules
-------
``plan``
    :class:`ZonePlan` and :func:`build_zones`, which runs the stages below in order.
``options``
    :class:`ZoneOptions` (how zones are built) and :class:`ZoneAreas` (where they lie),
    checked once.
``inputs``
    Checks of the arguments, the study area, localities and their share of the zones, the
    previous plan, the least number of clients a published zone holds.
``graph``
    Places, the zoning graph along the roads and the augmented road graph (step 1).
``centres``
    Starting centres, the balanced transportation LP and its dual prices, junction medoids
    (step 2).
``partition``
    Moves on any adjacency (zoning graph, Voronoi cells, units): the priced Voronoi start and
    contiguity repair (step 3), balancing by min-cost flow (step 4), polishing (step 5), growth
    from the centres and of zones short of clients.
``solve``
    One group of zones (the whole area or one locality) through steps 2 to 5, in rounds.
``tiling``
    The Voronoi cells of roads and buildings and the polygons (step 6).
``units``
    Zones made of whole areal units.
``tables``
    The plan's tables and KPIs: travel times, balance, gaps and overlaps, withheld zones.
"""

from carezones.errors import ZoneError
from carezones.zones.options import ZoneAreas, ZoneOptions
from carezones.zones.plan import ZonePlan, build_zones

__all__ = ["ZoneAreas", "ZoneError", "ZoneOptions", "ZonePlan", "build_zones"]
