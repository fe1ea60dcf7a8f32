"""Photo previews: small enough for 2G, upright as the camera meant, and without the
phone's EXIF (GPS position included)."""

import io

import pytest
from PIL import Image

from tests.attachment_files import fetch, photo, upload


@pytest.fixture
def agent(make_user):
    return make_user("agent")


def preview_of(api_as, user, ticket, data: bytes, name: str) -> tuple[dict, bytes]:
    api = api_as(user)
    body = upload(api, ticket.id, data, name).get_json()
    response = fetch(api, body["thumbnail_url"])
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"].startswith("private")
    return body, response.data


def test_a_camera_photo_gets_a_small_upright_preview_without_exif(api_as, agent, make_ticket):
    # 12 MP, stored sideways with "rotate 90° clockwise" in EXIF, as phones do; left half
    # red and right half blue, so upright the red half is on top.
    original = photo((4000, 3000), orientation=6, gps=True)
    body, preview = preview_of(api_as, agent, make_ticket(agent), original, "ledger.jpg")
    assert body["size"] == len(original)

    image = Image.open(io.BytesIO(preview))
    assert image.format == "WEBP"
    assert image.size == (360, 480)  # portrait, the longest side 480 px
    assert len(preview) < 60 * 1024
    red_top, blue_bottom = (
        image.convert("RGB").getpixel((180, 60)),
        image.convert("RGB").getpixel((180, 420)),
    )
    assert red_top[0] > 150 and red_top[2] < 100
    assert blue_bottom[2] > 150 and blue_bottom[0] < 100
    assert "exif" not in image.info and len(image.getexif()) == 0

    # The full file is the sender's, untouched.
    full = fetch(api_as(agent), body["url"])
    assert full.data == original


def test_a_heic_photo_gets_a_preview_too(api_as, agent, make_ticket):
    body, preview = preview_of(
        api_as, agent, make_ticket(agent), photo((1600, 1200), fmt="HEIF"), "IMG_0042.HEIC"
    )
    assert body["content_type"] == "image/heic"
    assert Image.open(io.BytesIO(preview)).size == (480, 360)


def test_a_png_keeps_its_transparency_and_small_photos_are_not_enlarged(api_as, agent, make_ticket):
    small = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    out = io.BytesIO()
    small.save(out, "PNG")
    _body, preview = preview_of(api_as, agent, make_ticket(agent), out.getvalue(), "stamp.png")
    image = Image.open(io.BytesIO(preview))
    assert image.size == (120, 80) and image.mode == "RGBA"


def test_files_that_are_not_photos_and_broken_photos_have_no_preview(api_as, agent, make_ticket):
    ticket = make_ticket(agent)
    api = api_as(agent)
    broken = photo((64, 48))[:200]  # a JPEG's start, cut off
    body = upload(api, ticket.id, broken, "cut.jpg").get_json()
    assert body["content_type"] == "image/jpeg" and body["thumbnail_url"] is None
    assert fetch(api, f"{body['url'].removesuffix('/file')}/thumbnail").status_code == 404
    pdf = upload(api, ticket.id, b"%PDF-1.4\n%%EOF\n", "plan.pdf").get_json()
    assert pdf["thumbnail_url"] is None


def test_an_image_too_large_to_decode_safely_is_kept_without_a_preview(api_as, agent, make_ticket):
    """A few KB of PNG that would take gigabytes to decode (a "decompression bomb")."""
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000
    body = upload(api_as(agent), make_ticket(agent).id, bomb.getvalue(), "bomb.png").get_json()
    assert body["content_type"] == "image/png" and body["thumbnail_url"] is None
