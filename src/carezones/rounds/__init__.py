"""Carers' daily rounds: who visits whom, in what order, arriving when, over real roads.

:func:`read_visits` and :func:`read_carers` (in :mod:`carezones.io`) read and check the inputs
(every problem reported together); :func:`plan_rounds` plans the day and returns
:class:`Rounds`, whose every itinerary passes the independent checker
(:func:`carezones.rounds.checker.check_rounds`).

How :func:`plan_rounds` works
-----------------------------
1. **Travel.** Minutes between every carer's home and every visit come from the network's
   engine (or an explicit matrix); they are rounded to whole seconds for the solver.
2. **Model.** Each carer's shift is a vehicle of PyVRP (Wouda, Lan and Kool, 2024) leaving
   and returning home inside the shift; each visit is a client whose *start* must fall inside
   its window; a double-handed visit is two clients, one served by a carer of each half of the
   team (so never twice by the same carer); so are the two visits of a *sequential pair* (a
   second visit, ``after_visit``, by another carer between ``gap_min_minutes`` and
   ``gap_max_minutes`` after the first starts; see :mod:`~carezones.rounds.pairs`), each
   narrowed to the times its gap leaves. Skills and the two halves are routing profiles in
   which the visits a carer may not make are out of reach; a visit whose client prefers other
   carers costs ``continuity_minutes`` more for a stranger. Every visit is optional with a
   prize far above any travel saving, so all visits are served when that is possible at all.
   A visit that may start late (``max_late_minutes``, soft windows) is a few clients of which
   at most one is served, each allowed later and worth less by the cost of that lateness
   (``late_cost``, ``worst_late_cost``): served on time where it can be, late rather than not
   at all. Each solve runs PyVRP's iterated local search for the time (or iterations) given.
3. **Synchronising.** The two carers of a double-handed visit must start together: both aim
   at the same 10 minutes of its window (where the rounds the search starts from served it, an
   earlier plan of the day or the day before's; otherwise the middle), and where they still
   miss each other the solver is re-run with both windows narrowed to the later of their
   starts. Where keeping the sequential pairs' gaps would make a visit late (or cannot be
   done), the solver is re-run with each pair it timed out of its gap pinned: its first visit
   within 2 minutes of its time, its second within the gap after it; of these searches, the
   one whose rounds keep most visits is kept.
4. **Schedule and breaks.** An exact schedule is computed (waiting allowed, both carers of a
   double-handed visit start at the later arrival, the second visit of a pair no earlier than
   the first's start plus the least gap, the first no earlier than the second's less the
   greatest), and each carer's break is placed whole in its window at the first stop where it
   fits (taken where the carer is). Visits that cannot be kept without breaking a rule are
   moved to ``unserved`` with the reason; a pair goes whole (``not_in_sequence``). Each
   visit's lateness (minutes after its window closes) is worked out here, exactly; where the
   search compares rounds, it weighs travel plus the lateness's cost.
5. **Filling and making room.** Left-out visits go back where the whole day still keeps
   every rule (both visits of a pair together); then, for each still left out, a round near
   it in time gives up one visit to another carer (who may in turn hand one on) where that
   makes room (:func:`~carezones.rounds.rescue.rescue`). Each change is kept only when it
   serves one visit more and the whole day still keeps every rule.
   **Improving on the exact objective** (only when lateness is costed or the day has
   sequential pairs; :mod:`~carezones.rounds.improve`): a ruin-and-recreate search takes a
   few visits out at a time (at random, the latest, those near one another, a stretch of a
   round; both visits of a pair together) and puts each back where the exact cost (travel,
   lateness, the worst lateness) rises least, timing both rounds a pair couples exactly;
   the rounds are kept when they serve as many visits for less and the whole day keeps every
   rule. It has ``improve_share`` of the time limit (half by default; the search the rest).
6. **Letting carers go** (only when asked, ``RoundsOptions(let_go=n)``). Up to ``n`` carers,
   the one with least care first, go when every visit of their rounds fits in the others'
   rounds keeping every rule (:func:`~carezones.rounds.fewer.let_go`): the same visits served
   by fewer carers, for some more travel.
7. **Soft windows against hard ones** (only when visits may start late and the plan leaves
   some out). The search with late steps has more to explore and, on a tight day, may serve
   fewer visits than with hard windows, so the day is also planned with every window hard
   (lateness weighs nothing there), and then only the visits that plan leaves out are
   offered their lateness (:func:`~carezones.rounds.search.offer_lateness`): the hard plan's
   rounds are filled and room is made in them (step 5) on the soft-window day, so each
   visit put in starts within its own limit and the visits it makes later within theirs,
   every break, shift, partner and pair fitted by the exact schedule. Of the soft plan, the
   hard plan and the hard plan with visits put in late, the one serving most visits is kept,
   then the lowest cost (travel and lateness as weighed). With a time limit, making room
   here stops once the time limit has passed again; with ``iterations``, it runs whole (the
   same plan every time).

Modules
-------
``plan``
    :func:`plan_rounds`: checks the day's inputs and runs the search engine.
``options``
    :class:`RoundsOptions` and :class:`WeekOptions`: how long to search, the seed, what the
    plan weighs against travel; checked once.
``search``
    The day's search engine: the model and its search with the synchronising rounds (steps
    2-3), then the exact schedule, repair and filling (steps 4-5), and a hard plan's
    left-out visits offered their lateness (step 7); :func:`plan_rounds`,
    :func:`replan_rounds` and :func:`plan_week` all build on it.
``result``
    :class:`Rounds` and :class:`Week`, built once and never changed.
``reasons``
    :class:`Cause` and :class:`Reason`: why a visit is left unserved.
``model``
    The routing model and the one place that talks to PyVRP: a :class:`RoutingProblem
    <carezones.rounds.model.RoutingProblem>` turned into PyVRP's data and solved; the day's
    rounds as such a problem (step 2: skills, halves of the team, windows, prizes,
    preferences, balance), and the visits no plan can serve.
``schedule``
    The exact day: times, breaks, dropping what cannot be kept (step 4) and filling gaps.
``pairs``
    Sequential pairs: a second visit by another carer within a gap after the first.
``late``
    Soft windows: each visit's lateness limit, and the steps of lateness the search weighs.
``improve``
    Ruin and recreate on the exact objective, when lateness is costed or pairs are present
    (step 5).
``rescue``
    Making room for a left-out visit by moving visits to other carers (step 5).
``fewer``
    Letting carers go whose visits fit in the others' rounds (step 6).
``tables``
    The itineraries, unserved visits, carers per client and the KPIs.
``legs``
    The legs of the rounds as lines along the roads (:meth:`Rounds.legs`).
``checker``
    The independent checkers of rounds and of VRPTW solutions (no code shared with the rest).
``vrptw``
    :func:`~carezones.rounds.vrptw.solve_vrptw`: Solomon's and LKH's instances on the same
    routing core, for the benchmark.
``week``
    :func:`plan_week`: a week of rounds with the same faces (continuity across days, one
    weight against travel), each day's searches as Dask tasks (:mod:`carezones.parallel`).
``faces``
    Fewer faces: a carer a client meets on a few days only hands those visits on.
``replan``
    :func:`replan_rounds`, re-planning on the day: what started stays, the rest changes as
    little as possible; :func:`compare_rounds`.

What people read (the map, the HTML timeline, the carers' run sheets) is drawn by
:mod:`carezones.report` (``report.rounds``, ``report.timeline``, ``report.sheets``).

A new rule for rounds goes in ``model`` (what the search may do), ``schedule`` (the exact
day keeps it) and ``checker`` (it is verified).
"""

from carezones.io import (
    CARER_COLUMNS,
    VISIT_COLUMNS,
    hhmm,
    parse_day,
    parse_hhmm,
    read_carers,
    read_itineraries,
    read_visits,
)
from carezones.rounds.options import RoundsOptions, WeekOptions
from carezones.rounds.plan import plan_rounds
from carezones.rounds.reasons import Cause, Reason
from carezones.rounds.replan import compare_rounds, replan_rounds
from carezones.rounds.result import Rounds, Week
from carezones.rounds.week import plan_week

__all__ = [  # the readers live in carezones.io; they are part of this package's API too
    "CARER_COLUMNS",
    "VISIT_COLUMNS",
    "Cause",
    "Reason",
    "Rounds",
    "RoundsOptions",
    "Week",
    "WeekOptions",
    "compare_rounds",
    "hhmm",
    "parse_day",
    "parse_hhmm",
    "plan_rounds",
    "plan_week",
    "read_carers",
    "read_itineraries",
    "read_visits",
    "replan_rounds",
]
