from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongxin.accounts"
    label = "accounts"

    def ready(self) -> None:
        from tongxin.accounts import checks, signals  # noqa: F401  (they register themselves)
