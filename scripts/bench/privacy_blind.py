# ruff: noqa: E501 - sentence templates and value formats read best on one line
"""The BLIND split of the privacy corpus: set ``b19``.

A blind set is written (and committed) before the detector changes it is used to
judge, without reading the detector's code, tests, history or figures; it is run once
per report on a seed never run before and then retired into the dev split
(``privacy_retired_b1.py`` to ``privacy_retired_b18.py``). ``b19`` is the current one,
written without reading the detector.

What ``b19`` is: text a privacy gate on an edge appliance sees in factories, clinics
and shops of regions and peoples no earlier set covered, plus the big markets of
Europe, the Americas and India. Values: names, phones, addresses, badge and record
numbers and the health phrases are drawn here; dates of birth, national identifiers,
IBANs, cards, network and place values, credentials and the negatives are inherited
from ``b18`` and earlier sets (every value really of its class). Separate from the dev
split:

* templates: a sentence family of its own (word 5-gram overlap 0 with the dev templates
  and ``b1`` to ``b18`` when written) -- prose notes, chat and SMS, e-mails, CSV and SQL
  rows, JSON, XML, YAML and key=value lines, HL7 segments and FHIR fragments, forms,
  and a share of lines in local languages;
* names: hand-built pools (``_PEOPLES``) of peoples none of the dev pools covers, minus
  every dev name (``b18``'s dev names plus its own hand-built pools), written as real
  systems write them;
* values: phones valid per ``phonenumbers`` (every pattern checked while the set was
  written), national identifiers with their check digits, IBANs with valid check digits;
* negatives at about a fifth of the slots; some texts hold no personal data;
* seeds: ``BLIND_SEED_MIN`` and up. ``BLIND_LOG``, ``privacy_blind_seeds.txt``, records
  every blind run (seed, time, commit, set), so that a seed's figures are reported as
  blind only once.

``SITE_PATTERNS`` holds the badge and record number formats of the set's organisations
as their site would configure them (``employee_id_patterns``, ``medical_record_patterns``).
"""

from __future__ import annotations

import functools
import random
import subprocess
import time
from pathlib import Path

import privacy_corpus as corpus
import privacy_retired_b18 as b18
from privacy_retired_b12 import _fold, _pools_without

BLIND_SET = "b19"
BLIND_SEED_MIN = 1000
BLIND_LOG = Path(__file__).with_name("privacy_blind_seeds.txt")

# --- names ----------------------------------------------------------------------------
# fmt: off
_PEOPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "odia": (
        ("Subhashree", "Debasish", "Smruti", "Jagannath", "Sasmita", "Prasanta", "Bijayalaxmi", "Sibananda", "Lipsa", "Chinmayee", "Manoranjan", "Itishree", "Soumya Ranjan", "Truptimayee", "Bhagyashree", "Dibyajyoti", "Sanghamitra", "Pradeep Kumar", "Rashmita", "Satyabrata", "Jyotirmayee", "Biswajit", "Mamata", "Nirakar"),
        ("Mohapatra", "Panda", "Pradhan", "Samal", "Rath", "Senapati", "Dash", "Nayak", "Behera", "Sahoo", "Mishra", "Tripathy", "Parida", "Swain", "Jena", "Mohanty", "Routray", "Patnaik", "Biswal", "Satapathy", "Lenka", "Baral", "Khuntia", "Dalai", "Pattanayak", "Hota", "Mahapatra", "Rout", "Pati", "Sethy"),
    ),
    "tulu": (
        ("Ganesh", "Pushpalatha", "Yashodha", "Shrinivas", "Sheshappa", "Kalyani", "Dinesh", "Lokesh", "Vanitha", "Sudhakar", "Prathiksha", "Rakshitha", "Chandrashekar", "Jayanthi", "Deekshith", "Harshitha", "Kumudini", "Mohini", "Nithesh", "Shobha", "Yogish", "Bhavya"),
        ("Shetty", "Poojary", "Bangera", "Kotian", "Suvarna", "Salian", "Amin", "Karkera", "Kunder", "Hegde", "Alva", "Rai", "Bhandary", "Ballal", "Kanchan", "Mendon", "Puthran", "Sanil", "Kottary", "Naik", "Ullal", "Adyanthaya", "Chowta", "Bangera"),
    ),
    "yoruba": (
        ("Adebayo", "Oluwaseun", "Folasade", "Temitope", "Olamide", "Abiodun", "Yetunde", "Babatunde", "Omolara", "Ayodele", "Kehinde", "Taiwo", "Oluwatoyin", "Damilola", "Funmilayo", "Oyebanji", "Adewale", "Morenike", "Iyabo", "Olufemi", "Titilayo", "Gbenga", "Bolanle", "Akinwale", "Modupe"),
        ("Adeyemi", "Ogunleye", "Oyelaran", "Akinola", "Ogunbiyi", "Afolabi", "Oladipo", "Adebanjo", "Olaniyan", "Babalola", "Ajayi", "Ogundipe", "Fashola", "Adekunle", "Oyewole", "Akintola", "Olatunji", "Odunsi", "Ayinde", "Omotosho", "Ilori", "Adesina", "Bankole", "Oyebode", "Oduya", "Alabi"),
    ),
    "zulu": (
        ("Sibusiso", "Nokuthula", "Thandeka", "Mthokozisi", "Sifiso", "Nomvula", "Bongani", "Zanele", "Lindiwe", "Sanele", "Nkosinathi", "Ayanda", "Zodwa", "Mandla", "Thulani", "Nonhlanhla", "Sbongile", "Lwazi", "Hlengiwe", "Mxolisi", "Khanyisile", "Sipho", "Nomthandazo", "Zamokuhle"),
        ("Dlamini", "Ngcobo", "Zulu", "Mkhize", "Ndlovu", "Khumalo", "Shabalala", "Mthembu", "Buthelezi", "Zungu", "Mchunu", "Ntuli", "Cele", "Gumede", "Hlongwane", "Majola", "Nxumalo", "Sithole", "Mthethwa", "Ngubane", "Msomi", "Ndwandwe", "Mabaso", "Zondi", "Khanyile"),
    ),
    "guarani": (
        ("Arami", "Yeruti", "Tupã", "Mbaracayá", "Jasy", "Ara", "Porã", "Yvoty", "Mainumby", "Kuarahy", "Ñasaindy", "Araceli", "Perla", "Lidia", "Ramón", "Derlis", "Nilda", "Celso", "Rossana", "Édgar", "Blas", "Liz"),
        ("Benítez", "Giménez", "Ayala", "Duarte", "Cáceres", "Villalba", "Ortiz", "Ramírez", "Brítez", "Galeano", "Insfrán", "Riveros", "Acosta", "Cabañas", "Zárate", "Aquino", "Ovelar", "Florentín", "Cantero", "Vera", "Núñez", "Garcete", "Samaniego", "Paredes", "Ojeda"),
    ),
    "karen": (
        ("Naw", "Saw", "Htoo", "Paw", "Eh", "Moo", "Blu", "Ler", "Hser", "Say", "Mu", "Thaw", "Pah", "Dah", "Wah", "Poe", "Klo", "Hsa", "Nyein", "Gay"),
        ("Htoo Paw", "Eh Moo", "Ler Wah", "Say Paw", "Blu Htoo", "Hser Nay", "Thaw Thi", "Mu Wah", "Dah Ku", "Klo Say", "Poe Ghay", "Pah Lah", "Eh Kaw", "Wah Wah", "Nay Htoo", "Ku Paw", "Thoo Lei", "Hsa Mu", "Gay Htoo", "Lah Moo"),
    ),
}
# fmt: on

