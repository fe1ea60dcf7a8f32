"""The subjects callers ask about (DOMAIN.md): the MEC's services, courses, monitoring,
benchmarking, replicable models, and the NRO's five convergence themes."""

from helpdesk.i18n import N_

#: (slug, name, description, domain); the names are in the catalogue (pages show them translated)
DEFAULT_CATEGORIES: list[tuple[str, str, str, str]] = [
    (
        "business-opportunity",
        N_("Business opportunities"),
        "Identifying business opportunities and feasibility for a new enterprise.",
        "enterprise",
    ),
    (
        "business-plan",
        N_("Business plans and financial statements"),
        "Preparing business plans, projections and financial statements.",
        "enterprise",
    ),
    (
        "bank-linkage",
        N_("Bank and finance linkage"),
        "Loans from banks and financial institutions, community funds, repayment.",
        "enterprise",
    ),
    (
        "market-linkage",
        N_("Supplier and market linkage"),
        "Supplier and market information, weekly markets, haats, buyers.",
        "enterprise",
    ),
    (
        "bookkeeping",
        N_("Book-keeping and accounts"),
        "Book-keeping, accounting support and records of the enterprise.",
        "enterprise",
    ),
    (
        "mec-fees-mou",
        N_("MEC fees and MoUs"),
        "Fees for MEC services and MoUs between MEC groups and cluster federations (CLFs).",
        "enterprise",
    ),
    (
        "training",
        N_("Training courses (CREAM, TEAM, TED)"),
        "CREAM, TEAM and TED courses for MECs and mentors.",
        "enterprise",
    ),
    (
        "pts-mis",
        N_("PTS app and MIS"),
        "The performance tracking system app and the web MIS that monitor enterprises.",
        "enterprise",
    ),
    (
        "benchmarking",
        N_("Enterprise benchmarking"),
        "Net profitability by business type, profit per owner, income by investment, location.",
        "enterprise",
    ),
    (
        "replicable-models",
        N_("Replicable models"),
        "Café Kudumbashree, Nutrimix units, weekly markets and haats, self-financing markets, "
        "Specialised Service Provider Enterprises.",
        "enterprise",
    ),
    (
        "cbo-structure",
        N_("CBO structure"),
        "Neighbourhood groups, ADS, CDS and their federations.",
        "convergence",
    ),
    (
        "gram-sabha",
        N_("Gram Sabha"),
        "Participation of the community in the Gram Sabha.",
        "convergence",
    ),
    (
        "livelihoods",
        N_("Livelihoods"),
        "Livelihood plans and support through convergence.",
        "convergence",
    ),
    (
        "social-development",
        N_("Social development"),
        "Social development questions raised with the panchayat.",
        "convergence",
    ),
    (
        "schemes",
        N_("Schemes and entitlements"),
        "Government schemes and entitlements the poor can claim.",
        "convergence",
    ),
]
