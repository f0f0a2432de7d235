from gazette.importers.command import ImportCommand
from gazette.importers.wordpress.parse import parse


class Command(ImportCommand):
    help = (
        "Import a WordPress export (WXR 1.0, 1.1 or 1.2): posts, pages, categories "
        "and tags, comments, attachments for galleries, and every old address. "
        "All or nothing."
    )
    parse = staticmethod(parse)
