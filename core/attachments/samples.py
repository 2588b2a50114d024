"""Stand-in files for demo data: a valid one-page PDF showing one line, so a
demo record's documents (a signed scan, a claim's invoice) download and open
like real ones."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage


def sample_pdf(line: str) -> bytes:
    """A valid one-page PDF showing ``line`` (ASCII; anything else becomes ``?``)."""
    text = line.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    text = text.replace(b"\\", b"/")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def sample_file(line: str, filename: str) -> FileStorage:
    """:func:`sample_pdf` as an upload named ``filename``, for ``attach``."""
    return FileStorage(io.BytesIO(sample_pdf(line)), filename=filename)
