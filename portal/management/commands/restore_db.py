from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = (
        "Restore a backup taken by backup_db into the database of DATABASE_URL. Refuses a "
        "database that holds tables unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="A backup's name (see `backup_db --list`), or `latest`.")
        parser.add_argument(
            "--confirm", action="store_true", help="Required: yes, restore into this database."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what a non-empty database holds (pg_restore --clean).",
        )

    def handle(self, *args, **options):
        try:
            backup = backups.find_backup(options["name"])
            if not options["confirm"]:
                raise CommandError(
                    f"restore_db would restore {backup.name} into the database of DATABASE_URL: "
                    "add --confirm to go ahead"
                )
            backups.restore(backup, force=options["force"])
        except backups.BackupError as error:
            raise CommandError(f"restore_db: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Restored {backup.name}; now run `manage.py migrate` if the code is newer")
        )
