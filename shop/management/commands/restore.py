from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shop.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `backup` into the configured database and media "
        "folders. Refuses a database with tables, or media folders with files, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", required=True, type=Path, help="The backup folder."
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace what the database and folders hold."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            manifest = backup_restore(
                source=options["source"],
                force=options["force"],
                say=self.stdout.write,
                using=options["database"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']}."))
