"""The subjects callers ask about (DOMAIN.md): the MEC's services, courses, monitoring,
benchmarking, replicable models, and the NRO's five convergence themes."""

#: (slug, name, description, domain)
DEFAULT_CATEGORIES: list[tuple[str, str, str, str]] = [
    (
        "business-opportunity",
        "Business opportunities",
        "Identifying business opportunities and feasibility for a new enterprise.",
        "enterprise",
    ),
    (
        "business-plan",
        "Business plans and financial statements",
        "Preparing business plans, projections and financial statements.",
        "enterprise",
    ),
    (
        "bank-linkage",
        "Bank and finance linkage",
        "Loans from banks and financial institutions, community funds, repayment.",
        "enterprise",
    ),
    (
        "market-linkage",
        "Supplier and market linkage",
        "Supplier and market information, weekly markets, haats, buyers.",
        "enterprise",
    ),
    (
        "bookkeeping",
        "Book-keeping and accounts",
        "Book-keeping, accounting support and records of the enterprise.",
        "enterprise",
    ),
    (
        "mec-fees-mou",
        "MEC fees and MoUs",
        "Fees for MEC services and MoUs between MEC groups and cluster federations (CLFs).",
        "enterprise",
    ),
    (
        "training",
        "Training courses (CREAM, TEAM, TED)",
        "CREAM, TEAM and TED courses for MECs and mentors.",
        "enterprise",
    ),
    (
        "pts-mis",
        "PTS app and MIS",
        "The performance tracking system app and the web MIS that monitor enterprises.",
        "enterprise",
    ),
    (
        "benchmarking",
        "Enterprise benchmarking",
        "Net profitability by business type, profit per owner, income by investment, location.",
        "enterprise",
    ),
    (
        "replicable-models",
        "Replicable models",
        "Café Kudumbashree, Nutrimix units, weekly markets and haats, self-financing markets, "
        "Specialised Service Provider Enterprises.",
        "enterprise",
    ),
    (
        "cbo-structure",
        "CBO structure",
        "Neighbourhood groups, ADS, CDS and their federations.",
        "convergence",
    ),
    (
        "gram-sabha",
        "Gram Sabha",
        "Participation of the community in the Gram Sabha.",
        "convergence",
    ),
    (
        "livelihoods",
        "Livelihoods",
        "Livelihood plans and support through convergence.",
        "convergence",
    ),
    (
        "social-development",
        "Social development",
        "Social development questions raised with the panchayat.",
        "convergence",
    ),
    (
        "schemes",
        "Schemes and entitlements",
        "Government schemes and entitlements the poor can claim.",
        "convergence",
    ),
]
