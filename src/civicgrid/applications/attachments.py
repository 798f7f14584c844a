"""Application attachments checked by what they contain, not by what they are called.

`check_attachment(uploaded, name=..., kinds=..., max_bytes=...)` reads at most `max_bytes + 1`
bytes and answers the `AttachmentKind` the content really is, or a Chinese ValidationError:

- empty, or larger than `max_bytes` (code `empty`, `too_large`);
- an executable or script, whatever its name: a Windows program (`MZ`), ELF, Mach-O or Java
  class file, a `#!` script, a name ending in .exe/.bat/.js/..., or an archive holding any of
  these (code `executable`); Office files with macros (`macro`); encrypted or nested archives
  (`encrypted`, `nested_archive`); a PDF that would start a program or run a script when
  opened — a /Launch or /JavaScript action, also spelt with #-escapes (`active_content`; a
  best effort: names inside compressed object streams are not read);
- content that does not match the extension it claims — a PNG named .pdf, HTML named .pdf
  (`mismatch`, `unsupported`); a kind the field does not take (`not_allowed`);
- a damaged file of a known kind: a PDF without its `%%EOF` trailer, an image Pillow cannot
  decode, a zip whose directory is broken, an xlsx/docx without its main part (`corrupt`).

Kinds the definition names: "pdf", "image" (PNG or JPEG), "png", "jpeg", "xlsx", "docx", "zip".
A plain zip is accepted only when "zip" is named; an xlsx or docx is a zip too, but is told apart
by its `[Content_Types].xml` and main part.

`name` is the file's name as the applicant gave it; its extension is the claim checked against
the content. When `name` carries no extension (a caller passing the field's label) the uploaded
file's own name is used, and `name` then only labels the messages.

Images are decoded, as `core.images` does, but at 1/8 scale for JPEG (`draft`) and by chunk
checksums for PNG, so a 2 MB file is checked in milliseconds; the stored file is the upload
itself (the case code keeps it as evidence, unaltered).
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import warnings
import zipfile
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # as core.images: more is a decompression bomb, not a scan
MAX_ZIP_ENTRIES = 2_000
MAX_CONTENT_TYPES_BYTES = 1_000_000
PDF_EOF_WINDOW = 1024  # readers look for %%EOF in the last KiB; so do we


class AttachmentKind(models.TextChoices):
    PDF = "pdf", gettext_lazy("PDF 文件")
    PNG = "png", gettext_lazy("PNG 图片")
    JPEG = "jpeg", gettext_lazy("JPEG 图片")
    XLSX = "xlsx", gettext_lazy("Excel 表格（xlsx）")
    DOCX = "docx", gettext_lazy("Word 文档（docx）")
    ZIP = "zip", gettext_lazy("ZIP 压缩包")

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]

    @property
    def extension(self) -> str:
        return ".jpg" if self is AttachmentKind.JPEG else f".{self.value}"


CONTENT_TYPES = {
    AttachmentKind.PDF: "application/pdf",
    AttachmentKind.PNG: "image/png",
    AttachmentKind.JPEG: "image/jpeg",
    AttachmentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    AttachmentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    AttachmentKind.ZIP: "application/zip",
}
# What each kind named in a definition admits.
RULE_KINDS: dict[str, frozenset[AttachmentKind]] = {
    "pdf": frozenset({AttachmentKind.PDF}),
    "image": frozenset({AttachmentKind.PNG, AttachmentKind.JPEG}),
    "png": frozenset({AttachmentKind.PNG}),
    "jpeg": frozenset({AttachmentKind.JPEG}),
    "xlsx": frozenset({AttachmentKind.XLSX}),
    "docx": frozenset({AttachmentKind.DOCX}),
    "zip": frozenset({AttachmentKind.ZIP}),
}
EXTENSIONS = {
    "pdf": AttachmentKind.PDF,
    "png": AttachmentKind.PNG,
    "jpg": AttachmentKind.JPEG,
    "jpeg": AttachmentKind.JPEG,
    "jpe": AttachmentKind.JPEG,
    "jfif": AttachmentKind.JPEG,
    "xlsx": AttachmentKind.XLSX,
    "docx": AttachmentKind.DOCX,
    "zip": AttachmentKind.ZIP,
}
# For a file input's accept= attribute: extensions and media types a phone's picker knows.
ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "image": ".png,.jpg,.jpeg,image/png,image/jpeg",
    "png": ".png,image/png",
    "jpeg": ".jpg,.jpeg,image/jpeg",
    "xlsx": f".xlsx,{CONTENT_TYPES[AttachmentKind.XLSX]}",
    "docx": f".docx,{CONTENT_TYPES[AttachmentKind.DOCX]}",
    "zip": ".zip,application/zip",
}
RULE_KIND_NAMES = {
    "pdf": "PDF",
    "image": gettext_lazy("图片（PNG、JPEG）"),
    "png": gettext_lazy("PNG 图片"),
    "jpeg": gettext_lazy("JPEG 图片"),
    "xlsx": gettext_lazy("Excel 表格（xlsx）"),
    "docx": gettext_lazy("Word 文档（docx）"),
    "zip": gettext_lazy("ZIP 压缩包"),
}

EXECUTABLE_EXTENSIONS = frozenset(
    {
        *("exe", "dll", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "sys", "drv"),
        *("ocx", "js", "jse", "mjs", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "sh"),
        *("bash", "zsh", "csh", "ksh", "py", "pyc", "pyw", "pl", "rb", "php", "jar", "class"),
        *("apk", "ipa", "app", "dmg", "pkg", "deb", "rpm", "run", "elf", "so", "dylib"),
        *("lnk", "reg", "msc", "inf", "gadget", "scf", "url", "desktop", "appimage", "command"),
    }
)
ARCHIVE_EXTENSIONS = frozenset(
    {"zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "cab", "iso", "arj", "lzh", "z"}
)
_EXECUTABLE_MAGIC = (
    b"MZ",  # DOS / Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, and Java class files
    b"#!",  # a script with an interpreter line
    b"dex\n",  # Android
)
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_PDF = re.compile(rb"%PDF-\d\.\d")
# PDF actions that run something when the document is opened or a link is clicked (a script
# action is always typed /S /JavaScript; the shorter /JS key alone would turn up by chance in
# compressed bytes). A name ends at whitespace or a delimiter: /JavaScriptX is another name.
_ACTIVE_NAMES = (b"/Launch", b"/JavaScript")
_ACTIVE_PDF = re.compile(rb"/(?:Launch|JavaScript)(?=[\s/<>\[\]()%{}]|$)")
_ESCAPED_NAME = re.compile(rb"/[A-Za-z]*#[0-9A-Fa-f]{2}[A-Za-z0-9#]*")
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb'(PartName|ContentType)\s*=\s*["\']([^"\']*)["\']')
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        AttachmentKind.XLSX
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        AttachmentKind.XLSX
    ),
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        AttachmentKind.DOCX
    ),
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        AttachmentKind.DOCX
    ),
}
_OOXML_MACRO_MAIN = (
    b"application/vnd.ms-excel.sheet.macroenabled.main+xml",
    b"application/vnd.ms-excel.template.macroenabled.main+xml",
    b"application/vnd.ms-word.document.macroenabled.main+xml",
    b"application/vnd.ms-word.template.macroenabledtemplate.main+xml",
)


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_attachment(
    uploaded: Any,
    *,
    name: str,
    kinds: Any,
    max_bytes: int,
    label: str | None = None,
) -> AttachmentKind:
    """The kind the content really is, or a ValidationError (Chinese, naming the file).

    `uploaded` is an UploadedFile (or any binary file object) or bytes; a file is read from its
    start and left at its start. `kinds` are the kinds a definition names ("pdf", "image", ...).
    """
    file_name = _file_name(name, uploaded)
    who = _who(file_name, label if label is not None else (name if name != file_name else None))
    try:
        return _check(uploaded, file_name, kinds, max_bytes, who)
    except _Refused as refused:
        raise ValidationError(refused.message, code=refused.code) from None


def _ordered(kinds: Any) -> list[str]:
    return [kind for kind in RULE_KIND_NAMES if kind in kinds]


def accept_attribute(kinds: Any) -> str:
    """The accept= value of a file input for the kinds a rule names."""
    return ",".join(ACCEPT[kind] for kind in _ordered(kinds))


def kinds_text(kinds: Any) -> str:
    """The kinds a rule names, for a reader: "PDF、图片（PNG、JPEG）"."""
    return _("、").join(str(RULE_KIND_NAMES[kind]) for kind in _ordered(kinds))


def _file_name(name: str, uploaded: Any) -> str:
    own = getattr(uploaded, "name", None)
    if _extension(name) or not isinstance(own, str) or not own:
        return name
    return own


def _who(file_name: str, label: str | None) -> str:
    shown = unicodedata.normalize("NFC", posixpath.basename(file_name.replace("\\", "/")))
    shown = "".join(char for char in shown if char.isprintable())[:80] or _("未命名")
    text = _("文件「%(name)s」") % {"name": shown}
    return f"{label}：{text}" if label else text


def _extension(name: str) -> str:
    base = posixpath.basename((name or "").replace("\\", "/")).strip().rstrip(".")
    stem, dot, extension = base.rpartition(".")
    return extension.lower() if dot and stem else ""


def _read(uploaded: Any, max_bytes: int, who: str) -> bytes:
    if isinstance(uploaded, bytes | bytearray | memoryview):
        data = bytes(uploaded[: max_bytes + 1])
    else:
        size = getattr(uploaded, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise _too_large(who, max_bytes, size)
        stream: IO[bytes] = uploaded
        stream.seek(0)
        data = stream.read(max_bytes + 1)
        stream.seek(0)
    if not data:
        raise _Refused("empty", _("%(who)s是空文件，请重新选择。") % {"who": who})
    if len(data) > max_bytes:
        raise _too_large(who, max_bytes, None)
    return data


def _too_large(who: str, max_bytes: int, size: int | None) -> _Refused:
    limit = _size_text(max_bytes)
    if size is None:
        message = _("%(who)s超过 %(limit)s 的上限。") % {"who": who, "limit": limit}
    else:
        message = _("%(who)s有 %(size)s，超过 %(limit)s 的上限。") % {
            "who": who,
            "size": _size_text(size),
            "limit": limit,
        }
    return _Refused("too_large", message)


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return _("%(n)d 字节") % {"n": size}


def _executable(who: str) -> _Refused:
    return _Refused(
        "executable",
        _("%(who)s是可执行程序或脚本，出于安全原因不能上传。") % {"who": who},
    )


def _check(uploaded: Any, file_name: str, kinds: Any, max_bytes: int, who: str) -> AttachmentKind:
    data = _read(uploaded, max_bytes, who)
    extension = _extension(file_name)
    if extension in EXECUTABLE_EXTENSIONS or data.startswith(_EXECUTABLE_MAGIC):
        raise _executable(who)
    kind = _sniff(data)
    claimed = EXTENSIONS.get(extension)
    if kind is None:
        if claimed is not None:
            raise _Refused(
                "mismatch",
                _("%(who)s的内容不是有效的 %(kind)s，与扩展名 .%(ext)s 不符。")
                % {"who": who, "kind": claimed.label, "ext": extension},
            )
        raise _Refused(
            "unsupported",
            _("%(who)s不是支持的文件类型，请上传%(kinds)s。")
            % {"who": who, "kinds": kinds_text(kinds)},
        )
    if kind is AttachmentKind.ZIP or kind in (AttachmentKind.XLSX, AttachmentKind.DOCX):
        kind = _check_zip(data, who)
    if extension and claimed is not kind:
        raise _Refused(
            "mismatch",
            _("%(who)s的内容是 %(kind)s，与扩展名 .%(ext)s 不符。请按实际格式保存后重新上传。")
            % {"who": who, "kind": kind.label, "ext": extension},
        )
    allowed = frozenset().union(*(RULE_KINDS.get(rule, frozenset()) for rule in kinds))
    if kind not in allowed:
        raise _Refused(
            "not_allowed",
            _("%(who)s是%(kind)s，这里只接受%(kinds)s。")
            % {"who": who, "kind": kind.label, "kinds": kinds_text(kinds)},
        )
    if kind is AttachmentKind.PDF:
        _check_pdf(data, who)
    elif kind in (AttachmentKind.PNG, AttachmentKind.JPEG):
        _check_image(data, kind, who)
    return kind


def _sniff(data: bytes) -> AttachmentKind | None:
    if _PDF.match(data, 0, 16):
        return AttachmentKind.PDF
    if data.startswith(_PNG):
        return AttachmentKind.PNG
    if data.startswith(_JPEG):
        return AttachmentKind.JPEG
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return AttachmentKind.ZIP
    return None


def _corrupt(who: str, kind: AttachmentKind) -> _Refused:
    return _Refused(
        "corrupt",
        _("%(who)s已损坏或不完整，无法作为%(kind)s打开，请重新导出后上传。")
        % {"who": who, "kind": kind.label},
    )


def _check_pdf(data: bytes, who: str) -> None:
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        raise _corrupt(who, AttachmentKind.PDF)
    if _ACTIVE_PDF.search(data) or any(
        _unescape(name) in _ACTIVE_NAMES for name in _ESCAPED_NAME.findall(data)
    ):
        raise _Refused(
            "active_content",
            _(
                "%(who)s含有打开时会自动运行的脚本或程序，出于安全原因不能上传。"
                "请用“打印为 PDF”重新生成后上传。"
            )
            % {"who": who},
        )


def _unescape(name: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda match: bytes([int(match.group(1), 16)]), name)


def _check_image(data: bytes, kind: AttachmentKind, who: str) -> None:
    pillow_format = "PNG" if kind is AttachmentKind.PNG else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise _Refused(
                        "corrupt",
                        _("%(who)s尺寸过大（%(w)d×%(h)d 像素）。")
                        % {"who": who, "w": image.width, "h": image.height},
                    )
                if kind is AttachmentKind.JPEG:
                    # Decoding at 1/8 scale still reads every entropy-coded segment: a
                    # truncated or forged file fails, in a fraction of the time.
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                    image.load()
                else:
                    image.verify()  # every chunk's CRC, through to IEND
    except _Refused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise _corrupt(who, kind) from None


def _check_zip(data: bytes, who: str) -> AttachmentKind:
    """The zip's kind (xlsx, docx or a plain zip) after its entries are checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise _corrupt(who, AttachmentKind.ZIP) from None
    with archive:
        if len(entries) > MAX_ZIP_ENTRIES:
            raise _Refused(
                "corrupt", _("%(who)s中的文件过多（%(n)d 个）。") % {"who": who, "n": len(entries)}
            )
        names = {entry.filename for entry in entries}
        kind = _ooxml_kind(archive, names, who)
        for entry in entries:
            _check_entry(archive, entry, who, inside_office=kind is not AttachmentKind.ZIP)
    return kind


