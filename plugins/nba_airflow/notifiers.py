"""Alerts: recorded in nba_reference.pipeline_alerts, logged, and sent to Slack or e-mail
through the providers' own notifiers (SlackWebhookNotifier or SlackNotifier, SmtpNotifier)
when those connections exist. Every channel's outcome (delivered, failed with the reason,
not_configured) is recorded on the alert row; each channel gets at most
NBA_ALERT_CHANNEL_TIMEOUT_SECONDS; a failing channel never fails the task."""

from __future__ import annotations

import copy
import functools
import html
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from airflow.sdk import BaseNotifier

from nba_airflow.night import night_of
from nba_airflow.settings import pipeline_settings
from nba_airflow.warehouse import task_warehouse
from processors.alerts import Alert, ChannelOutcome, record_alert
from processors.config import PipelineSettings

log = logging.getLogger(__name__)
DETAIL_CHARS = 500  # a failure's reason as recorded: one line, at most this long
# The providers' own socket timeouts end a sender this long after its bound: the bound itself is
# the thread's join, so a hung server is always reported as "timed out after N s".
GRACE_SECONDS = 1.0


class NotConfigured(Exception):
    """A channel without what it needs (a connection, recipients): skipped, not a failure."""


class ChannelError(Exception):
    """A channel's failure, its reason already worded (with where it was sending)."""


def _connection(conn_id: str):
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        raise NotConfigured(f"no Airflow connection {conn_id}") from None


def _reason(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, ChannelError) else f"{type(exc).__name__}: {exc}".rstrip(": ")
    text = " ".join(str(text).split())
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS - 1] + "…"


@dataclass
class Delivery:
    """One channel's send, ready to run: the provider's notifier, and where it sends (never a secret)."""

    notifier: Any
    where: str
    before: Callable[[], None] | None = None  # run first, in the sending thread

    def __call__(self) -> None:
        """The notifier's own notify(), outside a callback: the alert text is final, not a template
        (a message may contain `{{`), so it is not rendered."""
        if self.before:
            self.before()
        try:
            self.notifier.notify({})
        except Exception as exc:
            raise ChannelError(f"{_reason(exc)} ({self.where})") from exc


@functools.cache
def _bounded_smtp_hook() -> type:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    class BoundedSmtpHook(SmtpHook):
        """SmtpHook whose socket timeout (the connection's `timeout` extra, 30 s by default) and
        reconnect attempts (`retry_limit`, 5) end at the channel's deadline: a server that never
        answers would otherwise hold the thread for (1 + retry_limit) x timeout."""

        deadline = math.inf

        @property
        def timeout(self) -> float:
            return max(min(float(super().timeout), self.deadline - time.monotonic()), 0.05)

        def _build_client(self):
            if time.monotonic() >= self.deadline:
                raise TimeoutError("the alert channel's time is up")
            return super()._build_client()

    return BoundedSmtpHook


def _slack(alert: Alert, settings: PipelineSettings) -> Delivery:
    conn = _connection(settings.slack_conn_id)
    timeout = math.ceil(settings.alert_channel_timeout_seconds + GRACE_SECONDS)
    if conn.conn_type == "slack":  # a Slack API (bot token) connection: chat.postMessage to a channel
        if not settings.alert_slack_channel:
            raise NotConfigured(f"{settings.slack_conn_id} is a Slack API connection: set NBA_ALERT_SLACK_CHANNEL")
        from airflow.providers.slack.notifications.slack import SlackNotifier

        notifier = SlackNotifier(slack_conn_id=settings.slack_conn_id, text=alert.text,
                                 channel=settings.alert_slack_channel, username="nba-props", timeout=timeout)
        where = f"Slack API {urlsplit(conn.extra_dejson.get('base_url') or 'https://slack.com').netloc}"
    else:  # an Incoming Webhook (conn_type slackwebhook): the webhook URL in the password
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        notifier = SlackWebhookNotifier(slack_webhook_conn_id=settings.slack_conn_id, text=alert.text, timeout=timeout)
        url = conn.password if "://" in (conn.password or "") else conn.host or "hooks.slack.com"
        where = f"Slack webhook {urlsplit(url if '://' in url else f'https://{url}').netloc}"  # never the token
    return Delivery(notifier, where)


def _email(alert: Alert, settings: PipelineSettings) -> Delivery:
    if not settings.alert_emails:
        raise NotConfigured("NBA_ALERT_EMAILS is empty")
    conn = _connection(settings.smtp_conn_id)
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    notifier = SmtpNotifier(
        to=list(settings.alert_emails), smtp_conn_id=settings.smtp_conn_id,
        subject=f"[nba-props] {alert.severity}: {alert.title}",
        html_content=f"<pre>{html.escape(alert.message)}</pre>"  # one line per broken rule
                     f"<p>night: {alert.game_date}, source: {html.escape(str(alert.source))}</p>")
    hook = notifier.hook = _bounded_smtp_hook()(smtp_conn_id=settings.smtp_conn_id)  # notify() uses this one

    def start_the_clock() -> None:  # in the sending thread, as it starts
        hook.deadline = time.monotonic() + settings.alert_channel_timeout_seconds + GRACE_SECONDS

    return Delivery(notifier, f"SMTP {conn.host}" + (f":{conn.port}" if conn.port else ""), before=start_the_clock)


