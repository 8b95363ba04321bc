from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "tongxin.cadres"
    label = "cadres"
