"""Screen free text for personal details before it is stored.

A topic suggestion is anonymous by design: the form asks for no name or contact details, and
the words a person types are checked here *before* anything is saved. Text that looks as if it
holds a personal detail is refused, with a kind, plain message (reading age about 11) that says
what kind of detail was found and what to do, without repeating the detail itself.

**First the text is normalised** (:func:`normalise_text`), so that what looks the same to a
person is the same to the screen: Unicode compatibility forms (NFKC: full-width ``０７７００``
becomes ``07700``, non-breaking and narrow spaces become spaces), invisible characters (zero-width
spaces and joiners, soft hyphens, byte-order marks) are removed, every dash (en dash, em dash,
minus sign …) becomes ``-``, curly quotes become straight ones, and runs of spaces become one.

**Then these kinds of detail are looked for** (reason codes in brackets):

* an **NHS number** (``nhs_number``): ten digits, however they are grouped or separated
  (spaces, dots, slashes, dashes), that pass the NHS Modulus 11 check (NHS Data Dictionary,
  "NHS Number": weights 10 … 2 on the first nine digits; the check digit is 11 minus the
  remainder of the sum divided by 11, 11 becomes 0 and 10 means not valid). Nine to eleven
  digits next to the words "NHS" or "NHS number" are refused too, as a mistyped NHS number is
  still someone's;
* a **CHI number** (``chi_number``, Scotland's Community Health Index): ten digits next to the
  word "CHI". A CHI number also passes the Modulus 11 check, so one typed without the word is
  still refused (as an NHS number);
* any other **long number** (``long_number``): nine to twelve digits in at most four groups,
  which a suggestion never needs and a record number often is;
* a **hospital number or MRN** (``hospital_number``): a number of five or more digits, or
  letters then digits, after "MRN", "hospital number", "hosp no", "unit number", "patient ID",
  "case note number", "PAS number" or "record number"; or one to three letters run straight into
  six to nine digits ("K1234567");
* a **National Insurance number** (``ni_number``): two letters, six digits and A–D, spaced or
  not ("AB 12 34 56 C"), with HMRC's rules for the prefix letters, or any two letters after the
  words "NI number" or "national insurance";
* an **email address** (``email``), also written as "jo at nhs dot net", "jo[at]nhs.net" or
  "jo (at) nhs (dot) net". The bare word "at" counts only when the part before it looks like a
  user name (not a common word) and the part after it like a mail domain, so that "leaflets at
  nhs.uk" is not an email;
* a **UK phone number** (``phone``): 0 and 9 or 10 more digits, or +44 / 0044 (with an optional
  "(0)") and 9 or 10 digits, in any grouping, with brackets round the area code. Only numbers
  that ring a person (landlines 01 and 02, mobiles 07) are refused: 03, 05, 08 and 09 numbers
  belong to organisations, such as a helpline a suggestion may mention;
* a **UK postcode** (``postcode``, the Royal Mail format, e.g. "LS1 4AP", "SW1A 1AA", any case,
  with no space, two spaces or a dash). "ward C5 2nd floor" is not a postcode: a lower-case
  ordinal ("2nd") or a word such as "ward", "bay" or "room" just before it rules it out;
* a **date of birth** (``date_of_birth``): a date, a month and year, or a year, *only* near a
  birth word ("born", "date of birth", "DOB", "birthday", "b."). "Always check name and date of
  birth" (no date) and "the 5 May 2024 training day" (no birth word) are accepted;
* a **home address** (``address``): a house number and a street ("12 Acacia Avenue",
  "7a Mill Close", "flat 3");
* a **person's name** (``name``): a title and a name or initial ("Mrs Patel", "Dr. A Shah",
  "Nurse Williams"); a capitalised word after a relationship or "name is" ("my mum Jean", "her
  name is Rose"); a known first name after a weaker cue ("I'm Claire", "called David", "from
  Sharon": so "from Leeds" is not a name); a known first name and a surname ("Jean Smith"); or a
  first name with an age ("Edna, 88"). The known first names are a list of common UK names in
  this module; those that are also everyday words ("Grace", "Will", "Amber") need a stronger
  cue, a place word after a name ("Florence ward", "John Radcliffe Hospital") makes it a place,
  a few public figures of patient safety ("Florence Nightingale") are not personal, and in
  Title Case or capitals a capital letter is not taken as a sign of a name. "Ask the doctor"
  and "Martha's Rule" are not names.

The rules were written against the ``dev`` part of ``tests/privacy/cases.csv``, then scored on
parts written apart from them; ``benchmarks/privacy_screen.py`` prints the figures and says
which parts were unseen when first scored.

Text is also refused when it is empty or longer than :data:`MAX_LENGTH` characters; the length
is checked first, so the work done on any input is bounded. Screening never changes the text:
what is stored is exactly what the person typed, and everything shown later is escaped with
:func:`html.escape`, so HTML or script typed by one person is shown as text and never runs in
anyone's page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "Screening",
    "is_valid_nhs_number",
    "normalise_text",
    "personal_details",
    "screen_text",
]

#: The longest suggestion accepted, in characters.
MAX_LENGTH = 500
#: The shortest suggestion accepted, in characters other than spaces.
MIN_LENGTH = 3

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00b4": "'", "`": "'"}
_SLASHES = "\u2044\u2215\u29f8\uff0f"
_TRANSLATE = ({ord(c): "-" for c in _DASHES} | {ord(c): "/" for c in _SLASHES}
              | {ord(k): v for k, v in _QUOTES.items()})
# Format characters (Unicode category Cf) are invisible: zero-width space and joiners, word
# joiner, soft hyphen, byte-order mark, direction marks. They are removed, not spaced.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]"
)
_SPACES = re.compile(r"\s+")
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def _ascii_digit(match: re.Match[str]) -> str:
    char = match.group()
    value = unicodedata.decimal(char, None)
    return str(value) if value is not None else char


def normalise_text(text: str) -> str:
    """Return ``text`` as the screen reads it: one plain form for what looks the same.

    NFKC compatibility forms (full-width letters and digits, odd spaces), invisible format
    characters removed, every dash as ``-``, straight quotes, other scripts' decimal digits as
    0–9, and each run of white space as one space. The stored text is never changed.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_TRANSLATE)
    if not text.isascii():
        text = _NON_ASCII_DIGIT.sub(_ascii_digit, text)
    return _SPACES.sub(" ", text).strip()


