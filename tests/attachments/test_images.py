"""attachments.images: the type comes from the bytes; the stored copy is upright and carries no
metadata; HEIC becomes JPEG; what does not decode, or has too many pixels, is refused."""

import io

import pytest
from PIL import Image, ImageCms

from attachments import images
from core.errors import ApplicationError

from .conftest import SECRET, heic_with_gps, jpeg_with_gps, photo, png_with_text


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", images.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", images.PNG),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", images.HEIF),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00", images.HEIF),
        (b"\x00\x00\x00\x1cftyphevc\x00\x00\x00\x00", images.HEIF),
        (b"\x00\x00\x00\x20ftypavif\x00\x00\x00\x00", None),  # AVIF: another ISO-BMFF image
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", None),  # an MP4 video
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", None),
        (b"GIF89a\x01\x00\x01\x00\x00\x00", None),
        (b"<svg xmlns='http://", None),
        (b"\xff\xd8", None),  # too short to tell
        (b"", None),
    ],
)
def test_sniff_reads_the_first_bytes(head, expected):
    assert images.sniff(head) == expected


def _clean(data: bytes, content_type: str, **limits):
    return images.clean_copy(
        io.BytesIO(data), content_type, max_pixels=limits.get("max_pixels", 10_000_000)
    )


def _assert_no_metadata(data: bytes):
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif()
    assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(stored.info)
    assert b"Exif\x00\x00" not in data and b"ns.adobe.com/xap" not in data
    assert SECRET not in data


def test_jpeg_loses_exif_gps_xmp_and_comment_and_is_turned_upright():
    clean = _clean(jpeg_with_gps(size=(40, 30)), images.JPEG)
    assert (clean.content_type, clean.extension) == ("image/jpeg", "jpg")
    _assert_no_metadata(clean.data)
    # orientation 6 (turn 90° clockwise): the 40×30 sensor image is stored 30×40, upright
    assert (clean.width, clean.height) == (30, 40)
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.size == (30, 40)
    # the blue top-left corner of the sensor image is now top-right
    r, _g, b = stored.convert("RGB").getpixel((25, 3))
    assert b > 150 and r < 100


def test_png_loses_text_chunks_and_exif_and_keeps_transparency():
    source = png_with_text()
    assert b"tEXt" in source and b"iTXt" in source and b"zTXt" in source and b"eXIf" in source
    clean = _clean(source, images.PNG)
    assert (clean.content_type, clean.extension) == ("image/png", "png")
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf"):
        assert chunk not in clean.data
    _assert_no_metadata(clean.data)
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_heic_is_stored_as_jpeg_without_metadata():
    source = heic_with_gps()
    assert images.sniff(source[:12]) == images.HEIF
    clean = _clean(source, images.HEIF)
    assert (clean.content_type, clean.extension) == ("image/jpeg", "jpg")
    assert clean.data.startswith(b"\xff\xd8\xff")
    _assert_no_metadata(clean.data)
    assert (clean.width, clean.height) == (40, 30)


def test_colour_profile_is_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    photo().save(out, "JPEG", icc_profile=profile)
    clean = _clean(out.getvalue(), images.JPEG)
    assert Image.open(io.BytesIO(clean.data)).info.get("icc_profile") == profile


def test_a_signature_on_a_clear_palette_background_keeps_its_transparency():
    signature = Image.new("P", (20, 10), 0)
    signature.putpalette([255, 255, 255, 0, 0, 0])
    signature.paste(1, (2, 4, 18, 6))
    out = io.BytesIO()
    signature.save(out, "PNG", transparency=0)
    stored = Image.open(io.BytesIO(_clean(out.getvalue(), images.PNG).data))
    assert stored.mode == "P" and stored.info.get("transparency") == 0


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (jpeg_with_gps()[:300], images.JPEG),  # cut off in the middle
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, images.JPEG),  # a JPEG start and then nothing
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, images.PNG),
        (heic_with_gps()[:200], images.HEIF),
        (jpeg_with_gps(), images.PNG),  # decoded only as what the bytes announced
    ],
)
def test_what_does_not_decode_is_invalid_image(data, content_type):
    with pytest.raises(ApplicationError) as refused:
        _clean(data, content_type)
    assert refused.value.code == "invalid_image"


def test_too_many_pixels_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (2000, 1000)).save(out, "PNG")  # 2 MP in a few hundred bytes
    with pytest.raises(ApplicationError) as refused:
        _clean(out.getvalue(), images.PNG, max_pixels=1_000_000)
    assert refused.value.code == "image_too_large"
    assert refused.value.details["max_pixels"] == 1_000_000


def test_pillows_own_bomb_ceiling_answers_image_too_large(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # Pillow raises above twice this
    out = io.BytesIO()
    Image.new("1", (1000, 1000)).save(out, "PNG")
    with pytest.raises(ApplicationError) as refused:
        _clean(out.getvalue(), images.PNG, max_pixels=10_000_000)
    assert refused.value.code == "image_too_large"
