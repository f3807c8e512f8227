"""The home-care research benchmark (HHCRSP) through the rounds engine, checked by its authors.

    python benchmarks/hhcrsp.py INSTANCE.json --seconds 10 --seed 0 --out SOLUTION.json
    python benchmarks/hhcrsp.py ../shared/data/hhcrsp/mankowska --seconds 10 --out solutions/

One instance: solves it with the engine of ``plan_rounds`` under the benchmark's objective
(``carezones.rounds.hhcrsp``: soft closing of windows, synchronised pairs, (travel + total
tardiness + worst tardiness) / 3), writes the solution JSON and prints its cost. A folder: runs
every instance in it (``--max-patients`` keeps the smaller ones) and prints a table against the
best-known costs (``mankowska_best.md`` / ``kummer_best.md`` beside the folder): cost, gap,
visits served, seconds, and the verdict of the authors' validator
(``../shared/data/hhcrsp/validator``) with its cost, when the validator is there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def best_known(folder: Path) -> dict[str, float]:
    """Return the best-known total cost per instance name, from ``<folder>_best.md``."""
    table = folder.parent / f"{folder.name}_best.md"
    if not table.exists():
        return {}
    out = {}
    for line in table.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].endswith(".json"):
            try:
                out[cells[0].removesuffix(".json")] = float(cells[4])
            except ValueError:
                continue
    return out


def validate(validator: Path | None, instance: Path, solution: Path) -> tuple[str, float | None]:
    """Run the authors' validator: ("ok", its cost) or ("FAILED: ...", None), or ("-", None)."""
    if validator is None:
        return "-", None
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-W", "ignore", str(validator), "check-solution"]
    done = subprocess.run(
        [*command, str(instance), str(solution)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        last = [ln for ln in done.stderr.strip().splitlines() if ln.strip()][-1:] or ["?"]
        return f"FAILED: {last[0][:90]}", None
    try:
        return "ok", float(json.loads(done.stdout)["total_cost"])
    except (ValueError, KeyError):
        return f"FAILED: unreadable output {done.stdout[:60]!r}", None


def find_validator(given: Path | None) -> Path | None:
    """Return the validator script, from ``--validator`` or the shared data, or None."""
    from carezones._data import shared_file

    if given is not None:
        return given if given.exists() else None
    found = shared_file("hhcrsp/validator/validator.py")
    return Path(found) if found is not None and Path(found).exists() else None


def patients(path: Path) -> int:
    """Return the number of patients an instance's file name gives (or a large number)."""
    m = re.search(r"_(\d+)_", path.name)
    return int(m.group(1)) if m else 10**6


def run_one(job: tuple) -> tuple[str, float, int, float | None]:
    """Solve, write and validate one instance: (its table line, seconds, failed, gap)."""
    from dataclasses import replace

    from carezones.io import read_hhcrsp
    from carezones.report.hhcrsp import write_hhcrsp_solution
    from carezones.rounds.hhcrsp import hhcrsp_options, solve_hhcrsp

    f, limit, seed, share, folder, given_out, scratch, validator = job
    inst = read_hhcrsp(f)
    opts = hhcrsp_options(seconds=limit, seed=seed)
    if share is not None:
        opts = replace(opts, improve_share=share)
    t = time.perf_counter()
    result = solve_hhcrsp(inst, opts)
    sec = time.perf_counter() - t
    c = result.cost
    if folder is not None:
        out = folder / f"sol-{inst.name}.json"
    elif given_out is not None:
        out = given_out
    else:
        out = scratch / f"sol-{inst.name}.json"
    write_hhcrsp_solution(out, inst, result.routes)
    verdict, theirs = validate(validator, f, out)
    bad = int(verdict != "ok" and verdict != "-")
    if (
        not bad
        and theirs is not None
        and abs(theirs - c.total_cost) > 1e-3 * max(1.0, c.total_cost)
    ):
        verdict = f"ok, but its cost {theirs:.3f} differs from ours"
    ref = best_known(Path(f).parent).get(inst.name)
    gap = 100 * (c.total_cost / ref - 1) if ref else float("nan")
    kept = gap if ref and c.served == c.visits and verdict.startswith("ok") else None
    line = (
        f"{inst.name:<34}{c.total_cost:>9.2f}{ref or float('nan'):>9.2f}{gap:>7.2f}%"
        f"{c.distance:>9.1f}{c.total_tardiness:>8.1f}{c.max_tardiness:>7.1f}"
        f"{c.served:>5}/{c.visits:<3}{sec:>6.1f}  {verdict}"
    )
    return line, sec, bad, kept


def _printed(rows):
    """Print each row's line as it comes and pass it on."""
    for row in rows:
        print(row[0])
        yield row


def main() -> int:
    from carezones._data import shared_file

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("path", type=Path, nargs="?", default=shared_file("hhcrsp/mankowska"))
    ap.add_argument("--seconds", type=float, default=10.0, help="time limit per instance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="the solution (a folder for many)")
    ap.add_argument("--max-patients", type=int, default=100, help="in a folder: up to this")
    ap.add_argument("--only", nargs="*", default=None, help="in a folder: these names only")
    ap.add_argument("--validator", type=Path, default=None, help="the authors' validator.py")
    ap.add_argument("--jobs", type=int, default=1, help="instances solved at once")
    ap.add_argument(
        "--improve-share",
        type=float,
        default=None,
        help="share of the time for improving on the exact objective (0: none; default 0.5)",
    )
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.path is None or not Path(args.path).exists():
        print("skipped: no instances (give a file or folder, or set CAREZONES_DATA)")
        return 0
    validator = find_validator(args.validator)
    path = Path(args.path)
    if path.is_file():
        files = [path]
    else:
        files = sorted(
            (p for p in path.glob("*.json") if patients(p) <= args.max_patients),
            key=lambda p: (patients(p), p.name),
        )
        if args.only:
            files = [f for f in files if f.stem in args.only]
    folder = args.out if args.out is not None and (len(files) > 1 or path.is_dir()) else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="hhcrsp-"))
    print(
        f"{'instance':<34}{'cost':>9}{'best':>9}{'gap':>8}{'travel':>9}{'late':>8}{'worst':>7}"
        f"{'served':>9}{'sec':>6}  validator"
    )
    gaps, failed, seconds = [], 0, []
    jobs = [
        (f, args.seconds, args.seed, args.improve_share, folder, args.out, scratch, validator)
        for f in files
    ]
    if args.jobs > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            done = pool.map(run_one, jobs)
            rows = list(_printed(done))
    else:
        rows = list(_printed(map(run_one, jobs)))
    for _line, sec, bad, gap in rows:
        seconds.append(sec)
        failed += bad
        if gap is not None:
            gaps.append(gap)
    if len(files) > 1:
        n = len(files)
        print(
            f"\ninstances: {n}; solutions failing the validator: {failed}"
            + ("" if validator else " (validator not found: not checked)")
        )
        if gaps:
            print(
                f"mean gap to the best known: {sum(gaps) / len(gaps):.2f}% over {len(gaps)} "
                f"instances with a best known (worst {max(gaps):.2f}%, best {min(gaps):.2f}%)"
            )
        print(f"seconds: {sum(seconds):.0f} in all, {max(seconds):.1f} at most per instance")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
