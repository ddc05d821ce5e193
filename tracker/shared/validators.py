"""WTForms validators shared by every form."""
from __future__ import annotations

import re

from wtforms.validators import StopValidation

# C0 controls except tab, line feed and carriage return, plus DEL and C1 controls:
# they cannot be stored in an .xlsx cell, so text holding them could not be kept exactly.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class PlainText:
    """Refuse invisible control characters (usually pasted by accident). It stops the field's
    other checks, so none of them takes such text to the database (PostgreSQL cannot hold NUL)."""

    message = "Remove the invisible control characters from this text (tabs and line breaks are fine)"

    def __call__(self, form, field):
        if field.data and CONTROL_CHARACTERS.search(str(field.data)):
            raise StopValidation(self.message)


plain_text = PlainText()
