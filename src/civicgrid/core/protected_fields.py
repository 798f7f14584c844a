"""Model fields for citizen ID numbers and mobile numbers: encrypted, hashed for look-up, masked.

One line per number:

    from civicgrid.core.protected_fields import ProtectedIdNumberField, ProtectedMobileField

    class Person(models.Model):
        id_number = ProtectedIdNumberField(unique=True)           # verbose name 公民身份号码
        mobile = ProtectedMobileField(blank=True)                 # optional: stored as NULL

Each declaration makes two columns: `id_number` holds the AES-GCM ciphertext (text) and
`id_number_hash` the indexed HMAC look-up hash (`core.crypto`), added automatically (and written
into migrations like any field). `unique=True` puts the unique constraint on the hash.

Using it:

    person = Person(id_number=" 131128199001011231", mobile="+86 138-1234-5678")
    # assignment validates and normalises: a bad number raises ValidationError (Chinese message)
    person.save()
    person.id_number            # ProtectedValue: prints as 131128********1231 everywhere
    f"{person.id_number}"       # "131128********1231"; so do templates, JSON, logs, the admin
    person.id_number.reveal()   # "131128199001011231" — audit every call that shows or exports it
    birth_date_of(person.id_number), sex_of(person.id_number)   # work on it directly

    Person.objects.filter(id_number="131128199001011231")     # exact match, via the hash
    Person.objects.filter(id_number__in=[a, b])                # ... several
    Person.objects.filter(household__head__mobile=raw)         # ... across relations
    Person.objects.filter(id_number_hash=lookup_hash("id_number", raw))   # the same, spelled out
    Person.objects.filter(mobile__isnull=True)

    `exact` and `in` raise ValidationError for a malformed number (like UUIDField), so a search
    form can say what is wrong. `iexact` is the lenient variant for the admin's
    `search_fields = ["=id_number"]`: a term that is not a valid number simply matches nothing.
    Every other lookup (contains, startswith, ordering by value...) is impossible on ciphertext
    and raises FieldError.

Rules that keep the hash in step with the ciphertext:
- Assign through the attribute (or a ModelForm) and `save()`. `QuerySet.update(id_number=...)`
  with a raw string raises TypeError (it could not update the hash).
- `save(update_fields=[...])` naming the number must also name its `_hash` column.
- `bulk_update(objs, ["id_number", "id_number_hash"])` works; `bulk_create` works.

Forms: the model field's form field shows the masked value; submitting it unchanged keeps the
stored number, typing a new one replaces it. Serialisation (dumpdata) writes ciphertext, never
the plain number; pickling a value stores it encrypted.

Key rotation: `manage.py rotate_data_key` re-encrypts every protected field of every model.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured, ValidationError
from django.db import models, router
from django.db.models import ExpressionWrapper, F
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import pre_save
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civicgrid.core.crypto import (
    DecryptionError,
    current_data_key_id,
    decrypt,
    encrypt,
    lookup_hash,
    token_key_id,
)
from civicgrid.core.idcard import normalize_id_number
from civicgrid.core.masking import ProtectedValue, mask
from civicgrid.core.mobile import normalize_mobile

NORMALIZERS: dict[str, Callable[[object], str]] = {
    "id_number": normalize_id_number,
    "mobile": normalize_mobile,
}
HASH_SUFFIX = "_hash"
HASH_LENGTH = 64  # hex SHA-256


def protect(kind: str, raw: object) -> ProtectedValue:
    """Validate and normalise `raw` as a `kind` ("id_number", "mobile") and wrap it so that it
    prints masked. Raises ValidationError for bad input; a ProtectedValue of the same kind is
    returned as it is."""
    if isinstance(raw, ProtectedValue):
        if raw.kind != kind:
            raise TypeError(f"cannot use a protected {raw.kind} as a {kind}")
        return raw
    return ProtectedValue(kind, NORMALIZERS[kind](raw))


# Masked texts kept per process: about 10 MB at most, and no plain number among them.
MASKED_CACHE_SIZE = 50_000


@functools.lru_cache(maxsize=MASKED_CACHE_SIZE)
def masked_from_token(kind: str, token: str) -> str:
    """The masked text (`130102********1234`) of a stored ciphertext, for lists that show
    only that: read the column raw (`stored_token(name)`) and mask here. A token stands for one
    value for ever (a changed number is a new token), so the answer never goes stale, and the
    cache holds what every list shows anyway, never the plain number."""
    return mask(kind, decrypt(kind, token))


def stored_token(name: str) -> ExpressionWrapper:
    """The column `name` of a protected field as stored (its ciphertext), for `values()`."""
    return ExpressionWrapper(F(name), output_field=models.TextField())


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _token_for(value: ProtectedValue) -> str:
    """The ciphertext to store: the one it was read as when that key is still current, so that
    saving an unchanged row does not rewrite it; otherwise a fresh one."""
    if value.token is not None and token_key_id(value.token) == current_data_key_id():
        return value.token
    value.token = encrypt(value.kind, value.reveal())
    return value.token


class _ProtectedAttribute(DeferredAttribute):
    """Validates and normalises on assignment; deferred loading as for any field."""

    def __set__(self, instance: models.Model, value: object) -> None:
        instance.__dict__[self.field.attname] = self.field.to_protected(value)  # type: ignore[attr-defined]


class _LookupHashAttribute(DeferredAttribute):
    """Always the hash of the number currently held, so the two can never disagree; the stored
    column value only when the number itself was not loaded (`.only("id_number_hash")`)."""

    def __get__(self, instance: models.Model | None, cls: Any = None) -> Any:
        if instance is None:
            return self
        field: LookupHashField = self.field  # type: ignore[assignment]
        if field.source in instance.__dict__:
            value = instance.__dict__[field.source]
            return None if value is None else lookup_hash(field.kind, value)
        return super().__get__(instance, cls)

    def __set__(self, instance: models.Model, value: object) -> None:
        instance.__dict__[self.field.attname] = value


class LookupHashField(models.CharField):
    """The indexed look-up hash of a protected field; added by it, never declared by hand."""

    descriptor_class = _LookupHashAttribute
    default_error_messages = {"unique": _("该号码已登记，不能重复。")}

    def __init__(self, *args: Any, source: str, kind: str, **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs["max_length"] = HASH_LENGTH
        kwargs["editable"] = False
        kwargs["blank"] = True
        kwargs.setdefault("db_index", not kwargs.get("unique", False))
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str | None:
        # varchar(64) spelled `character varying(64)`, so that Django's PostgreSQL schema
        # editor makes no second, varchar_pattern_ops `_like` index beside the hash's own: a
        # hash is only ever compared whole (= and IN, never LIKE), and every index slows the
        # register's bulk imports. The same type; SQLite is unaffected.
        db_type = super().db_type(connection)
        if connection.vendor == "postgresql" and db_type and db_type.startswith("varchar("):
            return "character varying" + db_type.removeprefix("varchar")
        return db_type

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "editable", "blank"):
            kwargs.pop(fixed, None)
        kwargs.update(source=self.source, kind=self.kind)
        return name, path, args, kwargs


class ProtectedField(models.Field):
    """Base of the protected number fields; use ProtectedIdNumberField or ProtectedMobileField."""

    kind: ClassVar[str]
    default_verbose_name: ClassVar[Any]
    descriptor_class = _ProtectedAttribute
    description = _("加密存储的个人号码")
    default_error_messages = {"unique": _("该%(field)s已登记，不能重复。")}

    def __init__(
        self, verbose_name: Any = None, *, unique: bool = False, blank: bool = False, **kwargs: Any
    ) -> None:
        for option in ("db_index", "primary_key", "choices", "max_length", "db_default"):
            if kwargs.get(option):
                raise TypeError(f"{type(self).__name__} does not support {option}=")
        # Optional numbers are NULL (never ""), so that a unique hash allows many empty rows.
        if kwargs.pop("null", blank) != blank:
            raise TypeError(
                f"{type(self).__name__}: null follows blank; pass blank=True for an optional number"
            )
        self.lookup_unique = unique
        super().__init__(
            verbose_name if verbose_name is not None else self.default_verbose_name,
            blank=blank,
            null=blank,
            **kwargs,
        )

    @property
    def hash_name(self) -> str:
        return f"{self.name}{HASH_SUFFIX}"

    def get_internal_type(self) -> str:
        return "TextField"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("null", None)
        if self.lookup_unique:
            kwargs["unique"] = True
        return name, path, args, kwargs

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        # Abstract models pass a copy of the field to each child, which adds its own hash.
        # Historical models (migrations) get the hash field from the migration state itself.
        if cls._meta.abstract or cls.__module__ == "__fake__":
            return
        if any(field.name == self.hash_name for field in cls._meta.local_fields):
            raise ImproperlyConfigured(
                f"{cls.__name__}.{self.hash_name} is added by {name}; do not declare it yourself"
            )
        hash_field = LookupHashField(
            format_lazy("{}（查询散列）", self.verbose_name),
            source=self.attname,
            kind=self.kind,
            unique=self.lookup_unique,
            null=self.null,
        )
        cls.add_to_class(self.hash_name, hash_field)
        pre_save.connect(self._check_update_fields, sender=cls)

    def _check_update_fields(
        self, sender: type[models.Model], update_fields: Iterable[str] | None = None, **kwargs: Any
    ) -> None:
        if update_fields and self.name in update_fields and self.hash_name not in update_fields:
            raise ValueError(
                f"save(update_fields=...) names {self.name!r} but not {self.hash_name!r}: "
                "the look-up hash would go stale; name both"
            )

    # --- values -------------------------------------------------------------------------------

    def to_protected(self, value: object) -> ProtectedValue | None:
        """What assignment stores: None for empty, else a validated ProtectedValue."""
        if _is_empty(value):
            return None
        return protect(self.kind, value)

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> ProtectedValue | None:
        if value is None:
            return None
        return ProtectedValue(self.kind, decrypt(self.kind, value), token=value)

    def to_python(self, value: Any) -> ProtectedValue | None:
        # Besides plain input, accept this installation's ciphertext: that is what
        # dumpdata/loaddata carry (see value_to_string). Plain numbers never parse as tokens.
        if isinstance(value, str) and not isinstance(value, ProtectedValue):
            try:
                token_key_id(value)
            except DecryptionError:
                pass
            else:
                return self.from_db_value(value, None, None)
        return self.to_protected(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, ProtectedValue) and value.kind == self.kind:
            return _token_for(value)
        owner = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else self.kind
        raise TypeError(
            f"{owner} stores only values assigned through the model "
            "(instance.field = raw; instance.save()), so that its look-up hash stays in step; "
            "filter with field=raw, which compares hashes"
        )

    # None for a missing number, so that loaddata restores a NULL rather than "".
    def value_to_string(self, obj: models.Model) -> str | None:  # type: ignore[override]
        value = self.value_from_object(obj)
        return None if value is None else _token_for(value)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if self.lookup_unique and value is not None and model_instance is not None:
            # The unique constraint is on the hash column, which forms leave out of their
            # unique checks; check here so the error lands on this field, in words.
            model = self.model
            others = model._base_manager.using(
                router.db_for_write(model, instance=model_instance)
            ).filter(**{self.hash_name: lookup_hash(self.kind, value)})
            if not model_instance._state.adding:
                others = others.exclude(pk=model_instance.pk)
            if others.exists():
                raise ValidationError(
                    self.error_messages["unique"],
                    code="unique",
                    params={"field": self.verbose_name},
                )

    def formfield(self, **kwargs: Any) -> forms.Field | None:  # type: ignore[override]
        return super().formfield(**{"form_class": ProtectedFormField, "kind": self.kind, **kwargs})

    # --- lookups ------------------------------------------------------------------------------

    _LOOKUPS: ClassVar[frozenset[str]] = frozenset({"exact", "iexact", "in", "isnull"})

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in self._LOOKUPS:
            return None  # Django then raises FieldError("Unsupported lookup ...")
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


class ProtectedIdNumberField(ProtectedField):
    """A citizen ID number (GB 11643, `core.idcard`), encrypted, with `<name>_hash` for look-ups."""

    kind = "id_number"
    default_verbose_name = _("公民身份号码")


class ProtectedMobileField(ProtectedField):
    """A mainland mobile number (`core.mobile`), encrypted, with `<name>_hash` for look-ups."""

    kind = "mobile"
    default_verbose_name = _("手机号码")


# --- lookups by value, compiled against the hash column --------------------------------------


def _hash_column(lhs: Any) -> Col:
    if not isinstance(lhs, Col) or not isinstance(lhs.target, ProtectedField):
        raise TypeError(
            "protected fields can only be compared directly, e.g. filter(id_number=raw)"
        )
    target = lhs.target
    hash_field = target.model._meta.get_field(target.hash_name)
    return Col(lhs.alias, cast(models.Field, hash_field))  # the CharField made beside it


class _ByHash(Lookup):
    prepare_rhs = False

    def _hash(self, value: object) -> str | None:
        if value is None:
            return None  # Django turns `field=None` into `field__isnull=True`
        if hasattr(value, "resolve_expression"):
            raise TypeError(
                "a protected field cannot be compared with an expression; compare the "
                "<field>_hash columns instead"
            )
        return lookup_hash(self.lhs.output_field.kind, value)


@ProtectedField.register_lookup
class ProtectedExact(_ByHash):
    """`field=raw`: the row whose hash equals the hash of the normalised `raw`."""

    lookup_name = "exact"

    def get_prep_lookup(self) -> Any:
        return self._hash(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(_hash_column(self.lhs))
        return f"{sql} = %s", [*params, self.rhs]


@ProtectedField.register_lookup
class ProtectedLenientExact(ProtectedExact):
    """`field__iexact=raw`: like exact, but a malformed `raw` matches nothing instead of raising.
    For the admin's `search_fields = ["=field"]`, where every term is tried on every field."""

    lookup_name = "iexact"
    _NO_MATCH = ""  # never a hash

    def get_prep_lookup(self) -> Any:
        try:
            return self._hash(self.rhs)
        except ValidationError:
            return self._NO_MATCH

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if self.rhs == self._NO_MATCH:
            raise EmptyResultSet
        return super().as_sql(compiler, connection)


