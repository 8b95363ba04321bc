from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tongxin.meetings"
    label = "meetings"
