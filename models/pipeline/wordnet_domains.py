"""Domain prompts from WordNet 3.0 (Debian `wordnet-base`, WordNet licence: use, copy, modify and distribute for any
purpose with the copyright notice): WordNet marks ~6,600 synsets with a topic domain (";c" pointers: "tort" -> law,
"torque" -> physics). The 5.9M-parameter encoder learns its vocabulary of topics only from its training data; exam stems
and a hand-written topic lexicon cover a few hundred topics, so casual prompts about unseen topics ("ELI5: torque")
were the weakest form on validation. Each WordNet topic domain is mapped to one of the 14 categories (by its own name,
else by its hypernyms); domains that fit none (mythology, religions, the military) are left out. Members and their
direct hyponyms become casual prompts (train split only; terms of the validation topic lexicon are excluded so
validation still measures unseen topics). Deterministic."""
import functools
import os
import random
import re
import sys

WN = os.environ.get("WORDNET_DIR", "/usr/share/wordnet")

# Topic-domain names (any lemma of the domain synset, lower-case) -> category; unlisted domains are looked up by their hypernyms.
CATEGORY_OF_DOMAIN = {
    "law": "law", "jurisprudence": "law", "criminal law": "law", "civil law": "law", "crime": "law", "legal": "law",
    "chemistry": "chemistry", "biochemistry": "chemistry", "organic chemistry": "chemistry", "chemical science": "chemistry",
    "computer science": "computer science", "computing": "computer science", "computer": "computer science", "programming": "computer science",
    "biology": "biology", "botany": "biology", "zoology": "biology", "genetics": "biology", "plant": "biology", "animal": "biology",
    "microbiology": "biology", "ecology": "biology", "entomology": "biology", "ornithology": "biology", "embryology": "biology",
    "cytology": "biology", "bacteriology": "biology", "mycology": "biology", "ichthyology": "biology",
    "physics": "physics", "astronomy": "physics", "optics": "physics", "mechanics": "physics", "thermodynamics": "physics",
    "nuclear physics": "physics", "electromagnetism": "physics", "acoustics": "physics", "quantum physics": "physics", "astrophysics": "physics",
    "mathematics": "math", "math": "math", "statistics": "math", "geometry": "math", "algebra": "math", "arithmetic": "math",
    "trigonometry": "math", "calculus": "math", "topology": "math",
    "medicine": "health", "anatomy": "health", "pathology": "health", "physiology": "health", "pharmacology": "health",
    "surgery": "health", "dentistry": "health", "obstetrics": "health", "immunology": "health", "nutrition": "health",
    "ophthalmology": "health", "oncology": "health", "dermatology": "health", "neurology": "health", "cardiology": "health",
    "virology": "health", "epidemiology": "health", "pediatrics": "health", "gynecology": "health", "veterinary medicine": "health",
    "psychology": "psychology", "psychiatry": "psychology", "psychoanalysis": "psychology", "psychophysics": "psychology",
    "philosophy": "philosophy", "ethics": "philosophy", "metaphysics": "philosophy", "epistemology": "philosophy", "logic": "philosophy",
    "economics": "economics", "political economy": "economics", "macroeconomics": "economics", "microeconomics": "economics",
    "commerce": "business", "business": "business", "finance": "business", "accounting": "business", "banking": "business",
    "marketing": "business", "advertising": "business", "insurance": "business", "securities industry": "business", "stock exchange": "business",
    "engineering": "engineering", "electronics": "engineering", "electrical engineering": "engineering", "mechanical engineering": "engineering",
    "architecture": "engineering", "telecommunication": "engineering", "civil engineering": "engineering", "metallurgy": "engineering",
    "electricity": "engineering", "aeronautics": "engineering",
    "antiquity": "history", "middle ages": "history", "history": "history", "archeology": "history", "archaeology": "history",
    "feudalism": "history", "renaissance": "history",
    "sport": "other", "music": "other", "cooking": "other", "golf": "other", "baseball": "other", "football": "other", "basketball": "other",
    "art": "other", "photography": "other", "card game": "other", "chess": "other", "tennis": "other", "cricket": "other",
    "dance": "other", "theater": "other", "performing arts": "other", "handicraft": "other", "sewing": "other", "gardening": "other",
    "fishing": "other", "hunting": "other", "skiing": "other", "bowling": "other", "boxing": "other", "soccer": "other",
    "journalism": "other", "printing": "other", "publishing": "other", "television": "other", "film": "other", "cinema": "other",
}


