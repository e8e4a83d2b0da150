import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLinear, fill } from '../../test/linear-growth.js';
import { mergePiiSpans, recognizePatterns } from './pii-patterns.js';
import {
  addDemonymsInContext,
  addAgesInContext,
  ageAsSaid,
  addHouseNumbers,
  addZipCodesInContext,
  CASE_EVIDENCE,
  capitalisedNamesGainScore,
  cutNamesAtSentenceEnds,
  jobTitlesBeforeNames,
  mergeFragments,
  namesAfterCues,
  refinePiiSpans,
  requireAgeContext,
  retypeCompanyNames,
  retypeDemonyms,
  retypeStreetlessAddresses,
  splitHonorifics,
  tidyStreetAddresses,
  titlesBeforeNames,
  trimNamePunctuation,
  trimRelationWords,
} from './pii-refine.js';
import type { PiiSpan } from './types.js';

/** A span over the first occurrence of `piece` in `text`. */
function at(text: string, piece: string, type: string, score = 0.9, from = 0): PiiSpan {
  const start = text.indexOf(piece, from);
  if (start < 0) throw new Error(`${piece} not in ${text}`);
  return { type, start, end: start + piece.length, score };
}
/** A span at every occurrence of `piece` in `text`, moved by `shift` and `length` long (a model span on each repeat). */
function atEach(text: string, piece: string, type: string, score: number, shift: number, length: number): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (let i = text.indexOf(piece); i >= 0; i = text.indexOf(piece, i + 1)) spans.push({ type, start: i + shift, end: i + shift + length, score });
  return spans;
}
const shown = (text: string, spans: readonly PiiSpan[]): string[] => spans.map((s) => `${s.type}:${text.slice(s.start, s.end)}`);
const text = (t: string, s: PiiSpan): string => t.slice(s.start, s.end);

describe('retypeStreetlessAddresses', () => {
  it('turns a town tagged as an address into a place name', () => {
    const t = 'hi, i live in Kyleton. what are my options?';
    expect(shown(t, retypeStreetlessAddresses([at(t, 'Kyleton', 'STREET_ADDRESS')], t))).toEqual(['GPE:Kyleton']);
  });
  it('keeps addresses with a house number or a street word', () => {
    const t = 'mail it to 343 McDermott Walk or Rue du Bac';
    const spans = [at(t, '343 McDermott Walk', 'STREET_ADDRESS'), at(t, 'Rue du Bac', 'STREET_ADDRESS')];
    expect(retypeStreetlessAddresses(spans, t)).toEqual(spans);
  });
});

describe('tidyStreetAddresses', () => {
  it('drops a bare small number', () => {
    const t = 'Need to see last 10 transaction of card 4351130092557588';
    expect(tidyStreetAddresses([at(t, '10', 'STREET_ADDRESS')], t)).toEqual([]);
  });
  it('cuts trailing commas off an address', () => {
    const t = 'Our new office: 79 Moore Rise, Upper Ziemannton, beneficiary IBAN below';
    expect(shown(t, tidyStreetAddresses([at(t, '79 Moore Rise, Upper Ziemannton,', 'STREET_ADDRESS')], t))).toEqual(['STREET_ADDRESS:79 Moore Rise, Upper Ziemannton']);
  });
  it('cuts lower-case words trailing an address when the writer capitalises', () => {
    const t = 'The title refers to 1668 Glyn St street in Highveld. It was on this street that Metallica played.';
    expect(shown(t, tidyStreetAddresses([at(t, '1668 Glyn St street in', 'STREET_ADDRESS')], t))).toEqual(['STREET_ADDRESS:1668 Glyn St']);
  });
  it('leaves addresses of writers who type in lower case alone', () => {
    const t = 'our new office: 96771 myrna path, sylvanfort, la 27451';
    const s = [at(t, '96771 myrna path, sylvanfort, la 27451', 'STREET_ADDRESS')];
    expect(tidyStreetAddresses(s, t)).toEqual(s);
  });
});

