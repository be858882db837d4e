"""Alerts: recorded in nba_reference.pipeline_alerts, logged, and sent to Slack or
e-mail when those connections exist. A failing channel never fails the task."""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseNotifier

from nba_airflow.night import night_of
from nba_airflow.settings import pipeline_settings
from nba_airflow.warehouse import task_warehouse
from processors.alerts import Alert, record_alert
from processors.config import PipelineSettings

log = logging.getLogger(__name__)


def _connection_exists(conn_id: str) -> bool:
    from airflow.sdk import BaseHook

    try:
        BaseHook.get_connection(conn_id)
    except Exception:  # not defined (AirflowNotFoundException) or unreachable
        return False
    return True


def _send_slack(alert: Alert, settings: PipelineSettings) -> bool:
    if not _connection_exists(settings.slack_conn_id):
        return False
    from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook  # optional provider

    SlackWebhookHook(slack_webhook_conn_id=settings.slack_conn_id).send(text=alert.text)
    return True


def _send_email(alert: Alert, settings: PipelineSettings) -> bool:
    if not settings.alert_emails or not _connection_exists(settings.smtp_conn_id):
        return False
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=settings.smtp_conn_id) as smtp:
        smtp.send_email_smtp(to=list(settings.alert_emails), subject=f"[nba-props] {alert.severity}: {alert.title}",
                             html_content=f"<pre>{html.escape(alert.message)}</pre>"  # one line per broken rule
                                          f"<p>night: {alert.game_date}, source: {html.escape(str(alert.source))}</p>")
    return True


CHANNELS = {"slack": _send_slack, "email": _send_email}


def deliver(alert: Alert, context: Mapping[str, Any] | None = None) -> list[str]:
    """Log, send through every configured channel, record; returns the channels that delivered."""
    logger = log.critical if alert.severity == "critical" else log.warning if alert.severity == "warning" else log.info
    logger("ALERT %s", alert.text)
    delivered = ["log"]
    try:
        settings = pipeline_settings()
    except Exception as exc:
        log.warning("alert channels not configured (%s); logging only", exc)
        settings = None
    for name, send in CHANNELS.items():
        if settings is None:
            break
        try:
            if send(alert, settings):
                delivered.append(name)
        except Exception as exc:  # a channel's failure must never fail the task
            log.warning("alert channel %s failed: %s", name, exc)
    try:
        with task_warehouse(context) as warehouse:
            record_alert(warehouse, alert, delivered)
    except Exception as exc:
        log.error("alert could not be recorded in pipeline_alerts: %s", exc)
    return delivered


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
