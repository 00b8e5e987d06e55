from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

PASSWORD_MIN_LENGTH = 10
# argon2 reads the whole password: a cap keeps hashing cheap for huge inputs.
PASSWORD_MAX_LENGTH = 200
LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch", render_kw={"lang": "de"}),
                    SelectChoice("en", "English", render_kw={"lang": "en"})]


def email_field(label=_l("E-Mail-Adresse")):
    return EmailField(label, validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Das ist keine gültige E-Mail-Adresse."), check_deliverability=False),
        Length(max=320, message=_l("Die E-Mail-Adresse ist zu lang."))],
        render_kw={"autocomplete": "email"})


def new_password_field(label=_l("Passwort")):
    return PasswordField(label, validators=[
        DataRequired(message=_l("Bitte ein Passwort angeben.")),
        Length(min=PASSWORD_MIN_LENGTH, message=_l(
            "Das Passwort muss mindestens %(min)d Zeichen lang sein.", min=PASSWORD_MIN_LENGTH)),
        Length(max=PASSWORD_MAX_LENGTH, message=_l(
            "Das Passwort darf höchstens %(max)d Zeichen lang sein.", max=PASSWORD_MAX_LENGTH))],
        description=_l("Mindestens %(min)d Zeichen.", min=PASSWORD_MIN_LENGTH),
        render_kw={"autocomplete": "new-password"})


def repeat_field(of: str):
    return PasswordField(_l("Passwort wiederholen"), validators=[
        DataRequired(message=_l("Bitte das Passwort wiederholen.")),
        EqualTo(of, message=_l("Die beiden Passwörter stimmen nicht überein."))],
        render_kw={"autocomplete": "new-password"})


def name_field():
    return StringField(_l("Name"), validators=[
        DataRequired(message=_l("Bitte Ihren Namen angeben.")),
        Length(max=200, message=_l("Der Name ist zu lang."))],
        render_kw={"autocomplete": "name"})


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Das ist keine gültige E-Mail-Adresse."), check_deliverability=False)],
        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Passwort"), validators=[
        DataRequired(message=_l("Bitte Ihr Passwort angeben."))],
        render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Angemeldet bleiben"))
    next = HiddenField()


class RegistrationForm(FlaskForm):
    email = email_field()
    name = name_field()
    password = new_password_field()
    password_repeat = repeat_field("password")
    consent = BooleanField(
        _l("Ich bin einverstanden, dass Quartier meine Angaben speichert und verarbeitet, "
           "um mein Konto und meine Anträge zu bearbeiten."),
        validators=[DataRequired(message=_l("Ohne Ihre Einwilligung können wir kein Konto anlegen."))])


class EmailForm(FlaskForm):
    """Only an address: resend the confirmation, request a password reset."""

    email = email_field()


class NewPasswordForm(FlaskForm):
    password = new_password_field(_l("Neues Passwort"))
    password_repeat = repeat_field("password")


class TwoFactorCodeForm(FlaskForm):
    code = StringField(_l("Sechsstelliger Code aus Ihrer Authenticator-App"), filters=[
        lambda value: "".join((value or "").split())], validators=[
        DataRequired(message=_l("Bitte den Code angeben.")),
        Regexp(r"^\d{6}$", message=_l("Der Code besteht aus sechs Ziffern."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class ProfileForm(FlaskForm):
    name = name_field()
    locale = SelectField(_l("Sprache"), choices=LANGUAGE_CHOICES)


class TokenForm(FlaskForm):
    token_name = StringField(_l("Wofür ist der Schlüssel?"), validators=[
        DataRequired(message=_l("Bitte einen Namen angeben, an dem Sie den Schlüssel wiedererkennen.")),
        Length(max=100, message=_l("Höchstens 100 Zeichen."))],
        description=_l("Zum Beispiel „Auswertung Stadtverwaltung“."))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Bisheriges Passwort"), validators=[
        DataRequired(message=_l("Bitte Ihr bisheriges Passwort angeben."))],
        render_kw={"autocomplete": "current-password"})
    new_password = new_password_field(_l("Neues Passwort"))
    new_password_repeat = repeat_field("new_password")
