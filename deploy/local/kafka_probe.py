"""Asks a Kafka broker for its metadata (Metadata v4 over the wire, stdlib only).

Exit 0 when the broker answers with at least one live broker, 1 otherwise. The stack script
uses it so that `start` returns only once clients can really talk to Kafka.
"""

import socket
import struct
import sys


def metadata_brokers(host: str, port: int, timeout: float = 2.0) -> int:
    client_id = b"ocop-probe"
    # Request header v1 (api_key=3 Metadata, api_version=4), body: topics=null, no auto-create.
    body = struct.pack(">hhih", 3, 4, 7, len(client_id)) + client_id + struct.pack(">ib", -1, 0)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _read(sock, 4))[0]
        response = _read(sock, size)
    correlation_id, _throttle_ms, broker_count = struct.unpack(">iii", response[:12])
    if correlation_id != 7:
        raise ValueError("unexpected correlation id")
    return broker_count


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
        sys.exit(0 if metadata_brokers(sys.argv[1], int(sys.argv[2])) > 0 else 1)
    except (OSError, ValueError, struct.error):
        sys.exit(1)