describe('addHouseNumbers', () => {
  it('grows an address back over its house number, taking in a span that is just the number', () => {
    const t = 'mail it to 9 Boulevard Vaneau 2 please; the accident happened at 387 Schimmel Hollow Suite 213, thanks';
    const out = addHouseNumbers([at(t, 'Boulevard Vaneau 2', 'STREET_ADDRESS'), at(t, '387', 'STREET_ADDRESS', 0.96), at(t, 'Schimmel Hollow Suite 213', 'STREET_ADDRESS', 0.61)], t);
    expect(shown(t, out)).toEqual(['STREET_ADDRESS:9 Boulevard Vaneau 2', 'STREET_ADDRESS:387 Schimmel Hollow Suite 213']);
    expect(out[1]!.score).toBe(0.61);
  });

  it('leaves numbers across a line break, inside other tokens or held by other spans alone', () => {
    const t = 'William Hughes\n20789\nAllika 46 and version 2.5 Elm Street';
    const spans = [at(t, '20789', 'STREET_ADDRESS'), at(t, 'Allika 46', 'STREET_ADDRESS'), at(t, 'Elm Street', 'STREET_ADDRESS')];
    expect(shown(t, addHouseNumbers(spans, t))).toEqual(['STREET_ADDRESS:20789', 'STREET_ADDRESS:Allika 46', 'STREET_ADDRESS:Elm Street']);
  });
});

describe('retypeDemonyms', () => {
  it('turns a nationality tagged as a person or organization into NRP', () => {
    const t = 'my husband is Kenyan and my bank is German; Kenya Airways is fine';
    const out = retypeDemonyms([at(t, 'Kenyan', 'PERSON'), at(t, 'German', 'ORGANIZATION'), at(t, 'Kenya Airways', 'ORGANIZATION')], t);
    expect(shown(t, out)).toEqual(['NRP:Kenyan', 'NRP:German', 'ORGANIZATION:Kenya Airways']);
  });
});

describe('retypeCompanyNames', () => {
  it('makes a name ending in a legal form or institution word an organization, growing over a form that follows', () => {
    const t = 'My contract with Gunnarsson Gruppen ends soon; I applied to Pettersson AB and Wyman Bank.';
    const out = retypeCompanyNames([at(t, 'Gunnarsson Gruppen', 'PERSON'), at(t, 'Pettersson', 'PERSON'), at(t, 'Wyman', 'GPE')], t);
    expect(shown(t, out)).toEqual(['ORGANIZATION:Gunnarsson Gruppen', 'ORGANIZATION:Pettersson AB', 'ORGANIZATION:Wyman Bank.']);
    // the full stop of the sentence goes in the punctuation trim that runs after it
    expect(shown(t, trimNamePunctuation(out, t))).toEqual(['ORGANIZATION:Gunnarsson Gruppen', 'ORGANIZATION:Pettersson AB', 'ORGANIZATION:Wyman Bank']);
  });

  it('does not read short everyday words as legal forms, or take a word another span holds', () => {
    const t = 'i want to add ms. frieda vandervort as a beneficiary';
    expect(shown(t, retypeCompanyNames([at(t, 'frieda vandervort', 'PERSON')], t))).toEqual(['PERSON:frieda vandervort']);
    const u = 'Ask Anna Bank Holdings';
    expect(shown(u, retypeCompanyNames([at(u, 'Anna', 'PERSON'), at(u, 'Bank Holdings', 'ORGANIZATION')], u))).toEqual([
      'PERSON:Anna',
      'ORGANIZATION:Bank Holdings',
    ]);
  });
});

describe('addDemonymsInContext', () => {
  it('adds a nationality said of a person, not a language or a word another span holds', () => {
    const t = "being Egyptian in america; my husband is Filipino and I'm half korean. Translate this to Spanish.";
    expect(shown(t, addDemonymsInContext([], t))).toEqual(['NRP:Egyptian', 'NRP:Filipino', 'NRP:korean']);
    const covered = [at(t, 'Egyptian in america', 'GPE')];
    expect(shown(t, addDemonymsInContext(covered, t))).toEqual(['GPE:Egyptian in america', 'NRP:Filipino', 'NRP:korean']);
  });
});

