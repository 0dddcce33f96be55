"""Which CRM wrote a file, from its headers; and what that CRM's stages mean."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dashboard.ingest.fields import normalise
from dashboard.ingest.headers import normalise as normalise_words

VENDORS = (
    "hubspot",
    "salesforce",
    "pipedrive",
    "zoho",
    "dynamics",
    "bitrix24",
    "odoo",
    "freshsales",
    "close",
    "copper",
    "monday",
    "generic",
)
LABELS = {
    "hubspot": "HubSpot",
    "salesforce": "Salesforce",
    "pipedrive": "Pipedrive",
    "zoho": "Zoho CRM",
    "dynamics": "Microsoft Dynamics 365",
    "bitrix24": "Bitrix24",
    "odoo": "Odoo CRM",
    "freshsales": "Freshsales",
    "close": "Close",
    "copper": "Copper",
    "monday": "monday.com CRM",
    "generic": "a spreadsheet (no CRM recognised)",
}


def vendor_words(vendor: str) -> str:
    """The CRM as a table cell names it: "HubSpot", "Spreadsheet (no CRM)" for `generic`."""
    return "Spreadsheet (no CRM)" if vendor == "generic" else LABELS.get(vendor, vendor)


# Headers that, together, give a vendor away (normalised).
SIGNATURES = {
    "hubspot": (
        "record id",
        "deal name",
        "deal stage",
        "deal owner",
        "associated company",
        "is closed won",
        "closed lost reason",
        "closed won reason",
        "create date",
        "last activity date",
        "forecast amount",
        "deal type",
    ),
    "salesforce": (
        "opportunity owner",
        "opportunity name",
        "account name",
        "stage",
        "forecast category",
        "fiscal period",
        "total amount currency",
        "lead source",
        "created date",
        "stagename",
        "accountid",
        "closedate",
        "createddate",
        "iswon",
        "isclosed",
        "forecastcategoryname",
        "leadsource",
        "opportunity id",
    ),
    "pipedrive": (),  # recognised by its "<Entity> - <Field>" headers, see recognise()
    "zoho": (
        "record id",
        "deal name",
        "deal owner",
        "account name",
        "account name id",
        "contact name",
        "closing date",
        "reason for loss",
        "created time",
        "lead source",
    ),
    "dynamics": (
        "no",
        "description",
        "creation date",
        "closed",
        "date closed",
        "status",
        "salesperson name",
        "estimated value lcy",
        "chances of success",
        "contact company name",
    ),
    # crm.deal.fields codes (REST dumps) and the Russian UI's column titles.
    "bitrix24": (
        "stage id",
        "assigned by id",
        "opportunity",
        "currency id",
        "begindate",
        "closedate",
        "date create",
        "date modify",
        "category id",
        "company id",
        "contact id",
        "source id",
        "type id",
        "closed",
        "название сделки",
        "стадия сделки",
        "ответственный",
        "сделка закрыта",
        "дата начала",
        "дата завершения",
        "дата создания",
    ),
    # List-view export of crm.lead with its field labels.
    "odoo": (
        "opportunity",
        "customer",
        "expected revenue",
        "salesperson",
        "sales team",
        "created on",
        "expected closing",
        "closed date",
        "lost reason",
        "tags",
        "medium",
        "campaign",
    ),
    "freshsales": (
        "deal value",
        "deal stage",
        "sales owner",
        "deal pipeline",
        "expected close date",
        "closed date",
        "related contacts",
        "payment status",
        "lost reason",
        "territory",
        "created at",
        "updated at",
    ),
    # Opportunity export: snake_case API names.
    "close": (
        "lead id",
        "lead name",
        "status id",
        "status label",
        "status type",
        "value period",
        "value currency",
        "value formatted",
        "confidence",
        "user name",
        "date created",
        "date won",
        "date lost",
    ),
    "copper": (
        "primary contact",
        "company",
        "pipeline",
        "stage",
        "status",
        "value",
        "owner",
        "win probability",
        "loss reason",
        "date created",
        "date modified",
        "priority",
        "tags",
    ),
    # The CRM's Deals board exported to a spreadsheet.
    "monday": (
        "deal",
        "deal stage",
        "deal value",
        "close probability",
        "forecast value",
        "expected close date",
        "actual close date",
        "contacts",
        "accounts",
        "item id",
        "subitems",
        "last interaction",
    ),
}

# Headers any spreadsheet of deals may carry, whoever wrote it (our own field names among
# them: `stage`, `status`, `pipeline`, `owner`). They back a vendor's distinctive headers but
# never name one alone: a plain CSV with "pipeline, stage, status, owner" once read as Copper.
COMMON = frozenset(
    {
        "accounts", "account name", "campaign", "closed", "closed date", "closedate", "company",
        "confidence", "contacts", "created at", "created date", "customer", "date created",
        "deal", "deal name", "deal stage", "deal value", "description", "lead source",
        "loss reason", "lost reason", "medium", "no", "opportunity", "owner", "pipeline",
        "priority", "salesperson", "stage", "status", "tags", "territory", "updated at", "value",
    }
)  # fmt: skip

# "Date entered "Closed Won (Sales Pipeline)"" in any quote style.
HUBSPOT_ENTERED = re.compile(
    r"""^\s*date entered\s*["'“”‘’](?P<stage>.+?)(?:\s*\((?P<pipeline>[^()]*)\))?["'“”‘’]\s*$""",
    re.IGNORECASE,
)
HUBSPOT_OTHER_STAGE_COLUMNS = re.compile(
    r"""^\s*(date exited|time in|cumulative time in)\s*["'“”‘’]""", re.IGNORECASE
)
PIPEDRIVE_HEADER = re.compile(r"^\s*[\w\u00c0-\u017f]+ - .+$")


