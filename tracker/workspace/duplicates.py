"""Likely duplicates: requests from different sources that ask for the same thing.

Titles and descriptions are compared with rapidfuzz after one normalisation
(`normalise`): lower case, accents and punctuation gone, and the field's
abbreviations spelled out from ONE list (`ABBREVIATIONS`), so "A&E 4-hour
sitrep" and "Accident and emergency four hour situation report" read alike.

    text score = title score                                  (no description on one side)
               = 0.7 × title score + 0.3 × description score  (both described)
    score      = text score + 5 for each team that answered both in the same
                 week with both entries marked "already supplied elsewhere"
                 (at most +15), capped at 100

title score: `token_sort_ratio` (word order does not matter, extra words do);
description score: `token_set_ratio` (descriptions differ in length more).
A pair is listed when its text score reaches LIKELY_SCORE: evidence raises a
listed pair's score (and its place in the list), it never makes a match on
its own. Only live requests (active or under review) are compared.

A commissioner's verdict is stored against both requests' versions (a digest
of title, description and source): a dismissed pair stays away until either
request changes."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from rapidfuzz import fuzz, process
from sqlalchemy import select, text

from tracker import audit
from tracker.burden.part_cache import live_from, reuse
from tracker.extensions import db
from tracker.models.entries import SUPPLIED_ELSEWHERE, Entry
from tracker.models.workspace import DuplicateVerdict
from tracker.workspace.answer_periods import week_number
from tracker.workspace.figures import RequestInfo, request_infos, twelve_months_to
from tracker.shared.errors import Refused

# What people write -> what it stands for. Patterns match whole words of the lower-cased text,
# before punctuation is removed (so "a&e" and "4-hour" are seen as written). ONE list: add here.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"sit\s*-?\s*reps?", "situation report"),
    (r"a\s*&\s*e|a\s+and\s+e", "accident and emergency"),
    (r"uec", "urgent and emergency care"),
    (r"sdec", "same day emergency care"),
    (r"ed", "emergency department"),
    (r"icbs?", "integrated care board"),
    (r"icss?", "integrated care system"),
    (r"ccgs?", "clinical commissioning group"),
    (r"(?:4|four)\s*-?\s*(?:hours?|hrs?|hr)", "four hour"),
    (r"(?:12|twelve)\s*-?\s*(?:hours?|hrs?|hr)", "twelve hour"),
    (r"rtt", "referral to treatment"),
    (r"dtocs?", "delayed transfers of care"),
    (r"nctr", "no criteria to reside"),
    (r"mfft?d", "medically fit for discharge"),
    (r"opel", "operational pressures escalation level"),
    (r"los", "length of stay"),
    (r"gps?", "general practice"),
    (r"cqc", "care quality commission"),
    (r"nhse\s*/\s*i|nhsei?", "nhs england"),
    (r"dhsc", "department of health and social care"),
    (r"ukhsa", "uk health security agency"),
    (r"asc", "adult social care"),
    (r"cyp", "children and young people"),
    (r"mh", "mental health"),
    (r"ld", "learning disability"),
    (r"kpis?", "key performance indicator"),
    (r"mi", "management information"),
    (r"dq", "data quality"),
    (r"ooh", "out of hours"),
    (r"wte", "whole time equivalent"),
    (r"fte", "full time equivalent"),
    (r"wkly", "weekly"),
    (r"mthly", "monthly"),
    (r"qtrly", "quarterly"),
    (r"yr", "year"),
    (r"info", "information"),
    (r"stats", "statistics"),
    (r"&", "and"),
)
# One pass: every pattern an alternative of its own (earlier ones win where two could match), whole words only.
_ABBREVIATION = re.compile(
    "(?<![a-z0-9])(?:" + "|".join(f"({pattern})" for pattern, _ in ABBREVIATIONS) + ")(?![a-z0-9])"
)
_MEANINGS = [f" {meaning} " for _, meaning in ABBREVIATIONS]
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")

LIKELY_SCORE = 70
TITLE_FLOOR = (LIKELY_SCORE - 30) / 0.7  # below this, not even a perfect description lifts a pair to LIKELY_SCORE
EVIDENCE_PER_TEAM = 5
EVIDENCE_MOST = 15
LIVE_STATUSES = ("active", "under_review")


def normalise(text: str | None) -> str:
    """Lower case, plain letters, abbreviations spelled out, single spaces."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    text = _ABBREVIATION.sub(lambda match: _MEANINGS[match.lastindex - 1], text)
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


def version(info: RequestInfo) -> str:
    """What the matching reads of a request, as a digest: a change to any of it makes a new version."""
    text = f"{info.source_id}\n{info.title.strip()}\n{(info.description or '').strip()}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class DuplicatePair:
    first: RequestInfo  # the lower id
    second: RequestInfo
    score: int
    title_score: int
    description_score: int | None
    shared_teams: int  # teams that answered both in the same week, both marked supplied elsewhere
    shared_weeks: int  # (team, week) pairs of that kind
    verdict: str | None = None  # confirmed, dismissed, or None while nobody has judged this version

    @property
    def key(self) -> tuple[int, int]:
        return self.first.id, self.second.id

    def other(self, request_id: int) -> RequestInfo:
        return self.second if request_id == self.first.id else self.first


