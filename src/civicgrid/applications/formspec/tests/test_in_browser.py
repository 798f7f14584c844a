"""The step page in a real browser (Chromium): the reveal script opens and closes same-step
branches as the applicant answers, in group rows too, and a chain closes with its first link;
the row buttons work without JavaScript and land on the row."""

import os
from pathlib import Path

import pytest
from django.template import Context, Template

from civicgrid.applications.formspec import parse_definition
from civicgrid.applications.formspec.tests.forms import field, options, step, steps

CHROMIUM = Path(os.environ.get("CIVICGRID_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


def page_html(spec, step_key, answers):
    body = Template(
        "{% load formspec %}<form>{% formspec_step spec key answers=answers %}</form>"
    ).render(Context({"spec": spec, "key": step_key, "answers": answers}))
    return f"<!doctype html><html><body>{body}</body></html>"


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
    )
    try:
        yield browser.new_page()
    finally:
        browser.close()
        playwright.stop()


def hidden(page, field_id):
    return page.evaluate(f"document.getElementById('{field_id}').closest('[data-show-if]').hidden")


def test_a_same_step_chain_opens_link_by_link_and_closes_with_its_first(page):
    spec = parse_definition(
        steps(
            step(
                "one", field("kind", "choice", "建设性质", choices=options(new="新建", move="迁建"))
            ),
            step(
                "two",
                field("land", "yesno", "是否新增用地"),
                field("area", "decimal", "面积", show_if={"field": "land", "equals": True}),
                field(
                    "eia",
                    "text",
                    "环评批复文号",
                    show_if={
                        "all": [{"field": "area", "gt": 100}, {"field": "kind", "equals": "new"}]
                    },
                ),
            ),
        )
    )
    page.set_content(page_html(spec, "two", {"kind": "new"}))

    assert hidden(page, "f-area") and hidden(page, "f-eia")
    page.check("input[name=land][value=yes]")
    assert not hidden(page, "f-area") and hidden(page, "f-eia")
    page.fill("input[name=area]", "1,500")
    assert not hidden(page, "f-eia")
    page.check("input[name=land][value=no]")
    # area is hidden, so its typed value no longer counts: eia closes with it.
    assert hidden(page, "f-area") and hidden(page, "f-eia")


def test_an_earlier_steps_answer_is_folded_in_as_a_constant(page):
    spec = parse_definition(
        steps(
            step(
                "one", field("kind", "choice", "建设性质", choices=options(new="新建", move="迁建"))
            ),
            step(
                "two",
                field("area", "decimal", "面积"),
                field(
                    "eia",
                    "text",
                    "环评批复文号",
                    show_if={
                        "all": [{"field": "area", "gt": 100}, {"field": "kind", "equals": "new"}]
                    },
                ),
            ),
        )
    )
    page.set_content(page_html(spec, "two", {"kind": "move"}))

    page.fill("input[name=area]", "500")
    assert hidden(page, "f-eia")  # 迁建: the earlier answer keeps it closed


def test_each_group_row_follows_its_own_sibling(page):
    spec = parse_definition(
        steps(
            step(
                "one",
                {
                    "key": "contacts",
                    "label": "联系人",
                    "type": "group",
                    "min_rows": 2,
                    "fields": [
                        field(
                            "role",
                            "choice",
                            "职责",
                            choices=options(legal="法定代表人", agent="经办人"),
                        ),
                        field(
                            "id",
                            "id_number",
                            "身份证号",
                            show_if={"field": "role", "in": ["legal"]},
                        ),
                        field(
                            "tags",
                            "multichoice",
                            "事项",
                            choices=options(a="申报", b="现场"),
                            required=False,
                        ),
                        field(
                            "note", "text", "现场说明", show_if={"field": "tags", "contains": "b"}
                        ),
                    ],
                },
            )
        )
    )
    page.set_content(page_html(spec, "one", {}))

    page.check("input[name='contacts.1.role'][value=legal]")
    assert hidden(page, "f-contacts-0-id") and not hidden(page, "f-contacts-1-id")
    page.check("input[name='contacts.0.tags'][value=b]")
    assert not hidden(page, "f-contacts-0-note") and hidden(page, "f-contacts-1-note")


def test_adding_a_row_without_javascript_lands_on_the_new_row(page):
    """The row buttons post to the page itself with a fragment: the step comes back scrolled
    to the new row, as a phone user expects, not to the top of a long form."""
    import threading
    from urllib.parse import parse_qsl
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.http import QueryDict

    from civicgrid.applications.formspec import step_action

    spec = parse_definition(
        steps(
            step(
                "one",
                *[field(f"q{n}", label=f"问题{n}", required=False) for n in range(40)],
                {
                    "key": "contacts",
                    "label": "联系人",
                    "type": "group",
                    "min_rows": 1,
                    "fields": [field("name", label="姓名")],
                },
            )
        )
    )

    def app(environ, start_response):
        data = None
        if environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            posted = QueryDict(mutable=True)
            for key, value in parse_qsl(body, keep_blank_values=True):
                posted.appendlist(key, value)
            data = step_action(spec, "one", posted)
        form = Template(
            "{% load formspec %}<form method='post'>{% formspec_step spec 'one' data=data %}"
            "<button>继续</button></form>"
        ).render(Context({"spec": spec, "data": data}))
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [
            f"<!doctype html><meta name=viewport content='width=390'><body>{form}</body>".encode()
        ]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page.set_viewport_size({"width": 390, "height": 600})
        page.goto(f"http://127.0.0.1:{server.server_port}/apply/step/one/")
        page.fill("input[name='contacts.0.name']", "李明")
        page.click("button[value='add:contacts']")
        page.wait_for_selector("input[name='contacts.1.name']")

        assert page.url.endswith("/apply/step/one/#g-contacts-1")
        assert page.input_value("input[name='contacts.0.name']") == "李明"
        # Far below the first questions: the first is scrolled out of sight (how far depends on
        # the browser's fonts, so the distance is not fixed).
        first = page.evaluate("document.querySelector('[name=q0]').getBoundingClientRect().bottom")
        assert first < 0 and page.evaluate("window.scrollY") > 0
        top = page.evaluate("document.getElementById('g-contacts-1').getBoundingClientRect().top")
        assert 0 <= top < 600
    finally:
        server.shutdown()
        server.server_close()
