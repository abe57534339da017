#!/usr/bin/env python3
"""A varlink peer written with Python's standard library only (socket.send_fds/recv_fds,
Python 3.9+), for the tests of @varlink-ts/native: a peer this project did not write, speaking
the wire protocol (JSON + NUL over a unix stream socket) with file descriptors (SCM_RIGHTS).

  peer.py serve ADDRESS        listen (a path, or @name for an abstract socket bound with its
                               exact length), print READY, serve org.example.fds on every
                               connection (a thread each)
  peer.py call ADDRESS STEPS   connect, run the JSON list of STEPS against a service, print one
                               JSON line per step

Received fds are tied to the message that begins at the offset of the chunk they came with, and
refused (closed, counted) when no message begins there (UAPI.20).
"""
import errno
import json
import os
import socket
import struct
import sys
import threading

MAX_FDS = 253
STATS = {"refused": 0}
LOCK = threading.Lock()


def to_sockaddr(address):
    return "\0" + address[1:] if address.startswith("@") else address


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.offset = 0  # stream offset of self.buffer[0]
        self.batches = []  # (offset, fds) of chunks that carried fds

    def read_message(self):
        """The next message and its fds, or (None, []) at the end of the stream."""
        while True:
            end = self.buffer.find(b"\0")
            if end >= 0:
                start = self.offset
                text = self.buffer[:end]
                self.buffer = self.buffer[end + 1 :]
                self.offset += end + 1
                fds, keep = [], []
                for offset, batch in self.batches:
                    if offset == start:
                        fds.extend(batch)
                    elif offset < self.offset:
                        # arrived with a chunk that does not begin a message: refuse
                        for fd in batch:
                            os.close(fd)
                        with LOCK:
                            STATS["refused"] += len(batch)
                    else:
                        keep.append((offset, batch))
                self.batches = keep
                return json.loads(text), fds
            data, fds, _flags, _addr = socket.recv_fds(self.sock, 65536, MAX_FDS)
            if not data:
                for fd in fds:
                    os.close(fd)
                return None, []
            if fds:
                self.batches.append((self.offset + len(self.buffer), fds))
            self.buffer += data

    def send(self, message, fds=()):
        data = json.dumps(message).encode() + b"\0"
        if fds:
            sent = socket.send_fds(self.sock, [data], list(fds))
            if sent < len(data):
                self.sock.sendall(data[sent:])
        else:
            self.sock.sendall(data)


def read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks).decode()
        chunks.append(chunk)


def open_fd_count():
    return len(os.listdir("/proc/self/fd"))


def serve_connection(sock):
    conn = Connection(sock)
    devnull = os.open("/dev/null", os.O_RDWR)
    try:
        while True:
            call, fds = conn.read_message()
            if call is None:
                return
            method = call.get("method", "")
            params = call.get("parameters") or {}
            reply, reply_fds = {}, []
            if method == "org.example.fds.WriteTo":
                if len(fds) != 1:
                    reply = {"error": "org.varlink.service.InvalidParameter", "parameters": {"parameter": "fd"}}
                else:
                    written = os.write(fds[0], params["text"].encode())
                    reply = {"parameters": {"written": written}}
            elif method == "org.example.fds.ReadFrom":
                if len(fds) != 1:
                    reply = {"error": "org.varlink.service.InvalidParameter", "parameters": {"parameter": "fd"}}
                else:
                    os.lseek(fds[0], 0, os.SEEK_SET)
                    reply = {"parameters": {"text": read_all(fds[0])}}
            elif method == "org.example.fds.Open":
                r, w = os.pipe()
                os.write(w, params["text"].encode())
                os.close(w)
                reply, reply_fds = {"parameters": {"fd": 0}}, [r]
            elif method == "org.example.fds.Peer":
                pid, uid, gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
                reply = {"parameters": {"pid": pid, "uid": uid, "gid": gid, "self": os.getpid()}}
            elif method == "org.example.fds.Count":
                reply = {"parameters": {"count": len(fds), "seq": params.get("seq")}}
                if params.get("back"):
                    reply_fds = [devnull]
            elif method == "org.example.fds.Stats":
                with LOCK:
                    refused = STATS["refused"]
                reply = {"parameters": {"fds": open_fd_count(), "refused": refused}}
            else:
                reply = {"error": "org.varlink.service.MethodNotFound", "parameters": {"method": method}}
            for fd in fds:
                os.close(fd)
            if not call.get("oneway"):
                conn.send(reply, reply_fds)
            for fd in reply_fds:
                if fd != devnull:
                    os.close(fd)
    finally:
        os.close(devnull)
        sock.close()


def serve(address):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(to_sockaddr(address))
    listener.listen(64)
    print("READY", flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(sock,), daemon=True).start()


def call(address, steps):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(to_sockaddr(address))
    conn = Connection(sock)
    peer = sock.getpeername()
    peer = peer.encode() if isinstance(peer, str) else peer
    pid, uid, gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    print(json.dumps({"connected": True, "peername": peer.hex(), "pid": pid, "uid": uid, "gid": gid, "self": os.getpid()}), flush=True)
    for step in steps:
        message = {"method": step["method"], "parameters": step.get("parameters", {})}
        out = {}
        send_fds, read_back = [], None
        if step.get("fd") == "pipe-write":
            r, w = os.pipe()
            send_fds, read_back = [w], r
        elif step.get("fd") == "devnull":
            send_fds = [os.open("/dev/null", os.O_RDWR)]
        try:
            conn.send(message, send_fds)
        except OSError as error:
            out["sendError"] = errno.errorcode.get(error.errno, str(error.errno))
            for fd in send_fds:
                os.close(fd)
            if read_back is not None:
                os.close(read_back)
            print(json.dumps(out), flush=True)
            continue
        for fd in send_fds:
            os.close(fd)
        reply, fds = conn.read_message()
        out["reply"] = reply
        out["fdCount"] = len(fds)
        if read_back is not None:
            out["pipeText"] = read_all(read_back)
            os.close(read_back)
        if fds:
            out["fdText"] = read_all(fds[0])
            for fd in fds:
                os.close(fd)
        print(json.dumps(out), flush=True)
    sock.close()
    print(json.dumps({"done": True}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif sys.argv[1] == "call":
        call(sys.argv[2], json.loads(sys.argv[3]))
    else:
        sys.exit("usage: peer.py serve ADDRESS | call ADDRESS STEPS")
