"""The one django-ninja API, mounted at /api/v1/. Each app contributes a router."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from civicgrid.accounts.api import router as accounts_router
from civicgrid.applications.api import router as applications_router
from civicgrid.appointments.api import router as appointments_router
from civicgrid.catalog.api import router as catalog_router
from civicgrid.certificates.api import router as certificates_router
from civicgrid.community.api import router as community_router
from civicgrid.core.api import router as core_router
from civicgrid.core.api_errors import ApiError, error_response, validation_error_response
from civicgrid.core.notifications.api import router as notifications_router
from civicgrid.epidemic.api import router as epidemic_router
from civicgrid.errands.api import router as errands_router
from civicgrid.learning.api import router as learning_router
from civicgrid.population.api import router as population_router
from civicgrid.regions.api import router as regions_router


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes: readable in logs and a third smaller."""

    media_type = "application/json"  # ninja appends "; charset=utf-8" itself
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    title="CivicGrid API",
    version="1",
    description="疫情防控与政务服务平台接口。错误以 JSON 返回：`code`（机器可读）与 `message`（中文说明）。",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/divisions", regions_router)
api.add_router("/accounts", accounts_router)
api.add_router("/notifications", notifications_router)
api.add_router("/population", population_router)
api.add_router("/errands", errands_router)
api.add_router("/community", community_router)
api.add_router("/learning", learning_router)
api.add_router("/epidemic", epidemic_router)
api.add_router("/catalog", catalog_router)
api.add_router("/applications", applications_router)
api.add_router("/appointments", appointments_router)
api.add_router("/certificates", certificates_router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(api, request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return validation_error_response(api, request, exc)


@api.exception_handler(DjangoValidationError)
def _rule_violation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A business rule an action enforced: 422 naming the field when the router named it."""
    named = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    fields = [{"field": name, "message": m} for name, messages in named.items() for m in messages]
    return error_response(
        api, request, ApiError(422, "invalid_input", fields[0]["message"], fields=fields)
    )


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(api, request, ApiError(401, "unauthorized", "未登录或令牌无效"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (a body that is not JSON, ...) in the shape of every other error."""
    if exc.status_code == 400:
        error = ApiError(400, "unparsable_body", "请求体无法解析，请发送有效的 JSON")
    else:
        error = ApiError(exc.status_code, "http_error", str(exc))
    return error_response(api, request, error)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(api, request, ApiError(404, "not_found", str(exc) or "未找到该资源"))