# --------------------------------------------------------------------------------------------
# Word lists (lower case)
# --------------------------------------------------------------------------------------------

# Common words that follow a title or a relationship word but are not names.
_FUNCTION_WORDS = frozenset("""
a about after again ago all also always am an and any are as asked at be been before being
both but by came can cannot could did didnt do does doesnt done dont down each even ever every
for from gave get gets given go goes going gone got had has have having he her here hers him his
how i if im in into is isnt it its just kept knew know left let like made make may me might more
most much must my myself never next no nor not now of off often on once one only or other our out
over own please put rang really right said same saw say says see seen she should so some still
such than that thats the their them then there these they this those though through to told too
took under until up us very was wasnt we were werent what when where which while who whom whose
why will with without would yes yet you your also again already almost sadly recently currently
who's she's he's it's i'm i've we've they've today yesterday last first second third new old
""".split())
_NOT_NAMES = _FUNCTION_WORDS | frozenset("""
ward wards bay bed unit team clinic department surgery practice hospital centre center home
office rounds round led practitioner practitioners associate associates specialist specialists
consultant consultants manager managers prescriber prescribers station staff nurse nurses doctor
doctors sister sisters matron matrons registrar registrars foundation junior senior student
students in-charge charge on-call call shift shifts care carer carers support worker workers
health visitor visitors midwife midwives physio therapist pharmacist gp gps who's dr mr mrs ms
miss mx prof professor and/or or/and etc eg ie ok okay well fine good bad poor great kind rude
hello hi thanks thank dear sorry worried upset scared angry happy sad tired ill unwell poorly
sick fine back still now then also both always never sometimes usually often
""".split())

