"""Query counts of the wallet and the lists stay flat as certificates accumulate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.certificates.tests import factories as f


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_wallet_and_the_lists_do_not_grow_with_the_number_of_certificates(client, personas):
    f.approval(personas)
    client.force_login(personas.enterprise_agent_a)
    wallet_one, api_one = (
        _count(client, reverse("certificates:wallet_list")),
        _count(client, "/api/v1/certificates"),
    )
    for _ in range(5):
        f.approval(personas)
    assert _count(client, reverse("certificates:wallet_list")) == wallet_one
    assert _count(client, "/api/v1/certificates") == api_one
    client.force_login(personas.clerk_a)
    issued_six = _count(client, reverse("certificates:issued_list"))
    f.approval(personas)
    assert _count(client, reverse("certificates:issued_list")) == issued_six
