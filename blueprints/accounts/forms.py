from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Das ist keine gültige E-Mail-Adresse."), check_deliverability=False)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(message=_l("Bitte Ihr Passwort angeben."))])
    remember = BooleanField(_l("Angemeldet bleiben"))
    next = HiddenField()
