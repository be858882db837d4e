"""Alert delivery (issue 12, defect 2): every channel's outcome is on the alert row, each channel's
time is bounded, and Slack / e-mail go through the providers' own notifiers.

Offline: the SMTP and Slack servers are real ones on 127.0.0.1, started by the tests.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import logging
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nba_airflow import notifiers
from processors.alerts import Alert
from processors.config import ConfigError, PipelineSettings
from processors.warehouse import Statement

NIGHT = dt.date(2025, 1, 15)
TITLE = "Phase 4 not complete by 01:00 ET"


# --- local servers ------------------------------------------------------------------------
class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP for smtplib: keeps every message it is given."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages: list[dict] = []
        super().__init__(("127.0.0.1", 0), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        envelope: dict = {"rcpt": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                envelope["from"] = command
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["rcpt"].append(command)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode())
                self.server.messages.append({**envelope, "data": "".join(data)})
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class SlackSink(ThreadingHTTPServer):
    """A Slack stand-in: records each POST (path, JSON body) and answers as Slack does."""

    daemon_threads = True

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        super().__init__(("127.0.0.1", 0), SlackHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class SlackHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.requests.append((self.path, json.loads(body)))
        answer = b'{"ok": true}' if self.path.startswith("/api/") else b"ok"   # Web API / Incoming Webhook
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if self.path.startswith("/api/") else "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


def serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def smtp_sink():
    server = serve(SmtpSink())
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def slack_sink():
    server = serve(SlackSink())
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hung_smtp():
    """A server that accepts connections and never says a word (the SMTP greeting never comes)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 where nothing listens: connecting is refused at once."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# --- configuration ------------------------------------------------------------------------
@pytest.fixture
def local_env(warehouse, monkeypatch):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(warehouse.path))
    for name in ("NBA_SLACK_CONN_ID", "NBA_SMTP_CONN_ID", "NBA_ALERT_EMAILS", "NBA_ALERT_SLACK_CHANNEL",
                 "AIRFLOW_CONN_SLACK_ALERTS", "AIRFLOW_CONN_SMTP_ALERTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NBA_ALERT_CHANNEL_TIMEOUT_SECONDS", "1")
    warehouse.close()  # the code under test opens the file itself
    return warehouse


def smtp_connection(monkeypatch, port: int) -> None:
    monkeypatch.setenv("NBA_ALERT_EMAILS", "ops@example.com,oncall@example.com")
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_ALERTS", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"from_email": "nba-props@example.com", "disable_ssl": True, "disable_tls": True}}))


