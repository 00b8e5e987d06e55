"""No account enumeration: reset, new confirmation link and registration answer alike, and as fast,
for known and unknown addresses; the mail still reaches the known address alone (through a worker)."""
from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import delete, func, select

from blueprints.accounts.models import AccountMailRequest
from tenants.db import db
from tests.blueprints.accounts.conftest import registration
from tests.conftest import make_app, unique
from tests.workers import running_worker, wait_for, worker_environment

SAMPLES = 15


def assert_alike(known: float, unknown: float) -> None:
    """Medians within 4 ms (or a quarter, on a busy machine); a known reset used to take twice as long."""
    assert abs(known - unknown) < max(0.004, 0.25 * unknown), (known, unknown)


@pytest.fixture
def queued_app(database_url, fresh_redis, tmp_path):
    """An app whose jobs go to the test Redis (as with a worker in production); limits off."""
    flask_app = make_app(database_url, tmp_path / "queued", REDIS_URL=fresh_redis.url)
    yield flask_app
    with flask_app.app_context():
        # Requests no worker handled here would otherwise keep the next test's worker busy.
        db.session.execute(delete(AccountMailRequest))
        db.session.commit()
        db.engine.dispose()


def timed_post(client, path, data) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.post(path, data=data)
    return time.perf_counter() - started, response


def compare(client, path, known_data, unknown_data) -> tuple[float, float, set]:
    """Median seconds for known and unknown addresses (interleaved), and the answers seen."""
    client.post(path, data=unknown_data())  # warm up: templates, connections
    times, answers = {"known": [], "unknown": []}, set()
    for sample in range(SAMPLES):
        order = ("known", "unknown") if sample % 2 else ("unknown", "known")
        for which in order:
            seconds, response = timed_post(client, path, known_data() if which == "known"
                                           else unknown_data())
            times[which].append(seconds)
            answers.add((response.status_code, response.location))
            client.get("/login")  # read the flash, as a browser would
    return statistics.median(times["known"]), statistics.median(times["unknown"]), answers


def test_a_password_reset_takes_as_long_for_an_unknown_address_and_mails_only_the_known_one(
        queued_app, create_user, database_url, fresh_redis, smtp_server, tmp_path):
    user = create_user()
    strangers = []

    def stranger():
        strangers.append(f"{unique('niemand')}@example.org")
        return {"email": strangers[-1]}

    client = queued_app.test_client()
    known, unknown, answers = compare(client, "/passwort/vergessen", lambda: {"email": user.email},
                                      stranger)
    assert answers == {(302, "/login")}, "the same answer for every address"
    assert_alike(known, unknown)

    environment = worker_environment(database_url, queued_app.instance_path, fresh_redis.url,
                                     smtp_server.url)
    with running_worker(environment, tmp_path / "worker.log"):
        wait_for(lambda: len(smtp_server.messages_to(user.email)) == SAMPLES, timeout=60,
                 message=f"{SAMPLES} reset mails to {user.email}")
        wait_for(lambda: _requests_waiting(queued_app, user.email) == 0, message="every request handled")
    assert not any(smtp_server.messages_to(address) for address in strangers)
    reset = smtp_server.messages_to(user.email)[0]
    assert "/passwort/neu/" in reset.get_body(preferencelist=("plain",)).get_content()


def test_a_new_confirmation_link_takes_as_long_for_an_unknown_address(queued_app, create_user):
    user = create_user(confirmed=False)
    client = queued_app.test_client()
    known, unknown, answers = compare(client, "/konto/bestaetigen-erneut",
                                      lambda: {"email": user.email},
                                      lambda: {"email": f"{unique('niemand')}@example.org"})
    assert answers == {(302, "/login")}
    assert_alike(known, unknown)


def test_registering_a_taken_address_takes_as_long_as_a_new_one(queued_app, create_user):
    taken = create_user()
    client = queued_app.test_client()
    known, unknown, answers = compare(client, "/registrieren", lambda: registration(taken.email),
                                      lambda: registration())
    assert answers == {(302, "/login")}
    # Each answer hashes the password (tens of ms), which varies more than the rest.
    assert 0.8 < known / unknown < 1.25, (known, unknown)


def test_a_request_left_by_a_redis_outage_is_mailed_once_redis_is_back(
        queued_app, create_user, database_url, fresh_redis, smtp_server, tmp_path):
    user = create_user()
    fresh_redis.stop()
    response = queued_app.test_client().post("/passwort/vergessen", data={"email": user.email})
    assert response.status_code == 302
    assert _requests_waiting(queued_app, user.email) == 1, "the request waits in the database"
    fresh_redis.start()
    environment = worker_environment(database_url, queued_app.instance_path, fresh_redis.url,
                                     smtp_server.url)
    with running_worker(environment, tmp_path / "worker.log"):  # its relay queues the request
        wait_for(lambda: smtp_server.messages_to(user.email), timeout=60,
                 message=f"the reset mail to {user.email}")
        wait_for(lambda: _requests_waiting(queued_app, user.email) == 0, message="the request handled")
    time.sleep(1.5)  # a relay run more: nothing is sent twice
    assert len(smtp_server.messages_to(user.email)) == 1


def _requests_waiting(flask_app, email: str) -> int:
    with flask_app.app_context():
        count = db.session.scalar(select(func.count(AccountMailRequest.id))
                                  .where(AccountMailRequest.email == email))
        db.session.remove()
        return count
