"""Event contracts, one module per producing service. Importing this package registers all."""

from ocop_shared.contracts import booths, identity, platform, registration, sales

__all__ = ["booths", "identity", "platform", "registration", "sales"]
