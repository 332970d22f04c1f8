#!/usr/bin/env python3
"""mock-provider.py - a stand-in for every provider `keyhound --verify` talks to.

Used by tests/e2e/t7*.sh; never reaches the internet. Listens on 127.0.0.1 on a
free port (written to --port-file once listening). The first path component
names the provider (the tests set KEYHOUND_<PROVIDER>_BASE_URL to
http://127.0.0.1:PORT/<provider>); the rest must be that provider's documented
read-only request, with the key in the documented header form.

--keys FILE is JSON {"<key>": "<scenario>"}, re-read on every request:
  live, invalid, quota (429 insufficient_quota), restricted (403),
  ratelimit (429 with Retry-After: 0 once, then live), slow (answers after
  --slow seconds), error (500 always), redirect (302 elsewhere), echo (live,
  with the key itself echoed in the identity header and body).
Issue #7 (t7002) adds: lag (live after --lag seconds), busy (429 with
  Retry-After: 1, no insufficient_quota, every time), retry30 (429 with
  Retry-After: 30 once, then live), trap (302 to this very mock, path
  /trap/..., where a followed redirect would show in the log),
  forbidden:MESSAGE (403 {"message": MESSAGE}, GitHub's form),
  okfalse:ERROR (200 {"ok": false, "error": ERROR}, Slack's form).
An unknown key gets 401.

--log FILE gets one JSON line per request: provider, method, path, query,
scenario (of the key found, or null), form_ok (method, path and header form
as documented), form_problem, key_in_url (any known key in the request
line), user_agent; and (issue #7) seq (1, 2, ... in arrival order), base (the
first path component, before the admin split), start (time.time() on
arrival), in_flight (requests of that base being handled, this one
included), key_in_headers (any known key in any request header).
--times FILE (issue #7) gets one JSON line per answered request, written
just before the answer is sent: seq, base, start, end. A request is in
flight (as the mock sees it) from start to end.
--tls-cert/--tls-key (issue #7): serve https with that certificate.

It stops when its parent process goes away, on SIGTERM, or after --lifetime
seconds, so a failed test never leaves it running.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# provider -> (method, path with query, auth header, auth value template, extra headers)
ROUTES = {
    "openai": ("GET", "/v1/models", "authorization", "Bearer {k}", {}),
    "openai-admin": ("GET", "/v1/organization/admin_api_keys?limit=1", "authorization",
                     "Bearer {k}", {}),
    "anthropic": ("GET", "/v1/models", "x-api-key", "{k}", {"anthropic-version": None}),
    "anthropic-admin": ("GET", "/v1/organizations/me", "x-api-key", "{k}",
                        {"anthropic-version": None}),
    "github": ("GET", "/user", "authorization", "Bearer {k}", {"x-github-api-version": None}),
    "gitlab": ("GET", "/api/v4/user", "private-token", "{k}", {}),
    "slack": ("POST", "/api/auth.test", "authorization", "Bearer {k}", {}),
    "stripe": ("GET", "/v1/account", "authorization", "Bearer {k}", {}),
    "huggingface": ("GET", "/api/whoami-v2", "authorization", "Bearer {k}", {}),
}

# provider -> (live body, live headers)
LIVE = {
    "openai": ({"object": "list", "data": []},
               {"openai-organization": "org-mockorg", "openai-project": "proj_mockproject"}),
    "openai-admin": ({"object": "list", "data": []}, {"openai-organization": "org-mockadmin"}),
    "anthropic": ({"data": [], "has_more": False}, {"anthropic-organization-id": "mock-anthropic-org"}),
    "anthropic-admin": ({"id": "mock-org-uuid", "type": "organization", "name": "Mock Org"}, {}),
    "github": ({"login": "octo-mock", "id": 1}, {}),
    "gitlab": ({"username": "gl-mock", "id": 7}, {}),
    "slack": ({"ok": True, "team": "Mock Team", "user": "mockbot"}, {}),
    "stripe": ({"id": "acct_mock", "object": "account"}, {}),
    "huggingface": ({"name": "hf-mock", "type": "user"}, {}),
}

STATE = {"seen": {}, "seq": 0, "in_flight": {}}
LOCK = threading.Lock()


def load_keys(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def timing_done(self):
        """Issue #7: the request stops being in flight (just before its answer)."""
        t = getattr(self, "timing", None)
        if t is None:
            return
        self.timing = None
        end = time.time()
        with LOCK:
            STATE["in_flight"][t["base"]] -= 1
            if self.server.opts.times:
                with open(self.server.opts.times, "a") as f:
                    f.write(json.dumps(dict(t, end=end)) + "\n")

    def reply(self, status, body, headers=None):
        self.timing_done()
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout): expected
                pass

    def handle_any(self):
        try:
            self.handle_request()
        finally:
            self.timing_done()

    def handle_request(self):
        start = time.time()
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        keys = load_keys(self.server.opts.keys)
        parts = self.path.split("/", 2)
        provider = parts[1] if len(parts) > 1 else ""
        base = provider
        rest = "/" + (parts[2] if len(parts) > 2 else "")
        path, _, query = rest.partition("?")
        if provider == "openai" and path.startswith("/v1/organization/"):
            provider = "openai-admin"
        if provider == "anthropic" and path.startswith("/v1/organizations/"):
            provider = "anthropic-admin"
        key_in_url = any(k in self.requestline for k in keys)
        entry = {"provider": provider, "method": self.command, "path": path, "query": query,
                 "scenario": None, "form_ok": False, "form_problem": None,
                 "key_in_url": key_in_url, "user_agent": self.headers.get("User-Agent"),
                 "base": base, "start": start,
                 "key_in_headers": any(k in v for k in keys for v in self.headers.values())}
        route = ROUTES.get(provider)
        key = None
        if route is None:
            entry["form_problem"] = "unknown provider"
        else:
            method, want_path, hname, template, extra = route
            got = self.headers.get(hname)
            for k in keys:
                if got == template.format(k=k):
                    key = k
            if self.command != method:
                entry["form_problem"] = "method"
            elif rest != want_path:
                entry["form_problem"] = "path"
            elif key is None and got is not None and any(k in got for k in keys):
                entry["form_problem"] = "header form"
            elif got is None:
                entry["form_problem"] = "no " + hname + " header"
            elif any(self.headers.get(h) is None for h in extra):
                entry["form_problem"] = "missing header"
            else:
                entry["form_ok"] = True
        scenario = keys.get(key) if key else None
        entry["scenario"] = scenario
        with LOCK:
            STATE["seq"] += 1
            STATE["in_flight"][base] = STATE["in_flight"].get(base, 0) + 1
            entry["seq"] = STATE["seq"]
            entry["in_flight"] = STATE["in_flight"][base]
            self.timing = {"seq": entry["seq"], "base": base, "start": start}
            with open(self.server.opts.log, "a") as f:
                f.write(json.dumps(entry) + "\n")
            seen = STATE["seen"].get(key, 0)
            STATE["seen"][key] = seen + 1
        if not entry["form_ok"]:
            return self.reply(400, {"error": {"message": "bad request form"}})
        self.answer(provider, scenario, seen, key)

    def answer(self, provider, scenario, seen, key):
        body, headers = LIVE[provider]
        invalid = (200, {"ok": False, "error": "invalid_auth"}) if provider == "slack" else \
            (401, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}})
        if scenario == "live" or (scenario in ("ratelimit", "retry30") and seen > 0):
            return self.reply(200, body, headers)
        # issue #7: the scenarios of t7002
        if scenario == "lag":
            time.sleep(self.server.opts.lag)
            return self.reply(200, body, headers)
        if scenario == "busy":
            return self.reply(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
                              {"Retry-After": "1"})
        if scenario == "retry30":
            return self.reply(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
                              {"Retry-After": "30"})
        if scenario == "trap":
            port = self.server.server_address[1]
            return self.reply(302, None, {"Location": "http://127.0.0.1:%d/trap%s" % (port, self.path)})
        if scenario and scenario.startswith("forbidden:"):
            return self.reply(403, {"message": scenario.split(":", 1)[1],
                                    "documentation_url": "https://docs.github.com/rest"})
        if scenario and scenario.startswith("okfalse:"):
            return self.reply(200, {"ok": False, "error": scenario.split(":", 1)[1]})
        if scenario == "echo":
            h = {k: key for k in headers}
            b = dict(body)
            for k in ("login", "username", "name", "id", "team"):
                if k in b:
                    b[k] = key
            return self.reply(200, b, h)
        if scenario == "ratelimit":
            return self.reply(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
                              {"Retry-After": "0"})
        if scenario == "quota":
            return self.reply(429, {"error": {"message": "You exceeded your current quota",
                                              "type": "insufficient_quota",
                                              "code": "insufficient_quota"}})
        if scenario == "restricted":
            return self.reply(403, {"error": {"message": "insufficient permissions"}})
        if scenario == "slow":
            time.sleep(self.server.opts.slow)
            return self.reply(200, body, headers)
        if scenario == "error":
            return self.reply(500, {"error": {"message": "internal error"}})
        if scenario == "redirect":
            return self.reply(302, None, {"Location": "http://127.0.0.2:9/elsewhere"})
        return self.reply(*invalid)


class Server(ThreadingHTTPServer):
    # issue #7: a burst of 16 connections (keyhound's limit in all) must not
    # overflow the listen queue (the default of 5 drops SYNs: a 1 s stall)
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # one line per broken connection (a refused TLS handshake), no traceback
        e = sys.exc_info()[1]
        sys.stderr.write("mock: connection error: %s: %s\n" % (type(e).__name__, e))


def watch_parent(parent, deadline):
    while True:
        if os.getppid() != parent or time.time() > deadline:
            os._exit(0)
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--slow", type=float, default=5.0)
    ap.add_argument("--lifetime", type=float, default=300.0)
    ap.add_argument("--lag", type=float, default=1.0)  # issue #7
    ap.add_argument("--times")  # issue #7
    ap.add_argument("--tls-cert")  # issue #7
    ap.add_argument("--tls-key")
    opts = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if opts.tls_cert:  # issue #7: the handshake runs in the handler's thread
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    server.daemon_threads = True
    server.opts = opts
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Thread(target=watch_parent, args=(os.getppid(), time.time() + opts.lifetime),
                     daemon=True).start()
    open(opts.log, "a").close()
    if opts.times:
        open(opts.times, "a").close()
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, opts.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
