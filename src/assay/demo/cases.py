"""The demo's dataset: about 200 test cases over six categories and three difficulties.

Generated in code from a fixed seed, so every run (and every machine) gets the same cases with
the same ids; no file to keep in sync, no network. Each category exercises a different shape of
agent trace (see `agent`): lookups with a search tool, a calculator, a JSON extraction without
tools, a support agent with two nested tools, and a chart question whose input holds an image.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

SEED = 14
CATEGORIES = ("capitals", "arithmetic", "conversions", "extraction", "support", "charts")
LONG_CASE = "research-001"  # the case on which the baseline agent runs away (several thousand spans)

# country, capital, a tempting wrong answer (its largest city or an old capital), difficulty
CAPITALS = [
    ("France", "Paris", "Lyon", "easy"),
    ("Japan", "Tokyo", "Kyoto", "easy"),
    ("Italy", "Rome", "Milan", "easy"),
    ("Spain", "Madrid", "Barcelona", "easy"),
    ("Germany", "Berlin", "Bonn", "easy"),
    ("Egypt", "Cairo", "Alexandria", "easy"),
    ("Kenya", "Nairobi", "Mombasa", "easy"),
    ("Peru", "Lima", "Cusco", "easy"),
    ("Norway", "Oslo", "Bergen", "easy"),
    ("Poland", "Warsaw", "Krakow", "easy"),
    ("Canada", "Ottawa", "Toronto", "medium"),
    ("Australia", "Canberra", "Sydney", "medium"),
    ("Brazil", "Brasilia", "Rio de Janeiro", "medium"),
    ("Turkey", "Ankara", "Istanbul", "medium"),
    ("India", "New Delhi", "Mumbai", "medium"),
    ("Morocco", "Rabat", "Casablanca", "medium"),
    ("Vietnam", "Hanoi", "Ho Chi Minh City", "medium"),
    ("Switzerland", "Bern", "Zurich", "medium"),
    ("New Zealand", "Wellington", "Auckland", "medium"),
    ("South Africa", "Pretoria", "Johannesburg", "medium"),
    ("Nigeria", "Abuja", "Lagos", "medium"),
    ("Pakistan", "Islamabad", "Karachi", "medium"),
    ("Chile", "Santiago", "Valparaiso", "medium"),
    ("Ecuador", "Quito", "Guayaquil", "medium"),
    ("Kazakhstan", "Astana", "Almaty", "hard"),
    ("Myanmar", "Naypyidaw", "Yangon", "hard"),
    ("Tanzania", "Dodoma", "Dar es Salaam", "hard"),
    ("Ivory Coast", "Yamoussoukro", "Abidjan", "hard"),
    ("Bolivia", "Sucre", "La Paz", "hard"),
    ("Sri Lanka", "Sri Jayawardenepura Kotte", "Colombo", "hard"),
    ("Benin", "Porto-Novo", "Cotonou", "hard"),
    ("Belize", "Belmopan", "Belize City", "hard"),
    ("Malawi", "Lilongwe", "Blantyre", "hard"),
    ("Burundi", "Gitega", "Bujumbura", "hard"),
    ("Palau", "Ngerulmud", "Koror", "hard"),
    ("Micronesia", "Palikir", "Weno", "hard"),
    ("Eswatini", "Mbabane", "Manzini", "hard"),
    ("Montenegro", "Podgorica", "Cetinje", "hard"),
    ("Liechtenstein", "Vaduz", "Schaan", "hard"),
    ("Bhutan", "Thimphu", "Phuntsholing", "hard"),
]

# name, factor, offset: value_in_to = value_in_from * factor + offset
UNITS = [
    ("km", "miles", 0.621371, 0.0),
    ("miles", "km", 1.609344, 0.0),
    ("kg", "pounds", 2.204623, 0.0),
    ("celsius", "fahrenheit", 1.8, 32.0),
    ("liters", "gallons", 0.264172, 0.0),
    ("inches", "cm", 2.54, 0.0),
]

PEOPLE = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ines", "Jonas", "Kofi", "Lea"]
CITIES = ["Lisbon", "Porto", "Accra", "Osaka", "Quebec City", "Cape Town", "Kraków", "São Paulo"]
ORDER_STATES = ["shipped", "delivered", "delayed", "processing", "cancelled"]
CARRIERS = ["DHL", "UPS", "PostNL", "FedEx"]
FRUITS = ["apples", "pears", "plums", "figs", "kiwis", "limes"]


@dataclass(frozen=True)
class Case:
    id: str
    input: Any
    expected: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    chart: list[tuple[str, int]] | None = None  # bar chart drawn into the input's image


def _meta(category: str, difficulty: str, **more: Any) -> dict[str, Any]:
    return {"category": category, "difficulty": difficulty, **more}


def _arithmetic(rng: random.Random) -> list[Case]:
    out = []
    for i in range(50):
        difficulty = ("easy", "medium", "hard")[i % 3]
        high = {"easy": 20, "medium": 100, "hard": 1000}[difficulty]
        a, b = rng.randint(2, high), rng.randint(2, high)
        op = "+-*"[i % 3] if difficulty != "hard" else "*"
        value = a + b if op == "+" else a - b if op == "-" else a * b
        out.append(
            Case(f"arithmetic-{i + 1:03d}", f"{a} {op} {b}", str(value), _meta("arithmetic", difficulty))
        )
    return out


def _conversions(rng: random.Random) -> list[Case]:
    out = []
    for i in range(30):
        src, dst, factor, offset = UNITS[i % len(UNITS)]
        amount = rng.choice([1, 5, 12, 42, 100, 250]) if i < 15 else round(rng.uniform(1, 500), 1)
        difficulty = "easy" if i < 10 else "medium" if i < 20 else "hard"
        expected = f"{amount * factor + offset:.2f} {dst}"
        question = f"Convert {amount:g} {src} to {dst}."
        out.append(Case(f"conversions-{i + 1:03d}", question, expected, _meta("conversions", difficulty)))
    return out


def _extraction(rng: random.Random) -> list[Case]:
    out = []
    for i in range(30):
        name, city = PEOPLE[i % len(PEOPLE)], CITIES[(i * 5) % len(CITIES)]
        age = rng.randint(19, 80)
        difficulty = "easy" if i < 10 else "medium" if i < 20 else "hard"
        if difficulty == "easy":
            text = f"{name} is {age} years old and lives in {city}."
        elif difficulty == "medium":
            text = f"Born {age} years ago, {name} now calls {city} home."
        else:
            text = f"{city} has been home to {name} (aged {age}) since childhood, not {CITIES[i % 3]}."
        expected = json.dumps({"name": name, "age": age, "city": city}, ensure_ascii=False)
        question = f"Extract name, age and city as JSON: {text}"
        out.append(Case(f"extraction-{i + 1:03d}", question, expected, _meta("extraction", difficulty)))
    return out


def _support(rng: random.Random) -> list[Case]:
    out = []
    for i in range(40):
        order = 4100 + i * 7
        state = ORDER_STATES[i % len(ORDER_STATES)]
        carrier = CARRIERS[(i // 2) % len(CARRIERS)]
        days = rng.randint(1, 9)
        difficulty = (
            "easy" if state in ("delivered", "processing") else "medium" if state == "shipped" else "hard"
        )
        expected = {
            "shipped": f"Order #{order} has shipped with {carrier} and arrives in {days} days.",
            "delivered": f"Order #{order} was delivered.",
            "delayed": f"Order #{order} is delayed; {carrier} expects it in {days} days.",
            "processing": f"Order #{order} is still being prepared.",
            "cancelled": f"Order #{order} was cancelled and refunded.",
        }[state]
        question = f"Hi, where is my order #{order}?"
        meta = _meta(
            "support", difficulty, order={"id": order, "state": state, "carrier": carrier, "days": days}
        )
        out.append(Case(f"support-{i + 1:03d}", question, expected, meta))
    return out


def _charts(rng: random.Random) -> list[Case]:
    out = []
    for i in range(12):
        labels = rng.sample(FRUITS, 3 + i % 3)
        values = rng.sample(range(3, 20), len(labels))
        bars = list(zip(labels, values, strict=True))
        tallest = max(bars, key=lambda b: b[1])[0]
        difficulty = "easy" if len(bars) == 3 else "medium" if len(bars) == 4 else "hard"
        question = {"question": f"Which fruit sold the most at stall {i + 1}, as this chart shows?"}
        meta = _meta("charts", difficulty, labels=labels)
        out.append(Case(f"charts-{i + 1:03d}", question, tallest, meta, chart=bars))
    return out


def _capitals() -> list[Case]:
    return [
        Case(f"capitals-{i + 1:03d}", f"What is the capital of {country}?", capital, _meta("capitals", d))
        for i, (country, capital, _, d) in enumerate(CAPITALS)
    ]


def research_case() -> Case:
    question = "Find every paper that cites 'Attention Is All You Need' and summarise the three most cited."
    expected = "A short summary of BERT, GPT-3 and ViT."
    return Case(LONG_CASE, question, expected, _meta("research", "hard"))


def all_cases() -> list[Case]:
    rng = random.Random(SEED)
    return [
        *_capitals(),
        *_arithmetic(rng),
        *_conversions(rng),
        *_extraction(rng),
        *_support(rng),
        *_charts(rng),
        research_case(),
    ]


def wrong_capital(country: str) -> str:
    return next(trap for c, _, trap, _ in CAPITALS if c == country)
