"""网上办事 over the API, mounted at /api/v1/applications."""

from ninja import Router

router = Router(tags=["applications"])
