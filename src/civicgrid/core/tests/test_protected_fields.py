"""Protected model fields against a real table: what is stored, how it is found, how it shows.

The models below live in an isolated app registry; their tables are created for this module
and dropped after it, outside the per-test transactions (SQLite cannot change its schema inside
one).
"""

import contextlib
import datetime
import pickle

import pytest
from django import forms
from django.apps import apps as django_apps
from django.contrib.admin.utils import display_for_field
from django.core import serializers
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.questioner import MigrationQuestioner
from django.db.migrations.state import ModelState, ProjectState
from django.db.migrations.writer import MigrationWriter
from django.test.utils import isolate_apps

from civicgrid.core.crypto import DecryptionError, decrypt, lookup_hash
from civicgrid.core.idcard import birth_date_of, make_id_number, sex_of
from civicgrid.core.masking import ProtectedValue, mask_id_number
from civicgrid.core.protected_fields import (
    LookupHashField,
    ProtectedIdNumberField,
    ProtectedMobileField,
    masked_from_token,
    protect,
    stored_token,
)
from civicgrid.core.testing import throwaway_tables

ALICE_ID = make_id_number("131128", datetime.date(1990, 1, 1), 124)
BOB_ID = make_id_number("131127", datetime.date(1985, 6, 15), 37)
CAROL_ID = make_id_number("130371", datetime.date(2001, 12, 31), 8)
ALICE_MOBILE = "13812345678"
BOB_MOBILE = "15900001111"

with isolate_apps("civicgrid.core"):

    class Resident(models.Model):
        """A register entry: a required unique ID number and an optional unique mobile."""

        name = models.CharField(max_length=50)
        id_number = ProtectedIdNumberField(unique=True)
        mobile = ProtectedMobileField(blank=True, unique=True)

        class Meta:
            app_label = "core"
            db_table = "core_test_protected_resident"

        def __str__(self) -> str:
            # Careless on purpose: the number still comes out masked.
            return f"{self.name} {self.id_number} {self.mobile}"

    class Visit(models.Model):  # noqa: DJ008 - a throwaway test table
        resident = models.ForeignKey(Resident, on_delete=models.CASCADE)
        place = models.CharField(max_length=50)

        class Meta:
            app_label = "core"
            db_table = "core_test_protected_visit"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tables")]


@pytest.fixture(scope="module")
def tables(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), throwaway_tables(Resident, Visit):
        yield


@contextlib.contextmanager
def _registered_globally(*temporary_models: type[models.Model]):
    """Let code that looks models up by label (deserialisation, unpickling) find ours."""
    for model in temporary_models:
        django_apps.register_model(model._meta.app_label, model)
    try:
        yield
    finally:
        for model in temporary_models:
            del django_apps.all_models[model._meta.app_label][model._meta.model_name]
        django_apps.clear_cache()


def _stored(resident: Resident) -> dict[str, str | None]:
    """The row as the database holds it, read with plain SQL."""
    with connection.cursor() as cursor:
        columns = "id_number, id_number_hash, mobile, mobile_hash"
        table = Resident._meta.db_table
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [resident.pk])  # noqa: S608
        row = cursor.fetchone()
    return dict(zip(["id_number", "id_number_hash", "mobile", "mobile_hash"], row, strict=True))


def _set_stored(resident: Resident, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Resident._meta.db_table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, resident.pk],
        )


@pytest.fixture
def alice() -> Resident:
    return Resident.objects.create(
        name="Alice", id_number=ALICE_ID.lower(), mobile="+86 138-1234-5678"
    )


@pytest.fixture
def bob() -> Resident:
    return Resident.objects.create(name="Bob", id_number=BOB_ID, mobile=BOB_MOBILE)


# --- declaring ----------------------------------------------------------------------------------


def test_one_declaration_makes_a_ciphertext_column_and_an_indexed_hash_column():
    field = Resident._meta.get_field("id_number")
    hash_field = Resident._meta.get_field("id_number_hash")
    assert field.get_internal_type() == "TextField"
    assert not field.unique  # random nonces: uniqueness lives on the hash
    assert isinstance(hash_field, LookupHashField)
    assert hash_field.unique
    assert not hash_field.editable
    assert Resident._meta.get_field("mobile_hash").null
    assert str(field.verbose_name) == "公民身份号码"
    assert str(Resident._meta.get_field("mobile").verbose_name) == "手机号码"


def test_the_models_pass_djangos_system_checks():
    assert Resident.check() == []
    assert Visit.check() == []


