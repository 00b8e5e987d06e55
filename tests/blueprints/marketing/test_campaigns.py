"""Campaigns: the staff's editor, test send, sending now or at a set time exactly once,
delivered/failed counts, and the generated blocks."""
from __future__ import annotations

import re
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from blueprints.events.models import Event
from blueprints.interim_use.models import Application, ApplicationEvent
from blueprints.marketing import campaigns
from blueprints.vacancies import services as vacancies
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.mail.conftest import GatedCollector, delivery, smtp_on, worker  # noqa: F401 (fixtures)
from tests.blueprints.marketing.newsletter_helpers import (campaign_row, confirmed_reader, create_campaign,
                                                          make_due, new_address, send_now)
from tests.conftest import free_port, login, make_app, unique
from tests.workers import wait_for


@pytest.fixture
def visitor(mail_app):
    return mail_app.test_client()


@pytest.fixture
def manager(mail_app, create_user, towns):
    """A client of ``mail_app`` signed in as a manager of town A; (client, user)."""
    client = mail_app.test_client()
    user = create_user(role="manager", town=towns.a)
    login(client, user)
    return client, user


def staff_url(town, path=""):
    return f"/{town.slug}/verwaltung/newsletter/{path}"


def campaign_mails(smtp_server, email) -> list:
    return [m for m in smtp_server.messages_to(email) if m["List-Unsubscribe"]]


SEND_FORM = re.compile(r'<form method="post" action="[^"]*/senden">(.*?)</form>', re.S)
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def confirm_sending(client, page):
    """Press the confirmation page's button: post its form as the browser would."""
    [form] = SEND_FORM.findall(page.text)
    return client.post(page.request.path, data=dict(HIDDEN_INPUT.findall(form)), follow_redirects=True)


def send_confirmed(client, campaign_path, **choice):
    """"Versenden" on the campaign page, then "Ja, …" on the page asking once more."""
    return confirm_sending(client, client.post(campaign_path + "/senden", data=choice))


def recipients_now(app, town, campaign_id) -> int:
    with app.app_context(), tenant_context(town):
        return campaigns.recipient_count(db.session.get(campaigns.Campaign, campaign_id))


def test_a_manager_writes_previews_and_test_sends_a_campaign_only_to_their_own_address(
        mail_app, smtp_server, visitor, manager, towns):
    client, user = manager
    reader = confirmed_reader(visitor, smtp_server, towns.a)
    form = {"subject": "Adventsmarkt", "body": "Am **Samstag** <script>alert(1)</script>",
            "lists": ["residents"], "blocks": []}
    preview = client.post(staff_url(towns.a, "kampagnen/neu"), data={**form, "preview": "1"})
    assert "Vorschau (nicht gespeichert)" in preview.text
    # The preview is the mail's own HTML in a sandboxed frame, escaped twice over.
    assert "&lt;strong&gt;Samstag&lt;/strong&gt;" in preview.text
    assert "&amp;lt;script&amp;gt;" in preview.text and "<script>alert" not in preview.text
    saved = client.post(staff_url(towns.a, "kampagnen/neu"), data=form, follow_redirects=True)
    assert "Gespeichert." in saved.text
    campaign_path = saved.request.path

    response = client.post(campaign_path + "/testversand", follow_redirects=True)
    assert f"Ein Testversand geht an {user.email}" in response.text
    [test_mail] = smtp_server.messages_to(user.email)
    assert test_mail["Subject"] == "[Test] Adventsmarkt"
    assert "<strong>Samstag</strong>" in test_mail.get_body(preferencelist=("html",)).get_content()
    assert campaign_mails(smtp_server, reader) == []
    assert "Entwurf" in client.get(campaign_path).text


def test_send_now_reaches_every_list_once_per_address_and_a_second_click_sends_nothing(
        mail_app, smtp_server, visitor, manager, towns):
    client, _user = manager
    both = confirmed_reader(visitor, smtp_server, towns.a, lists=("residents", "traders"))
    trader = confirmed_reader(visitor, smtp_server, towns.a, lists=("traders",))
    investor = confirmed_reader(visitor, smtp_server, towns.a, lists=("investors",))
    campaign_id = create_campaign(mail_app, towns.a, lists=("residents", "traders"))
    path = staff_url(towns.a, f"kampagnen/{campaign_id}")

    question = client.post(path + "/senden", data={"when": "now"})
    first = confirm_sending(client, question)
    second = confirm_sending(client, question)  # the same confirmation, sent twice

    assert "Die Kampagne geht an" in first.text
    assert "Diese Kampagne ist schon versandt." in second.text
    assert [len(campaign_mails(smtp_server, e)) for e in (both, trader, investor)] == [1, 1, 0]
    page = client.get(path).text
    assert "versandt" in page and 'data-progress-url="' in page and "<progress" in page


