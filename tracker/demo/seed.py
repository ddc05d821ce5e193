"""Demo data: a catalogue, teams, users and entries, deterministic for a seed.

Plain functions on a SQLAlchemy session (no Flask). Every random draw comes
from one `random.Random(seed)` in a fixed order that never depends on what the
database already holds, so a seed always plans the same data (and, on an
empty database, the same ids). Entries are generated month by month and
written in bulk (see tracker.demo.bulk), so a million rows stream through
with flat memory and without one ORM object or audit event per entry."""
from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from operator import itemgetter
from typing import Callable

from sqlalchemy import select

from tracker.models.audit import AuditEvent
from tracker.models.auth import Membership, User
from tracker.models.catalogue import Request, Source, Team
from tracker.catalogue.services import slugify
from tracker.shared.choices import MAX_ENTRY_MINUTES
from tracker.shared.passwords import hash_password
from tracker.demo import bulk, capacity, data, workspace
from tracker.demo import licences as demo_licences
from tracker.demo.calendar import RequestCalendar

# Pieces of work a year behind each frequency, for how often teams log a request.
LOGS_PER_YEAR = {
    "weekly": 52, "fortnightly": 26, "monthly": 12, "quarterly": 4, "biannual": 2, "annual": 1,
    "ad_hoc": 8, "one_off": 1,
}
MANY_TEAMS = 50  # beyond this, one lead and one manager per team keeps the user table small


@dataclass
class TeamPlan:
    name: str
    organisation: str
    sector: str
    activity: float = 1.0
    pace: float = 1.0  # how long this team takes, relative to the usual
    requests: list[tuple[int, float]] = field(default_factory=list)  # (index in data.REQUESTS, weight)
    bands: list[tuple[str, float]] = field(default_factory=list)  # least senior first
    people: list[tuple[str, str, str]] = field(default_factory=list)  # (email, name, team role)
    id: int | None = None
    user_ids: list[int] = field(default_factory=list)


@dataclass
class SeedResult:
    teams: int
    users: int
    sources: int
    requests: int
    entries: int
    first_day: date
    last_day: date
    admin_email: str = data.ADMIN_EMAIL
    password: str = data.DEMO_PASSWORD


def database_has_data(session) -> bool:
    return session.scalar(select(Team.id).limit(1)) is not None


def seed_demo(session, *, teams: int = 12, months: int = 12, entries: int = 5000, seed: int = 42,
              today: date | None = None, progress: Callable[[int], None] | None = None) -> SeedResult:
    """Load the demo and return what it holds.

    Commits the catalogue and people first, then the entries (a transaction per batch, or one for a
    large load: tracker.demo.bulk), then one audit event for the run with the rollups rebuilt."""
    if teams < 1 or months < 1 or entries < 0:
        raise ValueError("teams and months must be at least 1, entries at least 0")
    today = today or date.today()
    rng = random.Random(seed)
    plans = plan_teams(rng, teams)
    plan_people(rng, plans)
    plan_team_work(rng, plans)

    source_ids = ensure_sources(session)
    request_ids = ensure_requests(session, source_ids)
    lookalikes = workspace.ensure_lookalikes(session, source_ids)
    ensure_teams(session, plans)
    admin_id, user_count = ensure_users(session, plans)
    session.commit()

    calendar = RequestCalendar(today, months)
    rows = generate_entries(rng, plans, request_ids, calendar, entries)
    written = bulk.write_entries(session, rows, entries, progress)

    session.add(AuditEvent(user_id=admin_id, action="seed", entity="entry", entity_id=None, old=None,
                           new={"entries": written, "seed": seed}))
    workspace.share_out_entries(session, lookalikes, today)
    session.flush()
    rebuild_rollups(session)
    session.commit()
    workspace.record_demo_decisions(session, lookalikes, today)
    session.commit()
    capacity.ensure_capacities(session, [plan.id for plan in plans], admin_id, calendar.first_day, today, seed)
    demo_licences.record_demo_licences(session, today)
    session.commit()
    return SeedResult(teams=len(plans), users=user_count, sources=len(source_ids), requests=len(request_ids) + len(lookalikes),
                      entries=written, first_day=calendar.first_day, last_day=calendar.last_day)


