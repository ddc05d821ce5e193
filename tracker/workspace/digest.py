"""The monthly review digest: each commissioner is emailed the decisions due for review and each
decision's realised saving against the expected one.

Plain functions: the scheduler (tracker/scheduler/jobs.py) passes the
function that sends a message through SMTP_URL, so this module knows nothing
of SMTP. A digest row per (month, commissioner) is claimed before sending
(tracker/shared/sending.py), so two scheduler processes never both send it; a
failed send is retried on later ticks after its back-off, up to the setting's
attempts, and a send whose process died is taken over once its claim is stale."""
from __future__ import annotations

from datetime import date
from email.message import EmailMessage

from sqlalchemy import and_, select

from tracker.burden.hotspots import Hotspots, find_hotspots
from tracker.burden.shares import share_text
from tracker.models.auth import User
from tracker.models.workspace import Decision, ReviewDigest
from tracker.workspace.decisions import DECISIONS
from tracker.workspace.pages import DecisionRow, decision_rows
from tracker.workspace.savings import measurable_from
from tracker.shared.sending import Outbox, SendPolicy, send_claimed
from tracker.shared.smtp import Send, new_message
from tracker.shared.timeutil import month_label
from tracker.template_helpers import hours, money

DIGESTS = Outbox.plain(ReviewDigest)


def _hours(value) -> str:
    return hours(value, 1)


def describe(row: DecisionRow) -> str:
    d, s = row.decision, row.saving
    line = f"{DECISIONS[d.kind]}: {d.request.label}, from {d.effective_on:%-d %B %Y}. "
    if s.saves_nothing:
        return line + "No saving: the request is kept as it is."
    line += f"Expected {_hours(d.expected_saving_hours)} hours ({money(d.expected_saving_cost)}) a year; "
    if not s.measured:
        return line + f"realised: too early to tell (measured from {measurable_from(d):%-d %B %Y})."
    line += f"realised {_hours(s.realised_hours)} hours ({money(s.realised_cost)}) a year"
    if s.seasonality:
        line += f" ({_hours(s.seasonality.realised_hours)} against the same days a year before)"
    if s.uncertain:
        line += (". UNCERTAIN: the teams that carried it logged "
                 f"{_hours(s.other_minutes_a_day_before / 60)} hours a day on other requests before and "
                 f"{_hours(s.other_minutes_a_day_after / 60)} after, more than a third fewer")
    return line + "."


def hotspot_lines(spots: Hotspots) -> list[str]:
    """The digest's hotspots: each team over HOTSPOT_SHARE, its share and its three costliest requests."""
    lines = [f"Hotspots: teams where reporting took at least {spots.threshold * 100:.0f}% of management time, "
             f"{spots.window_label} ({len(spots.teams)}):"]
    for spot in spots.teams:
        costliest = "; ".join(f"{row.label[1]} ({_hours(row.hours)} hours, {money(row.cost)})" for row in spot.top_requests)
        lines.append(f"- {spot.team}: {share_text(spot.share)} ({_hours(spot.share.hours)} of "
                     f"{_hours(spot.share.available_hours)} available hours). Costliest: {costliest or 'none'}.")
    return lines if spots.teams else lines + ["- None."]


def digest_message(user: User, period: date, rows: list[DecisionRow], sender: str,
                   hotspots: Hotspots | None = None) -> EmailMessage:
    due = [row for row in rows if row.status == "review_due"]
    in_effect = [row for row in rows if row.status in ("in_effect", "review_due")]
    message = new_message(f"Reporting burden: decisions to review, {month_label(period)} ({len(due)} due)", sender,
                          [user.email])
    lines = [f"Dear {user.name},", "", f"Decisions due for review ({len(due)}):"]
    lines += [f"- {describe(row)} Review was due {row.decision.review_on:%-d %B %Y}." for row in due] or ["- None."]
    lines += ["", f"Realised against expected savings of the decisions in effect ({len(in_effect)}):"]
    lines += [f"- {describe(row)}" for row in in_effect] or ["- None yet."]
    scheduled = [row for row in rows if row.status == "scheduled"]
    if scheduled:
        lines += ["", f"Not in effect yet ({len(scheduled)}):"] + [f"- {describe(row)}" for row in scheduled]
    lines += [""] + hotspot_lines(hotspots if hotspots is not None else find_hotspots(period))
    lines += ["", "The workspace of the Reporting Burden Tracker (Workspace, then Decisions) has the figures behind "
              "these, and the workbook to download.", ""]
    message.set_content("\n".join(lines))
    return message


def send_review_digests(session, period: date, today: date, sender: str, send: Send,
                        policy: SendPolicy = SendPolicy()) -> int:
    """Email this month's digest to every active commissioner not yet sent it; returns how many were sent.
    Nothing is sent while there is no live decision (nothing to review)."""
    live = list(session.scalars(select(Decision).where(Decision.withdrawn_at.is_(None)).order_by(Decision.review_on, Decision.id)))
    if not live:
        return 0
    rows = decision_rows(live, today)
    commissioners = list(session.scalars(
        select(User).where(User.role == "commissioner", User.active.is_(True)).order_by(User.email)
    ))
    messages = [(user.id, user.email, digest_message(user, period, rows, sender)) for user in commissioners]
    sent = 0
    for user_id, email, message in messages:
        sent += send_claimed(
            session, DIGESTS, and_(ReviewDigest.period == period, ReviewDigest.user_id == user_id), policy,
            lambda message=message: send(message), what=f"review digest to {email}",
            new_row=lambda user_id=user_id, **claim: ReviewDigest(period=period, user_id=user_id, **claim),
        )
    return sent
