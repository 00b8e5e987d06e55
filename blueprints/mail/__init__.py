"""Outgoing mail: render an HTML + text pair, record it in the outbox, deliver after commit."""
