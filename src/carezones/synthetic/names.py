"""Invented names: places, streets, shops, surgeries, churches, cafes and pubs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_NAME_HEADS = (
    "Ash",
    "Brack",
    "Cald",
    "Dun",
    "Elm",
    "Fen",
    "Gris",
    "Hol",
    "Kel",
    "Lang",
    "Marl",
    "Nether",
    "Oak",
    "Pel",
    "Quen",
    "Rav",
    "Sel",
    "Thorn",
    "Ulve",
    "Wen",
    "Yar",
    "Brin",
    "Cors",
    "Dal",
    "Frith",
    "Gar",
    "Hesk",
    "Lyth",
    "Mick",
    "Norb",
    "Ost",
    "Rock",
    "Skel",
    "Tol",
    "Wyke",
    "Bran",
    "Cold",
    "Stain",
    "Swin",
    "Whin",
    "Sand",
    "Kirk",
    "Cray",
    "Bram",
    "Fox",
    "Haw",
)
_NAME_TAILS = (
    "by",
    "thorpe",
    "ham",
    "ton",
    "ley",
    "wick",
    "dale",
    "field",
    "borough",
    "stead",
    "worth",
    "holme",
    "ford",
    "well",
    "hithe",
    "combe",
)
_STREETS = (
    "Mill Lane",
    "Church Street",
    "Chapel Street",
    "Queen Street",
    "King Street",
    "Westgate",
    "Northgate",
    "Park Road",
    "Victoria Road",
    "Albert Street",
    "Bridge Street",
    "New Road",
    "Castle Street",
    "Sheep Street",
    "North Street",
    "South Street",
    "West Street",
    "East Street",
    "Back Lane",
    "Pinfold Lane",
    "Brook Street",
    "Orchard Road",
    "Manor Road",
    "Vicarage Lane",
    "School Lane",
    "Cross Street",
    "Market Street",
    "Granby Street",
    "Dean Street",
    "Finkle Street",
)
_STREET_ROOTS = (
    "Beech",
    "Willow",
    "Hawthorn",
    "Rowan",
    "Cedar",
    "Laurel",
    "Meadow",
    "Springfield",
    "Rectory",
    "Glebe",
    "Priory",
    "Abbey",
    "Grange",
    "Hall",
    "Fairfield",
    "Highfield",
    "Stanley",
    "Windsor",
    "Lancaster",
    "Nelson",
    "Gladstone",
    "Mount",
    "Belle Vue",
    "Chestnut",
    "Sycamore",
    "Larch",
)
_STREET_KINDS = ("Road", "Avenue", "Close", "Grove", "Drive", "Way", "Crescent", "Gardens")
_VILLAGE_CLOSES = (
    "Church Lane",
    "The Green",
    "Orchard Close",
    "Manor Close",
    "Chapel Lane",
    "Vicarage Close",
    "Back Lane",
    "Glebe Road",
    "Pinfold Lane",
    "Westfield",
    "Hall Lane",
    "Town End",
)
_SUPERMARKETS = ("Tesco", "Sainsbury's", "Morrisons", "Co-op Food", "Aldi", "Lidl", "Asda")
_CONVENIENCE = ("Co-op", "Tesco Express", "Spar", "One Stop", "Londis", "Premier")
_SURGERIES = (
    "Riverside Surgery",
    "Market Street Surgery",
    "The Health Centre",
    "Castle Medical Practice",
    "Parkside Surgery",
    "Abbey Medical Centre",
)
_PHARMACIES = ("Boots", "Well Pharmacy", "Lloyds Pharmacy", "Day Lewis Pharmacy", "Rowlands")
_CHURCHES = (
    "St Mary's Church",
    "St Peter's Church",
    "All Saints' Church",
    "St Andrew's Church",
    "Holy Trinity Church",
    "St John the Baptist's Church",
    "St Helen's Church",
    "St Michael's Church",
)
_CAFES = ("The Copper Kettle", "Costa", "Bean There", "The Old Bakery Tearooms", "Caffe Nero")
_PUBS = (
    "The Red Lion",
    "The Plough",
    "The Royal Oak",
    "The White Hart",
    "The Black Horse",
    "The Fox and Hounds",
    "The Bay Horse",
    "The Wheatsheaf",
    "The George",
)


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


_NAME_PREFIXES = ("Little", "Great", "Upper", "Lower", "East", "West", "North", "South", "Long")


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    """Return ``n`` different place names (beyond the plain ones: "Little Ashby" and so on)."""
    combos = [h + t for h in _NAME_HEADS for t in _NAME_TAILS]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order[:n]]
    for prefix in _NAME_PREFIXES:
        if len(names) >= n:
            break
        names += [f"{prefix} {combos[i]}" for i in order[: n - len(names)]]
    if len(names) < n:
        raise ValueError(f"at most {len(names)} place names can be made, not {n}")
    return names


def _street_names(rng: np.random.Generator) -> list[str]:
    generated = [f"{r} {k}" for r in _STREET_ROOTS for k in _STREET_KINDS]
    first = [_STREETS[i] for i in rng.permutation(len(_STREETS))]
    return first + [generated[i] for i in rng.permutation(len(generated))]
