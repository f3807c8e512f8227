"""Writing the county as an OpenStreetMap XML 0.6 file."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from carezones.synthetic.builder import Tags, _Builder
from carezones.synthetic.geometry import FloatArray

__all__ = ["GENERATOR", "TIMESTAMP"]

TIMESTAMP = "2026-01-01T00:00:00Z"
"""The fixed data timestamp written on the file and on every node and way."""
GENERATOR = "carezones synthetic county - SYNTHETIC DATA, not a real place"
"""The ``generator`` attribute of the written OSM file."""


def _tag_lines(tags: Tags) -> str:
    return "".join(
        f'    <tag k="{escape(k, _QUOTE)}" v="{escape(v, _QUOTE)}"/>\n'
        for k, v in sorted(tags.items())
    )


_QUOTE = {'"': "&quot;"}


def _write_osm(
    path: Path,
    b: _Builder,
    lat: FloatArray,
    lon: FloatArray,
    bounds: tuple[float, float, float, float],
) -> None:
    """Write OSM XML 0.6: header, bounds, nodes (by id), then ways (by id)."""
    meta = f'version="1" timestamp="{TIMESTAMP}"'
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<osm version="0.6" generator="{GENERATOR}" timestamp="{TIMESTAMP}">\n',
        f'  <bounds minlat="{bounds[1]:.7f}" minlon="{bounds[0]:.7f}" '
        f'maxlat="{bounds[3]:.7f}" maxlon="{bounds[2]:.7f}"/>\n',
    ]
    lat_s = [f"{v:.7f}" for v in lat]
    lon_s = [f"{v:.7f}" for v in lon]
    for i in range(len(lat_s)):
        nid = i + 1
        head = f'  <node id="{nid}" {meta} lat="{lat_s[i]}" lon="{lon_s[i]}"'
        tags = b.node_tags.get(nid)
        parts.append(f"{head}>\n{_tag_lines(tags)}  </node>\n" if tags else f"{head}/>\n")
    for wid, (nodes, tags) in enumerate(b.ways, start=1):
        nds = "".join(f'    <nd ref="{n}"/>\n' for n in nodes)
        parts.append(f'  <way id="{wid}" {meta}>\n{nds}{_tag_lines(tags)}  </way>\n')
    parts.append("</osm>\n")
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("".join(parts))
