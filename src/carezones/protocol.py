"""The one protocol every public result follows.

Every result carezones returns (:class:`~carezones.RoadNetwork`, :class:`~carezones.ZonePlan`,
:class:`~carezones.Rounds`, :class:`~carezones.Week`, :class:`~carezones.SiteScores`,
:class:`~carezones.SitePortfolio`, :class:`~carezones.CountyPlan`,
:class:`~carezones.Comparison`) has:

- ``kpis``: its headline numbers, a mapping of names to numbers (or small tables of them);
- ``summary()``: a few readable lines of text;
- ``to_map(offline=True)``: a folium map (shareable unless its docstring says it shows where
  clients are), typed as :class:`MapLike` so that no engine imports the drawing library;
- ``to_files(out_dir, offline=True)``: every file of the result written into one folder, whole
  or not at all, returning the paths written;
- ``_repr_html_()``: a card for Jupyter, with numbers and no client's location.

Results are built once and never changed afterwards (frozen dataclasses). What they draw and
write is done by :mod:`carezones.report`, which each method hands off to.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from carezones.io._cells import PathLike

__all__ = ["MapLike", "Result"]


@runtime_checkable
class MapLike(Protocol):
    """A drawn map, as ``to_map`` returns it: a ``folium.Map`` made by :mod:`carezones.report`.

    Engines name their maps by this protocol, so that only the presentation layer imports
    folium; the object returned is the folium map itself (add layers, save it, show it).

    Examples
    --------
    >>> from carezones.protocol import MapLike
    >>> isinstance(rounds.to_map(), MapLike)
    True
    """

    def save(self, outfile: str) -> None:
        """Write the map as an HTML page."""
        ...

    def _repr_html_(self) -> str:
        """Return the map for Jupyter."""
        ...


@runtime_checkable
class Result(Protocol):
    """What every public result offers (see the module's notes).

    Examples
    --------
    >>> from carezones.protocol import Result
    >>> isinstance(rounds, Result)
    True
    """

    @property
    def kpis(self) -> Mapping[str, Any]:
        """The result's headline numbers."""
        ...

    def summary(self) -> str:
        """Return a few readable lines."""
        ...

    def to_map(self, *, offline: bool = True) -> MapLike:
        """Return a folium map of the result."""
        ...

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
        """Write the result's files into ``out_dir``; return the paths written."""
        ...

    def _repr_html_(self) -> str:
        """Return the result's card for Jupyter."""
        ...
