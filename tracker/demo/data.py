"""Vocabularies for the demo: who asks, what they ask for, who answers.

Names are invented but shaped like the real thing (English NHS and council
bodies, Agenda for Change bands), so the dashboards read as they would in use.
Every value here is checked against tracker.shared.choices by tests/demo/test_demo.py."""
from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-burden-2025"
ADMIN_EMAIL = "admin@demo.nhs.uk"
COMMISSIONER_EMAIL = "commissioner@demo.nhs.uk"
# The first team's lead and first manager: fixed addresses, so the README can list one login per role.
LEAD_EMAIL = "lead@demo.nhs.uk"
MANAGER_EMAIL = "manager@demo.nhs.uk"
EMAIL_DOMAIN = "demo.nhs.uk"

# (name, kind from tracker.shared.choices.SOURCE_KINDS)
SOURCES = (
    ("NHS England – North West regional team", "national_body"),
    ("NHS England – national data collections", "national_body"),
    ("Department of Health and Social Care", "national_body"),
    ("UK Health Security Agency", "national_body"),
    ("Care Quality Commission", "regulator"),
    ("Integrated Care Board", "commissioner"),
    ("County council – adult social care", "local_authority"),
    ("Urgent and emergency care programme office", "programme_office"),
    ("Cancer alliance programme office", "programme_office"),
    ("Trust board", "internal"),
    ("Internal audit", "internal"),
    ("Skills for Care", "other"),
    ("Local Healthwatch", "other"),
)

ALL_SECTORS = ("nhs_trust", "commissioner", "primary_care", "local_authority", "social_care", "voluntary")
NHS = ("nhs_trust",)
PROVIDERS = ("nhs_trust", "primary_care", "social_care")
CARE = ("local_authority", "social_care")


@dataclass(frozen=True)
class DemoRequest:
    title: str
    source: str
    frequency: str
    obligation: str
    description: str
    # Minutes one piece of this work takes: least, most usual, most.
    minutes: tuple[int, int, int]
    # Sectors whose teams are plausibly asked for it.
    sectors: tuple[str, ...]
    # 0 = done by admin/analyst grades, 2 = needs a senior manager.
    seniority: int = 1
    # Chance the same data was already supplied to another body / that the team saw it used.
    duplicated: float = 0.25
    used: float = 0.35
    # Months of the year it is asked for (None = all year), e.g. winter sitreps.
    months: tuple[int, ...] | None = None


H = 60  # minutes in an hour, to keep the ranges below readable
WINTER = (11, 12, 1, 2, 3)

