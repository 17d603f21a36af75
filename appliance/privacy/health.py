"""Health terms: conditions, injuries, medications, procedures and absences.

A health term is PHI only near a personal identifier (the detector checks that); this
module only says which words and phrases are about someone's health. The lexicon is
grouped by kind so it can grow by kind: named conditions and the endings medical words
share, eponymous diseases (``Hashimoto's thyroiditis``), injuries to a body part and how
they happen at work (splashes, shocks, fumes, falls), medicines by generic name and
class and with a dose, procedures and tests, and the ways people say someone is off sick.
"""

from __future__ import annotations

import re
from functools import lru_cache

from appliance.privacy.prefilter import first_letters

_BODY = (r"(?:hands?|palms?|lips?|chin|cheeks?|mouth|teeth|tooth|nails?|arms?|forearms?|fingers?|"
         r"(?:achilles )?tendons?|ligaments?|"
         r"thumbs?|wrists?|elbows?|shoulders?|knees?|ankles?|"
         r"feet|foot|toes?|legs?|back|neck|head|face|eyes?|hips?|ribs?|chest|forehead|"
         r"shins?|calf|calves|hamstring|groin|skull|spine|jaw|nose|ears?|knuckles?|fingertips?|"
         r"thighs?|heels?|collarbone|abdomen|stomach|pelvis|scalp|neck)")
_SIDE = r"(?:(?:left|right|lower|upper|both|one|his|her|their|my|the|a|an)\s+){0,2}"
_MEDICINES = (
    r"atorvastatin|simvastatin|rosuvastatin|pravastatin|statins?|metformin|gliclazide|sitagliptin|"
    r"empagliflozin|dapagliflozin|semaglutide|ozempic|insulin(?: injections?| pump)?|"
    r"levothyroxine|thyroxine|carbimazole|lisinopril|ramipril|enalapril|perindopril|amlodipine|"
    r"nifedipine|losartan|valsartan|candesartan|bisoprolol|metoprolol|atenolol|propranolol|"
    r"beta[- ]blockers?|furosemide|bumetanide|hydrochlorothiazide|spironolactone|digoxin|"
    r"warfarin|apixaban|rivaroxaban|edoxaban|dabigatran|heparin|clopidogrel|aspirin|"
    r"blood thinners?|anticoagulants?|omeprazole|lansoprazole|pantoprazole|ranitidine|"
    r"sertraline|fluoxetine|citalopram|escitalopram|paroxetine|venlafaxine|duloxetine|"
    r"mirtazapine|amitriptyline|nortriptyline|bupropion|antidepressants?|lithium(?!\s*[- ]?"
    r"(?:ion|battery|batteries|cells?|polymer|grease|carbonate powder))|quetiapine|olanzapine|"
    r"risperidone|aripiprazole|clozapine|haloperidol|antipsychotics?|diazepam|lorazepam|"
    r"alprazolam|clonazepam|temazepam|zopiclone|zolpidem|sleeping pills?|benzodiazepines?|"
    r"methylphenidate|ritalin|adderall|atomoxetine|gabapentin|pregabalin|tramadol|codeine|"
    r"morphine|oxycodone|fentanyl|methadone|buprenorphine|naloxone|painkillers?|ibuprofen|"
    r"naproxen|diclofenac|paracetamol|acetaminophen|co-codamol|prednisolone|prednisone|"
    r"dexamethasone|hydrocortisone|steroids?|methotrexate|hydroxychloroquine|adalimumab|"
    r"humira|biologics?|salbutamol|albuterol|ventolin|inhalers?|seretide|symbicort|montelukast|"
    r"epipen|epi-pen|adrenaline auto-?injector|epinephrine|antihistamines?|cetirizine|"
    r"loratadine|fexofenadine|amoxicillin|penicillin|flucloxacillin|doxycycline|"
    r"clarithromycin|azithromycin|ciprofloxacin|trimethoprim|nitrofurantoin|metronidazole|"
    r"antivirals?|antiretrovirals?|truvada|contraceptive pill|the pill|hrt|"
    r"tenofovir|isoniazid|rifampicin|allopurinol|insulin glargine|jardiance|levetiracetam|"
    r"lamotrigine|valproate|carbamazepine|phenytoin|euthyrox|eltroxin|"
    r"hormone replacement|testosterone|oestrogen|estrogen|tamoxifen|letrozole|"
    r"levetiracetam|lamotrigine|valproate|carbamazepine|phenytoin|anticonvulsants?|"
    r"nicotine patch(?:es)?|disulfiram|naltrexone|"
    # tropical, HIV, TB and leprosy medicines, antidotes and prophylaxis
    r"miltefosine|antivenom|antivenin|anti-venom|dapsone|clofazimine|co-?trimoxazole|septrin|"
    r"bactrim|hydroxyurea|hydroxycarbamide|ivermectin|artesunate|artemisinin|quinine|"
    r"efavirenz|nevirapine|bedaquiline|pyrazinamide|ethambutol|streptomycin|"
    r"co-amoxiclav|ferrous (?:sulfate|sulphate|fumarate)|iron tablets|folic acid|"
    # (a term that can open with any letter, "\w+ prophylaxis", would be tried at every word)
    r"oral rehydration|pyridostigmine|arvs?|(?:malaria |hiv |tb |rabies |isoniazid |antibiotic |"
    r"post-exposure |pre-exposure )?prophylaxis|"
    r"метформин\w*|инсулин\w*|аспирин\w*")
