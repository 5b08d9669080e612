"""Check one document handed in as a file (a notice's attachment, an item's reply): bytes and
the name it was uploaded under in, a DocumentFile out.

Pure (no database, no Flask, no storage), like models.photo. Only PDF, Word and Excel are
kept, recognised by their bytes and never by the name: `%PDF-`; a zip (`PK`) holding `word/`
(docx) or `xl/` (xlsx); an OLE2 compound file (`D0CF11E0`) whose directory names a
`WordDocument` (doc) or `Workbook`/`Book` (xls) stream. Nothing is opened or rendered: the
bytes are stored as they came and downloaded as an attachment.
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

from models.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024  # within the request limit (MAX_CONTENT_LENGTH, 16 MB)
MAX_NAME = 80
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {content_type: ext for ext, content_type in CONTENT_TYPES.items()}
NOT_A_DOCUMENT = "只接受 PDF、Word、Excel 文件"
TOO_LARGE = f"文件超过{MAX_BYTES // (1024 * 1024)}MB，请压缩或拆分后再上传"

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
# Control characters, path separators and what Windows forbids in a name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass(frozen=True)
class DocumentFile:
    data: bytes
    sha256: str
    ext: str
    name: str  # the uploaded name, made safe to show and to offer as a download name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.ext]


def inspect_file(data: bytes, filename: str) -> DocumentFile:
    """The document if its bytes are a PDF, Word or Excel file of at most MAX_BYTES; else
    DomainError saying why (the caller names the file)."""
    if len(data) > MAX_BYTES:
        raise DomainError(TOO_LARGE)
    ext = document_type(data)
    if ext is None:
        raise DomainError(NOT_A_DOCUMENT)
    return DocumentFile(data=data, sha256=hashlib.sha256(data).hexdigest(), ext=ext,
                        name=safe_name(filename, ext))


def document_type(data: bytes) -> str | None:
    """pdf, docx, xlsx, doc or xls by the bytes alone; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
        return None
    if data.startswith(_OLE2):
        if _WORD_STREAM in data:
            return "doc"
        if any(stream in data for stream in _EXCEL_STREAMS):
            return "xls"
    return None


def safe_name(filename: str, ext: str) -> str:
    """The uploaded file's own name (no folders, no control or reserved characters), at most
    MAX_NAME characters and ending in the extension its bytes proved."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE.sub("", name).strip().strip(".")
    if stem.lower().endswith(f".{ext}"):
        stem = stem[:-len(ext) - 1].rstrip()
    stem = stem[:MAX_NAME - len(ext) - 1] or "附件"
    return f"{stem}.{ext}"
