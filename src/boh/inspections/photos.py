"""Photos checked by decoding them (Pillow), never by their name: JPEG, PNG or WebP within the size and pixel
limits, the capture time read from EXIF (DateTimeOriginal, with its offset when the camera wrote one, else in
the store's timezone), a SHA-256 of the bytes as uploaded and a JPEG thumbnail (orientation applied)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps, UnidentifiedImageError

from boh.inspections.errors import BadPhoto, PhotoTooLarge

TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000
THUMB = (320, 320)
_EXIF_IFD, _DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _DATETIME = 0x8769, 0x9003, 0x9011, 0x0132


@dataclass(frozen=True)
class CheckedPhoto:
    sha256: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    captured_at: datetime | None
    thumbnail: bytes


def _captured(img: Image.Image, timezone: str) -> datetime | None:
    exif = img.getexif()
    sub = exif.get_ifd(_EXIF_IFD)
    raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        local = datetime.strptime(raw.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (zone below)
    except ValueError:
        return None
    offset = sub.get(_OFFSET_ORIGINAL)
    if isinstance(offset, str) and len(offset.strip()) == 6:
        try:
            return datetime.fromisoformat(local.isoformat() + offset.strip()).astimezone(UTC)
        except ValueError:
            pass
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def check(data: bytes, *, max_bytes: int, timezone: str = "UTC") -> CheckedPhoto:
    """The photo's facts and thumbnail; BadPhoto when it is not a decodable image of an allowed type,
    PhotoTooLarge beyond ``max_bytes``."""
    if len(data) > max_bytes:
        raise PhotoTooLarge(f"the photo has {len(data)} bytes; at most {max_bytes} are allowed")
    if not data:
        raise BadPhoto("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format or ""
                if kind not in TYPES:
                    raise BadPhoto(f"a {kind or 'unknown'} file is not accepted: send a JPEG, PNG or WebP photo")
                if probe.width * probe.height > MAX_PIXELS:
                    raise BadPhoto(f"the photo has more than {MAX_PIXELS} pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # decode every pixel: a truncated or forged file fails here
                captured = _captured(img, timezone)
                thumb = ImageOps.exif_transpose(img).convert("RGB")
                thumb.thumbnail(THUMB)
                out = io.BytesIO()
                thumb.save(out, "JPEG", quality=80)
                width, height = img.size
    except BadPhoto:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise BadPhoto(f"the file is not a readable image ({type(exc).__name__})") from None
    return CheckedPhoto(hashlib.sha256(data).hexdigest(), TYPES[kind], len(data), width, height, captured,
                        out.getvalue())  # fmt: skip