_CONDITIONS = (
    r"fibrosis|cystic fibrosis|bifida|spina bifida|sclerosis|dystroph(?:y|ies)|palsy|"
    r"syndrome|disorders?|thrombosis|dvt|embolism|aneurysm|haemorrhage|"
    r"hemorrhage|infarct(?:ion)?|heartbeat|irregular heartbeat|heart murmur|afib|tachycardia|"
    r"bradycardia|cardiomyopathy|flu|influenza|chest infection|viral infection|bacterial|"
    r"stammer|stutter|dyslexi[ac]|dyspraxia|dyscalculia|tourette'?s|cerebral|"
    r"partially sighted|visually impaired|sight loss|blind in|deaf|hard of hearing|"
    r"degeneration|macular|glaucoma|cancer|tumou?rs?|malignan(?:t|cy)|benign|metasta\w+|"
    r"oncolog\w+|remission|terminal(?:ly)? ill|palliative|hospice|dependen(?:ce|cy) on|"
    r"alcohol(?:ic|ism| dependence| abuse| problem)|drug (?:abuse|addiction|dependence|problem)|"
    r"overdose|self[- ]harm|suicid\w+|eating disorder|obes(?:e|ity)|underactive|overactive|"
    r"hypo\w+ism|hyper\w+ism|(?:an|leuk|septic|hypoglyc|hyperglyc|isch|ur|thalass|hyperkal|hypokal)emia|"
    r"melanoma|carcinoma|sarcoma|myeloma|mesothelioma|"
    r"ha?ematoma|glioma|"
    r"long covid|covid|coronavirus|hiv positive|hiv|positive test|tested positive|"
    r"blood (?:clot|sugar|pressure|count|results?|alcohol)|hba1c|cholesterol|"
    r"pregnan(?:t|cy)|expecting a baby|maternity|miscarr\w+|stillbirth|ivf|fertility|"
    r"menopaus\w+|postnatal|antenatal|prenatal|c-section|caesarean|cesarean|"
    r"dengue|malaria|typhoid|cholera|zika|chikungunya|mpox|monkeypox|rsv|norovirus|"
    r"gastroenteritis|food poisoning|chickenpox|mumps|rubella|whooping cough|scarlet fever|"
    r"strep throat|tonsillitis|conjunctivitis|\w+ intolerance|\w+ deficiency|"
    r"gerd|gord|acid reflux|reflux|t1dm|t2dm|ckd|chf|afib|(?:suspected |minor |major )?stroke|"
    r"myasthenia gravis|a bad back|medical advice|after an operation|had an operation|"
    r"spinal fusion|motor neu?rone? disease|amyotrophic lateral sclerosis|"
    r"(?:back|neck|muscle|shoulder|hamstring|groin|calf|wrist) strain|"
    r"breathless(?:ness)?|not breathing(?: normally)?|difficulty breathing|wheez(?:e|ing|y)|"
    r"sul(?:f|ph)a(?: drugs)?|sulfonamides?|bed rest|medical exemption|chest cold|"
    r"varicose veins?|heartburn|leprosy|confusion|oral rehydration(?: salts)?|artemether|"
    r"lost (?:part of )?(?:a |an |his |her |their |the )?(?:\w+ )?(?:finger|thumb|toe|hand|eye)s?|"
    r"(?:acid|caustic|chemical) splash|bcg|opv\d?|dtp\d?|mmr|hpv vaccine|"
    r"(?:pre-?)?eclampsia|hyperemesis|placenta praevia|ectopic pregnancy|gestational diabetes|"
    r"(?:tennis|golfer'?s) elbow|frozen shoulder|hay fever|river blindness|trachoma|"
    r"(?:scrub |murine |epidemic )?typhus|yellow fever|lassa fever|ebola|marburg|rabies|"
    r"sleeping sickness|bilharzia|guinea worm|hookworm|yaws|kwashiorkor|marasmus|"
    r"malnutrition|rickets|scabies|ringworm|dysentery|diarrhoea|diarrhea|jaundice|"
    r"(?:lead|mercury|arsenic|carbon monoxide|pesticide|organophosphate|ciguatera|food|"
    r"blood|alcohol|paraffin|kerosene) poisoning|snake ?bites?|envenom\w+|"
    r"(?:puff )?adder bite|(?:snake|adder|viper|mamba|cobra|spider|scorpion|dog|rat|monkey|"
    r"human|tick|jellyfish|stonefish|bee|wasp) (?:bite|sting)s?|"
    r"(?:mdr|xdr|drug-resistant|multidrug-resistant) tb|"
    r"tb (?:clinic|treatment|ward|patient|drugs|meds|test|programme|program)|"
    r"(?:hiv|art|fertility|burns?|mental health|memory|cancer|sti|std|sexual health|"
    r"psychiatric|methadone) (?:clinic|unit|ward)|"
    r"(?:hydatid|chagas|lyme|hansen|kawasaki|paget|wilson|graves|addison|cushing|hodgkin|"
    r"huntington|meniere|raynaud|sj[oö]gren) disease|acute(?:ly)? confus\w+|"
    r"rh(?:esus)?[- ]?(?:negative|positive|neg|pos)|"
    r"hydrocele|varicocele|hernia repair|skin graft|(?:coronary |heart |gastric )?bypass|"
    r"iud(?: insertion| fitting| removal)?|coil fitting|vasectomy|sterili[sz]ation|"
    r"lumbar puncture|catheteri[sz]ation|cervical smear|observation overnight|"
    r"kept in (?:for observation|overnight)|tetanus shot|in plaster")