def test_delivered_and_failed_are_counted_from_the_mails(database_url, smtp_on, smtp_server, visitor,  # noqa: F811
                                                         create_user, towns, tmp_path):
    readers = [confirmed_reader(visitor, smtp_server, towns.b) for _ in range(3)]
    port = free_port()
    smtp = smtp_on(port, GatedCollector(refuse={readers[1]}))  # an address that no longer exists
    refusing = make_app(database_url, tmp_path / "refusing", MAIL_URL=f"smtp://127.0.0.1:{port}")
    campaign_id = create_campaign(refusing, towns.b)
    assert send_now(refusing, towns.b, campaign_id) >= 3
    client = refusing.test_client()
    login(client, create_user(role="partner", town=towns.b))  # reading is enough to follow it
    page = client.get(staff_url(towns.b, f"kampagnen/{campaign_id}")).text
    assert readers[1] not in [m["To"] for m in smtp.messages]
    progress = campaigns_progress(refusing, towns.b, campaign_id)
    assert progress.failed == 1 and progress.sent == progress.total - 1
    assert f'data-testid="delivered">{progress.sent}<' in page and 'data-testid="failed">1<' in page
    overview = client.get(staff_url(towns.b)).text
    assert campaign_row(refusing, towns.b, campaign_id).subject in overview


def campaigns_progress(app, town, campaign_id):
    with app.app_context(), tenant_context(town):
        return campaigns.progress(campaign_row(app, town, campaign_id))[1]


def test_a_manager_sets_a_time_in_local_time_and_it_is_stored_in_utc(mail_app, manager, towns):
    client, _user = manager
    campaign_id = create_campaign(mail_app, towns.a)
    path = staff_url(towns.a, f"kampagnen/{campaign_id}")
    response = send_confirmed(client, path, when="later", day="2099-07-01", at="10:00")
    assert "Der Versand ist geplant für 01.07.2099 10:00" in response.text
    row = campaign_row(mail_app, towns.a, campaign_id)
    assert row.status == "scheduled"
    assert row.scheduled_at.replace(tzinfo=timezone.utc) == datetime(2099, 7, 1, 8, tzinfo=timezone.utc)
    missing = client.post(path + "/senden", data={"when": "later", "day": "2099-07-01"})
    assert missing.status_code == 422 and "Bitte Datum und Uhrzeit" in missing.text


def test_versenden_first_asks_with_the_number_of_recipients_and_sends_nothing(
        mail_app, smtp_server, visitor, manager, towns):
    client, _user = manager
    readers = [confirmed_reader(visitor, smtp_server, towns.a, lists=("investors",)) for _ in range(2)]
    campaign_id = create_campaign(mail_app, towns.a, lists=("investors",))
    path = staff_url(towns.a, f"kampagnen/{campaign_id}")
    count = recipients_now(mail_app, towns.a, campaign_id)
    assert count >= 2

    question = client.post(path + "/senden", data={"when": "now"})  # a bare POST, no confirmation

    assert question.status_code == 200
    assert f"<h1>An {count} Empfänger:innen senden?</h1>" in question.text
    assert "Investor:innen" in question.text and "sofort" in question.text
    assert "Ja, jetzt senden" in question.text and "Nein, zurück zur Kampagne" in question.text
    assert campaign_row(mail_app, towns.a, campaign_id).status == "draft"
    assert all(campaign_mails(smtp_server, reader) == [] for reader in readers)

    sent = confirm_sending(client, question)
    assert f"Die Kampagne geht an {count} Empfänger:innen." in sent.text
    assert campaign_row(mail_app, towns.a, campaign_id).recipient_count == count
    assert all(len(campaign_mails(smtp_server, reader)) == 1 for reader in readers)


