"""Core API endpoints: the minimal JSON endpoint that benchmarks use as the framework ceiling."""

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["core"])


class PingSchema(Schema):
    ok: bool
    service: str


@router.get("/ping", response=PingSchema, summary="存活探测（无数据库访问）")
def ping(request: HttpRequest) -> dict[str, object]:
    return {"ok": True, "service": "civicgrid"}
