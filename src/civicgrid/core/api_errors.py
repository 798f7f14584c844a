"""JSON errors for the API: a machine-readable `code` and a Chinese `message`, always."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError


class ApiError(Exception):
    """An error the API reports as `{"code": ..., "message": ...}` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_response(api: NinjaAPI, request: HttpRequest, exc: ApiError) -> HttpResponse:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        body["details"] = exc.details
    return api.create_response(request, body, status=exc.status)


def validation_error_response(
    api: NinjaAPI, request: HttpRequest, exc: ValidationError
) -> HttpResponse:
    """422 naming each offending parameter, in the same shape as every other error."""
    fields = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("path", "query", "body")]
        fields.append({"field": ".".join(loc), "message": str(error.get("msg", ""))})
    names = "、".join(f["field"] for f in fields if f["field"]) or "请求"
    return api.create_response(
        request,
        {"code": "invalid_input", "message": f"参数无效：{names}", "details": {"fields": fields}},
        status=422,
    )
