from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lti.models import Deployment, Platform


class Command(BaseCommand):
    help = "Register, list or change LTI 1.3 platforms and their deployments (Settings > LTI platforms)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="Register a platform (or update the one with this issuer and client id)."
        )
        add.add_argument("--name", required=True)
        add.add_argument("--issuer", required=True)
        add.add_argument("--client-id", required=True)
        add.add_argument("--auth-login-url", required=True, help="The platform's OIDC authentication URL.")
        add.add_argument("--auth-token-url", required=True, help="The platform's access token URL.")
        add.add_argument("--key-set-url", required=True, help="The platform's JWKS URL.")
        add.add_argument("--audience", default="", help="The token audience, if the platform names one.")
        add.add_argument("--deployment", action="append", default=[], help="A deployment id (repeatable).")
        add.add_argument("--frame-origin", action="append", default=[], help="An origin that frames Ringlet.")
        deploy = sub.add_parser("deploy", help="Add a deployment id to a platform.")
        deploy.add_argument("--issuer", required=True)
        deploy.add_argument("--client-id", required=True)
        deploy.add_argument("deployment_id")
        sub.add_parser("list", help="List the platforms.")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    @transaction.atomic
    def handle_add(self, **o):
        platform = Platform.objects.filter(issuer=o["issuer"], client_id=o["client_id"]).first() or Platform(
            issuer=o["issuer"], client_id=o["client_id"]
        )
        platform.name = o["name"]
        platform.auth_login_url = o["auth_login_url"]
        platform.auth_token_url = o["auth_token_url"]
        platform.key_set_url = o["key_set_url"]
        platform.auth_audience = o["audience"]
        if o["frame_origin"]:
            platform.frame_origins = "\n".join(o["frame_origin"])
        try:
            platform.full_clean()
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            ) from error
        platform.save()
        for deployment_id in o["deployment"]:
            Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
        self.stdout.write(
            f"Platform {platform.pk} “{platform.name}” registered "
            f"({platform.deployment_list() or 'no deployments'})."
        )

    def handle_deploy(self, **o):
        platform = Platform.objects.filter(issuer=o["issuer"], client_id=o["client_id"]).first()
        if platform is None:
            raise CommandError("No platform has that issuer and client id.")
        Deployment.objects.get_or_create(platform=platform, deployment_id=o["deployment_id"])
        self.stdout.write(f"Deployment {o['deployment_id']} added to “{platform.name}”.")

    def handle_list(self, **o):
        for p in Platform.objects.order_by("name"):
            self.stdout.write(
                f"{p.pk}\t{p.name}\t{p.issuer}\t{p.client_id}\tdeployments: {p.deployment_list() or '-'}\t"
                f"{'active' if p.is_active else 'inactive'}\tlast launch: {p.last_launch_at or '-'}\t"
                f"last grade post: {p.last_grade_post_at or '-'}"
            )
