"""HTTP GET with every bound a fetch from the open web needs: the only network code in blogkit.

`get()` speaks to `http` and `https` URLs only, follows at most a few redirects (each to an
`http` or `https` URL), gives the connection, each read and the whole response a deadline,
stops reading past a size cap, asks for no compression (so the cap is the size of what is
parsed), and sends the validators of the last copy (`ETag`, `Last-Modified`) so that an
unchanged resource costs one short response. It never raises for what a server does: every
failure is a `FetchFailure` saying what happened, in words for a diagnostic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from blogkit import __version__
from blogkit.core.diagnostics import size_text

USER_AGENT = f"blogkit/{__version__} (+https://pypi.org/project/blogkit/; fetching a profile's feed)"
_ACCEPT = "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, */*;q=0.1"


@dataclass(frozen=True, slots=True)
class FetchLimits:
    connect_seconds: float = 5
    read_seconds: float = 10  # for each read
    total_seconds: float = 30  # for the whole response, redirects included
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # where it was found, after redirects
    status: int  # 200, or 304 when the last copy is still current
    body: bytes
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    moved: bool = False  # reached through permanent redirects only (301, 308): `url` is the resource's new address


@dataclass(frozen=True, slots=True)
class FetchFailure:
    reason: str  # e.g. "timed out after 10 s", "HTTP 500", "larger than 5 MiB"
    status: int = 0  # the HTTP status of an answer other than 200 or 304; 0 when there was none
    retry_after: str = ""  # its Retry-After header, as sent
    url: str = ""  # where the failing answer came from, after redirects


@dataclass(frozen=True, slots=True)
class _Redirect:
    status: int
    location: str


_PERMANENT = (301, 308)


DEFAULT_LIMITS = FetchLimits()


def get(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    limits: FetchLimits = DEFAULT_LIMITS,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    method: str = "GET",
    read_body: bool = True,
) -> Fetched | FetchFailure:
    """The resource at `url` (or 304 when the copy with these validators is current), or why not.
    `headers` add to (or replace) the request's own; with a `body` the request is a POST (an API's
    query), which is never redirected. `method="HEAD"`, or `read_body=False`, asks whether the
    resource is there and reads none of it (a link's check)."""
    deadline = time.monotonic() + limits.total_seconds
    first_url = url
    started_outside: bool | None = None  # whether the first address asked was a public one
    moved = True  # every redirect so far was permanent
    for _ in range(limits.max_redirects + 1):
        try:
            parts = urlsplit(url)
            usable = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
        except ValueError:  # "http://[::1" or a port that is no number, from a profile or a server's redirect
            usable = False
        if not usable:
            return FetchFailure(f"'{url[:300]}' is not an http or https URL")
        inside = _inside_address(parts.hostname or "")
        if inside == "link-local":
            return FetchFailure(f"{parts.hostname} is a link-local address (a cloud's metadata service lives there), which is never asked")
        if started_outside is None:
            started_outside = inside is None
        elif started_outside and inside is not None:
            return FetchFailure(f"redirected from the public web to {parts.hostname}, a {inside} address, which is not followed")
        try:
            answer = _once(url, etag, last_modified, limits, deadline, headers or {}, body, method, read_body and method != "HEAD")
        except TimeoutError:
            return FetchFailure(f"timed out (after {limits.read_seconds:g} s without data, or {limits.total_seconds:g} s in all)")
        except ssl.SSLError as exc:
            return FetchFailure(f"TLS failed: {exc.reason or exc}")
        except (OSError, http.client.HTTPException) as exc:
            return FetchFailure(f"cannot connect: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}")
        except ValueError as exc:  # a header http.client refuses to send (a line break, a character beyond Latin-1)
            return FetchFailure(f"cannot send the request: {exc}")
        if isinstance(answer, _Redirect):
            if body is not None:
                return FetchFailure("redirected, which a query is not followed through")
            try:
                url = urljoin(url, answer.location)
            except ValueError:
                return FetchFailure(f"redirected to '{answer.location[:300]}', which is not a URL")
            moved = moved and answer.status in _PERMANENT
            continue
        if isinstance(answer, Fetched) and moved and answer.url != first_url:
            return dataclasses.replace(answer, moved=True)
        return answer
    return FetchFailure(f"more than {limits.max_redirects} redirects", url=url)


def _once(
    url: str,
    etag: str,
    last_modified: str,
    limits: FetchLimits,
    deadline: float,
    extra: dict[str, str],
    body: bytes | None,
    method: str = "GET",
    read_body: bool = True,
) -> Fetched | FetchFailure | _Redirect:
    """One request: the response, a failure, or the `Location` of a redirect."""
    parts = urlsplit(url)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname or "", parts.port, timeout=min(limits.connect_seconds, _left(deadline)))
    # A server that drips its headers a byte at a time meets each read's deadline and never the
    # response's: at the deadline the socket is shut, which ends any read under way.
    expired = threading.Event()
    watchdog = threading.Timer(_left(deadline), _shut, (connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(min(limits.read_seconds, _left(deadline)))
        headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, "Accept-Encoding": "identity", **extra}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method if body is None else "POST", path, body=body, headers=headers)
        try:
            response = connection.getresponse()
        except (OSError, http.client.HTTPException):
            if expired.is_set():
                raise TimeoutError from None
            raise
        if expired.is_set():  # the headers ended because the socket was shut at the deadline: not an answer
            raise TimeoutError
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location", "")
            if location:
                return _Redirect(response.status, location)
            return FetchFailure(f"HTTP {response.status} without a Location", response.status, url=url)
        if response.status == 304:
            return Fetched(url, 304, b"", etag, last_modified)
        if response.status != 200:
            retry_after = response.getheader("Retry-After", "")[:100]
            return FetchFailure(f"HTTP {response.status} {response.reason}".rstrip(), response.status, retry_after, url)
        if not read_body:
            return Fetched(url, 200, b"", response.getheader("ETag", ""), response.getheader("Last-Modified", ""))
        declared = response.getheader("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared[:30]) > limits.max_bytes:  # 30 digits: no huge number
            return FetchFailure(f"larger than {size_text(limits.max_bytes)} ({size_text(int(declared))})")
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() >= deadline:
                raise TimeoutError
            if connection.sock is not None:  # None once the response holds the socket alone: it keeps the last timeout
                connection.sock.settimeout(min(limits.read_seconds, _left(deadline)))
            chunk = response.read1(64 * 1024) if hasattr(response, "read1") else response.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > limits.max_bytes:
                return FetchFailure(f"larger than {size_text(limits.max_bytes)}")
            chunks.append(chunk)
        if expired.is_set():  # the socket was shut at the deadline: what was read is not the whole
            raise TimeoutError
        validators = (response.getheader("ETag", ""), response.getheader("Last-Modified", ""))
        return Fetched(url, 200, b"".join(chunks), *validators, response.getheader("Content-Type", ""))
    except TimeoutError as exc:
        raise TimeoutError from exc
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError from None
        raise
    finally:
        watchdog.cancel()
        connection.close()


def _shut(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def address_kind(host: str) -> str | None:
    """ "loopback", "private" or "link-local" for a host on such a network, None for a public one."""
    return _inside_address(host)


def _inside_address(host: str) -> str | None:
    """What kind of address other than a public one `host` names ("loopback", "private",
    "link-local"), or None for a public one (or a name that does not resolve: connecting says so).

    A feed on the public web may not redirect `fetch` to an address inside the network it runs in
    (a CI runner's neighbours); a profile may still name an intranet blog itself."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError, ValueError):
        return None
    kinds = set()
    for text in found:
        try:
            address = ipaddress.ip_address(str(text).split("%", 1)[0])
        except ValueError:
            continue
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if address.is_link_local:
            kinds.add("link-local")
        elif address.is_loopback:
            kinds.add("loopback")
        elif address.is_private or address.is_reserved or address.is_unspecified or address.is_multicast:
            kinds.add("private")
    for kind in ("link-local", "loopback", "private"):
        if kind in kinds:
            return kind
    return None


def _left(deadline: float) -> float:
    """Seconds until the deadline (never zero, which a socket would take for "do not wait")."""
    return max(0.001, deadline - time.monotonic())