describe('cutNamesAtSentenceEnds', () => {
  it('ends a name at the end of its sentence but not at an abbreviation or an initial', () => {
    const t = 'My husband is Filipino. Name three whales. Ask Dhr. Tristan van Ginneken or J. R. Smith Jr. today.';
    const out = cutNamesAtSentenceEnds(
      [at(t, 'Filipino. Name', 'PERSON'), at(t, 'Dhr. Tristan van Ginneken', 'PERSON'), at(t, 'J. R. Smith Jr. today', 'PERSON')],
      t,
    );
    expect(shown(t, out)).toEqual(['PERSON:Filipino', 'PERSON:Dhr. Tristan van Ginneken', 'PERSON:J. R. Smith Jr. today']);
  });

  it('ends a name before an auxiliary verb', () => {
    const t = 'hi, mr kraig will see you now; is it weird that Ann Lee hasn\'t texted back';
    const out = cutNamesAtSentenceEnds([at(t, 'kraig will see', 'PERSON'), at(t, "Ann Lee hasn't", 'PERSON')], t);
    expect(shown(t, out)).toEqual(['PERSON:kraig', 'PERSON:Ann Lee']);
  });
});

describe('trimNamePunctuation', () => {
  it('cuts sentence punctuation off names but keeps abbreviation full stops', () => {
    const t = 'We met in Budapest. I got an offer from Swift, Trantow and Kiehn and from Haag Inc. today.';
    const out = trimNamePunctuation([at(t, 'Budapest.', 'GPE'), at(t, 'Swift,', 'PERSON'), at(t, 'Haag Inc.', 'ORGANIZATION')], t);
    expect(shown(t, out)).toEqual(['GPE:Budapest', 'PERSON:Swift', 'ORGANIZATION:Haag Inc.']);
  });
  it('cuts punctuation off the front of a name span', () => {
    const t = 'They marched west, conquering Gaul';
    expect(shown(t, trimNamePunctuation([at(t, ', conquering Gaul', 'GPE')], t))).toEqual(['GPE:conquering Gaul']);
  });
  it('leaves other types alone', () => {
    const t = 'call 555-0100.';
    const s = [at(t, '555-0100.', 'PHONE_NUMBER')];
    expect(trimNamePunctuation(s, t)).toEqual(s);
  });
});

describe('mergeFragments', () => {
  it('joins confident fragments of one address on one line', () => {
    const t = 'the accident happened at 1689 Rue du Faubourg Saint-Honoré Apt. 718, thanks';
    const out = mergeFragments(
      [at(t, '1689', 'STREET_ADDRESS', 0.8), at(t, 'Rue du Faubourg Saint-Honoré', 'STREET_ADDRESS', 0.95), at(t, 'Apt. 718', 'STREET_ADDRESS', 0.7)],
      t,
    );
    expect(shown(t, out)).toEqual(['STREET_ADDRESS:1689 Rue du Faubourg Saint-Honoré Apt. 718']);
    expect(out[0]!.score).toBe(0.7);
  });
  it('keeps fragments on different lines, of other types, or below the merge score apart', () => {
    const t = '4844 Søndergade 52\n Apt. 656 Brønderslev 12 Elm St';
    const spans = [
      at(t, '4844 Søndergade 52', 'STREET_ADDRESS'),
      at(t, 'Apt. 656', 'STREET_ADDRESS'),
      at(t, 'Brønderslev', 'GPE'),
      at(t, '12 Elm St', 'STREET_ADDRESS', 0.3),
    ];
    expect(mergeFragments(spans, t)).toEqual(spans);
  });
  it('joins two confident PERSON spans with one space between them into one name', () => {
    const t = 'hi heaven hermiston, and Ann, Bob';
    const out = mergeFragments([at(t, 'heaven', 'PERSON', 0.6), at(t, 'hermiston', 'PERSON', 0.5), at(t, 'Ann', 'PERSON'), at(t, 'Bob', 'PERSON')], t);
    expect(shown(t, out)).toEqual(['PERSON:heaven hermiston', 'PERSON:Ann', 'PERSON:Bob']);
    expect(out[0]!.score).toBe(0.5);
  });
});