def test_a_non_unique_number_gets_a_plain_index_on_its_hash():
    with isolate_apps("civicgrid.core"):

        class Contact(models.Model):  # noqa: DJ008 - a throwaway test table
            mobile = ProtectedMobileField()

            class Meta:
                app_label = "core"

    hash_field = Contact._meta.get_field("mobile_hash")
    assert hash_field.db_index
    assert not hash_field.unique


def test_an_abstract_model_passes_the_number_and_its_hash_to_each_child():
    with isolate_apps("civicgrid.core"):

        class PersonBase(models.Model):
            id_number = ProtectedIdNumberField()

            class Meta:
                abstract = True
                app_label = "core"

        class Patient(PersonBase):  # noqa: DJ008 - a throwaway test table
            class Meta:
                app_label = "core"

    assert [f.name for f in Patient._meta.local_fields] == ["id", "id_number", "id_number_hash"]


def test_declaring_the_hash_column_by_hand_is_refused():
    with pytest.raises(ImproperlyConfigured), isolate_apps("civicgrid.core"):

        class Clash(models.Model):  # noqa: DJ008 - a throwaway test table
            mobile_hash = models.CharField(max_length=64)
            mobile = ProtectedMobileField()

            class Meta:
                app_label = "core"


@pytest.mark.parametrize(
    "options",
    [{"db_index": True}, {"primary_key": True}, {"max_length": 18}, {"null": True}],
)
def test_options_that_make_no_sense_on_ciphertext_are_refused(options):
    with pytest.raises(TypeError):
        ProtectedIdNumberField(**options)


# --- migrations ---------------------------------------------------------------------------------


def test_the_fields_deconstruct_into_what_recreates_them():
    for name in ("id_number", "id_number_hash", "mobile", "mobile_hash"):
        field = Resident._meta.get_field(name)
        _, path, args, kwargs = field.deconstruct()
        clone = field.__class__(*args, **kwargs)
        assert clone.deconstruct()[1:] == (path, args, kwargs)
        MigrationWriter.serialize(field)  # a migration file can hold it
    _, _, _, kwargs = Resident._meta.get_field("mobile").deconstruct()
    assert kwargs == {"verbose_name": "手机号码", "blank": True, "unique": True}
    _, _, _, kwargs = Resident._meta.get_field("mobile_hash").deconstruct()
    assert kwargs["source"] == "mobile"
    assert kwargs["kind"] == "mobile"


_NEW_APPS = MigrationQuestioner(specified_apps={"core"})


def _state_of(model: type[models.Model]) -> ProjectState:
    state = ProjectState()
    state.add_model(ModelState.from_model(model))
    return state


def test_migrations_see_both_columns_and_find_nothing_to_change_afterwards():
    create = MigrationAutodetector(ProjectState(), _state_of(Resident), _NEW_APPS).changes(
        MigrationGraph()
    )
    (operation,) = create["core"][0].operations
    columns = ["id", "name", "id_number", "mobile", "id_number_hash", "mobile_hash"]
    assert [name for name, _ in operation.fields] == columns

    # Replay the migration as `migrate` does: the historical model takes its hash columns from
    # the migration state and must not add them a second time.
    migrated = ProjectState()
    operation.state_forwards("core", migrated)
    historical = migrated.apps.get_model("core", "Resident")
    assert [f.name for f in historical._meta.fields] == columns
    assert (
        MigrationAutodetector(migrated, _state_of(Resident), _NEW_APPS).changes(MigrationGraph())
        == {}
    )


# --- assigning and saving -----------------------------------------------------------------------


def test_assignment_normalises_the_number():
    resident = Resident(name="Alice", id_number=f" {ALICE_ID[:6]} {ALICE_ID[6:]} ")
    resident.mobile = "0086 138 1234 5678"
    assert isinstance(resident.id_number, ProtectedValue)
    assert resident.id_number.reveal() == ALICE_ID
    assert resident.mobile.reveal() == ALICE_MOBILE


def test_assignment_of_a_bad_number_raises_the_validators_error():
    with pytest.raises(ValidationError) as caught:
        Resident(name="Eve", id_number=ALICE_ID[:17])
    assert caught.value.code == "length"
    resident = Resident(name="Eve", id_number=ALICE_ID)
    with pytest.raises(ValidationError) as caught:
        resident.mobile = "1.38123E+10"
    assert caught.value.code == "spreadsheet"


