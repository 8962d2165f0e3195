"""The lesson maps: drawings made once from Natural Earth by scripts/make-maps, and their words.

An author places one in a lesson with a fenced block naming it (```map article-6```, optionally
with a `title: …` line for the caption). The figure is the drawing, hidden from screen readers,
over a key that says in words everything the drawing shows, so the key is its text alternative.
The drawings' labels are keys (`data-label`) replaced here by names in the reader's language.
"""

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FOLDER = Path(__file__).resolve().parent
NATURAL_EARTH = "https://www.naturalearthdata.com/"
_LABEL = re.compile(r'data-label="([A-Za-z0-9-]+)">[^<]*<')


@dataclass(frozen=True)
class KeyItem:
    """One line of a map's key: a sample of how the drawing marks something, and what it is."""

    swatch: str  # the sample's modifier class: map-swatch-<swatch>
    label: str
    places: str = ""
    number: str = ""  # a numbered marker's number, shown in its sample


@dataclass(frozen=True)
class Map:
    name: str
    caption: str
    key: tuple[KeyItem, ...]
    labels: dict
    notes: tuple[str, ...] = ()
    credit: str = _("Made with Natural Earth.")


ARTICLE_6 = Map(
    name="article-6",
    caption=_("Where an armed attack counts under Article 5: the area Article 6 describes"),
    key=(
        KeyItem(
            "ally",
            _("Allies' territory in Europe and North America"),
            _(
                "Albania, Belgium, Bulgaria, Canada, Croatia, the Czech Republic, Denmark, "
                "Estonia, Finland, France, Germany, Greece, Hungary, Iceland, Italy, Latvia, "
                "Lithuania, Luxembourg, Montenegro, the Netherlands, North Macedonia, Norway, "
                "Poland, Portugal, Romania, Slovakia, Slovenia, Spain, Sweden, the United "
                "Kingdom and the United States (Alaska included), with allies' islands north "
                "of the Tropic of Cancer such as Greenland and the Faroe Islands (Denmark), "
                "Svalbard (Norway), the Azores and Madeira (Portugal), the Canary Islands "
                "(Spain) and Bermuda (United Kingdom)."
            ),
        ),
        KeyItem(
            "named",
            _("Turkey"),
            _("Named on its own in Article 6, so all of its territory counts, in Asia too."),
        ),
        KeyItem(
            "sea",
            _("The North Atlantic north of the Tropic of Cancer, and the Mediterranean Sea"),
            _(
                "An attack on allied forces, ships or aircraft there counts too, as it does in "
                "or over the territories above."
            ),
        ),
        KeyItem(
            "tropic",
            _("The Tropic of Cancer (about 23.4° north)"),
            _("Islands and seas south of it lie outside the area the article describes."),
        ),
        KeyItem(
            "algeria",
            _("Algeria"),
            _(
                "The text still names “the Algerian Departments of France”; this is "
                "generally described as no longer relevant since Algeria's independence in 1962."
            ),
        ),
        KeyItem("land", _("Countries that are not members of NATO")),
    ),
    labels={
        "tropic": _("Tropic of Cancer"),
        "north-america": _("North America"),
        "europe": _("Europe"),
        "turkey": _("Turkey"),
        "algeria": _("Algeria"),
        "north-atlantic": _("North Atlantic"),
        "mediterranean": _("Mediterranean"),
        "greenland": _("Greenland"),
    },
    notes=(
        _(
            "The shading of the seas is approximate: the treaty names these areas but draws no "
            "lines. Countries are drawn as they are today; in 1949 only the twelve founders "
            "were Parties."
        ),
    ),
)

EASTERN_FLANK = Map(
    name="eastern-flank",
    caption=_("The eastern flank: Article 4 requests from 2022 to 2025"),
    key=(
        KeyItem(
            "requester",
            _("The eight allies that asked together on 24 February 2022"),
            _(
                "Bulgaria, the Czech Republic, Estonia, Latvia, Lithuania, Poland, Romania and "
                "Slovakia, on the day Russia began its full-scale invasion of Ukraine; NATO "
                "counts their joint request as one occasion, the 7th."
            ),
        ),
        KeyItem(
            "marker",
            _("Poland, 10 September 2025"),
            _("After Russian drones entered Polish airspace: the 8th invocation."),
            number="1",
        ),
        KeyItem(
            "marker",
            _("Estonia, 19 September 2025"),
            _(
                "After three armed Russian MiG-31s stayed in Estonian airspace for about 12 "
                "minutes: the 9th invocation; the Council met on 23 September."
            ),
            number="2",
        ),
        KeyItem(
            "ally-other",
            _("Other allies"),
            _("Among them Finland, Sweden, Germany, Hungary, Greece and Turkey."),
        ),
        KeyItem(
            "land",
            _("Countries that are not members of NATO"),
            _("Among them Russia (with Kaliningrad, on the Baltic), Belarus, Ukraine and Moldova."),
        ),
    ),
    labels={
        "estonia": _("Estonia"),
        "latvia": _("Latvia"),
        "lithuania": _("Lithuania"),
        "poland": _("Poland"),
        "czechia": _("Czech Republic"),
        "slovakia": _("Slovakia"),
        "romania": _("Romania"),
        "bulgaria": _("Bulgaria"),
        "hungary": _("Hungary"),
        "finland": _("Finland"),
        "russia": _("Russia"),
        "belarus": _("Belarus"),
        "ukraine": _("Ukraine"),
        "moldova": _("Moldova"),
        "kaliningrad": _("Russia"),
        "black-sea": _("Black Sea"),
        "baltic-sea": _("Baltic Sea"),
    },
)