@ProtectedField.register_lookup
class ProtectedIn(_ByHash):
    """`field__in=[raw, ...]`: rows whose hash is among the hashes of the values."""

    lookup_name = "in"

    def get_prep_lookup(self) -> Any:
        if hasattr(self.rhs, "resolve_expression") or isinstance(self.rhs, str):
            raise TypeError("field__in takes a list of numbers")
        return sorted({self._hash(value) for value in self.rhs if value is not None})

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise EmptyResultSet
        sql, params = compiler.compile(_hash_column(self.lhs))
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{sql} IN ({placeholders})", [*params, *self.rhs]


# --- forms -----------------------------------------------------------------------------------


class ProtectedFormField(forms.CharField):
    """Shows the stored number masked; unchanged (the masked text submitted back) keeps it, a
    newly typed number is validated and normalised. `cleaned_data` holds a ProtectedValue."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("spellcheck", "false")
        if kind == "mobile":
            self.widget.attrs.setdefault("inputmode", "tel")

    def prepare_value(self, value: Any) -> Any:
        return value.masked if isinstance(value, ProtectedValue) else value

    def to_python(self, value: Any) -> ProtectedValue | None:
        if isinstance(value, ProtectedValue):
            return value
        text = super().to_python(value)
        return None if text in self.empty_values else protect(self.kind, text)

    def _clean_bound_field(self, bf: Any) -> Any:
        initial = bf.initial
        if (
            not self.disabled
            and isinstance(initial, ProtectedValue)
            and isinstance(bf.data, str)
            and bf.data.strip() == initial.masked
        ):
            return initial
        return super()._clean_bound_field(bf)  # type: ignore[misc]  # Django 5.x, unstubbed

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        if (
            isinstance(initial, ProtectedValue)
            and isinstance(data, str)
            and data.strip() == initial.masked
        ):
            return False
        try:
            return self.to_python(data) != (initial or None)
        except ValidationError:
            return True
