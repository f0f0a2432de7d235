"""Gazette's benchmarks: `make bench`. Each prints what it measured."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings")


def main() -> None:
    import django

    django.setup()
    from bench import comment_view, http, importing, pages, search, spam

    benches = {
        "pages": pages.run,
        "http": http.run,
        "comment_view": comment_view.run,
        "spam": spam.run,
        "search": search.run,
        "importing": importing.run,
    }
    chosen = sys.argv[1:] or list(benches)
    for name in chosen:
        print(f"== {name}")
        benches[name]()


if __name__ == "__main__":
    main()