REQUESTS = (
    # NHS England regional team
    DemoRequest("Weekly winter sitrep", "NHS England – North West regional team", "weekly", "contractual",
                "Beds, escalation level, ambulance handovers and discharge delays for the winter period.",
                (30, 45, 90), ("nhs_trust", "commissioner"), 1, 0.55, 0.30, WINTER),
    DemoRequest("Monthly performance return", "NHS England – North West regional team", "monthly", "contractual",
                "Constitutional standards: A&E four hours, RTT, diagnostics, cancer.",
                (60, 120, 240), ("nhs_trust", "commissioner"), 1, 0.45, 0.40),
    DemoRequest("Elective recovery weekly tracker", "NHS England – North West regional team", "weekly", "contractual",
                "Long waiters, validation progress and activity against plan.",
                (20, 40, 75), ("nhs_trust",), 0, 0.50, 0.30),
    DemoRequest("Ad hoc information request: workforce", "NHS England – North West regional team",
                "ad_hoc", "discretionary",
                "Vacancies, agency spend and sickness for a regional briefing.",
                (60, 150, 480), ("nhs_trust", "commissioner", "primary_care"), 1, 0.40, 0.15),
    DemoRequest("Operational plan submission", "NHS England – North West regional team", "annual", "contractual",
                "Activity, workforce and finance plan templates for the coming year.",
                (10 * H, 18 * H, 40 * H), ("nhs_trust", "commissioner"), 2, 0.30, 0.55, (2, 3)),
    DemoRequest("Monthly primary care access return", "NHS England – North West regional team",
                "monthly", "contractual",
                "Appointments offered and delivered, and online access.",
                (30, 60, 120), ("primary_care",), 0, 0.35, 0.25),
    # National data collections
    DemoRequest("Annual data security return", "NHS England – national data collections", "annual", "contractual",
                "Data Security and Protection Toolkit assertions and evidence.",
                (8 * H, 14 * H, 24 * H), ALL_SECTORS, 1, 0.20, 0.30, (5, 6)),
    DemoRequest("Community services data set submission", "NHS England – national data collections",
                "monthly", "statutory",
                "Monthly CSDS extract, validation and resubmission of rejected records.",
                (60, 150, 300), ("nhs_trust",), 0, 0.30, 0.20),
    DemoRequest("Monthly workforce statistics return", "NHS England – national data collections",
                "monthly", "contractual",
                "Staff in post, turnover and vacancies.",
                (45, 90, 180), ("nhs_trust", "primary_care"), 0, 0.60, 0.20),
    # DHSC
    DemoRequest("Capacity tracker update", "Department of Health and Social Care", "weekly", "contractual",
                "Vacancies, staffing and visiting status for care providers.",
                (15, 30, 60), ("social_care", "local_authority"), 0, 0.45, 0.20),
    DemoRequest("Adult social care discharge fund return", "Department of Health and Social Care",
                "fortnightly", "contractual",
                "Spend and activity funded by the discharge fund.",
                (30, 75, 150), ("local_authority", "commissioner"), 1, 0.50, 0.30),
    # UKHSA
    DemoRequest("Healthcare associated infection return", "UK Health Security Agency", "monthly", "statutory",
                "Mandatory surveillance of MRSA, MSSA, E. coli and C. difficile cases.",
                (30, 60, 120), ("nhs_trust",), 0, 0.20, 0.50),
    DemoRequest("Outbreak information request", "UK Health Security Agency", "ad_hoc", "statutory",
                "Case lists and control measures for a suspected outbreak.",
                (30, 90, 240), ("nhs_trust", "social_care", "primary_care"), 1, 0.15, 0.60),
    # CQC
    DemoRequest("Provider information return", "Care Quality Commission", "annual", "statutory",
                "Evidence of how the service is safe, effective, caring, responsive and well led.",
                (6 * H, 10 * H, 20 * H), PROVIDERS, 2, 0.45, 0.40, (4, 5, 6, 7, 8, 9)),
    DemoRequest("Statutory notification", "Care Quality Commission", "ad_hoc", "statutory",
                "Notifications of deaths, serious injuries, abuse allegations and events.",
                (20, 35, 60), ("social_care", "nhs_trust"), 0, 0.30, 0.45),
    DemoRequest("Assessment evidence request", "Care Quality Commission", "ad_hoc", "statutory",
                "Documents and data asked for ahead of an assessment.",
                (4 * H, 8 * H, 16 * H), PROVIDERS, 2, 0.55, 0.55),
    DemoRequest("Quarterly engagement meeting pack", "Care Quality Commission", "quarterly", "discretionary",
                "Performance and quality pack for the relationship owner.",
                (2 * H, 3 * H, 6 * H), ("nhs_trust",), 2, 0.70, 0.30),
    # ICB
    DemoRequest("Monthly contract monitoring return", "Integrated Care Board", "monthly", "contractual",
                "Activity, KPIs and quality indicators under the NHS Standard Contract.",
                (60, 120, 240), ("nhs_trust", "primary_care", "voluntary"), 1, 0.55, 0.30),
    DemoRequest("Quarterly assurance report", "Integrated Care Board", "quarterly", "contractual",
                "Narrative and data on performance, risks and recovery actions.",
                (4 * H, 8 * H, 15 * H), ("nhs_trust", "commissioner", "primary_care", "voluntary"), 2, 0.60, 0.35),
    DemoRequest("Quality schedule evidence", "Integrated Care Board", "quarterly", "contractual",
                "Evidence for each quality schedule requirement of the contract.",
                (3 * H, 5 * H, 10 * H), ("nhs_trust", "primary_care"), 1, 0.50, 0.25),
    DemoRequest("Ad hoc information request: waiting lists", "Integrated Care Board", "ad_hoc", "discretionary",
                "Waiting-list breakdowns for a system meeting or a councillor's question.",
                (60, 120, 360), ("nhs_trust", "commissioner"), 1, 0.65, 0.20),
    DemoRequest("Discharge support weekly return", "Integrated Care Board", "weekly", "contractual",
                "People helped home from hospital, waits for support and reasons for delay.",
                (20, 35, 60), ("voluntary", "social_care"), 0, 0.60, 0.25),
    DemoRequest("System flow weekly dashboard", "Integrated Care Board", "weekly", "discretionary",
                "Discharge delays and patients with no criteria to reside.",
                (30, 50, 90), ("nhs_trust", "local_authority", "commissioner", "social_care"), 0, 0.70, 0.25),
    # County council
    DemoRequest("Monthly care market return", "County council – adult social care", "monthly", "contractual",
                "Placements, fees, vacancies and provider failures.",
                (60, 90, 180), CARE, 1, 0.40, 0.30),
    DemoRequest("Safeguarding adults collection", "County council – adult social care", "annual", "statutory",
                "Safeguarding enquiries, outcomes and risk.",
                (8 * H, 15 * H, 30 * H), ("local_authority",), 1, 0.20, 0.50, (4, 5, 6)),
    DemoRequest("Short and long term support return", "County council – adult social care", "annual", "statutory",
                "Requests for support, reablement outcomes and long-term care.",
                (10 * H, 20 * H, 40 * H), ("local_authority",), 1, 0.25, 0.45, (4, 5, 6)),
    DemoRequest("Grant monitoring report", "County council – adult social care", "quarterly", "contractual",
                "Outputs, outcomes and case studies for the council's grant.",
                (2 * H, 4 * H, 8 * H), ("voluntary",), 1, 0.40, 0.35),
    DemoRequest("Voluntary sector activity monitoring return", "County council – adult social care",
                "monthly", "contractual",
                "Referrals, people supported, volunteer hours and outcomes under the service agreement.",
                (45, 75, 180), ("voluntary",), 0, 0.35, 0.25),
    DemoRequest("Social value report", "County council – adult social care", "annual", "discretionary",
                "Social value delivered under council contracts, with case studies.",
                (3 * H, 5 * H, 10 * H), ("voluntary", "social_care"), 1, 0.50, 0.20, (6, 7)),
    DemoRequest("Ad hoc information request: care home capacity", "County council – adult social care",
                "ad_hoc", "discretionary",
                "Beds available today and staffing pressures.",
                (20, 45, 180), ("social_care", "local_authority", "voluntary"), 0, 0.75, 0.20),
    # Programme offices
    DemoRequest("Weekly UEC programme highlight report", "Urgent and emergency care programme office",
                "weekly", "discretionary",
                "Progress, risks and issues against the urgent and emergency care plan.",
                (30, 45, 90), ("nhs_trust", "commissioner", "primary_care"), 1, 0.60, 0.20),
    DemoRequest("Monthly ambulance handover return", "Urgent and emergency care programme office",
                "monthly", "discretionary",
                "Handover delays over 30 and 60 minutes, with actions.",
                (60, 90, 180), ("nhs_trust",), 0, 0.80, 0.25),
    DemoRequest("Winter plan self-assessment", "Urgent and emergency care programme office", "annual", "discretionary",
                "Self-assessment of readiness against the winter letter.",
                (4 * H, 6 * H, 12 * H), ("nhs_trust", "commissioner", "local_authority"), 2, 0.45, 0.30, (9, 10)),
    DemoRequest("Faster diagnosis standard improvement return", "Cancer alliance programme office",
                "fortnightly", "discretionary",
                "Pathway milestones and breach reasons for the 28-day standard.",
                (30, 60, 120), ("nhs_trust",), 1, 0.55, 0.35),
    # Own board and audit
    DemoRequest("Integrated performance report", "Trust board", "monthly", "discretionary",
                "The board's monthly report on performance, quality, workforce and finance.",
                (3 * H, 5 * H, 8 * H), ("nhs_trust",), 2, 0.75, 0.55),
    DemoRequest("Board assurance framework update", "Trust board", "quarterly", "discretionary",
                "Strategic risks, controls and assurances.",
                (2 * H, 3 * H, 6 * H), ("nhs_trust",), 2, 0.35, 0.45),
    DemoRequest("Quality and safety committee report", "Trust board", "monthly", "discretionary",
                "Incidents, complaints, harm-free care and learning.",
                (2 * H, 3 * H, 5 * H), ("nhs_trust",), 2, 0.50, 0.50),
    DemoRequest("Annual report contribution", "Trust board", "annual", "discretionary",
                "The service's section of the annual report and quality account.",
                (4 * H, 6 * H, 12 * H), ("nhs_trust", "commissioner"), 2, 0.60, 0.40, (4, 5)),
    DemoRequest("Internal audit evidence request", "Internal audit", "ad_hoc", "discretionary",
                "Samples and evidence for an audit of a process or control.",
                (60, 180, 480), ALL_SECTORS, 1, 0.25, 0.45),
    # Others
    DemoRequest("Workforce data set update", "Skills for Care", "biannual", "contractual",
                "Staff records in the Adult Social Care Workforce Data Set.",
                (2 * H, 3 * H, 6 * H), ("social_care", "local_authority", "voluntary"), 0, 0.40, 0.25, (3, 9)),
    DemoRequest("Enter and view follow-up information", "Local Healthwatch", "one_off", "discretionary",
                "Responses to the recommendations of an enter-and-view visit.",
                (60, 150, 300), ("social_care", "nhs_trust", "primary_care"), 1, 0.20, 0.40),
    DemoRequest("Carer and patient experience survey results", "Local Healthwatch", "biannual", "discretionary",
                "Survey returns and the service's response to themes raised.",
                (90, 180, 360), ("voluntary", "primary_care", "commissioner"), 1, 0.30, 0.40),
)

