"""Registration's use cases: one handler per command, query and consumed event. Handlers load
state through the repositories of a unit of work, let the domain decide, save what it decided
and emit the events it returned; they never see a connection or SQL."""
