"""Sample files for the attachment tests, made here rather than shipped."""

import io
import zipfile
from pathlib import Path

from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="{part}" ContentType="{main}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
#: the start of a Windows program ("MZ", then the PE header filetype recognises)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


def photo(
    size=(4000, 3000), *, orientation: int | None = None, gps: bool = False, fmt="JPEG"
) -> bytes:
    """A camera-like photo: left half red, right half blue (so a rotation shows), with the
    EXIF orientation and a GPS position a phone writes."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (22.0, 33.0, 0.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (85.0, 48.0, 0.0),
        }
    out = io.BytesIO()
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
        image.save(out, "HEIF", exif=exif.tobytes(), quality=50)
    else:
        image.save(out, fmt, exif=exif.tobytes(), **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


def ooxml(main: str, part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML.format(part=part, main=main))
        archive.writestr(part.lstrip("/"), "<document/>")
    return out.getvalue()


def opendocument(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ledger.jpg.exe", EXE)
    return out.getvalue()


DOCX = ooxml(DOCX_MAIN, "/word/document.xml")
XLSX = ooxml(XLSX_MAIN, "/xl/workbook.xml")
DOCM = ooxml(DOCM_MAIN, "/word/document.xml")
ODT = opendocument("application/vnd.oasis.opendocument.text")
ODS = opendocument("application/vnd.oasis.opendocument.spreadsheet")


def multipart(fields) -> dict:
    """The body encoded in memory: the test client would spool a big one to a temporary
    file it never closes."""
    boundary, body = encode_multipart(MultiDict(fields))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(api, ticket_id, data: bytes, name: str, **fields):
    return api.post(
        f"/api/v1/tickets/{ticket_id}/attachments",
        **multipart({"file": FileStorage(io.BytesIO(data), name), **fields}),
    )


def fetch(api, url):
    """GET a file and close the answer (its open file) at once."""
    response = api.get(url)
    response.get_data()
    response.close()
    return response


def files_on_disk(app) -> list[Path]:
    root = Path(app.config["ATTACHMENTS_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