# Common UK first names (older and younger generations, and the most frequent names of the
# UK's larger communities). Month names are left out: "May 2024" is a date, not a person.
_FIRST_NAMES = frozenset("""
aaliyah aaron abdul abdullah abigail abu adam adrian ahmed aidan aileen aisha alan albert alex
alexander alexandra alf alfie alfred ali alice alicia alison amanda amar amber amelia amir amit
amy andrea andrew andy angela angus anil anita ann anna anne annette annie anthony antonio anwar
april archie arjun arthur asha ashley asif audrey ava barbara barry beatrice ben benjamin bernard
beryl beth bethany betty beverley bill billy bob bobby brenda brendan brian bridget callum calum
cameron carl carlos carol caroline carolyn catherine cath cathy charles charlie charlotte chelsea
cheryl chloe chris christine christopher claire clare colin connor craig cyril dale damian
daniel danielle darren daryl dave david dawn dean debbie deborah declan deepak denise dennis
derek diana diane dominic donald donna doreen doris dorothy douglas duncan dylan edith edna
edward eileen elaine eleanor elizabeth ella ellie elsie emily emma eric erin ethel ethan eva
evelyn faisal fatima fiona florence frances francesca frank freddie frederick freya gail gareth
gary gavin gemma geoffrey george georgia gerald gillian gladys glen glenda glenn gordon grace
graham grant gregory gwen gwyneth hamza hannah harold harriet harry harvey hassan hayley hazel
heather helen henry hilda hollie holly howard hugh hussain ian imran irene isaac isabel isabella
isla ismail ivan ivy jack jackie jacob jacqueline jade jake james jamie jan jane janet janice
jasmine jason jasper jay jayden jean jeff jeffrey jennifer jenny jeremy jessica jill jim jimmy
joan joanna joanne jodie joe joel john johnny jonathan jordan joseph josephine josh joshua joy
joyce judith judy julia julian julie june justin kamal karen karl kate katherine kathleen kathryn
katie kay keith kelly kenneth kerry kevin khalid kieran kim kirsty kyle laura lauren leah lee
leo leon leonard lesley leslie lewis liam lily linda lindsay lisa logan lorna lorraine louis
louise lucy luke lynn lynne madison maisie malcolm mandy margaret maria marian marie marion mark
marjorie martin mary mason matthew maureen max maxine megan melanie melissa mia michael michelle
mike mildred millie mohamed mohammad mohammed molly muhammad nadia naomi natalie nathan neil
nicholas nicola nicole nigel nina noah norma norman oliver olivia omar oscar owen paige pam
pamela patricia patrick paul paula pauline peggy penny peter philip phillip phoebe phyllis pooja
poppy priya rachel rahul raj rajesh ralph ravi ray raymond rebecca reece reg reginald rhys richard
rita rob robert robin rohan ronald ronnie rosa rose rosemary ross roy ruby rupert russell ruth
ryan sadie sally sam samantha samuel sandra sanjay sara sarah scarlett scott sean shaun sharon
sheila shirley sidney simon sinead sofia sonia sophia sophie stacey stanley stella stephanie
stephen steve steven stuart sue susan suzanne sylvia tanya tara teresa terence terry thomas tim
timothy tina toby tom tommy tony tracey tracy trevor valerie vanessa vera victor victoria vincent
violet vivian wayne wendy william willow yasmin yusuf zach zainab zara zoe
""".split())

# First names that are also everyday words ("Grace, dignity and respect", "Amber alerts",
# "Will staff be trained?"): on their own, or before a capitalised word, they are not names.
_EVERYDAY_NAMES = frozenset("""
amber april angel bill carol chase dawn dean faith frank glen grace hazel heather holly hope
ivy jack jan jasmine jordan joy june kay lily mark max miles pat penny poppy ray rich rob robin
rose ruby sandy sky summer sunny sue victoria violet will willow chelsea georgia florence
""".split())

# Famous people a suggestion may name (patient safety reports and pioneers): not personal.
_PUBLIC_FIGURES = frozenset({"florence nightingale", "mary seacole", "don berwick",
                             "donna ockenden", "robert francis", "james reason",
                             "bill kirkup", "martha mills", "jess brown-hovelt",
                             "kate granger", "cicely saunders", "atul gawande"})

_PUBLIC_RE = re.compile(
    r"\b(?:(?:dame|sir|dr|professor|prof)\.?\s)?(?:"
    + "|".join(re.escape(n) for n in sorted(_PUBLIC_FIGURES)) + r")\b", re.IGNORECASE)

