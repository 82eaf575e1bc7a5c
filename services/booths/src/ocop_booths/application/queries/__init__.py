"""Read handlers: no transaction, no events."""
