"""Telling loopback addresses apart: the server refuses to bind elsewhere without keys, and the
OpenAI-compatible client never routes loopback traffic through a proxy."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (brackets of an IPv6 literal allowed)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
