"""Every page and endpoint against every persona it names: the access matrix.

The cases live beside each app (`<app>/tests/access_cases.py`); this module runs them all, and
`test_every_url_is_public_or_covered` fails when a URL pattern has neither a case nor a place
on its app's public list, so a new view cannot be forgotten.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from civicgrid.core.testing import LOGIN, all_access_cases, all_public_urls

CASES = all_access_cases()
# Django's admin checks `is_staff` in one place for every one of its views.
COVERED_NAMESPACES = {"admin": "Django admin (staff only), see test_admin_requires_staff"}


def _expectations():
    for case in CASES:
        yield pytest.param(case, None, "anonymous", id=f"{case}-anonymous")
        for persona in case.allowed:
            yield pytest.param(case, persona, "allowed", id=f"{case}-{persona}")
        for persona in case.denied:
            yield pytest.param(case, persona, "denied", id=f"{case}-{persona}")


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona", "expectation"), list(_expectations()))
def test_access(client, personas, case, persona, expectation):
    url = reverse(case.url_name, args=case.args(personas))
    if persona is not None:
        client.force_login(personas.users[persona])
    response = getattr(client, case.method)(url, case.data(personas))
    if expectation == "allowed":
        assert response.status_code in case.ok_status, response.content[:300]
    elif expectation == "denied":
        assert response.status_code in (403, 404), response.status_code
    elif case.anonymous == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == case.anonymous


def _url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_public_or_covered():
    public = all_public_urls()
    covered = {case.url_name for case in CASES}
    missing = sorted(
        name
        for name in set(_url_names(get_resolver().url_patterns))
        if name not in public
        and name not in covered
        and (name or "").split(":")[0] not in COVERED_NAMESPACES
    )
    assert not missing, f"URL patterns with neither an access case nor a public entry: {missing}"


def test_public_and_covered_lists_name_only_real_urls():
    names = set(_url_names(get_resolver().url_patterns))
    stale = sorted((set(all_public_urls()) | {c.url_name for c in CASES}) - names)
    assert not stale, f"access lists name URLs that no longer exist: {stale}"


@pytest.mark.django_db
def test_admin_requires_staff(client, personas):
    for url in ("/admin/", "/admin/accounts/user/", "/admin/regions/division/"):
        assert client.get(url).status_code == 302
        client.force_login(personas.county_a_officer)  # staff role, but not an admin user
        assert client.get(url).status_code == 302
        client.logout()
    client.force_login(personas.admin)
    assert client.get("/admin/accounts/user/").status_code == 200
