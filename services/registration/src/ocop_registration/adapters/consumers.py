"""What registration learns from the other services: each holder's results at past fairs."""

from __future__ import annotations

from collections.abc import Sequence

from ocop_shared.service import Service, Subscription


def subscriptions(service: Service) -> Sequence[Subscription]:
    return ()