# peoples whose forms put the family name first
_SURNAME_FIRST = ("odia",)


def _dev_names() -> set[str]:
    """Every name of the dev pools, folded: ``b18``'s dev names and its hand-built pools."""
    dev = set(b18._dev_names())
    for first, last in b18._PEOPLES.values():
        dev.update(n.lower() for n in (*first, *last))
    return dev | {_fold(n) for n in dev}


@functools.cache
def blind_names() -> dict[str, tuple[list[str], list[str]]]:
    """Return ``{people: (first, last)}``: the hand-built pools minus every dev name."""
    return _pools_without(_PEOPLES, _dev_names())


# --- phones -----------------------------------------------------------------------------
# region: (country code, everyday?, national significant numbers as digit groups joined
# by "|" ("#" a digit, "N" 2-9), trunk prefix) -- every pattern checked against
# phonenumbers (valid numbers, of that region) while the set was written.
# fmt: off
_PHONES: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "US": ("1", True, ("713|N##|####", "832|N##|####", "407|N##|####"), "1"),
    "GB": ("44", True, ("7956|######", "7432|######", "121|4##|####", "113|2##|####"), "0"),
    "DE": ("49", True, ("151|########", "170|#######"), "0"),
    "FR": ("33", True, ("6|1#|##|##|##", "6|7#|##|##|##", "7|5#|##|##|##", "4|9#|##|##|##"), "0"),
    "BR": ("55", True, ("11|9####|####", "21|9####|####"), "0"),
    "IN": ("91", True, ("94370|#####", "98861|#####", "674|25#####", "824|24#####"), "0"),
    "MX": ("52", False, ("55|####|####", "33|####|####"), ""),
    "NG": ("234", False, ("803|###|####", "805|###|####", "703|###|####"), "0"),
    "ZA": ("27", False, ("82|###|####", "72|###|####", "31|3##|####"), "0"),
    "PY": ("595", False, ("981|######", "971|######", "21|###|###"), "0"),
    "TH": ("66", False, ("81|###|####", "89|###|####", "55|5##|###"), "0"),
    "MM": ("95", False, ("9|42#|###|###", "9|79#|###|###", "9|26#|###|###"), "0"),
}
# fmt: on


