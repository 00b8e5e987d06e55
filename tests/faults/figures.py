"""What each fault run counted: mails expected, delivered and doubled, and requests failed after recovery.

Every run records one :class:`RunFigures`; ``tests/faults/conftest.py`` prints
them as a table at the end of the pytest output and writes the same table to
``test-artifacts/faults.txt``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from email.utils import getaddresses

RESULTS: list[RunFigures] = []


@dataclass
class MailCount:
    """Mails expected (one per address), and what the SMTP server holds for those addresses."""

    expected: int
    delivered: int  # expected addresses that got their mail
    doubled: int  # copies beyond the first, of any expected mail
    missing: list[str] = field(default_factory=list)  # addresses still waiting

    @property
    def lost(self) -> int:
        return self.expected - self.delivered


def recipients_of(message) -> list[str]:
    return [address.lower() for _, address in getaddresses(message.get_all("To", []))]


def count_mails(expected_addresses, messages) -> MailCount:
    """Each expected address must have received exactly one mail (one Message-ID, once)."""
    expected = {address.lower() for address in expected_addresses}
    per_address: Counter = Counter()
    per_message_id: Counter = Counter()
    for message in messages:
        for address in recipients_of(message):
            if address in expected:
                per_address[address] += 1
                per_message_id[message["Message-ID"]] += 1
    doubled = sum(count - 1 for count in per_address.values() if count > 1)
    return MailCount(expected=len(expected), delivered=sum(1 for a in expected if per_address[a]),
                     doubled=doubled, missing=sorted(a for a in expected if not per_address[a]))


def count_message_ids(expected_ids, arrived_ids) -> MailCount:
    """Each expected Message-ID must have arrived exactly once."""
    expected = set(expected_ids)
    arrived = Counter(arrived_ids)
    return MailCount(expected=len(expected), delivered=sum(1 for mid in expected if arrived[mid]),
                     doubled=sum(arrived[mid] - 1 for mid in expected if arrived[mid] > 1),
                     missing=sorted(mid for mid in expected if not arrived[mid]))


@dataclass
class RunFigures:
    run: str
    mails: MailCount | None = None
    requests: int | None = None  # None: the run sent no requests of its own to count
    failed_after_recovery: int | None = None
    notes: list[str] = field(default_factory=list)

    def row(self) -> list[str]:
        mails = self.mails
        cells = [str(mails.expected), str(mails.delivered), str(mails.doubled), str(mails.lost)] \
            if mails else ["-"] * 4
        counted = ["-" if value is None else str(value)
                   for value in (self.requests, self.failed_after_recovery)]
        return [self.run, *cells, *counted, "; ".join(self.notes)]


COLUMNS = ["run", "mails expected", "delivered", "doubled", "lost", "requests",
           "failed after recovery", "notes"]


def table(results: list[RunFigures]) -> str:
    """The runs as a plain-text table, one row each."""
    rows = [COLUMNS, *(result.row() for result in results)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS) - 1)]
    lines = []
    for number, row in enumerate(rows):
        cells = [cell.ljust(width) if column == 0 else cell.rjust(width)
                 for column, (cell, width) in enumerate(zip(row, widths, strict=False))]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths) + "  -----")
    return "\n".join(lines)
