"""Something for the commissioner's workspace to show after `make run`: look-alike requests at other
sources and a few decisions.

The look-alikes take over about a third of their original's generated entries (those of whole quarter
hours; the same teams, days and so weeks), so the seed still writes exactly the entries asked for and
the random draws of the main generator are untouched. Then the demo commissioner records three decisions: a merge four
months ago (its entries since then move to the survivor, as teams would log them), a keep due for
review, and a reduced frequency taking effect next month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from tracker.demo import data
from tracker.models.auth import User
from tracker.models.catalogue import Request
from tracker.models.entries import Entry
from tracker.models.workspace import Decision
from tracker.workspace.decisions import DecisionInput, record_decision
from tracker.shared.timeutil import shift_months


@dataclass(frozen=True)
class Lookalike:
    title: str
    source: str
    frequency: str
    obligation: str
    description: str
    original: str  # the title of the data.REQUESTS entry it duplicates


LOOKALIKES = (
    Lookalike("Winter situation report – weekly", "Integrated Care Board", "weekly", "contractual",
              "Beds, escalation level and discharge delays each week of the winter.", "Weekly winter sitrep"),
    Lookalike("UEC programme weekly highlight report", "Integrated Care Board", "weekly", "discretionary",
              "Progress, risks and issues against the urgent and emergency care plan.",
              "Weekly UEC programme highlight report"),
    Lookalike("Monthly ambulance handover delays return", "NHS England – North West regional team", "monthly",
              "contractual", "Handovers over 30 and 60 minutes, with actions.", "Monthly ambulance handover return"),
)
MERGED = LOOKALIKES[2]  # merged into its original four months ago
KEPT = "Healthcare associated infection return"
REDUCED = ("System flow weekly dashboard", "fortnightly")


def ensure_lookalikes(session, source_ids: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Look-alike title -> (its id, its original's id), made when missing."""
    by_key = {(r.source_id, r.title): r for r in session.scalars(select(Request))}
    out = {}
    for spec in LOOKALIKES:
        original = next(r for (sid, title), r in by_key.items() if title == spec.original)
        key = (source_ids[spec.source], spec.title)
        if key not in by_key:
            by_key[key] = Request(title=spec.title, source_id=key[0], description=spec.description,
                                  frequency=spec.frequency, obligation=spec.obligation, status="active")
            session.add(by_key[key])
        out[spec.title] = (by_key[key], original)
    session.flush()
    return {title: (made.id, original.id) for title, (made, original) in out.items()}


def share_out_entries(session, lookalikes: dict[str, tuple[int, int]], today: date) -> None:
    """About a third of each original's entries become the look-alike's; the merged one's, from the merge
    on, go to the survivor. Before the rollups are rebuilt."""
    for lookalike_id, original_id in lookalikes.values():
        # Chosen by what the rows hold, never by id (ids differ between databases): the quarter-hours.
        session.execute(update(Entry).where(Entry.request_id == original_id, Entry.minutes % 15 == 0)
                        .values(request_id=lookalike_id).execution_options(synchronize_session=False))
    merged_id, survivor_id = lookalikes[MERGED.title]
    session.execute(update(Entry).where(Entry.request_id == merged_id, Entry.occurred_on >= merge_date(today))
                    .values(request_id=survivor_id).execution_options(synchronize_session=False))


def merge_date(today: date) -> date:
    return shift_months(today, -4).replace(day=1)


def record_demo_decisions(session, lookalikes: dict[str, tuple[int, int]], today: date) -> int:
    """The demo commissioner's three decisions, on requests with no live decision yet. Returns how many."""
    commissioner = session.scalar(select(User).where(User.email == data.COMMISSIONER_EMAIL))
    by_title = {r.title: r for r in session.scalars(select(Request))}
    merged_id, survivor_id = lookalikes[MERGED.title]
    plans = [
        (session.get(Request, merged_id), DecisionInput(
            "merge", "The regional team and the programme office ask for the same handover figures: one return.",
            merge_date(today), merge_into_id=survivor_id)),
        (by_title.get(KEPT), DecisionInput(
            "keep", "Mandatory surveillance: UKHSA publishes it and the infection prevention team uses it weekly.",
            shift_months(today, -8), review_on=shift_months(today, -2))),
        (by_title.get(REDUCED[0]), DecisionInput(
            "reduce_frequency", "Weekly figures are not read between system meetings, which are fortnightly.",
            shift_months(today, 1), new_frequency=REDUCED[1])),
    ]
    made = 0
    for request, values in plans:
        if request is None or session.scalar(select(Decision.id).where(
                Decision.request_id == request.id, Decision.withdrawn_at.is_(None))) is not None:
            continue
        record_decision(commissioner, request, values, today, session)
        made += 1
    return made