# A capitalised word after a name that makes it a place, a rule or an organisation.
_PLACE_WORDS = frozenset("""
ward wards wing unit units hospital hospitals infirmary centre center clinic house hospice
building block suite rule rules law act trust school college university court road street
lane avenue line award report review inquiry foundation institute fund scale score tool
""".split())

_TITLES = ("mr|mrs|ms|miss|mx|dr|prof|professor|doctor|sister|nurse|matron|sr|rev|revd|reverend"
           "|sir|dame|lady|lord|captain|mister|missus")
# Titles that are not also ordinary words, so "mr khan" in lower case is still a name.
_ABBREVIATED_TITLES = frozenset({"mr", "mrs", "ms", "mx", "dr", "prof", "revd", "mister",
                                 "missus"})
# A relationship word or "name is": the capitalised word after it is a name ("my mum Jean").
_FAMILY = (
    r"\b(?:my|our|his|her|their|your)\s(?:(?:little|baby|eldest|youngest|older|younger|late"
    r"|dear|elderly)\s)?(?:(?:mother|father|son|daughter|sister|brother)-in-law|mum|mam|mom"
    r"|mummy|mother|dad|daddy|father|son|daughter|husband|wife|partner|brother|sister|nan|nana"
    r"|nanna|gran|granny|grandma|grandmother|grandad|granddad|grandpa|grandfather|grandson"
    r"|granddaughter|aunt|auntie|aunty|uncle|niece|nephew|cousin|friend|neighbour|neighbor"
    r"|boyfriend|girlfriend|fiance|fiancee|child|boy|girl|baby|carer|stepmum|stepdad|stepson"
    r"|stepdaughter)"
    r"|\b(?:name\sis|name's|names|names\sis)"
)
# A weaker cue ("called", "I'm", "from", "thanks"): the word after it counts as a name only
# when it is a known first name, so "from Leeds" and "a drug called Humira" are not names.
_INTRODUCTION = (
    r"\b(?:called|named|i'm|i\sam|im|this\sis|signed|thanks"
    r"|regards|cheers|love|from|grandad|granddad|grandpa|grandma|granny|nan|nana|auntie|aunty"
    r"|uncle|baby)"
)

# --------------------------------------------------------------------------------------------
# Patterns (compiled once; each bounded, with no nested repetition that can backtrack badly)
# --------------------------------------------------------------------------------------------

# A run of digits with the separators people type between them.
_DIGIT_RUN = re.compile(
    r"(?<![\d,£$€])(?<!\d\.)(?:(?:\+|\b00)\s?44\s?(?:\(0\)\s?)?|\(\s?)?\d"
    r"(?:(?:\s?[.\-/_]\s?|\s{1,2}|\s?\)\s?|\s?\(\s?)?\d)*"
)
_NHS_CONTEXT = re.compile(r"\bnhs\b", re.IGNORECASE)
_CHI_CONTEXT = re.compile(r"\bchi\b", re.IGNORECASE)
_PHONE_ALLOWED = re.compile(r"^[\d\s().\-/+]+$")

_HOSPITAL = re.compile(
    r"\b(?:mrn|m\.r\.n\.?|hospital\s*(?:no|num|number|#|id)|hosp\.?\s*(?:no|num|number|#)"
    r"|unit\s*(?:no|num|number)|patient\s*(?:id|no|num|number)|case\s*note\s*(?:no|number)"
    r"|pas\s*(?:no|number|id)|record\s*(?:no|number)|k\s*number|rm\s*number|trust\s*number)\b"
    r"\.?\s?(?:#|:|is|=|-)?\s?(?:is\s)?[a-z]{0,3}\s?\d(?:[\s\-]?\d){4,11}",
    re.IGNORECASE,
)
_LETTERS_DIGITS = re.compile(r"\b[A-Za-z]{1,3}\d{6,9}\b")

_NI_PREFIX_OK = r"(?!bg|gb|kn|nk|nt|tn|zz)[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z]"
_NI_BODY = r"[\s\-]?\d{2}[\s\-]?\d{2}[\s\-]?\d{2}[\s\-]?[a-d]\b"
_NI = re.compile(rf"\b{_NI_PREFIX_OK}{_NI_BODY}", re.IGNORECASE)
_NI_WITH_CONTEXT = re.compile(
    rf"\b(?:national\s+insurance|n\.?i\.?|nino)\b[^\d]{{0,20}}?\b[a-z]{{2}}{_NI_BODY}",
    re.IGNORECASE,
)

