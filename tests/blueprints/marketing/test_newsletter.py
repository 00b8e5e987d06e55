"""The newsletter's subscribers: double opt-in, the proof of consent, one-click unsubscribing.

Mails go to a real SMTP server (aiosmtpd) in-process, on PostgreSQL and SQLite.
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.blueprints.marketing.newsletter_helpers import (confirm_path, confirmed_reader, create_campaign,
                                                          new_address, path_of, send_now, subscribe,
                                                          subscriber)

SAME_ANSWER = "Bitte bestätigen Sie Ihre E-Mail-Adresse"


@pytest.fixture
def visitor(mail_app):
    return mail_app.test_client()


def campaign_mails(smtp_server, email) -> list:
    return [m for m in smtp_server.messages_to(email) if m["List-Unsubscribe"]]


def test_only_a_confirmed_address_receives_a_campaign(mail_app, smtp_server, visitor, towns):
    confirmed, unconfirmed = new_address("bestaetigt"), new_address("offen")
    for email in (confirmed, unconfirmed):
        assert SAME_ANSWER in subscribe(visitor, towns.a, email).text
    [confirmation] = smtp_server.messages_to(confirmed)
    assert "bestätigen" in confirmation["Subject"] and confirmation["List-Unsubscribe"] is None
    link = confirm_path(smtp_server, confirmed)
    # A mail scanner opening the link confirms nothing; the button does.
    assert "Ja, Newsletter bestätigen" in visitor.get(link).text
    assert subscriber(mail_app, towns.a, confirmed).status == "pending"
    assert "Sie erhalten jetzt den Newsletter" in visitor.post(link).text
    assert subscriber(mail_app, towns.a, confirmed).status == "confirmed"

    send_now(mail_app, towns.a, create_campaign(mail_app, towns.a, subject="Sommerfest im Quartier"))

    [campaign] = campaign_mails(smtp_server, confirmed)
    assert campaign["Subject"] == "Sommerfest im Quartier"
    assert campaign_mails(smtp_server, unconfirmed) == []
    assert len(smtp_server.messages_to(unconfirmed)) == 1  # the confirmation request, nothing more


def test_the_consent_is_stored_with_the_wording_shown_and_its_times(mail_app, smtp_server, visitor, towns):
    form = visitor.get(f"/{towns.a.slug}/newsletter").text
    shown = html.unescape(re.search(r'<label for="consent">(.*?)</label>', form, re.S).group(1)).strip()
    assert towns.a.name in shown
    email = new_address("einwilligung")
    before = datetime.now(timezone.utc)
    subscribe(visitor, towns.a, email, lists=("traders", "investors"))
    visitor.post(confirm_path(smtp_server, email))

    proofs = subscriber(mail_app, towns.a, email).subscriptions
    assert sorted(p.list_key for p in proofs) == ["investors", "traders"]
    for proof in proofs:
        assert proof.consent_wording == shown
        assert _utc(proof.given_at) >= before - timedelta(seconds=1)
        assert _utc(proof.confirmed_at) >= _utc(proof.given_at)

    unsubscribe_path = f"/{towns.a.slug}/newsletter/abmelden/{subscriber(mail_app, towns.a, email).token}"
    visitor.post(unsubscribe_path)
    kept = subscriber(mail_app, towns.a, email).subscriptions
    assert len(kept) == 2 and all(p.withdrawn_at and p.consent_wording == shown for p in kept)


def test_subscribing_twice_gives_the_same_answer_and_no_second_subscriber(mail_app, smtp_server, visitor,
                                                                           towns):
    email = confirmed_reader(visitor, smtp_server, towns.a)
    mails_before = len(smtp_server.messages_to(email))
    again = subscribe(visitor, towns.a, email.upper())  # the same address, typed differently
    unknown = subscribe(visitor, towns.a, new_address("neu"))
    assert again.status_code == unknown.status_code == 200
    assert _main(again.text) == _main(unknown.text)
    assert len(smtp_server.messages_to(email)) == mails_before  # nothing new to confirm, no mail
    found = subscriber(mail_app, towns.a, email)
    assert found.status == "confirmed" and [p.list_key for p in found.subscriptions] == ["residents"]

    subscribe(visitor, towns.a, email, lists=("residents", "traders"))  # one list more
    assert len(smtp_server.messages_to(email)) == mails_before + 1
    visitor.post(confirm_path(smtp_server, email))
    assert sorted(subscriber(mail_app, towns.a, email).active_lists) == ["residents", "traders"]


def test_a_campaign_mail_unsubscribes_in_one_click_without_session_or_csrf_token(
        mail_app, smtp_server, visitor, towns):
    email = confirmed_reader(visitor, smtp_server, towns.b)
    send_now(mail_app, towns.b, create_campaign(mail_app, towns.b))
    [mail] = campaign_mails(smtp_server, email)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = path_of(mail["List-Unsubscribe"].strip().strip("<>"))  # may be folded: strip the space

    # CSRF protection is on, as in production: other public forms need the token…
    mail_client = mail_app.test_client(csrf=False)  # a mail client: no cookie, no token
    assert subscribe(mail_client, towns.b, new_address()).status_code == 400
    # …the one-click address does not (RFC 8058), and it needs nothing but its body.
    response = mail_client.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert subscriber(mail_app, towns.b, email).status == "unsubscribed"

    send_now(mail_app, towns.b, create_campaign(mail_app, towns.b))
    assert len(campaign_mails(smtp_server, email)) == 1  # never mailed again


def test_the_unsubscribe_page_shows_one_button_and_only_its_post_unsubscribes(mail_app, smtp_server,
                                                                               visitor, towns):
    email = confirmed_reader(visitor, smtp_server, towns.a)
    send_now(mail_app, towns.a, create_campaign(mail_app, towns.a))
    [mail] = campaign_mails(smtp_server, email)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = path_of(re.search(r"Abbestellen: (\S+)", text).group(1))
    page = visitor.get(link).text
    assert page.count("<button") - page.count("Abmelden</button>") == 1  # besides the header's sign-out
    assert email in page and subscriber(mail_app, towns.a, email).status == "confirmed"
    assert "erhält keinen Newsletter" in visitor.post(link).text
    assert subscriber(mail_app, towns.a, email).status == "unsubscribed"


def test_an_unknown_token_is_not_found(visitor, towns):
    assert visitor.get(f"/{towns.a.slug}/newsletter/abmelden/erfunden").status_code == 404
    assert visitor.post(f"/{towns.a.slug}/newsletter/bestaetigen/erfunden").status_code == 404


def test_the_form_explains_what_is_missing(visitor, towns):
    response = visitor.post(f"/{towns.a.slug}/newsletter", data={"email": "kein-at-zeichen"})
    assert response.status_code == 422
    for message in ("gültige E-Mail-Adresse", "mindestens ein Thema", "Ohne Ihre Einwilligung"):
        assert message in response.text


def _main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite: naive UTC
