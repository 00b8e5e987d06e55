from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, EmailField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import (DataRequired, Email, Length, NumberRange, Optional,
                                ValidationError)

from blueprints.formfields import CheckboxesField, LocalDecimalField
from blueprints.vacancies.models import CONDITIONS, PUBLISH, STATUSES, USAGES

NOT_NEGATIVE = NumberRange(min=0, message=_l("Bitte keine negative Zahl angeben."))


def _amount(label, **options):
    return LocalDecimalField(label, places=2, validators=[Optional(), NOT_NEGATIVE],
                        **options)


class UnitForm(FlaskForm):
    """Everything staff keep about a unit; its status changes through StatusForm."""

    reference = StringField(_l("Eigene Objektnummer"), validators=[Length(max=100)],
                            description=_l("Die Nummer aus Ihrer bisherigen Liste; ein erneuter Import aktualisiert darüber."))
    address = StringField(_l("Straße und Hausnummer"), validators=[
        DataRequired(message=_l("Bitte die Adresse angeben.")), Length(max=300)])
    postcode = StringField(_l("PLZ"), validators=[Length(max=10)])
    district_id = SelectField(_l("Stadtteil"), coerce=int, choices=[])
    lat = LocalDecimalField(_l("Breitengrad"), validators=[Optional(), NumberRange(-90, 90, message=_l("Der Breitengrad liegt zwischen -90 und 90."))],
                     description=_l("z. B. 50,7023 – aus einer Karte kopiert"))
    lon = LocalDecimalField(_l("Längengrad"), validators=[Optional(), NumberRange(-180, 180, message=_l("Der Längengrad liegt zwischen -180 und 180."))])
    area_sqm = _amount(_l("Gesamtfläche (m²)"))
    sales_area_sqm = _amount(_l("Verkaufsfläche (m²)"))
    secondary_area_sqm = _amount(_l("Nebenfläche (m²)"))
    frontage_m = _amount(_l("Schaufensterfront (m)"))
    floor = IntegerField(_l("Etage"), default=0, validators=[Optional(), NumberRange(-3, 50)],
                         description=_l("0 = Erdgeschoss, -1 = Untergeschoss"))
    usage = SelectField(_l("Nutzungsart"), choices=list(USAGES.items()))
    condition = SelectField(_l("Zustand"), choices=[("", _l("unbekannt")), *CONDITIONS.items()])
    step_free = BooleanField(_l("Stufenloser Zugang"))
    restrictions = StringField(_l("Einschränkungen"), validators=[Length(max=1000)],
                               description=_l("z. B. „keine Gastronomie“"))
    # For matching interim uses; the choices come from blueprints.interim_use.matching.
    features = CheckboxesField(_l("Ausstattung"), choices=[])
    excluded_categories = CheckboxesField(_l("Ausgeschlossene Nutzungen"), choices=[],
                                          description=_l("Bewerbungen dieser Art passen hier nie."))
    rent_eur_month = _amount(_l("Kaltmiete (€/Monat)"))
    service_charge_eur_month = _amount(_l("Nebenkosten (€/Monat)"))
    available_from = DateField(_l("Verfügbar ab"), validators=[Optional()])
    vacant_since = DateField(_l("Leer seit"), validators=[Optional()])
    owner_id = SelectField(_l("Eigentümer:in"), coerce=int, choices=[],
                           description=_l("Aus dem Register der Akteure."))
    publish = SelectField(_l("Veröffentlichung (Einwilligung der Eigentümer:in)"), choices=list(PUBLISH.items()))
    interim_use_consent = BooleanField(_l("Eigentümer:in ist mit Zwischennutzung einverstanden"))
    endangered = BooleanField(_l("Gefährdet (Frühwarnung)"),
                              description=_l("Noch nicht leer, aber bald: Mietende, Ruhestand …"))
    endangered_reason = StringField(_l("Grund der Gefährdung"), validators=[Length(max=300)])
    description = TextAreaField(_l("Öffentliche Beschreibung"), validators=[Length(max=5000)])
    notes = TextAreaField(_l("Interne Notizen"), validators=[Length(max=10000)],
                          description=_l("Nur für das Team sichtbar, nie öffentlich."))
    tags = StringField(_l("Schlagworte"), validators=[Length(max=500)],
                       description=_l("Durch Kommas getrennt"))

    # Optional() ends a field's checks when it is empty, so each checks the other.
    def validate_lat(self, field):
        if self.lon.data is None and not (self.lon.raw_data and self.lon.raw_data[0].strip()):
            raise ValidationError(_l("Bitte Breiten- und Längengrad zusammen angeben."))

    def validate_lon(self, field):
        if self.lat.data is None and not (self.lat.raw_data and self.lat.raw_data[0].strip()):
            raise ValidationError(_l("Bitte Breiten- und Längengrad zusammen angeben."))

    def validate_sales_area_sqm(self, field):
        if field.data is not None and self.area_sqm.data is not None and field.data > self.area_sqm.data:
            raise ValidationError(_l("Die Verkaufsfläche ist größer als die Gesamtfläche."))