describe('requireAgeContext', () => {
  it('drops numbers with no age cue and keeps real ages', () => {
    const t = 'James listed his top 20 songs. I turn 42 next week, my dad is 70 years old, patient, 46, male';
    const out = requireAgeContext([at(t, '20', 'AGE'), at(t, '42', 'AGE'), at(t, '70', 'AGE'), at(t, '46', 'AGE')], t);
    expect(shown(t, out)).toEqual(['AGE:42', 'AGE:70', 'AGE:46']);
  });
  it('drops digit spans with letters but no cue, keeps decades', () => {
    const t = 'prices rose 10percent; a woman in her 20s';
    expect(shown(t, requireAgeContext([at(t, '10percent', 'AGE'), at(t, '20s', 'AGE')], t))).toEqual(['AGE:20s']);
  });
  it('keeps ages written in words', () => {
    const t = 'she is forty-two';
    const s = [at(t, 'forty-two', 'AGE')];
    expect(requireAgeContext(s, t)).toEqual(s);
  });
});

describe('splitHonorifics', () => {
  it('splits a leading honorific off a name as TITLE and retypes a lone one', () => {
    const t = 'please help, Dr Skye Darcy Botsford will see you now; position: Mrs.';
    const out = splitHonorifics([at(t, 'Dr Skye Darcy Botsford', 'PERSON'), at(t, 'Mrs.', 'PERSON')], t);
    expect(shown(t, out)).toEqual(['TITLE:Dr', 'PERSON:Skye Darcy Botsford', 'TITLE:Mrs.']);
  });

  it('ends a name span before a trailing honorific', () => {
    const t = 'my bank is Little, Emard and Ullrich and Ms. Anthony Silva will see you now';
    const out = splitHonorifics([at(t, 'Little, Emard and Ullrich and Ms.', 'ORGANIZATION')], t);
    expect(shown(t, out)).toEqual(['ORGANIZATION:Little, Emard and Ullrich']);
    expect(shown(t, refinePiiSpans(out, t))).toEqual(['ORGANIZATION:Little, Emard and Ullrich', 'TITLE:Ms.', 'PERSON:Anthony Silva']);
  });
});

describe('titlesBeforeNames', () => {
  it('makes an honorific in front of a name a TITLE and vouches for the PERSON after it', () => {
    const t = 'um Office line 953. Mr. Didier Chilpéric Dumas will see you now.';
    const out = titlesBeforeNames([at(t, 'Didier Chilpéric Dumas', 'PERSON', 0.26)], t);
    expect(shown(t, out)).toEqual(['TITLE:Mr.', 'PERSON:Didier Chilpéric Dumas']);
    expect(out.map((s) => s.score)).toEqual([0.9, 0.9]);
    // a weak TITLE span of the model's is raised, not duplicated
    const weak = titlesBeforeNames([at(t, 'Mr.', 'TITLE', 0.08), at(t, 'Didier Chilpéric Dumas', 'PERSON', 0.7)], t);
    expect(weak.map((s) => [text(t, s), s.score])).toEqual([['Mr.', 0.9], ['Didier Chilpéric Dumas', 0.9]]);
  });

  it('finds the capitalised name after an honorific when the writer capitalises, without its full stop', () => {
    const t = 'Hi there, please ask Prof. Zulauf. Then call Dr. J. R. Smith about it.';
    expect(shown(t, titlesBeforeNames([], t))).toEqual(['TITLE:Prof.', 'PERSON:Zulauf', 'TITLE:Dr.', 'PERSON:J. R. Smith']);
  });

  it('stays linear on text made of honorifics (CPU time at 32 KiB vs 128 KiB)', () => {
    const t = 'Hi Mr A and Dr B, '.repeat(6000); // ~108k characters, 12,000 honorifics
    expect(titlesBeforeNames([], t)).toHaveLength(24000);
    expectLinear((n) => {
      const text = fill('Hi Mr A and Dr B, ', n);
      return () => titlesBeforeNames([], text);
    }, 32 * 1024);
  });

  it('needs a PERSON span after the honorific in lower-case text, and leaves honorifics inside other spans alone', () => {
    const t = 'hi, mr kraig will see you now';
    expect(titlesBeforeNames([], t)).toEqual([]);
    expect(shown(t, titlesBeforeNames([at(t, 'kraig', 'PERSON', 0.6)], t))).toEqual(['TITLE:mr', 'PERSON:kraig']);
    const a = 'Ship it to 12 Elm Dr Springfield please, Mr Smith knows.';
    expect(shown(a, titlesBeforeNames([at(a, '12 Elm Dr Springfield', 'STREET_ADDRESS')], a))).toEqual([
      'STREET_ADDRESS:12 Elm Dr Springfield',
      'TITLE:Mr',
      'PERSON:Smith',
    ]);
  });
});

