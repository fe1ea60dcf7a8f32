"""What callers ask, in English, for every category (DOMAIN.md and the seeds).

Each template is a question as an agent would log it and the answer the call-centre gives.
``{block}`` is replaced with the block's name. No amounts or counts are stated: the
documents support none for a single enterprise.
"""

from typing import NamedTuple


class Template(NamedTuple):
    category: str
    subject: str
    description: str
    answer: str
    #: states the template belongs to; None means any state whose block works in the domain
    states: tuple[str, ...] | None = None


T = Template

ENGLISH: list[Template] = [
    T(
        "business-opportunity",
        "Which business suits a group of SHG members?",
        "Five SHG members in {block} block want to start a business together and asked me "
        "which business will run in their area. How do I study the opportunity before we "
        "make a plan?",
        "Start from what people in the village buy often and where they buy it today. Visit "
        "the nearby markets and list who sells what and at what price. Then look at the "
        "members' skills and what they can invest. The BRC has the opportunity "
        "identification format; fill it in and call us to go through it together.",
    ),
    T(
        "business-opportunity",
        "Is a tailoring unit feasible in the village?",
        "A woman from an SHG wants to start a tailoring unit at home. Two tailors already work "
        "in the village. How do I check whether she will get enough customers?",
        "Find out how busy the existing tailors are and what customers go to town for. A "
        "different product, or a service the others do not give, can make room for her. "
        "Write down the expected orders month by month before any loan is taken.",
    ),
    T(
        "business-plan",
        "Bank asks for a business plan for a kirana shop",
        "Women from two SHGs want to open a kirana shop together. The bank branch asked for a "
        "business plan with expected income and expenses. Which format should I use and what "
        "must be in it?",
        "Use the business plan format from CREAM: the business idea, the owners, the investment "
        "and where the money comes from, monthly sales and expenses, the cash flow and the "
        "repayment schedule. Base the sales on what similar shops sell. Show the draft to the "
        "mentor at the BRC before it goes to the bank.",
    ),
    T(
        "business-plan",
        "Financial statements for an enterprise running for a year",
        "An entrepreneur who has run a tea stall for a year needs a profit and loss statement "
        "and a balance sheet for her CLF. She has kept a cash book. How do I prepare the "
        "statements from it?",
        "Total the cash book month by month: sales on one side, purchases and expenses on the "
        "other; the difference is the operating profit. For the balance sheet list what the "
        "enterprise owns (stock, utensils, cash) and what it owes (loans). Bring both to the "
        "BRC if the figures do not match.",
    ),
    T(
        "bank-linkage",
        "Loan application pending at the bank branch",
        "The loan application of an SHG enterprise from {block} has been pending at the bank "
        "branch for a long time. The branch manager says papers are missing but does not say "
        "which. What should we do?",
        "Ask the branch for the list of missing documents in writing. Usually they need the "
        "business plan, the SHG resolution, the members' KYC and the quotation for the "
        "machinery. Inform the block staff of the SRLM so that they can raise it in the "
        "block-level bankers' meeting.",
    ),
    T(
        "bank-linkage",
        "Working capital from the community fund instead of a bank loan",
        "An entrepreneur needs working capital before the festival season. Can she borrow from "
        "the CLF's community fund instead of the bank? Who decides?",
        "The CLF decides by its own rules for the community fund; ask the CLF office for the "
        "loan application format and attach the business plan prepared with the MEC. The "
        "repayment must fit the cash flow in the plan.",
    ),
    T(
        "market-linkage",
        "Supplier for jars and labels in small quantities",
        "A pickle unit needs jars and labels in small quantities. The local shops are costly. "
        "Where can we find a supplier?",
        "Ask the other enterprises your MEC group supports: units that buy together get a "
        "better price. The mentor knows suppliers used by units in other blocks and will call "
        "you with their contacts.",
    ),
    T(
        "market-linkage",
        "Finding bigger buyers for leaf plates",
        "The SHG makes leaf plates and the local haat buys only a little. How can we find "
        "bigger buyers?",
        "Make a sample set with a price list and visit shops and caterers in the nearby town. "
        "Join with groups from other blocks to take bigger orders together. Ask the SRLM about "
        "stalls at the district fairs.",
    ),
    T(
        "bookkeeping",
        "Which registers must a new enterprise keep?",
        "A new entrepreneur asks which registers she must keep. She reads and writes a little. "
        "What is the minimum?",
        "Start with three: the cash book for all money in and out, the stock register, and the "
        "credit register for customers who pay later. Write every day. The MEC checks the "
        "books once a week and helps with the monthly totals.",
    ),
    T(
        "bookkeeping",
        "Cash book shows more money than the cash in hand",
        "At the end of the month the cash book shows more money than the entrepreneur has. "
        "How do I find the mistake?",
        "Check the days one by one. Household expenses paid from the shop's cash and not "
        "written down are the usual reason; record them separately as the owner's drawings. "
        "Counting the cash every evening against the cash book prevents it.",
    ),
    T(
        "mec-fees-mou",
        "CLF has not paid the MEC group's fees under the MoU",
        "Our MEC group has an MoU with the CLF. The CLF has not paid the fees for the business "
        "plans we prepared and says it has no funds. Whom do we approach?",
        "The MoU sets the fee for each service. Take the list of services given, signed by the "
        "entrepreneurs, to the CLF meeting. If it is still not settled the block team of the "
        "SRLM will mediate; we have informed the mentor.",
    ),
    T(
        "mec-fees-mou",
        "Why should an entrepreneur pay the MEC?",
        "An entrepreneur asks why she must pay the MEC for a business plan. What fee is fixed "
        "for this service?",
        "Where the state has an MEC policy it fixes the fee for each service; the BRC has the "
        "current rates. Explain what the service includes, agree before starting and give a "
        "receipt.",
    ),
    T(
        "training",
        "When does the next CREAM batch start?",
        "Two new MECs selected in {block} have not attended CREAM yet. When is the next batch "
        "and how long is the course?",
        "CREAM runs over seven months, with field work between the modules. The SRLM decides "
        "the batches and the mentor will confirm the dates for your block. Meanwhile the new "
        "MECs can join the field visits of experienced MECs.",
    ),
    T(
        "training",
        "Session plans needed for TEAM",
        "I completed CREAM and now have to teach new MECs in TEAM. Where do I get the session "
        "plans and handouts?",
        "TEAM is the six-month version of CREAM that CREAM-trained MECs teach. The mentor will "
        "share the session plans and prepare the first module with you.",
    ),
    T(
        "training",
        "TED training certificate not received",
        "I attended the TED training but have not received the certificate. The BRC asks for "
        "it before assigning enterprises.",
        "Certificates are issued by the SRLM after the attendance list is verified. We have "
        "asked the training coordinator to check your name; the BRC can confirm your "
        "attendance meanwhile.",
    ),
    T(
        "pts-mis",
        "PTS app shows 'sync failed'",
        "I entered the monthly data of my enterprises in the PTS app but it shows 'sync "
        "failed'. The data does not appear in the MIS.",
        "Check that mobile data is on and the app is updated. Open the app where the signal is "
        "good and sync the pending entries again. Do not uninstall the app before they are "
        "synced: unsent entries stay only on the phone.",
    ),
    T(
        "pts-mis",
        "Enterprise appears twice in the web MIS",
        "One enterprise appears twice in the web MIS with different IDs. Which one should I "
        "update?",
        "Keep the ID with the older entries and stop entering data in the other. We have asked "
        "the MIS team to merge the duplicate.",
    ),
    T(
        "benchmarking",
        "How is net profitability by business type calculated?",
        "The benchmarking report shows net profitability for each type of business. How is it "
        "calculated, and why is our tea stall below the district value?",
        "It is the profit after all expenses compared with sales, for each business type, "
        "from the enterprises the MECs surveyed in the district. Compare your stall's "
        "expenses line by line with similar stalls; purchase prices and wastage usually "
        "explain the gap.",
    ),
    T(
        "benchmarking",
        "Which enterprises go into the benchmarking data?",
        "We have to collect data from enterprises for benchmarking. Which enterprises should be "
        "included and who enters the data?",
        "MECs collect the data from existing enterprises of the district with the benchmarking "
        "tool, and it is entered in the software. Include different business types and "
        "locations so that comparisons by location are possible.",
    ),
    T(
        "replicable-models",
        "Starting a café on the Café Kudumbashree model",
        "A group wants to start a café on the Café Kudumbashree model near the block office in "
        "{block}. What support is there for training and setting up?",
        "Café units follow a standard menu and standard hygiene and accounting processes. "
        "Mentors give the technical training and the first handholding; the set-up is decided "
        "with the district team of the SRLM. We have passed your request to the mentor.",
    ),
    T(
        "replicable-models",
        "Raw material prices rose for the Nutrimix unit",
        "Our Nutrimix unit has an order but the price of the grains has gone up. Can we change "
        "the standard recipe?",
        "Do not change the standard recipe or process. Work out the production cost again with "
        "the new prices; the mentor will check the costing with you before you discuss the "
        "price with the buyer.",
    ),
    T(
        "replicable-models",
        "Weekly market without a subsidy",
        "Entrepreneurs want a weekly market in {block} without waiting for a subsidy. How can "
        "a market pay for itself?",
        "The markets promoted by SVEP MECs in Vadavucode and Parakkode were financed by the "
        "entrepreneurs, who met the costs from their profits. Start with a few stalls, agree a "
        "stall fee that covers the costs and ask the panchayat for the space.",
    ),
    T(
        "cbo-structure",
        "How are NHGs, ADS and CDS related?",
        "SRLM staff asked me to explain how Kudumbashree's Neighbourhood Groups, ADS and CDS are "
        "related. How do I explain it simply?",
        "Neighbourhood Groups are at the base. They are federated at the ward into an Area "
        "Development Society (ADS), and the ADSs into a Community Development Society (CDS) at "
        "the level of the local government.",
    ),
    T(
        "cbo-structure",
        "Who should attend the VOCC meeting?",
        "The VO has formed a VOCC. Who should attend its meetings and what should it discuss "
        "with the gram panchayat?",
        "The VOCC is where the VO and the gram panchayat take up the villagers' issues "
        "together. The mentor resource person will attend the next meeting and explain the "
        "members and the agenda.",
    ),
    T(
        "gram-sabha",
        "Raising the SHG's demand in the Gram Sabha",
        "The SHG women want to raise the demand for a drinking water point in the next Gram "
        "Sabha. How should they prepare?",
        "Discuss it in the VO meeting and write the demand down with the names of the families "
        "affected. Submit it to the panchayat before the Gram Sabha and make sure members "
        "attend and speak. The LRG members can help prepare.",
    ),
    T(
        "gram-sabha",
        "Women were not told the Gram Sabha date",
        "The women of our VO were not told the date of the last Gram Sabha. How can they know "
        "in time?",
        "Ask the panchayat secretary for the schedule and request that notices also go to the "
        "VO. The LRG can announce the date in the SHG meetings the week before.",
    ),
    T(
        "livelihoods",
        "Including the VO's livelihood plan in the panchayat plan",
        "The VO prepared a livelihood plan. How can it be included in the Gram Panchayat "
        "Development Plan?",
        "Give the plan to the panchayat in writing before the Gram Sabha and see that it is "
        "discussed there. The mentor resource person will help the VO decide its priorities.",
    ),
    T(
        "livelihoods",
        "MGNREGS work for SHG members on their own land",
        "SHG members want work under MGNREGS on their own land for a livelihood activity. How "
        "do they apply?",
        "The demand for work is given to the gram panchayat in writing; keep the receipt. Works "
        "on individual land are for eligible households and go through the Gram Sabha. The LRG "
        "members will help fill in the forms.",
    ),
    T(
        "social-development",
        "Identifying destitute families left out of schemes",
        "The VO wants to identify destitute families in the panchayat who are left out of "
        "every scheme. Is there a method?",
        "Kudumbashree's Asraya model identifies destitute families through the community, "
        "prepares a rehabilitation plan for each family and carries it out with the panchayat. "
        "The mentor resource person will take the VO through the steps.",
    ),
    T(
        "social-development",
        "Starting a Balasabha for children",
        "The VO wants to start a Balasabha for the children of the village. How do we begin?",
        "Talk to the mothers in the SHGs first, fix a day and a place every week, and give one "
        "LRG member the responsibility. The mentor resource person will share activities.",
    ),
    T(
        "schemes",
        "Pension application of an elderly member has no reply",
        "An elderly widow in our SHG applied for the social security pension and has heard "
        "nothing. How can the VO follow up?",
        "Check the receipt and the date of the application. Ask the panchayat for its status "
        "and write it in the entitlement tracking register. Take all such pending applications "
        "together to the GPCC meeting.",
    ),
    T(
        "schemes",
        "How to keep the entitlement tracking register",
        "How should the SHG keep the entitlement tracking register, and who updates it?",
        "One page per family: the entitlements it is eligible for, the date of application and "
        "what was received. The SHG updates it in its meeting and the VO reviews it.",
    ),
]
