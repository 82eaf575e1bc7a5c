"""Errors the domain raises, each with the HTTP status it means for a client."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidField(DomainError):
    """A value that passed parsing but breaks a rule: 422 naming the field, like pydantic's."""

    status_code = 422
    code = "value_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class LimitExceeded(DomainError):
    status_code = 413
    code = "limit_exceeded"
