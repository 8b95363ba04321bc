from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "tongxin.workbench"
    label = "workbench"
    verbose_name = "Workbench"