def _check_entry(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, who: str, *, inside_office: bool
) -> None:
    if entry.flag_bits & 0x1:
        raise _Refused(
            "encrypted", _("%(who)s是加密的压缩包，无法检查其内容，请解密后上传。") % {"who": who}
        )
    if entry.is_dir():
        return
    if inside_office and entry.filename.lower().endswith("vbaproject.bin"):
        raise _macro(who)
    extension = _extension(entry.filename)
    if extension in EXECUTABLE_EXTENSIONS:
        raise _executable_inside(who, entry.filename)
    if entry.file_size == 0:
        return
    try:
        with archive.open(entry) as member:
            head = member.read(8)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise _corrupt(who, AttachmentKind.ZIP) from None
    if head.startswith(_EXECUTABLE_MAGIC):
        raise _executable_inside(who, entry.filename)
    if not inside_office and (extension in ARCHIVE_EXTENSIONS or head.startswith(_ARCHIVE_MAGIC)):
        raise _Refused(
            "nested_archive",
            _("%(who)s中还有压缩包“%(entry)s”，无法逐一检查，请解压后直接上传其中的文件。")
            % {"who": who, "entry": entry.filename[:80]},
        )


def _executable_inside(who: str, entry: str) -> _Refused:
    return _Refused(
        "executable",
        _("%(who)s中含有可执行程序或脚本“%(entry)s”，出于安全原因不能上传。")
        % {"who": who, "entry": entry[:80]},
    )


def _macro(who: str) -> _Refused:
    return _Refused(
        "macro", _("%(who)s含有宏，出于安全原因不能上传，请另存为不含宏的文件。") % {"who": who}
    )


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str], who: str) -> AttachmentKind:
    if "[Content_Types].xml" not in names:
        return AttachmentKind.ZIP
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _corrupt(who, AttachmentKind.ZIP)
    try:
        content_types = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise _corrupt(who, AttachmentKind.ZIP) from None
    for override in _OVERRIDE.findall(content_types):
        attributes = dict(_ATTRIBUTE.findall(override))
        content_type = attributes.get(b"ContentType", b"").strip().lower()
        part = attributes.get(b"PartName", b"").decode("utf-8", "replace").lstrip("/")
        if content_type in _OOXML_MACRO_MAIN:
            raise _macro(who)
        kind = _OOXML_MAIN.get(content_type)
        if kind is not None:
            if part not in names:
                raise _corrupt(who, kind)
            return kind
    return AttachmentKind.ZIP