def text_scores(a: RequestInfo, b: RequestInfo) -> tuple[float, float | None]:
    """(title score, description score or None) of two requests, 0 to 100."""
    title = fuzz.token_sort_ratio(normalise(a.title), normalise(b.title))
    described = normalise(a.description), normalise(b.description)
    return title, (fuzz.token_set_ratio(*described) if all(described) else None)


def text_score(title: float, description: float | None) -> float:
    return title if description is None else 0.7 * title + 0.3 * description


def combined_score(title: float, description: float | None, shared_teams: int) -> int:
    return min(100, round(text_score(title, description) + min(EVIDENCE_MOST, EVIDENCE_PER_TEAM * shared_teams)))


def find_duplicates(today: date, *, include_dismissed: bool = False, session=None) -> list[DuplicatePair]:
    """Likely duplicate pairs among live requests, highest score first (dismissed ones left out unless asked)."""
    session = session or db.session
    infos = [i for i in request_infos(session=session).values() if i.status in LIVE_STATUSES]
    infos.sort(key=lambda i: i.id)
    # token_sort_ratio is the plain ratio of the words sorted: sort each title's words once, not per pair
    titles = [" ".join(sorted(normalise(i.title).split())) for i in infos]
    descriptions: dict[int, str] = {}  # normalised once per request, only for those in a candidate pair
    likely = []
    for position, info in enumerate(infos):
        later = titles[position + 1:]
        if not later or not titles[position]:
            continue
        for _, title_score, offset in process.extract(
            titles[position], later, scorer=fuzz.ratio, processor=None, score_cutoff=TITLE_FLOOR, limit=None
        ):
            other = infos[position + 1 + offset]
            if other.source_id == info.source_id:
                continue
            for i in (info, other):
                if i.id not in descriptions:
                    descriptions[i.id] = normalise(i.description)
            described = descriptions[info.id], descriptions[other.id]
            description_score = fuzz.token_set_ratio(*described) if all(described) else None
            if text_score(title_score, description_score) >= LIKELY_SCORE:
                likely.append((info, other, title_score, description_score))
    evidence = shared_supply(today, {i.id for a, b, _, _ in likely for i in (a, b)}, session)
    verdicts = current_verdicts(session)
    versions: dict[int, str] = {}
    pairs = []
    for a, b, title_score, description_score in likely:
        key = (a.id, b.id, versions.setdefault(a.id, version(a)), versions.setdefault(b.id, version(b)))
        verdict = verdicts.get(key)
        if verdict == "dismissed" and not include_dismissed:
            continue
        teams, weeks = evidence.get((a.id, b.id), (0, 0))
        pairs.append(DuplicatePair(
            a, b, combined_score(title_score, description_score, teams), round(title_score),
            None if description_score is None else round(description_score), teams, weeks, verdict,
        ))
    pairs.sort(key=lambda p: (-p.score, p.first.title.lower(), p.second.title.lower()))
    return pairs


def duplicates_by_request(pairs: Iterable[DuplicatePair]) -> dict[int, list[tuple[int, int]]]:
    """request id -> [(other request id, score)], highest score first."""
    out: dict[int, list[tuple[int, int]]] = {}
    for pair in pairs:
        out.setdefault(pair.first.id, []).append((pair.second.id, pair.score))
        out.setdefault(pair.second.id, []).append((pair.first.id, pair.score))
    for others in out.values():
        others.sort(key=lambda o: (-o[1], o[0]))
    return out


def _week(session, column):
    """SQL: the Monday-to-Sunday week of the date, the same on SQLite and PostgreSQL (answer_periods.py)."""
    return week_number(session.get_bind().dialect.name, column)


def shared_supply(today: date, request_ids: set[int], session=None) -> dict[tuple[int, int], tuple[int, int]]:
    """For pairs of these requests: (teams, team-weeks) in which a team answered both in the same week
    with both marked "already supplied elsewhere", over the 12 months to `today`.

    Reads only the partial index of such entries (ix_entry_supplied_elsewhere), one row per request,
    team and week. The pairs of the weeks before this month are reused while their months' stamps
    stand (tracker/burden/part_cache.py); the last of those weeks, which may run into this month, is
    paired again with this month's rows (a team-week is counted once)."""
    session = session or db.session
    if not request_ids:
        return {}
    start, end = twelve_months_to(today)
    this_month = live_from()
    paired: dict[tuple[int, int], tuple[set, int]] = {}
    recent: list[tuple[int, int, int]] = []
    if start < this_month <= end:
        before = this_month - timedelta(days=1)
        asked = ("supplied elsewhere pairs", tuple(sorted(request_ids)), start, before)
        paired, recent = reuse(session, asked, [(start, before)],
                               lambda: _paired_but_last_week(_answered(session, request_ids, start, before)))
        start = this_month
    # The last week before this month may run into it: its rows are paired again with this month's.
    latest = _pairs(set(recent) | set(_answered(session, request_ids, start, end)))
    out = {}
    for pair in paired.keys() | latest.keys():
        teams, weeks = paired.get(pair, (set(), 0))
        more_teams, more_weeks = latest.get(pair, (set(), 0))
        out[pair] = (len(teams | more_teams), weeks + more_weeks)
    return out


