"""Thin handlers for a town's outbox: list, read, send again; batches and their progress."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from blueprints.mail import services
from blueprints.mail.models import STATUSES
from tenants.access import requires


@requires("town.view")
def outbox():
    status = request.args.get("status")
    status = status if status in STATUSES else None
    return render_template("mail/outbox.html", mails=services.list_mails(status),
                           counts=services.status_counts(), status=status,
                           batches=services.list_batches())


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


@requires("town.view")
def show_batch(batch_id):
    batch, progress = services.get_batch(batch_id) or abort(404)
    return render_template("mail/batch.html", batch=batch, progress=progress,
                           failed=services.failed_mails_of_batch(batch_id))


@requires("town.view")
def batch_progress(batch_id):
    _batch, progress = services.get_batch(batch_id) or abort(404)
    return jsonify(progress.as_json())


@requires("town.manage")
def resend_batch(batch_id):
    services.get_batch(batch_id) or abort(404)
    count = services.resend_batch_failures(batch_id)
    if count:
        flash(ngettext("%(num)d fehlgeschlagene Mail wird erneut gesendet.",
                       "%(num)d fehlgeschlagene Mails werden erneut gesendet.", count), "success")
    else:
        flash(_("Diese Sendung hat keine fehlgeschlagenen Mails."), "error")
    return redirect(url_for("mail.show_batch", batch_id=batch_id))
