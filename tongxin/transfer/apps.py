from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "tongxin.transfer"
    label = "transfer"
