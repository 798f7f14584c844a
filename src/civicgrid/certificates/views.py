"""Pages of the certificates app (being written)."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse(status=501)


wallet_list = wallet_detail = certificate_pdf = share_create = share_revoke = _todo
verify_page = verify_link = shared_view = keys_page = keys_json = _todo
issued_list = issue_form = issued_detail = revoke = _todo