def _paired_but_last_week(answered: list[tuple[int, int, int]]) -> tuple[dict, list]:
    """The pairs of the weeks before the last one, and the last week's rows as they are."""
    last = max((week for _, _, week in answered), default=None)
    return _pairs([row for row in answered if row[2] != last]), [row for row in answered if row[2] == last]


def _pairs(answered) -> dict[tuple[int, int], tuple[set, int]]:
    """(first, second) request -> (the teams, how many team-weeks) that answered both in the same week."""
    requests_by_week: dict[tuple[int, int], list[int]] = {}
    for request_id, team_id, week in answered:
        requests_by_week.setdefault((team_id, week), []).append(request_id)
    teams: dict[tuple[int, int], set] = {}
    weeks: dict[tuple[int, int], int] = {}
    for (team_id, _week), requests in requests_by_week.items():
        requests.sort()
        for i, first in enumerate(requests):
            for second in requests[i + 1:]:
                teams.setdefault((first, second), set()).add(team_id)
                weeks[(first, second)] = weeks.get((first, second), 0) + 1
    return {pair: (teams[pair], weeks[pair]) for pair in weeks}


def _answered(session, request_ids: set[int], start: date, end: date) -> list[tuple[int, int, int]]:
    """(request, team, week) of every week a team answered one of the requests with an entry marked
    "already supplied elsewhere", in [start, end]."""
    week = _week(session, Entry.occurred_on).label("week")
    query = (
        select(Entry.request_id, Entry.team_id, week)
        .where(
            # The partial index's own condition, as literal SQL, so SQLite can use that index.
            text(SUPPLIED_ELSEWHERE), Entry.request_id.in_(request_ids), Entry.occurred_on >= start, Entry.occurred_on <= end,
        )
        .group_by(Entry.request_id, Entry.team_id, week)
    )
    return [(int(request_id), int(team_id), int(week)) for request_id, team_id, week in session.execute(query)]


# ---- verdicts -----------------------------------------------------------------------


class VerdictRefused(Refused):
    pass


def current_verdicts(session=None) -> dict[tuple[int, int, str, str], str]:
    session = session or db.session
    rows = session.execute(select(
        DuplicateVerdict.first_request_id, DuplicateVerdict.second_request_id, DuplicateVerdict.first_version,
        DuplicateVerdict.second_version, DuplicateVerdict.verdict,
    ))
    return {tuple(row[:4]): row[4] for row in rows}


def record_verdict(user, first_id: int, second_id: int, verdict: str, today: date, session=None) -> DuplicateVerdict:
    """Confirm or dismiss a pair as the two requests stand now (audited; a changed mind updates it)."""
    session = session or db.session
    if verdict not in ("confirmed", "dismissed"):
        raise VerdictRefused("Choose whether the two requests are duplicates", "verdict")
    a_id, b_id = sorted((first_id, second_id))
    infos = request_infos([a_id, b_id], session)
    if a_id == b_id or len(infos) != 2:
        raise VerdictRefused("Choose two different requests from the catalogue", "pair")
    a, b = infos[a_id], infos[b_id]
    title, description = text_scores(a, b)
    teams, _ = shared_supply(today, {a_id, b_id}, session).get((a_id, b_id), (0, 0))
    versions = (version(a), version(b))
    existing = session.scalar(select(DuplicateVerdict).where(
        DuplicateVerdict.first_request_id == a_id, DuplicateVerdict.second_request_id == b_id,
        DuplicateVerdict.first_version == versions[0], DuplicateVerdict.second_version == versions[1],
    ))
    if existing is not None:
        audit.change(session, user, "update", existing, {"verdict": verdict})
        return existing
    row = DuplicateVerdict(
        first_request_id=a_id, second_request_id=b_id, first_version=versions[0], second_version=versions[1],
        verdict=verdict, score=combined_score(title, description, teams), decided_by_id=user.id,
    )
    session.add(row)
    session.flush()
    audit.record(session, user, "create", row, new=audit.snapshot(row))
    return row


def confirmed_pairs_of(request_id: int, pairs: Iterable[DuplicatePair]) -> list[DuplicatePair]:
    return [p for p in pairs if request_id in p.key and p.verdict == "confirmed"]

