"""办事预约 over the API, mounted at /api/v1/appointments."""

from ninja import Router

router = Router(tags=["appointments"])
