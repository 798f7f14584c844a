"""The public division API: look-up by full or short code, children, search, and bad input."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_returns_a_division_by_its_short_code(client):
    response = client.get("/api/v1/divisions/131128")
    assert response.status_code == 200
    assert response.json() == {
        "code": "131128000000",
        "name": "阜城县",
        "level": 3,
        "parent_code": "131100000000",
        "is_development_zone": False,
    }


def test_a_twelve_digit_code_finds_the_same_division(client):
    assert client.get("/api/v1/divisions/131128000000").json()["name"] == "阜城县"


def test_children_come_with_their_own_child_counts(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/divisions/1311/children")
    assert response.status_code == 200
    children = {c["name"]: c for c in response.json()}
    # The test data holds two of Hengshui's counties in full.
    assert set(children) == {"景县", "阜城县"}
    fucheng = children["阜城县"]
    assert fucheng["code"] == "131128000000"
    assert fucheng["level"] == 3
    assert fucheng["child_count"] == 10  # 6 towns and 4 townships in the 2023 codes


def test_development_zones_are_marked(client):
    response = client.get("/api/v1/divisions/130371")
    assert response.json()["is_development_zone"] is True


def test_the_response_is_utf8_json_not_escaped(client):
    response = client.get("/api/v1/divisions/131128")
    assert "阜城县".encode() in response.content
    assert response["Content-Type"].startswith("application/json")


def test_an_unknown_code_is_a_404_with_a_chinese_message(client):
    response = client.get("/api/v1/divisions/9999")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert "9999" in body["message"] and "不存在" in body["message"]


@pytest.mark.parametrize("bad", ["13ab", "131", "1311281000011", "1300", "00"])
def test_a_malformed_code_is_a_422_naming_the_parameter(client, bad):
    for url in (f"/api/v1/divisions/{bad}", f"/api/v1/divisions/{bad}/children"):
        response = client.get(url)
        assert response.status_code == 422, url
        body = response.json()
        assert body["code"] == "invalid_division_code"
        assert body["details"]["field"] == "code"
        assert "code" in body["message"]


def test_search_by_pinyin_initials_puts_the_county_first(client):
    response = client.get("/api/v1/divisions/search", {"q": "FCX"})
    assert response.status_code == 200
    assert response.json()[0]["name"] == "阜城县"


def test_search_by_full_pinyin_and_by_chinese_name(client):
    by_pinyin = [d["name"] for d in client.get("/api/v1/divisions/search?q=fucheng").json()]
    by_name = [d["name"] for d in client.get("/api/v1/divisions/search?q=阜城").json()]
    assert by_pinyin[0] == by_name[0] == "阜城县"
    assert "阜城镇" in by_name


def test_search_can_be_limited_to_a_subtree(client):
    found = client.get("/api/v1/divisions/search?q=镇&within=131127").json()
    assert found and all("镇" in d["name"] for d in found)
    assert all(d["code"].startswith("131127") for d in found)
    assert found[0]["level"] == 4  # towns before villages named after them


def test_search_without_a_query_is_a_422_naming_q(client):
    response = client.get("/api/v1/divisions/search")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert "q" in response.json()["message"]


def test_search_rejects_a_malformed_within(client):
    response = client.get("/api/v1/divisions/search?q=镇&within=13x")
    assert response.status_code == 422
    assert "within" in response.json()["message"]


def test_the_openapi_document_lists_the_division_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/divisions/{code}" in paths
    assert "/api/v1/divisions/{code}/children" in paths
    assert "/api/v1/divisions/search" in paths


def test_children_are_served_from_the_cache_until_an_import_changes_them(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from civicgrid.regions.actions import do_import_divisions
    from civicgrid.regions.division_files import read_division_rows

    first = client.get("/api/v1/divisions/1311/children").json()
    with django_assert_num_queries(0):
        again = client.get("/api/v1/divisions/1311/children").json()
    assert again == first
    with django_capture_on_commit_callbacks(execute=True):
        do_import_divisions(read_division_rows("131199,示例新区\n".encode()))
    names = [d["name"] for d in client.get("/api/v1/divisions/1311/children").json()]
    assert "示例新区" in names


def test_an_unknown_code_is_not_cached_as_found(client):
    assert client.get("/api/v1/divisions/9999").status_code == 404
    assert client.get("/api/v1/divisions/9999").status_code == 404
