"""A request's session and user, read together in one fixed statement (core.session_store,
accounts.session_user, accounts.backends): the same users signed in, and the same ones refused,
as with Django's own store and backend."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.backends import AccountBackend
from civicgrid.accounts.models import User
from civicgrid.accounts.session_user import loaded_user
from civicgrid.core.models import Session
from civicgrid.core.session_store import SessionStore
from civicgrid.core.sql_rows import _by_pk_sql
from civicgrid.core.testing import TEST_PASSWORD

pytestmark = pytest.mark.django_db

copy_live_sessions = import_module("civicgrid.core.migrations.0004_session").copy_live_sessions
forget_old_sessions = import_module(
    "civicgrid.core.migrations.0005_forget_old_sessions"
).forget_old_sessions


def signed_in(user: User, backend: str = "civicgrid.accounts.backends.AccountBackend") -> str:
    """A session key of `user` signed in through `backend`, as the sign-in page makes one."""
    client = Client()
    client.force_login(user, backend=backend)
    return client.cookies["sessionid"].value


def user_of(session_key: str) -> object:
    """`request.user` as AuthenticationMiddleware finds it for a request with this cookie."""
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return auth.get_user(request)


def read_with_the_session(session_key: str) -> object:
    """The user the session store reads joined to the session row."""
    store = SessionStore(session_key)
    store.load()
    return store.loaded_user


@pytest.mark.parametrize("read", [user_of, read_with_the_session])
def test_the_signed_in_user_is_read_with_every_field_as_the_orm_reads_it(personas, read):
    user = personas.resident_a
    found = read(signed_in(user))
    expected = User.objects.get(pk=user.pk)
    assert isinstance(found, User)
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.date_joined.tzinfo is not None


def test_the_session_answers_on_a_page_that_needs_a_sign_in(personas):
    client = Client()
    client.cookies["sessionid"] = signed_in(personas.clerk_a)
    assert client.get(reverse("accounts:workspace")).status_code == 200


def test_an_unknown_session_key_is_anonymous_and_never_revived():
    store = SessionStore("x" * 32)
    request = RequestFactory().get("/")
    request.session = store
    assert isinstance(auth.get_user(request), AnonymousUser)
    store["note"] = "new"
    store.save()
    assert store.session_key != "x" * 32
    assert not Session.objects.filter(session_key="x" * 32).exists()


def test_an_expired_session_signs_nobody_in(personas):
    key = signed_in(personas.resident_a)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert isinstance(user_of(key), AnonymousUser)


def test_a_deactivated_user_is_signed_out(personas):
    user = personas.resident_a
    key = signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert isinstance(user_of(key), AnonymousUser)


def test_a_deleted_user_is_signed_out(personas):
    user = User.objects.create_user(username="leaving", password="x-Long-Passw0rd")
    key = signed_in(user)
    user.delete()
    assert isinstance(user_of(key), AnonymousUser)
    assert not Session.objects.filter(session_key=key).exists()  # deleted with the user


def test_a_password_change_signs_out_other_sessions(personas):
    user = personas.clerk_a
    key = signed_in(user)
    user.set_password("another-Long-Passw0rd")
    user.save()
    assert isinstance(user_of(key), AnonymousUser)


def test_sessions_signed_in_before_the_fast_backend_keep_working(personas):
    user = personas.resident_a
    key = signed_in(user, backend="django.contrib.auth.backends.ModelBackend")
    assert user_of(key) == user


def test_the_sign_in_page_records_the_fast_backend(personas):
    client = Client()
    client.post("/accounts/login/", {"username": "county_a_officer", "password": TEST_PASSWORD})
    data = SessionStore(client.cookies["sessionid"].value).load()
    assert data[auth.BACKEND_SESSION_KEY] == "civicgrid.accounts.backends.AccountBackend"
    assert data[auth.SESSION_KEY] == str(personas.county_a_officer.pk)


def test_a_request_reads_its_session_and_user_in_one_statement(personas):
    client = Client()
    client.cookies["sessionid"] = signed_in(personas.clerk_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:workspace")).status_code == 200
    sessions = [q["sql"] for q in queries if "core_session" in q["sql"]]
    assert len(sessions) == 1 and "accounts_user" in sessions[0]
    by_pk = _by_pk_sql(User, connection.vendor)
    assert not [q for q in queries if q["sql"] == by_pk]


def test_the_session_row_names_its_user_and_a_sign_out_removes_it(personas):
    client = Client()
    client.post("/accounts/login/", {"username": "county_a_officer", "password": TEST_PASSWORD})
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user_id == personas.county_a_officer.pk
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_the_user_is_the_one_the_session_data_names_whatever_the_column_says(personas):
    key = signed_in(personas.resident_a)
    Session.objects.filter(session_key=key).update(user=personas.county_a_officer)
    client = Client()
    client.cookies["sessionid"] = key
    assert client.get(reverse("community:my_passes")).wsgi_request.user == personas.resident_a


def test_a_session_without_the_column_still_signs_its_user_in(personas):
    key = signed_in(personas.resident_a)
    Session.objects.filter(session_key=key).update(user=None)
    client = Client()
    client.cookies["sessionid"] = key
    assert client.get(reverse("community:my_passes")).wsgi_request.user == personas.resident_a


def test_no_user_is_offered_outside_a_requests_sign_in_check(personas):
    user = personas.resident_a
    store = SessionStore(signed_in(user))
    store.load()
    assert store.loaded_user == user
    assert loaded_user(user.pk) is None
    assert AccountBackend().get_user(user.pk) == user  # read for itself


def test_a_deactivated_user_read_with_the_session_is_refused(personas):
    user = personas.resident_a
    key = signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    client = Client()
    client.cookies["sessionid"] = key
    response = client.get(reverse("accounts:workspace"))
    assert isinstance(response.wsgi_request.user, AnonymousUser)


def test_moving_sessions_keeps_live_ones_with_their_user_and_leaves_nothing_behind(personas):
    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    live = DjangoStore()
    live[auth.SESSION_KEY] = str(personas.clerk_a.pk)
    live.create()
    gone = DjangoStore()
    gone.set_expiry(-1)
    gone.create()
    copy_live_sessions(apps, None)
    moved = Session.objects.get(session_key=live.session_key)
    assert moved.user_id == personas.clerk_a.pk
    assert SessionStore(live.session_key).load()[auth.SESSION_KEY] == str(personas.clerk_a.pk)
    assert not Session.objects.filter(session_key=gone.session_key).exists()
    forget_old_sessions(apps, None)
    assert not DjangoStore().exists(live.session_key)  # nothing left in Django's own table
    assert SessionStore().exists(live.session_key)


def test_each_load_of_the_same_session_data_gets_its_own_dict(personas):
    """Decoded data is kept by its stored text (core.session_store._flat_items): a change
    made to one request's session must not reach the next load of the same row."""
    key = signed_in(personas.resident_a)
    first = SessionStore(key)
    first["note"] = "changed, not saved"
    again = SessionStore(key)
    assert "note" not in again.load() and again.load()["_auth_user_id"] == str(
        personas.resident_a.pk
    )


def test_a_session_holding_a_list_is_parsed_for_each_load():
    store = SessionStore()
    store["visited"] = ["a"]
    store.save()
    first = SessionStore(store.session_key)
    first["visited"].append("b")  # in place, not saved
    assert SessionStore(store.session_key)["visited"] == ["a"]


def test_tampered_session_data_is_an_empty_session_every_time(personas, caplog):
    key = signed_in(personas.resident_a)
    row = Session.objects.get(session_key=key)
    good = row.session_data
    Session.objects.filter(pk=key).update(
        session_data=good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    )
    for _attempt in range(2):  # a failure is not kept: the second read is refused as well
        assert SessionStore(key).load() == {}
    assert "Session data corrupted" in caplog.text
    Session.objects.filter(pk=key).update(session_data=good)
    assert user_of(key) == personas.resident_a
