"""The public schema: the town registry, global accounts, memberships, API tokens."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, event, func, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.current import TenantInfo
from tenants.db import BigId, PrimaryKey, TenantAwareSession, Timestamp, db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Tenant(db.Model):
    """A town: its registry entry and where its schema lives."""

    __tablename__ = "tenants"

    id: Mapped[PrimaryKey]
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    plan: Mapped[str] = mapped_column(String(40), default="basis")
    primary_color: Mapped[str] = mapped_column(String(7), default="#0b5394")
    logo_url: Mapped[str | None] = mapped_column(String(500))
    # The tenant tree's revision of this town's schema, written after each
    # migration, so that `tenants list` needs no query per schema.
    schema_revision: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())

    hosts: Mapped[list["TenantHost"]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="TenantHost.host"
    )

    def info(self) -> TenantInfo:
        return TenantInfo.from_row(self, (h.host for h in self.hosts))


class TenantHost(db.Model):
    """A host name that belongs to one town (``--host``)."""

    __tablename__ = "tenant_hosts"

    id: Mapped[PrimaryKey]
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenants.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(253), unique=True)

    tenant: Mapped[Tenant] = relationship(back_populates="hosts")


class RegistryState(db.Model):
    """One row: the registry's version, raised by every change to towns or their hosts."""

    __tablename__ = "registry_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[PrimaryKey]
    version: Mapped[int] = mapped_column(BigId)


REGISTRY_CLASSES = (Tenant, TenantHost)


@event.listens_for(TenantAwareSession, "after_flush")
def _raise_registry_version(session, flush_context):
    """A change to the registry raises its version in the same transaction, so no writer can forget
    it, and every process's snapshot (tenants/registry.py) sees the change once it is committed."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, REGISTRY_CLASSES) for obj in changed):
        state = RegistryState.__table__
        session.connection().execute(update(state).values(version=state.c.version + 1))


class User(UserMixin, db.Model):
    """A global account; what it may do in a town comes from its memberships."""

    __tablename__ = "users"

    id: Mapped[PrimaryKey]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    email_confirmed_at: Mapped[Timestamp | None]
    # When the person agreed to the processing of their data (registration form).
    privacy_consent_at: Mapped[Timestamp | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # Part of the login cookie: raising it logs the account out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())
    last_login_at: Mapped[Timestamp | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The sign-in (LoginSession.id) this object was loaded for or signs in with; not a column.
    login_session_id = None

    def get_id(self) -> str:
        """Flask-Login's id, kept in the session and the remember cookie: account, version, sign-in."""
        return f"{self.id}:{self.session_version}:{self.login_session_id}"

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def role_in(self, tenant_id: int) -> str | None:
        """This account's role in a town, or None without a membership."""
        for membership in self.memberships:
            if membership.tenant_id == tenant_id:
                return membership.role
        return None


class Membership(db.Model):
    """A user's role in one town."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id"),)

    id: Mapped[PrimaryKey]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenants.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())

    user: Mapped[User] = relationship(back_populates="memberships")
    tenant: Mapped[Tenant] = relationship(lazy="joined")


class LoginSession(db.Model):
    """One sign-in on one device: logging out deletes it, so a copied cookie of it signs no one in."""

    __tablename__ = "login_sessions"

    id: Mapped[PrimaryKey]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[PrimaryKey]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())
    last_used_at: Mapped[Timestamp | None]
    revoked_at: Mapped[Timestamp | None]

    user: Mapped[User] = relationship()


