"""Home page, languages and the request log."""

import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_explains_the_platform_in_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "网格员" in body and "行政区划浏览" in body


def test_the_home_page_marks_only_unbuilt_services_as_coming_and_links_the_rest(client):
    body = client.get("/").content.decode()
    assert 'class="tag soon"' not in body  # every tile leads somewhere now
    assert body.count('href="/accounts/workspace/"') == 5
    assert 'href="/services/"' in body


def test_english_is_available_through_the_language_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body


def test_every_request_is_logged_as_one_structured_record_with_a_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="civicgrid.request"):
        response = client.get("/api/v1/ping", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"
    (record,) = [r for r in caplog.records if r.name == "civicgrid.request"]
    assert (record.method, record.path, record.status) == ("GET", "/api/v1/ping", 200)
    assert record.request_id == "abc123"
    assert record.duration_ms >= 0


def test_the_json_formatter_emits_one_parseable_line_with_extra_fields():
    from civicgrid.core.request_logging import JsonFormatter

    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "请求 %s", "args": ("完成",), "status": 201}
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "请求 完成" and entry["status"] == 201


def test_ping_is_the_minimal_json_endpoint(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/ping")
    assert response.json() == {"ok": True, "service": "civicgrid"}
    assert response["Content-Type"] == "application/json; charset=utf-8"  # the charset once


def test_a_body_that_is_not_json_is_refused_in_the_api_error_shape(client, personas):
    client.force_login(personas.county_a_officer)
    response = client.post(
        "/api/v1/population/households", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "unparsable_body",
        "message": "请求体无法解析，请发送有效的 JSON",
    }