describe('namesAfterCues', () => {
  it('makes the name after a residence or travel cue a place, vouching for it', () => {
    const t = 'My sister lives in Bolivia, help me fill in this form';
    const out = namesAfterCues([at(t, 'Bolivia', 'PERSON', 0.6)], t);
    expect(shown(t, out)).toEqual(['GPE:Bolivia']);
    expect(out[0]!.score).toBe(0.9);
  });

  it('finds an untagged capitalised place, joiners included, when the writer capitalises', () => {
    const t = "Hello! I'm visiting Port Lamar in june. I grew up in Texcoco de Mora, then moved to Berlin.";
    expect(shown(t, namesAfterCues([], t))).toEqual(['GPE:Port Lamar', 'GPE:Texcoco de Mora', 'GPE:Berlin']);
  });

  it('reads the name after an employment or banking cue as an organization', () => {
    const t = 'I got an offer from Gunnarsson Gruppen and my bank is Bank of America. I work at Initech.';
    const out = namesAfterCues([at(t, 'Gunnarsson Gruppen', 'PERSON', 0.7)], t);
    expect(shown(t, out)).toEqual(['ORGANIZATION:Gunnarsson Gruppen', 'ORGANIZATION:Bank of America', 'ORGANIZATION:Initech']);
  });

  it('leaves months, honorifics, lower-case writers and street addresses alone', () => {
    const t = 'I was born in March and moving to Dr Smith next door.';
    expect(namesAfterCues([], t)).toEqual([]);
    expect(namesAfterCues([], 'i live in fear of spiders')).toEqual([]);
    const a = 'I live in 12 Main St, Springfield.';
    expect(shown(a, namesAfterCues([at(a, '12 Main St, Springfield', 'STREET_ADDRESS')], a))).toEqual(['STREET_ADDRESS:12 Main St, Springfield']);
  });

  it('stays linear on long input (CPU time at 32 KiB vs 128 KiB)', () => {
    const t = 'We live in Oslo and moved to Bergen. '.repeat(3000); // ~111k characters
    expect(namesAfterCues([], t)).toHaveLength(6000);
    expectLinear((n) => {
      const text = fill('We live in Oslo and moved to Bergen. ', n);
      return () => namesAfterCues([], text);
    }, 32 * 1024);
  });
});

describe('trimRelationWords', () => {
  it('cuts relation words off names and drops spans made only of them', () => {
    const t = 'my coworker corrine keeps taking credit; beneficiary iban below';
    const out = trimRelationWords([at(t, 'coworker corrine', 'PERSON'), at(t, 'beneficiary', 'PERSON')], t);
    expect(shown(t, out)).toEqual(['PERSON:corrine']);
  });
});

describe('addZipCodesInContext', () => {
  it('adds a ZIP code after a location word where no span covers it', () => {
    const t = 'hi, find doctors in 75267-1234 thx; zip: 10001; I have 12345 points; 90210';
    expect(shown(t, addZipCodesInContext([], t))).toEqual(['ZIP_CODE:75267-1234', 'ZIP_CODE:10001']);
    const covered = [at(t, 'in 75267-1234', 'STREET_ADDRESS')];
    expect(shown(t, addZipCodesInContext(covered, t))).toEqual(['STREET_ADDRESS:in 75267-1234', 'ZIP_CODE:10001']);
  });
});