_TLD = (r"(?:com|net|org|info|biz|gov|edu|nhs|scot|wales|cymru|london|online|email|name|me|io"
        r"|co|ac|uk|ie|[a-z]{2})")
_AT = r"(?:\s?@\s?|\s?[\[({<]\s?at\s?[\])}>]\s?)"
_DOT = r"(?:\s?\.\s?|\s?[\[({<]\s?dot\s?[\])}>]\s?|\s(?:dot|\.)\s)"
_EMAIL = re.compile(
    rf"(?<![a-z0-9._%+\-'])[a-z0-9][a-z0-9._%+\-']*{_AT}[a-z0-9\-]+(?:{_DOT}[a-z0-9\-]+)*{_DOT}{_TLD}\b",
    re.IGNORECASE,
)
# "jo at nhs dot net", "daveh at gmail.com": the bare word "at".
_EMAIL_WORDS = re.compile(
    rf"(?<![a-z0-9._%+\-'])([a-z0-9][a-z0-9._%+\-']*)\s+at\s+([a-z0-9\-]+(?:{_DOT}[a-z0-9\-]+)*{_DOT}{_TLD})\b",
    re.IGNORECASE,
)
_EMAIL_HINT = re.compile(r"@|[\[({<]\s?at\s?[\])}>]", re.IGNORECASE)
_STRICT_TLDS = frozenset("com net org uk co gov ac nhs info biz io me scot wales ie edu".split())
_MAIL_DOMAINS = re.compile(
    r"^(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|ymail|aol|icloud|me|mac|btinternet"
    r"|btopenworld|sky|talktalk|virginmedia|ntlworld|blueyonder|tiscali|protonmail|proton|gmx"
    r"|mail)\b|\bnhs\s?\.\s?net\b",
    re.IGNORECASE,
)

