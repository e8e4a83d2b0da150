"""Casual, chat-style domain prompts from a hand-written topic lexicon (no dataset text): people ask "whats quicksort's
time complexity" or "explain inflation like im 5", not exam stems. Topics are split train/val by hash, so validation
measures topics never seen in training. Deterministic."""
import hashlib
import random

TOPICS = {
    "biology": ["mitosis", "meiosis", "photosynthesis", "DNA replication", "natural selection", "the Krebs cycle", "CRISPR", "cell membranes",
                "mitochondria", "protein synthesis", "gene expression", "evolution", "ecosystems", "food chains", "the nervous system of insects",
                "enzymes", "osmosis", "genetic mutations", "RNA", "bacteria vs viruses", "plant hormones", "how bees communicate", "chromosomes",
                "dominant and recessive genes", "stem cells", "cellular respiration", "symbiosis", "the immune system of plants", "fungi",
                "biodiversity", "punnett squares", "how cells divide", "ribosomes", "taxonomy", "animal migration"],
    "business": ["a marketing plan", "a business plan for a bakery", "cash flow", "profit margins", "a SWOT analysis", "pricing strategy",
                 "hiring my first employee", "a pitch deck", "startup funding", "customer retention", "supply chain management", "accounting basics",
                 "double entry bookkeeping", "an LLC vs a sole proprietorship", "a balance sheet", "break-even analysis", "sales funnels",
                 "negotiating with suppliers", "a go-to-market strategy", "inventory management", "branding", "depreciation of equipment",
                 "a quarterly budget", "return on investment", "managing a small team", "product-market fit", "an income statement",
                 "franchising", "stock options for employees", "project management", "corporate governance", "mergers and acquisitions"],
    "chemistry": ["balancing chemical equations", "the periodic table", "covalent bonds", "ionic bonds", "pH and acids", "molarity",
                  "stoichiometry", "redox reactions", "organic chemistry functional groups", "electronegativity", "titration", "chemical equilibrium",
                  "Le Chatelier's principle", "reaction rates", "catalysts", "polymers", "isotopes", "electron configuration", "hydrogen bonding",
                  "the ideal gas law", "oxidation numbers", "buffers", "esters", "moles and Avogadro's number", "exothermic reactions",
                  "why salt dissolves in water", "distillation", "chirality", "benzene rings", "valence electrons", "half-life of a radioactive sample"],
    "computer science": ["quicksort", "binary search", "linked lists", "hash tables", "recursion", "big O notation", "dynamic programming",
                         "a segmentation fault", "a null pointer exception", "git rebase", "SQL joins", "REST APIs", "docker containers",
                         "python decorators", "javascript promises", "async await", "a stack overflow error", "binary trees", "graph traversal",
                         "Dijkstra's algorithm", "memory leaks", "object oriented programming", "TCP vs UDP", "regular expressions",
                         "multithreading", "a race condition", "compilers", "garbage collection", "unit tests", "a merge conflict", "CSS flexbox",
                         "React hooks", "a python list comprehension", "sorting algorithms", "operating system scheduling", "public key cryptography"],
    "economics": ["inflation", "supply and demand", "interest rates", "GDP", "recessions", "opportunity cost", "the federal reserve",
                  "monetary policy", "fiscal policy", "unemployment", "elasticity of demand", "comparative advantage", "tariffs", "game theory",
                  "monopolies", "marginal utility", "the stock market", "exchange rates", "quantitative easing", "price ceilings", "externalities",
                  "the business cycle", "trade deficits", "minimum wage effects", "compound interest", "consumer surplus", "Keynesian economics",
                  "deflation", "how banks create money", "diminishing returns"],
    "engineering": ["how a transistor works", "bridge design", "load bearing walls", "torque", "gear ratios", "PID controllers", "stress and strain",
                    "circuit design", "Ohm's law in a circuit", "a voltage divider", "heat exchangers", "beam deflection", "CAD modeling",
                    "tolerances in machining", "hydraulic systems", "a four-stroke engine", "signal processing", "an op amp", "welding joints",
                    "HVAC sizing", "solar panel wiring", "structural steel", "concrete curing", "fluid flow in pipes", "a feedback control loop",
                    "a microcontroller project", "PCB layout", "material fatigue", "thermodynamic cycles in engines", "wind turbine blades"],
    "health": ["high blood pressure", "LDL cholesterol", "type 2 diabetes", "a migraine", "how vaccines work", "intermittent fasting",
               "vitamin D deficiency", "sleep hygiene", "back pain", "a sore throat that won't go away", "anxiety medication side effects",
               "how much protein I need", "a healthy diet", "allergies", "asthma", "the flu vs a cold", "knee pain after running", "ibuprofen dosage",
               "heart disease risk", "a rash on my arm", "pregnancy symptoms", "losing weight safely", "blood test results", "antibiotics",
               "high resting heart rate", "dehydration", "concussion symptoms", "thyroid problems", "physical therapy exercises", "skin care for acne"],
    "history": ["world war 1", "world war 2", "the french revolution", "the roman empire", "the cold war", "the american civil war",
                "the industrial revolution", "ancient egypt", "the renaissance", "the fall of the berlin wall", "the ottoman empire",
                "the civil rights movement", "the great depression", "the silk road", "the vikings", "the byzantine empire", "colonialism in africa",
                "the meiji restoration", "the protestant reformation", "the aztecs", "the cuban missile crisis", "the magna carta", "the mongol empire",
                "the russian revolution", "medieval feudalism", "the american revolution", "ancient greece", "the partition of india", "the black death"],
    "law": ["breaking a lease", "a non-compete agreement", "tenant rights", "copyright infringement", "fair use", "small claims court",
            "wrongful termination", "a prenup", "writing a will", "power of attorney", "getting a patent", "trademark registration",
            "a speeding ticket", "custody arrangements", "contract law basics", "an NDA", "liability waivers", "the fourth amendment",
            "self defense laws", "due process", "filing for divorce", "being sued for defamation", "an eviction notice", "GDPR compliance",
            "probate", "jury duty", "plea bargains", "intellectual property", "employment contracts", "statute of limitations"],
    "math": ["derivatives", "integrals", "the chain rule", "limits", "matrices", "eigenvalues", "probability", "the quadratic formula",
             "prime numbers", "proofs by induction", "logarithms", "trigonometry identities", "complex numbers", "vectors", "linear equations",
             "set theory", "permutations and combinations", "Bayes theorem", "standard deviation", "geometric series", "the pythagorean theorem",
             "differential equations", "taylor series", "modular arithmetic", "why the square root of 2 is irrational", "fractions",
             "the area of a circle", "expected value", "graph theory", "partial derivatives", "solving for x"],
    "philosophy": ["Kant's ethics", "utilitarianism", "free will", "the trolley problem", "existentialism", "stoicism", "Plato's cave",
                   "Descartes' cogito", "nihilism", "the meaning of life", "moral relativism", "the problem of evil", "Nietzsche",
                   "virtue ethics", "epistemology", "the ship of Theseus", "consciousness and the mind-body problem", "determinism",
                   "Socratic method", "social contract theory", "logical fallacies", "Hume's problem of induction", "absurdism", "Confucianism",
                   "personal identity", "metaphysics", "Aristotle's golden mean", "solipsism", "Kierkegaard", "ethics of AI"],
    "physics": ["quantum entanglement", "general relativity", "newton's laws", "entropy", "black holes", "the doppler effect", "momentum",
                "friction", "electromagnetic waves", "why the sky is blue", "gravity", "the speed of light", "nuclear fission", "magnetism",
                "projectile motion", "kinetic energy", "thermodynamics", "the photoelectric effect", "special relativity", "dark matter",
                "string theory", "centripetal force", "wave-particle duality", "superconductors", "buoyancy", "the big bang", "half-life",
                "pendulums", "refraction of light", "electric fields"],
    "psychology": ["cognitive dissonance", "procrastination", "confirmation bias", "attachment styles", "impostor syndrome", "motivation",
                   "classical conditioning", "Maslow's hierarchy of needs", "the placebo effect", "burnout", "introverts vs extroverts",
                   "memory and forgetting", "habits", "childhood development", "the bystander effect", "emotional intelligence", "groupthink",
                   "self-esteem", "learned helplessness", "personality tests", "dreams", "social anxiety", "grief", "the Dunning-Kruger effect",
                   "operant conditioning", "flow state", "peer pressure", "decision fatigue", "cognitive behavioral therapy", "body language"],
}

