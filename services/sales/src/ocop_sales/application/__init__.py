"""The sales service's use cases: one handler per command, query and consumed event."""
