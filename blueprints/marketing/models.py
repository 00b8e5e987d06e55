"""City marketing's records: directory entries, newsletter lists, subscribers, campaigns, news."""
from __future__ import annotations

from tenants.db import TenantModel  # noqa: F401

# --- the traders' directory ----------------------------------------------------

# --- newsletter, campaigns and news --------------------------------------------
