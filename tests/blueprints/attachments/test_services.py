"""Uploads are judged by their content, stripped of metadata, and kept per town."""
from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import func, select

from blueprints.attachments import services
from blueprints.attachments.models import Attachment
from blueprints.attachments.services import UploadRejected, store_upload
from tenants.context import tenant_context
from tenants.current import TenantContextError
from tenants.db import db

GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


# --- files made on the spot -----------------------------------------------------

def jpeg_with_gps(size=(640, 480), orientation=6) -> bytes:
    """A photo as a phone saves it: sideways, with the camera and the GPS position."""
    image = Image.new("RGB", size, "tomato")
    exif = image.getexif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "Quartiercam"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png(size=(300, 200), noise=False) -> bytes:
    image = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new("RGB", size, "teal")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def pdf(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- helpers ----------------------------------------------------------------------

@pytest.fixture
def in_town(app, towns):
    """Enter a town inside a request context: ``with in_town(towns.a): ...``."""

    @contextmanager
    def enter(town):
        with app.test_request_context(), tenant_context(town):
            yield

    return enter


def town_folder(app, town) -> Path:
    return Path(app.instance_path) / "uploads" / town.schema_name


def refusal(upload: bytes, filename: str, **kwargs) -> str:
    """Upload, expect a refusal, and check that nothing was kept; return its message."""
    rows = db.session.scalar(select(func.count()).select_from(Attachment))
    with pytest.raises(UploadRejected) as refused:
        store_upload(upload, filename, **kwargs)
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == rows
    return str(refused.value)


# --- accepted uploads -------------------------------------------------------------

def test_a_photo_is_stored_upright_with_a_thumbnail_and_without_its_gps_position(
        app, towns, in_town):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test's premise
    with in_town(towns.a):
        photo = store_upload(original, "Balkon.jpg")
        db.session.commit()
        stored = services.read_bytes(photo)
        thumbnail = Image.open(io.BytesIO(services.read_bytes(photo, thumbnail=True)))

    assert (photo.content_type, photo.filename) == ("image/jpeg", "Balkon.jpg")
    assert (photo.width, photo.height) == (480, 640)  # turned as the EXIF orientation says
    assert photo.size == len(stored)
    image = Image.open(io.BytesIO(stored))
    assert image.size == (480, 640)
    assert not image.getexif().get_ifd(GPS_IFD)
    assert b"Quartiercam" not in stored and b"GPS" not in stored
    assert thumbnail.format == "JPEG"
    assert thumbnail.width <= 400 and thumbnail.height <= 300
    assert thumbnail.size == (225, 300)


def test_a_valid_pdf_is_stored_unchanged_without_a_thumbnail(towns, in_town):
    document = pdf()
    with in_town(towns.a):
        attachment = store_upload(document, "Grundriss.PDF", kinds=("image", "pdf"))
        assert services.read_bytes(attachment) == document
        assert attachment.content_type == "application/pdf"
        assert (attachment.width, attachment.height, attachment.thumbnail_key) == (None,) * 3
        with pytest.raises(LookupError, match="no thumbnail"):
            services.file_path(attachment, thumbnail=True)
        db.session.rollback()


def test_a_file_without_an_extension_is_judged_by_its_content(towns, in_town):
    with in_town(towns.a):
        attachment = store_upload(png(), "scan")
        assert attachment.content_type == "image/png"
        db.session.rollback()


# --- refused uploads --------------------------------------------------------------

def test_a_png_named_pdf_is_refused(towns, in_town):
    with in_town(towns.a):
        message = refusal(png(), "Mietvertrag.pdf", kinds=("image", "pdf"))
        assert message.startswith("Dateiendung und Inhalt passen nicht zusammen.")
        assert ".png" in message  # tells the fix
        assert "kein gültiges PDF" in refusal(png(), "Mietvertrag.pdf", kinds=("pdf",))


def test_a_text_file_named_jpg_is_refused(towns, in_town):
    with in_town(towns.a):
        message = refusal(b"Hallo, ich bin kein Foto.\n" * 20, "foto.jpg")
    assert message.startswith("Diese Datei ist kein Bild im Format JPEG, PNG oder WebP.")


def test_a_jpeg_named_png_is_refused(towns, in_town):
    with in_town(towns.a):
        message = refusal(jpeg_with_gps(), "foto.png")
    assert "Endung in .jpg" in message


def test_other_image_formats_are_refused(towns, in_town):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "GIF")
    with in_town(towns.a):
        assert "kein Bild" in refusal(buffer.getvalue(), "animation.gif")


