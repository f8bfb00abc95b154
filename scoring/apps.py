from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Closeness scoring"

    def ready(self):
        from . import signals

        signals.connect()
