"""HHCRSP solutions written in the benchmark's JSON format, for the authors' validator."""

from __future__ import annotations

import json
from pathlib import Path

from carezones.io import PathLike
from carezones.io.hhcrsp import HhcrspInstance, HhcrspRoutes, hhcrsp_solution
from carezones.report._write import output_file, plain

__all__ = ["write_hhcrsp_solution"]


def write_hhcrsp_solution(path: PathLike, instance: HhcrspInstance, routes: HhcrspRoutes) -> Path:
    """Write caregivers' routes as the solution JSON the benchmark's validator reads.

    The solution is built (and its caregivers and visits checked) before anything is written;
    the file is then written whole or not at all. See :func:`~carezones.io.hhcrsp_solution`
    for what it holds.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.json`` file to write (its folder is made if need be).
    instance : HhcrspInstance
        The instance solved (:func:`~carezones.io.read_hhcrsp`).
    routes : Mapping
        Caregiver id -> its visits in order, each ``(visit, start, end)``: the visit as its
        row of ``instance.visits`` or its ``visit_id``; caregivers not given are listed idle.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ArgumentError
        When a caregiver or visit is not the instance's (nothing is written).
    OutputError
        When the file cannot be written.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from carezones.io import read_hhcrsp
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "one.json").write_text(json.dumps({
    ...     "patients": [{"id": "p1", "time_window": [60, 120],
    ...                   "required_caregivers": [{"service": "s1", "duration": 30}]}],
    ...     "services": [{"id": "s1"}], "caregivers": [{"id": "c1", "abilities": ["s1"]}],
    ...     "central_offices": [{"id": "d"}], "distances": [[0, 10], [10, 0]]}))
    >>> inst = read_hhcrsp(folder / "one.json")
    >>> out = write_hhcrsp_solution(folder / "sol-one.json", inst, {"c1": [(0, 60, 90)]})
    >>> json.loads(out.read_text())["routes"][0]["locations"][0]["arrival_time"]
    60.0
    """
    solution = hhcrsp_solution(instance, routes)
    with output_file(path) as tmp:
        tmp.write_text(json.dumps(plain(solution), indent=1) + "\n", encoding="utf-8")
    return Path(path)
