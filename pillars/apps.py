from django.apps import AppConfig


class PillarsConfig(AppConfig):
    name = "pillars"
    verbose_name = "Pillars"
