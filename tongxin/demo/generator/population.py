"""Believable people: names by surname frequency and birth decade, valid ID-card numbers, phones."""

import bisect
import itertools
import random
from datetime import date, timedelta

from tongxin.demo import names
from tongxin.lib.validators import id_card_check_digit

# every date in the demo is counted from this day, never from today, so a seed gives the same data
REFERENCE_DATE = date(2025, 6, 30)

# (lowest age, highest age, weight): a county's age pyramid
AGE_BANDS = [
    (0, 9, 10),
    (10, 19, 11),
    (20, 29, 12),
    (30, 39, 15),
    (40, 49, 15),
    (50, 59, 16),
    (60, 69, 12),
    (70, 79, 7),
    (80, 92, 2),
]


class _Weighted:
    """Draw from (value, weight) pairs with one bisect."""

    def __init__(self, pairs: list[tuple[str, int]]) -> None:
        self.values = [v for v, _w in pairs]
        self.cumulative = list(itertools.accumulate(w for _v, w in pairs))

    def draw(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


_SURNAMES = _Weighted(names.SURNAMES)
_ETHNICITIES = _Weighted(names.ETHNICITIES)


class PeopleFactory:
    """Draws people from one random stream; ID-card and phone numbers are unique within a plan."""

    def __init__(self, rng: random.Random, *, home_area: str) -> None:
        self.rng = rng
        self.home_area = home_area
        self.id_cards: set[str] = set()
        self.phones: set[str] = set()

    def surname(self) -> str:
        return _SURNAMES.draw(self.rng)

    def given_name(self, gender: str, birth_year: int) -> str:
        decade = str(max(1940, min(2010, birth_year // 10 * 10)))
        return self.rng.choice(names.GIVEN_NAMES[decade][gender])

    def birth_date(self, *, min_age: int = 0, max_age: int = 92) -> date:
        rng = self.rng
        bands = [b for b in AGE_BANDS if b[1] >= min_age and b[0] <= max_age]
        low, high, _w = rng.choices(bands, weights=[b[2] for b in bands])[0]
        age = rng.randint(max(low, min_age), min(high, max_age))
        return REFERENCE_DATE - timedelta(days=age * 365 + rng.randint(0, 364))

    def id_card(self, gender: str, birth: date) -> str:
        rng = self.rng
        area = self.home_area if rng.random() < 0.75 else rng.choice(names.OTHER_BIRTH_AREAS)
        while True:
            sequence = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)  # odd for men
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_card_check_digit(first17)
            if number not in self.id_cards:
                self.id_cards.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def ethnicity(self) -> str:
        return _ETHNICITIES.draw(self.rng)


def age_on(birth: date, day: date = REFERENCE_DATE) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
