"""Fetch: mirror hits, hash pins, and real HTTP downloads from a server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from localineq.data.fetch import FetchError, Source, ensure, filename_from_url, load_catalogue

PAYLOAD = b"areacd,observation\nE06000001,1\n" * 200


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
    )


class Server:
    """A loopback HTTP server whose responses follow a script: 'ok', 'fail' (500) or 'truncate'."""

    def __init__(self, script: list[str], payload: bytes = PAYLOAD):
        self.script = list(script)
        self.payload = payload
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                outer.requests += 1
                action = outer.script.pop(0) if outer.script else "ok"
                if action == "fail":
                    self.send_error(500, "scripted failure")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(outer.payload)))
                self.end_headers()
                body = (
                    outer.payload[: len(outer.payload) // 3]
                    if action == "truncate"
                    else outer.payload
                )
                self.wfile.write(body)
                if action == "truncate":
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/data.csv"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
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
        origin = ensure(make_source(server.url), dest, tmp_path / "raw" / "p.json")
    assert origin == f"download:{server.url}"
    assert dest.read_bytes() == PAYLOAD
    assert server.requests == 1


def test_download_retries_after_server_errors(tmp_path):
    with Server(["fail", "fail", "ok"]) as server:
        dest = tmp_path / "data.csv"
        ensure(make_source(server.url), dest, tmp_path / "p.json", retries=3, timeout=5)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests == 3


def test_truncated_response_is_retried_then_succeeds(tmp_path):
    with Server(["truncate", "ok"]) as server:
        dest = tmp_path / "data.csv"
        ensure(make_source(server.url), dest, tmp_path / "p.json", retries=2, timeout=5)
    assert dest.read_bytes() == PAYLOAD


def test_persistent_truncation_fails_without_partial_file(tmp_path):
    with Server(["truncate"] * 5) as server:
        dest = tmp_path / "raw" / "data.csv"
        with pytest.raises(FetchError, match="demo"):
            ensure(make_source(server.url), dest, tmp_path / "raw" / "p.json", retries=1, timeout=5)
    assert list((tmp_path / "raw").iterdir()) == []  # no partial or temporary file left


def test_downloaded_bytes_with_wrong_hash_fail_clearly(tmp_path):
    with Server(["ok"] * 5, payload=PAYLOAD + b"extra") as server:
        dest = tmp_path / "raw" / "data.csv"
        with pytest.raises(FetchError) as err:
            ensure(make_source(server.url), dest, tmp_path / "raw" / "p.json", retries=0)
    assert make_source().sha256 in str(err.value)
    assert "update both `url` and `sha256`" in str(err.value)
    assert not dest.exists()


def test_source_without_url_needs_a_mirror(tmp_path):
    with pytest.raises(FetchError, match="no direct download URL"):
        ensure(make_source(url=None), tmp_path / "data.csv", tmp_path / "p.json")


def test_catalogue_pins_every_source(repo_root):
    catalogue = load_catalogue(repo_root / "config" / "sources.yaml")
    assert len(catalogue) >= 4
    for source in catalogue.values():
        assert len(source.sha256) == 64
        assert source.licence and source.publisher
        assert source.url is None or source.url.startswith("https://")
