from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tongxin.privacy"
    label = "privacy"
