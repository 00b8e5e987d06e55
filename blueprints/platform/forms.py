from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, URLField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, URL

from tenants.access import ROLES, ROLE_LABELS


class TownForm(FlaskForm):
    name = StringField(_l("Name der Stadt"), validators=[
        DataRequired(message=_l("Bitte einen Namen angeben.")), Length(max=200)])
    primary_color = StringField(_l("Hausfarbe"), validators=[
        DataRequired(message=_l("Bitte eine Farbe angeben.")),
        Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Bitte als #RRGGBB angeben, z. B. #0b5394."))],
        description=_l("Als Hexadezimalwert, z. B. #0b5394. Weiße Schrift muss darauf gut lesbar sein."))
    logo_url = URLField(_l("Logo (Adresse eines Bildes)"), validators=[
        Optional(), URL(message=_l("Bitte eine vollständige Adresse angeben (https://…).")), Length(max=500)])
    plan = StringField(_l("Tarif"), validators=[DataRequired(), Length(max=40)])
    status = SelectField(_l("Status"), choices=[SelectChoice("active", _l("aktiv")),
                                                SelectChoice("suspended", _l("gesperrt"))])


class MembershipForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse des Kontos"), validators=[
        DataRequired(message=_l("Bitte eine E-Mail-Adresse angeben.")),
        Email(message=_l("Das ist keine gültige E-Mail-Adresse."), check_deliverability=False)])
    town = SelectField(_l("Stadt"), choices=[])
    role = SelectField(_l("Rolle"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])
