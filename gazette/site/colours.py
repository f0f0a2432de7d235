"""Colour arithmetic for the blog's accent colour: WCAG contrast, and the
lighter shade of it that the dark scheme uses."""

# The backgrounds an accent colour sits on (pages, cards, hashtag chips), in each
# palette of gazette/static/gazette/gazette.css; keep them in step with it.
LIGHT_BACKGROUNDS = ("#fdfcf9", "#ffffff", "#e7f0f7")
DARK_BACKGROUNDS = ("#16181c", "#1f2228", "#1e2c39")
AA_CONTRAST = 4.5  # WCAG 2.1 AA for body text
# AAA's 7:1 rather than AA's 4.5:1: the dimmest shade passing AA looks dull next
# to the dark page's light text, and links should stand out from it.
DARK_ACCENT_CONTRAST = 7.0


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def lowest_contrast(colour: str, backgrounds: tuple[str, ...]) -> float:
    return min(contrast(colour, background) for background in backgrounds)


def mix_with_white(colour: str, share: float) -> str:
    """`colour` with `share` (0 to 1) of white mixed in."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * share) for c in channels]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def accent_for_dark(colour: str) -> str:
    """The accent as the dark scheme shows it: the least lightened shade that
    reads at AAA contrast on every dark background. A dark brand colour such as
    navy would otherwise vanish into a dark page."""
    colour = colour.lower()
    for step in range(101):
        shade = mix_with_white(colour, step / 100)
        if lowest_contrast(shade, DARK_BACKGROUNDS) >= DARK_ACCENT_CONTRAST:
            return shade
    return "#ffffff"
