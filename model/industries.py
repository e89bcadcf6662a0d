"""The industries an advertising text can belong to: the corpus, the API and the lexicon's scoping use these ids."""

from __future__ import annotations

INDUSTRIES: tuple[str, ...] = (
    "ecommerce",
    "apparel",
    "cosmetics",
    "food",
    "health_food",
    "medical",
    "drugs_devices",
    "finance",
    "education",
    "real_estate",
    "agriculture",
    "tourism",
    "electronics",
    "appliances",
    "auto",
    "mother_baby",
)
