from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class PageForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Bitte einen Titel angeben.")),
                                                 Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Length(max=50000)],
                         description=_l("Absätze durch eine Leerzeile trennen."))


class DistrictForm(FlaskForm):
    name = StringField(_l("Name des Stadtteils"),
                       validators=[DataRequired(message=_l("Bitte einen Namen angeben.")), Length(max=200)])
    description = TextAreaField(_l("Beschreibung"), validators=[Length(max=5000)])
