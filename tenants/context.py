"""The one named way into a town from outside a request: ``with tenant_context(town):``.

Commands, jobs, scripts and cross-town pages use it; the request edge sets the
current town itself (tenants.current). Entering and leaving closes the
database session, so nothing loaded in one town is used in another.
"""
from __future__ import annotations

from contextlib import contextmanager

from tenants.current import TenantContextError, TenantInfo, activate, deactivate
from tenants.db import db


@contextmanager
def tenant_context(tenant: TenantInfo):
    """Run the block inside ``tenant``'s schema.

    The database session is closed on entry and on exit, so no transaction or
    loaded object crosses from one town to another. Commit inside the block.
    """
    _close_session(db.session)
    token = activate(tenant)
    try:
        yield tenant
    finally:
        try:
            _close_session(db.session)
        finally:
            deactivate(token)


def _close_session(session):
    if session.new or session.dirty or session.deleted:
        raise TenantContextError(
            "The session has unsaved changes: commit or roll back before entering "
            "or leaving a town's context."
        )
    session.close()
