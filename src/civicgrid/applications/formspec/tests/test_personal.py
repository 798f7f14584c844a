"""ID and mobile numbers in the answers: found for the audit trail, masked for display."""

import datetime

from civicgrid.applications.formspec import masked_answers, parse_definition, personal_values
from civicgrid.applications.formspec.tests.forms import documented_example
from civicgrid.core.idcard import make_id_number

ID_NUMBER = make_id_number("131128", datetime.date(1990, 1, 1), 123)


def answers():
    return {
        "company": "某公司",
        "contacts": [
            {"name": "李明", "mobile": "13812345678", "role": "legal", "id_number": ID_NUMBER},
            # A number left from when this contact was the legal representative: hidden now.
            {"name": "王芳", "mobile": "13912345678", "role": "经办人", "id_number": ID_NUMBER},
        ],
    }


def test_personal_values_lists_the_shown_id_and_mobile_numbers_with_their_paths():
    spec = parse_definition(documented_example())

    found = personal_values(spec, answers())

    assert [(value.path, value.kind, value.value) for value in found] == [
        ("contacts.0.mobile", "mobile", "13812345678"),
        ("contacts.0.id_number", "id_number", ID_NUMBER),
        ("contacts.1.mobile", "mobile", "13912345678"),
    ]


def test_masked_answers_masks_them_and_leaves_the_original_alone():
    spec = parse_definition(documented_example())
    original = answers()

    masked = masked_answers(spec, original)

    assert masked["contacts"][0]["mobile"] == "138****5678"
    assert masked["contacts"][0]["id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert masked["contacts"][0]["name"] == "李明"
    assert "id_number" not in masked["contacts"][1]  # hidden: not shown at all
    assert original["contacts"][0]["mobile"] == "13812345678"
