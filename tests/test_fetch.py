"""Fetch: mirror hits, hash pins, and real downloads from HTTP(S) servers on 127.0.0.1.

Production accepts ``https://`` only. Tests serve plain HTTP on loopback and opt in with
``allow_http_hosts={"127.0.0.1"}``; the HTTPS tests run a real TLS server with a throw-away
certificate authority from ``trustme`` that only the test's SSL context trusts.
"""

from __future__ import annotations

import csv
import hashlib
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
import trustme
import yaml

from localineq.data.fetch import (
    FetchError,
    PermanentFetchError,
    RawFileMismatch,
    Source,
    ensure,
    fetch_failure_summary,
    filename_from_url,
    load_catalogue,
    verify_raw_files,
)

PAYLOAD = b"areacd,observation\nE06000001,1\n" * 200
LOOPBACK = {"127.0.0.1"}
FAST = {"backoff": 0.01, "allow_http_hosts": LOOPBACK}


def make_source(
    url: str | None = "http://127.0.0.1:1/data.csv", payload: bytes = PAYLOAD
) -> Source:
    return Source(
        key="demo",
        url=url,
        sha256=hashlib.sha256(payload).hexdigest(),
        publisher="Test publisher",
        licence="OGL-UK-3.0",
        description="demo file",
        filename="data.csv",
        bytes=len(payload),
    )


