from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shop.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or a copy of SQLite) and the media folders into a "
        "new folder inside --to, with a manifest of migrations, counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, type=Path, help="Folder to write into.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            folder = backup_create(
                to=options["to"], say=self.stdout.write, using=options["database"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(str(folder)))
