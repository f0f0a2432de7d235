"""Gazette's benchmarks: `make bench`. Each prints what it measured."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings")


def main() -> None:
    import django

    django.setup()
    from bench import (
        cluster,
        comment_view,
        importing,
        pages,
        search,
        servers,
        spam,
        speed,
    )

    benches = {
        "speed": speed.run,
        "pages": pages.run,
        "comment_view": comment_view.run,
        "spam": spam.run,
        "search": search.run,
        "importing": importing.run,
        # Through nginx (deploy/nginx/gazette.conf) with one app server, then two.
        "cluster": cluster.run,
        # Other WSGI and ASGI servers beside Granian: asked for by name only,
        # as it installs them in a throwaway environment first.
        "servers": servers.run,
    }
    chosen = sys.argv[1:] or [name for name in benches if name != "servers"]
    for name in chosen:
        print(f"== {name}")
        benches[name]()


if __name__ == "__main__":
    main()
