"""Workbooks printed by a real spreadsheet application: LibreOffice Calc converts them to PDF, poppler reads
the pages back (tests/test_workbook_pdf.py; the pictures in docs/workbook.md are made the same way).

`convert` runs one headless LibreOffice on many workbooks with a profile of its own (parallel runs must not
share one); `read_pages` turns `pdftotext -bbox` into pages of words with their sizes."""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

# Carlito (metric-compatible with Calibri, the workbooks' font) draws a word's box 1.30 times its point size
# tall: ascent 0.952 + descent 0.348 of the size, as poppler measures it (a 7 pt cell measures 9.10).
BOX_PER_POINT = 1.30
# The heading and footer sit in the top and bottom margins (0.75 in, 54 pt); LibreOffice starts the page's
# rows a little inside the top margin (at ~50 pt), so the bands are narrower than the margins.
FOOTER_BAND = 45  # points from the page's foot
HEADER_BAND = 40  # points from the page's top
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)"')
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING_TEXT = "{http://schemas.openxmlformats.org/drawingml/2006/main}t"
TOOLS = ("soffice", "pdftotext", "pdftoppm", "pdffonts")


def missing_tools() -> list[str]:
    """What the print test needs and this machine lacks (`make print-tools` installs them)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    if "Carlito" not in fonts:
        missing.append("the Carlito font")
    return missing


@dataclass
class Page:
    number: int  # 1-based, in the PDF
    height: float
    smallest: float = 1000.0  # the smallest word's size in points
    smallest_word: str = ""
    lines: dict = field(default_factory=dict)  # rounded y -> [(x, word)]

    def add(self, x0: float, y0: float, y1: float, word: str) -> None:
        size = (y1 - y0) / BOX_PER_POINT
        if size < self.smallest:
            self.smallest, self.smallest_word = size, word
        self.lines.setdefault(round(y0), []).append((x0, word))

    def text(self, top: float = 0, bottom: float = 10_000) -> str:
        """The words between `top` and `bottom` (points from the page's top), line by line, left to right."""
        return "\n".join(" ".join(w for _, w in sorted(words)) for y, words in sorted(self.lines.items())
                         if top <= y < bottom)

    @property
    def footer(self) -> str:
        return self.text(top=self.height - FOOTER_BAND).replace("\n", " ")

    @property
    def header(self) -> str:
        return self.text(bottom=HEADER_BAND).replace("\n", " ")

    @property
    def body(self) -> str:
        return self.text(top=HEADER_BAND, bottom=self.height - FOOTER_BAND)


@dataclass
class Converted:
    pdf: Path
    pages: list[Page]
    fonts: set[str]


class Conversion:
    """One headless LibreOffice Calc converting `workbooks` to PDF in `out_dir`, with a profile of its own;
    started at once, so two conversions can run side by side."""

    def __init__(self, workbooks: list[Path], out_dir: Path):
        self.workbooks, self.out_dir = list(workbooks), out_dir
        self._profile = tempfile.TemporaryDirectory(prefix="lo-profile-")
        self._proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{self._profile.name}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, self.workbooks)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def stop(self) -> None:
        """End the conversion early (the run failed before it was waited for)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self.wait()

    def wait(self, timeout: int = 900) -> subprocess.CompletedProcess:
        try:
            stdout, stderr = self._proc.communicate(timeout=timeout)
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()
            self._profile.cleanup()
        return subprocess.CompletedProcess(self._proc.args, self._proc.returncode, stdout, stderr)


def conversion_problems(result: subprocess.CompletedProcess, workbooks: list[Path], out_dir: Path) -> list[str]:
    """What went wrong: a failed run, a workbook not converted, or any word of repairing or corruption."""
    problems = []
    if result.returncode != 0:
        problems.append(f"soffice exited {result.returncode}")
    for book in workbooks:
        pdf = out_dir / (book.stem + ".pdf")
        if f"convert {book} -> {pdf}" not in result.stdout or not pdf.exists() or pdf.stat().st_size == 0:
            problems.append(f"{book.name} was not converted")
    said = "\n".join(line for line in (result.stdout + result.stderr).splitlines() if "javaldx" not in line)
    for word in ("repair", "corrupt", "Error", "error"):
        if word in said:
            problems.append(f"LibreOffice said {word!r}: {said}")
    return problems


def read_pages(pdf: Path) -> Converted:
    """Every page's words (pdftotext -bbox, streamed: a month of entries prints thousands of pages)."""
    pages: list[Page] = []
    with subprocess.Popen(["pdftotext", "-bbox", str(pdf), "-"], stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            word = WORD.search(line)
            if word:
                x0, y0, _x1, y1, text = word.groups()
                pages[-1].add(float(x0), float(y0), float(y1), _unescape(text))
                continue
            page = PAGE.search(line)
            if page:
                pages.append(Page(len(pages) + 1, float(page.group(2))))
    assert proc.returncode == 0, f"pdftotext failed on {pdf}"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    return Converted(pdf, pages, names)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


@dataclass
class ChartText:
    title: str
    axes: list[str]


def charts_in(workbook: Path) -> list[ChartText]:
    """Each chart's title and axis titles, read from the .xlsx itself."""
    found = []
    with zipfile.ZipFile(workbook) as archive:
        for name in sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart")):
            chart = ElementTree.fromstring(archive.read(name)).find(f"{CHART}chart")
            title = chart.find(f"{CHART}title")
            axes = [ax.find(f"{CHART}title") for ax in chart.find(f"{CHART}plotArea")
                    if ax.tag in (f"{CHART}catAx", f"{CHART}valAx", f"{CHART}dateAx")]
            found.append(ChartText(_text_of(title), [_text_of(a) for a in axes]))
    return found


def _text_of(element) -> str:
    if element is None:
        return ""
    return "".join(t.text or "" for t in element.iter(DRAWING_TEXT))


def words(text: str) -> str:
    """Text with its spacing made single, to find a phrase across the lines a page breaks it into."""
    return " ".join(text.split())


def picture(pdf: Path, pages: list[int], target: Path, resolution: int = 36, per_row: int = 4) -> None:
    """Pages of `pdf` in a grid, `per_row` across, as one PNG (pdftoppm renders each page; the grid is put
    together here, without an image library)."""
    with tempfile.TemporaryDirectory() as folder:
        images = []
        for number in pages:
            stem = Path(folder) / f"p{number}"
            subprocess.run(["pdftoppm", "-r", str(resolution), "-f", str(number), "-l", str(number), "-singlefile",
                            str(pdf), str(stem)], check=True)
            images.append(_read_ppm(stem.with_suffix(".ppm")))
    gap, grey = 8, b"\xcc"
    cell_w, cell_h = max(w for w, _, _ in images), max(h for _, h, _ in images)
    grid = [images[i:i + per_row] for i in range(0, len(images), per_row)]
    width = min(len(images), per_row) * (cell_w + gap) - gap
    rows = []
    for band_index, band in enumerate(grid):
        for y in range(cell_h):
            row = bytearray()
            for w, h, pixels in band:
                row += (pixels[y * w * 3:(y + 1) * w * 3] if y < h else b"") .ljust(cell_w * 3, grey)
                row += grey * (gap * 3)
            rows.append(b"\x00" + bytes(row[:width * 3]).ljust(width * 3, grey))
        if band_index < len(grid) - 1:
            rows += [b"\x00" + grey * (width * 3)] * gap
    target.write_bytes(_png(width, len(rows), b"".join(rows)))


def _png(width: int, height: int, scanlines: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(scanlines, 9)) + chunk(b"IEND", b""))


def _read_ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    head = re.match(rb"P6\s+(\d+)\s+(\d+)\s+\d+\s", data)  # one whitespace byte, then the pixels
    return int(head.group(1)), int(head.group(2)), data[head.end():]
