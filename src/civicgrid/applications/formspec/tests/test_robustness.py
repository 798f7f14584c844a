"""Whatever a client posts or a stored draft holds, the engine answers with errors, never with
an exception, and what it keeps is plain JSON."""

import json
import random

from django.http import QueryDict
from django.template import Context, Template

from civicgrid.applications.formspec import (
    answer_summary,
    clean_all,
    clean_step,
    parse_definition,
    visible_fields,
)
from civicgrid.applications.formspec.tests.forms import branching_form, documented_example

JUNK = [
    None,
    True,
    False,
    0,
    -1,
    10**30,
    1.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x",
    "是",
    "2026-02-30",
    "1e400",
    "９９",
    [],
    [None],
    ["a", 1],
    {},
    {"a": 1},
    [{}],
    [{"name": []}],
    [[1]],
    "\x00",
    "字" * 30000,
    ["legal"],
    "新建",
    ["att"],
    "13812345678",
]
PAGE = Template(
    "{% load formspec %}{% formspec_step spec key answers=answers data=data errors=errors %}"
    "{% formspec_summary spec answers %}"
)


def specs():
    return [parse_definition(documented_example()), branching_form()]


def test_random_junk_from_an_api_client_is_answered_with_errors_and_json_answers():
    generator = random.Random(20261127)  # noqa: S311 - seeded test data, not secrets
    for spec in specs():
        keys = [*spec._items, "contacts.0.name", "breakdown.1.amount", "zzz", "contacts.__rows"]
        for _round in range(60):
            data = {
                k: generator.choice(JUNK)
                for k in generator.sample(keys, generator.randint(0, len(keys)))
            }

            answers, errors = clean_all(spec, data)

            json.dumps(answers, allow_nan=False)
            assert all(isinstance(message, str) and message for message in errors.values())
            step_key = generator.choice(spec.steps).key
            step_answers, step_errors = clean_step(spec, step_key, data, answers)
            posted = QueryDict(mutable=True)
            posted.update({k: v for k, v in data.items() if isinstance(v, str)})
            for shown_data in (None, posted):
                PAGE.render(
                    Context(
                        {
                            "spec": spec,
                            "key": step_key,
                            "answers": step_answers,
                            "data": shown_data,
                            "errors": step_errors,
                        }
                    )
                )


def test_a_stored_draft_holding_values_of_the_wrong_shape_still_shows_and_is_rechecked():
    generator = random.Random(7)  # noqa: S311 - seeded test data, not secrets
    for spec in specs():
        for _round in range(60):
            keys = list(spec._items)
            answers = {
                k: generator.choice(JUNK)
                for k in generator.sample(keys, generator.randint(0, len(keys)))
            }

            answer_summary(spec, answers, mask=True)
            visible_fields(spec, answers)
            spec.visible_steps(answers)
            PAGE.render(
                Context(
                    {
                        "spec": spec,
                        "key": generator.choice(spec.steps).key,
                        "answers": answers,
                        "data": None,
                        "errors": {},
                    }
                )
            )
            _cleaned, _errors = clean_all(spec, answers)


def test_a_hand_written_draft_shows_a_misfit_value_as_it_is():
    spec = parse_definition(documented_example())

    rows = {
        row.path: row.display_value
        for row in answer_summary(spec, {"plan": [{"id": 1}], "total": "lots"})
    }

    assert rows["plan"] == "[{'id': 1}]"
    assert rows["total"] == "lots 万元"