_POSTCODE = re.compile(
    r"(?<![\w\-])(?:gir\s?0aa|(?P<out>[a-pr-uwyz][a-hk-y]?\d[a-z\d]?|[a-pr-uwyz]\d[a-hjkps-uw])"
    r"(?:\s{0,2}|-)(?P<in>\d[abd-hjlnp-uw-z]{2}))(?![\w\-])",
    re.IGNORECASE,
)
_NOT_POSTCODE_BEFORE = re.compile(
    r"\b(?:ward|wards|bay|bed|beds|room|rooms|floor|level|block|theatre|unit|clinic|wing|area"
    r"|zone|pod|suite|gate|stand|section|grade|band|vitamin|vit)\s$",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d|'?\d\d)"
_FULL_DATE = (
    rf"(?:{_DAY}\s?[/.\-]\s?[01]?\d\s?[/.\-]\s?(?:\d{{4}}|\d{{2}})"
    rf"|\d{{4}}-[01]?\d-[0-3]?\d"
    rf"|(?:the\s)?{_DAY}(?:\sof)?\s{_MONTHS}\.?,?\s{_YEAR}"
    rf"|{_MONTHS}\.?\s{_DAY},?\s(?:1[89]\d\d|20\d\d)"
    rf"|{_MONTHS}\.?,?\s(?:of\s)?(?:1[89]\d\d|20\d\d))"
)
_DATE = (rf"(?:{_FULL_DATE}|(?:in\s)?(?:the\s(?:spring|summer|autumn|winter|year)\sof\s)?"
         rf"(?:1[89]\d\d|20\d\d))")
_BIRTH_WORD = (r"(?:born|birth|birthday|bday|b'day|d\.?o\.?b\.?|date\sof\sbirth|birth\sdate"
               r"|\bb\.)")
# A birth word then a date ("born in May 1950", "DOB: 1956-03-12"), or a full date then a
# birth word in the same sentence ("March 3, 1956 is when she was born").
_DOB = re.compile(
    rf"(?:{_BIRTH_WORD})(?:\s?(?:is|was|on|in|:|-|=|\(|,|date|of|me))*\s?(?:the\s)?"
    rf"(?<![\d])(?:{_DATE})(?![\d])"
    rf"|(?<![\d])(?:{_FULL_DATE})(?![\d])[^\d.!?;]{{0,25}}?"
    rf"\b(?:born|birthday|date\sof\sbirth|dob|d\.o\.b)\b",
    re.IGNORECASE,
)

_STREET_STRONG = (r"(?:road|rd|street|st|avenue|ave|lane|ln|crescent|cres|grove|gardens|gdns"
                  r"|terrace|terr|square|sq|mews|boulevard|close|drive|way|court|ct|place|pl"
                  r"|walk|row|hill|rise|view|green|parade|park|vale|meadow|meadows|fields"
                  r"|end|gate|brow|wynd|bank|croft|cottages|villas|mansions|buildings|yard)")
_ADDRESS = re.compile(
    rf"(?<![\w.,:/])\d{{1,4}}[a-z]?,?\s(the\s)?((?:[a-z][a-z']+\s){{0,3}}){_STREET_STRONG}\b",
    re.IGNORECASE,
)
_FLAT = re.compile(r"\b(?:flat|apartment|apt)\.?\s?\d{1,4}[a-z]?\b", re.IGNORECASE)

_NAME_TOKEN = r"([A-Za-z][A-Za-z'\-]*)"
_TITLE_NAME = re.compile(rf"\b({_TITLES})\b\.?\s{_NAME_TOKEN}", re.IGNORECASE)
_FAMILY_NAME = re.compile(
    rf"(?:{_FAMILY})\s?[,:\-]?\s?(?:is\s|was\s)?(?:called\s|named\s)?{_NAME_TOKEN}",
    re.IGNORECASE,
)
_INTRODUCED_NAME = re.compile(rf"(?:{_INTRODUCTION})\s?[,:\-]?\s?(?:is\s)?{_NAME_TOKEN}",
                              re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")
_FULL_NAME = re.compile(r"\b([A-Z][a-z]+)\s([A-Z][a-z'\-]*[a-z])\b")
_PLACE_AFTER = re.compile(r"\s?(?:'s\s)?(?:" + "|".join(sorted(_PLACE_WORDS)) + r")\b",
                          re.IGNORECASE)
_NAME_AGE = re.compile(
    r"\b([A-Z][a-z]+)\s?(?:,|\()\s?(?:aged?\s)?\d{1,3}\s?(?:,|\)|years?|yrs?|months?)"
    r"|\b([A-Z][a-z]+)\s(?:aged?|is|was|who\sis)\s\d{1,3}(?:\s(?:years?|yrs?|months?|weeks?))?"
    r"|\b\d{1,3}[\s\-]?(?:years?|yrs?|months?)[\s\-]?old\s([A-Z][a-z]+)\b"
)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def is_valid_nhs_number(digits: str) -> bool:
    """True when ``digits`` (ten digits; any separators ignored) pass the Modulus 11 check."""
    d = re.sub(r"\D", "", normalise_text(str(digits)))
    if len(d) != 10:
        return False
    total = sum(int(d[i]) * (10 - i) for i in range(9))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(d[9])


def _uk_national_number(raw: str, digits: str) -> str | None:
    """The national number (no leading 0) when ``raw`` is written as a UK phone number."""
    if not _PHONE_ALLOWED.match(raw):
        return None
    if raw.startswith("+") or digits.startswith("0044"):
        rest = digits[4:] if digits.startswith("0044") else digits[2:]
        if "(0)" in raw.replace(" ", "") and rest.startswith("0"):
            rest = rest[1:]
    elif raw.lstrip("( ").startswith("0") and len(digits) in (10, 11):
        rest = digits[1:]
    else:
        return None
    return rest if len(rest) in (9, 10) and rest[0] != "0" else None


def _number_kinds(text: str) -> set[str]:
    """Phone, NHS, CHI and other long numbers, from one pass over the runs of digits."""
    found: set[str] = set()
    for m in _DIGIT_RUN.finditer(text):
        raw = m.group()
        digits = re.sub(r"\D", "", raw)
        n = len(digits)
        if n < 9:
            continue
        before = text[max(0, m.start() - 30):m.start()]
        after = text[m.end():m.end() + 30]
        groups = [len(g) for g in re.findall(r"\d+", raw)]
        valid = n == 10 and is_valid_nhs_number(digits)
        if _CHI_CONTEXT.search(before) and 9 <= n <= 11:
            found.add("chi_number")
        elif valid and (groups == [3, 3, 4] or _NHS_CONTEXT.search(before + after)):
            found.add("nhs_number")  # written as an NHS number, even if it could be dialled
        elif (national := _uk_national_number(raw, digits)) and national[0] in "127":
            found.add("phone")
        elif valid:
            found.add("nhs_number")
        elif national:
            # 01, 02 and 07 numbers ring people; 03, 05, 08 and 09 numbers belong to
            # organisations (helplines, switchboards), which a suggestion may give.
            continue
        elif 9 <= n <= 11 and (_NHS_CONTEXT.search(before) or _NHS_CONTEXT.search(after)):
            found.add("nhs_number")
        elif n <= 12 and len(groups) <= 4:
            found.add("long_number")
    return found


def _has_email(text: str) -> bool:
    """An address with "@" (or "[at]", "(at)"), or one spelt out with the bare word "at"."""
    if _EMAIL_HINT.search(text) and _EMAIL.search(text):
        return True
    if " at " not in text.lower():
        return False
    for m in _EMAIL_WORDS.finditer(text):
        local, domain = m.group(1), m.group(2)
        labels = [w for w in re.split(r"\W+", domain.lower()) if w and w != "dot"]
        if (local.lower() in _NOT_NAMES or local.lower().startswith("www")
                or any(w in _NOT_NAMES for w in labels) or labels[-1] not in _STRICT_TLDS):
            continue
        if (re.search(r"\sdot\s", domain, re.IGNORECASE) or _MAIL_DOMAINS.search(domain)
                or re.search(r"[\d._]", local)):
            return True
    return False


def _has_postcode(text: str) -> bool:
    """A UK postcode that is not a ward and floor ("C5 2nd") or a vitamin ("B12 1...")."""
    for m in _POSTCODE.finditer(text):
        inward = m.group("in") or ""
        if _ORDINAL.fullmatch(inward) and not inward.isupper():
            continue  # "2nd", "3rd": an ordinal, as in "ward C5 2nd floor"
        if _NOT_POSTCODE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            continue
        return True
    return False


def _has_address(text: str) -> bool:
    """A flat number, or a house number and a street name ending in a street word."""
    if _FLAT.search(text):
        return True
    for m in _ADDRESS.finditer(text):
        words = m.group(2).split()
        if not (words or m.group(1)) or any(w.lower() in _FUNCTION_WORDS for w in words):
            continue
        street = m.group()
        # Lower-case street names only with a suffix that is not also an everyday word.
        if all(w[0].islower() for w in words or ["the"]) and not re.search(
                r"(?:road|street|avenue|lane|crescent|grove|gardens|terrace|mews)$", street,
                re.IGNORECASE):
            continue
        return True
    return False


def _mostly_capitals(text: str) -> bool:
    """True for Title Case or ALL CAPS text, where a capital letter says nothing about names."""
    words = _WORD.findall(text)
    return text.isupper() or (len(words) >= 4
                              and sum(w[0].isupper() for w in words) >= 0.8 * len(words))


def _ordinary_word(word: str) -> bool:
    low = word.lower()
    return len(low) < 2 or low in _NOT_NAMES or low in _PLACE_WORDS


def _known_name(word: str) -> bool:
    low = word.lower()
    return low in _FIRST_NAMES and low not in _EVERYDAY_NAMES


def _title_then_name(title: str, word: str, capitals_mean_little: bool) -> bool:
    """Whether ``word`` after ``title`` is a name: "Mrs Patel", "Dr A Shah", "Nurse Williams"."""
    if title.lower() in _ABBREVIATED_TITLES:
        # "Mr", "Dr" are not everyday words: any word that is not one is a name; so is an
        # initial ("Dr A Shah").
        return (len(word) == 1 and word.isupper()) or not _ordinary_word(word)
    if _ordinary_word(word):
        return False
    if _known_name(word):
        return True
    # "Sister", "Nurse", "Miss" are everyday words too: the name needs a capital of its own.
    return word[0].isupper() and not capitals_mean_little


def _has_name(text: str) -> bool:
    text = _PUBLIC_RE.sub("someone", text)
    capitals_mean_little = _mostly_capitals(text)
    for m in _TITLE_NAME.finditer(text):
        if _title_then_name(m.group(1), m.group(2), capitals_mean_little):
            return True
    for m in _FAMILY_NAME.finditer(text):
        word = m.group(1)
        if not _ordinary_word(word) and (
                (word[0].isupper() and not capitals_mean_little) or _known_name(word)):
            return True
    for m in _INTRODUCED_NAME.finditer(text):
        if _known_name(m.group(1)):
            return True
    for m in _FULL_NAME.finditer(text):
        first, last = m.group(1), m.group(2)
        if _known_name(first) and not _ordinary_word(last):
            after = text[m.end():m.end() + 12]
            if not _PLACE_AFTER.match(after):
                return True
    for m in _NAME_AGE.finditer(text):
        if _known_name(m.group(1) or m.group(2) or m.group(3)):
            return True
    return False


_WHY = {
    "nhs_number": ("an NHS number", "the NHS number"),
    "chi_number": ("a CHI number", "the CHI number"),
    "hospital_number": ("a hospital number", "the hospital number"),
    "long_number": ("a long number that could belong to someone", "the long number"),
    "ni_number": ("a National Insurance number", "the National Insurance number"),
    "email": ("an email address", "the email address"),
    "phone": ("a phone number", "the phone number"),
    "postcode": ("a postcode", "the postcode"),
    "address": ("a home address", "the address"),
    "date_of_birth": ("a date of birth", "the date of birth"),
    "name": ("a person's name", "the name"),
}
_ORDER = tuple(_WHY)


@dataclass(frozen=True)
class Screening:
    """The outcome of screening one piece of text.

    Attributes:
        ok: true when the text may be stored.
        reasons: short codes for what was found (the codes of the module docstring, or
            ``"too_long"``, ``"too_short"``), in a fixed order.
        message: a kind, plain-English message for the person (empty when ``ok``).
    """

    ok: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _message(found: tuple[str, ...]) -> str:
    what = _join([_WHY[f][0] for f in found])
    take_out = _join([_WHY[f][1] for f in found])
    instead = (" You can write \"my mum\" or \"a nurse\" instead of a name."
               if "name" in found else "")
    return (
        f"Thank you for your idea. It looks like it has {what} in it. "
        "To keep everyone safe, we do not keep personal details. "
        f"Please take out {take_out} and send your idea again.{instead}"
    )


def personal_details(text: str) -> tuple[str, ...]:
    """The reason codes for the personal details found in ``text`` (normalised first)."""
    text = normalise_text(text)
    found = _number_kinds(text)
    if _HOSPITAL.search(text) or _LETTERS_DIGITS.search(text):
        found.add("hospital_number")
        found.discard("long_number")
    if _NI.search(text) or _NI_WITH_CONTEXT.search(text):
        found.add("ni_number")
    if _has_email(text):
        found.add("email")
    if _has_postcode(text):
        found.add("postcode")
    if _DOB.search(text):
        found.add("date_of_birth")
    if _has_address(text):
        found.add("address")
    if _has_name(text):
        found.add("name")
    return tuple(k for k in _ORDER if k in found)


def screen_text(
    text: str, *, max_length: int = MAX_LENGTH, min_length: int = MIN_LENGTH
) -> Screening:
    """Check a suggestion before it is stored; see the module docstring for what is refused.

    Returns a :class:`Screening`; when ``ok`` is false its ``message`` is ready to show the
    person (plain text, to be escaped like any other text when shown). It names the kind of
    detail found and never repeats the detail itself.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > max_length:
        return Screening(
            False,
            ("too_long",),
            f"Thank you. Your idea is {len(text)} characters long, and the most we can take is "
            f"{max_length}. Please make it a little shorter and send it again.",
        )
    if len(normalise_text(text).replace(" ", "")) < min_length:
        return Screening(
            False,
            ("too_short",),
            "Please write your idea in the box first. A few words are enough.",
        )
    found = personal_details(text)
    if found:
        return Screening(False, found, _message(found))
    return Screening(True)
