"""The application's steps: each validates only its own fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from blueprints.formfields import CheckboxesField, LocalDecimalField
from blueprints.interim_use.models import LEGAL_FORMS

CONSENT_WORDING = _l(
    "Ich bin einverstanden, dass das Quartiersmanagement meine Angaben speichert und "
    "verarbeitet, um meine Bewerbung um eine Zwischennutzung zu prüfen, passende Flächen zu "
    "suchen und mit Eigentümer:innen und der Stadt abzustimmen. Ich kann meine Daten jederzeit "
    "herunterladen oder löschen lassen.")
NOT_NEGATIVE = NumberRange(min=0, message=_l("Bitte keine negative Zahl angeben."))


class ApplicantStep(FlaskForm):
    applicant_name = StringField(_l("Ihr Name"), validators=[
        DataRequired(message=_l("Bitte Ihren Namen angeben.")), Length(max=200)])
    organisation = StringField(_l("Organisation oder Projekt (falls vorhanden)"), validators=[Length(max=200)])
    legal_form = SelectField(_l("Rechtsform"), choices=list(LEGAL_FORMS.items()))
    team = TextAreaField(_l("Wer gehört zum Team?"), validators=[Length(max=5000)])
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")), Length(max=320)])
    phone = StringField(_l("Telefon (freiwillig)"), validators=[Length(max=50)])


class ConceptStep(FlaskForm):
    category = SelectField(_l("Art der Nutzung"), choices=[])
    concept = TextAreaField(_l("Ihr Konzept"), validators=[
        DataRequired(message=_l("Bitte beschreiben Sie Ihr Vorhaben.")),
        Length(min=30, max=10000, message=_l("Bitte beschreiben Sie Ihr Vorhaben in mindestens 30 Zeichen."))],
        description=_l("Was möchten Sie anbieten, für wen, und was braucht der Ort dafür?"))


class SpaceStep(FlaskForm):
    area_min_sqm = LocalDecimalField(_l("Fläche mindestens (m²)"), validators=[Optional(), NOT_NEGATIVE])
    area_max_sqm = LocalDecimalField(_l("Fläche höchstens (m²)"), validators=[Optional(), NOT_NEGATIVE])
    budget_eur_month = LocalDecimalField(_l("Budget pro Monat (€)"), validators=[Optional(), NOT_NEGATIVE],
                                         description=_l("Was Sie für Miete und Nebenkosten zahlen können."))
    start_date = DateField(_l("Gewünscht ab"), validators=[Optional()])
    end_date = DateField(_l("Gewünscht bis"), validators=[Optional()])
    features = CheckboxesField(_l("Was braucht die Fläche?"), choices=[])
    district_ids = CheckboxesField(_l("Bevorzugte Stadtteile"), coerce=int, choices=[],
                                   description=_l("Keine Auswahl heißt: jeder Stadtteil."))

    def validate_area_max_sqm(self, field):
        if field.data is not None and self.area_min_sqm.data is not None \
                and field.data < self.area_min_sqm.data:
            raise ValidationError(_l("Die höchste Fläche ist kleiner als die kleinste."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("Das Ende liegt vor dem Beginn."))


class DocumentsStep(FlaskForm):
    document = FileField(_l("Konzept (PDF) oder Bild (JPEG, PNG, WebP), höchstens 10 MB"))
    title = StringField(_l("Bezeichnung"), validators=[Length(max=200)])


class SubmitStep(FlaskForm):
    consent = BooleanField(CONSENT_WORDING, validators=[
        DataRequired(message=_l("Ohne Ihre Einwilligung können wir die Bewerbung nicht bearbeiten."))])


class StepForm(FlaskForm):
    """One step on the application's way; which fields matter depends on the step."""

    to = StringField()
    note = TextAreaField(_l("Anmerkung (geht an die Bewerber:in)"), validators=[Length(max=5000)])
    unit_ids = CheckboxesField(_l("Vorgeschlagene Flächen"), coerce=int, choices=[])
    unit_id = SelectField(_l("Fläche, der die Eigentümer:in zugestimmt hat"), coerce=int, choices=[])
    outcome = SelectField(_l("Ergebnis"), choices=[])


class CloseForm(FlaskForm):
    reason = TextAreaField(_l("Grund"), validators=[
        DataRequired(message=_l("Bitte einen Grund angeben.")), Length(max=5000)])


