"""A world for attachments: the cases world with one accepted case of agent1 and a home visit
of agent1 on it; uploads land in a temporary MEDIA_ROOT. Photos are made here with Pillow
(and pillow-heif for HEIC), each carrying the metadata a stored copy must lose: EXIF with
GPS position and orientation, XMP, a comment, PNG text chunks."""

from __future__ import annotations

import io

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.worlds.cases import accepted_case
from tests.worlds.stack import world_fixture
from visits.models import Visit

pillow_heif.register_heif_opener()

# 41°11'54"N 122°4'16"E, a point in the test district
GPS = {1: "N", 2: (41.0, 11.0, 54.0), 3: "E", 4: (122.0, 4.0, 16.0)}
SECRET = b"secret-place"
ORIENTATION_ROTATE_90 = 6  # EXIF: shown turned 90° clockwise


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@world_fixture
def attach_world(case_world):
    agent1 = case_world["people"]["agent1"]
    case = accepted_case(case_world)
    visit = Visit.objects.create(case=case, agent=agent1, created_by=agent1.user)
    case_world["case"] = case
    case_world["visit"] = visit
    return case_world


def exif_with_gps(orientation: int = ORIENTATION_ROTATE_90) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    exif.get_ifd(0x8825).update(GPS)  # GPSInfo IFD
    return exif


def photo(size=(40, 30), colour=(200, 30, 30)) -> Image.Image:
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 2))  # a corner to track rotation
    return image


def jpeg_with_gps(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    photo(size).save(
        out,
        "JPEG",
        exif=exif_with_gps(),
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>",
        comment=SECRET,
    )
    return out.getvalue()


def png_with_text(size=(40, 30)) -> bytes:
    info = PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_itxt("Location", SECRET.decode())
    info.add_text("Description", SECRET.decode(), zip=True)
    out = io.BytesIO()
    photo(size).convert("RGBA").save(out, "PNG", pnginfo=info, exif=exif_with_gps(1))
    return out.getvalue()


def heic_with_gps(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    photo(size).save(out, "HEIF", exif=exif_with_gps(1).tobytes(), quality=90)
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]