class BlindGen(b18.B18Gen):
    """The blind split's values: names, phones, addresses, badges, record numbers and
    health phrases of its own; dates, national identifiers, IBANs, cards, network and
    place values, credentials and negatives inherited from ``b18`` and earlier sets."""

    group_name = "blind"

    def __init__(self, rng: random.Random) -> None:
        corpus.LocaleGen.__init__(self, rng, blind_names())
        self._people = self.locales[0]

    # --- names -------------------------------------------------------------------------
    def person(self) -> str:
        r = self.r
        first, last = self._pool()
        f, la = r.choice(first), r.choice(last)
        p = self._people
        if r.random() < 0.4:
            if p == "odia":
                return r.choice([f"{la} {f}", f"{la.upper()} {f}", f"{f} {la}"])
            if p == "tulu":
                return r.choice([f"{f} {la}", f"{la[0]}. {f}", f"{f} {la[0]}."])
            if p == "yoruba":
                return r.choice([f"{f} {self._other(first, f)} {la}", f"{la.upper()} {f} {self._other(first, f)}"])
            if p == "zulu":
                return r.choice([f"{f} {la}", f"{la.upper()} {f}"])
            if p == "guarani":
                return f"{f} {la} {self._other(last, la)}"
            if p == "karen":
                return r.choice([f"{f} {la}", f"{f} {la}".upper()])
        style = r.random()
        if style < 0.58:
            return f"{f} {la}"
        if style < 0.7:
            return f"{la.upper()}, {f}"
        if style < 0.78:
            return f"{la}, {f}"
        if style < 0.88:
            return f"{f[0]}. {la}"
        if style < 0.95:
            return f"{f} {la}".upper()
        return f"{f} {la[0]}."

    def email(self) -> str:
        r = self.r
        first, last = self._pool()

        def plain(name: str) -> str:
            return "".join(c for c in _fold(name) if c.isalnum()).lower()

        f, la = plain(r.choice(first)), plain(r.choice(last))
        user = r.choice([f"{f}.{la}", f"{f}{la}{r.randint(1, 99)}", f"{la}.{f[0]}", f"{f}_{la}", f"{f[0]}{la}", f"{f}{r.randint(70, 99)}"])
        dom = r.choice(
            ["gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "yahoo.co.in", "icloud.com",
             "webmail.co.za", "hotmail.es", "bhubaneswar-steel.example.in", "udupi-cashew.example.in",
             "ibadan-foods.example.ng", "durban-auto.example.co.za", "cde-textil.example.com.py",
             "maesot-garments.example.co.th", "houston-petro.example.com", "lyon-pharma.example.fr"]
        )
        return f"{user}@{dom}"

    # --- phones ------------------------------------------------------------------------
    def _ph_region(self) -> str:
        every = self._everyday()
        return self.r.choice(sorted(k for k, v in _PHONES.items() if v[1] == every))

    def _ph_groups(self, region: str) -> list[str]:
        pat = self.r.choice(_PHONES[region][2])
        return [
            "".join(self._d(1) if c == "#" else str(self.r.randint(2, 9)) if c == "N" else c for c in g)
            for g in pat.split("|")
        ]

    def phone(self) -> str:
        r = self.r
        region = self._ph_region()
        cc = _PHONES[region][0]
        g = self._ph_groups(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice([f"+1 {g[0]} {g[1]} {g[2]}", f"+1 ({g[0]}) {g[1]}-{g[2]}", f"+1.{g[0]}.{g[1]}.{g[2]}", f"+1{nsn}"])
        if region == "FR":
            return r.choice([f"+33 {' '.join(g)}", f"+33 (0){' '.join(g)}", f"+33{nsn}"])
        style = r.random()
        if style < 0.5:
            return f"+{cc} {' '.join(g)}"
        if style < 0.7:
            return f"+{cc}{nsn}"
        if style < 0.82:
            return f"+{cc}-{'-'.join(g)}"
        if style < 0.92:
            return f"00{cc} {' '.join(g)}"
        return f"+{cc} ({g[0]}) {' '.join(g[1:])}"

    def phone_national(self) -> str:
        r = self.r
        region = self._ph_region()
        cc, _, _, trunk = _PHONES[region]
        g = self._ph_groups(region)
        nsn = "".join(g)
        if cc == "1":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]}.{g[1]}.{g[2]}", f"{g[0]}-{g[1]}-{g[2]}"])
        if region == "FR":
            return r.choice([f"0{' '.join(g)}", f"0{'.'.join(g)}", f"0{nsn}"])
        if region == "BR":
            return r.choice([f"({g[0]}) {g[1]}-{g[2]}", f"{g[0]} {g[1]}-{g[2]}"])
        if region == "IN":
            if g[0][0] in "6789":
                return r.choice([f"{g[0]} {g[1]}", nsn, f"0{nsn}"])
            return r.choice([f"0{g[0]}-{''.join(g[1:])}", f"0{g[0]} {' '.join(g[1:])}"])
        if not trunk:
            return r.choice([" ".join(g), nsn])
        return r.choice([f"{trunk}{g[0]} {' '.join(g[1:])}", f"{trunk}{nsn}", f"{trunk}{g[0]}-{'-'.join(g[1:])}", f"({trunk}{g[0]}) {' '.join(g[1:])}"])

    # --- addresses ---------------------------------------------------------------------
    def address(self) -> str:
        r = self.r
        n = r.randint(1, 240)
        return r.choice(
            [
                f"Plot No. {n}, {r.choice(['Saheed Nagar', 'Nayapalli', 'Patia', 'Chandrasekharpur'])}, Bhubaneswar, Odisha 7510{r.randint(1, 31):02d}",
                f"At/Po {r.choice(['Kalunga', 'Jagda', 'Bondamunda'])}, Rourkela, Sundargarh, Odisha 7690{r.randint(1, 17):02d}",
                f"Qrs. No. {r.choice('ABCD')}/{r.randint(1, 400)}, Sector {r.randint(1, 22)}, Rourkela 7690{r.randint(1, 17):02d}",
                f"Door No. {r.randint(1, 9)}-{r.randint(10, 240)}, {r.choice(['Kadri', 'Bejai', 'Kankanady'])}, Mangaluru, Karnataka 5750{r.randint(1, 30):02d}",
                f"{r.choice(['Kunjibettu', 'Brahmagiri', 'Manipal'])}, Udupi, Karnataka 5761{r.randint(1, 4):02d}",
                f"{n}, {r.choice(['Ring Road', 'Iwo Road', 'Bodija Estate'])}, Ibadan, Oyo State",
                f"No. {n} {r.choice(['Adeniran Ogunsanya Street', 'Allen Avenue', 'Awolowo Road'])}, Lagos",
                f"{n} {r.choice(['Florida Road', 'Musgrave Road', 'Umgeni Road'])}, Durban, 40{r.randint(1, 99):02d}",
                f"{r.randint(1, 4000)} {r.choice(['Section A', 'Section K', 'Section G'])}, Umlazi, 4031",
                f"{r.choice(['Avda. Mariscal López', 'Calle Palma', 'Avda. España'])} {r.randint(100, 4999)} c/ {r.choice(['Brasilia', 'Perú', 'Sacramento'])}, Asunción",
                f"Barrio {r.choice(['San Isidro', 'Boquerón', 'Obrero'])}, Ciudad del Este, Alto Paraná",
                f"{n}/{r.randint(1, 30)} {r.choice(['Intharakiri Rd', 'Prasat Withi Rd'])}, Mae Sot, Tak 63110",
                f"{r.randint(100, 19999)} {r.choice(['Westheimer Rd', 'Bellaire Blvd', 'Telephone Rd'])}, Houston, TX 770{r.randint(10, 99)}",
                f"{n} {r.choice(['Orange Blossom Trl', 'Colonial Dr', 'Kirkman Rd'])}, Orlando, FL 328{r.randint(0, 39):02d}",
                f"{n} {r.choice(['Soho Road', 'Stratford Road', 'Alum Rock Road'])}, Birmingham B{r.randint(1, 30)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                f"{r.choice(['Rue de la République', 'Cours Gambetta', 'Avenue Berthelot'])} {n}, 6900{r.randint(1, 9)} Lyon",
                f"{r.choice(['Rua Augusta', 'Av. Paulista', 'Rua da Mooca'])}, {r.randint(10, 2999)} - São Paulo - SP, 0{r.randint(1000, 5999)}-{r.randint(0, 999):03d}",
                f"{r.choice(['Calle Morelos', 'Av. Juárez', 'Calle Hidalgo'])} {n}, Col. Centro, 44100 Guadalajara, Jal.",
                f"{r.choice(['Königsallee', 'Kölner Straße', 'Bahnhofstraße'])} {n}, 4{r.randint(211, 799)} {r.choice(['Düsseldorf', 'Wuppertal', 'Solingen'])}",
            ]
        )

    # --- badges and record numbers -----------------------------------------------------
    def badge(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                [
                    f"RSP/{r.randint(10, 99)}/{r.randint(10000, 99999)}",
                    f"HOU-{r.choice(['OP', 'MX', 'LB'])}{r.randint(1000, 9999)}",
                    f"{r.choice('LMN')}{r.randint(100, 999)}-{r.randint(10, 99)}Q",
                    f"Mat.{r.randint(100000, 999999)}",
                ]
            )
        return r.choice(
            [
                f"UDC{r.randint(1000, 9999)}W",
                f"DBN.{r.randint(10, 99)}.{r.randint(1000, 9999)}",
                f"CDE-{r.choice(['TX', 'HI', 'CO'])}-{r.randint(1000, 9999)}",
                f"MST{r.randint(10, 99)}G{r.randint(100, 999)}",
            ]
        )

    def mrn(self) -> str:
        r = self.r
        return r.choice(
            [
                f"{r.randint(10, 99)}-{r.randint(100000, 999999)}",
                f"{r.choice('PRS')}{r.randint(1000000, 9999999)}",
                f"{r.randint(1000, 9999)}.{r.randint(1000, 9999)}",
            ]
        )

    def mrn_token(self) -> str:
        r = self.r
        return r.choice(
            [
                f"SCB/{r.randint(2016, 2026)}/{r.randint(10000, 99999)}",
                f"KMC-MLR-{r.randint(100000, 999999)}",
                f"UCH{r.randint(10, 26)}-{r.randint(10000, 99999)}",
                f"IALCH{r.randint(1000000, 9999999)}",
                f"HCIPS-{r.randint(100000, 999999)}",
                f"MSH/{r.randint(1000, 9999)}/{r.randint(10, 26)}",
                f"ECG#{r.randint(100000, 999999)}",
            ]
        )

    # --- health ------------------------------------------------------------------------
    def condition(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["migraine with aura", "sleep apnoea", "a frozen shoulder", "coeliac disease", "ulcerative colitis",
                 "chronic kidney disease", "an overactive thyroid", "tennis elbow", "heart failure", "endometriosis",
                 "sciatica", "a duodenal ulcer", "varicose veins", "angina", "an anxiety disorder", "Crohn's disease"]
            )
        return r.choice(
            ["falciparum malaria", "Lassa fever", "typhoid fever", "cutaneous leishmaniasis", "dengue haemorrhagic fever",
             "snakebite envenoming", "melioidosis", "Chagas disease", "rheumatic heart disease", "sickle cell anaemia",
             "pesticide poisoning", "cashew dermatitis", "extensively drug-resistant tuberculosis", "hepatitis B",
             "post-traumatic stress disorder", "opioid dependence"]
        )

    def medication(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["amlodipine 5 mg", "omeprazole 20 mg", "levothyroxine 50 mcg", "atorvastatin 20 mg", "sertraline 50 mg",
                 "bisoprolol 2.5 mg", "mesalazine 800 mg", "propranolol 40 mg", "apixaban 5 mg", "salbutamol inhaler"]
            )
        return r.choice(
            ["artemether-lumefantrine", "ribavirin", "ceftriaxone 1 g IV", "benznidazole", "antivenom 10 vials",
             "hydroxyurea 500 mg", "tenofovir 300 mg", "methadone 60 mg", "atropine and pralidoxime", "meropenem"]
        )

    def procedure(self) -> str:
        r = self.r
        if self._everyday():
            return r.choice(
                ["a knee arthroscopy", "a colonoscopy", "an MRI of the spine", "a cataract operation",
                 "a caesarean section", "a coronary angioplasty", "a skin graft", "a thyroidectomy"]
            )
        return r.choice(
            ["a fasciotomy", "dialysis three times a week", "a mitral valve replacement",
             "an incision and drainage of an abscess", "a blood transfusion", "a splenectomy"]
        )

    def injury(self) -> str:
        return self.r.choice(
            [
                "burned a thumb on the cashew roasting drum",
                "trapped a foot under a steel coil",
                "inhaled ammonia at the cold store",
                "cut a palm on a broken glass crate",
                "was hit on the shin by a pallet jack",
                "twisted a knee on the wet dye-house floor",
            ]
        )

    def sick(self) -> str:
        return self.r.choice(
            [
                "off sick with typhoid",
                "in hospital after a seizure",
                "resting after a gallbladder operation",
                "signed off with depression",
                "under observation for a heart rhythm problem",
            ]
        )

    def outcome(self) -> str:
        return self.r.choice(
            [
                "a hairline fracture of the wrist",
                "three stitches, back on shift",
                "a chemical burn dressed daily",
                "a torn ligament, crutches for a month",
                "concussion, kept overnight",
            ]
        )


