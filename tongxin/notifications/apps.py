from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongxin.notifications"
    label = "notifications"
