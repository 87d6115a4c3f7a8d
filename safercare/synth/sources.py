"""The published figures the synthetic rates are based on, one record per source.

Each record is a real, checkable publication. ``figure`` says which number we took
from it (or that we used it only for a definition or a standard), so a reader can
see exactly how far each dataset leans on the source. ``bibtex`` is the key of the
same source in ``book/references.bib``.
"""

from __future__ import annotations

SOURCES: dict[str, dict[str, str]] = {
    "nhsi2017falls": {
        "title": "NHS Improvement (2017). The incidence and costs of inpatient falls in "
        "hospitals. London: NHS Improvement.",
        "figure": "about 250,000 inpatient falls reported in 2015/16 across acute, mental "
        "health and community hospitals, 77% of them to patients over 65",
    },
    "rcp2015naif": {
        "title": "Royal College of Physicians (2015). National Audit of Inpatient Falls: "
        "audit report 2015. London: RCP, commissioned by the Healthcare Quality "
        "Improvement Partnership.",
        "figure": "an average of about 6.6 falls per 1,000 occupied bed days in acute "
        "hospitals (the widely quoted 6.63)",
    },
    "healey2008falls": {
        "title": "Healey F, Scobie S, Oliver D, Pryce A, Thomson R, Glampson B (2008). "
        "Falls in English and Welsh hospitals: a national observational study based on "
        "retrospective analysis of 12 months of patient safety incident reports. "
        "Quality and Safety in Health Care 17(6):424-430.",
        "figure": "reported inpatient falls rates of 3 to 14 per 1,000 bed days; most "
        "falls cause no or low harm",
    },
    "hscic2014thermometer": {
        "title": "Health and Social Care Information Centre (2014). NHS Safety "
        "Thermometer: patient harms and harm free care, England, April 2012 to March "
        "2014. Leeds: HSCIC.",
        "figure": "harm-free care rose from 89.7% (April 2012) to 93.6% (March 2014); "
        "patients with a pressure ulcer fell from 7% to 4.6% and with a fall with harm "
        "from 1.3% to 0.8% (the split between old and new ulcers, and the catheter "
        "infection and VTE rates, are illustrative values of the same order)",
    },
    "nice2016ng51": {
        "title": "National Institute for Health and Care Excellence (2016, updated "
        "2024). Sepsis: recognition, diagnosis and early management. NICE guideline "
        "NG51. London: NICE.",
        "figure": "standard: antibiotics within one hour for people at high risk of "
        "severe illness or death from sepsis",
    },
    "nhse2015sepsis": {
        "title": "NHS England (2015). Improving outcomes for patients with sepsis: a "
        "cross-system action plan. London: NHS England.",
        "figure": "screening for sepsis and timely antibiotics as the national "
        "improvement measures (screening compliance and door-to-antibiotic time)",
    },
    "cousins2012nrls": {
        "title": "Cousins DH, Gerrett D, Warner B (2012). A review of medication "
        "incidents reported to the National Reporting and Learning System in England "
        "and Wales over 6 years (2005-2010). British Journal of Clinical Pharmacology "
        "74(4):597-604. doi:10.1111/j.1365-2125.2011.04166.x",
        "figure": "16% of medication incident reports describe actual harm and 0.9% of "
        "those death or severe harm; omitted and delayed medicines 16% and wrong dose "
        "15% of reports",
    },
    "nhsd2019shmi": {
        "title": "NHS Digital. Summary Hospital-level Mortality Indicator (SHMI): "
        "methodology and monthly publications, deaths associated with hospitalisation, "
        "England. Leeds: NHS Digital.",
        "figure": "observed deaths (in hospital or within 30 days of discharge) over "
        "expected deaths from a national risk model; the national ratio is 1 by "
        "construction",
    },
    "spiegelhalter2005": {
        "title": "Spiegelhalter DJ (2005). Funnel plots for comparing institutional "
        "performance. Statistics in Medicine 24(8):1185-1202.",
        "figure": "method: funnel plots with control limits around a target ratio, "
        "used to judge the planted mortality outlier",
    },
    "ukhsa2023hcai": {
        "title": "UK Health Security Agency (2023, updated 2024). Quarterly epidemiological "
        "commentary: mandatory Gram-negative bacteraemia, MRSA, MSSA and C. difficile "
        "infections (data up to January to March 2023). London: UKHSA.",
        "figure": "hospital-onset C. difficile infection counted per trust and reported as "
        "counts and rates; used for the measure, while the per-trust rate here "
        "(25 to 55 cases a year) is illustrative",
    },
    "nice2014sg1": {
        "title": "National Institute for Health and Care Excellence (2014). Safe "
        "staffing for nursing in adult inpatient wards in acute hospitals. NICE "
        "guideline SG1. London: NICE.",
        "figure": "nursing red flags (e.g. a shortfall of more than 8 hours or 25% of "
        "registered nurse time) and the link between staffing, acuity and harm",
    },
    "ball2014undone": {
        "title": "Ball JE, Murrells T, Rafferty AM, Morrow E, Griffiths P (2014). 'Care "
        "left undone' during nursing shifts: associations with workload and perceived "
        "quality of care. BMJ Quality & Safety 23(2):116-125.",
        "figure": "86% of registered nurses left some care undone on their last shift; "
        "missed care rises with the number of patients per registered nurse",
    },
    "griffiths2019staffing": {
        "title": "Griffiths P, Maruotti A, Recio Saucedo A, et al. (2019). Nurse "
        "staffing, nursing assistants and hospital mortality: retrospective "
        "longitudinal cohort study. BMJ Quality & Safety 28(8):609-617.",
        "figure": "patients exposed to registered nurse staffing below the ward's usual "
        "level had a higher risk of death; a reason to compare shifts with like acuity",
    },
    "avery2012pincer": {
        "title": "Avery AJ, Rodgers S, Cantrill JA, et al. (2012). A pharmacist-led "
        "information technology intervention for medication errors (PINCER): a "
        "multicentre, cluster randomised, controlled trial and cost-effectiveness "
        "analysis. The Lancet 379(9823):1310-1319. doi:10.1016/S0140-6736(11)61817-5",
        "figure": "definitions of the hazardous-prescribing indicators (NSAID with a "
        "history of peptic ulcer without gastroprotection; beta-blocker in asthma; "
        "ACE inhibitor or loop diuretic at 75+ without blood-test monitoring) and the "
        "size of a realistic reduction",
    },
    "bowers2015safewards": {
        "title": "Bowers L, James K, Quirk A, Simpson A, Stewart D, Hodsoll J (2015). "
        "Reducing conflict and containment rates on acute psychiatric wards: the "
        "Safewards cluster randomised controlled trial. International Journal of "
        "Nursing Studies 52(9):1412-1422.",
        "figure": "conflict events fell by 15% and containment events by 26.4% relative "
        "to control; the planted reduction is of this order",
    },
    "dfe2015lac": {
        "title": "Department for Education and Department of Health (2015). Promoting "
        "the health and well-being of looked-after children: statutory guidance for "
        "local authorities, clinical commissioning groups and NHS England. London.",
        "figure": "standard: an initial health assessment within 20 working days of a "
        "child entering care",
    },
    "reason1997": {
        "title": "Reason J (1997). Managing the Risks of Organizational Accidents. "
        "Aldershot: Ashgate.",
        "figure": "a reporting culture (people willing to report errors and near misses) "
        "as part of a safety culture; more reports where trust is higher",
    },
    "nasa_asrs": {
        "title": "NASA Aviation Safety Reporting System (ASRS), Ames Research Center. "
        "Program briefing and database: confidential, voluntary, non-punitive incident "
        "reporting since 1976.",
        "figure": "the model for voluntary confidential safety reports; rates here are "
        "illustrative, not taken from ASRS counts",
    },
    "shewhart1931": {
        "title": "Shewhart WA (1931). Economic Control of Quality of Manufactured "
        "Product. New York: D. Van Nostrand.",
        "figure": "method: subgroups of measurements from a production process, assignable "
        "causes shifting the process mean",
    },
    "nei9902": {
        "title": "Nuclear Energy Institute (2013). Regulatory Assessment Performance "
        "Indicator Guideline, NEI 99-02 Revision 7. Washington DC: NEI (used by the US "
        "Nuclear Regulatory Commission's Reactor Oversight Process).",
        "figure": "unplanned scrams per 7,000 critical hours over four quarters; green "
        "band at 3.0 or fewer",
    },
    "haynes2009checklist": {
        "title": "Haynes AB, Weiser TG, Berry WR, et al. (2009). A surgical safety "
        "checklist to reduce morbidity and mortality in a global population. New "
        "England Journal of Medicine 360(5):491-499. doi:10.1056/NEJMsa0810119",
        "figure": "major complications fell from 11.0% to 7.0% and inpatient deaths from "
        "1.5% to 0.8% after the checklist; adherence to six safety measures rose from "
        "34% to 57%",
    },
    "nhsi2017safer": {
        "title": "NHS Improvement (2017). Rapid improvement guide: the SAFER patient flow "
        "bundle. London: NHS Improvement (Emergency Care Improvement Programme).",
        "figure": "early discharge: 33% of patients will be discharged from base "
        "inpatient wards before midday",
    },
    "bailey2024dbn": {
        "title": "Bailey R, Segon A, Garcia S, Kottewar S, Lu T, Tuazon N, Sanchez L, "
        "Gelfond JA, Bowling G (2024). Increasing and sustaining discharges by noon - a "
        "multi-year process improvement project. BMC Health Services Research 24:478. "
        "doi:10.1186/s12913-024-10960-x",
        "figure": "discharges by noon rose from 9.5% at baseline to 26.8% over 41 months "
        "of successive PDSA cycles, with no rise in balancing measures",
    },
    "nhse2024martha": {
        "title": "NHS England (2024). Martha's Rule. London: NHS England.",
        "figure": "patients, families and carers can ask for an urgent review by a critical "
        "care outreach team, 24 hours a day; first phase in at least 100 acute sites from "
        "April 2024; used for the scheme, not for any rate",
    },
    "illustrative": {
        "title": "No national figure used: illustrative rate chosen by the course authors.",
        "figure": "illustrative only; do not quote as a national benchmark",
    },
}


def cite(key: str, used_for: str) -> dict[str, str]:
    """One ``base_rate_sources`` entry: the citation, the figure taken and what for."""
    src = SOURCES[key]
    return {"key": key, "title": src["title"], "figure": src["figure"], "used_for": used_for}