_EPONYMS = (
    r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?['’]s?\s+(?:disease|syndrome|thyroiditis|palsy|sarcoma|"
    r"lymphoma|disorder|contracture|ataxia|chorea|dystrophy|neuroma|encephalopathy)")
_PROCEDURES = (
    r"surgery|surgical|operated on|(?:hip|knee|joint|valve|shoulder) replacement|"
    r"transplant|biopsy|mri|ct scan|cat scan|pet scan|x-?ray|ultrasound|"
    r"ecg|ekg|eeg|echocardiogram|cardiac stress test|colonoscopy|endoscopy|gastroscopy|"
    r"arthroscopy|mammogram|smear test|pap smear|vaccinat\w+|vaccine|tetanus (?:booster|jab|shot)|"
    r"immunisation|immunization|stitches|sutures|plaster cast|arm in a sling|"
    r"physio(?:therapy)?|occupational therapy|counselling|counseling|psychiatr\w+|"
    r"psycholog\w+|therap(?:y|ist)|rehabilitation|phased return|fit note|sick note|"
    r"light duties|restricted duties|fit for work|unfit for work|a&e|emergency room|"
    r"intensive care|icu|discharged from hospital|hospitali[sz]ed|"
    r"in hospital|outpatient|inpatient|appointment with (?:the|her|his) (?:gp|doctor|consultant)|"
    r"oncologist|cardiologist|neurologist|psychiatrist|gp appointment|"
    r"chemotherapy|chemo|radiotherapy|radiation therapy|dialysis|ha?emodialysis|transfusion|"
    r"viral load(?: (?:(?:un)?suppressed|(?:un)?detectable|high|low|\d[\d,]*"
    r"(?: copies(?:/ml)?)?))?|"
    r"blood work|urine (?:test|sample)|drug screen|"
    r"hiv test|pregnancy test|covid test|pcr test|hearing test|eye test|gastric band(?: fitting)?|"
    r"(?:bone density|pregnancy|dexa|cardiac|brain) scan|(?:dental|tooth|wisdom tooth) "
    r"(?:extraction|removal)|holter(?: monitor)?(?: fitting)?|echo(?:cardiogram)?|stress echo|"
    r"spirometry|cataract (?:operation|surgery)|angiogram|angioplasty|cabg|stent|"
    r"gastric bypass|root canal(?: treatment)?|dental (?:surgery|implant|treatment)|"
    r"bone marrow (?:biopsy|transplant|aspirat\w+)")
_INJURIES = (
    r"splash(?:ed)? (?:in|into|on) (?:the|his|her|their|my|one|both)\s+(?:left |right )?eyes?|"
    r"chemical (?:splash|burns?|exposure)|(?:swarf|dust|debris|grit|a chip|metal|a splinter|"
    r"a foreign body|something) in (?:the|his|her|their|my|one) (?:left |right )?eye|"
    r"eye injury|electric(?:al)? shock|electrocut\w+|heat (?:exhaustion|stroke)|"
    r"heatstroke|hypothermia|frostbite|smoke inhalation|inhal(?:ed|ation|ing)|"
    r"overcome by|gash(?:ed)?|wound(?:ed|s)?|puncture|needle[- ]?stick|crush(?:ed|ing)? "
    r"(?:injury|injuries)|crush injury|knocked (?:out|unconscious)|black(?:ed)? out|"
    r"hit (?:his|her|their|my|the) head|head injury|whiplash|torn (?:\w+ )?(?:ligament|cuff|"
    r"meniscus|muscle|tendon|cartilage|acl)|rotator cuff|hairline fracture|"
    r"(?:cut|burn(?:ed|t)?|hurt|injured|sprained|twisted|dislocated|bruised|pulled|strained|"
    r"crushed|trapped|scalded|grazed|broke|broken|fractured|jammed|pinched|sliced|"
    r"punctured|tore|torn|smashed|lost|slashed|stabbed|gashed|lacerated|bashed|"
    r"injected into|(?:glass|oil|soda|acid|bleach|lime|cement|sand|shrapnel|wire|fluid|"
    r"fragments?|splinters?|sparks?) in|hit in|struck in|kicked in|poked in|splashed in) "
    r"(?:(?:across|on|to|into|through|in) )?" + _SIDE
    + r"(?:muscle in " + _SIDE + r")?"
    + r"(?:\w+ )?" + _BODY + r"|"
    r"(?:fell|fall|falling) (?:from|off|down) (?:a |the |some )?(?:\w+ )?(?:(?:step)?ladder|steps?|stairs|"
    r"height|roof|platform|scaffold\w*|mezzanine|loading (?:dock|bay)|bay|truck|lorry|"
    r"trailer|tractor|forklift|horse|motorbike|bike|bicycle|wall|tree|stage|conveyor|ramp|"
    r"ledge|tower|(?:\w+ )?metres?|(?:\w+ )?meters?|(?:\w+ )?feet)|slipped and fell|tripped and fell|"
    r"fell (?:about |some |nearly |almost )?\w+ (?:metres|meters|feet|foot|m)\b|"
    r"hearing damage|noise[- ]induced|vibration white finger|hand-arm vibration|"
    r"occupational (?:asthma|dermatitis|disease)|repetitive strain|back injury|"
    r"bleed(?:ing)?|bled|blood loss|lost consciousness|seizure|fit at work|"
    r"allergic reaction|anaphylactic|bee sting|stung|bitten|dog bite|animal bite|"
    # how an accident is reported: "was struck by a swinging hook", "a graze on both palms"
    r"(?:was |got |been )(?:scalded|struck|hit|burn(?:ed|t)|bitten|stung|crushed|trapped|"
    r"knocked down|run over|pinned|kicked|gored|trampled|mauled|butted|attacked|savaged) by|"
    r"(?:a |an )?(?:swollen|sprained|twisted|bruised|broken|split|cut|grazed|dislocated|"
    r"fractured|burnt|burned|bleeding) " + _SIDE + _BODY + r"|"
    r"(?:a |an )?(?:graze|cut|bruise|burn|gash|laceration|bump|blister|sprain|fracture|wound) "
    r"(?:on|to) " + _SIDE + _BODY)
_ABSENCE = (
    r"(?:phoned|called|rang|calling|phoning) in sick|(?:is|was|been|went|goes|go|feels?|felt|"
    r"getting|got|fell|off|home) (?:off )?(?:sick|ill|unwell|poorly)|sick (?:day|days|pay|leave|"
    r"note|certificate|absence)|off (?:work )?with (?:the |a |an )?(?:\w+ )?(?:flu|cold|virus|"
    r"bug|infection|fever|covid|injury|stress|migraine|back|knee|illness|sickness|"
    r"\w+itis|\w+ pain)|sickness absence|medical absence|recovering from|"
    r"on (?:the )?mend|convalescen\w+|signed off(?: with| for| sick)?(?! by\b)|panic attacks?|"
    r"mental breakdown|nervous breakdown|bereavement leave|compassionate leave")
_GENERAL = (
    r"diabet(?:es|ic)|asthma(?:tic)?|epilep(?:sy|tic)|seizures?|hiv|aids|hepatitis|"
    r"cancer|tumou?rs?|leuka?emia|lymphoma|melanoma|carcinoma|chemo(?:therapy)?|radiotherapy|"
    r"pregnan(?:t|cy)|miscarriage|ivf|endometriosis|depress(?:ion|ive)|anxiety(?: disorder)?|"
    r"panic attacks?|ptsd|bipolar|schizophreni[ac]|psychosis|dementia|alzheimer'?s|"
    r"parkinson'?s|multiple sclerosis|autis(?:m|tic)|adhd|ocd|eating disorder|anorexia|bulimia|"
    r"addiction|alcoholism|substance abuse|rehab|hypertension|high blood pressure|"
    r"blood pressure|blood sugar|cholesterol|heart (?:attack|condition|disease|failure|surgery)|"
    r"myocardial infarction|cardiac(?: arrest)?|arrhythmia|atrial fibrillation|pacemaker|"
    r"angina|(?:had|suffered) a stroke|stroke patient|insulin|dialysis|kidney (?:stones?|"
    r"disease|failure)|renal failure|liver disease|cirrhosis|allerg(?:y|ies|ic)|"
    r"anaphyla(?:xis|ctic)|copd|emphysema|bronchitis|pneumonia|tuberculosis|sleep apnoea?|"
    r"sleep apnea|insomnia|narcolepsy|migraines?|vertigo|tinnitus|hearing loss|glaucoma|"
    r"cataracts?|crohn'?s(?: disease)?|colitis|coeliac|celiac|ibs|ulcers?|hernia|appendicitis|"
    r"gallstones?|arthritis|rheumat\w+|osteoporosis|gout|lupus|psoriasis|eczema|dermatitis|"
    r"thyroid|anaemia|anemia|sickle cell|ha?emophilia|obesity|chronic (?:back |neck )?pain|"
    r"back pain|whiplash|fractured?|broken (?:arm|leg|wrist|ankle|finger|rib|hand|foot)s?|"
    r"concussion|laceration|stitches|sutures?|sprain(?:ed)?|dislocated|torn ligament|"
    r"tendinitis|tendonitis|carpal tunnel|rsi|bruis(?:e|ed|ing)|(?:minor |major )?burns? to|"
    r"cuts? to the \w+|"
    r"(?:cut|burn(?:ed|t)|hurt|injured|sprained|twisted|dislocated|bruised|pulled|strained|"
    r"crushed|trapped|scalded|grazed|caught|jammed|pinched|banged|smashed|broke|ruptured|"
    r"rolled|tore) "
    r"(?:a |an |his |her |their |my |one |two |both )?"
    rf"(?:left |right |lower |upper )?(?:muscle in (?:his|her|their|my|the) )?{_BODY}|"
    r"splinter|"
    rf"(?:hit|struck|knocked|bumped|a bump) on the {_BODY}|went down hard|"
    rf"(?:fractured|broke|broken) (?:a |an |his |her |their |my |two |both )?(?:left |right )?{_BODY}|"
    r"(?:first|second|third)[- ]degree burns?|amputat(?:ion|ed)|prosthe(?:sis|tic)|"
    r"transplant|injur(?:y|ies|ed)|sick (?:leave|note)|off sick|signed off(?! by\b)|medical (?:leave|"
    r"certificate|condition|history)|doctor'?s note|diagnos(?:is|ed)|prescri(?:bed|ption)|"
    r"medications?|antidepressants?|antibiotics?|opioids?|ibuprofen|paracetamol|metformin|"
    r"warfarin|\d+\s?mg\b|blood test|drug test|alcohol test|disabilit(?:y|ies)|disabled|"
    r"wheelchair|crutches|hearing aid|mental health|therapy|physiotherapy|influenza|"
    r"covid(?:-19)?|long covid|sepsis|meningitis|measles|infection|infected|hpv|st[di]s?|"
    r"faint(?:ed|ing)?|passed out|collapsed|unconscious|dizz(?:y|iness)|nause(?:a|ous)|"
    r"vomit(?:ed|ing)?|fever|bleeding|nosebleed|palpitations|short(?:ness)? of breath|"
    r"chest pains?|headaches?|symptoms?|"
    r"chlamydia|syphilis|herpes|icd-?10|hospitali[sz]ed|admitted to|surgery|operation on|"
    r"shingles|(?:heart )?murmur|(?:slipped|herniated|prolapsed) dis[ck]|sciatica|"
    r"chemical burns?|burns? on|(?:off work|signed off|leave) with (?:stress|\w+ pain|an? \w+)|"
    r"work-related stress|stress leave|burnout|"
    r"schwanger(?:schaft)?|krankmeldung|krankgeschrieben|arbeitsunfähig(?:keit)?|verletzung|"
    r"grossesse|arrêt maladie|blessure|ciąża|zwolnienie lekarskie|"
    r"\d+(?:\.\d+)?\s?(?:mg|mcg|µg|мг|мкг)\b(?:\s(?:daily|weekly|twice|once|bd|tds|od))?")


def _top_level(pattern: str) -> list[str]:
    """Split ``pattern`` at the ``|`` that are not inside a group or a class."""
    parts, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return [p for p in parts if p]


def _by_first_letter(pattern: str) -> str:
    """Regroup the alternatives of ``pattern`` under the letters they can begin with.

    Python's ``re`` tries alternatives one by one at every word start; with some 700
    terms that dominates the detector's time. A term that opens with a letter is filed
    under a case-sensitive class (``[aA]``, which ``re`` rejects in C when the text's
    letter is not in it) with the rest of the term case-insensitive; a term that opens
    with a group (``(?:had|suffered) a stroke``) sits behind a look-ahead for the letters
    it can begin with. Only terms that can begin with anything are tried everywhere.
    """
    groups: dict[str, list[str]] = {}
    led: list[str] = []
    other: list[str] = []
    for term in _top_level(pattern):
        first = term[0]
        if first.isalpha() and len(first.upper()) == 1 and term[1:2] not in ("?", "*", "{", "+"):
            groups.setdefault(first.lower(), []).append(term[1:])
            continue
        letters = first_letters(term)
        if letters is None:
            other.append(term)
        else:
            cls = "".join(sorted(letters | {c.upper() for c in letters}))
            led.append(f"(?=[{cls}])(?i:{term})")
    branches = [f"[{c}{c.upper()}](?i:{'|'.join(rests)})" for c, rests in sorted(groups.items())]
    return "|".join(branches + led + ([f"(?i:{'|'.join(other)})"] if other else []))


# medical word endings: hypothyroidism, tendinitis, fibromyalgia, neuropathy, appendectomy
_ENDINGS = ("itis", "osis", "iasis", "aemia", "pathy", "algia", "plegia", "phobia", "ectomy",
            "otomy", "ostomy", "oscopy", "plasty", "thyroidism",
            # the WHO's stems for medicine names: adalimumab, ramipril, losartan, atenolol,
            # simvastatin, omeprazole, azithromycin, amoxicillin, ciprofloxacin, imatinib,
            # aciclovir, chloroquine, mycophenolate, lumefantrine
            "mab", "pril", "sartan", "olol", "statin", "prazole", "mycin", "cillin", "floxacin",
            "tinib", "ciclovir", "vudine", "quine", "quantel", "phenolate", "fantrine", "conazole",
            "nidazole", "bendazole", "tegravir", "mectin", "gliflozin", "glutide", "dipine")
# German, Hungarian and Finnish build conditions as compounds: Oberschenkelhalsbruch,
# Lungenentzündung, Herzerkrankung, Rückenschmerzen; lábtörés (a broken leg); lonkkamurtuma
# (a hip fracture), polven tähystys (a knee arthroscopy)
_COMPOUND_ENDINGS = ("halsbruch", "beinbruch", "armbruch", "rippenbruch", "knochenbruch",
                     "wirbelbruch", "gelenksbruch", "fingerbruch", "schädelbruch", "fußbruch",
                     "knöchelbruch", "entzündung", "erkrankung", "schmerzen", "infarkt",
                     "verletzung", "krebs", "diabetes", "törés", "gyulladás", "betegség",
                     "murtuma", "tähystys", "tulehdus")
_WORD = re.compile(r"[^\W\d_]{6,}")
_ALL_ENDINGS = _ENDINGS + _COMPOUND_ENDINGS
_NOT_MEDICAL = frozenset({"diagnosis", "didiagnosis", "prognosis", "osmosis", "symbiosis",
                          "empathy", "sympathy", "apathy", "telepathy"})


# What follows a diagnosis word is a condition, in whatever language or shorthand it is
# written ("Diagnosis hipertensión arterial", "Known T2DM", "suivi pour CKD stage 3"), up
# to the end of the clause.
_DIAGNOSED = re.compile(
    r"(?i)(?:\b(?:diagnos(?:is|ed with|e|i|tic[oa]?)|diagnóstico|diagnóza|chẩn đoán|admitted with|"
    r"allergic to|al[ée]rgic[oa] a|allergisch gegen|allergique [àa]|uczulony na|"
    r"diagnóz(?:is|a)|diagnoz[aă]|diagnoosi|диагноз|діагноз|internat[aă]? cu|"
    r"aufnahme wegen|eingeliefert mit|lähete|dirujuk (?:kerana|karena)|dirawat (?:kerana|karena)|"
    r"menghidap|menderita|направлен[аоы]? на|госпитализирован[аы]? с|"
    r"known(?: case of| history of)?|"
    r"history of|hx of|dx|suffers? from|suffering from|treated for|under treatment for|"
    r"presents? with|presenting with|complains? of|complaining of|complaint(?=\s*:)|"
    r"didiagnos[ai]s?|"
    r"suivi pour|traité pour|in terapia per|affetto da|affetta da|leidet an|behandelt wegen|"
    r"rozpoznanie|befund|allerg(?:y|ies)(?:\s+(?:documented|noted|recorded|listed))?(?=\s*:))\b|"
    r"โรคประจำตัว|ป่วยเป็น|تشخیص|تشخيص|التشخيص|진단명|진단)\s*[:\-]?\s*"
    r"(?!(?:to|as|for|by|at|in|from|that|about|of|on)\b)"
    r"((?-i:[A-Z]\d{2}(?:\.\d{1,3})?\s+)?[^\W\d_][\w'’-]*(?:\s+(?!(?:currently|and|with|on|since|"
    r"for|plan|taking|in|at|but|who|which|referred|was|is)\b)[\w'’-]+){0,5})")


@lru_cache(maxsize=256)
def health_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Return the ``(start, end)`` of every health term in ``text`` (the last texts' answers
    are kept: the detector asks about one text several times)."""
    spans = [m.span() for m in HEALTH_TERMS.finditer(text)]
    spans += [m.span(1) for m in _DIAGNOSED.finditer(text)]
    for m in _WORD.finditer(text):
        word = m.group().lower()
        if word.endswith(_ALL_ENDINGS) and word not in _NOT_MEDICAL:
            spans.append(m.span())
    return tuple((s, e) for s, e in spans
                 if not _heading(text, s, e, spans) and not _EQUIPMENT.match(text, e)
                 and not text.startswith("=", e))


# "vaccine fridge", "ECG patch 3C:71:BF:…", "ECG cart", "prescription printer", "the
# immunisation store", "the outpatient pharmacy": a health word naming a piece of equipment
# or a room says nothing about a person; nor does a field name ("statin=…")
_EQUIPMENT = re.compile(r"(?i)\s(?:fridges?|freezers?|cool(?:er|box)|carts?|trolleys?|"
                        r"printers?|loggers?|stores?|pharmacy|patch\s+[0-9A-F]{2}[:-]?[0-9A-F]{2})\b")


# "Diagnosis: ...", "medication prednisolone 30 mg", "Allergies: penicillin": the word that
# introduces a health entry is not itself health data when the entry follows it
_HEADINGS = frozenset({"diagnosis", "diagnosed", "medication", "medications", "allergy",
                       "allergies", "prescription", "symptoms", "treatment", "dx"})
_AFTER_HEADING = re.compile(r"[\s:=\-–]*(?:with\s+)?")


def _heading(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    if text[start:end].lower() not in _HEADINGS:
        return False
    nxt = _AFTER_HEADING.match(text, end)
    after = nxt.end() if nxt else end
    return text.startswith(":", end) or any(s == after for s, _ in spans)


# the commonest conditions in the languages of the appliance's regions, as they are written
# on local forms and labels (Spanish, Portuguese, Italian, French, German, Polish, Dutch,
# Turkish, Persian, Arabic)
_OTHER_LANGUAGES = (
    r"diabète|diabete|cukrzyca|suikerziekte|şeker hastalığı|diyabet|دیابت|السكري|"
    r"hipertensión|hipertensão|ipertensione|nadciśnienie|bluthochdruck|hoge bloeddruk|"
    r"hipertansiyon|فشار خون|ارتفاع ضغط الدم|"
    r"asma|astma|asthme|آسم|الربو|"
    r"cáncer|cancro|câncer|krebserkrankung|kanser|سرطان|"
    r"embarazo|embarazada|gravidanza|incinta|grávida|gravidez|zwanger(?:schap)?|hamile|"
    r"بارداری|"
    r"depresión|depressione|depressão|depresja|dépression|depressie|افسردگی|الاكتئاب|"
    r"epilepsia|epilessia|padaczka|épilepsie|epilepsie|صرع|الصرع|"
    r"infarto|zawał(?: serca)?|herzinfarkt|infarctus|hartaanval|kalp krizi|سکته|"
    r"alergia|allergia|alergie|allergie|alerji|آلرژی|حساسية|pénicilline|penicilina|гипертензи|"
    r"fractura|frattura|fratura|złamanie|knochenbruch|kırık|شکستگی|"
    r"baja médica|licencia médica|atestado médico|malattia|congedo per malattia|"
    r"ziekmelding|rapor(?:lu)?|مرخصی استعلاجی|إجازة مرضية|"
    # German: injuries by body part; compounds are found by their endings (_COMPOUND_ENDINGS)
    r"schlaganfall|gehirnerschütterung|zuckerkrank\w*|"
    r"(?:daumen|finger|hand|arm|bein|fuß|fuss|knie|knöchel|handgelenk|rücken|kopf|auge|zeh|"
    r"schulter) (?:gequetscht|gebrochen|verstaucht|verbrannt|verletzt|geschnitten|geprellt|"
    r"eingeklemmt|verrenkt|ausgekugelt)|"
    # Romanian
    r"pneumonie|diabet(?: zaharat)?|hipertensiune(?: arterială)?|astm|infarct|fractur[aă]|"
    r"gripă|tuberculoz[aă]|accident vascular|"
    # Hungarian
    r"magas vérnyomás|cukorbetegség|cukorbeteg|szívinfarktus|tüdőgyulladás|agyvérzés|"
    r"depresszió|terhesség|asztma|"
    # Finnish
    r"verenpainetauti|keuhkokuume|sokeritauti|masennus|raskaus|syöpä|aivoinfarkti|"
    r"sydäninfarkti|"
    # Russian, Ukrainian, Tatar and other Cyrillic scripts
    r"диабет\w*|гипертони\w*|гіпертоні\w*|инфаркт\w*|інфаркт\w*|инсульт\w*|"
    r"інсульт\w*|пневмони\w*|пневмоні\w*|туберкул[её]з\w*|туберкульоз\w*|астм\w*|"
    r"перелом\w*|беременн\w*|вагітн\w*|депресси\w*|депресі\w*|онколог\w*|"
    r"узи|узд|мрт|экг|екг|"
    # Korean
    r"당뇨병?|고혈압|천식|폐렴|우울증|골절|뇌졸중|임신|결핵|간염|"
    # Hausa, Chichewa, Bemba, Luganda, Kinyarwanda, Swahili
    r"zazzabi\w*|cizon sauro|tarin fuka|ciwon (?:sukari|daji|hanta|zuciya|kai|ciki)|"
    r"hawan jini|kanjamau|chifuwa(?: chachikulu)?|malungo|"
    r"kuthamanga kwa magazi|ubulwele|umalaria|icifuba|omusujja|akafuba|sukaali|puleesa|"
    r"mukenenya|obulwadde|malariya|igituntu|diyabete|kifua kikuu|kisukari|"
    r"shinikizo la damu|ukimwi|ugonjwa wa \w+|"
    # Malay and Indonesian
    r"demam (?:denggi|berdarah|kepialu|malaria|tifoid|kuning)|kencing manis|darah tinggi|"
    r"sakit (?:jantung|buah pinggang|kuning|gula)|batuk kering|strok|"
    r"patah (?:tangan|kaki|lengan|tulang|jari)|"
    # French
    r"piqûre de \w+|morsure de \w+|paludisme|tuberculose|entorse|brûlure|"
    r"accident vasculaire")

HEALTH_TERMS = re.compile(
    r"\b(?:" + _by_first_letter(
        f"{_GENERAL}|{_MEDICINES}|{_CONDITIONS}|{_PROCEDURES}|{_INJURIES}|{_ABSENCE}|"
        f"{_OTHER_LANGUAGES}")
    + r")\b|(?i:(?<![a-zà-ÿ])" + _EPONYMS + ")")
