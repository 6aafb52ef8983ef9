from django.apps import AppConfig


class EarlyhelpConfig(AppConfig):
    name = "safeguard.earlyhelp"
    label = "earlyhelp"
    default_auto_field = "django.db.models.BigAutoField"
