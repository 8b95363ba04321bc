from django.apps import AppConfig


class VillagesConfig(AppConfig):
    name = "tongxin.villages"
    label = "villages"
