"""A small authoritative DNS server for tests and the benchmark (loopback only).

Serves one zone text with absolute names over UDP and TCP on 127.0.0.1, answering:
- records at a name → NOERROR with them (following one CNAME);
- a name that exists only because something lives below it (an empty non-terminal, e.g. `_domainkey`)
  → NOERROR with no data, not NXDOMAIN (RFC 8020) — dnslib gets this wrong;
- anything else → NXDOMAIN.
Names in `ad_names` get the AD flag; names in `drop_names` get no answer at all (a timeout).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone


class ZoneServer:
    def __init__(self, zone_text: str, *, ad_names=(), drop_names=(), delay: float = 0.0) -> None:
        self.delay = delay  # seconds to wait before each answer: stands in for a real network's latency
        self.zone = dns.zone.from_text(zone_text, origin=dns.name.root, relativize=False, check_origin=False)
        self.names = {name for name in self.zone.nodes}
        self.ancestors = set()
        for name in self.names:
            parent = name
            while parent != dns.name.root:
                parent = parent.parent()
                self.ancestors.add(parent)
        self.ad_names = {dns.name.from_text(n) for n in ad_names}
        self.drop_names = {dns.name.from_text(n) for n in drop_names}
        self.queries = 0
        self._lock = threading.Lock()
        self._udp = self._tcp = None

    # --- answering ---------------------------------------------------------------------------------
    def respond(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        if self.delay:
            import time

            time.sleep(self.delay)
        with self._lock:
            self.queries += 1
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        if any(qname.is_subdomain(dropped) for dropped in self.drop_names):
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if (
            qname in self.ad_names
            and query.flags & dns.flags.AD
            or (qname in self.ad_names and query.ednsflags & dns.flags.DO)
        ):
            response.flags |= dns.flags.AD
        node = self.zone.get_node(qname)
        if node is not None:
            rdataset = node.get_rdataset(dns.rdataclass.IN, qtype)
            if rdataset is not None:
                response.answer.append(_rrset(qname, rdataset))
            else:
                cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
                if cname is not None:
                    response.answer.append(_rrset(qname, cname))
                    target = self.zone.get_node(cname[0].target)
                    if target is not None and (found := target.get_rdataset(dns.rdataclass.IN, qtype)):
                        response.answer.append(_rrset(cname[0].target, found))
        elif qname not in self.ancestors:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()

    # --- serving -----------------------------------------------------------------------------------
    def start(self) -> ZoneServer:
        server = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                reply = server.respond(data)
                if reply is not None:
                    if len(reply) > 1232:  # too big for UDP: truncate, the client retries over TCP
                        msg = dns.message.from_wire(reply)
                        msg.answer = []
                        msg.flags |= dns.flags.TC
                        reply = msg.to_wire()
                    sock.sendto(reply, self.client_address)

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    head = _read(self.request, 2)
                    (length,) = struct.unpack("!H", head)
                    reply = server.respond(_read(self.request, length))
                    if reply is not None:
                        self.request.sendall(struct.pack("!H", len(reply)) + reply)
                except (OSError, ValueError):
                    pass

        for _attempt in range(20):
            udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), Udp)
            port = udp.server_address[1]
            try:
                tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
            except OSError:
                udp.server_close()
                continue
            break
        else:  # pragma: no cover
            raise RuntimeError("no free port for the test DNS server")
        udp.daemon_threads = tcp.daemon_threads = True
        self._udp, self._tcp = udp, tcp
        for srv in (udp, tcp):
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.port = port
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        for srv in (self._udp, self._tcp):
            if srv is not None:
                srv.shutdown()
                srv.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _rrset(name, rdataset):
    import dns.rrset

    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    return rrset


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ValueError("short read")
        data += chunk
    return data
