from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Tongxin talking to other systems: the 12345 hotline exchange and group-chat robots."""

    name = "tongxin.exchange"
    label = "exchange"
    verbose_name = _("Exchange with other systems")
