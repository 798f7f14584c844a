"""电子证照 over the API, mounted at /api/v1/certificates."""

from ninja import Router

router = Router(tags=["certificates"])