def test_the_database_holds_ciphertext_and_the_hash_never_the_number(alice):
    row = _stored(alice)
    assert ALICE_ID not in row["id_number"]
    assert ALICE_MOBILE not in row["mobile"]
    assert decrypt("id_number", row["id_number"]) == ALICE_ID
    assert decrypt("mobile", row["mobile"]) == ALICE_MOBILE
    assert row["id_number_hash"] == lookup_hash("id_number", ALICE_ID)
    assert row["mobile_hash"] == lookup_hash("mobile", ALICE_MOBILE)


def test_reading_gives_a_value_that_shows_masked_and_reveals_on_request(alice):
    alice = Resident.objects.get(pk=alice.pk)
    assert isinstance(alice.id_number, ProtectedValue)
    assert alice.id_number.reveal() == ALICE_ID
    assert str(alice.id_number) == f"{ALICE_ID[:6]}********{ALICE_ID[-4:]}"
    assert alice.mobile.masked == "138****5678"
    assert birth_date_of(alice.id_number) == datetime.date(1990, 1, 1)
    assert sex_of(alice.id_number) == "F"


def test_the_models_str_and_repr_show_only_masked_numbers(alice):
    alice = Resident.objects.get(pk=alice.pk)
    for text in (str(alice), repr(alice)):
        assert ALICE_ID not in text
        assert ALICE_MOBILE not in text
        assert "138****5678" in text


def test_the_admin_displays_the_masked_number(alice):
    field = Resident._meta.get_field("id_number")
    shown = display_for_field(alice.id_number, field, "-")
    assert shown == alice.id_number.masked


def test_an_empty_optional_number_is_stored_as_null_and_many_may_be_empty():
    first = Resident.objects.create(name="Dan", id_number=CAROL_ID, mobile="")
    second = Resident.objects.create(name="Fay", id_number=BOB_ID, mobile=None)
    for resident in (first, second):
        assert _stored(resident)["mobile"] is None
        assert _stored(resident)["mobile_hash"] is None
        assert Resident.objects.get(pk=resident.pk).mobile is None
    assert set(Resident.objects.filter(mobile__isnull=True)) == {first, second}


def test_a_missing_required_number_is_refused_by_validation_and_by_the_database():
    resident = Resident(name="Nobody")
    with pytest.raises(ValidationError) as caught:
        resident.full_clean()
    assert "id_number" in caught.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        resident.save()


def test_the_hash_attribute_follows_the_number_before_saving(alice):
    alice.id_number = BOB_ID
    assert alice.id_number_hash == lookup_hash("id_number", BOB_ID)
    alice.id_number_hash = "forged"
    assert alice.id_number_hash == lookup_hash("id_number", BOB_ID)
    alice.mobile = None
    assert alice.mobile_hash is None


def test_saving_an_unchanged_row_keeps_its_ciphertext(alice):
    before = _stored(alice)
    alice = Resident.objects.get(pk=alice.pk)
    alice.name = "Alice B."
    alice.save()
    assert _stored(alice) == before


def test_a_new_number_replaces_ciphertext_and_hash(alice):
    alice.id_number = CAROL_ID
    alice.save()
    row = _stored(alice)
    assert decrypt("id_number", row["id_number"]) == CAROL_ID
    assert row["id_number_hash"] == lookup_hash("id_number", CAROL_ID)


def test_update_fields_naming_the_number_must_name_its_hash(alice):
    alice.id_number = CAROL_ID
    with pytest.raises(ValueError, match="id_number_hash"):
        alice.save(update_fields=["id_number"])
    alice.save(update_fields=["id_number", "id_number_hash"])
    assert _stored(alice)["id_number_hash"] == lookup_hash("id_number", CAROL_ID)


def test_queryset_update_with_a_raw_number_is_refused(alice):
    with pytest.raises(TypeError, match="look-up hash"):
        Resident.objects.filter(pk=alice.pk).update(id_number=CAROL_ID)


def test_bulk_create_and_bulk_update_keep_the_hash_in_step():
    residents = Resident.objects.bulk_create(
        [Resident(name="A", id_number=ALICE_ID), Resident(name="B", id_number=BOB_ID)]
    )
    assert Resident.objects.filter(id_number=BOB_ID).count() == 1
    residents[0].id_number = CAROL_ID
    Resident.objects.bulk_update(residents, ["id_number", "id_number_hash"])
    assert Resident.objects.get(id_number=CAROL_ID).name == "A"
    assert not Resident.objects.filter(id_number=ALICE_ID).exists()


