from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blueprints.actors.models import ACTOR_KINDS, CONTACT_CHANNELS


class ActorForm(FlaskForm):
    kind = SelectField(_l("Art"), choices=list(ACTOR_KINDS.items()))
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Bitte einen Namen angeben.")),
                                               Length(max=200)])
    contact_person = StringField(_l("Ansprechperson"), validators=[Length(max=200)])
    email = EmailField(_l("E-Mail"), validators=[Optional(), Email(message=_l("Bitte eine gültige E-Mail-Adresse angeben.")),
                                                 Length(max=320)])
    phone = StringField(_l("Telefon"), validators=[Length(max=50)])
    address = StringField(_l("Anschrift"), validators=[Length(max=300)])
    contact_consent_on = DateField(_l("Einwilligung zur Kontaktaufnahme am"), validators=[Optional()],
                                   description=_l("Leer lassen, solange keine Einwilligung vorliegt."))
    notes = TextAreaField(_l("Interne Notizen"), validators=[Length(max=10000)])


class ContactForm(FlaskForm):
    contacted_on = DateField(_l("Datum"), default=date.today,
                             validators=[DataRequired(message=_l("Bitte ein Datum angeben."))])
    channel = SelectField(_l("Weg"), choices=list(CONTACT_CHANNELS.items()))
    content = TextAreaField(_l("Inhalt"), validators=[DataRequired(message=_l("Bitte festhalten, worum es ging.")),
                                                      Length(max=10000)])
    follow_up_on = DateField(_l("Wiedervorlage am"), validators=[Optional()],
                             description=_l("Dann erscheint der Kontakt in den fälligen Wiedervorlagen."))

    def validate_follow_up_on(self, field):
        if field.data and self.contacted_on.data and field.data < self.contacted_on.data:
            raise ValidationError(_l("Die Wiedervorlage liegt vor dem Kontakt."))
