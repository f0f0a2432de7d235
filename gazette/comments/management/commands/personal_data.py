"""`gazette personal_data export|erase EMAIL`: what the desk's personal-data
screen does, for an admin at the shell (`gazette.comments.privacy` does the
work for both)."""

import json
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from gazette.comments import privacy


class Command(BaseCommand):
    help = (
        "Export as JSON, or erase, everything Gazette holds about one email "
        "address: comments, notification opt-out, block rules, accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument(
            "--output",
            "-o",
            help="Write the export to this file (readable by you only) "
            "instead of printing it.",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The blog's address, to make comment links whole "
            "(https://blog.example.org).",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Erase without asking first.",
        )

    def handle(self, *args, **options) -> None:
        email = privacy.normalise(options["email"])
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"{options['email']!r} is not an email address."
            ) from None
        found = privacy.find(email)
        if options["action"] == "export":
            site_url = options["site_url"].rstrip("/")
            data = privacy.export(found, site_url=site_url)
            self._write(json.dumps(data, indent=2, ensure_ascii=False), options)
            return
        if found.is_empty:
            self.stdout.write(f"Nothing is held about {email}.")
            return
        self.stdout.write(f"Held about {email}:")
        for line in privacy.summary(found):
            self.stdout.write(f"  {line}")
        if options["interactive"]:
            answer = input("Erase all of it for good? Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was erased.")
        erased = privacy.erase(email)
        for line in erased.lines():
            self.stdout.write(line)

    def _write(self, text: str, options: dict) -> None:
        if not options["output"]:
            self.stdout.write(text)
            return
        # Personal data: the file is the admin's alone, whatever the umask.
        fd = os.open(options["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a file that was there before keeps no wider mode
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        self.stdout.write(f"Wrote {options['output']}.", self.style.SUCCESS)
