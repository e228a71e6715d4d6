"""Photos in, clean photos out: what an upload is (from its bytes, never its name or the type
the client claims), and the copy that is stored — decoded, turned upright, re-encoded.

Why re-encode rather than delete tags: EXIF (with GPS), XMP, comments and maker notes hide in
many places (JPEG APP segments and COM markers, PNG tEXt/iTXt/zTXt/eXIf chunks, HEIF item
boxes); pixels decoded and written afresh carry none of them. Two things travel with the
pixels on purpose: the ICC colour profile (iPhones shoot Display P3; without it colours look
washed out, and it says nothing about the person or the place) when the colour mode is kept,
and PNG transparency (signatures on a clear background).

HEIC/HEIF, the iPhone's default, is stored as JPEG: many phones and browsers in use in China
(WeChat's built-in browser, older Android phones, Windows without the HEVC extension) cannot
show HEIC, and every one of them shows JPEG.

This module knows nothing of cases, visits or storage.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

import pillow_heif
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from core.errors import ApplicationError

pillow_heif.register_heif_opener()

JPEG = "image/jpeg"
PNG = "image/png"
HEIF = "image/heif"

# ISO-BMFF major brands of HEIF still images and sequences (HEVC-coded or generic)
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"})
SNIFF_BYTES = 12

# the Pillow decoder each sniffed type is opened with, and nothing else: a file that starts
# like a JPEG is decoded as a JPEG or refused, never guessed into some other format
_DECODER = {JPEG: "JPEG", PNG: "PNG", HEIF: "HEIF"}
# what the stored copy is: (content type, Pillow encoder, file extension)
_STORED_AS = {JPEG: (JPEG, "JPEG", "jpg"), PNG: (PNG, "PNG", "png"), HEIF: (JPEG, "JPEG", "jpg")}
STORED_EXTENSIONS = frozenset(ext for _type, _encoder, ext in _STORED_AS.values())


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def sniff(head: bytes) -> str | None:
    """The image type the first bytes announce (JPEG, PNG, HEIF), or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    # ISO-BMFF: a box size (4 bytes, at least 16 for `ftyp`), the box type, the major brand
    if (
        len(head) >= 12
        and head[4:8] == b"ftyp"
        and int.from_bytes(head[:4], "big") >= 16
        and head[8:12] in HEIF_BRANDS
    ):
        return HEIF
    return None


def _invalid() -> ApplicationError:
    return ApplicationError(
        "invalid_image",
        _("The file is damaged or is not a picture that can be read."),
        details={"field": "file"},
    )


def _too_large(limit: int) -> ApplicationError:
    return ApplicationError(
        "image_too_large",
        _("The picture has more than %(limit)d pixels.") % {"limit": limit},
        details={"field": "file", "max_pixels": limit},
    )


def clean_copy(
    fp: IO[bytes], content_type: str, *, max_pixels: int, jpeg_quality: int = 85
) -> CleanImage:
    """Decode `fp` as `content_type` (what `sniff` said), turn it upright by its EXIF
    orientation and re-encode it with no metadata. Refuses `image_too_large` before decoding
    pixels and `invalid_image` for anything that does not decode."""
    try:
        # Pillow checks the dimensions here, from the header, against its own ceiling
        # (2 × Image.MAX_IMAGE_PIXELS); ours is lower and checked just below
        image = Image.open(fp, formats=[_DECODER[content_type]])
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except MemoryError:
        raise
    except Exception as exc:  # hostile bytes make decoders fail in many ways; all mean "no"
        raise _invalid() from exc
    if image.width * image.height > max_pixels:
        raise _too_large(max_pixels)
    try:
        image.load()
    except MemoryError:
        raise
    except Exception as exc:
        raise _invalid() from exc

    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # an unreadable EXIF block only costs the rotation; it is dropped anyway
        upright = image.copy()
    upright.info = {}  # nothing from the original file travels with the pixels

    stored_type, encoder, extension = _STORED_AS[content_type]
    params: dict = {}
    if encoder == "JPEG":
        output = _for_jpeg(upright)
        params.update(quality=jpeg_quality, optimize=True)
    else:
        output = upright
        if transparency is not None:
            params["transparency"] = transparency
    if icc_profile and output.mode == image.mode:  # a profile describes the original mode
        params["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    try:
        output.save(buffer, format=encoder, **params)
    except (OSError, ValueError) as exc:  # e.g. an ICC profile the encoder will not carry
        raise _invalid() from exc
    return CleanImage(
        data=buffer.getvalue(),
        content_type=stored_type,
        extension=extension,
        width=output.width,
        height=output.height,
    )


def _for_jpeg(image: Image.Image) -> Image.Image:
    """JPEG holds RGB or greyscale: transparency goes onto white paper, other modes to RGB."""
    if image.mode in ("RGB", "L"):
        return image
    if "A" in image.getbands() or image.mode == "P":
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", image.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")