# Requests a commissioner has already put under review, so the workspace pages have something to show.
UNDER_REVIEW = ("System flow weekly dashboard", "Monthly ambulance handover return")

# Weekday each weekly return is due (0 = Monday); other weekly work spreads over the week.
WEEKLY_DUE_DAY = {
    "Weekly winter sitrep": 3,
    "Elective recovery weekly tracker": 0,
    "Capacity tracker update": 2,
    "System flow weekly dashboard": 0,
    "Weekly UEC programme highlight report": 4,
}

PLACES = (
    "Northshire", "Eastshire", "Wealdshire", "Fenmouth", "Ashworth", "Brackenfield", "Calder Vale",
    "Dunmere", "Elmstead", "Fairhaven", "Greystone", "Harrowby", "Ironbridge Vale", "Kestrel Bay",
    "Lowmoor", "Millbrook", "Netherby", "Oakhampton", "Pendlewood", "Queensferry", "Ravensworth",
    "Saltash Cross", "Thornbury Fields", "Upperdale", "Westmoor", "Yarrowfield", "Ambleside Rise",
    "Birchwood", "Coldharbour", "Deepdale",
)

# Organisation name patterns by sector ("{place}" filled in).
ORGANISATIONS = {
    "nhs_trust": (
        "{place} Teaching Hospitals NHS Foundation Trust",
        "{place} Community Health NHS Trust",
        "{place} and District Hospitals NHS Trust",
        "{place} Mental Health NHS Foundation Trust",
    ),
    "commissioner": ("{place} Integrated Care Board",),
    "primary_care": ("{place} Primary Care Network", "{place} Health Centre", "{place} Medical Practice"),
    "local_authority": ("{place} County Council", "{place} Borough Council", "{place} Metropolitan Borough Council"),
    "social_care": ("{place} Care Homes Ltd", "{place} Home Care Services", "{place} Residential Care Trust"),
    "voluntary": ("{place} Carers' Centre", "Age Concern {place}", "{place} Mind", "{place} Community Transport"),
}