def rebuild_rollups(session) -> bool:
    """Keep the burden rollup (when that feature is installed) in step with the bulk-written entries."""
    if importlib.util.find_spec("tracker.burden.rollup") is None:
        return False
    rebuild = getattr(importlib.import_module("tracker.burden.rollup"), "rebuild_rollups", None)
    if rebuild is None:
        return False
    rebuild(session)
    return True


# ---- planning (random, no database) -----------------------------------------


def plan_teams(rng: random.Random, count: int) -> list[TeamPlan]:
    """One team of each sector first (so every sector shows), then by SECTOR_WEIGHTS.

    Teams share organisations the way real ones do: several services of one trust or council."""
    sectors = list(data.ALL_SECTORS)
    rng.shuffle(sectors)
    weights = [data.SECTOR_WEIGHTS[s] for s in data.ALL_SECTORS]
    while len(sectors) < count:
        sectors.append(rng.choices(data.ALL_SECTORS, weights=weights)[0])
    sectors = sectors[:count]

    organisations: dict[str, list[tuple[str, str]]] = {s: [] for s in data.ALL_SECTORS}  # (place, name)
    names: set[str] = set()
    plans = []
    for sector in sectors:
        known = organisations[sector]
        if known and rng.random() < 0.5:
            place, organisation = rng.choice(known)
        else:
            place = rng.choice(data.PLACES)
            organisation = rng.choice(data.ORGANISATIONS[sector]).format(place=place)
            if (place, organisation) not in known:
                known.append((place, organisation))
        functions = list(data.TEAM_FUNCTIONS[sector])
        rng.shuffle(functions)
        name = next((f"{place} {f}" for f in functions if f"{place} {f}" not in names), None)
        if name is None:  # every function already taken in this place
            base, n = f"{place} {functions[0]}", 2
            while f"{base} {n}" in names:
                n += 1
            name = f"{base} {n}"
        names.add(name)
        plans.append(TeamPlan(name=name, organisation=organisation, sector=sector))
    return plans


def plan_people(rng: random.Random, plans: list[TeamPlan]) -> None:
    """A lead and one or two managers per team (one manager when there are many teams)."""
    taken = {data.ADMIN_EMAIL, data.COMMISSIONER_EMAIL, data.LEAD_EMAIL, data.MANAGER_EMAIL}
    fixed = {"lead": data.LEAD_EMAIL, "manager": data.MANAGER_EMAIL}  # for the first team only
    for index, plan in enumerate(plans):
        managers = 1 if len(plans) > MANY_TEAMS else rng.choice((1, 2))
        for role in ("lead",) + ("manager",) * managers:
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            local = f"{first}.{last}".lower().replace("'", "")
            email, n = f"{local}@{data.EMAIL_DOMAIN}", 2
            while email in taken:
                email, n = f"{local}{n}@{data.EMAIL_DOMAIN}", n + 1
            if index == 0 and role in fixed:
                email = fixed.pop(role)
            taken.add(email)
            plan.people.append((email, f"{first} {last}", role))


DEMO_LOGIN_ROLES = ("manager", "lead", "commissioner", "admin")


def demo_logins(session) -> list[tuple[str, str]]:
    """(role, email) of one demo user per role: the fixed addresses, or (in a demo loaded before
    they were fixed) the first demo user with that role. Nobody else: only demo users have the
    demo password."""
    fixed = {"manager": data.MANAGER_EMAIL, "lead": data.LEAD_EMAIL, "commissioner": data.COMMISSIONER_EMAIL,
             "admin": data.ADMIN_EMAIL}
    logins = []
    for role in DEMO_LOGIN_ROLES:
        email = session.scalar(select(User.email).where(User.email == fixed[role], User.active.is_(True)))
        if email is None:
            email = session.scalar(
                select(User.email)
                .where(User.role == role, User.active.is_(True), User.email.like(f"%@{data.EMAIL_DOMAIN}"))
                .order_by(User.id)
                .limit(1)
            )
        if email is not None:
            logins.append((role, email))
    return logins


def plan_team_work(rng: random.Random, plans: list[TeamPlan]) -> None:
    """Which requests each team answers (10-20 of those its sector gets) and at which bands."""
    for plan in plans:
        plan.activity = rng.lognormvariate(0, 0.35)
        plan.pace = rng.uniform(0.8, 1.25)
        eligible = [i for i, r in enumerate(data.REQUESTS) if plan.sector in r.sectors]
        chosen = sorted(rng.sample(eligible, min(len(eligible), rng.randint(10, 20))))
        plan.requests = [(i, LOGS_PER_YEAR[data.REQUESTS[i].frequency] * rng.uniform(0.6, 1.6)) for i in chosen]
        ladder = data.SECTOR_BANDS[plan.sector]
        width = rng.choice((2, 3, 3, 4))
        low = rng.randint(0, len(ladder) - width)
        plan.bands = [(band, rng.uniform(0.5, 1.5)) for band in ladder[low:low + width]]


