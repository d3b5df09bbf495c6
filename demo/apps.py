from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo content of `make run` (`manage.py demo_content`).

    Installed by the dev and test settings only: production settings leave it out, so the
    image's production processes never import it.
    """

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