# What the teams do, by sector.
TEAM_FUNCTIONS = {
    "nhs_trust": (
        "Emergency Department", "Patient Flow", "Community Nursing", "Performance and Information",
        "Elective Access", "Cancer Services", "Discharge Hub", "Maternity Services",
        "Urgent Community Response", "Adult Mental Health", "Theatres and Anaesthetics", "Infection Prevention",
    ),
    "commissioner": (
        "Performance Assurance", "Contracting and Procurement", "Quality and Nursing", "Place Partnership",
        "Urgent Care Commissioning",
    ),
    "primary_care": ("Practice Management", "PCN Operations", "Enhanced Access", "Care Coordination"),
    "local_authority": (
        "Adult Social Care Commissioning", "Brokerage", "Safeguarding Adults", "Hospital Social Work",
        "Reablement Service",
    ),
    "social_care": ("Care Home Management", "Domiciliary Care", "Supported Living", "Reablement"),
    "voluntary": ("Carers Support", "Hospital Discharge Support", "Community Wellbeing", "Volunteer Services"),
}

# Share of teams by sector beyond the first one of each.
SECTOR_WEIGHTS = {
    "nhs_trust": 40, "commissioner": 12, "primary_care": 15, "local_authority": 15, "social_care": 10, "voluntary": 8,
}

