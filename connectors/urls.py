"""URL canonicalisation: one spelling per article, whatever the feed or the share button added."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stay literal in a path or query; everything else is percent-encoded.
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_DEFAULT_PORTS = {"http": 80, "https": 443}

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wickedid", "rb_clickid", "s_cid", "ref_src", "ref_url", "amp", "share", "spref",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def _encode_component(text: str, safe: frozenset[str]) -> str:
    """Percent-encode one URL component in a single canonical way (upper-case hex, UTF-8)."""
    out: list[str] = []
    for char in text:
        if char in safe or char == "%":
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass")))
    encoded = "".join(out)

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    encoded = _PERCENT.sub(fix, encoded)
    # A lone "%" not starting an escape is itself encoded.
    return re.sub(r"%(?![0-9A-F]{2})", "%25", encoded)


def _remove_dot_segments(path: str) -> str:
    """Resolve "." and ".." path segments (RFC 3986 section 5.2.4)."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    trailing = "/" if segments[-1] in (".", "..") else ""
    return "/" + "/".join(out) + trailing if path.startswith("/") else "/".join(out) + trailing


def _is_tracking(key: str) -> bool:
    """True when a query parameter name only tracks the reader."""
    name = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), key).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _canonical_host(host: str) -> str:
    """Lower-case a host, drop a trailing dot and spell international names in IDNA (punycode)."""
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    return host.encode("idna").decode("ascii")  # UnicodeError for names IDNA cannot spell: the URL stays as given


def canonicalise_url(url: str) -> str:
    """Return the canonical form of `url`; never raises (an unparseable URL comes back stripped)."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            if scheme == "file":
                return urlunsplit(("file", "", _encode_component(parts.path, _PATH_SAFE) or "/", "", ""))
            return raw
        host = _canonical_host(parts.hostname or "")
        if not host:
            return raw
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        port = parts.port
        netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
        if parts.username is not None:
            userinfo = _encode_component(parts.username, _UNRESERVED | frozenset("!$&'()*+,;="))
            if parts.password is not None:
                userinfo += ":" + _encode_component(parts.password, _UNRESERVED | frozenset("!$&'()*+,;="))
            netloc = f"{userinfo}@{netloc}"
        path = _remove_dot_segments(_encode_component(parts.path, _PATH_SAFE)) or "/"
        pairs = [p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
        query = "&".join(sorted(_encode_component(p, _QUERY_SAFE) for p in pairs))
        return urlunsplit((scheme, netloc, path, query, ""))
    except (ValueError, UnicodeError):
        return raw


def host_key(url: str) -> str:
    """Return `host[:port]` of an http(s) URL, the unit of politeness (rate limit, robots.txt)."""
    try:
        parts = urlsplit(url)
        host = _canonical_host(parts.hostname or "")
        port = parts.port
    except (ValueError, UnicodeError):
        return url
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    return host if port is None or port == default else f"{host}:{port}"
