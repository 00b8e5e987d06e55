"""Thin handlers for a town's outbox: list, read, send again."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.mail import services
from blueprints.mail.models import STATUSES
from tenants.access import requires


@requires("town.view")
def outbox():
    status = request.args.get("status")
    status = status if status in STATUSES else None
    return render_template("mail/outbox.html", mails=services.list_mails(status),
                           counts=services.status_counts(), status=status)


@requires("town.view")
def show(mail_id):
    return render_template("mail/show.html", mail=services.get_mail(mail_id) or abort(404))


@requires("town.manage")
def resend(mail_id):
    mail = services.get_mail(mail_id) or abort(404)
    if mail.status == "failed":
        services.resend(mail_id)
        flash(_("Die Mail wird erneut gesendet."), "success")
    else:
        flash(_("Nur fehlgeschlagene Mails können erneut gesendet werden."), "error")
    return redirect(url_for("mail.show", mail_id=mail_id))
