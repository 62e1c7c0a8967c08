"""Bring the provinces and communes in the database up to the official list.

    ./manage.py load_administrative_units                # the list bundled in address/data/
    ./manage.py load_administrative_units --file new.json

Running it again with the same list changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from address import services


class Command(BaseCommand):
    help = "Load Vietnam's provinces and communes from a JSON list (default: the bundled one)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(services.BUNDLED_DATA),
            help="JSON list in the format of address/data/administrative_units.json.",
        )

    def handle(self, *args, file: str, **options):
        try:
            data = services.administrative_units_read(path=file)
            report = services.administrative_units_update(data=data)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(str(report))
