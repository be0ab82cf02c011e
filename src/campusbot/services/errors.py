"""Errors the services raise; the API turns them into problem responses, the CLI into messages."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ServiceError):
    status = 404
    title = "Not found"

    def __init__(self, resource: str, key: object) -> None:
        super().__init__(f"{resource} {key} does not exist")


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class Invalid(ServiceError):
    status = 422
    title = "Invalid input"