@pytest.fixture(scope="module")
def tls():
    """(server context, client context) for a certificate issued to 127.0.0.1."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx


class Server:
    """A loopback server whose responses follow a script of actions.

    'ok'; 'fail' (HTTP 500); 'missing' (HTTP 404); 'truncate' (a third of the announced body);
    'drip' (announced body, one byte every 0.2 s); 'flood' (60 MiB, no Content-Length);
    'huge' (announces 60 MiB); ('redirect', url) (HTTP 302).
    """

    def __init__(self, script: list, payload: bytes = PAYLOAD, tls_context=None):
        self.script = list(script)
        self.payload = payload
        self.requests = 0
        self.sent = 0
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                outer.requests += 1
                action = outer.script.pop(0) if outer.script else "ok"
                if isinstance(action, tuple) and action[0] == "redirect":
                    self.send_response(302)
                    self.send_header("Location", action[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if action in ("fail", "missing"):
                    self.send_error(500 if action == "fail" else 404, "scripted failure")
                    return
                self.send_response(200)
                if action == "flood":
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    block = b"x" * (1 << 16)
                    try:
                        for _ in range(960):  # 60 MiB
                            if outer.stop.is_set():
                                return
                            self.wfile.write(block)
                            outer.sent += len(block)
                    except OSError:
                        pass  # the client hung up: the point of the test
                    return
                size = 60 << 20 if action == "huge" else len(outer.payload)
                self.send_header("Content-Length", str(size))
                self.end_headers()
                if action == "drip":
                    try:
                        for byte in outer.payload:
                            if outer.stop.is_set():
                                return
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            outer.sent += 1
                            time.sleep(0.2)
                    except OSError:
                        pass
                    return
                if action == "huge":
                    self.close_connection = True
                    return
                body = (
                    outer.payload[: len(outer.payload) // 3]
                    if action == "truncate"
                    else outer.payload
                )
                self.wfile.write(body)
                outer.sent += len(body)
                if action == "truncate":
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/data.csv"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_filename_from_ons_file_url():
    url = "https://www.ons.gov.uk/file?uri=/economy/x/regionalgdp.xlsx"
    assert filename_from_url(url) == "regionalgdp.xlsx"


def test_mirror_hit_copies_file_and_writes_provenance(tmp_path):
    mirror = tmp_path / "mirror" / "host" / "deep"
    mirror.mkdir(parents=True)
    (mirror / "data.csv").write_bytes(PAYLOAD)
    dest = tmp_path / "raw" / "demo" / "data.csv"
    sidecar = tmp_path / "raw" / "demo" / "data.csv.provenance.json"
    origin = ensure(make_source(), dest, sidecar, mirror=tmp_path / "mirror")
    assert origin.startswith("mirror:")
    assert dest.read_bytes() == PAYLOAD
    record = json.loads(sidecar.read_text())
    assert record["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert record["bytes"] == len(PAYLOAD)
    assert record["publisher"] == "Test publisher" and record["licence"] == "OGL-UK-3.0"
    assert record["url"] and record["retrieved_at"].endswith("Z")


def test_mirror_file_with_other_bytes_is_refused(tmp_path):
    (tmp_path / "data.csv").write_bytes(PAYLOAD + b"changed")
    dest = tmp_path / "raw" / "data.csv"
    with pytest.raises(FetchError) as err:
        ensure(make_source(), dest, tmp_path / "raw" / "p.json", mirror=tmp_path)
    message = str(err.value)
    assert "'demo'" in message and make_source().sha256 in message
    assert hashlib.sha256(PAYLOAD + b"changed").hexdigest() in message
    assert "sources.yaml" in message
    assert not dest.exists()


def test_present_valid_file_needs_no_network(tmp_path):
    dest = tmp_path / "data.csv"
    dest.write_bytes(PAYLOAD)
    # Port 1 on loopback refuses connections: any network attempt would fail.
    assert ensure(make_source(), dest, tmp_path / "p.json") == "present"


def test_download_from_local_server(tmp_path):
    with Server(["ok"]) as server:
        dest = tmp_path / "raw" / "data.csv"
        origin = ensure(make_source(server.url), dest, tmp_path / "raw" / "p.json", **FAST)
    assert origin == f"download:{server.url}"
    assert dest.read_bytes() == PAYLOAD
    assert server.requests == 1


def test_download_retries_after_server_errors(tmp_path):
    with Server(["fail", "fail", "ok"]) as server:
        dest = tmp_path / "data.csv"
        ensure(make_source(server.url), dest, tmp_path / "p.json", retries=3, timeout=5, **FAST)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests == 3


def test_truncated_response_is_retried_then_succeeds(tmp_path):
    with Server(["truncate", "ok"]) as server:
        dest = tmp_path / "data.csv"
        ensure(make_source(server.url), dest, tmp_path / "p.json", retries=2, timeout=5, **FAST)
    assert dest.read_bytes() == PAYLOAD


def test_persistent_truncation_fails_without_partial_file(tmp_path):
    with Server(["truncate"] * 5) as server:
        dest = tmp_path / "raw" / "data.csv"
        with pytest.raises(FetchError, match="demo") as err:
            ensure(make_source(server.url), dest, tmp_path / "raw" / "p.json", retries=1, **FAST)
    assert "failed after 2 attempt(s)" in str(err.value) and "truncated" in str(err.value)
    assert list((tmp_path / "raw").iterdir()) == []  # no partial or temporary file left


def test_wrong_hash_names_actual_hash_and_is_not_retried(tmp_path):
    other = PAYLOAD.replace(b"1\n", b"2\n")  # same size: only the hash can tell
    with Server(["ok"] * 5, payload=other) as server:
        dest = tmp_path / "raw" / "data.csv"
        with pytest.raises(PermanentFetchError) as err:
            ensure(make_source(server.url), dest, tmp_path / "raw" / "p.json", retries=3, **FAST)
    message = str(err.value)
    assert make_source().sha256 in message  # the pin
    assert hashlib.sha256(other).hexdigest() in message  # what actually arrived
    assert "update `url`, `sha256`, `bytes`" in message
    assert server.requests == 1  # deterministic: no retry
    assert not dest.exists() and list((tmp_path / "raw").iterdir()) == []


def test_http_404_is_not_retried(tmp_path):
    with Server(["missing"] * 5) as server, pytest.raises(PermanentFetchError, match="404"):
        ensure(make_source(server.url), tmp_path / "d.csv", tmp_path / "p.json", retries=3, **FAST)
    assert server.requests == 1


def test_slow_drip_is_cut_off_by_the_overall_deadline(tmp_path):
    # One byte every 0.2 s never trips the 2 s per-read timeout; the 1 s deadline must.
    with Server(["drip"] * 5) as server:
        started = time.monotonic()
        with pytest.raises(PermanentFetchError, match="deadline") as err:
            ensure(
                make_source(server.url),
                tmp_path / "data.csv",
                tmp_path / "p.json",
                timeout=2,
                deadline=1,
                retries=3,
                **FAST,
            )
        elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed  # deadline + at most one read timeout, in practice ~1 s
    assert server.requests == 1
    assert "demo" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_oversized_body_stops_at_the_pinned_size(tmp_path):
    # No Content-Length: the cap must be enforced while streaming, not after the fact.
    with Server(["flood"] * 5) as server:
        started = time.monotonic()
        with pytest.raises(PermanentFetchError, match="pinned size") as err:
            ensure(make_source(server.url), tmp_path / "d.csv", tmp_path / "p.json", **FAST)
        elapsed = time.monotonic() - started
        time.sleep(0.2)  # let the server notice the hang-up
    assert server.requests == 1
    assert server.sent < 16 << 20, server.sent  # far less than the 60 MiB offered
    assert elapsed < 5
    assert str(len(PAYLOAD)) in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_announced_oversize_is_refused_before_the_body(tmp_path):
    with Server(["huge"]) as server, pytest.raises(PermanentFetchError, match="announces"):
        ensure(make_source(server.url), tmp_path / "d.csv", tmp_path / "p.json", **FAST)
    assert server.requests == 1


def test_plain_http_is_refused_without_a_request(tmp_path):
    with Server(["ok"]) as server, pytest.raises(PermanentFetchError, match="non-HTTPS"):
        ensure(make_source(server.url), tmp_path / "d.csv", tmp_path / "p.json")
    assert server.requests == 0


def test_https_download_with_verified_certificate(tmp_path, tls):
    server_ctx, client_ctx = tls
    with Server(["ok"], tls_context=server_ctx) as server:
        assert server.url.startswith("https://")
        dest = tmp_path / "data.csv"
        ensure(make_source(server.url), dest, tmp_path / "p.json", ssl_context=client_ctx)
    assert dest.read_bytes() == PAYLOAD


def test_untrusted_certificate_is_refused(tmp_path, tls):
    server_ctx, _ = tls
    with (
        Server(["ok"] * 5, tls_context=server_ctx) as server,
        pytest.raises(PermanentFetchError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        ensure(make_source(server.url), tmp_path / "d.csv", tmp_path / "p.json", **FAST)
    assert not (tmp_path / "d.csv").exists()


def test_redirect_to_https_is_followed(tmp_path, tls):
    server_ctx, client_ctx = tls
    with (
        Server(["ok"], tls_context=server_ctx) as target,
        Server([("redirect", target.url)], tls_context=server_ctx) as first,
    ):
        dest = tmp_path / "data.csv"
        origin = ensure(make_source(first.url), dest, tmp_path / "p.json", ssl_context=client_ctx)
    assert origin == f"download:{first.url}"
    assert dest.read_bytes() == PAYLOAD
    assert (first.requests, target.requests) == (1, 1)


def test_redirect_to_http_is_refused(tmp_path, tls):
    server_ctx, client_ctx = tls
    with (
        Server(["ok"]) as plain,
        Server([("redirect", plain.url)] * 5, tls_context=server_ctx) as first,
        pytest.raises(PermanentFetchError, match="redirect.*non-HTTPS") as err,
    ):
        ensure(
            make_source(first.url),
            tmp_path / "d.csv",
            tmp_path / "p.json",
            ssl_context=client_ctx,
            retries=3,
        )
    assert plain.url in str(err.value)
    assert (first.requests, plain.requests) == (1, 0)  # refused before the hop, never retried


@pytest.mark.parametrize("url", [None, "", "http://example.org/a.csv", "ftp://example.org/a"])
def test_catalogue_refuses_a_source_without_an_https_url(tmp_path, url):
    entry = {
        "url": url,
        "sha256": "0" * 64,
        "bytes": 1,
        "publisher": "P",
        "licence": "OGL-UK-3.0",
        "description": "d",
        "filename": "a.csv",
        "landing_page": "https://example.org/",
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": {"demo": entry}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"source 'demo': `url`") as err:
        load_catalogue(path)
    assert "https://" in str(err.value) or "empty" in str(err.value)


def test_every_source_has_an_https_url(repo_root):
    """A fresh clone with network access can fetch every raw file: no source relies on a
    mirror (read from the YAML itself, not through the loader that enforces it)."""
    entries = yaml.safe_load((repo_root / "config" / "sources.yaml").read_text())["sources"]
    lacking = {
        key: entry.get("url")
        for key, entry in entries.items()
        if not (
            isinstance(entry.get("url"), str)
            and urlparse(entry["url"]).scheme == "https"
            and urlparse(entry["url"]).hostname
        )
    }
    assert not lacking, f"sources without an https download URL: {lacking}"


def test_every_url_is_recorded_with_its_pinned_hash_in_the_mirror_manifest(repo_root, mirror):
    """The mirror's MANIFEST.csv records where each copy came from: every source's URL must be
    one of those origins with the same sha256, so the URL serves the pinned bytes."""
    with open(mirror / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    origins: dict[str, set[str]] = {}
    for row in rows:
        origins.setdefault("https://" + row["path"], set()).add(row["sha256"])
        origins.setdefault(row["canonical_url"], set()).add(row["sha256"])
    catalogue = load_catalogue(repo_root / "config" / "sources.yaml")
    unmatched = [
        key for key, src in catalogue.items() if src.sha256 not in origins.get(src.url, set())
    ]
    assert not unmatched, f"URL not recorded with the pinned sha256 in MANIFEST.csv: {unmatched}"
    lookup = catalogue["lad23_itl_lookup"]
    assert lookup.url.startswith("https://raw.githubusercontent.com/BenGoodair/Care_Entries_Data/")
    assert lookup.landing_page == "https://geoportal.statistics.gov.uk/"


def test_catalogue_pins_every_source(repo_root):
    catalogue = load_catalogue(repo_root / "config" / "sources.yaml")
    assert len(catalogue) >= 4
    for source in catalogue.values():
        assert len(source.sha256) == 64
        assert source.bytes and source.bytes > 0
        assert source.licence and source.publisher
        assert source.url.startswith("https://")


def test_catalogue_sizes_match_the_mirror(repo_root, mirror):
    """The size cap would refuse a correct download if a pinned `bytes` were wrong."""
    catalogue = load_catalogue(repo_root / "config" / "sources.yaml")
    for source in catalogue.values():
        hits = sorted(mirror.rglob(source.filename))
        assert hits, source.key
        assert any(h.stat().st_size == source.bytes for h in hits), source.key


def test_verify_raw_files_names_file_both_hashes_and_fix(tmp_path):
    source = make_source()
    path = tmp_path / "demo" / "data.csv"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    assert verify_raw_files({"demo": source}, tmp_path) == 1
    edited = PAYLOAD.replace(b"E06000001,1", b"E06000001,2", 1)
    path.write_bytes(edited)
    with pytest.raises(RawFileMismatch) as err:
        verify_raw_files({"demo": source}, tmp_path)
    message = str(err.value)
    assert str(path) in message and "'demo'" in message
    assert hashlib.sha256(edited).hexdigest() in message and source.sha256 in message
    assert "delete it" in message and "update `url`, `sha256`, `bytes`" in message


def test_verify_raw_files_skips_missing_and_checks_sidecar(tmp_path):
    source = make_source()
    assert verify_raw_files({"demo": source}, tmp_path) == 0  # missing: fetch provides it
    path = tmp_path / "demo" / "data.csv"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    sidecar = path.with_name("data.csv.provenance.json")
    sidecar.write_text(json.dumps({"sha256": "0" * 64}))
    with pytest.raises(RawFileMismatch, match="records sha256 0000"):
        verify_raw_files({"demo": source}, tmp_path)


def test_failure_summary_names_sources_and_the_mirror_option(tmp_path):
    source = make_source()
    log = tmp_path / "logs" / "demo" / "data.csv.log"
    log.parent.mkdir(parents=True)
    assert fetch_failure_summary({"demo": source}, tmp_path / "raw", tmp_path / "logs") is None
    log.write_text(
        "ERROR:root:FETCH FAILED: source 'demo': download of https://example.org/data.csv: "
        "cannot resolve the host name (no network?): [Errno -2] Name or service not known\n"
    )
    summary = fetch_failure_summary({"demo": source}, tmp_path / "raw", tmp_path / "logs")
    lines = summary.splitlines()
    assert lines[0] == "localineq: 1 raw file(s) could not be fetched:"
    assert lines[1].split()[:6] == ["demo", "cannot", "resolve", "the", "host", "name"]
    assert "Raw files still missing (1 of 1): demo" in summary
    assert "snakemake --cores 2 --config mirror=DIR" in lines[-2]
    # Logs older than this run are ignored.
    assert fetch_failure_summary({"demo": source}, tmp_path, tmp_path / "logs", since=2e9) is None


def test_unresolvable_host_fails_fast_without_retry(tmp_path):
    source = make_source("https://localineq-no-such-host.invalid/data.csv")
    started = time.monotonic()
    with pytest.raises(PermanentFetchError, match="cannot resolve the host name"):
        ensure(source, tmp_path / "d.csv", tmp_path / "p.json", retries=3, backoff=1)
    assert time.monotonic() - started < 1  # no 1+2+4 s of pauses
