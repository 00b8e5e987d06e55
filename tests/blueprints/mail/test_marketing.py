"""Marketing mail carries one-click unsubscribe headers; transactional mail never does."""
import pytest

from blueprints.mail.services import send_mail
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique


def send_in_town(mail_app, town, address, **options):
    with mail_app.test_request_context(), tenant_context(town):
        send_mail(address, "accounts/account_exists", "Neues aus dem Quartier",
                  user=type("Person", (), {"name": "Nora", "email": address}),
                  login_link="http://localhost/login", reset_link="http://localhost/passwort", **options)
        db.session.commit()


def test_a_marketing_mail_has_list_unsubscribe_headers_and_a_footer_link(
        mail_app, smtp_server, towns):
    address = f"{unique('news')}@example.org"
    unsubscribe = f"http://localhost/{towns.a.slug}/newsletter/abmelden/abc123"
    send_in_town(mail_app, towns.a, address, unsubscribe_url=unsubscribe)
    [message] = smtp_server.messages_to(address)
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Abbestellen: {unsubscribe}" in message.get_body(preferencelist=("plain",)).get_content()
    assert f'href="{unsubscribe}"' in message.get_body(preferencelist=("html",)).get_content()


def test_a_transactional_mail_has_no_unsubscribe_header(mail_app, smtp_server, towns):
    address = f"{unique('tx')}@example.org"
    send_in_town(mail_app, towns.b, address)
    [message] = smtp_server.messages_to(address)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "Abbestellen" not in message.get_body(preferencelist=("plain",)).get_content()


def test_marketing_mail_outside_a_town_is_refused(mail_app):
    with mail_app.test_request_context(), pytest.raises(ValueError, match="tenant_context"):
        send_mail("x@example.org", "accounts/account_exists", "Werbung",
                  unsubscribe_url="http://localhost/abmelden", user=None,
                  login_link="", reset_link="")
