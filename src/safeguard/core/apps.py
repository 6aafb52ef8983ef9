from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguard.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from safeguard.core.middleware import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="safeguard-session-clock")
