"""Command handlers: each runs in one unit of work (one transaction, its events in the outbox)."""
