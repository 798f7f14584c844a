"""Personal numbers inside JSON documents: stored encrypted, read back as plain text that stays
sealed when saved again, rotated with the data keys."""

import datetime
import io
import json
import pickle

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.serializers import serialize
from django.db import connection, models
from django.test.utils import isolate_apps

from civicgrid.core.crypto import DecryptionError, lookup_hash, token_key_id
from civicgrid.core.idcard import make_id_number
from civicgrid.core.sealed_json import (
    MARK,
    SealedJSONField,
    SealedText,
    open_document,
    reseal_document,
    seal_document,
    sealed,
)
from civicgrid.core.testing import throwaway_tables
from civicgrid.core.tests.test_crypto import ID_NUMBER, MOBILE, k2_then_k1, only_k1, only_k2

OTHER_ID = make_id_number("131127", datetime.date(1975, 3, 4), 88)

with isolate_apps("civicgrid.core"):

    class Questionnaire(models.Model):  # noqa: DJ008 - a throwaway test table
        answers = SealedJSONField(default=dict)

        class Meta:
            app_label = "core"
            db_table = "core_test_sealed_questionnaire"


def _document() -> dict:
    return {
        "name": "张三",
        "id": sealed("id_number", ID_NUMBER),
        "contacts": [{"mobile": sealed("mobile", MOBILE), "age": 3}, {"mobile": None}],
        "files": ["a.pdf"],
    }


@only_k1()
def test_a_document_is_stored_with_no_digit_of_its_numbers_and_read_back_whole():
    stored = seal_document(_document())
    text = json.dumps(stored)
    assert ID_NUMBER not in text and MOBILE not in text and ID_NUMBER[-4:] not in text
    assert stored["name"] == "张三" and stored["files"] == ["a.pdf"]
    assert stored["id"][MARK] == "id_number"
    assert stored["id"]["hash"] == lookup_hash("id_number", ID_NUMBER)
    assert stored["contacts"][1] == {"mobile": None}

    opened = open_document(stored)
    assert opened == {
        "name": "张三",
        "id": ID_NUMBER,
        "contacts": [{"mobile": MOBILE, "age": 3}, {"mobile": None}],
        "files": ["a.pdf"],
    }
    assert isinstance(opened["id"], SealedText) and opened["id"].kind == "id_number"
    assert opened["contacts"][0]["mobile"].kind == "mobile"


@only_k1()
def test_saving_an_unchanged_number_keeps_its_ciphertext():
    first = seal_document(_document())
    again = seal_document(open_document(first))
    assert again == first


def test_a_number_read_under_an_old_key_is_re_encrypted_under_the_current_one():
    with only_k1():
        stored = seal_document(_document())
    with k2_then_k1():
        again = seal_document(open_document(stored))
    assert token_key_id(stored["id"]["token"]) == "k1"
    assert token_key_id(again["id"]["token"]) == "k2"


@only_k1()
def test_a_tampered_or_misplaced_token_is_refused_not_misread():
    stored = seal_document(_document())
    token = stored["id"]["token"]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        open_document({"id": {MARK: "id_number", "token": flipped}})
    with pytest.raises(DecryptionError):  # an ID number's token presented as a mobile
        open_document({"m": {MARK: "mobile", "token": token}})


@only_k1()
def test_a_pickle_carries_ciphertext_only():
    value = sealed("id_number", ID_NUMBER)
    data = pickle.dumps(value)
    assert ID_NUMBER.encode() not in data
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert restored == ID_NUMBER and restored.kind == "id_number"


@pytest.fixture(scope="module")
def questionnaire_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), throwaway_tables(Questionnaire):
        yield


def _column() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {Questionnaire._meta.db_table} ORDER BY id")  # noqa: S608
        return [row[0] if isinstance(row[0], str) else json.dumps(row[0]) for row in cursor]


@pytest.mark.django_db
@pytest.mark.usefixtures("questionnaire_table")
@only_k1()
def test_the_column_holds_ciphertext_through_save_update_and_dumps():
    row = Questionnaire.objects.create(answers=_document())
    (stored,) = _column()
    assert ID_NUMBER not in stored and MOBILE not in stored

    row.refresh_from_db()
    assert row.answers["id"] == ID_NUMBER
    Questionnaire.objects.filter(pk=row.pk).update(
        answers={**row.answers, "id": sealed("id_number", OTHER_ID)}
    )
    (stored,) = _column()
    assert OTHER_ID not in stored and MOBILE not in stored
    assert Questionnaire.objects.values_list("answers", flat=True).get()["id"] == OTHER_ID

    dumped = serialize("json", Questionnaire.objects.all())
    assert OTHER_ID not in dumped and MOBILE not in dumped


@pytest.fixture
def discoverable():
    django_apps.register_model("core", Questionnaire)
    yield
    del django_apps.all_models["core"]["questionnaire"]
    django_apps.clear_cache()


@pytest.mark.django_db
@pytest.mark.usefixtures("questionnaire_table", "discoverable")
def test_key_rotation_re_encrypts_the_numbers_inside_documents():
    with only_k1():
        for _ in range(3):
            Questionnaire.objects.create(answers=_document())
        Questionnaire.objects.create(answers={"name": "无号码"})
    with k2_then_k1():
        out = io.StringIO()
        call_command("rotate_data_key", "--batch-size", "2", stdout=out)
        assert (
            "core.Questionnaire.answers：4 行，其中号码重新加密 6，已是当前密钥 0" in out.getvalue()
        )
        out = io.StringIO()
        call_command("rotate_data_key", stdout=out)
        assert (
            "core.Questionnaire.answers：4 行，其中号码重新加密 0，已是当前密钥 6" in out.getvalue()
        )
    with only_k2():
        rows = list(Questionnaire.objects.order_by("pk"))
        assert [r.answers.get("id") for r in rows] == [ID_NUMBER] * 3 + [None]
        assert rows[0].answers["contacts"][0]["mobile"] == MOBILE


def test_resealing_counts_and_leaves_current_tokens_alone():
    with only_k1():
        stored = seal_document(_document())
    counts = [0, 0]
    with k2_then_k1():
        resealed = reseal_document(stored, counts)
        assert counts == [2, 0]
        again = [0, 0]
        assert reseal_document(resealed, again) == resealed
        assert again == [0, 2]