def test_a_confirmation_for_another_number_of_recipients_asks_again_and_sends_nothing(
        mail_app, smtp_server, visitor, manager, towns):
    client, _user = manager
    campaign_id = create_campaign(mail_app, towns.a, lists=("traders",))
    path = staff_url(towns.a, f"kampagnen/{campaign_id}")
    question = client.post(path + "/senden", data={"when": "now"})
    newcomer = confirmed_reader(visitor, smtp_server, towns.a, lists=("traders",))  # joins in between

    asked_again = confirm_sending(client, question)

    count = recipients_now(mail_app, towns.a, campaign_id)
    assert "Die Zahl der Empfänger:innen hat sich geändert" in asked_again.text
    assert f"An {count} Empfänger:in" in asked_again.text
    assert campaign_row(mail_app, towns.a, campaign_id).status == "draft"
    assert campaign_mails(smtp_server, newcomer) == []
    confirm_sending(client, asked_again)
    assert len(campaign_mails(smtp_server, newcomer)) == 1


def test_a_scheduled_send_asks_with_the_time_and_the_count_of_today(mail_app, manager, towns):
    client, _user = manager
    campaign_id = create_campaign(mail_app, towns.a)
    path = staff_url(towns.a, f"kampagnen/{campaign_id}")
    count = recipients_now(mail_app, towns.a, campaign_id)

    question = client.post(path + "/senden", data={"when": "later", "day": "2099-07-01", "at": "10:00"})

    assert f"An {count} Empfänger:in" in question.text
    assert "Mittwoch, 1. Juli 2099, 10:00 (Ortszeit)" in question.text
    assert "Die Kampagne geht an alle, die zum Versandzeitpunkt bestätigt sind." in question.text
    assert "Ja, Versand planen" in question.text
    assert campaign_row(mail_app, towns.a, campaign_id).status == "draft"
    assert "Der Versand ist geplant für 01.07.2099 10:00" in confirm_sending(client, question).text


def test_a_campaign_that_cannot_go_out_is_refused_before_the_question(mail_app, manager, towns):
    client, _user = manager
    campaign_id = create_campaign(mail_app, towns.a)
    path = staff_url(towns.a, f"kampagnen/{campaign_id}")
    past = client.post(path + "/senden", data={"when": "later", "day": "2001-07-01", "at": "10:00"},
                       follow_redirects=True)
    assert "Der Zeitpunkt liegt in der Vergangenheit." in past.text and "senden?" not in past.text
    send_now(mail_app, towns.a, campaign_id)
    again = client.post(path + "/senden", data={"when": "now"}, follow_redirects=True)
    assert "Diese Kampagne ist schon versandt." in again.text and "senden?" not in again.text


def test_a_scheduled_campaign_goes_out_once_however_often_the_runner_runs(mail_app, smtp_server, visitor,
                                                                           towns):
    reader = confirmed_reader(visitor, smtp_server, towns.a)
    due = create_campaign(mail_app, towns.a, subject=unique("Fällig "))
    later = create_campaign(mail_app, towns.a, subject=unique("Später "))
    make_due(mail_app, towns.a, due)
    make_due(mail_app, towns.a, later, minutes_ago=-60)  # an hour ahead

    with mail_app.test_request_context(), tenant_context(towns.a):
        assert campaigns.send_due_campaigns() == 1
        assert campaigns.send_due_campaigns() == 0

    assert [m["Subject"] for m in campaign_mails(smtp_server, reader)].count(campaign_row(
        mail_app, towns.a, due).subject) == 1
    assert campaign_row(mail_app, towns.a, due).status == "sent"
    assert campaign_row(mail_app, towns.a, later).status == "scheduled"


def test_two_runners_at_once_send_a_scheduled_campaign_once(mail_app, smtp_server, visitor, towns):
    readers = [confirmed_reader(visitor, smtp_server, towns.b) for _ in range(3)]
    campaign_id = create_campaign(mail_app, towns.b, subject=unique("Gleichzeitig "))
    make_due(mail_app, towns.b, campaign_id)
    start, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            with mail_app.test_request_context(), tenant_context(towns.b):
                start.wait()
                results.append(campaigns.send_due_campaigns())
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and sorted(results) == [0, 1]
    subject = campaign_row(mail_app, towns.b, campaign_id).subject
    for reader in readers:
        assert [m["Subject"] for m in campaign_mails(smtp_server, reader)].count(subject) == 1