# name -> prepare(alert, settings): checks the channel's configuration and builds its notifier (raising
# NotConfigured when something is missing) and returns the send, which runs in a thread under the time bound.
CHANNELS: dict[str, Callable[[Alert, PipelineSettings], Callable[[], Any]]] = {"slack": _slack, "email": _email}


def send_to_channels(alert: Alert, settings: PipelineSettings) -> list[ChannelOutcome]:
    """Every configured channel at once, each in a daemon thread; a channel still busy after
    alert_channel_timeout_seconds is abandoned and recorded as failed ("timed out after N s").
    The preparation (connection lookup, the provider's import) is not network time and is not counted."""
    bound = settings.alert_channel_timeout_seconds
    outcomes: dict[str, ChannelOutcome] = {}
    sends: dict[str, Callable[[], Any]] = {}
    for name, prepare in CHANNELS.items():
        try:
            sends[name] = prepare(alert, settings)
        except NotConfigured as exc:
            outcomes[name] = ChannelOutcome(name, "not_configured", str(exc))
        except Exception as exc:
            outcomes[name] = ChannelOutcome(name, "failed", _reason(exc))
    finished: dict[str, ChannelOutcome] = {}

    def attempt(name: str, send: Callable[[], Any]) -> None:
        try:
            send()
            finished[name] = ChannelOutcome(name, "delivered")
        except Exception as exc:
            finished[name] = ChannelOutcome(name, "failed", _reason(exc))

    threads = {name: threading.Thread(target=attempt, args=(name, send), name=f"alert-{name}", daemon=True)
               for name, send in sends.items()}
    deadline = time.monotonic() + bound
    for thread in threads.values():
        thread.start()
    for name, thread in threads.items():
        thread.join(max(deadline - time.monotonic(), 0))
        where = getattr(sends[name], "where", None)
        outcomes[name] = finished.get(name) or ChannelOutcome(
            name, "failed", f"timed out after {bound:g} s" + (f" ({where})" if where else ""))
    return [outcomes[name] for name in CHANNELS]


def deliver(alert: Alert, context: Mapping[str, Any] | None = None) -> list[str]:
    """Log, send through every channel, record each channel's outcome; returns the channels that delivered."""
    logger = log.critical if alert.severity == "critical" else log.warning if alert.severity == "warning" else log.info
    logger("ALERT %s", alert.text)
    outcomes = [ChannelOutcome("log", "delivered")]
    try:
        settings = pipeline_settings()
    except Exception as exc:  # e.g. a bad NBA_* value: the alert is still logged and recorded
        outcomes += [ChannelOutcome(name, "failed", f"configuration: {exc}") for name in CHANNELS]
    else:
        outcomes += send_to_channels(alert, settings)
    for outcome in outcomes:
        if outcome.outcome == "failed":
            log.warning("alert channel %s failed: %s", outcome.channel, outcome.detail)
    log.info("alert %s channels: %s", alert.alert_id, "; ".join(map(str, outcomes)))
    try:
        with task_warehouse(context) as warehouse:
            record_alert(warehouse, alert, outcomes)
    except Exception as exc:
        log.error("alert could not be recorded in pipeline_alerts: %s", exc)
    return [o.channel for o in outcomes if o.delivered]


def raise_alert(context: Mapping[str, Any], severity: str, title: str, message: str) -> Alert:
    """An alert about the running task's night."""
    ti, dag_run = context.get("ti"), context.get("dag_run")
    try:
        game_date = night_of(context)
    except Exception:
        game_date = None
    alert = Alert(severity=severity, title=title, message=message, game_date=game_date,
                  source=getattr(ti, "task_id", None), dag_id=getattr(ti, "dag_id", None),
                  dag_run_id=getattr(dag_run, "run_id", None))
    deliver(alert, context)
    return alert


class PipelineAlertNotifier(BaseNotifier):
    """Airflow notifier (e.g. on_failure_callback): the rendered title and message become an alert."""

    template_fields = ("title", "message")

    def __init__(self, severity: str = "critical", title: str = "Task {{ ti.task_id }} failed",
                 message: str = "{{ exception }}"):
        super().__init__()
        self.severity, self.title, self.message = severity, title, message

    def __call__(self, *args: Any) -> None:
        # BaseNotifier renders its template fields in place: the one instance in default_args
        # would repeat the first alert's text for every later failure. Render a copy each time.
        fresh = copy.copy(self)
        fresh.context = dict(self.context)
        BaseNotifier.__call__(fresh, *args)

    def notify(self, context: Mapping[str, Any]) -> None:
        raise_alert(context, self.severity, self.title, str(self.message))