# ---- the catalogue and people (get or create, so a second run adds to the first) ----


def ensure_sources(session) -> dict[str, int]:
    existing = {s.name: s for s in session.scalars(select(Source))}
    for name, kind in data.SOURCES:
        if name not in existing:
            existing[name] = Source(name=name, kind=kind)
            session.add(existing[name])
    session.flush()
    return {name: existing[name].id for name, _kind in data.SOURCES}


def ensure_requests(session, source_ids: dict[str, int]) -> list[int]:
    existing = {(r.source_id, r.title): r for r in session.scalars(select(Request))}
    ordered = []
    for spec in data.REQUESTS:
        key = (source_ids[spec.source], spec.title)
        if key not in existing:
            existing[key] = Request(
                title=spec.title, source_id=key[0], description=spec.description, frequency=spec.frequency,
                obligation=spec.obligation, status="under_review" if spec.title in data.UNDER_REVIEW else "active",
            )
            session.add(existing[key])
        ordered.append(existing[key])
    session.flush()
    return [r.id for r in ordered]


def ensure_teams(session, plans: list[TeamPlan]) -> None:
    existing = {t.name: t for t in session.scalars(select(Team))}
    slugs = {t.slug for t in existing.values()}
    for plan in plans:
        if plan.name not in existing:
            slug, n = slugify(plan.name), 2
            while slug in slugs:
                slug, n = f"{slugify(plan.name)}-{n}", n + 1
            slugs.add(slug)
            existing[plan.name] = Team(name=plan.name, slug=slug, organisation=plan.organisation, sector=plan.sector)
            session.add(existing[plan.name])
    session.flush()
    for plan in plans:
        plan.id = existing[plan.name].id


def ensure_users(session, plans: list[TeamPlan]) -> tuple[int, int]:
    """Returns the demo admin's id and how many demo users there are."""
    # One hash for everyone: hashing is deliberately slow and 400 users would take seconds each run.
    password_hash = hash_password(data.DEMO_PASSWORD)
    existing = {u.email: u for u in session.scalars(select(User))}
    members = {(m.user_id, m.team_id) for m in session.scalars(select(Membership))}

    def user(email: str, name: str, role: str) -> User:
        if email not in existing:
            existing[email] = User(email=email, name=name, role=role, password_hash=password_hash)
            session.add(existing[email])
        return existing[email]

    admin = user(data.ADMIN_EMAIL, "Demo Administrator", "admin")
    user(data.COMMISSIONER_EMAIL, "Priya Shah", "commissioner")
    count = 2
    for plan in plans:
        for email, name, role in plan.people:
            user(email, name, role)
            count += 1
    session.flush()
    for plan in plans:
        plan.user_ids = []
        for email, _name, role in plan.people:
            account = existing[email]
            plan.user_ids.append(account.id)
            if (account.id, plan.id) not in members:
                session.add(Membership(user_id=account.id, team_id=plan.id, role=role))
                members.add((account.id, plan.id))
    session.flush()
    return admin.id, count