# The formats a site would configure for its own badge and record numbers: one regex
# per format BlindGen.badge, .mrn and .mrn_token issue.
SITE_PATTERNS: dict[str, list[str]] = {
    "employee_id_patterns": [
        r"\bRSP/\d{2}/\d{5}\b",
        r"\bHOU-(?:OP|MX|LB)\d{4}\b",
        r"\b[LMN]\d{3}-\d{2}Q\b",
        r"\bMat\.\d{6}\b",
        r"\bUDC\d{4}W\b",
        r"\bDBN\.\d{2}\.\d{4}\b",
        r"\bCDE-(?:TX|HI|CO)-\d{4}\b",
        r"\bMST\d{2}G\d{3}\b",
    ],
    "medical_record_patterns": [
        r"\b\d{2}-\d{6}\b",
        r"\b[PRS]\d{7}\b",
        r"\b\d{4}\.\d{4}\b",
        r"\bSCB/20[12]\d/\d{5}\b",
        r"\bKMC-MLR-\d{6}\b",
        r"\bUCH\d{2}-\d{5}\b",
        r"\bIALCH\d{7}\b",
        r"\bHCIPS-\d{6}\b",
        r"\bMSH/\d{4}/\d{2}\b",
        r"ECG#\d{6}\b",
    ],
}