def test_workers_send_a_due_campaign_exactly_once(delivery, worker, smtp_on, smtp_server, visitor,  # noqa: F811
                                                 towns):
    port = free_port()
    smtp = smtp_on(port)
    app, environment = delivery(f"smtp://127.0.0.1:{port}", public_url="http://quartier.test")
    readers = [confirmed_reader(visitor, smtp_server, towns.a) for _ in range(4)]
    campaign_id = create_campaign(app, towns.a, subject=unique("Vom Worker "))
    make_due(app, towns.a, campaign_id)
    with worker(environment), worker(environment):
        wait_for(lambda: campaign_row(app, towns.a, campaign_id).status == "sent", timeout=30)
        wait_for(lambda: len(smtp.messages) >= campaign_row(app, towns.a, campaign_id).recipient_count,
                 timeout=30, message="the campaign's mails")
        time.sleep(3)  # a few more relay turns of both workers: still nothing twice
    subject = campaign_row(app, towns.a, campaign_id).subject
    addressed = [m["To"] for m in smtp.messages if m["Subject"] == subject]
    assert set(readers) <= set(addressed)  # and earlier tests' confirmed readers of the town
    assert len(addressed) == len(set(addressed)) == campaign_row(app, towns.a, campaign_id).recipient_count
    # A long header may be folded onto its next line, which Python keeps as a leading space.
    assert all(m["List-Unsubscribe"].strip().startswith("<http://quartier.test/") for m in smtp.messages)


# --- generated blocks ------------------------------------------------------------------------

def test_the_blocks_show_what_is_ahead_and_new_and_nothing_private(app, towns):
    now = datetime.now(timezone.utc)
    with app.test_request_context(), tenant_context(towns.b):
        title = unique("Lichterfest ")
        db.session.add_all([
            Event(title=title, starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2),
                  address="Markt"),
            Event(title=unique("Abgesagt "), starts_at=now + timedelta(days=4),
                  ends_at=now + timedelta(days=4, hours=1), address="Markt", cancelled=True),
            Event(title=unique("Vorbei "), starts_at=now - timedelta(days=4),
                  ends_at=now - timedelta(days=4, hours=-1), address="Markt")])
        fresh = vacancies.create_unit({"address": unique("Neue Gasse ") + " 4", "publish": "exact",
                                       "area_sqm": Decimal("80")}, status_on=date.today() - timedelta(days=3))
        hidden = vacancies.create_unit({"address": unique("Geheimweg ") + " 1", "publish": "no"})
        old = vacancies.create_unit({"address": unique("Alte Gasse ") + " 2", "publish": "exact"},
                                    status_on=date.today() - timedelta(days=200))
        interim_unit = vacancies.create_unit({"address": unique("Kunstgasse ") + " 7", "publish": "exact"})
        db.session.flush()
        application = Application(status="active", draft_token=unique("t"), applicant_name="Erika Privat",
                                  email="erika.privat@example.org", category="art_culture", unit=interim_unit)
        db.session.add(application)
        db.session.flush()
        db.session.add(ApplicationEvent(application_id=application.id, status="active"))
        db.session.flush()

        blocks = {block.key: block for block in campaigns.build_blocks(["events", "units", "interim_uses"])}
        events = [item.title for item in blocks["events"].items]
        units = [item.title for item in blocks["units"].items]
        [interim] = [item for item in blocks["interim_uses"].items if interim_unit.address in item.detail]
        mail = campaigns.render_parts(campaigns.Campaign(subject="x", body="", blocks=[]),
                                      list(blocks.values()), [])
        db.session.rollback()

    assert title in events and not any(t.startswith(("Abgesagt", "Vorbei")) for t in events)
    assert fresh.address in units
    assert not any(hidden.address in u or old.address in u for u in units)
    assert interim.title == "Kunst und Kultur"
    rendered = repr(mail)
    assert "Erika" not in rendered and "erika.privat" not in rendered
    assert all(f"/{towns.b.slug}/veranstaltungen/" in item.url for item in blocks["events"].items)


def test_the_body_is_escaped_and_only_the_few_marks_become_html():
    from blueprints.marketing.richtext import to_html, to_text

    typed = 'Hallo **Quartier**!\n<img src=x onerror="a()">\n\n- [Programm](https://example.org/p?a=1&b=2)\n- Markt'
    rendered = str(to_html(typed))
    assert "<strong>Quartier</strong>" in rendered and "&lt;img" in rendered and "<img" not in rendered
    assert '<a href="https://example.org/p?a=1&amp;b=2">Programm</a>' in rendered
    assert "<ul><li>" in rendered and rendered.count("<p>") == 1
    assert to_text(typed).splitlines()[3] == "- Programm (https://example.org/p?a=1&b=2)"


