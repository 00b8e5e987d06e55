"""Forms of the newsletter, its campaigns and the news (the directory's are in directory_forms.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, HiddenField, RadioField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blueprints.formfields import CheckboxesField, SingleLine
from blueprints.marketing.models import CAMPAIGN_BLOCKS, NEWSLETTER_LISTS


class SubscribeForm(FlaskForm):
    email = EmailField(_l("Ihre E-Mail-Adresse"), validators=[
        DataRequired(message=_l("Bitte Ihre E-Mail-Adresse angeben.")),
        Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")), Length(max=320)])
    lists = CheckboxesField(_l("Newsletter für"), choices=list(NEWSLETTER_LISTS.items()), validators=[
        DataRequired(message=_l("Bitte mindestens ein Thema wählen."))])
    # Its label is the consent wording of the town, set by the view and stored verbatim.
    consent = BooleanField(validators=[DataRequired(message=_l("Ohne Ihre Einwilligung können wir Ihnen "
                                                                  "keinen Newsletter schicken."))])


class CampaignForm(FlaskForm):
    subject = StringField(_l("Betreff"), validators=[
        DataRequired(message=_l("Bitte einen Betreff angeben.")), Length(max=200),
        # A mail header is one line: a break in it would leave every mail of the campaign unsendable.
        SingleLine(_l("Der Betreff darf keine Zeilenumbrüche enthalten."),
                   _l("Der Betreff darf keine Steuerzeichen (etwa Tabulatoren) enthalten."))])
    body = TextAreaField(_l("Text"), validators=[Length(max=20000)], description=_l(
        "Leerzeile = neuer Absatz; **fett**; [Linktext](https://…); Zeilen mit „- “ werden eine Liste."))
    lists = CheckboxesField(_l("An die Listen"), choices=list(NEWSLETTER_LISTS.items()), validators=[
        DataRequired(message=_l("Bitte mindestens eine Liste wählen."))])
    blocks = CheckboxesField(_l("Automatische Blöcke"), choices=list(CAMPAIGN_BLOCKS.items()),
                             validators=[Optional()])


CONFIRMED = "1"


class SendForm(FlaskForm):
    when = RadioField(_l("Wann"), choices=[("now", _l("jetzt senden")), ("later", _l("zu einem Zeitpunkt senden"))],
                      default="now")
    day = DateField(_l("Datum"), validators=[Optional()])
    at = TimeField(_l("Uhrzeit (Ortszeit)"), validators=[Optional()])
    # Set by the confirmation page: the manager has seen to how many addresses it goes.
    confirm = HiddenField()
    recipients = HiddenField()

    def validate_when(self, field):
        # On the choice: an empty optional field runs no checks of its own.
        if field.data == "later" and not (self.day.data and self.at.data):
            raise ValidationError(_l("Bitte Datum und Uhrzeit für den Versand angeben."))

    def confirmed_for(self, recipient_count: int) -> bool:
        """Confirmed on the page that showed this very number of recipients."""
        return self.confirm.data == CONFIRMED and self.recipients.data == str(recipient_count)


class NewsForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Bitte einen Titel angeben.")),
                                                 Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Length(max=5000)], description=_l(
        "Leerzeile = neuer Absatz; **fett**; [Linktext](https://…)."))
    in_next_campaign = BooleanField(_l("Im nächsten Newsletter mitschicken"))