describe('addAgesInContext', () => {
  it('adds a number the words say is an age, where no span covers it', () => {
    const t = 'my son is 7 years old, a 13-year-old girl, 45 yo male, 80 y/o, aged 34, age: 9, my grandpa is turning 101 next week';
    expect(shown(t, addAgesInContext([], t))).toEqual(['AGE:7', 'AGE:13', 'AGE:45', 'AGE:80', 'AGE:34', 'AGE:9', 'AGE:101']);
    const covered = [at(t, 'aged 34', 'DATE_TIME')];
    expect(shown(t, addAgesInContext(covered, t))).not.toContain('AGE:34');
  });
  it('leaves numbers that are not ages alone', () => {
    const t = "I'm 34 minutes away; turn 90 degrees; turned 45 pages; in 2 years; version 3.10 years old; 250 years old; 1,000 yo; 12:30; aged 18-30";
    expect(shown(t, addAgesInContext([], t))).toEqual([]);
  });
});

describe('ageAsSaid', () => {
  it('grows an AGE number over "years old" written after it, and leaves the other forms alone', () => {
    const t = "I'm 34 years old; he is 7 Years Old. a 13-year-old, 45 yo, aged 52, 80 yrs old, 9 year old, 12 years older";
    const ages = ['34', '7', '13', '45', '52', '80', '9', '12'].map((n) => at(t, n, 'AGE'));
    expect(shown(t, ageAsSaid(ages, t))).toEqual(['AGE:34 years old', 'AGE:7 Years Old', 'AGE:13', 'AGE:45', 'AGE:52', 'AGE:80 yrs old', 'AGE:9 year old', 'AGE:12']);
  });
  it('does not grow into another span', () => {
    const t = 'she is 9 years old Ann';
    const spans = [at(t, '9', 'AGE'), at(t, 'years', 'PERSON')];
    expect(ageAsSaid(spans, t)).toEqual(spans);
    const t2 = 'he is 9 years old, Ann';
    expect(shown(t2, ageAsSaid([at(t2, 'Ann', 'PERSON'), at(t2, '9', 'AGE')], t2))).toEqual(['PERSON:Ann', 'AGE:9 years old']);
  });
  it('changes no other type and no AGE span that is not a number', () => {
    const t = 'Room 34 years old wing; twenty years old';
    const spans = [at(t, '34', 'DATE_TIME'), at(t, 'twenty', 'AGE')];
    expect(ageAsSaid(spans, t)).toEqual(spans);
  });
});

describe('jobTitlesBeforeNames', () => {
  it('splits a job title in front of a name the model read as one span', () => {
    const t = 'hi, Dynamic Marketing Technician Malik will see you now. Our Chief Financial Officer Jane Doe approved it.';
    const out = jobTitlesBeforeNames(
      [at(t, 'Dynamic Marketing Technician Malik will see', 'TITLE', 0.26), at(t, 'Jane Doe', 'ORGANIZATION', 0.19)],
      t,
    );
    expect(shown(t, out)).toEqual(['TITLE:Dynamic Marketing Technician', 'PERSON:Malik', 'TITLE:Chief Financial Officer', 'PERSON:Jane Doe']);
    expect(out.every((s) => s.score >= 0.9)).toBe(true);
  });
  it('stays linear on long input full of titles and spans (CPU time at 32 KiB vs 128 KiB)', () => {
    const unit = 'Senior Engineer Bob Lee met Chief Officer Ann Roe. ';
    const withSpans = (t: string): PiiSpan[] => atEach(t, 'Bob', 'PERSON', 0.3, -16, 23);
    const t = unit.repeat(2000); // ~102k characters
    expect(jobTitlesBeforeNames(withSpans(t), t).filter((s) => s.type === 'TITLE')).toHaveLength(2000);
    expectLinear((n) => {
      const long = fill(unit, n);
      const spans = withSpans(long);
      return () => jobTitlesBeforeNames(spans, long);
    }, 32 * 1024);
  });
  it('leaves Title Case prose, unflagged text and other span types alone', () => {
    const t = 'Act as a Senior Python Developer Reviewing Code; hiring a Software Engineer In Berlin; ask Support Engineer Bob';
    const spans = [at(t, 'Developer Reviewing', 'PERSON', 0.2), at(t, 'Engineer In Berlin', 'GPE', 0.3)];
    expect(jobTitlesBeforeNames(spans, t)).toEqual(spans);
    const dated = 'the Project Manager May 5 deadline';
    const date = [at(dated, 'May 5', 'DATE_TIME', 0.3)];
    expect(jobTitlesBeforeNames(date, dated)).toEqual(date);
  });
});

