"""What every benchmark on the Rutland extract shares: the --pbf option and a clean skip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def rutland_parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser with ``--pbf`` (default: the shared Rutland extract, when present)."""
    from carezones._data import RUTLAND_PBF, shared_file

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pbf", type=Path, default=shared_file(RUTLAND_PBF))
    return ap


def parse_or_skip(ap: argparse.ArgumentParser) -> argparse.Namespace | None:
    """Parse the arguments; ``None`` (after saying so) when the extract is absent."""
    from carezones._data import RUTLAND_PBF

    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.pbf is None or not Path(args.pbf).exists():
        print(f"skipped: {RUTLAND_PBF} not found (set CAREZONES_DATA)")
        return None
    return args
