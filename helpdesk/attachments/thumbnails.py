"""Small previews of photos, so a phone on 2G sees a ledger page in ~30 KB instead of 4 MB.

The preview is turned upright (the camera's EXIF orientation applied) and carries no EXIF:
no GPS position of the BRC office or the woman's home, no phone model.
"""

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError, features

log = logging.getLogger(__name__)

#: the longest side of a preview, in pixels
MAX_SIDE = 480
QUALITY = 60
#: No preview of images larger than this (a "decompression bomb": a few KB of PNG that
#: would take gigabytes to decode). JPEGs are decoded at 1/8 size when that is enough, so a
#: 108-megapixel phone photo costs little; other formats are decoded whole.
MAX_JPEG_PIXELS = 120_000_000
MAX_OTHER_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS

try:  # HEIC (iPhones, some Android cameras) when the optional decoder installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_PREVIEWS = True
except ImportError:  # pragma: no cover - depends on the machine
    HEIC_PREVIEWS = False

_PREVIEWABLE = {"image/jpeg", "image/png", "image/webp"} | (
    {"image/heic", "image/heif"} if HEIC_PREVIEWS else set()
)
_WEBP = features.check("webp")
FORMAT, CONTENT_TYPE = ("WEBP", "image/webp") if _WEBP else ("JPEG", "image/jpeg")


@dataclass
class Thumbnail:
    content_type: str
    width: int
    height: int


def can_preview(content_type: str) -> bool:
    return content_type in _PREVIEWABLE


def make_thumbnail(source: Path, target: Path) -> Thumbnail | None:
    """Write an upright preview of the image at ``source`` to ``target``; None when the
    image cannot be read (then there is simply no preview)."""
    try:
        with warnings.catch_warnings(), Image.open(source) as image:
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            limit = MAX_JPEG_PIXELS if image.format == "JPEG" else MAX_OTHER_PIXELS
            if image.width * image.height > limit:
                log.info("no preview for %s: %dx%d is too large", source.name, *image.size)
                return None
            # JPEG decodes at 1/2, 1/4 or 1/8 size directly: a 12 MP photo in ~50 ms.
            image.draft("RGB", (MAX_SIDE * 2, MAX_SIDE * 2))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            preview = _without_metadata(upright)
            preview.save(target, FORMAT, quality=QUALITY)
            return Thumbnail(CONTENT_TYPE, preview.width, preview.height)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        log.info("no preview for %s: %s", source.name, exc)
        return None


def _without_metadata(image: Image.Image) -> Image.Image:
    """A copy holding the pixels only: EXIF, GPS, XMP and comments stay behind."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and _has_alpha(image) else "RGB"
    if not _WEBP and mode == "RGBA":
        mode = "RGB"  # JPEG has no transparency
    pixels = image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or "transparency" in image.info
