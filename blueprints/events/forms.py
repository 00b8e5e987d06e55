from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, EmailField, IntegerField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from blueprints.events.models import CATEGORIES, REPEATS


class EventForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Bitte einen Titel angeben.")),
                                                 Length(max=200)])
    description = TextAreaField(_l("Beschreibung"), validators=[Length(max=10000)])
    category = SelectField(_l("Kategorie"), choices=list(CATEGORIES.items()))
    day = DateField(_l("Datum"), validators=[DataRequired(message=_l("Bitte ein Datum angeben."))])
    starts = TimeField(_l("Beginn"), validators=[DataRequired(message=_l("Bitte eine Uhrzeit angeben."))])
    ends = TimeField(_l("Ende"), validators=[DataRequired(message=_l("Bitte eine Uhrzeit angeben."))])
    repeat = SelectField(_l("Wiederholung"), choices=[("", _l("einmalig")), *REPEATS.items()],
                         validators=[Optional()])
    until = DateField(_l("Wiederholen bis"), validators=[Optional()])
    unit_id = SelectField(_l("In einer Einheit des Leerstandsregisters"), coerce=int, choices=[],
                          description=_l("Ein Pop-up im leeren Laden verbindet beides."))
    address = StringField(_l("Oder Ort / Adresse"), validators=[Length(max=300)])
    district_id = SelectField(_l("Stadtteil"), coerce=int, choices=[])
    organiser_id = SelectField(_l("Veranstalter:in (aus dem Register der Akteure)"), coerce=int, choices=[])
    capacity = IntegerField(_l("Plätze (leer = unbegrenzt)"), validators=[Optional(), NumberRange(min=1)])
    registration_open = BooleanField(_l("Anmeldung geöffnet"))
    cancelled = BooleanField(_l("Abgesagt"))
    # Not named "image": WTForms would fill it from Event.image when editing.
    image_upload = FileField(_l("Bild (freiwillig; JPEG, PNG oder WebP, höchstens 8 MB)"),
                             description=_l("Es erscheint auf der Seite der Veranstaltung und in der Liste."))
    remove_image = BooleanField(_l("Bild entfernen"))

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("Das Ende liegt nicht nach dem Beginn."))

    def validate_repeat(self, field):
        # On the rule, not on "until": an empty optional field runs no checks of its own.
        if field.data and not self.until.data:
            raise ValidationError(_l("Bitte angeben, bis wann sich der Termin wiederholt."))

    def validate_until(self, field):
        if field.data and self.day.data and field.data < self.day.data:
            raise ValidationError(_l("Das Ende der Serie liegt vor dem ersten Termin."))

    def validate_address(self, field):
        if not (field.data or "").strip() and not self.unit_id.data:
            raise ValidationError(_l("Bitte einen Ort angeben: eine Adresse oder eine Einheit."))


class RegistrationForm(FlaskForm):
    name = StringField(_l("Ihr Name"), validators=[DataRequired(message=_l("Bitte Ihren Namen angeben.")),
                                                   Length(max=200)])
    email = EmailField(_l("Ihre E-Mail-Adresse"), validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")), Length(max=320)])
    consent = BooleanField(_l("Ich bin einverstanden, dass meine Angaben für diese Anmeldung gespeichert werden."),
                           validators=[DataRequired(message=_l("Ohne Ihre Einwilligung können wir Sie nicht anmelden."))])