# The bands that do the reporting in each sector, least senior first.
SECTOR_BANDS = {
    "nhs_trust": ("4", "5", "6", "7", "8a", "8b", "8c"),
    "commissioner": ("5", "6", "7", "8a", "8b", "8c", "8d"),
    "primary_care": ("3", "4", "5", "6", "7", "8a"),
    "local_authority": ("4", "5", "6", "7", "8a", "8b", "other"),
    "social_care": ("3", "4", "5", "6", "7", "other"),
    "voluntary": ("3", "4", "5", "6", "other"),
}

FIRST_NAMES = (
    "Aisha", "Alex", "Amelia", "Andrew", "Anita", "Ben", "Bethan", "Callum", "Chloe", "Chris", "Claire",
    "Daniel", "Deepa", "Eleanor", "Emma", "Farah", "Fiona", "Gareth", "Grace", "Hannah", "Harpreet", "Ian",
    "Imran", "Jack", "James", "Jo", "Joanne", "Karen", "Kwame", "Laura", "Liam", "Lucy", "Mark", "Megan",
    "Mohammed", "Naomi", "Nia", "Oliver", "Owen", "Paul", "Priya", "Rachel", "Rhys", "Ruth", "Sam", "Sarah",
    "Sean", "Sophie", "Tariq", "Tom", "Victoria", "Wei", "Yasmin", "Zoe",
)

LAST_NAMES = (
    "Adams", "Ahmed", "Ali", "Baker", "Begum", "Bennett", "Brown", "Campbell", "Chen", "Clarke", "Davies",
    "Edwards", "Evans", "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Jones", "Kaur",
    "Khan", "Lewis", "Martin", "Mensah", "Morgan", "Murphy", "Nowak", "O'Brien", "Okafor", "Patel", "Phillips",
    "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker",
    "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
)

# What people type in the notes box, when they type anything (no tabs, newlines or backslashes).
NOTES = (
    "Resubmitted after validation errors from the portal.",
    "Deadline brought forward by two days.",
    "Had to chase three services for their figures.",
    "Template changed again this month; rebuilt the spreadsheet.",
    "Same figures as the ICB return, different format.",
    "Data pulled manually because the report server was down.",
    "Clarification requested on the definitions.",
    "Covered for a colleague on leave.",
    "Asked for at short notice for a ministerial briefing.",
    "Narrative needed sign-off from the director.",
    "Numbers reconciled with finance before sending.",
    "Late request; other work pushed back.",
    "No feedback received on last quarter's submission.",
    "Portal timed out twice; re-entered the data.",
    "Extra breakdown by ethnicity asked for this time.",
)
NOTE_SHARE = 0.06
