"""Staff watch a large send leave: the progress bar follows the outbox without reloading."""
from __future__ import annotations

from email.utils import make_msgid

import pytest
from sqlalchemy import update

from blueprints.mail.models import MailBatch, TownOutboxMail
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import make_app
from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def served_app(live_server, tmp_path):
    """An app on the live server's database, to prepare and change what it serves."""
    application = make_app(live_server.database_url, tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


def waiting_batch(app, size: int) -> int:
    """A batch whose mails wait for a worker (none runs here): a send in progress."""
    with app.app_context():
        town = app.extensions["quartier_registry"].by_slug("stollberg")
        with tenant_context(town):
            batch = MailBatch(label="Newsletter Advent", total=size)
            db.session.add(batch)
            db.session.flush()
            db.session.add_all(TownOutboxMail(
                message_id=make_msgid(domain="quartier.test"), to_address=f"leser{n}@example.org",
                subject="Advent im Quartier", text_body="Hallo", html_body="<p>Hallo</p>",
                status="queued", batch_id=batch.id, batch_part=0) for n in range(size))
            db.session.commit()
            return batch.id


def deliver(app, batch_id: int, status: str, count: int) -> None:
    with app.app_context():
        town = app.extensions["quartier_registry"].by_slug("stollberg")
        with tenant_context(town):
            ids = [mail.id for mail in db.session.query(TownOutboxMail.id).filter_by(
                batch_id=batch_id, status="queued").limit(count)]
            db.session.execute(update(TownOutboxMail).where(TownOutboxMail.id.in_(ids))
                               .values(status=status))
            db.session.commit()


def test_the_progress_bar_follows_a_batch_live_and_is_accessible(page, live_server, served_app):
    batch_id = waiting_batch(served_app, 4)
    path = f"/stollberg/verwaltung/postausgang/sendungen/{batch_id}"
    page.goto(f"/login?next={path}")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.wait_for_url(f"**{path}")
    bar = page.get_by_role("progressbar", name="Fortschritt von Newsletter Advent")
    text = page.locator(".progress-text")
    assert text.inner_text().startswith("0 von 4 erledigt (0 %)")
    violations = axe_violations(page)
    assert not violations, f"axe-core on the batch page:\n{describe(violations)}"

    deliver(served_app, batch_id, "sent", 3)
    page.wait_for_function("() => document.querySelector('.progress-text').textContent.startsWith('3 von 4')")
    assert bar.get_attribute("value") == "3"
    deliver(served_app, batch_id, "failed", 1)
    page.wait_for_function("() => document.querySelector('.progress-text').textContent.startsWith('4 von 4')")
    assert "3 versandt, 1 fehlgeschlagen, 0 wartend" in text.inner_text()
    page.wait_for_selector(".progress[data-finished]", state="attached")  # polling stops
