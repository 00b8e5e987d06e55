"""Factories for city marketing: ``create_entry(app, town, **values)`` makes a trader with an entry."""
from __future__ import annotations

import io

from PIL import Image

from blueprints.actors import services as actors
from blueprints.marketing import directory
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique


def create_entry(app, town, *, name=None, email=None, address="Markt 1", published=True,
                 entry_id=None, **values) -> tuple[int, int]:
    """A trader (an actor) and their directory entry in ``town``, committed: (actor id, entry id).

    ``entry_id`` fixes the entry's id (the isolation tests store the same id in two towns).
    """
    with app.app_context(), tenant_context(town):
        actor = actors.save_actor(kind="trader", name=name or unique("Laden "), address=address,
                                  email=email if email is not None else f"{unique('laden')}@example.org")
        db.session.flush()
        entry = directory.create_entry(actor)
        if entry_id is not None:
            entry.id = entry_id
        values.setdefault("category", "retail")
        directory.save_by_staff(entry, values)
        directory.set_published(entry, published)
        db.session.commit()
        return actor.id, entry.id


def png_bytes(color="green", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()
