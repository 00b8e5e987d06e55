"""Forms of the traders' directory: the trader's own entry, the staff's, and the public filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, Length, NumberRange, Optional, Regexp, ValidationError

from blueprints.formfields import LocalDecimalField
from blueprints.marketing.models import DIRECTORY_CATEGORIES, WEEKDAYS

HOURS_FIELDS = tuple(f"hours_{index}" for index in range(7))


def _website(value: str | None) -> str | None:
    """People type "www.laden.de": the public link needs the scheme."""
    value = (value or "").strip()
    if value and "://" not in value:
        return "https://" + value
    return value


class TraderEntryForm(FlaskForm):
    """What a trader keeps current through the mailed link."""

    description = TextAreaField(_l("Beschreibung"), validators=[Length(max=3000)],
                                description=_l("Was bieten Sie an? Ein paar Sätze für Ihre Kundschaft."))
    website = StringField(_l("Internetseite"), filters=[_website], validators=[
        Length(max=300), Optional(),
        Regexp(r"^https?://[^\s/]+\.[^\s]+$", message=_l("Bitte eine Internetadresse wie https://www.beispiel.de angeben."))])
    public_email = EmailField(_l("Öffentliche E-Mail-Adresse"), validators=[
        Optional(), Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")), Length(max=320)],
        description=_l("Steht im Verzeichnis. Leer lassen, wenn keine angezeigt werden soll."))
    public_phone = StringField(_l("Öffentliche Telefonnummer"), validators=[Length(max=50)],
                               description=_l("Steht im Verzeichnis. Leer lassen, wenn keine angezeigt werden soll."))
    picture = FileField(_l("Bild (JPEG, PNG oder WebP, höchstens 8 MB)"),
                        description=_l("Zum Beispiel Ihr Schaufenster. Ein neues Bild ersetzt das bisherige."))
    remove_picture = BooleanField(_l("Bisheriges Bild entfernen"))

    def hours_fields(self):
        return [self[name] for name in HOURS_FIELDS]

    def opening_hours(self) -> list[str]:
        return [self[name].data or "" for name in HOURS_FIELDS]

    def uploaded_picture(self):
        """The chosen file, or None when the field was left empty."""
        data = self.picture.data
        return data if data is not None and getattr(data, "filename", "") else None


# One line per weekday, labelled with the day's name.
for _index, _day in enumerate(WEEKDAYS):
    setattr(TraderEntryForm, HOURS_FIELDS[_index], StringField(_day, validators=[
        Length(max=100, message=_l("Bitte höchstens 100 Zeichen je Tag."))]))


class StaffEntryForm(TraderEntryForm):
    """Everything staff set on an entry; publishing has its own button."""

    category = SelectField(_l("Branche"), choices=list(DIRECTORY_CATEGORIES.items()))
    district_id = SelectField(_l("Stadtteil"), coerce=int, choices=[])
    lat = LocalDecimalField(_l("Breitengrad"), validators=[
        Optional(), NumberRange(-90, 90, message=_l("Der Breitengrad liegt zwischen -90 und 90."))],
        description=_l("z. B. 50,7023 – aus einer Karte kopiert; ohne Punkt erscheint der Eintrag nur in der Liste."))
    lon = LocalDecimalField(_l("Längengrad"), validators=[
        Optional(), NumberRange(-180, 180, message=_l("Der Längengrad liegt zwischen -180 und 180."))])

    # Optional() ends a field's checks when it is empty, so each checks the other.
    def validate_lat(self, field):
        if self.lon.data is None and not (self.lon.raw_data and self.lon.raw_data[0].strip()):
            raise ValidationError(_l("Bitte Breiten- und Längengrad zusammen angeben."))

    def validate_lon(self, field):
        if self.lat.data is None and not (self.lat.raw_data and self.lat.raw_data[0].strip()):
            raise ValidationError(_l("Bitte Breiten- und Längengrad zusammen angeben."))


def initial_data(entry) -> dict:
    """The entry's values as the forms name them."""
    hours = (list(entry.opening_hours or []) + [""] * 7)[:7]
    data = {name: hours[index] for index, name in enumerate(HOURS_FIELDS)}
    data.update(description=entry.description, website=entry.website, public_email=entry.public_email,
                public_phone=entry.public_phone, category=entry.category,
                district_id=entry.district_id or 0, lat=entry.lat, lon=entry.lon)
    return data


class DirectoryFilterForm(FlaskForm):
    """The public directory's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    suche = StringField(_l("Suche"), validators=[Optional(), Length(max=100)],
                        description=_l("Name, Straße oder ein Wort aus der Beschreibung"))
    kategorie = SelectField(_l("Branche"), choices=[("", _l("alle")), *DIRECTORY_CATEGORIES.items()],
                            validators=[Optional()])
    stadtteil = SelectField(_l("Stadtteil"), coerce=int, choices=[], validators=[Optional()])
