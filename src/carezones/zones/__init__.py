"""Home-care zones: balanced in weekly hours, compact in road travel time, contiguous, tiling.

How :func:`build_zones` works
-----------------------------
1. **Places and the zoning graph.** Clients at the same location form one *place*. The zoning
   graph (:mod:`carezones.zones.graph`) has a node per road junction and per place, joined
   along each road in the order they lie on it, plus a node where two roads cross without
   meeting (a bridge: a map cannot draw both roads in different zones there). A zone connected
   in this graph is connected on the roads and on the map. Clients outside the study area or
   too far from any road are listed in ``ZonePlan.unassigned`` with the reason.
2. **Centres.** k-means++ seeds and Lloyd's iterations with the hours balanced (straight lines),
   then centres move to the hours-weighted *road* medoid of their zones under a transportation
   LP (HiGHS) that assigns places by hours x road minutes with every zone inside the band. Fixed
   centres (provider bases) or a previous plan's zones replace this step.
3. **A contiguous start.** The LP's dual prices on the balance constraints turn it into an
   additively weighted Voronoi diagram on the roads: each node goes to the zone of least
   minutes-plus-price. Every node on the shortest path from a centre to a node of its zone then
   belongs to that zone, so zones are connected and nearly balanced; stretches of road where
   zones tie go whole to the tied zone with fewest hours.
4. **Balancing.** A minimum-cost flow of hours over the zones' adjacency says which neighbour
   should hand how many hours to which; each step hands over a whole subtree of the giving
   zone's shortest-path tree that touches the receiver (so neither is cut in two), the closest
   fit with the fewest added minutes. Zones are brought inside 90% of the band when possible, so
   that small changes at the tiling stage cannot push them out.
5. **Polishing.** Boundary nodes move to the neighbouring zone whose centre is nearer when the
   band allows and no zone is cut; centres move to their zones' medoids and this repeats; a
   second round restarts from the LP with the final centres, and the best round is kept.
6. **Tiling.** The study area is cut into Voronoi cells of road nodes, points along roads (each
   with the zone of the nearer zoned element on its road) and points along each client's access
   leg, and cells are dissolved by zone: polygons with no gaps or overlaps, one piece each, each
   client inside its own zone (a rare stray piece is merged into the zone around it and noted).

With localities, each locality gets a share of the zones by hours and steps 2 to 6 run on each
one alone, so that no zone crosses a locality's border.

Modules
-------
``plan``
    :class:`ZonePlan` and :func:`build_zones`, which runs the stages below in order.
``inputs``
    Checks, the study area, localities and their share of the zones, the previous plan.
``graph``
    Places, the zoning graph along the roads and the augmented road graph (step 1).
``centres``
    Starting centres, the balanced transportation LP and its dual prices, medoids (step 2).
``partition``
    Moves on the zoning graph: the priced Voronoi start and contiguity repair (step 3),
    balancing by min-cost flow (step 4) and polishing (step 5).
``solve``
    One group of zones (the whole area or one locality) through steps 2 to 5, in rounds.
``tiling``
    The polygons (step 6).
``metrics``
    The plan's tables and figures: travel times, balance, gaps and overlaps.
"""

from carezones.errors import ZoneError
from carezones.zones.plan import ZonePlan, build_zones

__all__ = ["ZoneError", "ZonePlan", "build_zones"]