describe('refinePiiSpans line breaks', () => {
  it('ends a digit-less "address" retyped as a place at its line', () => {
    const t = 'um i live in ladislau do descoberto\nsms +44 41 3445 2605 when you arrive';
    const out = refinePiiSpans([at(t, 'ladislau do descoberto\nsms', 'STREET_ADDRESS', 0.7)], t);
    expect(shown(t, out)).toEqual(['GPE:ladislau do descoberto']);
  });
});

describe('capitalisedNamesGainScore', () => {
  const scoreOf = (t: string, piece: string, type = 'PERSON', score = 0.32): number =>
    capitalisedNamesGainScore([at(t, piece, type, score)], t)[0]!.score;
  it('raises a capitalised mid-sentence name', () => {
    expect(scoreOf('My coworker Sandra keeps taking credit for my work.', 'Sandra')).toBeCloseTo(0.32 + CASE_EVIDENCE);
    expect(scoreOf('I want to add Henrik P. Kvarme as a beneficiary.', 'Henrik P. Kvarme')).toBeCloseTo(0.32 + CASE_EVIDENCE);
    expect(scoreOf('Is it weird that Kling hasn\'t texted back?', 'Kling', 'PERSON', 0.95)).toBe(1);
  });
  it('leaves single-word sentence openers, lower-case words, acronyms, text in capitals and other types alone', () => {
    expect(scoreOf('Sandra keeps taking credit. Why?', 'Sandra')).toBe(0.32);
    expect(scoreOf('Thanks.\r\nSandra keeps calling.', 'Sandra')).toBe(0.32); // a Windows line break opens a line too
    expect(scoreOf('Hi. Stephanie Cormier keeps taking credit.', 'Stephanie Cormier')).toBeCloseTo(0.32 + CASE_EVIDENCE);
    expect(scoreOf('Hi there. Why is it so slow?', 'Why')).toBe(0.32);
    expect(scoreOf('My coworker sandra keeps taking Credit.', 'sandra')).toBe(0.32);
    expect(scoreOf('Read the FAQ before you ask Support.', 'FAQ')).toBe(0.32);
    expect(scoreOf('I work at Acme in Paris.', 'Acme', 'ORGANIZATION')).toBe(0.32);
    expect(scoreOf('MY COWORKER SANDRA KEEPS TAKING CREDIT', 'SANDRA')).toBe(0.32);
    expect(scoreOf('my coworker Sandra keeps taking credit', 'Sandra')).toBeCloseTo(0.32 + CASE_EVIDENCE); // capitalised on purpose
  });
});

