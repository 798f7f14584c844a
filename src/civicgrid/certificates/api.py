"""电子证照 over the API, mounted at /api/v1/certificates.

Holders read their own (`GET ""`, detail, PDF, history, shares); the issuing department (a
clerk's session or the department's API token) issues, lists and revokes; any agency records a
use instead of asking for paper. Verification and the public keys need no sign-in. Every write
goes through `certificates.actions`; a refused call answers 403 / 404 / 422 naming the field and
changes nothing.
"""

import datetime
import json
from typing import Any

import pydantic
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Form, Query, Router, Schema, Status

from civicgrid.accounts.models import Organisation, User
from civicgrid.certificates import actions, selectors, signing, verification
from civicgrid.certificates.access import (
    access_certificate_for_user,
    access_held_certificate_for_user,
    access_issued_certificate_for_user,
    access_share_for_holder,
)
from civicgrid.certificates.choices import (
    CertificateState,
    HolderKind,
    ShareDuration,
    VerificationChannel,
    VerificationResult,
)
from civicgrid.certificates.documents import qr_content
from civicgrid.certificates.models import Certificate
from civicgrid.certificates.querysets import issuing_organisation_ids
from civicgrid.certificates.sharing import token_for
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging, page_of

router = Router(tags=["certificates"], auth=SCOPED_AUTH)


# --- schemas ---------------------------------------------------------------------------------


class FieldSchema(Schema):
    label: str
    value: str


class CertificateSchema(Schema):
    id: int
    number: str
    type: str = Field(description="证照类型代码")
    type_name: str
    state: CertificateState
    holder_kind: HolderKind
    subject_name: str
    subject_number: str = Field(description="证件号码（始终部分隐藏）")
    fields: list[FieldSchema]
    issuer: str
    issued_at: datetime.datetime
    valid_from: datetime.date
    expires_on: datetime.date | None
    revoked_at: datetime.datetime | None
    revocation_reason: str
    code: str = Field(description="二维码中的签名字符串 CGC1.…，可离线核验")

    @staticmethod
    def resolve_type(obj: Certificate) -> str:
        return obj.type.code

    @staticmethod
    def resolve_type_name(obj: Certificate) -> str:
        return obj.type.name

    @staticmethod
    def resolve_state(obj: Certificate) -> str:
        return obj.state()

    @staticmethod
    def resolve_subject_number(obj: Certificate) -> str:
        return obj.subject_number_masked

    @staticmethod
    def resolve_fields(obj: Certificate) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in obj.labelled_fields()]

    @staticmethod
    def resolve_issuer(obj: Certificate) -> str:
        return obj.issuer.name

    @staticmethod
    def resolve_code(obj: Certificate) -> str:
        return signing.code_of(obj.payload, obj.signature)


class CertificatePage(Schema):
    count: int
    items: list[CertificateSchema]


class HistorySchema(Schema):
    kind: str = Field(description="verification（核验）或 use（部门调用）")
    at: datetime.datetime
    channel: str
    result: str
    network: str = Field(description="核验方网络（IPv4 /24、IPv6 /48）")
    who: str = Field(description="调用证照的部门")
    purpose: str


class IssueIn(Schema):
    type_code: str = Field(max_length=40)
    holder_user_id: int | None = None
    holder_organisation_id: int | None = None
    subject_name: str = Field(max_length=100)
    subject_number: str = Field(max_length=30, description="公民身份号码或统一社会信用代码")
    fields: dict[str, str] = Field(description="证照字段代码 → 内容")
    valid_days: int | None = Field(None, description="留空按证照类型的默认有效期")
    source: str = Field("", max_length=80)


class VerifyIn(Schema):
    code: str = Field(max_length=verification.MAX_CODE_LENGTH, description="二维码内容")


class VerifyOut(Schema):
    result: VerificationResult
    label: str
    message: str
    payload: dict[str, Any] | None = Field(
        description="签名有效时：证照签名内容（证件号码已部分隐藏）"
    )


class ShareOut(Schema):
    id: int
    url: str
    expires_at: datetime.datetime


# --- helpers ---------------------------------------------------------------------------------


def _forbidden(exc: PermissionDenied) -> ApiError:
    return ApiError(403, "forbidden", str(exc) or "无权进行该操作")