class AgreementForm(FlaskForm):
    purpose = TextAreaField(_l("Zweck der Nutzung"), validators=[
        DataRequired(message=_l("Bitte den Zweck angeben.")), Length(max=5000)])
    starts_on = DateField(_l("Beginn"), validators=[DataRequired(message=_l("Bitte ein Datum angeben."))])
    ends_on = DateField(_l("Ende"), validators=[DataRequired(message=_l("Bitte ein Datum angeben."))])
    notice_weeks = IntegerField(_l("Kündigungsfrist (Wochen)"), default=4,
                                validators=[NumberRange(min=0, max=52)])
    rent_eur_month = LocalDecimalField(_l("Miete im Monat (€)"), validators=[
        DataRequired(message=_l("Bitte die Miete angeben (0 für mietfrei).")), NOT_NEGATIVE])
    subsidy_eur_month = LocalDecimalField(_l("davon Zuschuss der Stadt im Monat (€)"),
                                          default=0, validators=[Optional(), NOT_NEGATIVE])
    deposit_eur = LocalDecimalField(_l("Kaution (€)"), default=0, validators=[Optional(), NOT_NEGATIVE])
    keys_and_handover = TextAreaField(_l("Schlüssel und Übergabe"), validators=[Length(max=5000)])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Das Ende liegt vor dem Beginn."))

    def validate_subsidy_eur_month(self, field):
        if field.data and self.rent_eur_month.data is not None and field.data > self.rent_eur_month.data:
            raise ValidationError(_l("Der Zuschuss ist höher als die Miete."))


class WeightsForm(FlaskForm):
    """How much each criterion counts when units and applications are matched (0 to 10)."""

    area = IntegerField(_l("Fläche"), validators=[NumberRange(0, 10, message=_l("Bitte 0 bis 10."))])
    budget = IntegerField(_l("Budget"), validators=[NumberRange(0, 10, message=_l("Bitte 0 bis 10."))])
    period = IntegerField(_l("Zeitraum"), validators=[NumberRange(0, 10, message=_l("Bitte 0 bis 10."))])
    features = IntegerField(_l("Ausstattung"), validators=[NumberRange(0, 10, message=_l("Bitte 0 bis 10."))])
    district = IntegerField(_l("Stadtteil"), validators=[NumberRange(0, 10, message=_l("Bitte 0 bis 10."))])


class CallForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Bitte einen Titel angeben.")),
                                                 Length(max=200)])
    description = TextAreaField(_l("Worum geht es?"), validators=[Length(max=10000)])
    eligibility = TextAreaField(_l("Wer kann sich bewerben? (Regeln)"), validators=[Length(max=10000)])
    deadline = DateField(_l("Bewerbungsfrist (einschließlich)"),
                         validators=[DataRequired(message=_l("Bitte eine Frist angeben."))])
    unit_ids = CheckboxesField(_l("Angebotene Flächen"), coerce=int, choices=[])
    criterion_1 = StringField(_l("Kriterium 1"), validators=[Length(max=200)])
    weight_1 = IntegerField(_l("Gewicht 1"), default=1, validators=[Optional(), NumberRange(1, 10)])
    criterion_2 = StringField(_l("Kriterium 2"), validators=[Length(max=200)])
    weight_2 = IntegerField(_l("Gewicht 2"), default=1, validators=[Optional(), NumberRange(1, 10)])
    criterion_3 = StringField(_l("Kriterium 3"), validators=[Length(max=200)])
    weight_3 = IntegerField(_l("Gewicht 3"), default=1, validators=[Optional(), NumberRange(1, 10)])
    jury = TextAreaField(_l("Jury: E-Mail-Adressen der Mitglieder, eine pro Zeile"),
                         description=_l("Kommunale Partner oder weitere Personen mit einem Konto bei Quartier."))

    def validate_criterion_1(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Bitte mindestens ein Kriterium angeben."))

    def criteria(self) -> list[tuple[str, int]]:
        return [(self[f"criterion_{n}"].data.strip(), self[f"weight_{n}"].data or 1)
                for n in (1, 2, 3) if (self[f"criterion_{n}"].data or "").strip()]


class TemplateForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Bitte einen Titel angeben.")),
                                                 Length(max=200)])
    body = TextAreaField(_l("Text der Vereinbarung"), validators=[
        DataRequired(message=_l("Bitte den Text angeben.")), Length(max=50000)],
        description=_l("Platzhalter: {owner} {applicant} {town} {unit} {purpose} {starts_on} {ends_on} "
                       "{notice_weeks} {rent} {subsidy} {deposit} {keys_and_handover}"))
