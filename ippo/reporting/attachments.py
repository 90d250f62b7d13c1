"""Screenshots and photos sent with a report: type and size limits, and removal of hidden details.

A photo from a phone carries metadata (EXIF: GPS position, camera and phone model, time; XMP; comments). By
default the image is decoded and saved again from its pixels only, which drops all of it. Reporters who
want to keep it as evidence can untick the box (GlobaLeaks keeps metadata as evidence; we make removal the
default because a reporter's phone model or home position can identify them).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
MAX_PIXELS = 40_000_000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def _quiet_pillow() -> None:
    """Pillow logs every EXIF tag it reads at DEBUG level, values included (a name, a GPS position): drop
    Pillow's debug records at the loggers themselves, so no handler, at any level, ever sees them."""
    Image.init()
    names = ["PIL"] + [n for n in list(logging.root.manager.loggerDict) if n.startswith("PIL.")]
    names += [
        "PIL.TiffImagePlugin",
        "PIL.Image",
        "PIL.JpegImagePlugin",
        "PIL.PngImagePlugin",
        "PIL.WebPImagePlugin",
    ]
    for name in set(names):
        logger = logging.getLogger(name)
        if not any(getattr(f, "ippo_quiet", False) for f in logger.filters):
            quiet = logging.Filter()
            quiet.filter = lambda record: record.levelno > logging.DEBUG
            quiet.ippo_quiet = True
            logger.addFilter(quiet)


_quiet_pillow()


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    content_type: str
    metadata_removed: bool


def image_prepare(data: bytes, *, strip: bool = True) -> PreparedImage:
    """Check that `data` is a PNG, JPEG or WebP image within the limits; return it (re-encoded without
    metadata when `strip`). Raises ValidationError with a message for the reporter."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("A picture can be at most 5 MB. Please send a smaller one."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in FORMATS:
                raise ValidationError(_("Please send a PNG, JPEG or WebP picture (a screenshot or a photo)."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("This picture is too large. Please send a smaller one."))
            probe.verify()
        if not strip:
            return PreparedImage(data, FORMATS[fmt], False)
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the picture the right way up without its EXIF
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and fmt != "JPEG" else "RGB"
            # Only the pixels go into the new image: no EXIF, XMP, ICC profile or comments come along.
            clean = Image.frombytes(mode, image.size, image.convert(mode).tobytes())
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.save(out, "JPEG", quality=90)
            elif fmt == "WEBP":
                clean.save(out, "WEBP", quality=90)
            else:
                clean.save(out, "PNG", optimize=True)
        return PreparedImage(out.getvalue(), FORMATS[fmt], True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file could not be read as a picture. Please send a PNG, JPEG or WebP picture.")
        ) from None