def test_a_sent_campaign_can_no_longer_be_edited(mail_app, manager, towns):
    client, _user = manager
    campaign_id = create_campaign(mail_app, towns.a, subject="Schon raus")
    send_now(mail_app, towns.a, campaign_id)
    response = client.post(staff_url(towns.a, f"kampagnen/{campaign_id}/bearbeiten"),
                           data={"subject": "Nachträglich", "lists": ["residents"]}, follow_redirects=True)
    assert "lässt sich nicht mehr ändern" in response.text
    assert campaign_row(mail_app, towns.a, campaign_id).subject == "Schon raus"


def test_a_campaign_to_nobody_confirmed_sends_nothing(mail_app, smtp_server, towns):
    unconfirmed = new_address()
    mail_app.test_client().post(f"/{towns.b.slug}/newsletter",
                                data={"email": unconfirmed, "lists": ["investors"], "consent": "y"})
    campaign_id = create_campaign(mail_app, towns.b, lists=("investors",))
    with mail_app.test_request_context(), tenant_context(towns.b):
        recipients = {email for email, _token, _locale in
                      campaigns.newsletter.confirmed_recipients(["investors"])}
    send_now(mail_app, towns.b, campaign_id)
    assert unconfirmed not in recipients
    assert campaign_mails(smtp_server, unconfirmed) == []
    assert campaign_row(mail_app, towns.b, campaign_id).recipient_count == len(recipients)


def test_a_script_writes_and_sends_a_campaign_in_one_call(mail_app, smtp_server, visitor, towns):
    reader = confirmed_reader(visitor, smtp_server, towns.b, lists=("traders",))
    with mail_app.test_request_context(), tenant_context(towns.b):
        campaign = campaigns.send_new_campaign(unique("Händlerbrief "), "Liebe Händler:innen", ["traders"])
        db.session.commit()
        subject, recipients = campaign.subject, campaign.recipient_count
    assert recipients >= 1
    assert [m["Subject"] for m in campaign_mails(smtp_server, reader)] == [subject]


def test_a_campaign_without_subject_or_list_is_refused_beside_its_fields_and_keeps_the_text(
        mail_app, manager, towns):
    client, _user = manager
    subject = unique("Ohne Liste ")
    refused = client.post(staff_url(towns.a, "kampagnen/neu"),
                          data={"subject": "", "body": "Liebe Leser:innen, der Markt ist offen."})
    assert refused.status_code == 422
    assert "Bitte einen Betreff angeben." in refused.text
    assert "Liebe Leser:innen, der Markt ist offen." in refused.text  # nothing typed is lost
    no_list = client.post(staff_url(towns.a, "kampagnen/neu"), data={"subject": subject, "body": "x"})
    assert no_list.status_code == 422 and "Bitte mindestens eine Liste wählen." in no_list.text
    assert subject not in client.get(staff_url(towns.a)).text  # nothing was saved


@pytest.mark.parametrize("subject", ["Sommerfest\r\nBcc: alle@example.org", "Sommerfest\nam Markt",
                                     "Sommerfest\ram Markt", "Sommerfest\u2028am Markt"])
def test_a_subject_with_a_line_break_is_refused_beside_the_field_and_nothing_is_saved(
        mail_app, manager, towns, subject):
    client, _user = manager
    body = unique("Liebe Leser:innen, ")
    refused = client.post(staff_url(towns.a, "kampagnen/neu"),
                          data={"subject": subject, "body": body, "lists": ["traders"]})
    assert refused.status_code == 422
    assert "Der Betreff darf keine Zeilenumbrüche enthalten." in refused.text
    assert 'id="subject-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert body in refused.text  # nothing typed is lost
    assert re.search(r'<input checked [^>]*value="traders"', refused.text)
    assert body not in client.get(staff_url(towns.a)).text


def test_a_tab_in_a_subject_is_refused_and_a_saved_campaign_keeps_its_subject(mail_app, manager, towns):
    client, _user = manager
    campaign_id = create_campaign(mail_app, towns.a, subject="Vor dem Fest")
    refused = client.post(staff_url(towns.a, f"kampagnen/{campaign_id}/bearbeiten"),
                          data={"subject": "Nach\tdem Fest", "body": "Neu", "lists": ["residents"]})
    assert refused.status_code == 422
    assert "Der Betreff darf keine Steuerzeichen (etwa Tabulatoren) enthalten." in refused.text
    row = campaign_row(mail_app, towns.a, campaign_id)
    assert (row.subject, row.body) == ("Vor dem Fest", "Hallo Quartier!")
