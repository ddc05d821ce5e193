"""The register of collections into the catalogue (admins and commissioners).

Columns as the published schedules of approved collections have them:
Reference, Title, Owning organisation (the source), Description, Frequency,
Obligation, Status; other columns are ignored. A row matches an existing
request by reference, else by title within its source (the name rule), and
updates it; otherwise a request is created. Owning organisations that are not
sources yet are created only when asked (--create-missing, or the page's
confirm step), their kind guessed from the name as the log form does. Every row is checked first; any bad row means nothing is
written. Changes go through the catalogue's services, audited each."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker import audit
from tracker.catalogue.kinds import guess_source_kind
from tracker.catalogue.services import create_request, create_source, update_with_audit
from tracker.extensions import db
from tracker.importer.commit import ImportRefused, SourceFile
from tracker.importer.formats import UnknownFormat
from tracker.importer.reading import Table
from tracker.importer.sheet import NO_SAVED_VALUE, CellError
from tracker.importer.validate import Problem
from tracker.importer.values import cell_text
from tracker.models.catalogue import Request, Source
from tracker.models.imports import ImportBatch
from tracker.shared.choices import (
    FREQUENCIES, OBLIGATIONS, REFERENCE_MAX, REQUEST_STATUSES, REQUEST_TITLE_MAX, SOURCE_NAME_MAX,
)
from tracker.shared.names import name_key, tidy_name
from tracker.shared.validators import CONTROL_CHARACTERS, PlainText

COLUMNS = {
    "reference": ("Reference", "Ref", "Reference number", "Collection reference", "ID"),
    "title": ("Title", "Collection title", "Collection", "Name"),
    "source": ("Owning organisation", "Owning organization", "Owner", "Organisation", "Organization", "Source"),
    "description": ("Description", "Purpose", "Summary"),
    "frequency": ("Frequency",),
    "obligation": ("Obligation", "Mandatory or voluntary", "Legal basis"),
    "status": ("Status",),
}
LABELS = {name: names[0] for name, names in COLUMNS.items()}
REQUIRED = ("title", "source")
MANAGE_ROLES = ("admin", "commissioner")

_WORDS = {
    "frequency": {**{name_key(label): code for code, label in FREQUENCIES.items()}, **{name_key(code.replace("_", " ")): code for code in FREQUENCIES},
                  "annually": "annual", "yearly": "annual", "twice yearly": "biannual", "twice a year": "biannual",
                  "six monthly": "biannual", "six-monthly": "biannual", "bi-annual": "biannual", "half yearly": "biannual",
                  "biannually": "biannual", "quarter": "quarterly", "month": "monthly", "week": "weekly",
                  "one off": "one_off", "once": "one_off", "adhoc": "ad_hoc", "ad-hoc": "ad_hoc", "as required": "ad_hoc",
                  "two weekly": "fortnightly", "bi-weekly": "fortnightly"},
    "obligation": {**{name_key(label): code for code, label in OBLIGATIONS.items()},
                   "mandatory": "statutory", "required by law": "statutory", "contract": "contractual",
                   "voluntary": "discretionary", "optional": "discretionary"},
    "status": {**{name_key(label): code for code, label in REQUEST_STATUSES.items()},
               "approved": "active", "live": "active", "current": "active", "in review": "under_review",
               "review": "under_review", "withdrawn": "retired", "discontinued": "retired", "archived": "retired",
               "ceased": "retired", "expired": "retired"},
}
DEFAULTS = {"frequency": "ad_hoc", "obligation": "discretionary", "status": "active"}


def may_import(user) -> bool:
    return user is not None and user.active and user.role in MANAGE_ROLES


@dataclass
class RegisterRow:
    row: int
    values: dict  # reference, title, source, description, frequency, obligation, status (None: not given)
    request: Request | None = None  # matched


@dataclass
class RegisterPlan:
    headers: tuple
    columns: dict
    rows_read: int = 0
    creates: list[RegisterRow] = field(default_factory=list)
    updates: list[RegisterRow] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    new_sources: dict = field(default_factory=dict)  # key -> name
    create_missing: bool = False

    @property
    def unknown_columns(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h]

    @property
    def writable(self) -> bool:
        return not self.problems


def _columns(headers) -> dict:
    keys = [name_key(h) for h in headers]
    found = {}
    for name, candidates in COLUMNS.items():
        for candidate in candidates:
            if name_key(candidate) in keys:
                found[name] = keys.index(name_key(candidate))
                break
    missing = [LABELS[n] for n in REQUIRED if n not in found]
    if missing:
        raise UnknownFormat("The register needs the columns " + " and ".join(f"'{m}'" for m in missing)
                            + "; it should have Reference, Title, Owning organisation, Description, Frequency, "
                              "Obligation and Status.")
    return found


def _word(kind: str, text: str) -> str:
    code = _WORDS[kind].get(name_key(text))
    if code is None:
        raise ValueError(f"'{text}' is not a {kind} we know")
    return code


def check_register(table: Table, create_missing: bool = False) -> RegisterPlan:
    plan = RegisterPlan(table.headers, _columns(table.headers), create_missing=create_missing)
    seen_refs: dict[str, int] = {}
    seen_titles: dict[tuple, int] = {}
    sources: dict[str, Source | None] = {}
    for number, raw in table.rows():
        plan.rows_read += 1
        problems: list[Problem] = []
        values: dict = {}
        for name, index in plan.columns.items():
            value = raw[index]
            if value is NO_SAVED_VALUE or isinstance(value, CellError):
                problems.append(Problem(number, table.headers[index], "The cell holds a formula without a saved result or an error"))
                continue
            text = tidy_name(cell_text(value)) if name != "description" else cell_text(value)
            if CONTROL_CHARACTERS.search(text):
                problems.append(Problem(number, table.headers[index], PlainText.message))
                continue
            if name in _WORDS and text:
                try:
                    text = _word(name, text)
                except ValueError as error:
                    problems.append(Problem(number, table.headers[index], str(error)))
                    continue
            values[name] = text or None

        def bad(name, reason):
            problems.append(Problem(number, table.headers[plan.columns[name]] if name in plan.columns else LABELS[name], reason))

        for name, limit in (("title", REQUEST_TITLE_MAX), ("source", SOURCE_NAME_MAX), ("reference", REFERENCE_MAX)):
            if values.get(name) and len(values[name]) > limit:
                bad(name, f"This must be {limit} characters or fewer")
        if not values.get("title"):
            bad("title", "Enter the collection's title")
        if not values.get("source"):
            bad("source", "Enter the owning organisation")
        if values.get("status") == "merged":
            bad("status", "A merged collection needs the one it was merged into: merge it in the catalogue instead")
        reference = values.get("reference")
        if reference:
            if name_key(reference) in seen_refs:
                bad("reference", f"The same reference is on row {seen_refs[name_key(reference)]}")
            seen_refs.setdefault(name_key(reference), number)
        if problems:
            plan.problems.extend(problems)
            continue
        source_key = name_key(values["source"])
        if source_key not in sources:
            sources[source_key] = Source.named(values["source"])
        source = sources[source_key]
        title_key = (source_key, name_key(values["title"]))
        if title_key in seen_titles:
            bad("title", f"The same title from this organisation is on row {seen_titles[title_key]}")
        seen_titles.setdefault(title_key, number)
        request = db.session.scalar(select(Request).where(Request.reference == reference)) if reference else None
        if request is None and source is not None:
            request = Request.titled(source.id, values["title"])
        if source is None and request is None:
            plan.new_sources.setdefault(source_key, values["source"])
            if not create_missing:
                bad("source", f"'{values['source']}' is not a source in the catalogue yet")
        if request is not None and source is not None and request.source_id != source.id and reference:
            clash = Request.titled(source.id, values["title"])
            if clash is not None and clash.id != request.id:
                bad("title", f"'{clash.title}' from {source.name} is already another request")
        if request is not None and source is None:
            bad("source", f"Reference {reference} is {request.title} from {request.source.name}; "
                          f"'{values['source']}' is not a source yet")
        if problems:
            plan.problems.extend(problems)
            continue
        row = RegisterRow(number, values, request)
        if request is None:
            plan.creates.append(row)
        elif _changes(row):
            plan.updates.append(row)
        else:
            plan.unchanged += 1
    plan.problems.sort(key=lambda p: p.row)
    return plan


def _changes(row: RegisterRow) -> dict:
    """What the row would change on its matched request (blank cells change nothing)."""
    request, values = row.request, row.values
    wanted = {
        "reference": values.get("reference"),
        "title": values.get("title"),
        "description": values.get("description"),
        "frequency": values.get("frequency"),
        "obligation": values.get("obligation"),
        "status": values.get("status"),
    }
    changes = {k: v for k, v in wanted.items() if v is not None and getattr(request, k) != v}
    source = Source.named(values["source"])
    if source is not None and source.id != request.source_id:
        changes["source_id"] = source.id
    if "status" in changes:
        changes["merged_into_id"] = None
    if request.details_to_confirm and (values.get("frequency") or values.get("obligation")):
        changes["details_to_confirm"] = False  # the register is the commissioners' own word on them
    return changes


def report_lines(plan: RegisterPlan) -> list[str]:
    lines = ["Columns: " + ", ".join(f"{LABELS[n]} <- {plan.headers[i]}" for n, i in plan.columns.items())]
    if plan.unknown_columns:
        lines.append("Ignored columns: " + ", ".join(plan.unknown_columns))
    if plan.new_sources:
        lines.append("Owning organisations not in the catalogue: " + ", ".join(sorted(plan.new_sources.values())))
    lines += [f"Row {p.row}, {p.column}: {p.reason}" for p in plan.problems]
    lines.append(f"Rows read: {plan.rows_read}; to add: {len(plan.creates)}; to change: {len(plan.updates)}; "
                 f"unchanged: {plan.unchanged}; refused: {len({p.row for p in plan.problems})}")
    if plan.problems:
        lines.append("Nothing was written: fix the rows above and import the file again.")
    return lines


def write_register(plan: RegisterPlan, user, source_file: SourceFile) -> ImportBatch:
    """Apply the plan in the caller's transaction; every change audited."""
    if not plan.writable:
        raise ImportRefused("Some rows have problems, so nothing was written.")
    if user is not None and not may_import(user):
        raise ImportRefused("Only admins and commissioners can import the register of collections.")
    for row in plan.creates:
        values = row.values
        source = Source.named(values["source"]) or create_source(user, values["source"], guess_source_kind(values["source"]))
        request = create_request(user, title=values["title"], source_id=source.id,
                                 frequency=values.get("frequency") or DEFAULTS["frequency"],
                                 obligation=values.get("obligation") or DEFAULTS["obligation"],
                                 description=values.get("description") or "")
        extra = {k: values[k] for k in ("reference", "status") if values.get(k)}
        if extra:
            update_with_audit(user, request, extra)
    for row in plan.updates:
        update_with_audit(user, row.request, _changes(row))
    batch = ImportBatch(kind="catalogue", user_id=getattr(user, "id", None), file_name=source_file.name[:255],
                        sha256=source_file.sha256, size=source_file.size, file_format="register",
                        rows_added=len(plan.creates), rows_updated=len(plan.updates), rows_skipped=plan.unchanged,
                        rows_refused=0)
    db.session.add(batch)
    db.session.flush()
    audit.record(db.session, user, "import", batch, new=audit.snapshot(batch))
    return batch
