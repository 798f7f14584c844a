"""Message templates: declared in code, wording editable by administrators.

Each app declares the messages it sends in its own `notification_templates.py` (imported at
start-up by the notifications app):

    from django.utils.translation import gettext_lazy as _

    from civicgrid.core.notifications.choices import Channel, NotificationCategory
    from civicgrid.core.notifications.registry import register_template

    register_template(
        "errand_claimed",
        category=NotificationCategory.ERRANDS,
        title=_("代购需求已被认领"),
        body=_("您的代购需求“{title}”已被志愿者{volunteer}认领。"),
        sms=_("您的代购需求“{title}”已被志愿者{volunteer}认领，请保持电话畅通。"),
        channels=(Channel.IN_APP, Channel.SMS),
        description="志愿者认领居民的代购需求时发给居民。",
    )

Why code first: the code that calls `notify()` knows which variables it passes, so the code owns
the contract (the code, its category, its channels, its urgency and its variables). The text
is a default: an administrator may reword it in the admin (`TemplateOverride`), using only the
variables the code declares, and may not add channels or make a message urgent.

Placeholders are plain `{name}` fields (letters, digits, underscores). Attribute and index look-ups
(`{user.password}`), conversions and format specs are refused when registering and when an
administrator saves an override, so a template can never reach into an object. Literal braces
are written `{{` and `}}`.

Rendering is strict: a variable the template declares but the context lacks (or gives as None)
raises `MissingTemplateVariable` when `notify()` is called, inside the caller's transaction, so a
half-rendered message is never stored or sent.
"""

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise

from civicgrid.core.notifications.choices import Channel, NotificationCategory

TITLE_MAX_LENGTH = 200
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TemplateError(Exception):
    """Base of every template problem; all are programming or configuration errors."""


class UnknownTemplate(TemplateError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"No notification template is registered as {code!r}")
        self.code = code


class TemplateAlreadyRegistered(TemplateError):
    pass


class InvalidTemplateText(TemplateError, ValueError):
    pass


class MissingTemplateVariable(TemplateError, KeyError):
    """The context lacks variables the template needs; nothing was stored or sent."""

    def __init__(self, code: str, missing: Iterable[str]) -> None:
        self.code = code
        self.missing = sorted(missing)
        super().__init__(
            f"Template {code!r} needs {', '.join(self.missing)} but the context lacks them"
        )

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def placeholders(text: str) -> frozenset[str]:
    """The variable names in `text`; raises InvalidTemplateText for anything but `{name}`."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise InvalidTemplateText(f"{exc} in {text!r}") from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not _FIELD.fullmatch(field) or spec or conversion:
            raise InvalidTemplateText(
                f"Placeholder {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} in {text!r} is not a plain {{name}}"
            )
        names.add(field)
    return frozenset(names)


def _source_text(text: str | Promise) -> str:
    """The untranslated text of a lazy string, without loading any translation catalogue."""
    with translation.override(None):
        return str(text)


def _as_text(value: Any) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class RenderedMessage:
    title: str
    body: str
    sms: str


@dataclass(frozen=True)
class MessageTemplate:
    """One kind of message. `sms` is the text message wording (defaults to `body`)."""

    code: str
    category: str
    title: str | Promise
    body: str | Promise
    sms: str | Promise | None
    channels: frozenset[str]
    urgent: bool
    description: str
    variables: frozenset[str]

    def render(
        self, context: Mapping[str, Any], *, override: "TextOverride | None" = None
    ) -> RenderedMessage:
        """Fill the template in the site language; `override` is an administrator's wording."""
        missing = {name for name in self.variables if context.get(name) is None}
        if missing:
            raise MissingTemplateVariable(self.code, missing)
        values = {name: _as_text(context[name]) for name in self.variables}
        with translation.override(settings.LANGUAGE_CODE):
            title = override.title if override and override.title else str(self.title)
            body = override.body if override and override.body else str(self.body)
            sms_default = str(self.sms) if self.sms is not None else body
            sms = override.sms if override and override.sms else sms_default
        # Override text was checked against `variables` when saved, so every field is present.
        title = title.format_map(values)
        if len(title) > TITLE_MAX_LENGTH:
            title = title[: TITLE_MAX_LENGTH - 1] + "…"
        return RenderedMessage(
            title=title, body=body.format_map(values), sms=sms.format_map(values)
        )


@dataclass(frozen=True)
class TextOverride:
    """Administrator wording for a template; blank parts fall back to the code's text."""

    title: str = ""
    body: str = ""
    sms: str = ""


_registry: dict[str, MessageTemplate] = {}


def register_template(
    code: str,
    *,
    category: str,
    title: str | Promise,
    body: str | Promise,
    sms: str | Promise | None = None,
    channels: Iterable[str] = (Channel.IN_APP,),
    urgent: bool = False,
    description: str = "",
) -> MessageTemplate:
    """Declare a message template; see the module docstring. Returns it.

    `channels` defaults to the in-app inbox only: a text message costs money and attention, so
    a template asks for SMS explicitly. Registering the same code twice with different content
    is an error (two apps chose the same code); registering identical content again is allowed.
    """
    if not _CODE.fullmatch(code):
        raise InvalidTemplateText(f"Template code {code!r} must be lower_snake_case")
    if category not in NotificationCategory.values:
        raise InvalidTemplateText(f"Template {code!r}: unknown category {category!r}")
    channel_set = frozenset(channels)
    if not channel_set or not channel_set <= set(Channel.values):
        raise InvalidTemplateText(f"Template {code!r}: channels must be among {Channel.values}")
    variables: frozenset[str] = frozenset()
    for part in (title, body, sms):
        if part is not None:
            variables |= placeholders(_source_text(part))
    template = MessageTemplate(
        code=code,
        category=str(category),
        title=title,
        body=body,
        sms=sms,
        channels=channel_set,
        urgent=urgent,
        description=description,
        variables=variables,
    )
    existing = _registry.get(code)
    if existing is not None and existing != template:
        raise TemplateAlreadyRegistered(f"Another notification template is registered as {code!r}")
    _registry[code] = template
    return template


def get_template(code: str) -> MessageTemplate:
    try:
        return _registry[code]
    except KeyError:
        raise UnknownTemplate(code) from None


def registered_templates() -> list[MessageTemplate]:
    return sorted(_registry.values(), key=lambda t: t.code)


def unregister_template(code: str) -> None:
    """Remove a template (tests that register their own clean up with this)."""
    _registry.pop(code, None)
