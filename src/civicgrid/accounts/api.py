"""Accounts API: who the caller is, and the organisations within their jurisdiction."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from civicgrid.accounts.models import ApiToken, Organisation
from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.api_auth import SCOPED_AUTH

router = Router(tags=["accounts"], auth=SCOPED_AUTH)


class PrincipalSchema(Schema):
    kind: str = Field(description="user 或 api_token")
    name: str
    organisation: str
    role: str
    jurisdiction_codes: list[str]


class OrganisationSchema(Schema):
    id: int
    name: str
    type: str
    division_code: str


@router.get("/me", response=PrincipalSchema, summary="当前调用者及其管辖范围")
def who_am_i(request: HttpRequest) -> dict[str, object]:
    principal = request.auth
    identity = principal.audit_identity()
    return {
        "kind": "api_token" if isinstance(principal, ApiToken) else "user",
        "name": str(principal),
        "organisation": identity["organisation"],
        "role": identity["role"],
        "jurisdiction_codes": principal.jurisdiction_codes(),
    }


@router.get("/organisations", response=list[OrganisationSchema], summary="管辖范围内的机构")
def list_organisations(request: HttpRequest) -> list[Organisation]:
    return list(
        Organisation.objects.visible_to(request.auth).order_by("division_code", "name")[:500]
    )


@router.get("/organisations/{org_id}", response=OrganisationSchema, summary="查询一个机构")
def get_organisation(request: HttpRequest, org_id: int) -> Organisation:
    return access_scoped_or_404(
        Organisation.objects.all(), request.auth, request=request, pk=org_id
    )