@dataclass(frozen=True)
class Recognition:
    vendor: str
    confidence: float  # 0-1
    evidence: tuple[str, ...]  # the headers that gave it away

    @property
    def label(self) -> str:
        return LABELS[self.vendor]


def recognise(headers: list[str]) -> Recognition:
    """The CRM that wrote these headers, or 'generic': a vendor needs two of its signature's
    headers, at least one of them its own (not in COMMON)."""
    names = [normalise(h) for h in headers]
    # Both spellings: "StageName" -> "stagename" (Salesforce's API names as one word) and
    # "Стадия сделки" -> "стадия сделки" (letters of any script kept).
    present = set(names) | {normalise_words(h) for h in headers}
    entered = [h for h in headers if HUBSPOT_ENTERED.match(h)]
    pipedrive = [h for h in headers if PIPEDRIVE_HEADER.match(h)]
    scores: dict[str, tuple[float, tuple[str, ...]]] = {}
    for vendor, signature in SIGNATURES.items():
        hits = tuple(s for s in signature if s in present)
        if all(h in COMMON for h in hits):
            hits = ()  # only headers anyone writes: not this vendor's file
        scores[vendor] = (len(hits) / max(len(names), 1) + len(hits) / 10, hits)
    if entered:
        hits = scores["hubspot"][1] + tuple(entered[:2])
        scores["hubspot"] = (scores["hubspot"][0] + 0.5, hits)
    if len(pipedrive) >= max(2, len(headers) // 2):
        scores["pipedrive"] = (1.0 + len(pipedrive) / len(headers), tuple(pipedrive[:4]))
    vendor, (score, hits) = max(scores.items(), key=lambda kv: kv[1][0])
    if len(hits) < 2 or score < 0.3:
        return Recognition("generic", 1.0, ())
    runner_up = sorted(s for s, _ in scores.values())[-2]
    confidence = min(1.0, 0.5 + (score - runner_up))
    return Recognition(vendor, round(confidence, 2), hits)


@dataclass(frozen=True)
class StageDefault:
    stage: str
    order: int
    status: str  # open / won / lost


def _stages(*names: str, won: str = "Closed Won", lost: tuple[str, ...] = ("Closed Lost",)):
    out = [StageDefault(n, i, "open") for i, n in enumerate(names, 1)]
    out.append(StageDefault(won, len(names) + 1, "won"))
    out.extend(StageDefault(x, len(names) + 2 + i, "lost") for i, x in enumerate(lost))
    return tuple(out)


DEFAULT_STAGES: dict[str, tuple[StageDefault, ...]] = {
    "hubspot": _stages(
        "Appointment Scheduled",
        "Qualified to Buy",
        "Presentation Scheduled",
        "Decision Maker Bought-In",
        "Contract Sent",
    ),
    "salesforce": _stages(
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ),
    "zoho": _stages(
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Identify Decision Makers",
        "Proposal/Price Quote",
        "Negotiation/Review",
        lost=("Closed Lost", "Closed Lost to Competition"),
    ),
    "pipedrive": _stages(
        "Lead In",
        "Contact Made",
        "Needs Defined",
        "Demo Scheduled",
        "Proposal Made",
        "Negotiations Started",
        won="Won",
        lost=("Lost",),
    ),
    "dynamics": _stages("In Progress", won="Won", lost=("Lost",)),
    # Bitrix24: stage ids (`C6:WON` in pipeline 6; the prefix is dropped before matching) and the
    # default stage names of the Russian and English interfaces, in the CRM's own order.
    "bitrix24": tuple(
        StageDefault(name, order, status)
        for order, (status, names) in enumerate(
            (
                ("open", ("NEW", "Новая", "New")),
                ("open", ("PREPARATION", "Подготовка документов", "Preparing documents")),
                ("open", ("PREPAYMENT_INVOICE", "Счёт на предоплату", "Prepayment invoice")),
                ("open", ("EXECUTING", "В работе", "In progress")),
                ("open", ("FINAL_INVOICE", "Финальный счёт", "Final invoice")),
                ("won", ("WON", "Сделка успешна", "Сделка заключена", "Deal won")),
                ("lost", ("LOSE", "Сделка провалена", "Deal lost")),
                ("lost", ("APOLOGY", "Анализ причины провала", "Analyse failure")),
            ),
            1,
        )
        for name in names
    ),
}

# Bitrix24 prefixes a pipeline's stage ids with its category: `C6:WON`, `C12:NEW`.
BITRIX_CATEGORY = re.compile(r"^C\d+:(?=[A-Z_]+$)")

# HubSpot exports may carry internal stage ids instead of labels.
HUBSPOT_STAGE_IDS = {
    "appointmentscheduled": "Appointment Scheduled",
    "qualifiedtobuy": "Qualified to Buy",
    "presentationscheduled": "Presentation Scheduled",
    "decisionmakerboughtin": "Decision Maker Bought-In",
    "contractsent": "Contract Sent",
    "closedwon": "Closed Won",
    "closedlost": "Closed Lost",
}

# For exports without a pipeline column. Named per CRM so that files from two CRMs never mix
# their stages in one funnel (HubSpot's own default is "Sales Pipeline").
DEFAULT_PIPELINE = {
    "hubspot": "Sales Pipeline",
    "salesforce": "Salesforce opportunities",
    "pipedrive": "Pipedrive pipeline",
    "zoho": "Zoho deals",
    "dynamics": "Dynamics opportunities",
    "bitrix24": "Bitrix24 deals",
    "odoo": "Odoo pipeline",
    "freshsales": "Freshsales deals",
    "close": "Close opportunities",
    "copper": "Copper opportunities",
    "monday": "monday.com deals",
    "generic": "Pipeline",
}

# Who may decide an ambiguous date column (every day <= 12) without asking: only a CRM that
# always writes month-first dates. HubSpot's exports do (`05/27/2026`); Salesforce reports,
# Zoho and Dynamics follow the exporting user's locale (the Zoho sample is day-first), so their
# ambiguous columns are asked like a spreadsheet's. The decision is always shown as a note.
MONTH_FIRST_VENDORS = {"hubspot"}


def words_of(text: str | None) -> list[str]:
    """Lower-case words of any script, accents dropped ("Gagnée" -> "gagnee", "Счёт" -> "счет")."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", bare)


# Words that say a stage or status is won / lost / still open, in the languages exports come in
# (English, French, German, Spanish, Portuguese, Russian), compared after `words_of`.
STATUS_WORDS = {
    "won": {
        "won", "win", "closedwon", "gagne", "gagnee", "remporte", "remportee", "gewonnen",
        "ganado", "ganada", "ganho", "ganha", "ganhou", "выиграна", "выигран", "выиграно",
        "успешна", "успешно", "успешная", "заключена", "заключен", "заключено",
    },
    "lost": {
        "lost", "lose", "closedlost", "perdu", "perdue", "verloren", "perdido", "perdida",
        "perdeu", "проиграна", "проигран", "проиграно", "провалена", "провален", "провалено",
        "провал", "провала", "неуспешна", "отказ",
    },
    "open": {
        "open", "active", "progress", "ouvert", "ouverte", "offen", "abierto", "abierta",
        "aberto", "aberta", "открыта", "открыт", "работе",
    },
}  # fmt: skip


def status_from_words(text: str | None) -> str | None:
    """open / won / lost from a stage or status label, or None when the words do not say."""
    tokens = set(words_of(text))
    for status in ("won", "lost", "open"):
        if tokens & STATUS_WORDS[status]:
            return status
    return None


@dataclass(frozen=True)
class AmountScale:
    """A CRM that writes an amount column in minor units: divide by `divisor`, say `note`."""

    divisor: int
    note: str


# Amount columns a CRM writes in cents, by vendor and normalised header. Close's API and its
# opportunity export give `value` (and the annualized / expected values) in cents:
# "value": 50000 with "value_formatted": "$500".
_CLOSE_CENTS = AmountScale(100, "Close writes value in cents: divided by 100")
AMOUNT_SCALES: dict[str, dict[str, AmountScale]] = {
    "close": {
        header: _CLOSE_CENTS
        for header in (
            "value",
            "annualized value",
            "expected value",
            "annualized expected value",
        )
    },
}


def amount_scale(vendor: str, header: str) -> AmountScale | None:
    """How the CRM that wrote `header` scales its amounts, or None (read as written)."""
    return AMOUNT_SCALES.get(vendor, {}).get(normalise(header))


# What a CRM's deal status column says, where its words alone would not (normalised words).
# Copper: Open / Won / Lost / Abandoned; Close's status_type: active / won / lost.
STATUS_VALUES: dict[str, dict[str, str]] = {
    "copper": {"abandoned": "lost"},
    "close": {"active": "open"},
}


def status_of_value(value: str | None, vendor: str) -> str | None:
    """open / won / lost from a deal status cell: the CRM's own values, then the words in six
    languages (status_from_words); None when neither says."""
    own = STATUS_VALUES.get(vendor, {}).get(" ".join(words_of(value)))
    return own or status_from_words(value)