def _user(request: HttpRequest) -> User:
    if not isinstance(request.auth, User):
        raise ApiError(403, "forbidden", "该操作须由持证人本人登录后进行")
    return request.auth


# --- public ----------------------------------------------------------------------------------


@router.post(
    "/verify",
    auth=None,
    response=VerifyOut,
    summary="核验电子证照（无需登录）",
    url_name="certificates_verify",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": VerifyIn.json_schema()},
                "text/plain": {"schema": {"type": "string", "description": "二维码内容"}},
            },
            "required": True,
        }
    },
)
def verify(request: HttpRequest) -> dict[str, Any]:
    """JSON `{"code": "CGC1.…"}`, or the code itself as text/plain (what a scanner reads).

    The body is parsed here rather than by a schema so that anything at all — not JSON, the
    wrong shape, a number — gets this API's `{code, message}` answer in Chinese."""
    code = _code_from(request)
    try:
        outcome = verification.check(code, channel=VerificationChannel.API, request=request)
    except verification.Throttled:
        raise ApiError(429, "throttled", str(verification.Throttled.message)) from None
    return {
        "result": outcome.result,
        "label": outcome.label,
        "message": outcome.message,
        "payload": outcome.payload,
    }


def _code_from(request: HttpRequest) -> str:
    if len(request.body) > verification.MAX_CODE_LENGTH + 100:
        raise _bad_code("二维码内容过长，不是电子证照。")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_code("请求内容应为 UTF-8 文本。") from None
    if request.content_type == "text/plain":
        return text
    try:
        body = json.loads(text)
    except ValueError:
        raise _bad_code(
            '请求内容应为 JSON：{"code": "CGC1.…"}，或 text/plain 的二维码内容。'
        ) from None
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str):
        raise _bad_code("请在 code 字段中提供二维码内容（文本）。")
    return code


def _bad_code(message: str) -> ApiError:
    return ApiError(422, "invalid_input", message, fields=[{"field": "code", "message": message}])


@router.get(
    "/keys",
    auth=None,
    response=dict[str, str],
    summary="签名公钥（密钥标识 → base64 公钥，无需登录）",
    url_name="certificates_keys",
)
def keys(request: HttpRequest) -> dict[str, str]:
    return signing.public_keys()


# --- issuing (before the /{certificate_id} routes, whose parameter would match "issue") --


