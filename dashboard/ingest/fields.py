"""What each canonical table accepts from a file: fields, their kinds, names seen in exports.

Names are compared after `normalise`: lower case, accents dropped, anything but letters and
digits turned into single spaces ("Deal - Owner" -> "deal owner", "Probability (%)" ->
"probability"). Synonyms come from ../shared/docs/crm-exports.md and real fixtures.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Kinds decide how a raw text cell is converted and checked.
TEXT, ID, DATE, AMOUNT, NUMBER, INTEGER, BOOL, STATUS, SURVEY_TYPE = (
    "text", "id", "date", "amount", "number", "integer", "bool", "status", "survey_type",
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    synonyms: tuple[str, ...] = ()
    stored: bool = True  # False: helps derive stored columns (account_name, is_won, ...)


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


ACCOUNT_REF = (
    Field(
        "account_id",
        ID,
        (
            "account id",
            "accountid",
            "account name id",
            "company id",
            "customer id",
            "customerid",
            "organization id",
            "org id",
            "client id",
        ),
    ),
    Field(
        "account_name",
        TEXT,
        (
            "account name",
            "associated company",
            "company",
            "company name",
            "organization",
            "organization name",
            "deal organization",
            "contact company name",
            "customer",
            "customer name",
            "client",
            "organisation",
            "affaire organisation",
            "account",  # maven-style snake_case exports: `account`
            "lead name",  # Close: opportunities carry their lead (the company)
        ),
        stored=False,
    ),
)

TABLES: dict[str, tuple[Field, ...]] = {
    "accounts": (
        Field(
            "account_id",
            ID,
            (
                "account id",
                "record id",
                "id",
                "company id",
                "accountid",
                "customer id",
                "organization id",
                "no",
            ),
        ),
        Field(
            "account_name",
            TEXT,
            (
                "account name",
                "company name",
                "name",
                "company",
                "organization name",
                "organization",
                "customer name",
                "account",
            ),
        ),
        Field("segment", TEXT, ("segment", "customer segment", "tier", "company size")),
        Field("industry", TEXT, ("industry", "sector", "vertical")),
        Field("region", TEXT, ("region", "territory region", "territory", "sales region")),
        Field(
            "country",
            TEXT,
            ("country", "country region", "billing country", "office location", "location"),
        ),
        Field(
            "employees",
            INTEGER,
            (
                "employees",
                "number of employees",
                "employee count",
                "numberofemployees",
                "headcount",
            ),
        ),
        Field("annual_revenue", AMOUNT, ("annual revenue", "annualrevenue", "revenue")),
        Field(
            "owner",
            TEXT,
            (
                "account owner",
                "company owner",
                "owner",
                "organization owner",
                "sales agent",
                "agent",
                "salesperson",
            ),
        ),
        Field(
            "created_at",
            DATE,
            (
                "create date",
                "created date",
                "createddate",
                "created time",
                "created at",
                "add time",
            ),
        ),
    ),
    "deals": (
        Field(
            "deal_id",
            ID,
            ("record id", "deal id", "id", "opportunity id", "no", "deal no", "affaire id"),
        ),
        *ACCOUNT_REF,
        Field(
            "deal_name",
            TEXT,
            (
                "deal name",
                "opportunity name",
                "name",
                "deal title",
                "title",
                "description",
                "affaire titre",
                "titre",
                "deal",  # monday.com: the item column
                "opportunity",  # Odoo's label (Bitrix24's OPPORTUNITY is a sum: content decides)
                "название сделки",
                "название",
            ),
        ),
        Field("pipeline", TEXT, ("pipeline", "deal pipeline", "sales process")),
        Field(
            "stage",
            TEXT,
            (
                "deal stage",
                "stage",
                "stagename",
                "stage name",
                "sales stage",
                "affaire etape",
                "etape",
                "stage id",  # Bitrix24 STAGE_ID (C6:WON)
                "status label",  # Close
                "стадия сделки",
                "стадия",
            ),
        ),
        Field(
            "status",
            STATUS,
            ("status", "deal status", "affaire statut", "statut", "status type"),
        ),
        Field(
            "amount",
            AMOUNT,
            (
                "amount",
                "deal value",
                "value",
                "total amount",
                "estimated value lcy",
                "deal amount",
                "opportunity amount",
                "affaire valeur",
                "valeur",
                "montant",
                "expected revenue",  # Odoo
                "opportunity",  # Bitrix24 OPPORTUNITY
                "сумма",
            ),
        ),
        Field(
            "currency",
            TEXT,
            (
                "currency",
                "total amount currency",
                "deal currency",
                "currency of value",
                "deal currency of value",
                "currencyisocode",
                "affaire devise",
                "devise",
                "currency id",  # Bitrix24
                "value currency",  # Close
                "валюта",
            ),
        ),
        Field(
            "created_at",
            DATE,
            (
                "create date",
                "created date",
                "createddate",
                "created time",
                "deal created",
                "add time",
                "deal add time",
                "creation date",
                "deal creation date",
                "created at",
                "date created",
                "affaire date de creation",
                "date de creation",
                "created on",  # Odoo
                "date create",  # Bitrix24 DATE_CREATE
                "дата создания",
            ),
        ),
        Field(
            "closed_at",
            DATE,
            (
                "close date",
                "closedate",
                "closing date",
                "deal closed on",
                "closed on",
                "date closed",
                "actual close date",
                "closed at",
                "affaire date de cloture",
                "date de cloture",
                "conclue le",
                "closed date",  # Freshsales, Odoo
                "дата завершения",
            ),
        ),
        Field(
            "owner",
            TEXT,
            (
                "deal owner",
                "opportunity owner",
                "owner",
                "salesperson name",
                "owner name",
                "sales rep",
                "affaire proprietaire",
                "proprietaire",
                "sales agent",
                "agent",
                "sales owner",  # Freshsales
                "salesperson",  # Odoo
                "assigned by id",  # Bitrix24 ASSIGNED_BY_ID
                "assigned to",
                "responsible",
                "user name",  # Close
                "ответственный",
            ),
        ),
        Field(
            "source",
            TEXT,
            (
                "lead source",
                "leadsource",
                "source",
                "source channel",
                "deal source channel",
                "deal source",
                "original source",
                "affaire canal source",
                "source id",  # Bitrix24
                "источник",
            ),
        ),
        Field("product", TEXT, ("product", "product name", "products", "deal product name")),
        Field(
            "competitor",
            TEXT,
            (
                "competitor",
                "competitors",
                "main competitor s",
                "main competitors",
                "competitor name",
                "competitorname",
                "concurrent",
                "concurrents",
            ),
        ),
        Field(
            "loss_reason",
            TEXT,
            (
                "closed lost reason",
                "lost reason",
                "reason for loss",
                "loss reason",
                "deal lost reason",
                "affaire raison de la perte",
                "raison de la perte",
                "motif de perte",
            ),
        ),
        Field("is_won", BOOL, ("is closed won", "iswon", "is won", "won"), stored=False),
        Field(
            "is_closed", BOOL, ("isclosed", "is closed", "closed", "сделка закрыта"), stored=False
        ),
        Field(
            "probability",
            NUMBER,
            (
                "probability",
                "deal probability",
                "chances of success",
                "affaire probabilite",
                "win probability",  # Copper
                "close probability",  # monday.com
                "confidence",  # Close
            ),
            stored=False,
        ),
    ),
    "deal_stage_history": (
        Field("deal_id", ID, ("deal id", "opportunity id", "opportunityid", "record id", "deal")),
        Field(
            "stage",
            TEXT,
            (
                "stage",
                "stagename",
                "stage name",
                "deal stage",
                "to stage",
                "new stage",
                "new value",
            ),
        ),
        Field(
            "entered_at",
            DATE,
            (
                "entered at",
                "date entered",
                "created date",
                "createddate",
                "changed at",
                "change date",
                "date",
                "timestamp",
                "edit date",
            ),
        ),
    ),
    "activities": (
        Field("activity_id", ID, ("activity id", "record id", "id", "task id", "engagement id")),
        *ACCOUNT_REF,
        Field("deal_id", ID, ("deal id", "opportunity id", "associated deal", "whatid")),
        Field(
            "type", TEXT, ("type", "activity type", "engagement type", "task subtype", "channel")
        ),
        Field("direction", TEXT, ("direction", "call direction", "inbound outbound")),
        Field("department", TEXT, ("department", "team", "function")),
        Field(
            "occurred_at",
            DATE,
            (
                "occurred at",
                "activity date",
                "date",
                "due date",
                "timestamp",
                "created date",
                "activitydate",
                "start time",
                "create date",
            ),
        ),
        Field("owner", TEXT, ("owner", "activity owner", "assigned to", "user", "rep")),
        Field("is_personalized", BOOL, ("is personalized", "personalized", "personalised")),
    ),
    "orders": (
        Field(
            "order_id",
            ID,
            ("order id", "orderid", "order number", "order no", "line id", "transaction id"),
        ),
        *ACCOUNT_REF,
        Field(
            "ordered_at",
            DATE,
            (
                "ordered at",
                "order date",
                "invoicedate",
                "invoice date",
                "date",
                "purchase date",
                "transaction date",
                "created at",
            ),
        ),
        Field(
            "amount",
            AMOUNT,
            (
                "amount",
                "total",
                "order total",
                "revenue",
                "sales",
                "net amount",
                "line total",
                "total amount",
                "value",
            ),
        ),
        Field(
            "product",
            TEXT,
            ("product", "description", "product name", "item", "sku", "stockcode", "stock code"),
        ),
        Field("quantity", NUMBER, ("quantity", "qty", "units")),
        Field(
            "unit_price", AMOUNT, ("unit price", "unitprice", "price", "price each"), stored=False
        ),
    ),
    "surveys": (
        Field("response_id", ID, ("response id", "id", "record id", "review id", "survey id")),
        *ACCOUNT_REF,
        Field(
            "responded_at",
            DATE,
            (
                "responded at",
                "response date",
                "date",
                "submitted at",
                "review date",
                "created at",
                "timestamp",
                "survey date",
            ),
        ),
        Field("survey_type", SURVEY_TYPE, ("survey type", "survey", "type", "question type")),
        Field(
            "score",
            NUMBER,
            (
                "score",
                "rating",
                "nps",
                "csat",
                "ces",
                "stars",
                "star rating",
                "how likely are you to recommend us",
                "review rating",
                "likely recommend",
                "recommend",
                "satisfied",
                "satisfaction",
            ),
        ),
        Field(
            "comment",
            TEXT,
            (
                "comment",
                "comments",
                "feedback",
                "review",
                "review text",
                "verbatim",
                "text",
                "reason",
                "reviews",
            ),
        ),
        Field("channel", TEXT, ("channel", "source", "survey channel", "platform")),
    ),
    "tickets": (
        Field(
            "ticket_id",
            ID,
            ("ticket id", "id", "record id", "case id", "case number", "ticket number"),
        ),
        *ACCOUNT_REF,
        Field(
            "opened_at",
            DATE,
            (
                "opened at",
                "created at",
                "create date",
                "created date",
                "opened date",
                "date opened",
                "createddate",
            ),
        ),
        Field(
            "first_response_at",
            DATE,
            ("first response at", "first response date", "first response time", "first reply at"),
        ),
        Field(
            "resolved_at",
            DATE,
            (
                "resolved at",
                "closed at",
                "close date",
                "closed date",
                "resolution date",
                "date closed",
                "resolved date",
            ),
        ),
        Field("channel", TEXT, ("channel", "origin", "case origin", "source", "via")),
        Field("priority", TEXT, ("priority", "ticket priority", "severity")),
    ),
}

# What a file must provide, as alternatives: each inner tuple is one way to satisfy it.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "accounts": (("account_id", "account_name"),),
    "deals": (("stage", "status"),),
    "deal_stage_history": (("deal_id",), ("stage",), ("entered_at",)),
    "activities": (("occurred_at",),),
    "orders": (("account_id", "account_name"), ("ordered_at",), ("amount", "unit_price")),
    "surveys": (("score",), ("responded_at",)),
    "tickets": (("opened_at",),),
}

# Keys generated when the file has none ("stable for the same file", product.md).
KEY_FIELD = {
    "accounts": "account_id",
    "deals": "deal_id",
    "activities": "activity_id",
    "orders": "order_id",
    "surveys": "response_id",
    "tickets": "ticket_id",
}

# Words in a file name that point at a table.
FILE_NAME_HINTS = {
    "deals": ("deal", "opportunit", "pipeline"),
    "accounts": ("account", "compan", "organi", "customer"),
    "deal_stage_history": ("history",),
    "activities": ("activit", "call", "email", "meeting", "task", "engagement"),
    "orders": ("order", "invoice", "retail", "transaction", "sales"),
    "surveys": ("survey", "nps", "csat", "review", "feedback", "response"),
    "tickets": ("ticket", "case", "support"),
}


def fields_of(table: str) -> dict[str, Field]:
    return {f.name: f for f in TABLES[table]}


# Optional reference tables (product.md: `owners`, product attributes), kept in one block at
# the end so the tables above stay as they are. A teams file fills owners (its team is what the
# Team filter keeps); a products or price-list file fills products. One row per owner/product:
# a later line of the same file wins, a later load replaces the row (warehouse.REPLACE_KEYS).
TABLES["owners"] = (
    Field(
        "owner",
        TEXT,
        ("owner", "sales agent", "sales rep", "user", "name", "full name", "assigned to"),
    ),
    Field("team", TEXT, ("team", "sales team", "regional office", "office", "group")),
    Field("manager", TEXT, ("manager", "team lead", "reports to")),
    Field("region", TEXT, ("region",)),
)
TABLES["products"] = (
    Field("product", TEXT, ("product", "product name", "item", "sku")),
    Field("series", TEXT, ("series", "family", "product family", "product line", "category")),
    Field("list_price", AMOUNT, ("sales price", "list price", "price", "unit price", "msrp")),
)
REQUIRED["owners"] = (("owner",),)
REQUIRED["products"] = (("product",),)
KEY_FIELD["owners"] = "owner"
KEY_FIELD["products"] = "product"
FILE_NAME_HINTS["owners"] = ("team", "user", "owner", "agent", "rep")
FILE_NAME_HINTS["products"] = ("product", "price", "catalog", "item")

# Each warehouse table as a person calls it, for the import page's tables and sentences (never
# `deal_stage_history` on screen). A teams file fills owners; the sample also writes the stage
# order it knows (pipeline_stages).
TABLE_WORDS = {
    "accounts": "accounts",
    "deals": "deals",
    "deal_stage_history": "stage history",
    "activities": "activities",
    "orders": "orders",
    "surveys": "surveys",
    "tickets": "tickets",
    "owners": "owners and teams",
    "products": "products",
    "pipeline_stages": "stage order",
}


def table_words(name: object) -> str:
    """'deal_stage_history' -> 'stage history'; an unknown name has its underscores spelled
    out as spaces."""
    text = str(name)
    return TABLE_WORDS.get(text, text.replace("_", " "))
