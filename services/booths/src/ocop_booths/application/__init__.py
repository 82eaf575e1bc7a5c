"""The booths service's use cases: one handler per command, query and consumed event, each
working on a unit of work (``ocop_shared.uow``) with the repositories of ``ports``."""