class StatusForm(FlaskForm):
    status = SelectField(_l("Neuer Status"), choices=list(STATUSES.items()))
    changed_on = DateField(_l("Seit"), default=date.today,
                           validators=[DataRequired(message=_l("Bitte ein Datum angeben."))])
    note = StringField(_l("Anmerkung"), validators=[Length(max=300)])

    def validate_changed_on(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("Ein Status gilt ab heute oder früher, nicht in der Zukunft."))


class PhotoForm(FlaskForm):
    photo = FileField(_l("Foto (JPEG, PNG oder WebP, höchstens 8 MB)"),
                      validators=[FileRequired(message=_l("Bitte eine Datei auswählen."))])
    caption = StringField(_l("Bildunterschrift"), validators=[Length(max=200)])


class FloorPlanForm(FlaskForm):
    floor_plan = FileField(_l("Grundriss (PDF, höchstens 10 MB)"),
                           validators=[FileRequired(message=_l("Bitte eine Datei auswählen."))])


class EnquiryForm(FlaskForm):
    name = StringField(_l("Ihr Name"), validators=[DataRequired(message=_l("Bitte Ihren Namen angeben.")), Length(max=200)])
    email = EmailField(_l("Ihre E-Mail-Adresse"), validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")), Length(max=320)])
    phone = StringField(_l("Telefon (freiwillig)"), validators=[Length(max=50)])
    message = TextAreaField(_l("Ihre Nachricht"), validators=[Length(max=5000)],
                            description=_l("Was haben Sie vor? Ab wann?"))
    consent = BooleanField(_l("Ich bin einverstanden, dass das Quartiersmanagement meine Angaben speichert, um mir zu antworten."),
                           validators=[DataRequired(message=_l("Ohne Ihre Einwilligung können wir nicht antworten."))])


class ReportForm(FlaskForm):
    address = StringField(_l("Adresse des Ladens"), validators=[
        DataRequired(message=_l("Bitte die Adresse angeben.")), Length(max=300)])
    note = TextAreaField(_l("Was ist Ihnen aufgefallen?"), validators=[Length(max=5000)])
    photo = FileField(_l("Foto (freiwillig; JPEG, PNG oder WebP)"))
    reporter_name = StringField(_l("Ihr Name (freiwillig)"), validators=[Length(max=200)])
    reporter_email = EmailField(_l("Ihre E-Mail-Adresse (freiwillig, für Rückfragen)"),
                                validators=[Optional(), Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")), Length(max=320)])


class RejectForm(FlaskForm):
    reason = StringField(_l("Grund"), validators=[DataRequired(message=_l("Bitte einen Grund angeben.")), Length(max=300)])


class ImportUploadForm(FlaskForm):
    spreadsheet = FileField(_l("Tabelle (CSV oder XLSX)"),
                            validators=[FileRequired(message=_l("Bitte eine Datei auswählen."))])


class ListingFilterForm(FlaskForm):
    """The public listing's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    district = SelectField(_l("Stadtteil"), coerce=int, choices=[], validators=[Optional()])
    usage = SelectField(_l("Nutzung"), choices=[("", _l("alle")), *USAGES.items()], validators=[Optional()])
    area_min = LocalDecimalField(_l("Fläche ab (m²)"), validators=[Optional(), NOT_NEGATIVE])
    area_max = LocalDecimalField(_l("Fläche bis (m²)"), validators=[Optional(), NOT_NEGATIVE])
    rent_max = LocalDecimalField(_l("Miete bis (€/Monat)"), validators=[Optional(), NOT_NEGATIVE])

    def validate_area_max(self, field):
        if field.data is not None and self.area_min.data is not None and field.data < self.area_min.data:
            raise ValidationError(_l("„Fläche bis“ ist kleiner als „Fläche ab“."))


class ProfileForm(FlaskForm):
    population = IntegerField(_l("Einwohner:innen"), validators=[Optional(), NumberRange(min=0)])
    purchasing_power_index = LocalDecimalField(_l("Kaufkraftindex (Deutschland = 100)"), places=1,
                                          validators=[Optional(), NOT_NEGATIVE])
    anchor_tenants = TextAreaField(_l("Magnetbetriebe"), validators=[Length(max=5000)])
    transport = TextAreaField(_l("Verkehrsanbindung"), validators=[Length(max=5000)])
    parking = TextAreaField(_l("Parken"), validators=[Length(max=5000)])
    contact_name = StringField(_l("Ansprechperson"), validators=[Length(max=200)])
    contact_email = EmailField(_l("E-Mail"), validators=[Optional(), Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben."))])
    contact_phone = StringField(_l("Telefon"), validators=[Length(max=50)])


class FootfallForm(FlaskForm):
    place = StringField(_l("Zählstelle"), validators=[DataRequired(message=_l("Bitte die Zählstelle angeben.")), Length(max=200)])
    counted_on = DateField(_l("Gezählt am"), validators=[DataRequired(message=_l("Bitte ein Datum angeben."))])
    count_per_hour = IntegerField(_l("Passant:innen pro Stunde"), validators=[
        DataRequired(message=_l("Bitte eine Zahl angeben.")), NumberRange(min=0)])


class DownloadForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Bitte einen Titel angeben.")), Length(max=200)])
    document = FileField(_l("Dokument (PDF)"), validators=[FileRequired(message=_l("Bitte eine Datei auswählen."))])
