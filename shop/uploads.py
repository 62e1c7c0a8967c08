"""Checks of uploaded files by their content, never by their name.

A photo from a phone camera is a few megabytes and about 12 megapixels; anything
that is not a real JPEG, PNG or WebP, is larger than the limit, or would expand
to a huge bitmap (a "decompression bomb") is refused before it is stored.
"""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_image_upload(upload) -> None:
    """Refuse ``upload`` unless it is a JPEG, PNG or WebP photo within the limits."""
    max_bytes = settings.MAX_IMAGE_UPLOAD_BYTES
    max_pixels = settings.MAX_IMAGE_UPLOAD_PIXELS
    if upload.size > max_bytes:
        raise ValidationError(
            _("This photo is %(size)s; photos can be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            # The header gives the size before any pixel is decoded.
            if image.width * image.height > max_pixels:
                raise ValidationError(
                    _("This photo is %(width)s × %(height)s pixels; at most %(limit)s megapixels.")
                    % {
                        "width": image.width,
                        "height": image.height,
                        "limit": max_pixels // 1_000_000,
                    },
                    code="too_many_pixels",
                )
            if image.format not in IMAGE_FORMATS:
                raise ValidationError(
                    _("Upload a photo in JPEG, PNG or WebP format."), code="not_an_image"
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise ValidationError(
            _("This file is not a photo we can read. Upload a JPEG, PNG or WebP photo."),
            code="not_an_image",
        ) from error
    finally:
        upload.seek(0)


def check_new_photo(value):
    """For a form's ``clean_<field>``: check a newly uploaded photo, keep a stored one.

    A model form's image field holds the stored file (or ``False`` to clear it) when
    nothing new was uploaded; only a fresh upload needs checking.
    """
    if isinstance(value, UploadedFile):
        validate_image_upload(value)
    return value


def image_without_metadata(upload) -> ContentFile:
    """A checked photo, re-encoded without its EXIF data under a random name.

    Phone photos carry the GPS position of a producer's home and the phone's file
    name; the shop publishes product photos, so only the pixels are kept (turned
    upright first, as the EXIF orientation said).
    """
    validate_image_upload(upload)
    with Image.open(upload) as image:
        image_format = image.format
        upright = ImageOps.exif_transpose(image)
        if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        buffer = io.BytesIO()
        options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
        upright.save(buffer, format=image_format, **options)
    upload.seek(0)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
