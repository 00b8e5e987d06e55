"""Which mails the SMTP server has accepted, kept in Redis until the database says ``sent``.

A job commits ``sent`` right after the server's ``250 OK``. If the database
cannot take that commit (PostgreSQL restarting, a failover), the mail stays
``queued`` and the job is retried, and without this note it would be sent
again. So the job notes each accepted mail's Message-ID in Redis first (the
worker got the job from Redis, so Redis is there), and a later run that
finds the note records the mail as sent without sending it. Without Redis
jobs run inside the request, are never retried, and need no note.
"""
from __future__ import annotations

import logging

from flask import current_app
from redis.exceptions import RedisError

from tenants.redis_link import redis_connection

log = logging.getLogger(__name__)
# Longer than every retry of a job (MAIL_RETRY_INTERVALS add up to under 2 hours).
KEPT_SECONDS = 7 * 24 * 3600
PREFIX = "quartier:mail-accepted:"


def note_accepted(message_id: str) -> None:
    """Remember that the server accepted ``message_id``; a Redis error only costs the guard."""
    connection = _connection()
    if connection is None:
        return
    try:
        connection.set(PREFIX + message_id, 1, ex=KEPT_SECONDS)
    except RedisError as exc:
        log.warning("Could not note mail %s as accepted: %s", message_id, exc)


def accepted_already(message_ids: list[str]) -> set[str]:
    """Those of ``message_ids`` that a server accepted in an earlier run (one round trip)."""
    connection = _connection()
    if connection is None or not message_ids:
        return set()
    try:
        found = connection.mget([PREFIX + message_id for message_id in message_ids])
    except RedisError as exc:
        log.warning("Could not read which mails were accepted: %s", exc)
        return set()
    return {message_id for message_id, mark in zip(message_ids, found, strict=True) if mark is not None}


def _connection():
    app = current_app._get_current_object()
    return redis_connection(app) if app.config.get("REDIS_URL") else None