# Written for the blind set b19 without reading the detector. No sentence here appears
# in, or is edited from, the dev templates or b1-b18.
# fmt: off
BLIND_TEMPLATES: dict[str, tuple[str, ...]] = {
    "factory": (
        "Blast furnace 3 cast-house, Rourkela: tapper {person} ({badge}) {injury}; {first} dressed it, plant hospital ref {mrn_token}.",
        "Cashew shelling unit roll call\nsheller,token,mobile\n{person},{badge},{phone_nat}\n{person},{badge},{phone_nat}",
        "କର୍ମଚାରୀ {person} ଆଜି ଅସୁସ୍ଥ, କାମକୁ ଆସିପାରିବେ ନାହିଁ। ଫୋନ୍ {phone_nat}",
        "ಕೆಲಸಗಾರ {person} ಇವತ್ತು ರಜೆ, ಆಸ್ಪತ್ರೆಗೆ ಹೋಗಿದ್ದಾರೆ. ಸಂಪರ್ಕ {phone_nat}",
        "Oṣiṣẹ {person} kò lè wá sí iṣẹ́ lónìí, ara rẹ̀ kò yá. Pe {phone_nat}.",
        "Isisebenzi {person} sigula namuhla, ngeke size emsebenzini. Shayela {phone_nat}.",
        "Operario {person} no vino hoy a la tejeduría, avisó su esposa desde el {phone_nat}; lo cubre {first}.",
        "ช่างเย็บ {person} ลาป่วยวันนี้ โทร {phone_nat}",
        "Body shop robot cell 14, Durban assembly: welder {person}, who {injury}, was seen by the sister in charge: {outcome}.",
        "PLC audit trail | user={email} | from={ip} | recipe pushed {version} | line=extruder-B",
        "{\"shift\":\"C\",\"crew_lead\":\"{person}\",\"badge\":\"{badge}\",\"gate_in\":\"{ts}\",\"mobile\":\"{phone}\"}",
        "INSERT INTO contractor_gatepass (pass_no, holder, id_doc, valid_until) VALUES ('{order}', '{person}', '{natid}', '{ts}');",
        "Wage slip query from {person}, token {badge}: PF deducted twice, please reverse to {iban}.",
        "Dear Sir/Madam,\nI wish to inform the plant that my husband {person} was diagnosed with {condition} and needs leave.\nRegards, {first}\n{phone}",
        "Roaster drum 2 temperature steady at {reading}; batch {lot} graded W240, no personal notes today.",
        "Kiln feed conveyor belt joint redone, spare {part} fitted, controller now {version}; next stop planned for the monsoon.",
        "Crane operator refresher: {person} booked, date of birth {dob}, medical says {med}, cleared for cab work.",
        "rig_gateway.yaml\nupstream: {ip}\nlogin: ops_houston\napi_key: {secret}\nretry: 5",
        "Tank farm walkdown at {gps}: hydrocarbon sniff test {=NEG:4 ppm}, operator {person} signed the sheet.",
        "Vessel entry permit #{order}\nEntrant: {person}\nStandby: {person}\nGas test: {reading}\nFit to enter: yes",
        "[{ts}] {first}: guys who left a phone in the locker room? screen shows a missed call from {phone}",
        "Garment line 9, Mae Sot: supervisor {person} says {first} is {sick}, her sewing machine {serial} is free.",
        "Pharma granulator 3 cleaning log: swab {lot} passed, verified by {person} ({badge}) at {ts}.",
        "Bonjour {first}, ta visite médicale du travail est fixée au {ts}; merci d'apporter ton badge {badge}.",
        "Olá {first}, sua escala na estamparia mudou, entrada às {ts}; dúvidas com {person} pelo {phone_nat}.",
        "mac={mac} ip={ip} role=hmi line=coil-slitter owner=unassigned seen={ts}",
        "Medical fitness register: {person}, Aadhaar {natid}, {condition}, restricted from heights.",
        "Near miss: forklift reversed towards {person} near dock 4; no injury; reported by {first} via {email}.",
        "Steel coil {serial} slit into 6 mults, gauge {reading}, lot {lot}; dispatched on order {order}.",
        "Energy meter dump: feeder 11 kV, pf {reading}, demand {reading}, firmware {version}.",
        "Loan from the workers' cooperative: {person}, staff {badge}, repayments from salary account {iban}.",
        "HR file transfer: {person} moved from the Ibadan noodle plant, NIN {natid}, new address {address}.",
        "Eye wash station 7 used by {person} at {ts}; {outcome}; follow-up at {address}.",
        "Night shift chat\n{first}: dryer tripped again\n{first}: reset done, alarm {part}, calling {phone_nat} if it repeats",
        "<gateEvent><who>{person}</who><card>{card}</card><turnstile>{serial}</turnstile><when>{ts}</when></gateEvent>",
        "Paint booth ventilation check: airflow {reading}, filters {part} replaced, next due after 400 hours.",
        "Contractor induction quiz passed by {person}, company mobile {phone}, helmet no. {serial}.",
        "Canteen smart-card top-up failed for {badge}; card {card} declined at {ts}.",
        "Mutirão de segurança: {person}, CPF {natid}, relatou {injury} durante a troca de molde.",
        "Unidad de hilatura, Ciudad del Este: {person} con {condition}, reposo de 7 días firmado por la Dra. {surname}.",
        "Fleet telematics: truck {serial} driven by {person} parked at {gps}, engine hours {reading}.",
        "Weekly output memo: 18 200 cartons packed, zero lost-time injuries, new labeller on {version}.",
    ),
    "clinic": (
        "ADT^A01 admit\nPID|1||{mrn}^^^SCB||{surname}^{first}||{dob}|F|||{address}||{phone}\nDG1|1||{condition}",
        "OT list, district hospital Udupi: {person}, IP no. {mrn_token}, posted for {procedure}; anaesthetist {surname}.",
        "Snakebite ward note: {person}, aged farmer from near Cuttack, given {med}; wife reachable on {phone_nat}.",
        "{\"resourceType\":\"Encounter\",\"subject\":{\"reference\":\"Patient/{mrn}\",\"display\":\"{person}\"},\"reasonCode\":[{\"text\":\"{condition}\"}]}",
        "{\"resourceType\":\"MedicationRequest\",\"subject\":{\"display\":\"{person}\"},\"medicationCodeableConcept\":{\"text\":\"{med}\"},\"authoredOn\":\"{ts}\"}",
        "ରୋଗୀ {person}, ଜନ୍ମ ତାରିଖ {dob}, ରୋଗ {condition}।",
        "Aláìsàn {person}, nọ́mbà fáìlì {mrn_token}, àìsàn: {condition}.",
        "Isiguli {person}, inombolo yefayela {mrn_token}, ucingo {phone_nat}, unesifo: {condition}.",
        "Paciente {person}, ficha {mrn_token}, cédula {natid}, internado por {condition}.",
        "ผู้ป่วย {person} เลขประจำตัว {mrn_token} โทร {phone_nat} วินิจฉัย {condition}",
        "Patient {person}, dossier {mrn}, né le {dob}, sous {med}.",
        "Paciente {person}, prontuário {mrn_token}, nascida em {dob}, realizou {procedure}.",
        "Lab bench export\nspecimen;patient_no;analyte;value\n{lot};{mrn};HbA1c;{=NEG:7.9 %}",
        "Dear {first}, this is the Durban eye clinic: your {procedure} moved to {ts}. Reply STOP to {phone_nat} to opt out.",
        "Trauma bay 2: {person}, MVA on the N2, {outcome}; next of kin {person}, {phone}.",
        "Migrant health post, Mae Sot: {person}, no ID, {condition}, referred with card {mrn_token}.",
        "Telepsychiatry session: {person} connected from {ip}; now on {med}; next review {ts}.",
        "Insurance pre-auth\nmember: {person}\nmember_dob: {dob}\nrequested: {procedure}\nhospital_ref: {mrn_token}",
        "Nurse handover, female ward: bed 6 {person} {sick}; bed 7 {person} stable on {med}.",
        "Dialysis unit roster: {person} ({mrn}) Mon-Wed-Fri, transport by son {first}, {phone}.",
        "Pharmacy dispense log: rx={order} patient={mrn_token} item=\"{med}\" qty=30 by={badge}",
        "Ambulance dispatch: caller {person} on {phone}, unconscious male at {address}, crew saw {outcome}.",
        "PV1|1|I|ICU^04^B||||{surname}^{first}^^^Dr\nPID|1||{mrn_token}||{surname}^{first}||{dob}",
        "Oncology day care: {person}, hospital no. {mrn}, cycle 3 of chemo; pays with {card}.",
        "Incubator {serial} alarm cleared at {ts}, skin temp probe {reading}, no baby details logged.",
        "Biomed asset list: ventilator {serial}, firmware {version}, service kit {part}.",
        "Maternity register: {person}, born {dob}, delivered by {procedure}; baby girl 3.1 kg; husband {first}.",
        "Occupational clinic, Rourkela: {person}, staff {badge}, audiogram shows {condition}.",
        "Self-service chart login of {email} unlocked from {ip}; one-time code {password}.",
        "Refund of deposit for {person} (IP {mrn_token}) to {iban}; cashier {surname}.",
        "Outreach camp at {gps}: {person} screened, {condition}, given {med}.",
        "Clinic WhatsApp\n{first}: doctor, my mother {person} still has fever after the {med}\nclinic: please bring her in, file {mrn_token}",
        "Cold chain report: 41 vials received, logger {serial} min {reading}; nothing to flag.",
        "TB DOTS card: {person}, {address}, {condition}, treatment supporter {first}, {phone_nat}.",
        "Death certificate draft: {person}, DOB {dob}, ID {natid}, cause {condition}.",
        "Sterile store restock on {ts}: 60 packs of gauze, lot {lot}, no patient link.",
        "Referral letter\nTo: Dr {surname}\nRe: {person}, {dob}, {mrn_token}\nKindly see for {procedure}; history of {condition}.",
        "Houston urgent care check-in: {person}, SSN on file {natid}, insurance card photo uploaded, phone {phone}.",
        "Clinique de Lyon: {person}, sécurité sociale {natid}, consultation pour {condition}.",
        "Zahnarztpraxis: Patient {person}, geboren {dob}, Termin für {procedure}, Rückruf {phone_nat}.",
        "Blood bank issue slip: 2 units O+ for {person}, ward 5, bag {lot}, crossmatch by {first}.",
        "Weekly ward census: 212 beds, 94 % occupied, report {order}.",
    ),
    "retail": (
        "Cash-on-delivery order {order}: {person}, {address}, contact {phone_nat}, 2 kg cashew W320.",
        "Loyalty sign-up at the Bhubaneswar mall kiosk: {person}, {email}, {phone}, born {dob}.",
        "ଗ୍ରାହକ {person}, ଫୋନ୍ {phone_nat}, ଅର୍ଡର {order}",
        "Onibara {person}, nọ́mbà {phone_nat}, ọjà {order} ti dé.",
        "Ikhasimende {person}, ucingo {phone_nat}, i-oda {order} isilungile.",
        "Cliente {person}, celular {phone_nat}, pedido {order}, entregar en {address}.",
        "ลูกค้า {person} โทร {phone_nat} สั่งผ้า {order}",
        "Cliente {person}, CPF {natid}, compra {order} parcelada em 6x no cartão {card}.",
        "Client {person}, tél. {phone_nat}, retrait du colis {order} en magasin.",
        "Kunde {person}, Tel. {phone_nat}, Reklamation {order}, Abholung {address}.",
        "Spaza shop credit book: {person} owes {=NEG:R 340}; number {phone_nat}.",
        "POS z-report: 731 receipts, till software {version}, printer {serial}.",
        "Planogram reset aisle 7: {ean} moved to top shelf, lot {lot}, done by night team.",
        "e-commerce webhook\n{\"order\":\"{order}\",\"buyer_email\":\"{email}\",\"ship\":\"{address}\",\"paid\":\"{card}\"}",
        "customer_id,name,phone,dob,card_last\n{order},{person},{phone},{dob},{card}",
        "CCTV request: man in red cap at till 3 at {ts}, paid with card {card}; store manager {first}.",
        "Pharmacy counter note: {person} bought {med} for her {condition}; prescriber Dr {surname}.",
        "Optician recall: {first}, your eye test is due; book on {phone_nat} or reply to {email}.",
        "Layby agreement: {person}, ID number {natid}, deposit received, the rest debited monthly from {iban}.",
        "Rider app: pickup at {gps}, drop to {person}, {address}, buzzer broken, call {phone}.",
        "Gift card fraud: {email} redeemed 11 cards from {ip} in five minutes.",
        "[loyalty_sync]\nendpoint = {ip}\nclient_secret = {secret}\nbatch = nightly",
        "Store Wi-Fi captive portal: {mac} got {ip}, accepted terms at {ts}.",
        "Staff discount abuse: cashier {badge} ({person}) scanned her own card {card} for 23 customers.",
        "Complaint by phone: {person} says the pressure cooker lid burst and she {injury}.",
        "Customer fell near the fish counter: {person}, {outcome}; witness {first}, {phone}.",
        "Home delivery manifest\nstop 1: {person}, {address}\nstop 2: {person}, {address}",
        "Electronics warranty: {person}, serial {serial}, bought {ts}, e-mail {email}.",
        "Price check: {ean} scans at the old price, rule {version}, ticket {order}.",
        "Freezer 5 defrost overdue; last reading {reading}; no customer impact.",
        "Hola {first}, tu pedido de zapatillas {order} llegó a la tienda del Shopping París; traé tu cédula.",
        "Hi {first}, your Houston store pickup code is 4417; questions? {phone}.",
        "Bonjour {first}, votre commande {order} est prête au drive, créneau {ts}.",
        "Instalment buyer {person}, PAN {natid}, EMI debited from {iban} on the 5th.",
        "Mobile money top-up for {person} at {phone} failed; reversal ref {order}.",
        "Vendor onboarding form\nSupplier contact: {person}\nE-mail: {email}\nBank: {iban}\nTax ID: {natid}",
        "Age-restricted sale: {person}, DOB {dob}, licence scanned; approved by {badge}.",
        "Mystery shopper visit scored 91 %; till {serial} slow; no names recorded.",
        "Returns desk: {person} returned a kettle, refund to {card}, receipt {order}.",
        "Chat transcript\nagent: how can I help?\ncustomer: this is {person}, my order to {address} never came, call me on {phone}",
        "Pallet {lot} of rice received at {ts}, dock 3, driver signed as {person}.",
        "Night restock completed; 1 140 units; scanner firmware {version}; nothing else.",
    ),
}
# fmt: on


def seed_runs(seed: int) -> list[str]:
    """Return the log lines of earlier runs of blind ``seed`` (empty: still blind)."""
    if not BLIND_LOG.exists():
        return []
    return [ln for ln in BLIND_LOG.read_text().splitlines() if ln.split(" ", 1)[0] == str(seed)]


def record_run(seed: int) -> None:
    """Append ``seed`` to the blind log (with the time, the commit it ran on, the set)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except OSError:
        head = ""
    with BLIND_LOG.open("a", encoding="utf-8") as fh:
        fh.write(f"{seed} {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {head or 'unknown'} {BLIND_SET}\n")