# ---- entries --------------------------------------------------------------------


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` exactly (largest remainder), deterministically."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def generate_entries(rng: random.Random, plans: list[TeamPlan], request_ids: list[int],
                     calendar: RequestCalendar, total: int):
    """Yield each month's entries, oldest first, as stored: (request_id, team_id, logged_by_id,
    occurred_on, minutes, band, duplicated_elsewhere, used, notes, created_at, updated_at), dates as text.

    How often a team logs a request follows its frequency and the team's own weight; within a month
    the day follows the request's calendar (weekly due days, month-end returns, seasons). Each row
    takes four draws: its day, its minutes, who logged it at which band, and the three answers."""
    months = range(len(calendar.months))
    # cells[month] = [(plan, slot in plan.requests, count)]
    cells: list[list[tuple[TeamPlan, int, int]]] = [[] for _ in months]
    # Shares with some noise, split exactly: a million multinomial draws would cost seconds.
    request_weights = [[w * calendar.share_in_window(i) * rng.uniform(0.85, 1.15) for i, w in plan.requests]
                       for plan in plans]
    team_weights = [plan.activity if any(weights) else 0.0 for plan, weights in zip(plans, request_weights)]
    for plan, weights, team_total in zip(plans, request_weights, allocate(total, team_weights)):
        for slot, count in enumerate(allocate(team_total, weights)):
            month_weights = [w * rng.uniform(0.8, 1.2) for w in calendar.month_weights(plan.requests[slot][0])]
            for month, in_month in enumerate(allocate(count, month_weights)):
                if in_month:
                    cells[month].append((plan, slot, in_month))

    answers = [answer_table(spec) for spec in data.REQUESTS]
    tables: dict[tuple[int, int], tuple] = {}  # (team id, slot) -> minutes and who-at-which-band tables
    choices = rng.choices
    for month in months:
        rows = []
        for plan, slot, count in cells[month]:
            index = plan.requests[slot][0]
            if (plan.id, slot) not in tables:
                tables[plan.id, slot] = (minutes_table(data.REQUESTS[index], plan.pace),
                                         logger_band_table(data.REQUESTS[index], plan))
            (minute_values, minute_cum), (who_values, who_cum) = tables[plan.id, slot]
            answer_values, answer_cum = answers[index]
            days, day_cum = calendar.days(month, index)
            request_id, team_id = request_ids[index], plan.id
            rows.extend([
                (request_id, team_id, who[0], day[0], m, who[1], said[0], said[1], said[2], day[1], day[1])
                for day, m, who, said in zip(
                    choices(days, cum_weights=day_cum, k=count),
                    choices(minute_values, cum_weights=minute_cum, k=count),
                    choices(who_values, cum_weights=who_cum, k=count),
                    choices(answer_values, cum_weights=answer_cum, k=count),
                )
            ])
        rows.sort(key=itemgetter(3))  # stable: ids rise with the date, as if logged on the day
        yield rows


def minutes_table(spec: data.DemoRequest, pace: float) -> tuple[list[int], list[float]]:
    """Minutes in steps of 5 (as people log them), triangular over the request's range at the team's pace."""
    lo, mode, hi = (m * pace for m in spec.minutes)
    values, weights = [], []
    for m in range(max(5, 5 * round(lo / 5)), min(MAX_ENTRY_MINUTES, 5 * round(hi / 5)) + 1, 5):
        if m <= mode:
            density = (m - lo) / (mode - lo) if mode > lo else 1.0
        else:
            density = (hi - m) / (hi - mode) if hi > mode else 1.0
        values.append(m)
        weights.append(max(density, 0.0) + 0.01)
    return values, list(accumulate(weights))


def logger_band_table(spec: data.DemoRequest, plan: TeamPlan) -> tuple[list[tuple[int, str]], list[float]]:
    """Who logs it (the lead about a third of the time) at which band (senior asks skew up the team's bands)."""
    people = plan.user_ids
    people_weights = [0.35] + [0.65 / max(1, len(people) - 1)] * (len(people) - 1)
    centre = (len(plan.bands) - 1) / 2
    skew = spec.seniority - 1
    values, weights = [], []
    for person, p_weight in zip(people, people_weights):
        for k, (band, b_weight) in enumerate(plan.bands):
            values.append((person, band))
            weights.append(p_weight * b_weight * 1.8 ** ((k - centre) * skew))
    return values, list(accumulate(weights))


def answer_table(spec: data.DemoRequest) -> tuple[list[tuple[str, str, str]], list[float]]:
    """(duplicated elsewhere, used, notes): the request's own odds, a few notes."""
    duplicated = {"yes": spec.duplicated, "unknown": 0.12, "no": max(0.0, 0.88 - spec.duplicated)}
    used_unknown = 0.25 if spec.used <= 0.75 else 1 - spec.used
    used = {"yes": spec.used, "unknown": used_unknown, "no": max(0.0, 1 - spec.used - used_unknown)}
    notes = {"": 1 - data.NOTE_SHARE, **{n: data.NOTE_SHARE / len(data.NOTES) for n in data.NOTES}}
    values, weights = [], []
    for dup, dup_weight in duplicated.items():
        for use, use_weight in used.items():
            for note, note_weight in notes.items():
                values.append((dup, use, note))
                weights.append(dup_weight * use_weight * note_weight)
    return values, list(accumulate(weights))
