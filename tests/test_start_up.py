"""Start-up with a missing or unsafe setting: one line naming the setting and why, exit 1.

Each case starts the real entry point (``flask --app wsgi``) in a subprocess
with the environment an operator would have set, as a deployment would.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config import load_settings
from config.settings import DEVELOPMENT_SECRET

STRONG_SECRET = "k" * 40


def start(environment: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "MAIL_URL", "SECRET_KEY", "QUARTIER_ENV",
                          "TENANT_HOST_SUFFIX", "TRUSTED_PROXIES"}}
    env.update(environment)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *(command or ("routes",))],
                          capture_output=True, text=True, env=env, timeout=60)


PRODUCTION = {"QUARTIER_ENV": "production", "SECRET_KEY": STRONG_SECRET}


@pytest.mark.parametrize("environment, named, why", [
    ({"QUARTIER_ENV": "production"}, "SECRET_KEY", "is not set"),
    ({**PRODUCTION, "SECRET_KEY": "kurz"}, "SECRET_KEY", "at least 32"),
    ({**PRODUCTION, "SECRET_KEY": DEVELOPMENT_SECRET}, "SECRET_KEY", "development default"),
    ({"DATABASE_URL": "nonsense"}, "DATABASE_URL", "postgresql/sqlite"),
    ({"DATABASE_URL": "mysql://db.example.de/quartier"}, "DATABASE_URL", "postgresql/sqlite"),
    ({"DATABASE_URL": "postgresql://quartier:geheim@db:port/quartier"}, "DATABASE_URL", "postgresql/sqlite"),
    ({"REDIS_URL": "http://redis.example.de"}, "REDIS_URL", "redis/rediss/unix"),
    ({"MAIL_URL": "mail.example.de"}, "MAIL_URL", "smtp/smtps"),
    ({"TENANT_HOST_SUFFIX": "https://quartier.example.de/"}, "TENANT_HOST_SUFFIX", "not a host name"),
    ({"TRUSTED_PROXIES": "-1"}, "TRUSTED_PROXIES", "0 or more"),
    ({"TRUSTED_PROXIES": "eins"}, "TRUSTED_PROXIES", "not a whole number"),
    ({"QUARTIER_ENV": "prod"}, "QUARTIER_ENV", "not one of"),
])
def test_a_bad_setting_stops_start_up_with_one_line_that_names_it(environment, named, why):
    done = start(environment)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Quartier cannot start: ") and named in line and why in line
    assert "Traceback" not in done.stderr and "geheim" not in done.stderr  # no password in logs


def test_good_settings_start(tmp_path):
    done = start({**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}",
                  "REDIS_URL": "redis://127.0.0.1:6379/15", "TENANT_HOST_SUFFIX": ".quartier.example.de",
                  "TRUSTED_PROXIES": "1", "QUARTIER_INSTANCE_PATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "core.healthz" in done.stdout


def test_trusted_proxies_reach_the_app():
    settings = load_settings({"TRUSTED_PROXIES": "2"})
    assert settings.trusted_proxies == 2 and settings.flask_config()["TRUSTED_PROXIES"] == 2
    assert load_settings({}).trusted_proxies == 0