def test_a_duplicate_number_fails_validation_in_words_and_the_database_refuses_it(alice):
    twin = Resident(name="Twin", id_number=ALICE_ID)
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert caught.value.message_dict["id_number"] == ["该公民身份号码已登记，不能重复。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    alice.full_clean()  # a row is no duplicate of itself


# --- finding ------------------------------------------------------------------------------------


def test_filter_by_number_matches_through_the_hash_whatever_the_spelling(alice, bob):
    assert list(Resident.objects.filter(id_number=ALICE_ID.lower())) == [alice]
    assert list(Resident.objects.filter(mobile="+86 138 1234 5678")) == [alice]
    assert list(Resident.objects.filter(id_number=bob.id_number)) == [bob]
    assert Resident.objects.get(id_number_hash=lookup_hash("id_number", BOB_ID)) == bob
    assert not Resident.objects.filter(id_number=CAROL_ID).exists()


def test_filter_by_several_numbers(alice, bob):
    found = Resident.objects.filter(id_number__in=[ALICE_ID, BOB_ID, CAROL_ID, None])
    assert set(found) == {alice, bob}
    assert not Resident.objects.filter(id_number__in=[]).exists()


def test_filter_across_a_relation_and_exclude(alice, bob):
    Visit.objects.create(resident=alice, place="gate 1")
    Visit.objects.create(resident=bob, place="gate 2")
    assert Visit.objects.get(resident__id_number=ALICE_ID).place == "gate 1"
    assert Visit.objects.get(resident__mobile=BOB_MOBILE).place == "gate 2"
    assert list(Resident.objects.exclude(id_number=ALICE_ID)) == [bob]
    carol = Resident.objects.create(name="Carol", id_number=CAROL_ID)
    assert set(Resident.objects.exclude(mobile=ALICE_MOBILE)) == {bob, carol}  # NULL included


def test_filter_by_a_malformed_number_says_what_is_wrong(alice):
    with pytest.raises(ValidationError) as caught:
        list(Resident.objects.filter(id_number=ALICE_ID[:17]))
    assert caught.value.code == "length"


def test_iexact_is_the_lenient_search_for_the_admin(alice, bob):
    assert list(Resident.objects.filter(id_number__iexact=ALICE_ID.lower())) == [alice]
    assert not Resident.objects.filter(id_number__iexact="Alice").exists()
    either = models.Q(name__icontains="bob") | models.Q(id_number__iexact="bob")
    assert list(Resident.objects.filter(either)) == [bob]


def test_filter_by_none_means_is_null(alice):
    assert not Resident.objects.filter(mobile=None).exists()


@pytest.mark.parametrize("lookup", ["icontains", "startswith", "gt", "regex", "year"])
def test_lookups_that_cannot_work_on_ciphertext_raise(lookup):
    with pytest.raises(FieldError):
        Resident.objects.filter(**{f"id_number__{lookup}": "1311"})


def test_comparing_with_an_expression_is_refused():
    with pytest.raises(TypeError):
        Resident.objects.filter(id_number=models.F("mobile"))


def test_values_list_gives_protected_values(alice):
    (value,) = Resident.objects.filter(pk=alice.pk).values_list("id_number", flat=True)
    assert isinstance(value, ProtectedValue)
    assert value == ALICE_ID


def test_a_deferred_number_is_loaded_and_decrypted_on_first_use(alice):
    alice = Resident.objects.only("name").get(pk=alice.pk)
    assert alice.id_number == ALICE_ID
    only_hash = Resident.objects.only("id_number_hash").get(pk=alice.pk)
    assert only_hash.id_number_hash == lookup_hash("id_number", ALICE_ID)


# --- tampering ----------------------------------------------------------------------------------


def test_a_tampered_ciphertext_raises_instead_of_reading_garbage(alice):
    token = _stored(alice)["id_number"]
    flipped = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    _set_stored(alice, "id_number", flipped)
    with pytest.raises(DecryptionError):
        Resident.objects.get(pk=alice.pk)


def test_a_mobile_ciphertext_copied_into_the_id_number_column_is_refused(alice):
    _set_stored(alice, "id_number", _stored(alice)["mobile"])
    with pytest.raises(DecryptionError, match="id_number"):
        Resident.objects.get(pk=alice.pk)


# --- forms --------------------------------------------------------------------------------------


class ResidentForm(forms.ModelForm):
    class Meta:
        model = Resident
        fields = ["name", "id_number", "mobile"]


def test_a_model_form_shows_the_stored_number_masked(alice):
    html = ResidentForm(instance=alice).as_p()
    assert ALICE_ID not in html
    assert ALICE_MOBILE not in html
    assert alice.id_number.masked in html
    assert 'autocomplete="off"' in html
    assert "id_number_hash" not in html


def test_a_model_form_submitted_unchanged_keeps_the_numbers(alice):
    before = _stored(alice)
    data = {"name": "Alice", "id_number": alice.id_number.masked, "mobile": alice.mobile.masked}
    form = ResidentForm(data=data, instance=alice)
    assert form.is_valid(), form.errors
    assert not form.has_changed()
    form.save()
    assert _stored(alice) == before


def test_a_model_form_takes_a_new_number_and_clears_an_optional_one(alice):
    data = {"name": "Alice", "id_number": CAROL_ID.lower(), "mobile": ""}
    form = ResidentForm(data=data, instance=alice)
    assert form.is_valid(), form.errors
    assert form.changed_data == ["id_number", "mobile"]
    form.save()
    alice.refresh_from_db()
    assert alice.id_number == CAROL_ID
    assert alice.mobile is None


def test_a_model_form_reports_a_bad_number_and_a_duplicate_in_chinese(alice):
    form = ResidentForm(data={"name": "Eve", "id_number": ALICE_ID[:17] + "0", "mobile": "12"})
    assert not form.is_valid()
    assert "校验码不符" in form.errors["id_number"][0]
    assert form.errors["mobile"] == ["手机号码应为 11 位，当前为 2 位。"]
    form = ResidentForm(data={"name": "Eve", "id_number": ALICE_ID, "mobile": ""})
    assert not form.is_valid()
    assert form.errors["id_number"] == ["该公民身份号码已登记，不能重复。"]


def test_the_masked_text_is_no_valid_number_for_a_new_row(alice):
    form = ResidentForm(data={"name": "Eve", "id_number": alice.id_number.masked, "mobile": ""})
    assert not form.is_valid()
    assert form.errors["id_number"] == ["公民身份号码第 7 位应为数字。"]


# --- serialising --------------------------------------------------------------------------------


def test_dumpdata_writes_ciphertext_and_loaddata_restores_the_numbers(alice):
    dumped = serializers.serialize("json", Resident.objects.filter(pk=alice.pk))
    assert ALICE_ID not in dumped
    assert ALICE_MOBILE not in dumped
    assert alice.id_number.masked not in dumped
    Resident.objects.filter(pk=alice.pk).delete()
    with _registered_globally(Resident):
        for restored in serializers.deserialize("json", dumped):
            restored.save()
    alice = Resident.objects.get(pk=alice.pk)
    assert alice.id_number == ALICE_ID
    assert alice.mobile == ALICE_MOBILE
    assert Resident.objects.get(id_number=ALICE_ID) == alice


def test_a_pickled_row_carries_no_plain_number(alice):
    alice = Resident.objects.get(pk=alice.pk)
    data = pickle.dumps(alice)
    assert ALICE_ID.encode() not in data
    assert ALICE_MOBILE.encode() not in data
    with _registered_globally(Resident):
        restored = pickle.loads(data)  # noqa: S301 - our own pickle
    assert restored.id_number == ALICE_ID
    assert restored.mobile_hash == lookup_hash("mobile", ALICE_MOBILE)


def test_protect_wraps_a_raw_number_for_use_outside_a_model():
    value = protect("mobile", "+86 159 0000 1111")
    assert value == BOB_MOBILE
    assert str(value) == "159****1111"
    assert protect("mobile", value) is value
    with pytest.raises(TypeError):
        protect("id_number", value)


def test_a_list_can_mask_the_stored_ciphertext_without_decrypting_into_a_value():
    Resident.objects.create(name="Alice", id_number=ALICE_ID, mobile=ALICE_MOBILE)
    rows = Resident.objects.annotate(
        id_token=stored_token("id_number"), mobile_token=stored_token("mobile")
    ).values_list("id_token", "mobile_token")
    ((id_token, mobile_token),) = rows
    assert ALICE_ID not in id_token  # the raw column, not the number
    assert masked_from_token("id_number", id_token) == mask_id_number(ALICE_ID)
    assert masked_from_token("mobile", mobile_token) == "138****5678"

    # A changed number is a new ciphertext, so a cached mask can never describe an old number.
    alice = Resident.objects.get()
    alice.mobile = BOB_MOBILE
    alice.save()
    (new_token,) = Resident.objects.annotate(t=stored_token("mobile")).values_list("t", flat=True)
    assert new_token != mobile_token
    assert masked_from_token("mobile", new_token) == "159****1111"
