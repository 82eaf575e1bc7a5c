"""Event contracts, one module per producing service. Importing this package registers all."""

from ocop_shared.contracts import platform, registration

__all__ = ["platform", "registration"]