@functools.lru_cache(maxsize=1)
def load_synsets():
    """Noun synsets of data.noun, in file order: {offset+"n": {words, ptrs, gloss}} (verbs and adjectives gave vague prompts:
    "what is rough", "define double")."""
    path = os.path.join(WN, "data.noun")
    if not os.path.exists(path):
        sys.exit(f"WordNet not found in {WN}: install Debian's wordnet-base (apt-get install -y wordnet-base) "
                 "or set WORDNET_DIR to a WordNet 3.0 dict folder")
    syn = {}
    for line in open(path, encoding="latin-1"):
        if line.startswith("  "):
            continue
        head, _, gloss = line.partition(" | ")
        f = head.split()
        n = int(f[3], 16)
        words = [re.sub(r"\(\w+\)$", "", f[4 + 2 * i]).replace("_", " ") for i in range(n)]
        k = 4 + 2 * n
        ptrs = [(f[k + 1 + 4 * i], f[k + 2 + 4 * i] + f[k + 3 + 4 * i][0]) for i in range(int(f[k]))]
        syn[f[0] + "n"] = {"words": words, "ptrs": ptrs, "gloss": gloss.strip()}
    return syn


def first_gloss(synset):
    """The definition before the first example sentence."""
    return synset["gloss"].split(";")[0].strip().strip('"')


def noun_glosses():
    """Every noun synset's definition of at least 4 words (a wide, PII-poor vocabulary)."""
    return [g for g in map(first_gloss, load_synsets().values()) if len(g.split()) >= 4]


def noun_sense_counts():
    """lemma -> number of noun senses (index.noun); a lemma with many senses says little about one topic ("fault")."""
    out = {}
    for line in open(os.path.join(WN, "index.noun"), encoding="latin-1"):
        if not line.startswith(" "):
            f = line.split()
            out[f[0].replace("_", " ")] = int(f[2])
    return out


def domain_category(syn, key, depth=0):
    words = [w.lower() for w in syn[key]["words"]]
    for w in words:
        if w in CATEGORY_OF_DOMAIN:
            return CATEGORY_OF_DOMAIN[w]
    if depth < 3:
        for sym, t in syn[key]["ptrs"]:
            if sym in ("@", "@i") and t in syn:
                c = domain_category(syn, t, depth + 1)
                if c:
                    return c
    return None


def wordnet_terms(exclude=()):
    """[(category, term, gloss)]: topic-domain members and their direct hyponyms."""
    syn = load_synsets()
    members = {}
    for k, s in syn.items():
        for sym, t in s["ptrs"]:
            if sym == ";c" and t in syn:
                c = domain_category(syn, t)
                if c:
                    members.setdefault(k, c)
    for k, c in list(members.items()):
        if k.endswith("n"):
            for sym, t in syn[k]["ptrs"]:
                if sym == "~" and t in syn and not any(p == ";c" for p, _ in syn[t]["ptrs"]):
                    members.setdefault(t, c)
    ex = [e.lower() for e in exclude]
    senses = noun_sense_counts()
    out = []
    for k, c in sorted(members.items()):
        gloss = re.sub(r"^\([^)]*\)\s*", "", first_gloss(syn[k]))
        for w in syn[k]["words"][:2]:
            lw = w.lower()
            if len(w) < 4 or any(ch.isdigit() for ch in w) or senses.get(lw, 1) > 2 or any(lw in e or e in lw for e in ex):
                continue
            out.append((c, w, gloss))
    return out


TEMPLATES = ["what is {t}", "what's {t}?", "explain {t}", "{t}?", "can you explain {t} simply", "what does {t} mean", "ELI5 {t}",
             "i keep hearing about {t}, what is it", "help me understand {t}", "quick q: {t}", "tell me about {t}", "{t} explained pls",
             "is {t} important", "define {t}", "how is {t} used", "what's an example of {t}", "my notes say {t}, what's that",
             "write a paragraph about {t}", "i need a study guide on {t}", "give me a simple definition of {t}"]
GLOSS_TEMPLATES = ["what's the word for {g}?", "what do you call {g}", "term for {g}", "{t}: {g}. can you expand on this?",
                   "is {t} the same as {g}?"]


def wordnet_domain_prompts(exclude=(), per_term=2, seed=23, cap_per_category=2500):
    r = random.Random(seed)
    terms = wordnet_terms(exclude)
    r.shuffle(terms)
    rows, per_cat = [], {}
    for c, t, g in terms:
        if per_cat.get(c, 0) >= cap_per_category:
            continue
        for tpl in r.sample(TEMPLATES, per_term) + ([r.choice(GLOSS_TEMPLATES)] if g and r.random() < 0.5 else []):
            text = tpl.format(t=t, g=g)
            if r.random() < 0.3:
                text = text.lower()
            rows.append({"text": text, "label": c, "split": "train", "form": "wordnet", "src": "wordnet-3.0"})
            per_cat[c] = per_cat.get(c, 0) + 1
    return rows


if __name__ == "__main__":
    from collections import Counter
    rows = wordnet_domain_prompts()
    print(len(rows), Counter(x["label"] for x in rows))
    for x in random.Random(1).sample(rows, 25):
        print(x["label"], "|", x["text"][:120])