@router.post(
    "/issue",
    response={201: CertificateSchema},
    summary="签发电子证照（发证部门的办事人员或接口令牌）",
    url_name="certificates_issue",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": IssueIn.json_schema()}},
            "required": True,
        }
    },
)
def issue(request: HttpRequest) -> Status[Certificate]:
    """The body (IssueIn) is read after the caller is known to issue for a department, so a
    resident learns nothing from the validation of a body they may not send at all."""
    if not (request.auth.is_superuser or issuing_organisation_ids(request.auth)):
        raise ApiError(403, "forbidden", "只有发证部门可以签发电子证照")
    body = _issue_body(request)
    holder_user = holder_organisation = None
    if body.holder_user_id is not None:
        holder_user = User.objects.filter(pk=body.holder_user_id, is_active=True).first()
        if holder_user is None:
            raise ApiError(
                422,
                "invalid_input",
                "持证人不存在",
                fields=[{"field": "holder_user_id", "message": "持证人不存在"}],
            )
    if body.holder_organisation_id is not None:
        holder_organisation = Organisation.objects.filter(
            pk=body.holder_organisation_id, is_active=True
        ).first()
        if holder_organisation is None:
            raise ApiError(
                422,
                "invalid_input",
                "持证企业不存在",
                fields=[{"field": "holder_organisation_id", "message": "持证企业不存在"}],
            )
    try:
        certificate = actions.do_issue_certificate(
            request.auth,
            type_code=body.type_code,
            holder_user=holder_user,
            holder_organisation=holder_organisation,
            subject_name=body.subject_name,
            subject_number=body.subject_number,
            fields=body.fields,
            valid_days=body.valid_days,
            source=body.source,
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    return Status(201, certificate)


# --- the holder ------------------------------------------------------------------------------


@router.get("", response=CertificatePage, summary="我的电子证照", url_name="certificates_mine")
def mine(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return page_of(selectors.wallet_of(request.auth), paging)


@router.get(
    "/issued",
    response=CertificatePage,
    summary="本部门签发的电子证照",
    url_name="certificates_issued",
)
def issued(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    if not issuing_organisation_ids(request.auth) and not request.auth.is_superuser:
        raise ApiError(403, "forbidden", "只有发证部门可以查看签发记录")
    return page_of(selectors.issued_by(request.auth), paging)


@router.get(
    "/{certificate_id}",
    response=CertificateSchema,
    summary="一张电子证照",
    url_name="certificates_detail",
)
def detail(request: HttpRequest, certificate_id: int) -> Certificate:
    return access_certificate_for_user(request.auth, certificate_id, request=request)


@router.get("/{certificate_id}/pdf", summary="证照 PDF", url_name="certificates_pdf")
def pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = access_certificate_for_user(request.auth, certificate_id, request=request)
    pdf = actions.do_export_certificate_pdf(
        request.auth, certificate=certificate, qr=qr_content(certificate, request), request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@router.get(
    "/{certificate_id}/history",
    response=list[HistorySchema],
    summary="核验与用证记录（持证人）",
    url_name="certificates_history",
)
def history(request: HttpRequest, certificate_id: int) -> list[dict[str, Any]]:
    certificate = access_held_certificate_for_user(request.auth, certificate_id, request=request)
    return selectors.history_of(certificate)


@router.post(
    "/{certificate_id}/shares",
    response={201: ShareOut},
    summary="生成限时分享链接（持证人）",
    url_name="certificates_share",
)
def share(
    request: HttpRequest, certificate_id: int, hours: Form[ShareDuration]
) -> Status[ShareOut]:
    user = _user(request)
    certificate = access_held_certificate_for_user(user, certificate_id, request=request)
    try:
        created = actions.do_share_certificate(user, certificate=certificate, hours=hours.value)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    url = request.build_absolute_uri(reverse("certificates:shared_view", args=[token_for(created)]))
    return Status(201, ShareOut(id=created.pk, url=url, expires_at=created.expires_at))


@router.post(
    "/shares/{share_id}/revoke",
    response={204: None},
    summary="撤回分享链接（持证人）",
    url_name="certificates_share_revoke",
)
def share_revoke(request: HttpRequest, share_id: int) -> Status[None]:
    user = _user(request)
    shared = access_share_for_holder(user, share_id, request=request)
    actions.do_revoke_share(user, share=shared)
    return Status(204, None)


# --- departments -----------------------------------------------------------------------------


def _issue_body(request: HttpRequest) -> IssueIn:
    try:
        return IssueIn.model_validate_json(request.body)
    except pydantic.ValidationError as exc:
        fields = [
            {"field": ".".join(str(p) for p in error["loc"]), "message": error["msg"]}
            for error in exc.errors()
        ]
        names = "、".join(f["field"] for f in fields if f["field"]) or "请求内容（应为 JSON）"
        raise ApiError(422, "invalid_input", f"参数无效：{names}", fields=fields) from None


@router.post(
    "/{certificate_id}/revoke",
    response=CertificateSchema,
    summary="撤销电子证照（发证部门）",
    url_name="certificates_revoke",
)
def revoke(request: HttpRequest, certificate_id: int, reason: Form[str]) -> Certificate:
    certificate = access_issued_certificate_for_user(request.auth, certificate_id, request=request)
    try:
        return actions.do_revoke_certificate(request.auth, certificate=certificate, reason=reason)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None


@router.post(
    "/{certificate_id}/uses",
    response={204: None},
    summary="记录部门调用证照（免交纸质材料）",
    url_name="certificates_use",
)
def use(request: HttpRequest, certificate_id: int, purpose: Form[str]) -> Status[None]:
    """An agency records that it took this certificate instead of paper. It names the
    certificate by id; the holder sees the use. (Finding a holder's certificates is
    `certificates.selectors.certificates_held_by`, for the application being worked on.)"""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        raise ApiError(404, "not_found", "证照不存在")
    try:
        actions.do_record_certificate_use(request.auth, certificate=certificate, purpose=purpose)
    except PermissionDenied as exc:
        raise _forbidden(exc) from None
    return Status(204, None)
