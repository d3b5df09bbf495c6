from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = (
        "Dump the database (pg_dump, custom format) into the storage under BACKUP_LOCATION, "
        "then delete backups beyond BACKUP_KEEP_DAILY and BACKUP_KEEP_WEEKLY. --list shows them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="List the complete backups, newest first.")
        parser.add_argument("--no-prune", action="store_true", help="Take a dump without applying retention.")

    def handle(self, *args, **options):
        try:
            if options["list"]:
                for backup in backups.list_backups():
                    self.stdout.write(f"{backup.name}\t{backup.taken_at.isoformat()}\t{backup.size}")
                return
            backup = backups.take_backup()
            self.stdout.write(self.style.SUCCESS(f"Stored {backup.dump_path} ({backup.size} bytes)"))
            if not options["no_prune"]:
                deleted = backups.prune()
                policy = f"{settings.BACKUP_KEEP_DAILY} daily, {settings.BACKUP_KEEP_WEEKLY} weekly"
                self.stdout.write(f"Retention ({policy}): deleted {', '.join(deleted) or 'nothing'}")
        except backups.BackupError as error:
            raise CommandError(f"backup_db: {error}") from error