TEMPLATES = ["how does {t} work", "what is {t}", "whats {t}", "can you explain {t}", "explain {t} like im five", "help me understand {t}",
             "i have a question about {t}", "quick question about {t}", "why does {t} matter", "give me an example of {t}",
             "what's the difference between {t} and {u}", "im studying {t} for an exam, any tips?", "summarize {t} in 3 bullet points",
             "{t}?", "ELI5: {t}", "write a short explanation of {t}", "is {t} hard to learn", "teach me {t}", "what should I know about {t}",
             "i don't get {t}", "can you help me with {t}", "i'm confused about {t}", "what are common mistakes with {t}", "tell me about {t}",
             "how would you explain {t} to a beginner", "{t} - where do I start?", "pros and cons of {t}", "need help with {t} asap",
             "my teacher mentioned {t} today, what is it", "is this right? i think {t} means something else", "compare {t} with {u}",
             "quiz me on {t}", "give me 5 facts about {t}", "what's a real world use of {t}"]


def _bucket(s, salt):
    return int(hashlib.sha1(f"{salt}:{s}".encode()).hexdigest()[:8], 16) / 2 ** 32


def validation_topics():
    """Topics held out for validation (other generators must not train on them)."""
    return [t for topics in TOPICS.values() for t in topics if _bucket(t, "topic") < 0.15]


def casual_domain_prompts(n_per_topic=14, seed=11):
    """-> list of {text, label, split, form='casual'}; topics hashed 85/15 into train/val."""
    r = random.Random(seed)
    rows = []
    for label, topics in sorted(TOPICS.items()):
        for t in topics:
            split = "val" if _bucket(t, "topic") < 0.15 else "train"
            same_split = [u for u in topics if u != t and (_bucket(u, "topic") < 0.15) == (split == "val")]
            for tpl in r.sample(TEMPLATES, n_per_topic):
                text = tpl.format(t=t, u=r.choice(same_split) if same_split else t)
                v = r.random()
                if v < 0.3:
                    text = text.lower()
                elif v < 0.45:
                    text = text[0].upper() + text[1:]
                if r.random() < 0.3:
                    text = text.rstrip("?.") + r.choice(["", "?", "??", ".", " pls", " thanks"])
                rows.append({"text": text, "label": label, "split": split, "form": "casual", "src": "topic-lexicon"})
    return rows
