from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "tongxin.lists"
    label = "lists"
