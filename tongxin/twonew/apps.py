from django.apps import AppConfig


class TwonewConfig(AppConfig):
    name = "tongxin.twonew"
    label = "twonew"
