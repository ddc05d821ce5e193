"""The tracker's own import template: the Entries sheet's input columns, with drop-down
lists (data validation) for team, band and the yes/no answers, and a sheet of guidance."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.imports.formats import FORMATS
from tracker.shared.choices import ANSWERS, BANDS
from tracker.shared.xlsx.formats import DATE
from tracker.shared.xlsx.printing import prepare_for_print, set_print_area

HEADERS = tuple(names[0] for names in FORMATS["tracker"].columns.values() if names[0] != "Email")
ROWS = 5000  # rows the drop-downs cover
PRINTED_ROWS = 25  # empty rows printed under the header: the template on paper is a form to fill in by hand
HEADING = "Reporting burden: entries to import"
WIDTHS = {"Date": 12, "Team": 30, "Source": 30, "Request": 40, "Band": 8, "Minutes": 9,
          "Duplicated elsewhere": 12, "Used": 11, "Notes": 50}


def _text(ws, row: int, column: int, value: str, bold: bool = False):
    """User text as text, never a formula (a team called '=...' stays its name)."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"
    if bold:
        cell.font = Font(name="Calibri", bold=True)  # no name: a spreadsheet application falls back to a serif
    return cell


def template_footer(team_names: list[str]) -> str:
    """Whose template it is, for every printed page's footer."""
    if len(team_names) == 1:
        return f"Import template for {team_names[0]}"
    return f"Import template for {len(team_names)} teams"


def build_template(team_names: list[str], target) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Entries"
    for column, header in enumerate(HEADERS, 1):
        _text(ws, 1, column, header, bold=True)
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = WIDTHS[header]
    ws.freeze_panes = "A2"
    footer = template_footer(team_names)
    prepare_for_print(ws, footer, heading=HEADING)
    ws.print_options.gridLines = True  # the empty rows' cells show on paper
    set_print_area(ws, len(HEADERS), PRINTED_ROWS + 1)
    for row in range(2, ROWS + 2):
        ws.cell(row=row, column=1).number_format = DATE

    lists = wb.create_sheet("Lists")
    for column, (title, values) in enumerate(
        (("Team", team_names), ("Band", list(BANDS)), ("Answer", [label for label in ANSWERS.values()])), 1
    ):
        _text(lists, 1, column, title, bold=True)
        for row, value in enumerate(values, 2):
            _text(lists, row, column, value)
    lists.sheet_state = "hidden"

    def letter(header: str) -> str:
        return ws.cell(row=1, column=HEADERS.index(header) + 1).column_letter

    rules = [("Team", f"=Lists!$A$2:$A${max(2, len(team_names) + 1)}", "Choose one of your teams"),
             ("Band", f"=Lists!$B$2:$B${len(BANDS) + 1}", "Choose a staff band"),
             ("Duplicated elsewhere", f"=Lists!$C$2:$C${len(ANSWERS) + 1}", "Yes, No or Don't know"),
             ("Used", f"=Lists!$C$2:$C${len(ANSWERS) + 1}", "Yes, No or Don't know")]
    for header, source, prompt in rules:
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                                    error=prompt, errorTitle=header, prompt=prompt, promptTitle=header)
        validation.add(f"{letter(header)}2:{letter(header)}{ROWS + 1}")
        ws.add_data_validation(validation)
    minutes = DataValidation(type="whole", operator="between", formula1="1", formula2="14400", allow_blank=True,
                             error="Whole minutes from 1 to 14400", errorTitle="Minutes")
    minutes.add(f"{letter('Minutes')}2:{letter('Minutes')}{ROWS + 1}")
    ws.add_data_validation(minutes)

    guide = wb.create_sheet("How to fill it in")
    for row, line in enumerate((
        "One row per piece of reporting work. Import it on the Import page or with flask --app tracker import.",
        "Date: the day the work was done (a date, YYYY-MM-DD or DD/MM/YYYY).",
        "Team: one of your teams. Leave it blank to choose the team for the whole file when importing.",
        "Source and Request: who asked, and what for, as named in the catalogue (case and spacing do not matter).",
        "Band: the staff band of whoever did the work. Minutes: staff time in whole minutes.",
        "Duplicated elsewhere and Used: Yes, No or Don't know (blank is Don't know).",
        "Importing the same rows again adds nothing.",
    ), 1):
        _text(guide, row, 1, line)
    guide.column_dimensions["A"].width = 110
    prepare_for_print(guide, footer, title_rows=None, heading=HEADING)
    wb.save(target)