VOIVODESHIPS = {
    "PL-DS": _("Dolnośląskie"),
    "PL-KP": _("Kujawsko-Pomorskie"),
    "PL-LU": _("Lubelskie"),
    "PL-LB": _("Lubuskie"),
    "PL-LD": _("Łódzkie"),
    "PL-MA": _("Małopolskie"),
    "PL-MZ": _("Mazowieckie"),
    "PL-OP": _("Opolskie"),
    "PL-PK": _("Podkarpackie"),
    "PL-PD": _("Podlaskie"),
    "PL-PM": _("Pomorskie"),
    "PL-SL": _("Śląskie"),
    "PL-SK": _("Świętokrzyskie"),
    "PL-WN": _("Warmian-Masurian"),
    "PL-WP": _("Wielkopolskie"),
    "PL-ZP": _("Zachodniopomorskie"),
}

POLAND_2025 = Map(
    name="poland-2025",
    caption=_("Poland's voivodeships and the drones of 9–10 September 2025"),
    key=(
        KeyItem(
            "exposed",
            _("Named by the army as the most exposed"),
            _("Podlaskie, Mazowieckie and Lubelskie."),
        ),
        KeyItem(
            "wreckage",
            _("Where drone wreckage was found"),
            _("Lubelskie, Łódzkie, Mazowieckie, Świętokrzyskie and Warmian-Masurian."),
        ),
        KeyItem(
            "marker",
            _("Wyryki (Wyryki-Wola), Włodawa county, Lubelskie"),
            _(
                "A house roof and a car were damaged and nobody was hurt; on 16 September "
                "Rzeczpospolita reported that a faulty missile from a Polish F-16 was the "
                "probable cause."
            ),
            number="1",
        ),
        KeyItem(
            "marker",
            _("Mniszków, Łódzkie"),
            _("Wreckage found almost 300 km inside the country."),
            number="2",
        ),
        KeyItem(
            "region",
            _("The other voivodeships"),
            _(
                "Dolnośląskie, Kujawsko-Pomorskie, Lubuskie, Małopolskie, Opolskie, "
                "Podkarpackie, Pomorskie, Śląskie, Wielkopolskie and Zachodniopomorskie."
            ),
        ),
    ),
    labels={
        **VOIVODESHIPS,
        "germany": _("Germany"),
        "czechia": _("Czech Republic"),
        "slovakia": _("Slovakia"),
        "ukraine": _("Ukraine"),
        "belarus": _("Belarus"),
        "lithuania": _("Lithuania"),
        "kaliningrad": _("Russia"),
        "baltic-sea": _("Baltic Sea"),
    },
    notes=(_("The two places are marked approximately."),),
)

MAPS = {m.name: m for m in (ARTICLE_6, EASTERN_FLANK, POLAND_2025)}


@cache
def drawing(name: str) -> str:
    """The stored SVG of a map, as written by scripts/make-maps."""
    return (FOLDER / f"{name}.svg").read_text(encoding="utf-8")


def localised_drawing(the_map: Map) -> str:
    """The drawing with its labels in the reader's language, hidden from assistive technology
    (the key below it says the same in words)."""
    svg = drawing(the_map.name).replace(
        '<svg xmlns="http://www.w3.org/2000/svg" class="map-drawing"',
        '<svg class="map-drawing" aria-hidden="true" focusable="false"',
        1,
    )
    return _LABEL.sub(
        lambda m: f'data-label="{m[1]}">{escape(str(the_map.labels.get(m[1], m[1])))}<', svg
    )


def render_map(name: str, source: str = "") -> str:
    """A map block as a figure: caption, drawing, the key in words and the credit."""
    the_map = MAPS.get(name)
    if the_map is None:
        names = ", ".join(sorted(MAPS))
        message = gettext('There is no map called "%(name)s". The maps are: %(names)s.') % {
            "name": name,
            "names": names,
        }
        return f'<p class="callout">{escape(message)}</p>\n'
    caption, extra = str(the_map.caption), []
    for line in source.splitlines():
        line = line.strip()
        if line.lower().startswith("title:"):
            caption = line.split(":", 1)[1].strip() or caption
        elif line:
            extra.append(line)
    items = []
    for item in the_map.key:
        sample = escape(item.number) if item.number else ""
        places = f": {escape(str(item.places))}" if item.places else ""
        items.append(
            f'<li><span class="map-swatch map-swatch-{item.swatch}" aria-hidden="true">{sample}'
            f"</span><span><strong>{escape(str(item.label))}</strong>{places}</span></li>"
        )
    notes = [*(str(note) for note in the_map.notes), *extra]
    credit = escape(str(the_map.credit)).replace(
        "Natural Earth", f'<a href="{NATURAL_EARTH}" rel="noopener noreferrer">Natural Earth</a>', 1
    )
    return (
        f'<figure class="map" id="map-{the_map.name}">'
        f"<figcaption>{escape(caption)}</figcaption>"
        f'<div class="map-picture">{localised_drawing(the_map)}</div>'
        f'<ul class="map-key">{"".join(items)}</ul>'
        + "".join(f'<p class="map-note">{escape(note)}</p>' for note in notes)
        + f'<p class="map-credit">{credit}</p></figure>\n'
    )