def webhook_connection(monkeypatch, url: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_ALERTS", json.dumps({"conn_type": "slackwebhook", "password": url}))


def alert(**kw) -> Alert:
    return Alert(**{"severity": "critical", "title": TITLE, "message": "game_date 2025-01-15: 3 of 5 done\nP5 missing",
                    "game_date": NIGHT, "source": "phase4_deadline", **kw})


def rows(warehouse) -> list[dict]:
    return warehouse.query(Statement("t.sql", "SELECT alert_id, channels, channel_outcomes "
                                              "FROM nba_reference.pipeline_alerts ORDER BY created_at"))


def outcome(row: dict, channel: str) -> dict:
    (found,) = [o for o in row["channel_outcomes"] if o["channel"] == channel]
    return found


# --- the defect, reproduced --------------------------------------------------------------------
def test_an_smtp_server_that_refuses_is_recorded_as_failed(local_env, monkeypatch, closed_port, caplog):
    smtp_connection(monkeypatch, closed_port)
    with caplog.at_level(logging.WARNING):
        delivered = notifiers.deliver(alert())  # never raises: a channel's failure does not fail the task
    assert delivered == ["log"]
    (row,) = rows(local_env)
    assert row["channels"] == ["log"]
    email = outcome(row, "email")
    assert email["outcome"] == "failed"
    assert "ConnectionRefusedError" in email["detail"] and f"127.0.0.1:{closed_port}" in email["detail"]
    assert outcome(row, "log") == {"channel": "log", "outcome": "delivered"}
    assert outcome(row, "slack")["outcome"] == "not_configured"
    failed = [r.getMessage() for r in caplog.records if "email" in r.getMessage() and "failed" in r.getMessage()]
    assert failed and "ConnectionRefusedError" in failed[0], caplog.text


def test_a_hung_smtp_server_costs_at_most_the_channel_timeout(local_env, monkeypatch, hung_smtp):
    smtp_connection(monkeypatch, hung_smtp)
    started = time.monotonic()
    delivered = notifiers.deliver(alert())
    elapsed = time.monotonic() - started
    # was 30 s per attempt, 6 attempts (the provider reconnects 5 times): 3 minutes per alert
    assert elapsed < 10, f"deliver() took {elapsed:.1f} s with a 1 s channel timeout"
    assert delivered == ["log"]
    email = outcome(rows(local_env)[0], "email")
    assert email == {"channel": "email", "outcome": "failed", "detail": f"timed out after 1 s (SMTP 127.0.0.1:{hung_smtp})"}
    # The abandoned sender stops by itself too (the hook's own timeout), not after 5 more attempts.
    for thread in [t for t in threading.enumerate() if t.name == "alert-email"]:
        thread.join(10)
        assert not thread.is_alive(), "the e-mail thread still runs 10 s after its bound"


def test_hung_channels_wait_side_by_side(local_env, monkeypatch, hung_smtp):
    """Slack and e-mail both hang: the alert waits for the bound once, not once per channel."""
    smtp_connection(monkeypatch, hung_smtp)
    webhook_connection(monkeypatch, f"http://127.0.0.1:{hung_smtp}/services/T000/B000/secret")
    started = time.monotonic()
    assert notifiers.deliver(alert()) == ["log"]
    assert time.monotonic() - started < 10
    (row,) = rows(local_env)
    assert outcome(row, "slack")["detail"] == f"timed out after 1 s (Slack webhook 127.0.0.1:{hung_smtp})"
    assert outcome(row, "email")["detail"] == f"timed out after 1 s (SMTP 127.0.0.1:{hung_smtp})"


def test_email_through_a_working_smtp_server(local_env, monkeypatch, smtp_sink):
    smtp_connection(monkeypatch, smtp_sink.server_address[1])
    assert notifiers.deliver(alert(message="rule a: 3 rows <bad>\nrule b: {{ not a template }}")) == ["log", "email"]
    (message,) = smtp_sink.messages
    mail = email.message_from_string(message["data"])
    assert mail["Subject"] == f"[nba-props] critical: {TITLE}"
    assert "nba-props@example.com" in message["from"]
    assert len(message["rcpt"]) == 2 and "ops@example.com" in message["rcpt"][0]
    (body,) = [part.get_payload(decode=True).decode() for part in mail.walk() if part.get_content_type() == "text/html"]
    assert body == ("<pre>rule a: 3 rows &lt;bad&gt;\nrule b: {{ not a template }}</pre>"  # as written, not rendered
                    "<p>night: 2025-01-15, source: phase4_deadline</p>")
    (row,) = rows(local_env)
    assert row["channels"] == ["log", "email"]
    assert outcome(row, "email") == {"channel": "email", "outcome": "delivered"}


def test_slack_incoming_webhook(local_env, monkeypatch, slack_sink):
    webhook_connection(monkeypatch, f"{slack_sink.url}/services/T000/B000/secret")
    a = alert(message="3 of 5 done {{ ti }}")
    assert notifiers.deliver(a) == ["log", "slack"]
    ((path, body),) = slack_sink.requests
    assert path == "/services/T000/B000/secret" and body["text"] == a.text
    (row,) = rows(local_env)
    assert row["channels"] == ["log", "slack"]
    assert outcome(row, "slack") == {"channel": "slack", "outcome": "delivered"}
    assert outcome(row, "email") == {"channel": "email", "outcome": "not_configured",
                                     "detail": "NBA_ALERT_EMAILS is empty"}


def test_slack_api_connection_posts_to_the_configured_channel(local_env, monkeypatch, slack_sink):
    monkeypatch.setenv("NBA_ALERT_SLACK_CHANNEL", "#nba-alerts")
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_ALERTS", json.dumps({
        "conn_type": "slack", "password": "xoxb-test-token", "extra": {"base_url": f"{slack_sink.url}/api/"}}))
    a = alert()
    assert notifiers.deliver(a) == ["log", "slack"]
    ((path, body),) = slack_sink.requests
    assert path == "/api/chat.postMessage" and body["channel"] == "#nba-alerts" and body["text"] == a.text


