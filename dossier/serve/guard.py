"""Who may talk to the preview server: ``Host`` and ``Origin`` checks.

The preview answers only its own user.  A page on another site cannot read it
through DNS rebinding (its requests carry the attacker's name in ``Host``), and
cannot reach the server's own endpoints (``/_dossier/...``) from a foreign
origin (its requests carry that origin in ``Origin``).

Accepted ``Host`` values, with the server's port (or no port when it is 80):
``localhost`` and any ``*.localhost`` name, the loopback addresses
``127.0.0.1`` and ``[::1]``, the ``--host`` given and the address bound.  When
the server listens on every address (``0.0.0.0`` or ``::``), any IP address is
accepted too: a browser sends an IP address as ``Host`` only when the user
typed it, and DNS rebinding needs a name.
"""
from __future__ import annotations

import ipaddress

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` names and loopback addresses (the preview stays on this machine)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    ip = _ip(name)
    return ip is not None and ip.is_loopback


def is_local_client(address: str) -> bool:
    """True for a connection from this machine (a loopback address, IPv4-mapped ones too)."""
    ip = _ip(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip is not None and ip.is_loopback


def is_wildcard(host: str) -> bool:
    ip = _ip(host.strip("[]"))
    return ip is not None and ip.is_unspecified


def split_host(value: str) -> tuple[str, int | None] | None:
    """``name:port`` / ``[v6]:port`` / ``name`` -> (lower-case name, port); None if malformed."""
    value = value.strip().lower()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
        if _ip(name) is None or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, sep, port_text = value.partition(":")
        if not sep:
            port_text = None
    if port_text is None:
        return name, None
    if not port_text.isdigit() or len(port_text) > 5:
        return None
    return name, int(port_text)


class HostGuard:
    """Decides whether a request's ``Host`` and ``Origin`` belong to this server."""

    def __init__(self, host: str, bound: str, port: int) -> None:
        self.port = port
        self.names = {n.strip("[]").lower() for n in (host, bound) if n} | LOCAL_NAMES
        self.any_ip = is_wildcard(host) or is_wildcard(bound)

    def host_ok(self, value: str | None) -> bool:
        parsed = split_host(value) if value else None
        if parsed is None:
            return False
        name, port = parsed
        if port != self.port and not (port is None and self.port == 80):
            return False
        if name in self.names or name.endswith(".localhost"):
            return True
        return self.any_ip and _ip(name) is not None

    @staticmethod
    def origin_ok(origin: str | None, host: str | None) -> bool:
        """No ``Origin`` (same-origin GETs send none) or exactly ``http://<Host>``."""
        if origin is None:
            return True
        return host is not None and origin.strip().lower() == f"http://{host.strip().lower()}"


def exposure_warning(host: str, url: str) -> str | None:
    """The one line printed when the preview listens beyond this machine, else None."""
    if is_loopback(host):
        return None
    port = url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[-1]
    where = f"at this machine's address, port {port}" if is_wildcard(host) else f"at {url}"
    return (f"warning: listening on {host}: anyone on your network can read the preview {where}; "
            "use --host 127.0.0.1 to keep it on this machine")
