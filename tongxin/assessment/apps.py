from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "tongxin.assessment"
    label = "assessment"
    verbose_name = "Assessment"