def test_a_slack_api_connection_without_a_channel_is_not_configured(local_env, monkeypatch, slack_sink):
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_ALERTS", json.dumps({
        "conn_type": "slack", "password": "xoxb-test-token", "extra": {"base_url": f"{slack_sink.url}/api/"}}))
    assert notifiers.deliver(alert()) == ["log"]
    assert not slack_sink.requests
    slack = outcome(rows(local_env)[0], "slack")
    assert slack["outcome"] == "not_configured" and "NBA_ALERT_SLACK_CHANNEL" in slack["detail"]


def test_a_slack_error_answer_is_a_failure_with_its_status(local_env, monkeypatch, slack_sink):
    webhook_connection(monkeypatch, f"{slack_sink.url}/nowhere")

    def refuse(handler):
        handler.send_response(404)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    monkeypatch.setattr(SlackHandler, "do_POST", refuse)
    assert notifiers.deliver(alert()) == ["log"]
    slack = outcome(rows(local_env)[0], "slack")
    assert slack["outcome"] == "failed" and "404" in slack["detail"]


def test_missing_connections_are_not_configured_and_quiet(local_env, caplog):
    with caplog.at_level(logging.WARNING, logger="nba_airflow"):
        assert notifiers.deliver(alert(severity="info")) == ["log"]
    (row,) = rows(local_env)
    assert row["channels"] == ["log"]
    assert [o["outcome"] for o in row["channel_outcomes"]] == ["delivered", "not_configured", "not_configured"]
    assert outcome(row, "slack") == {"channel": "slack", "outcome": "not_configured",
                                     "detail": "no Airflow connection slack_alerts"}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_email_recipients_without_a_connection_are_not_configured(local_env, monkeypatch):
    monkeypatch.setenv("NBA_ALERT_EMAILS", "ops@example.com")
    notifiers.deliver(alert())
    assert outcome(rows(local_env)[0], "email") == {"channel": "email", "outcome": "not_configured",
                                                    "detail": "no Airflow connection smtp_alerts"}


def test_bad_alert_settings_still_log_and_record_the_alert(local_env, monkeypatch):
    monkeypatch.setenv("NBA_ALERT_CHANNEL_TIMEOUT_SECONDS", "0")
    assert notifiers.deliver(alert()) == ["log"]
    slack = outcome(rows(local_env)[0], "slack")
    assert slack["outcome"] == "failed" and slack["detail"].startswith(
        "configuration: NBA_ALERT_CHANNEL_TIMEOUT_SECONDS must be a finite number of seconds more than 0")


# --- settings and schema -------------------------------------------------------------------
@pytest.mark.parametrize(("value", "message"), [
    ("soon", "NBA_ALERT_CHANNEL_TIMEOUT_SECONDS must be a number, got 'soon'"),
    ("0", "NBA_ALERT_CHANNEL_TIMEOUT_SECONDS must be a finite number of seconds more than 0, got 0"),
    ("inf", "NBA_ALERT_CHANNEL_TIMEOUT_SECONDS must be a finite number of seconds more than 0, got inf"),
    ("-3", "NBA_ALERT_CHANNEL_TIMEOUT_SECONDS must not be negative, got '-3'"),
])
def test_the_channel_timeout_setting_is_checked(value, message):
    with pytest.raises(ConfigError, match=message):
        PipelineSettings.from_env({"NBA_ALERT_CHANNEL_TIMEOUT_SECONDS": value})


def test_the_channel_timeout_defaults_to_ten_seconds():
    assert PipelineSettings.from_env({}).alert_channel_timeout_seconds == 10.0
    assert PipelineSettings.from_env({"NBA_ALERT_CHANNEL_TIMEOUT_SECONDS": "2.5"}).alert_channel_timeout_seconds == 2.5


def test_a_pipeline_alerts_table_from_the_older_ddl_gets_the_outcomes_column(warehouse):
    from processors.alerts import record_alert

    warehouse.execute_script(Statement("t.sql", "ALTER TABLE nba_reference.pipeline_alerts DROP COLUMN channel_outcomes"))
    warehouse.create_schema()  # the migration adds it back; running it again changes nothing
    warehouse.create_schema()
    record_alert(warehouse, alert(), ["log"])  # the command-line callers' form: channels that delivered
    (row,) = rows(warehouse)
    assert row["channels"] == ["log"] and row["channel_outcomes"] == [{"channel": "log", "outcome": "delivered"}]
