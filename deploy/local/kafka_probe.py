"""Asks a Kafka broker for its API versions (ApiVersions v0 over the wire, stdlib only).

Exit 0 when the broker answers without error, 1 otherwise. The stack script uses it so that
`start` returns only once the broker's client listener serves requests. ApiVersions is the
one request a SASL listener answers before authentication; the stack script then grants the
ACLs through an authenticated admin client, which waits for the broker's metadata.
"""

import socket
import struct
import sys


def api_versions_ok(host: str, port: int, timeout: float = 2.0) -> bool:
    client_id = b"ocop-probe"
    # Request header v1 (api_key=18 ApiVersions, api_version=0), empty body.
    body = struct.pack(">hhih", 18, 0, 7, len(client_id)) + client_id
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _read(sock, 4))[0]
        response = _read(sock, size)
    correlation_id, error_code = struct.unpack(">ih", response[:6])
    if correlation_id != 7:
        raise ValueError("unexpected correlation id")
    return error_code == 0


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        data += chunk
    return data


if __name__ == "__main__":
    try:
        sys.exit(0 if api_versions_ok(sys.argv[1], int(sys.argv[2])) else 1)
    except (OSError, ValueError, struct.error):
        sys.exit(1)
