"""服务事项目录 over the API, mounted at /api/v1/catalog."""

from ninja import Router

router = Router(tags=["catalog"])
