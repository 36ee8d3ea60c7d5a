"""PDF from the application's own HTML, with WeasyPrint, never touching the network.

The page links its stylesheets and fonts by absolute path (``/static/...``, ``/vendor/...``).
WeasyPrint resolves them against :data:`DOCUMENT_ORIGIN`, a name under the reserved ``.invalid``
top-level domain (RFC 6761: it never resolves), and asks :class:`local_fetcher`'s fetcher for
each. That fetcher serves only

* the application's static files (:data:`reeducate.web.assets.STATIC_DIR`),
* the vendor files the ``/vendor`` route serves (:meth:`InstalledAssets.resolve`: allowed npm
  packages at their installed version), and
* ``data:`` URIs (the figures are SVG data URIs),

and refuses everything else (:class:`ResourceRefusedError`) before any request is made: another
host, another scheme (``file:``, ``ftp:``), a path outside those folders. WeasyPrint logs a
refused resource and renders without it.

WeasyPrint (and its Pango libraries) are imported inside the functions, so importing this
module stays light and the rest of the application runs without them.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from reeducate.errors import ReeducateError
from reeducate.web.assets import STATIC_DIR, InstalledAssets, media_type_of

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

__all__ = [
    "DOCUMENT_ORIGIN",
    "PdfUnavailableError",
    "ResourceRefusedError",
    "local_fetcher",
    "local_resource",
    "pdf_from_html",
]

#: The origin the document's addresses are resolved against (never resolvable).
DOCUMENT_ORIGIN: Final = "https://reeducate.invalid"


class ResourceRefusedError(ReeducateError, PermissionError):
    """A document asked for a resource the PDF renderer may not fetch."""


class PdfUnavailableError(ReeducateError, RuntimeError):
    """WeasyPrint or the Pango library it loads is not installed (the pages answer 503)."""


def _refuse(url: str, why: str) -> ResourceRefusedError:
    return ResourceRefusedError(f"url must be {why}; got {url[:120]!r}")


def local_resource(
    url: str, /, *, assets: InstalledAssets, static_dir: Path = STATIC_DIR
) -> tuple[bytes, str]:
    """The bytes and media type of a document resource at ``url``, read from disk.

    Only addresses on :data:`DOCUMENT_ORIGIN` under ``/static/`` (a file of ``static_dir``) or
    ``/vendor/<package>@<version>/<path>`` (a file the vendor route serves) are answered.

    Raises
    ------
    ResourceRefusedError
        Any other address, or one that names no such file.

    Examples
    --------
    >>> from reeducate.web.assets import InstalledAssets
    >>> none = InstalledAssets(root=Path("/nonexistent"), versions={})
    >>> local_resource("https://example.org/x.css", assets=none)
    Traceback (most recent call last):
    ...
    reeducate.web.pdf.ResourceRefusedError: url must be on https://reeducate.invalid...
    """
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != DOCUMENT_ORIGIN:
        raise _refuse(url, f"on {DOCUMENT_ORIGIN} (the application's own files) or data:")
    path = unquote(parts.path)
    if ".." in PurePosixPath(path).parts:
        raise _refuse(url, "a path without '..'")
    if path.startswith("/static/"):
        name = path.removeprefix("/static/")
        media_type = media_type_of(name)
        base = static_dir.resolve()
        file = (base / name).resolve()
        if media_type is None or not file.is_relative_to(base) or not file.is_file():
            raise _refuse(url, "a file of the application's static folder")
        return file.read_bytes(), media_type
    if path.startswith("/vendor/"):
        spec = path.removeprefix("/vendor/")
        head, _, rest = spec.partition("/")
        if head.startswith("@"):
            second, _, rest = rest.partition("/")
            head = f"{head}/{second}"
        found = assets.resolve(head, rest)
        if found is None:
            raise _refuse(url, "a vendor file the application serves")
        vendor_file, media_type = found
        return vendor_file.read_bytes(), media_type
    raise _refuse(url, "under /static/ or /vendor/")


def local_fetcher(*, assets: InstalledAssets, static_dir: Path = STATIC_DIR) -> URLFetcher:
    """A WeasyPrint URL fetcher that answers from disk (:func:`local_resource`) and
    ``data:`` URIs, and refuses everything else without a request.

    Raises (from its ``fetch``)
    ---------------------------
    ResourceRefusedError
        For any address it does not serve.
    """
    from urllib.request import DataHandler
    from urllib.request import Request as UrlRequest

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]  # untyped base class
        """Answers from disk and data: URIs only (the network handlers are never used)."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url[:5].lower() == "data:":
                with DataHandler().data_open(UrlRequest(url)) as answer:
                    body = answer.read()
                    media_type = answer.headers.get("Content-type", "text/plain")
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            body, media_type = local_resource(url, assets=assets, static_dir=static_dir)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

        def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
            target = url.full_url if isinstance(url, UrlRequest) else str(url)
            return self.fetch(target)

    return LocalFetcher(allowed_protocols=("data", "https"), allow_redirects=False)


#: Beginnings of WeasyPrint's warnings about CSS meant for browsers only (Pico's screen media
#: queries, vendor pseudo-elements, animations): expected on every render, so not logged.
_BROWSER_CSS_WARNINGS: Final = (
    "Expected a media type",
    "Invalid media type",
    "Invalid or unsupported selector",
    "Unknown rule",
    "Unknown empty rule",
    "Ignored ",
)


class _BrowserCssFilter(logging.Filter):
    """Drops WeasyPrint's warnings about browser-only CSS; errors (a refused or missing
    resource) still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno <= logging.WARNING and str(record.msg).startswith(_BROWSER_CSS_WARNINGS)
        )


def _quiet_browser_css_warnings() -> None:
    logger = logging.getLogger("weasyprint")
    if not any(isinstance(f, _BrowserCssFilter) for f in logger.filters):
        logger.addFilter(_BrowserCssFilter())


def pdf_from_html(html: str, /, *, assets: InstalledAssets, static_dir: Path = STATIC_DIR) -> bytes:
    """``html`` (a page of this application) as PDF bytes, for print media (A4 by its own
    ``@page`` rules), its resources served by :func:`local_fetcher`.

    Raises
    ------
    PdfUnavailableError
        WeasyPrint cannot be loaded (not installed, or the system's Pango library missing).
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library not found
        raise PdfUnavailableError(
            "PDF rendering needs the weasyprint package and the Pango library; "
            f"got {type(exc).__name__} loading them"
        ) from None

    _quiet_browser_css_warnings()

    document = HTML(
        string=html,
        base_url=f"{DOCUMENT_ORIGIN}/",
        url_fetcher=local_fetcher(assets=assets, static_dir=static_dir),
        media_type="print",
    )
    pdf: bytes = document.write_pdf()
    return pdf
