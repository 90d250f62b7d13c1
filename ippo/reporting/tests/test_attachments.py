"""Screenshots: type and size limits, hidden details removed by default, kept only when a named reporter asks."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from ippo.reporting.attachments import MAX_BYTES, image_prepare

SECRET = "GPS 35.6812N 139.7671E Tanaka's iPhone"


def _photo(fmt="JPEG") -> bytes:
    image = Image.new("RGB", (64, 48), (30, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x0112] = 6  # Orientation: rotated
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_hidden_details_are_removed_and_the_picture_is_turned_upright(fmt):
    data = _photo(fmt)
    assert SECRET.encode() in data
    prepared = image_prepare(data)
    assert prepared.metadata_removed and SECRET.encode() not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as clean:
        assert clean.size == (48, 64)  # rotated by the EXIF orientation before it was dropped
        assert not clean.getexif()


def test_a_named_reporter_may_keep_the_details_as_evidence():
    data = _photo()
    prepared = image_prepare(data, strip=False)
    assert prepared.data == data and not prepared.metadata_removed


def test_only_pictures_within_the_size_limit_are_accepted():
    with pytest.raises(ValidationError):
        image_prepare(b"%PDF-1.7 not a picture")
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(ValidationError):
        image_prepare(gif.getvalue())
    with pytest.raises(ValidationError):
        image_prepare(b"\xff\xd8" + b"0" * MAX_BYTES)


@pytest.mark.django_db
def test_anonymous_reports_always_lose_the_details(personas):
    from django_scopes import scopes_disabled

    from ippo.reporting import services
    from ippo.reporting.models import ReportAttachment

    services.report_submit_public(
        org=personas.org,
        kind="virus",
        happened="today",
        description="",
        identity="anonymous",
        uploads=[services.Upload(data=_photo(), strip=False)],
    )
    with scopes_disabled():
        attachment = ReportAttachment.objects.get()
        assert attachment.metadata_removed and SECRET.encode() not in attachment.file.read()


def test_the_form_refuses_too_many_or_too_large_files_before_reading_them():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.datastructures import MultiValueDict

    from ippo.reporting.forms import ReportForm

    data = {"kind": "virus", "happened": "today", "severity_guess": "0", "identity": "anonymous"}
    big = SimpleUploadedFile("big.png", b"0" * (MAX_BYTES + 1), content_type="image/png")
    form = ReportForm(data, MultiValueDict({"screenshots": [big]}), public=True)
    assert not form.is_valid() and "screenshots" in form.errors
    four = [SimpleUploadedFile(f"{i}.png", b"x", content_type="image/png") for i in range(4)]
    form = ReportForm(data, MultiValueDict({"screenshots": four}), public=True)
    assert not form.is_valid() and "screenshots" in form.errors