def test_oversized_files_are_refused_with_the_limit(app, towns, in_town, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_IMAGE_MAX_BYTES", 2048)
    monkeypatch.setitem(app.config, "UPLOAD_PDF_MAX_BYTES", 3 * 1024 * 1024)
    with in_town(towns.a):
        message = refusal(png((200, 200), noise=True), "gross.png")
        too_long_pdf = pdf() + b"%" * (3 * 1024 * 1024)
        pdf_message = refusal(too_long_pdf, "lang.pdf", kinds=("pdf",))
    assert message.startswith("Die Datei ist zu groß (höchstens 2 KB).")
    assert pdf_message.startswith("Die Datei ist zu groß (höchstens 3 MB).")


def test_a_decompression_bomb_is_refused(towns, in_town, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMAGE_PIXELS", 300 * 200 - 1)
    with in_town(towns.a):
        message = refusal(png((300, 200)), "riesig.png")
    assert message.startswith("Das Bild hat zu viele Pixel (höchstens 40 Megapixel).")


@pytest.mark.parametrize("garbage", [b"%PDF-1.7\nkaputt\n", b"%PDF-1.4\n" + b"x" * 500 + b"\n%%EOF\n"])
def test_a_fake_pdf_is_refused(towns, in_town, garbage):
    with in_town(towns.a):
        message = refusal(garbage, "bescheid.pdf", kinds=("pdf",))
    assert message.startswith("Diese Datei ist kein gültiges PDF.")


def test_an_encrypted_pdf_is_refused(towns, in_town):
    with in_town(towns.a):
        message = refusal(pdf(password="geheim"), "geschuetzt.pdf", kinds=("pdf",))
    assert "Passwort" in message


def test_an_empty_file_is_refused(towns, in_town):
    with in_town(towns.a):
        assert refusal(b"", "leer.jpg").startswith("Die Datei ist leer.")


def test_uploading_outside_a_town_fails_with_the_fix(app):
    with app.test_request_context(), pytest.raises(TenantContextError, match="tenant_context"):
        store_upload(png(), "foto.png")


# --- towns, transactions, deletion -------------------------------------------------

def test_files_are_kept_per_town_and_another_town_cannot_find_them(app, towns, in_town):
    with in_town(towns.a):
        attachment = store_upload(png(), "hof.png")
        db.session.commit()
        attachment_id, key = attachment.id, attachment.storage_key
        assert services.file_path(attachment).parent == town_folder(app, towns.a)
    assert (town_folder(app, towns.a) / key).is_file()
    assert not (town_folder(app, towns.b) / key).exists()

    with in_town(towns.b):
        found = db.session.get(Attachment, attachment_id)
        assert found is None or found.storage_key != key  # an id of town B's own, if any
        assert db.session.scalar(select(Attachment).where(Attachment.storage_key == key)) is None


def test_a_rolled_back_upload_leaves_no_files(app, towns, in_town):
    with in_town(towns.a):
        attachment = store_upload(jpeg_with_gps(), "verworfen.jpg")
        paths = [services.file_path(attachment), services.file_path(attachment, thumbnail=True)]
        assert all(path.is_file() for path in paths)
        db.session.rollback()
        assert not any(path.exists() for path in paths)

        attachment = store_upload(png(), "nie-gespeichert.png")
        path = services.file_path(attachment)
    assert not path.exists()  # leaving the town closed the uncommitted transaction


def test_delete_removes_the_row_and_its_files_once_committed(towns, in_town):
    with in_town(towns.a):
        attachment = store_upload(jpeg_with_gps(), "weg.jpg")
        db.session.commit()
        attachment_id = attachment.id
        paths = [services.file_path(attachment), services.file_path(attachment, thumbnail=True)]

        services.delete_attachment(attachment)
        db.session.rollback()  # a failed delete keeps everything
        assert all(path.is_file() for path in paths)

        services.delete_attachment(db.session.get(Attachment, attachment_id))
        db.session.commit()
        assert db.session.get(Attachment, attachment_id) is None
        assert not any(path.exists() for path in paths)


# --- serving ------------------------------------------------------------------------

def test_send_attachment_answers_with_the_detected_type_and_safe_headers(towns, in_town):
    with in_town(towns.a):
        photo = store_upload(png(), "Grüner Hof.png")
        document = store_upload(pdf(), "Satzung.pdf", kinds=("pdf",))
        db.session.commit()
        inline = services.send_attachment(photo)
        preview = services.send_attachment(photo, thumbnail=True)
        download = services.send_attachment(document, as_attachment=True,
                                            download_name="../Satzung 2026.exe")
        for response in (inline, preview, download):
            response.direct_passthrough = False
        with pytest.raises(Exception) as missing:
            services.send_attachment(document, thumbnail=True)

    assert inline.mimetype == "image/png"
    assert inline.headers["X-Content-Type-Options"] == "nosniff"
    assert inline.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''Gr%C3%BCner%20Hof.png" in inline.headers["Content-Disposition"]
    assert "private" in inline.headers["Cache-Control"]
    assert Image.open(io.BytesIO(inline.get_data())).size == (300, 200)
    assert preview.mimetype == "image/jpeg"
    assert "Gr%C3%BCner%20Hof-vorschau.jpg" in preview.headers["Content-Disposition"]
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Satzung 2026.pdf"'
    assert download.get_data().startswith(b"%PDF-")
    assert getattr(missing.value, "code", None) == 404


def test_a_form_upload_is_read_from_its_start(towns, in_town):
    from werkzeug.datastructures import FileStorage

    stream = io.BytesIO(png())
    stream.read(10)  # as a size validator leaves it
    with in_town(towns.a):
        attachment = store_upload(FileStorage(stream, filename="C:\\Fotos\\hof.png"), "C:\\Fotos\\hof.png")
        assert attachment.filename == "hof.png"
        db.session.rollback()
