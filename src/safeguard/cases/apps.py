from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeguard.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
