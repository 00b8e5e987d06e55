"""Uploads of a town: check a file by its content, store it on disk, serve it back.

A file is judged only by its bytes: the extension and the browser's content
type are never trusted, and an extension that disagrees with the content is
refused. Images are decoded and re-encoded, which drops every piece of
metadata (EXIF with GPS position, comments, XMP) and turns them upright; PDFs
are parsed and stored as uploaded.

Bytes live under ``<instance>/uploads/<town schema>/<storage_key>``; the row
only names them. Files and rows are kept in step with the transaction: files
written for rows that are never committed are removed when the transaction
ends (rolled back or closed), and files of deleted rows are removed only once
the delete is committed. A crash between commit and cleanup can leave an
orphaned file, never a row without its file.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from pypdf import PdfReader
from sqlalchemy import event

from blueprints.attachments.models import Attachment
from tenants.current import current_tenant
from tenants.db import TenantAwareSession, db

log = logging.getLogger(__name__)

IMAGE, PDF = "image", "pdf"
# Larger images are taken for decompression bombs; _TOO_MANY_PIXELS names the limit.
MAX_IMAGE_PIXELS = 40_000_000
THUMBNAIL_SIZE = (400, 300)
THUMBNAIL_CONTENT_TYPE = "image/jpeg"
_STORAGE_KEY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$")  # one path component, never ".."
_WRITTEN, _DOOMED = "attachments.written", "attachments.doomed"


@dataclass(frozen=True)
class _Format:
    content_type: str
    suffix: str  # for the storage key and download names
    extensions: frozenset[str]  # the endings an upload of this content may carry
    pillow_format: str = ""  # images only: how Pillow re-encodes them
    save_options: tuple[tuple[str, object], ...] = ()


# By Pillow's format name; phone JPEGs with a depth map open as MPO.
_JPEG = _Format("image/jpeg", ".jpg", frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
                "JPEG", (("quality", 90),))
_IMAGE_FORMATS = {
    "JPEG": _JPEG,
    "MPO": _JPEG,
    "PNG": _Format("image/png", ".png", frozenset({".png"}), "PNG"),
    "WEBP": _Format("image/webp", ".webp", frozenset({".webp"}), "WEBP", (("quality", 90),)),
}
_PDF = _Format("application/pdf", ".pdf", frozenset({".pdf"}))
_OPENERS = ["JPEG", "PNG", "WEBP"]  # Pillow's JPEG opener also yields MPO

_EMPTY = _l("Die Datei ist leer. Bitte wählen Sie eine andere Datei aus.")
_NOT_AN_IMAGE = _l("Diese Datei ist kein Bild im Format JPEG, PNG oder WebP. "
                   "Bitte wählen Sie ein Foto in einem dieser Formate aus.")
_NOT_A_PDF = _l("Diese Datei ist kein gültiges PDF. Bitte speichern oder exportieren Sie "
                "das Dokument erneut als PDF und laden Sie es noch einmal hoch.")
_NEITHER = _l("Diese Datei ist weder ein Bild (JPEG, PNG, WebP) noch ein PDF. "
              "Bitte wählen Sie eine Datei in einem dieser Formate aus.")
_ENCRYPTED = _l("Dieses PDF ist verschlüsselt oder mit einem Passwort geschützt. "
                "Bitte speichern Sie es ohne Schutz und laden Sie es erneut hoch.")
_TOO_MANY_PIXELS = _l("Das Bild hat zu viele Pixel (höchstens 40 Megapixel). "
                      "Bitte verkleinern Sie es und laden Sie es erneut hoch.")


class UploadRejected(ValueError):
    """An upload that cannot be stored; the message tells the user what to do."""


# --- storing ------------------------------------------------------------------

def store_upload(upload, filename: str, *, kinds: tuple[str, ...] = (IMAGE,)) -> Attachment:
    """Check an upload (bytes or a file) by its content, store it, and add its row."""
    directory = _town_directory()  # before any work: outside a town this fails clearly
    data = _read(upload, max(_limit(kind) for kind in kinds))
    if not data:
        raise UploadRejected(_EMPTY)
    kind = PDF if data.startswith(b"%PDF-") else IMAGE
    if kind not in kinds:
        raise UploadRejected(_wrong_kind_message(kinds))
    if len(data) > _limit(kind):
        raise UploadRejected(_too_large_message(_limit(kind)))
    if kind == PDF:
        _check_pdf(data)
        _check_extension(filename, _PDF)
        return _save(directory, filename, _PDF, data)
    image, file_format = _decode_image(data)
    _check_extension(filename, file_format)
    image = _strip_metadata(image)
    return _save(directory, filename, file_format, _encode(image, file_format),
                 size=image.size, thumbnail=_thumbnail(image))


def _town_directory() -> Path:
    return Path(current_app.instance_path) / "uploads" / current_tenant().schema_name


def _read(upload, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, enough to tell that a file is too large."""
    if isinstance(upload, (bytes, bytearray, memoryview)):
        return bytes(upload)
    stream = getattr(upload, "stream", upload)  # a werkzeug FileStorage, or any file
    if getattr(stream, "seekable", lambda: False)():
        stream.seek(0)  # a form validator may have read it already
    return stream.read(limit + 1)


