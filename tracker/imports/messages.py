"""Saying what an import found: a problem that repeats on many rows once, with the count and the rows,
and the option that fixes what was refused (issue 16).

The command line and the page say the same things with their own words for
the options (`CLI_OPTIONS`, `PAGE_CHOICES`)."""
from __future__ import annotations

from dataclasses import dataclass

from tracker.imports.validate import Checked, Problem

CLI_OPTIONS = {
    "band": "--band BAND",
    "team": "--team NAME",
    "source": '--source NAME (or --map project-is-source)',
    "create_missing": "--create-missing",
    "good_rows_only": "--good-rows-only",
}
PAGE_CHOICES = {
    "band": "choose a staff band for rows without one",
    "team": "choose the team for rows without one",
    "source": "name the source for rows without one, or make the Project the source",
    "create_missing": "add them to the catalogue",
    "good_rows_only": "import only the good rows",
}
SHOWN_RANGES = 8


@dataclass(frozen=True)
class Said:
    rows: list[int]
    column: str
    reason: str
    fix: str

    def line(self, options: dict = CLI_OPTIONS) -> str:
        hint = f" ({options[self.fix]})" if self.fix in options else ""
        if len(self.rows) == 1:
            return f"Row {self.rows[0]}, {self.column}: {self.reason}{hint}"
        return f"{len(self.rows):,} rows ({row_ranges(self.rows)}), {self.column}: {self.reason}{hint}"


def row_ranges(rows: list[int]) -> str:
    """2–5, 9, 12–14 (and a count of the rest past a few ranges)."""
    ranges: list[list[int]] = []
    for row in sorted(set(rows)):
        if ranges and row == ranges[-1][1] + 1:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    text = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in ranges[:SHOWN_RANGES])
    return text + (f" and {len(ranges) - SHOWN_RANGES} more" if len(ranges) > SHOWN_RANGES else "")


def grouped(problems: list[Problem]) -> list[Said]:
    """Each distinct (column, reason) once, with its rows, in the order they first occur."""
    groups: dict[tuple, Said] = {}
    for p in problems:
        key = (p.column, p.reason)
        if key not in groups:
            groups[key] = Said([], p.column, p.reason, p.fix)
        groups[key].rows.append(p.row)
    return sorted(groups.values(), key=lambda s: s.rows[0])


def fixes(checked: Checked) -> dict[str, int]:
    """The options that fix what was refused -> how many rows each would fix, most first."""
    counts: dict[str, set] = {}
    for p in checked.problems:
        if p.fix:
            counts.setdefault(p.fix, set()).add(p.row)
    return {f: len(rows) for f, rows in sorted(counts.items(), key=lambda item: -len(item[1]))}


def closing_hint(checked: Checked, options: dict = CLI_OPTIONS) -> str:
    """What to do next, naming the option that fixes each kind of refusal."""
    wanted = [f"{options[f]} for {n:,} row{'s' if n > 1 else ''}" for f, n in fixes(checked).items()]
    hint = "Nothing was imported: " + ("use " + ", ".join(wanted) if wanted else "fix the rows above")
    if checked.good:
        hint += f"; or {options['good_rows_only']} to import the {len(checked.good):,} good rows now"
    return hint + "."


def quoted(names) -> str:
    """Names listed so one holding a comma ('Admin, Aviki') reads as one name."""
    return ", ".join(f"'{n}'" for n in names)
