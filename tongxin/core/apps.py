from django.apps import AppConfig

# plain error messages for Django's fields, before any app defines a form
from tongxin.core import forms as _plain_messages  # noqa: F401


class CoreConfig(AppConfig):
    name = "tongxin.core"
    label = "core"

    def ready(self) -> None:
        from tongxin.core import checks  # noqa: F401  (registers the system checks)