def _limit(kind: str) -> int:
    key = "UPLOAD_PDF_MAX_BYTES" if kind == PDF else "UPLOAD_IMAGE_MAX_BYTES"
    return current_app.config[key]


def _wrong_kind_message(kinds):
    if IMAGE in kinds and PDF in kinds:
        return _NEITHER
    return _NOT_A_PDF if PDF in kinds else _NOT_AN_IMAGE


def _too_large_message(limit: int):
    megabytes = limit / (1024 * 1024)
    readable = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{max(limit // 1024, 1)} KB"
    return _l("Die Datei ist zu groß (höchstens %(limit)s). Bitte verkleinern Sie sie "
              "und laden Sie sie erneut hoch.", limit=readable)


def _check_extension(filename: str, file_format: _Format) -> None:
    """Refuse a name whose ending claims another type; a name without ending is fine."""
    extension = Path(_clean_filename(filename)).suffix.lower()
    if extension and extension not in file_format.extensions:
        raise UploadRejected(_l(
            "Dateiendung und Inhalt passen nicht zusammen. Bitte laden Sie die richtige "
            "Datei hoch oder ändern Sie die Endung in %(extension)s.",
            extension=file_format.suffix))


def _check_pdf(data: bytes) -> None:
    """Parse the document as far as its page count; refuse locked or broken ones."""
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception as error:  # pypdf reports broken files with many exception types
        raise UploadRejected(_NOT_A_PDF) from error
    if encrypted:
        raise UploadRejected(_ENCRYPTED)
    if pages < 1:
        raise UploadRejected(_NOT_A_PDF)


def _decode_image(data: bytes) -> tuple[Image.Image, _Format]:
    """Decode the whole image upright, refusing other formats, broken files and bombs."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            Image.open(io.BytesIO(data), formats=_OPENERS).verify()
            image = Image.open(io.BytesIO(data), formats=_OPENERS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected(_TOO_MANY_PIXELS) from None
        except Exception as error:  # Pillow reports broken files with many exception types
            raise UploadRejected(_NOT_AN_IMAGE) from error
    # Checked before load(), which decodes every pixel into memory.
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise UploadRejected(_TOO_MANY_PIXELS)
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)  # phones store photos sideways
    except Exception as error:
        raise UploadRejected(_NOT_AN_IMAGE) from error
    return upright, _IMAGE_FORMATS[image.format]


def _strip_metadata(image: Image.Image) -> Image.Image:
    """Keep only what the pixels need; Pillow writes EXIF, comments and XMP from ``info``."""
    image.info = {key: image.info[key] for key in ("icc_profile", "transparency")
                  if key in image.info}
    return image


def _encode(image: Image.Image, file_format: _Format) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=file_format.pillow_format, **dict(file_format.save_options))
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    """Shrink to at most 400×300 as JPEG, transparent parts on white."""
    preview = image.copy() if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
    preview.thumbnail(THUMBNAIL_SIZE)
    flat = Image.new("RGB", preview.size, "white")
    flat.paste(preview, mask=preview.getchannel("A") if preview.mode == "RGBA" else None)
    buffer = io.BytesIO()
    flat.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _save(directory: Path, filename: str, file_format: _Format, data: bytes, *,
          size: tuple[int, int] | None = None, thumbnail: bytes | None = None) -> Attachment:
    """Add the row, then write its files; both vanish together if the transaction fails."""
    key = uuid.uuid4().hex
    width, height = size or (None, None)
    attachment = Attachment(
        filename=_clean_filename(filename), content_type=file_format.content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key + file_format.suffix, width=width, height=height,
        thumbnail_key=f"{key}.thumb.jpg" if thumbnail is not None else None)
    db.session.add(attachment)
    db.session.flush()  # begins the transaction whose end cleans up the files
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / attachment.storage_key, data)
    if thumbnail is not None:
        _write(directory / attachment.thumbnail_key, thumbnail)
    return attachment


def _write(path: Path, data: bytes) -> None:
    # Noted before writing, so that even a half-written file is cleaned up.
    db.session.info.setdefault(_WRITTEN, []).append(path)
    with path.open("xb") as file:  # keys are random: an existing file is a bug
        file.write(data)


def _clean_filename(filename: str | None) -> str:
    """Keep the base name without control characters, at most 255 characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[-255:] or "datei"


# --- reading, serving, deleting -------------------------------------------------

def file_path(attachment: Attachment, thumbnail: bool = False) -> Path:
    """Return where the file (or its thumbnail) lies in the current town's folder."""
    key = attachment.thumbnail_key if thumbnail else attachment.storage_key
    if key is None:
        raise LookupError(f"Attachment {attachment.id} has no thumbnail: only images have one.")
    if not _STORAGE_KEY.fullmatch(key):  # a key is joined to a path: never trust it blindly
        raise ValueError(f"Attachment {attachment.id} has an invalid storage key {key!r}.")
    return _town_directory() / key


def read_bytes(attachment: Attachment, *, thumbnail: bool = False) -> bytes:
    """Return the stored bytes of the file or its thumbnail."""
    return file_path(attachment, thumbnail=thumbnail).read_bytes()


def send_attachment(attachment: Attachment, *, thumbnail: bool = False,
                    download_name: str | None = None, as_attachment: bool = False):
    """Answer with the file, typed as detected; the caller has checked access."""
    if thumbnail and attachment.thumbnail_key is None:
        abort(404)
    response = send_file(
        file_path(attachment, thumbnail=thumbnail),
        mimetype=THUMBNAIL_CONTENT_TYPE if thumbnail else attachment.content_type,
        as_attachment=as_attachment,
        download_name=_download_name(attachment, thumbnail, download_name))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True  # access is checked per user: no shared caches
    return response


def _download_name(attachment: Attachment, thumbnail: bool, requested: str | None) -> str:
    """Name the download with an ending that matches what is sent."""
    stem = Path(_clean_filename(requested or attachment.filename)).stem
    if thumbnail:
        return f"{stem}-vorschau.jpg"
    return stem + Path(attachment.storage_key).suffix


def delete_attachment(attachment: Attachment) -> None:
    """Delete the row now and its files once the transaction commits."""
    paths = [file_path(attachment)]
    if attachment.thumbnail_key:
        paths.append(file_path(attachment, thumbnail=True))
    db.session.delete(attachment)
    db.session.flush()
    db.session.info.setdefault(_DOOMED, []).extend(paths)


# --- keeping files in step with the transaction ---------------------------------

@event.listens_for(TenantAwareSession, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():  # a released savepoint is not a commit yet
        return
    session.info.pop(_WRITTEN, None)  # their rows are saved: keep the files
    _remove(session.info.pop(_DOOMED, []))


@event.listens_for(TenantAwareSession, "after_transaction_end")
def _after_transaction_end(session, transaction):
    if transaction.parent is not None:
        return
    # Still listed after the outermost transaction: it was rolled back or closed.
    session.info.pop(_DOOMED, None)
    _remove(session.info.pop(_WRITTEN, []))


def _remove(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the transaction is over: an orphaned file is no reason to fail it
            log.warning("Could not remove the upload %s", path, exc_info=True)
