"""Form fields every module shares: numbers typed the German way, one-line texts."""
from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectMultipleField, widgets
from wtforms.validators import ValidationError

# Where str.splitlines (and so a mail header) breaks a line: CR, LF, VT, FF, FS, GS, RS, NEL, LS, PS.
LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def parse_local_number(text: str) -> Decimal:
    """ "1.234,50", "45,5", "45.5", "480 €", "45 m²" → Decimal; ValueError if not a number."""
    cleaned = text.replace("€", "").replace("m²", "").replace("\u00a0", "").replace(" ", "")
    if "," in cleaned:  # German: dots group thousands, the comma is the decimal point
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


class LocalDecimalField(DecimalField):
    """A DecimalField that also reads "1.234,50" as people in Germany type it."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_local_number(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("„%(value)s“ ist keine Zahl.", value=valuelist[0])) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format(self.data.normalize() if isinstance(self.data, Decimal) else self.data, "f")


class SingleLine:
    """Refuse line breaks and other control characters in a text that must stay one line (a mail subject)."""

    def __init__(self, line_break_message, control_message):
        self.line_break_message, self.control_message = line_break_message, control_message

    def __call__(self, form, field):
        text = field.data or ""
        if any(character in LINE_BREAKS for character in text):
            raise ValidationError(self.line_break_message)
        if any(unicodedata.category(character) == "Cc" for character in text):
            raise ValidationError(self.control_message)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: works without JavaScript and reads well aloud."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def error_summary(form) -> str:
    """All of a form's errors as one flash line: "Label: message. …".

    Messages may be lazy strings (str.join refuses those) and the CSRF field has
    no label a person would know, so it reads as a hint to reload the page."""
    parts = []
    for name, errors in form.errors.items():
        messages = " ".join(str(message) for message in errors)
        if name == "csrf_token":
            parts.append(str(_l("Das Formular ist abgelaufen; bitte laden Sie die Seite neu.")))
        else:
            parts.append(f"{form[name].label.text}: {messages}")
    return " ".join(parts) or str(_l("Die Eingabe ist unvollständig."))