describe('refinePiiSpans', () => {
  it('runs the rules together on a chat prompt', () => {
    const t = 'hello! I live in Gentofte and Dr Jane Roe will see you at 12 Main St, Springfield Apt. 4. find doctors in 92019';
    const out = refinePiiSpans(
      [at(t, 'Gentofte', 'STREET_ADDRESS'), at(t, 'Dr Jane Roe', 'PERSON'), at(t, '12 Main St', 'STREET_ADDRESS'), at(t, 'Springfield Apt. 4', 'STREET_ADDRESS')],
      t,
    );
    expect(shown(t, out)).toEqual(['GPE:Gentofte', 'TITLE:Dr', 'PERSON:Jane Roe', 'STREET_ADDRESS:12 Main St, Springfield Apt. 4', 'ZIP_CODE:92019']);
  });

  it('stays linear on long adversarial input with many spans (CPU time at 32 KiB vs 128 KiB)', () => {
    const unit = 'find doctors in 12345 at 1 Main St, ';
    const withSpans = (t: string): PiiSpan[] => atEach(t, '1 Main', 'STREET_ADDRESS', 0.9, 0, 9);
    const t = unit.repeat(3000); // ~108k characters
    expect(refinePiiSpans(withSpans(t), t).filter((s) => s.type === 'ZIP_CODE')).toHaveLength(3000);
    expectLinear((n) => {
      const long = fill(unit, n);
      const spans = withSpans(long);
      return () => refinePiiSpans(spans, long);
    }, 32 * 1024);
  });

  it('returns sorted, in-bounds, non-empty, non-overlapping spans for any input spans', () => {
    const types = ['PERSON', 'GPE', 'ORGANIZATION', 'NRP', 'TITLE', 'STREET_ADDRESS', 'AGE', 'ZIP_CODE', 'PHONE_NUMBER'];
    fc.assert(
      fc.property(textWithSpans(fc.stringMatching(/^[A-Za-z0-9 ,.\n'-]{0,80}$/), types, 8), ({ text, spans }) => {
        expectWellFormed(refinePiiSpans(spans, text), text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('refinePiiSpans with pattern matches, on cue-heavy text', () => {
  // words that trigger the cue, honorific, company, house-number, sentence-end and pattern rules
  const words = ['Mr.', 'dr', 'Prof', 'lives in', 'I work at', 'visiting', 'Bank', 'AB', 'Inc.', 'Egyptian', 'being', 'will', 'is', 'Ann', 'Lee',
    '387', 'Elm', 'St', 'x.com', 'rural-disk.net', '.', ',', 'and', 'Ms.', 'J.', 'Boulevard', '9', '\n', 'of', 'de', 'May', 'sms', '214-219-8348', 'the', 'a',
    'years old', 'aged', 'turning', '34', '2024-05-17', 'Sept', '5th', 'DL#', 'license', 'D1234567', 'Chief', 'Officer', 'Engineer', 'Stephanie', '-'];
  const types = ['PERSON', 'GPE', 'ORGANIZATION', 'NRP', 'TITLE', 'STREET_ADDRESS', 'AGE', 'ZIP_CODE', 'PHONE_NUMBER', 'DOMAIN_NAME', 'DATE_TIME', 'US_DRIVER_LICENSE'];

  it('keeps spans sorted, in bounds, non-empty and non-overlapping for any input spans', () => {
    const texts = fc.array(fc.constantFrom(...words), { maxLength: 30 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(textWithSpans(texts, types, 10), ({ text, spans }) => {
        expectWellFormed(mergePiiSpans(refinePiiSpans(spans, text), recognizePatterns(text)), text);
      }),
      { numRuns: 1000 },
    );
  });
});

/** A text and non-overlapping spans over it, as every decoder produces them. */
function textWithSpans(text: fc.Arbitrary<string>, types: string[], maxSpans: number): fc.Arbitrary<{ text: string; spans: PiiSpan[] }> {
  return fc
    .tuple(text, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...types), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: maxSpans }))
    .map(([t, raw]) => {
      const cuts = [...new Set(raw.flatMap(([a, b]) => [a % (t.length + 1), b % (t.length + 1)]))].sort((x, y) => x - y);
      const spans: PiiSpan[] = [];
      for (let i = 0; i + 1 < cuts.length; i += 2) spans.push({ type: raw[i / 2]![2], start: cuts[i]!, end: cuts[i + 1]!, score: raw[i / 2]![3] });
      return { text: t, spans };
    });
}

/** Sorted, in bounds, non-empty, non-overlapping. */
function expectWellFormed(out: readonly PiiSpan[], text: string): void {
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    expect(s.start).toBeGreaterThanOrEqual(0);
    expect(s.end).toBeLessThanOrEqual(text.length);
    expect(s.end).toBeGreaterThan(s.start);
    if (i > 0) expect(s.start).toBeGreaterThanOrEqual(out[i - 1]!.end);
  }
}
