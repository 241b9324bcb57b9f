"""Which addresses a fetch may connect to: the public internet only, unless told otherwise.

Why: a feed names the links NewsFacet fetches (`--fetch-articles`, redirects), so
whoever writes a feed would otherwise choose what the indexer's machine reads:
`http://127.0.0.1/admin`, the intranet, a cloud's metadata service at
169.254.169.254. The check is made on the IP address a socket is about to connect
to and again on the peer it did connect to (read/fetch.py resolves a name once
and connects to that address), never on the name, so neither `2130706433`,
`localhost`, `[::ffff:127.0.0.1]` nor a DNS answer that changes between a check and
a connection gets through.

`allow_private` (the CLI's `--allow-private`) is for an intranet feed followed on
purpose: it lets loopback and private addresses through; link-local (the metadata
service), multicast, reserved and unspecified addresses stay refused.
"""
from __future__ import annotations

import ipaddress

# TEST ONLY: (ip, port) pairs allowed whatever their address, so that the tests' own
# loopback servers can be fetched while every other loopback port is still refused
# (tests/feedsite.py sets it for the servers it starts). Never set by the product.
TEST_ALLOWED_PEERS: set[tuple[str, int]] = set()


def _address(ip: str):
    addr = ipaddress.ip_address(ip.split("%", 1)[0])        # fe80::1%eth0: the scope is not part of it
    if addr.version == 6:
        inner = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
        if inner is not None:
            return inner                                     # ::ffff:127.0.0.1 is 127.0.0.1
    return addr


def refusal(ip: str, port: int, allow_private: bool = False) -> str:
    """Why a connection to `ip` is refused ("a loopback address"), or "" when it is allowed."""
    if (ip, port) in TEST_ALLOWED_PEERS:
        return ""
    try:
        addr = _address(ip)
    except ValueError:
        return "not an IP address"
    if addr.is_unspecified:
        return "an unspecified address"
    if addr.is_multicast:
        return "a multicast address"
    if addr.is_link_local:
        return "a link-local address (such as a cloud metadata service)"
    if addr.is_loopback:
        return "" if allow_private else "a loopback address"
    if addr.is_reserved:
        return "a reserved address"
    if addr.is_private or addr in _SHARED:
        return "" if allow_private else "a private address"
    return "" if addr.is_global else "a reserved address"


_SHARED = ipaddress.ip_network("100.64.0.0/10")      # carrier-grade NAT: an ISP's intranet
