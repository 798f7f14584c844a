"""Sanitising article bodies: a safe subset of HTML, images only from the article itself.

Whatever an editor (or an API client) sends goes through `clean_body` before it is stored, so
templates may print the stored body as it is. Scripts, styles, event handlers, frames, forms
and inline styles are removed; links keep http(s), mail and phone targets and get
`rel="noopener noreferrer nofollow"`; an image must be one uploaded to the platform
(`/learning/images/<uuid>/`): a government intranet has no outside images, and an outside
image would tell a third party who is reading.
"""

import html as html_entities
import re
import uuid

import nh3
from django.urls import reverse

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "hr", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_BODY_CHARACTERS = 50_000

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_TAG = re.compile(r"<[^>]+>")


def image_url(key: uuid.UUID | str) -> str:
    return reverse("learning:image", args=[key])


def _image_path() -> re.Pattern[str]:
    prefix = image_url(uuid.UUID(int=0)).removesuffix(f"{uuid.UUID(int=0)}/")
    return re.compile(rf"^{re.escape(prefix)}({_UUID})/$")


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        return value if _image_path().match(value) else None
    if name in ("width", "height", "colspan", "rowspan", "start"):
        return value if value.isdigit() and len(value) <= 4 else None
    return value


def clean_body(html: str) -> str:
    """The safe subset of `html` (see the module docstring)."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned).strip()


def image_keys(html: str) -> set[str]:
    """The keys of the platform images a (cleaned) body shows."""
    return set(re.findall(rf"/({_UUID})/", " ".join(re.findall(r'src="([^"]*)"', html))))


def plain_text(html: str) -> str:
    """The body's words without tags (to tell an empty body and to make a summary)."""
    text = html_entities.unescape(_TAG.sub(" ", html))
    return re.sub(r"\s+", " ", text).strip()
