from gazette.importers.blogger.parse import parse
from gazette.importers.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a Blogger backup (either generation of Blogger's export): posts, "
        "pages, labels, comments and every old address. All or nothing."
    )
    parse = staticmethod(parse)
