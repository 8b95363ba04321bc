"""What a group robot says, in each vendor's markdown, and what a hotline platform is told.

A group message names the category, the case's code, the grid or community and the status, with a
link back to Tongxin: never the description, an address, a name or a phone (the group is a chat
room; the detail stays behind the log-in).
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tongxin.exchange.models import RobotVendor


@dataclass(frozen=True)
class GroupMessage:
    """A message before it takes a vendor's shape: a title, labelled lines and a link."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    urgent: bool = False


def absolute(url: str) -> str:
    return settings.TONGXIN_BASE_URL.rstrip("/") + url


def when(value: Any) -> str:
    return date_format(timezone.localtime(value), "Y年n月j日 H:i") if value else ""


def _clean(text: str) -> str:
    """Markdown's own characters in a value would change the message's shape."""
    return " ".join(str(text).split()).replace("[", "【").replace("]", "】").replace("*", "＊")[:120]


def _open() -> str:
    return _("Open in Tongxin")


def wecom_body(message: GroupMessage) -> dict[str, Any]:
    """企业微信群机器人: {"msgtype":"markdown","markdown":{"content":…}} (at most 4,096 bytes);
    its markdown knows headings, bold, links, quotes and <font color="info|comment|warning">."""
    colour = "warning" if message.urgent else "info"
    rows = [f'**<font color="{colour}">{_clean(message.title)}</font>**']
    rows += [f'> {label}：<font color="comment">{_clean(value)}</font>' for label, value in message.lines]
    if message.url:
        rows.append(f"[{_open()}]({absolute(message.url)})")
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(rows)[:4000]}}


def dingtalk_body(message: GroupMessage) -> dict[str, Any]:
    """钉钉自定义机器人: {"msgtype":"markdown","markdown":{"title":…,"text":…}}; the title shows in
    the conversation list, the text in the group."""
    rows = [f"#### {_clean(message.title)}", ""]
    rows += [f"- {label}：{_clean(value)}" for label, value in message.lines]
    if message.url:
        rows += ["", f"[{_open()}]({absolute(message.url)})"]
    return {"msgtype": "markdown", "markdown": {"title": _clean(message.title), "text": "\n".join(rows)}}


def body_for(vendor: str, message: GroupMessage) -> dict[str, Any]:
    return dingtalk_body(message) if vendor == RobotVendor.DINGTALK else wecom_body(message)
