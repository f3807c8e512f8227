"""An independent checker for routes: it shares no code with the solver.

Given the problem and a set of routes, it recomputes every arrival and start time from the
travel times and lists every broken rule, so that a solution is trusted because it was
checked, not because a solver said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carezones.vrp import VrptwInstance


@dataclass(frozen=True)
class Violation:
    """One broken rule: which route (1-based, 0 for the whole plan), which node, what."""

    route: int
    node: int
    rule: str
    detail: str

    def __str__(self) -> str:
        where = f"route {self.route}" if self.route else "plan"
        return f"{where}, node {self.node}: {self.rule}: {self.detail}"


def check_vrptw(
    inst: VrptwInstance, routes: list[list[int]], claimed_distance: int | None = None
) -> list[Violation]:
    """Every rule of the VRP with time windows, checked from scratch.

    Rules: each customer served exactly once; no route over capacity; service starts inside
    each customer's window (waiting allowed, lateness not); every route back at the depot before
    it closes; the total travel equals ``claimed_distance`` when given.
    """
    out: list[Violation] = []
    n = len(inst.demand)
    seen: dict[int, int] = {}
    total = 0
    for r, route in enumerate(routes, start=1):
        load = 0
        t = int(inst.window[0][0])
        prev = 0
        for node in route:
            if not 1 <= node < n:
                out.append(Violation(r, node, "unknown node", f"nodes are 1..{n - 1}"))
                continue
            if node in seen:
                out.append(Violation(r, node, "served twice", f"also on route {seen[node]}"))
            seen[node] = r
            load += int(inst.demand[node])
            leg = int(inst.travel[prev][node])
            total += leg
            t = max(t + leg, int(inst.window[node][0]))
            if t > int(inst.window[node][1]):
                out.append(
                    Violation(r, node, "late", f"starts {t}, window closes {inst.window[node][1]}")
                )
            t += int(inst.service[node])
            prev = node
        back = int(inst.travel[prev][0])
        total += back
        if t + back > int(inst.window[0][1]):
            out.append(
                Violation(r, 0, "late back", f"at the depot {t + back} > {inst.window[0][1]}")
            )
        if load > inst.capacity:
            out.append(Violation(r, 0, "over capacity", f"load {load} > {inst.capacity}"))
    for node in range(1, n):
        if node not in seen:
            out.append(Violation(0, node, "not served", "on no route"))
    if claimed_distance is not None and claimed_distance != total:
        out.append(
            Violation(0, 0, "distance", f"routes add up to {total}, claimed {claimed_distance}")
        )
    return out
