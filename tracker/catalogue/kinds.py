"""Guessing the kind of a source from its name, for a manager who does not know it.

A manager adding a source from the log form rarely knows whether the body is
a regulator or a programme office; the name usually says. The first rule
whose words appear in the name wins; nothing recognised is "other". The
request is then marked "details to confirm", so a commissioner checks it."""
from __future__ import annotations

import re

# (kind, words or abbreviations that name it), most specific first: "NHS England's
# cancer programme" is a programme office before it is a national body.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("programme_office", ("programme", "program", "pmo", "alliance", "network", "transformation", "getting it right first time", "girft")),
    ("regulator", ("care quality commission", "cqc", "regulator", "ofsted", "hse", "health and safety executive",
                   "nursing and midwifery council", "nmc", "general medical council", "gmc", "hcpc", "monitor",
                   "inspectorate", "ombudsman")),
    ("commissioner", ("icb", "integrated care board", "integrated care system", "ics", "ccg", "clinical commissioning",
                      "commissioning", "commissioner")),
    ("local_authority", ("council", "county", "borough", "local authority", "city of", "metropolitan", "la ",
                         "social services", "adult social care", "children's services")),
    ("national_body", ("nhs england", "nhse", "nhs digital", "department of health", "dhsc", "ukhsa", "uk health security",
                       "office for national statistics", "ons", "nice", "national", "nhs improvement", "government",
                       "home office", "ministry", "public health england", "phe")),
    ("internal", ("board", "executive", "committee", "internal", "audit", "directorate", "our trust", "trust board",
                  "governance", "finance team", "performance team")),
)


def _words(text: str) -> str:
    """Lower case, punctuation as spaces, padded so that whole words can be matched."""
    return " " + re.sub(r"[^a-z0-9']+", " ", text.lower()).strip() + " "


def guess_source_kind(name: str) -> str:
    """The kind a source's name suggests, else "other"."""
    words = _words(name or "")
    for kind, clues in RULES:
        if any(_words(clue) in words for clue in clues):
            return kind
    return "other"
