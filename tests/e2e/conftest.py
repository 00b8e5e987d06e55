"""Browser tests: the real app under gunicorn, Debian's Chromium driven by Playwright.

One server per test session, in its own process, on its own scratch PostgreSQL
database, sending its mail to the session's SMTP server (``smtp_server`` in
tests/conftest.py). Nothing here skips: a missing browser, database or
axe-core fails the run with the fix in the message (CONTRACT.md: fail loudly,
never skip).
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, TEST_DATABASE_URL, free_port, make_app, scratch_postgres_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the networking flags Chromium keeps calling Google's hosts, which
# this closed network refuses (stack-facts.md).
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class Staff:
    email: str
    password: str
    name: str


@dataclass
class LiveServer:
    url: str
    database_url: str
    manager: Staff
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


# --- the served app -----------------------------------------------------------

def prepare_towns(database_url: str, instance_path: Path) -> Staff:
    """Migrate, create Stollberg and Burgstädt and a manager of both, via the services."""
    from flask_migrate import upgrade

    from blueprints.accounts import services as accounts
    from blueprints.town import services as town
    from tenants import services as tenants
    from tenants.context import tenant_context
    from tenants.db import db

    manager = Staff(email="maria.muster@example.org", password=PASSWORD, name="Maria Muster")
    app = make_app(database_url, instance_path)
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        stollberg = tenants.create_tenant("stollberg", "Stollberg")
        burgstaedt = tenants.create_tenant("burgstaedt", "Burgstädt")
        user = accounts.create_user(manager.email, manager.password, manager.name, confirmed=True)
        for slug in ("stollberg", "burgstaedt"):
            accounts.grant_membership(user, tenants.get_tenant(slug), "manager")
        db.session.commit()
        for info, districts in ((stollberg, ("Altstadt", "Bahnhofsviertel")), (burgstaedt, ("Innenstadt",))):
            with tenant_context(info):
                for name in districts:
                    town.create_district(name)
        db.session.remove()
        db.engine.dispose()
    return manager


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_server):
    """Quartier under gunicorn (config/gunicorn.conf.py) on a scratch PostgreSQL database."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    with scratch_postgres_database(TEST_DATABASE_URL, "e2e") as database_url:
        manager = prepare_towns(database_url, instance)
        port = free_port()
        environment = {key: value for key, value in os.environ.items()
                       if key not in {"DATABASE_URL", "REDIS_URL", "MAIL_URL", "TENANT_HOST_SUFFIX",
                                      "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}}
        environment.update({
            "QUARTIER_ENV": "test",
            "QUARTIER_INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "MAIL_URL": smtp_server.url,
            "MAIL_FROM": "quartier@example.org",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "MAP_TILE_URL": "off",  # a closed network: no tile server to ask
        })
        log = instance / "gunicorn.log"
        command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                   "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
        with log.open("wb") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=environment,
                                       stdout=output, stderr=subprocess.STDOUT)
        server = LiveServer(url=f"http://127.0.0.1:{port}", database_url=database_url,
                            manager=manager, log=log)
        try:
            _wait_until_serving(process, server)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(process, server: LiveServer) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}", pytrace=False)
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within {SERVER_START_SECONDS}s:\n"
                f"{server.log_tail()}", pytrace=False)


# --- the browser --------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; never a browser downloaded by Playwright."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `apt-get install -y chromium` "
                    "(make test does so as root) or set CHROMIUM_PATH.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Every page reports what its Content-Security-Policy blocked; a test fails on any of it.
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`));"""


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies), German like most visitors; fails on a CSP violation."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    tab = context.new_page()
    blocked = []
    tab.on("console", lambda message: blocked.append(f"{tab.url}: {message.text}")
           if message.type == "error" and ("CSP violation" in message.text
                                            or "Content Security Policy" in message.text) else None)
    tab.csp_violations = blocked  # a test that provokes one on purpose empties it
    yield tab
    context.close()
    assert not blocked, "The Content-Security-Policy blocked:\n" + "\n".join(blocked)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def sign_in(page, email: str, password: str) -> None:
    """Fill and send the login form the page shows."""
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("main").get_by_role("button", name="Anmelden").click()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page; return the violations of the given impacts."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci` (make test does).",
                    pytrace=False)
    page.evaluate(AXE_SCRIPT.read_text())  # through DevTools: a script tag would meet the CSP
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in result["violations"] if violation["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )
